package hook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

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
