// Package clock owns the sandbox's notion of time. Every timestamp the
// sandbox writes and every timer it runs (payment approval, feed visibility,
// hook retries) reads one Clock, so tests move time forward instead of
// sleeping. Time never goes backwards.
package clock

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock is a sandbox clock. The zero value is not usable: use New or Frozen.
//
// A running clock follows the wall clock plus an offset that Advance and Set
// grow; a frozen clock stands still until it is advanced. Both are safe for
// concurrent use.
type Clock struct {
	mu     sync.Mutex
	wall   func() time.Time
	frozen bool
	now    time.Time     // the frozen time
	offset time.Duration // added to wall time when running
	last   time.Time     // the latest time handed out, so Now never goes back

	timers timerHeap
	seq    uint64
	wake   chan struct{} // pokes Run when the earliest timer changes
}

// New returns a clock that runs with the wall clock.
func New() *Clock {
	return &Clock{wall: time.Now}
}

// Frozen returns a clock that stands at start until it is advanced.
func Frozen(start time.Time) *Clock {
	return &Clock{wall: time.Now, frozen: true, now: start.UTC()}
}

// Now returns the sandbox's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	t := c.now
	if !c.frozen {
		t = c.wall().UTC().Add(c.offset)
	}
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

// IsFrozen tells whether the clock stands still between advances.
func (c *Clock) IsFrozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

// Latest is as far as sandbox time goes: a running clock keeps its lead
// over the wall clock as a time.Duration, which holds about 292 years, so
// times past this bound are refused rather than wrapped.
var Latest = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrOutOfRange is the error of a move past Latest.
var ErrOutOfRange = errors.New("sandbox time goes no further than " + Latest.Format(time.RFC3339))

// Advance moves the clock forward by d and returns the new time. A negative
// d is refused: sandbox time never goes backwards; so is one past Latest
// (ErrOutOfRange).
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance by %s: sandbox time never goes backwards", d)
	}
	if now := c.Now(); d > Latest.Sub(now) {
		return time.Time{}, fmt.Errorf("advance by %s from %s: %w", d, now.Format(time.RFC3339), ErrOutOfRange)
	}
	return c.moveTo(func(now time.Time) time.Time { return now.Add(d) }), nil
}

// Set moves the clock to t, which must not be before the current time nor
// after Latest (ErrOutOfRange).
func (c *Clock) Set(t time.Time) (time.Time, error) {
	if t.After(Latest) {
		return time.Time{}, fmt.Errorf("set to %s: %w", t.UTC().Format(time.RFC3339Nano), ErrOutOfRange)
	}
	if now := c.Now(); t.Before(now) {
		return time.Time{}, fmt.Errorf("set to %s: it is before the sandbox time %s, and sandbox time never goes backwards",
			t.UTC().Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	return c.moveTo(func(now time.Time) time.Time { return later(now, t.UTC()) }), nil
}

// moveTo moves the clock to target(now) in steps: to each timer due by
// then, firing it with the clock standing at its time, then to the target.
// A timer's callback thus sees its own time, and timers it schedules fire
// within the same move when they fall before the target.
func (c *Clock) moveTo(target func(now time.Time) time.Time) time.Time {
	c.mu.Lock()
	end := target(c.nowLocked())
	for len(c.timers) > 0 && !c.timers[0].at.After(end) {
		tm := heap.Pop(&c.timers).(*timer)
		c.setLocked(tm.at)
		c.mu.Unlock()
		tm.fn()
		c.mu.Lock()
	}
	c.setLocked(end)
	now := c.nowLocked()
	c.mu.Unlock()
	return now
}

// setLocked moves the clock forward to t (never back).
func (c *Clock) setLocked(t time.Time) {
	now := c.nowLocked()
	if !t.After(now) {
		return
	}
	if c.frozen {
		c.now = t
	} else {
		c.offset += t.Sub(now)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// At runs fn once sandbox time reaches t: when Advance or Set passes it,
// or, on a running clock, when Run sees the wall clock get there. fn runs
// on the goroutine that moved the clock, never under the clock's lock, so
// it may read the clock and schedule more timers. A t already past runs fn
// at the next Advance, Set or tick. The returned function cancels it.
func (c *Clock) At(t time.Time, fn func()) (cancel func()) {
	c.mu.Lock()
	c.seq++
	tm := &timer{at: t, seq: c.seq, fn: fn}
	heap.Push(&c.timers, tm)
	first := c.timers[0] == tm
	c.mu.Unlock()
	if first {
		c.poke()
	}
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if tm.index >= 0 {
			heap.Remove(&c.timers, tm.index)
		}
	}
}

// After runs fn once d of sandbox time has passed.
func (c *Clock) After(d time.Duration, fn func()) (cancel func()) {
	return c.At(c.Now().Add(d), fn)
}

// Pending returns how many timers wait to fire.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// fireDue runs, in time order, every timer whose time has come.
func (c *Clock) fireDue() {
	for {
		c.mu.Lock()
		now := c.nowLocked()
		if len(c.timers) == 0 || c.timers[0].at.After(now) {
			c.mu.Unlock()
			return
		}
		tm := heap.Pop(&c.timers).(*timer)
		c.mu.Unlock()
		tm.fn()
	}
}

// Run fires timers as wall time passes, for running clocks, until ctx
// ends. A frozen clock needs no Run: its timers fire when it is advanced.
func (c *Clock) Run(ctx context.Context) {
	c.mu.Lock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	wake := c.wake
	c.mu.Unlock()
	for {
		c.fireDue()
		wait := time.Hour
		c.mu.Lock()
		if len(c.timers) > 0 && !c.frozen {
			wait = max(c.timers[0].at.Sub(c.nowLocked()), time.Millisecond)
		}
		c.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (c *Clock) poke() {
	c.mu.Lock()
	wake := c.wake
	c.mu.Unlock()
	if wake != nil {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

type timer struct {
	at    time.Time
	seq   uint64 // keeps timers due at the same time in scheduling order
	fn    func()
	index int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
