package clock

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestFrozenClockMovesOnlyWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	c := Frozen(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %s, want %s", got, start)
	}
	got, err := c.Advance(90 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(90 * time.Second); !got.Equal(want) || !c.Now().Equal(want) {
		t.Fatalf("after Advance: %s / %s, want %s", got, c.Now(), want)
	}
}

func TestClockNeverGoesBackwards(t *testing.T) {
	start := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, c := range []*Clock{Frozen(start), New()} {
		now := c.Now()
		if _, err := c.Advance(-time.Second); err == nil {
			t.Errorf("Advance(-1s) accepted")
		}
		if _, err := c.Set(now.Add(-time.Hour)); err == nil {
			t.Errorf("Set(earlier) accepted")
		}
		later := now.Add(24 * time.Hour)
		got, err := c.Set(later)
		if err != nil {
			t.Fatal(err)
		}
		if got.Before(later) {
			t.Errorf("Set(%s) = %s", later, got)
		}
	}
}

func TestRunningClockFollowsWallClockWithOffset(t *testing.T) {
	wall := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &Clock{wall: func() time.Time { return wall }}
	if _, err := c.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	wall = wall.Add(time.Minute)
	if got, want := c.Now(), wall.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("Now() = %s, want %s", got, want)
	}
	// A wall clock stepping back does not move sandbox time back.
	wall = wall.Add(-10 * time.Minute)
	if got, want := c.Now(), wall.Add(10*time.Minute+time.Hour); !got.Equal(want) {
		t.Fatalf("Now() after wall step back = %s, want %s", got, want)
	}
}

func TestTimersFireInOrderWhenTimePasses(t *testing.T) {
	start := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	c := Frozen(start)
	var fired []string
	c.After(2*time.Minute, func() { fired = append(fired, "2m") })
	c.After(time.Minute, func() {
		fired = append(fired, "1m")
		// A timer may schedule another, due within the same advance.
		c.After(30*time.Second, func() { fired = append(fired, "1m30s") })
	})
	cancel := c.After(90*time.Second, func() { fired = append(fired, "canceled") })
	cancel()
	c.After(time.Hour, func() { fired = append(fired, "1h") })

	if _, err := c.Advance(59 * time.Second); err != nil || len(fired) != 0 {
		t.Fatalf("fired early: %v", fired)
	}
	if _, err := c.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1m", "1m30s", "2m"}; len(fired) != 3 || fired[0] != want[0] || fired[1] != want[1] || fired[2] != want[2] {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	if c.Pending() != 1 {
		t.Fatalf("%d timers pending, want 1", c.Pending())
	}
	if _, err := c.Set(start.Add(2 * time.Hour)); err != nil || len(fired) != 4 {
		t.Fatalf("Set past the last timer: %v %v", fired, err)
	}
}

func TestRunFiresTimersOfARunningClock(t *testing.T) {
	c := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	done := make(chan struct{})
	c.After(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("timer of a running clock did not fire within 10s")
	}
}

func TestClockRefusesTimesPastLatest(t *testing.T) {
	for _, c := range []*Clock{Frozen(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), New()} {
		before := c.Now()
		if _, err := c.Set(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)); !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("set to 9999: %v", err)
		}
		if _, err := c.Advance(time.Duration(math.MaxInt64)); !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("advance by the largest duration: %v", err)
		}
		if now := c.Now(); now.Year() != before.Year() {
			t.Fatalf("a refused move changed the time to %s", now)
		}
		// Up to the bound is fine, and advances still work afterwards.
		if got, err := c.Set(Latest.Add(-time.Hour)); err != nil || !got.Equal(Latest.Add(-time.Hour)) && c.IsFrozen() {
			t.Fatalf("set just before Latest: %s %v", got, err)
		}
		if _, err := c.Advance(time.Minute); err != nil {
			t.Fatalf("a small advance after a big set: %v", err)
		}
	}
}
