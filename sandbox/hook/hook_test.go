package hook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// subscriber is a hook endpoint that answers with the statuses it is
// told, one per request (200 once they run out), and keeps what it got.
type subscriber struct {
	mu       sync.Mutex
	answers  []int
	bodies   []string
	headers  []http.Header
	received chan struct{}
}

func (s *subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	status := 200
	if len(s.answers) > 0 {
		status, s.answers = s.answers[0], s.answers[1:]
	}
	s.bodies = append(s.bodies, string(b))
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()
	w.WriteHeader(status)
	select {
	case s.received <- struct{}{}:
	default:
	}
}

func (s *subscriber) notifications() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, b := range s.bodies {
		if !strings.Contains(b, "hookConfig") {
			out = append(out, b)
		}
	}
	return out
}

type fixture struct {
	clock *clock.Clock
	bus   *events.Bus
	hooks *Hooks
	acct  *oms.Account
	sub   *subscriber
	url   string
	log   *events.Log
}

func newFixture(t *testing.T, answers ...int) *fixture {
	t.Helper()
	c := clock.Frozen(start)
	bus := &events.Bus{}
	store := oms.New(c, bus, 1)
	acct, _ := store.AddAccount("demostore", nil)
	sub := &subscriber{answers: answers, received: make(chan struct{}, 100)}
	srv := httptest.NewServer(sub)
	t.Cleanup(srv.Close)
	fx := &fixture{clock: c, bus: bus, acct: acct, sub: sub, url: srv.URL + "/vtex/hook",
		log: events.NewLog(1000, bus)}
	fx.hooks = New(c, bus, journal.New(100, c.Now), Options{Timeout: 2 * time.Second})
	t.Cleanup(fx.hooks.Close)
	return fx
}

func (fx *fixture) configure(t *testing.T, statuses ...string) {
	t.Helper()
	err := fx.hooks.Configure(context.Background(), "demostore", "appkey-1", Config{
		Filter: feed.Filter{Type: feed.FromWorkflow, Status: statuses},
		Hook:   Target{URL: fx.url, Headers: map[string]string{"X-Shared-Secret": "s3cr3t"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

func (fx *fixture) count(kind string) int {
	return len(fx.log.Events(events.Filter{Type: kind}))
}

func TestPingDecidesTheSave(t *testing.T) {
	fx := newFixture(t, 500)
	err := fx.hooks.Configure(context.Background(), "demostore", "k", Config{Filter: feed.Filter{Type: feed.FromWorkflow},
		Hook: Target{URL: fx.url}})
	if _, ok := err.(*PingError); !ok || !strings.Contains(err.Error(), "answered 500") {
		t.Fatalf("failed ping: %v", err)
	}
	if _, err := fx.hooks.Get("demostore", "k"); err != ErrNoHook {
		t.Fatal("a hook whose ping failed was saved")
	}
	if fx.sub.bodies[0] != `{"hookConfig":"ping"}` {
		t.Fatalf("ping body %q", fx.sub.bodies[0])
	}
	for _, bad := range []string{"", "ftp://x", "not a url", "/relative"} {
		if err := fx.hooks.Configure(context.Background(), "demostore", "k", Config{Filter: feed.Filter{Type: feed.FromWorkflow},
			Hook: Target{URL: bad}}); err == nil || !strings.Contains(err.Error(), "hook.url") {
			t.Errorf("url %q: %v", bad, err)
		}
	}
	fx.configure(t)
	if cfg, err := fx.hooks.Get("demostore", "appkey-1"); err != nil || cfg.Hook.URL != fx.url {
		t.Fatalf("saved hook: %+v %v", cfg, err)
	}
}

func TestNotificationsCarryVTEXsShapeAndHeaders(t *testing.T) {
	fx := newFixture(t)
	fx.configure(t, "ready-for-handling", "handling")
	id, _ := fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	fx.acct.Fire(id, oms.ActionStartHandling, oms.BySeller)
	waitFor(t, "two notifications", func() bool { return len(fx.sub.notifications()) == 2 })
	got := map[string]Notification{}
	for _, b := range fx.sub.notifications() {
		var n Notification
		if err := json.Unmarshal([]byte(b), &n); err != nil {
			t.Fatal(err)
		}
		got[n.State] = n
	}
	n := got["handling"]
	if n.OrderID != id || n.LastState != "start-handling" || n.Domain != "Fulfillment" ||
		n.Origin != (Origin{Account: "demostore", Key: "appkey-1"}) || n.CurrentChange != "2026-03-10T12:00:00.0000000Z" {
		t.Fatalf("notification %+v", n)
	}
	fx.sub.mu.Lock()
	h := fx.sub.headers[len(fx.sub.headers)-1]
	fx.sub.mu.Unlock()
	if h.Get("X-Shared-Secret") != "s3cr3t" || h.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", h)
	}
	waitFor(t, "delivery events", func() bool { return fx.count(Delivered) == 2 })
}

func TestFailedDeliveriesAreRetriedOnTheSandboxClock(t *testing.T) {
	fx := newFixture(t, 200, 503, 500) // the ping passes, then two failures
	fx.configure(t, "ready-for-handling")
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the first failure", func() bool { return fx.count(Failed) == 1 })
	if fx.clock.Pending() != 1 {
		t.Fatalf("%d retries scheduled", fx.clock.Pending())
	}
	fx.clock.Advance(FirstRetry - time.Second)
	if fx.count(Failed) != 1 || len(fx.sub.notifications()) != 1 {
		t.Fatal("retried before its time")
	}
	fx.clock.Advance(time.Second)
	waitFor(t, "the second failure", func() bool { return fx.count(Failed) == 2 })
	fx.clock.Advance(2 * FirstRetry) // the interval doubles
	waitFor(t, "the delivery", func() bool { return fx.count(Delivered) == 1 })
	bodies := fx.sub.notifications()
	if len(bodies) != 3 || bodies[0] != bodies[2] {
		t.Fatalf("the retries did not resend the same notification: %v", bodies)
	}
	evs := fx.log.Events(events.Filter{Type: Failed})
	if evs[0].Data["retryIn"] != "10s" || evs[1].Data["retryIn"] != "20s" {
		t.Fatalf("intervals: %v, %v", evs[0].Data["retryIn"], evs[1].Data["retryIn"])
	}
}

func TestDeletedHookStopsDelivering(t *testing.T) {
	fx := newFixture(t, 200, 500)
	fx.configure(t, "ready-for-handling")
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the failure", func() bool { return fx.count(Failed) == 1 })
	if err := fx.hooks.Delete("demostore", "appkey-1"); err != nil {
		t.Fatal(err)
	}
	fx.clock.Advance(time.Hour)
	fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	fx.hooks.Close() // waits for the workers: nothing is in flight after it
	if n := len(fx.sub.notifications()); n != 1 {
		t.Fatalf("%d notifications after the hook was deleted", n)
	}
	if err := fx.hooks.Delete("demostore", "appkey-1"); err != ErrNoHook {
		t.Fatalf("second delete: %v", err)
	}
}
