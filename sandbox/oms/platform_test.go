package oms

import (
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

func statusOf(t *testing.T, a *Account, id string) Status {
	t.Helper()
	var s Status
	if err := a.Read(id, func(o *Order) error { s = o.Status; return nil }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPlatformTimersRunOnTheSandboxClock(t *testing.T) {
	c := clock.Frozen(start)
	s := New(c, &events.Bus{}, 1)
	s.SetPlatformDelays(PlatformDelays{PaymentApproval: 2 * time.Minute, WindowToCancel: 30 * time.Minute})
	a, _ := s.AddAccount("demostore", nil)

	id, err := a.Create(camiseta())
	if err != nil {
		t.Fatal(err)
	}
	b2w := camiseta()
	b2w.Channel = ChannelB2W
	b2wID, _ := a.Create(b2w)
	canceled, _ := a.Create(camiseta())
	seeded := camiseta()
	seeded.CreatedAt = start.Add(-time.Hour) // seed orders are not held back
	seededID, _ := a.Create(seeded)

	steps := []struct {
		advance     time.Duration
		vtex, b2wSt Status
	}{
		{0, StatusPaymentPending, StatusWaitingFfmtAuthorization},
		{119 * time.Second, StatusPaymentPending, StatusWaitingFfmtAuthorization},
		{time.Second, StatusWindowToCancel, StatusWindowToCancel},
		{29 * time.Minute, StatusWindowToCancel, StatusWindowToCancel},
		{time.Minute, StatusReadyForHandling, StatusReadyForHandling},
	}
	for i, st := range steps {
		if i == 1 {
			if _, err := a.Fire(canceled, ActionCancel, BySeller); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Advance(st.advance); err != nil {
			t.Fatal(err)
		}
		if got := statusOf(t, a, id); got != st.vtex {
			t.Fatalf("step %d: vtex order %s, want %s", i, got, st.vtex)
		}
		if got := statusOf(t, a, b2wID); got != st.b2wSt {
			t.Fatalf("step %d: b2w order %s, want %s", i, got, st.b2wSt)
		}
	}
	if got := statusOf(t, a, canceled); got != StatusCanceled {
		t.Errorf("canceled order moved on to %s", got)
	}
	if got := statusOf(t, a, seededID); got != StatusReadyForHandling {
		t.Errorf("seed order held back in %s", got)
	}
	if c.Pending() != 0 {
		t.Errorf("%d timers left", c.Pending())
	}
}

func TestResetDropsPendingPlatformSteps(t *testing.T) {
	c := clock.Frozen(start)
	s := New(c, &events.Bus{}, 1)
	s.SetPlatformDelays(PlatformDelays{PaymentApproval: time.Minute})
	a, _ := s.AddAccount("demostore", nil)
	id, _ := a.Create(camiseta())
	if err := a.Reset(); err != nil {
		t.Fatal(err)
	}
	// Ids never repeat after a reset; the old timer must neither bring
	// the old order back nor move the new one.
	n := camiseta()
	n.Status = StatusPaymentPending
	again, _ := a.Create(n)
	if again == id {
		t.Fatalf("an order created after the reset took the id %s of one before it", id)
	}
	_, _ = c.Advance(time.Hour)
	if got := statusOf(t, a, again); got != StatusPaymentPending {
		t.Fatalf("a timer from before the reset moved the new order to %s", got)
	}
	if a.Read(id, func(*Order) error { return nil }) == nil {
		t.Fatalf("a timer from before the reset brought order %s back", id)
	}
}
