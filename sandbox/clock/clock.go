// Package clock owns the sandbox's notion of time. Every timestamp the
// sandbox writes and every timer it runs (payment approval, feed visibility,
// hook retries) reads one Clock, so tests move time forward instead of
// sleeping. Time never goes backwards.
package clock

import (
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

// Advance moves the clock forward by d and returns the new time. A negative
// d is refused: sandbox time never goes backwards.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance by %s: sandbox time never goes backwards", d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.now = c.nowLocked().Add(d)
	} else {
		c.offset += d
	}
	return c.nowLocked(), nil
}

// Set moves the clock to t, which must not be before the current time.
func (c *Clock) Set(t time.Time) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	if t.Before(now) {
		return time.Time{}, fmt.Errorf("set to %s: it is before the sandbox time %s, and sandbox time never goes backwards",
			t.UTC().Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	if c.frozen {
		c.now = t.UTC()
	} else {
		c.offset += t.Sub(now)
	}
	return c.nowLocked(), nil
}
