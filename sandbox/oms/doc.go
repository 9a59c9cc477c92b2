// Package oms owns the VTEX order domain: the order document exactly as
// VTEX's Get order returns it, the statuses, the one transition table every
// status change goes through, the per-account order stores and the list
// (search) semantics. An account keeps its recent orders as structs and
// the rest as compressed documents (cold.go), so 100,000 orders fit in a
// few hundred megabytes. It knows nothing of HTTP; every accepted change is
// published as an events.Event for the feed, hook, bridge and event log.
package oms
