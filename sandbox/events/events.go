// Package events owns the sandbox's domain events: the record of every
// accepted change (an order created, a status changed, an invoice added) and
// the bus that hands them to subscribers (feed queues, hook dispatcher, the
// VTEX-SkyHub bridge, the event log). The domain publishes; it never calls a
// subscriber by name.
package events

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Event types. The control plane filters on these strings, so they are a
// public interface.
const (
	OrderCreated       = "order.created"
	OrderStatusChanged = "order.status-changed"
	OrderChanged       = "order.changed"   // a registered change (items, discount, increment)
	InvoiceAdded       = "invoice.added"   // a new invoice number
	InvoiceUpdated     = "invoice.updated" // the same invoice number posted again
	TrackingUpdated    = "tracking.updated"
)

// Event is one accepted change in one account.
type Event struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	Type    string    `json:"type"`
	OrderID string    `json:"orderId,omitempty"`
	Action  string    `json:"action,omitempty"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	// Since is when the order entered From (a status change's previous
	// change), for the feed's lastChange.
	Since time.Time      `json:"since,omitzero"`
	Data  map[string]any `json:"data,omitempty"`
	// Subject is the changed entity (an *oms.Order), for subscribers to
	// read while the event is delivered, never after: the publisher holds
	// its lock only that long.
	Subject any `json:"-"`
}

// Bus delivers published events to its subscribers, synchronously and in
// publication order. Publishers call it while holding the lock that orders
// their changes, so a subscriber sees each account's events in the order they
// happened; a subscriber must therefore be quick and must not call back into
// the domain (queue work for later instead).
type Bus struct {
	seq  atomic.Int64
	mu   sync.RWMutex
	next int
	subs []subscriber
}

type subscriber struct {
	id int
	fn func(Event)
}

// Subscribe registers fn for every event published from now on and returns
// a function that removes it.
func (b *Bus) Subscribe(fn func(Event)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs = append(b.subs, subscriber{id, fn})
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		// A fresh slice: Publish may be ranging over the old one.
		b.subs = slices.DeleteFunc(slices.Clone(b.subs), func(s subscriber) bool { return s.id == id })
	}
}

// Seq returns the sequence number of the last event published (0 before
// the first).
func (b *Bus) Seq() int64 { return b.seq.Load() }

// Publish stamps e with the next sequence number and hands it to every
// subscriber. It returns the stamped event. A subscriber may publish in
// turn (the stock subscriber publishes reservation events while an order
// event is delivered): the bus lock is not held during delivery, so a
// nested Publish never waits for a Subscribe that waits for it.
func (b *Bus) Publish(e Event) Event {
	e.Seq = b.seq.Add(1)
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, s := range subs {
		s.fn(e)
	}
	return e
}
