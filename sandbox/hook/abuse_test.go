package hook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// secretServer stands for an internal service the sandbox can reach and
// its users cannot; it counts the requests that reached it.
func secretServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("internal-secret"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPingDoesNotFollowRedirects(t *testing.T) {
	var hits atomic.Int32
	secret := secretServer(t, &hits)
	redirect := httptest.NewServer(http.RedirectHandler(secret.URL+"/admin", http.StatusFound))
	t.Cleanup(redirect.Close)
	c := clock.Frozen(start)
	bus := &events.Bus{}
	j := journal.New(100, c.Now)
	h := New(c, bus, j, Options{})
	t.Cleanup(h.Close)
	err := h.Configure(context.Background(), "demostore", "k", Config{Filter: feed.Filter{Type: feed.FromWorkflow},
		Hook: Target{URL: redirect.URL}})
	if _, ok := err.(*PingError); !ok || !strings.Contains(err.Error(), "answered 302") {
		t.Fatalf("a ping answered with a redirect saved the hook: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the ping followed the redirect")
	}
	for _, e := range j.Entries(journal.Filter{API: "hook"}) {
		if strings.Contains(e.ResponseBody, "internal-secret") {
			t.Fatalf("the journal shows what the redirect target answered: %+v", e)
		}
	}
}

func TestDeliveryDoesNotFollowRedirects(t *testing.T) {
	var hits atomic.Int32
	secret := secretServer(t, &hits)
	var pinged atomic.Bool
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pinged.CompareAndSwap(false, true) {
			return // the ping: 200
		}
		http.Redirect(w, r, secret.URL, http.StatusFound)
	}))
	t.Cleanup(sub.Close)
	c := clock.Frozen(start)
	bus := &events.Bus{}
	log := events.NewLog(100, bus)
	acct, _ := oms.New(c, bus, 1).AddAccount("demostore", nil)
	h := New(c, bus, journal.New(100, c.Now), Options{})
	t.Cleanup(h.Close)
	if err := h.Configure(context.Background(), "demostore", "k", Config{
		Filter: feed.Filter{Type: feed.FromWorkflow, Status: []string{"ready-for-handling"}},
		Hook:   Target{URL: sub.URL}}); err != nil {
		t.Fatal(err)
	}
	acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}})
	waitFor(t, "the delivery's outcome", func() bool {
		return len(log.Events(events.Filter{Type: Failed}))+len(log.Events(events.Filter{Type: Delivered})) > 0
	})
	if failed := log.Events(events.Filter{Type: Failed}); len(failed) != 1 || failed[0].Data["status"] != http.StatusFound {
		t.Fatalf("a redirected delivery did not fail with 302: %+v", log.Events(events.Filter{Account: "demostore"}))
	}
	if hits.Load() != 0 {
		t.Fatal("the delivery followed the redirect")
	}
}

func TestJournalKeepsAtMost4KiBOfAHookAnswer(t *testing.T) {
	big := strings.Repeat("z", 1<<20)
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(big))
	}))
	t.Cleanup(sub.Close)
	c := clock.Frozen(start)
	j := journal.New(100, c.Now)
	h := New(c, &events.Bus{}, j, Options{})
	t.Cleanup(h.Close)
	if err := h.Configure(context.Background(), "demostore", "k", Config{Filter: feed.Filter{Type: feed.FromWorkflow},
		Hook: Target{URL: sub.URL}}); err != nil {
		t.Fatal(err)
	}
	entries := j.Entries(journal.Filter{API: "hook"})
	if len(entries) != 1 {
		t.Fatalf("%d journal entries", len(entries))
	}
	if e := entries[0]; len(e.ResponseBody) > MaxResponseBody || !e.ResponseBodyTruncated {
		t.Fatalf("journal kept %d bytes of the answer (truncated: %v), want at most %d", len(e.ResponseBody),
			e.ResponseBodyTruncated, MaxResponseBody)
	}
}

func TestASlowFilterInOneAccountDelaysNoOtherAccount(t *testing.T) {
	fx := newFixture(t)
	slow, _ := oms.New(fx.clock, fx.bus, 2).AddAccount("slowstore", nil)
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	fx.hooks.beforeMatch = func(account string) {
		if account == "slowstore" {
			once.Do(func() { close(held); <-release })
		}
	}
	if err := fx.hooks.Configure(context.Background(), "slowstore", "k", Config{
		Filter: feed.Filter{Type: feed.FromOrders, Expression: `$count([1..10000000]) > 0`},
		Hook:   Target{URL: fx.url}}); err != nil {
		t.Fatal(err)
	}
	fx.configure(t, "ready-for-handling")
	item := []oms.NewItem{{ID: "A", Name: "A", Price: 1, Quantity: 1}}
	slowDone := make(chan string)
	go func() {
		id, _ := slow.Create(oms.NewOrder{Items: item})
		slowDone <- id
	}()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("slowstore's filter never ran")
	}
	fastDone := make(chan struct{})
	go func() {
		fx.acct.Create(oms.NewOrder{Items: item})
		close(fastDone)
	}()
	select {
	case <-fastDone:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("an order in demostore waited for slowstore's filter")
	}
	close(release)
	id := <-slowDone
	waitFor(t, "demostore's notification", func() bool { return fx.count(Delivered) == 1 })
	waitFor(t, "the filter-timeout record", func() bool { return fx.count(FilterTimeout) > 0 })
	r := fx.log.Events(events.Filter{Type: FilterTimeout})[0]
	if r.Account != "slowstore" || r.OrderID != id || r.Data["key"] != "k" ||
		!strings.Contains(r.Data["reason"].(string), "took too long") {
		t.Fatalf("filter-timeout event %+v", r)
	}
	if fx.count(Delivered) != 1 || len(fx.sub.notifications()) != 1 {
		t.Fatal("a stopped filter notified")
	}
}
