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
// them, when sized).
type Ring[T any] struct {
	mu  sync.RWMutex
	buf []T // buf[off:] are the entries, oldest first
	off int
	seq int64
	cap int

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

// Add stores v, after stamp has set its sequence number (1, 2, ...), and
// returns the stamped value. The oldest entries go when the ring is full.
func (r *Ring[T]) Add(v T, stamp func(*T, int64)) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	if stamp != nil {
		stamp(&v, r.seq)
	}
	n := 0
	if r.size != nil {
		n = r.size(&v)
	}
	for r.len() > 0 && (r.len() >= r.cap || (r.size != nil && r.bytes+n > r.maxBytes)) {
		r.dropOldest()
	}
	r.buf = append(r.buf, v)
	r.bytes += n
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return v
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

func (r *Ring[T]) len() int { return len(r.buf) - r.off }

// dropOldest forgets the oldest entry, compacting the slice once half of
// it is dead so that memory follows what is kept.
func (r *Ring[T]) dropOldest() {
	if r.size != nil {
		r.bytes -= r.size(&r.buf[r.off])
	}
	var zero T
	r.buf[r.off] = zero
	r.off++
	if r.off >= 64 && r.off*2 >= len(r.buf) {
		r.buf = append(make([]T, 0, max(len(r.buf)-r.off, 16)), r.buf[r.off:]...)
		r.off = 0
	}
}

// Select returns, oldest first, up to limit entries (0: all) for which
// keep is true.
func (r *Ring[T]) Select(keep func(*T) bool, limit int) []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []T{}
	for i := r.off; i < len(r.buf); i++ {
		if v := &r.buf[i]; keep(v) {
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
	for i := len(r.buf) - 1; i >= r.off && len(out) < n; i-- {
		if v := &r.buf[i]; keep(v) {
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
	kept := make([]T, 0, r.len())
	r.bytes = 0
	for i := r.off; i < len(r.buf); i++ {
		if v := &r.buf[i]; !drop(v) {
			kept = append(kept, *v)
			if r.size != nil {
				r.bytes += r.size(v)
			}
		}
	}
	r.buf, r.off = kept, 0
}

// Len returns how many entries the ring holds.
func (r *Ring[T]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.len()
}

// Bytes returns the sizes of the entries held, added up (0 when unsized).
func (r *Ring[T]) Bytes() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.bytes
}
