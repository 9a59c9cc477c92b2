package hook

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/oms"
)

func TestSavingTheHookAgainKeepsItsPendingRetries(t *testing.T) {
	fx := newFixture(t, 200, 500) // the ping passes, the delivery fails
	fx.configure(t, "ready-for-handling")
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the failure", func() bool { return fx.count(Failed) == 1 })
	fx.configure(t, "ready-for-handling") // the same configuration, saved again
	fx.clock.Advance(FirstRetry)
	waitFor(t, "the retry's delivery", func() bool { return fx.count(Delivered) == 1 })
	if n := fx.sub.notifications(); len(n) != 2 || n[0] != n[1] {
		t.Fatalf("notifications %v", n)
	}
}

func TestANewURLTakesThePendingRetries(t *testing.T) {
	fx := newFixture(t, 200, 500)
	fx.configure(t, "ready-for-handling")
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the failure", func() bool { return fx.count(Failed) == 1 })
	moved := &subscriber{received: make(chan struct{}, 100)}
	srv := httptest.NewServer(moved)
	t.Cleanup(srv.Close)
	if err := fx.hooks.Configure(context.Background(), "demostore", "appkey-1", Config{
		Filter: feed.Filter{Type: feed.FromWorkflow, Status: []string{"ready-for-handling"}},
		Hook:   Target{URL: srv.URL + "/moved"}}); err != nil {
		t.Fatal(err)
	}
	fx.clock.Advance(FirstRetry)
	waitFor(t, "the retry's delivery", func() bool { return fx.count(Delivered) == 1 })
	if len(moved.notifications()) != 1 || len(fx.sub.notifications()) != 1 {
		t.Fatalf("the retry went to the old URL: old %d, new %d", len(fx.sub.notifications()), len(moved.notifications()))
	}
	if got := fx.log.Events(events.Filter{Type: Delivered})[0].Data["url"]; got != srv.URL+"/moved" {
		t.Fatalf("delivered to %v", got)
	}
}

func TestAClockLeapMakesEveryMissedAttemptBeforeGivingUp(t *testing.T) {
	answers := []int{200} // the ping
	for range 2 * MaxAttempts {
		answers = append(answers, 500)
	}
	fx := newFixture(t, answers...)
	fx.configure(t, "ready-for-handling")
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the first failure", func() bool { return fx.count(Failed) == 1 })
	fx.clock.Advance(GiveUpAfter)
	waitFor(t, "the notification to be abandoned", func() bool { return fx.count(Abandoned) == 1 })
	// 10 s doubling to an hour reaches MaxAttempts before 4 days: each
	// scheduled attempt was made, in order, each one at its due time.
	if n := len(fx.sub.notifications()); n != MaxAttempts {
		t.Fatalf("%d attempts, want %d", n, MaxAttempts)
	}
	failed := fx.log.Events(events.Filter{Type: Failed})
	if len(failed) != MaxAttempts-1 {
		t.Fatalf("%d failures recorded", len(failed))
	}
	var last time.Time
	for i, e := range failed {
		due, _ := time.Parse(time.RFC3339Nano, e.Data["due"].(string))
		if e.Data["attempt"] != i+1 || !due.After(last) {
			t.Fatalf("failure %d: attempt %v due %v after %v", i, e.Data["attempt"], due, last)
		}
		last = due
	}
	if a := fx.log.Events(events.Filter{Type: Abandoned})[0]; a.Data["attempt"] != MaxAttempts {
		t.Fatalf("abandoned at attempt %v", a.Data["attempt"])
	}
}
