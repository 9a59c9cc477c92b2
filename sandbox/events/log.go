package events

import (
	"time"

	"github.com/omsbox/omsbox/sandbox/internal/ring"
)

// DefaultLogSize is how many events a log keeps unless told otherwise.
const DefaultLogSize = 100_000

// Log keeps the latest events published on a bus, for the control plane's
// GET /_sandbox/events.
type Log struct {
	ring *ring.Ring[Event]
}

// NewLog subscribes a log of at most size events to bus.
func NewLog(size int, bus *Bus) *Log {
	if size <= 0 {
		size = DefaultLogSize
	}
	l := &Log{ring: ring.New[Event](size)}
	bus.Subscribe(func(e Event) {
		e.Subject = nil // valid only during delivery; the log must not keep it alive
		l.ring.Add(e, nil)
	})
	return l
}

// Filter selects events; zero fields match everything.
type Filter struct {
	Account, OrderID, Type string
	// SinceSeq keeps events after that sequence number; SinceTime those
	// at or after that sandbox time.
	SinceSeq  int64
	SinceTime time.Time
	// Limit keeps the first Limit matches; Last the last Last matches
	// (both oldest first).
	Limit, Last int
}

// Changed returns a channel closed when the next event is logged.
func (l *Log) Changed() <-chan struct{} { return l.ring.Changed() }

// Events returns the matching events, oldest first.
func (l *Log) Events(f Filter) []Event {
	keep := func(e *Event) bool {
		return (f.Account == "" || e.Account == f.Account) &&
			(f.OrderID == "" || e.OrderID == f.OrderID) &&
			(f.Type == "" || e.Type == f.Type) &&
			(f.SinceSeq == 0 || e.Seq > f.SinceSeq) &&
			(f.SinceTime.IsZero() || !e.Time.Before(f.SinceTime))
	}
	if f.Last > 0 {
		return l.ring.SelectLast(keep, f.Last)
	}
	return l.ring.Select(keep, f.Limit)
}

// Select returns, oldest first, the events for which keep is true.
func (l *Log) Select(keep func(*Event) bool) []Event { return l.ring.Select(keep, 0) }

// Forget drops one account's events, or all of them for "".
func (l *Log) Forget(account string) {
	l.ring.Remove(func(e *Event) bool { return account == "" || e.Account == account })
}
