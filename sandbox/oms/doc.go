// Package oms owns the VTEX order domain: the order document exactly as
// VTEX's Get order returns it, the statuses, the one transition table every
// status change goes through, the per-account order stores and the list
// (search) semantics. It knows nothing of HTTP; every accepted change is
// published as an events.Event for the feed, hook, bridge and event log.
package oms
