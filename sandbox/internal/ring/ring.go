// Package ring owns the bounded, concurrency-safe buffer behind the
// journal and the event log: it keeps the newest entries, numbers every
// entry it is given, and answers filtered reads oldest first.
package ring

import "sync"

// Ring keeps the last Cap entries of type T.
type Ring[T any] struct {
	mu    sync.RWMutex
	buf   []T
	start int // index of the oldest entry once full
	full  bool
	seq   int64
	cap   int
}

// New returns a ring holding at most capacity entries (at least 1).
func New[T any](capacity int) *Ring[T] {
	return &Ring[T]{cap: max(capacity, 1)}
}

// Add stores v, after stamp has set its sequence number (1, 2, ...), and
// returns the stamped value. The oldest entry goes when the ring is full.
func (r *Ring[T]) Add(v T, stamp func(*T, int64)) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	if stamp != nil {
		stamp(&v, r.seq)
	}
	if !r.full {
		r.buf = append(r.buf, v)
		if len(r.buf) == r.cap {
			r.full = true
		}
		return v
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % r.cap
	return v
}

// Select returns, oldest first, up to limit entries (0: all) for which
// keep is true.
func (r *Ring[T]) Select(keep func(*T) bool, limit int) []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []T{}
	for i := range len(r.buf) {
		v := &r.buf[(r.start+i)%len(r.buf)]
		if keep(v) {
			out = append(out, *v)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// Remove drops the entries for which drop is true, keeping the order.
func (r *Ring[T]) Remove(drop func(*T) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := make([]T, 0, len(r.buf))
	for i := range len(r.buf) {
		v := r.buf[(r.start+i)%len(r.buf)]
		if !drop(&v) {
			kept = append(kept, v)
		}
	}
	r.buf, r.start, r.full = kept, 0, len(kept) == r.cap
}

// Len returns how many entries the ring holds.
func (r *Ring[T]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.buf)
}
