// Package ring owns the bounded, concurrency-safe buffer behind the
// journal and the event log: it keeps the newest entries, bounded by count
// and, when given a size function, by bytes; numbers every entry it is
// given, and answers filtered reads oldest first.
package ring

import (
	"slices"
	"sync"
)

// Ring keeps the last Cap entries of type T (and no more than MaxBytes of
// them, when sized), in a circular buffer: adding to a full ring
// overwrites its oldest slot, nothing moves.
type Ring[T any] struct {
	mu   sync.RWMutex
	buf  []T // circular; grows up to cap
	head int // the oldest entry's slot
	n    int // entries held
	seq  int64
	cap  int

	size     func(*T) int // nil: bounded by count only
	maxBytes int
	bytes    int

	changed chan struct{} // closed at the next Add; nil until someone waits
}

// New returns a ring holding at most capacity entries (at least 1).
func New[T any](capacity int) *Ring[T] {
	return &Ring[T]{cap: max(capacity, 1)}
}

// NewSized returns a ring holding at most capacity entries whose sizes
// (as size reports them) add up to at most maxBytes: the oldest go first.
// An entry larger than maxBytes alone is still kept, as the only one.
func NewSized[T any](capacity, maxBytes int, size func(*T) int) *Ring[T] {
	return &Ring[T]{cap: max(capacity, 1), size: size, maxBytes: max(maxBytes, 1)}
}

// at is the i-th entry, oldest first.
func (r *Ring[T]) at(i int) *T { return &r.buf[(r.head+i)%len(r.buf)] }

// Add stores v, after stamp has set its sequence number (1, 2, ...), and
// returns the stamped value. The oldest entries go when the ring is full;
// the newest always stays, even alone over the byte bound. v is stamped
// and sized in its slot, not through its own address, so that it does not
// escape to the heap: the journal adds one entry per request.
func (r *Ring[T]) Add(v T, stamp func(*T, int64)) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	if r.n >= r.cap {
		r.dropOldest()
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	slot := r.at(r.n)
	*slot = v
	if stamp != nil {
		stamp(slot, r.seq)
	}
	n := 0
	if r.size != nil {
		n = r.size(slot)
	}
	r.n++
	r.bytes += n
	for r.n > 1 && r.size != nil && r.bytes > r.maxBytes {
		r.dropOldest()
	}
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return *slot
}

// grow doubles the buffer, up to cap, laying the entries out oldest first.
func (r *Ring[T]) grow() {
	buf := make([]T, min(max(2*len(r.buf), 16), r.cap))
	for i := range r.n {
		buf[i] = *r.at(i)
	}
	r.buf, r.head = buf, 0
}

// Changed returns a channel closed when the next entry is added. A reader
// that tails the ring takes it before reading, then waits on it: an entry
// added between the read and the wait is never missed.
func (r *Ring[T]) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
	}
	return r.changed
}

// dropOldest forgets the oldest entry, clearing its slot so that what it
// referred to can be collected.
func (r *Ring[T]) dropOldest() {
	old := r.at(0)
	if r.size != nil {
		r.bytes -= r.size(old)
	}
	var zero T
	*old = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}

// Select returns, oldest first, up to limit entries (0: all) for which
// keep is true.
func (r *Ring[T]) Select(keep func(*T) bool, limit int) []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []T{}
	for i := range r.n {
		if v := r.at(i); keep(v) {
			out = append(out, *v)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// SelectLast returns, oldest first, the last n entries for which keep is
// true (n ≤ 0: all of them).
func (r *Ring[T]) SelectLast(keep func(*T) bool, n int) []T {
	if n <= 0 {
		return r.Select(keep, 0)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []T{}
	for i := r.n - 1; i >= 0 && len(out) < n; i-- {
		if v := r.at(i); keep(v) {
			out = append(out, *v)
		}
	}
	slices.Reverse(out)
	return out
}

// Remove drops the entries for which drop is true, keeping the order.
func (r *Ring[T]) Remove(drop func(*T) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := make([]T, 0, r.n)
	r.bytes = 0
	for i := range r.n {
		if v := r.at(i); !drop(v) {
			kept = append(kept, *v)
			if r.size != nil {
				r.bytes += r.size(v)
			}
		}
	}
	r.buf, r.head, r.n = kept[:cap(kept)], 0, len(kept)
	if len(r.buf) == 0 {
		r.buf = nil
	}
}

// Len returns how many entries the ring holds.
func (r *Ring[T]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.n
}

// Bytes returns the sizes of the entries held, added up (0 when unsized).
func (r *Ring[T]) Bytes() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.bytes
}
