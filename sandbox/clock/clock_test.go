package clock

import (
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
