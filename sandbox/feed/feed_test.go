package feed

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/oms"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type fixture struct {
	clock *clock.Clock
	feeds *Feeds
	acct  *oms.Account
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	c := clock.Frozen(start)
	bus := &events.Bus{}
	store := oms.New(c, bus, 1)
	acct, _ := store.AddAccount("demostore", nil)
	return &fixture{clock: c, feeds: New(c, bus, 1), acct: acct}
}

func intp(n int) *int { return &n }

func workflow(statuses ...string) Config {
	return Config{Filter: Filter{Type: FromWorkflow, Status: statuses},
		Queue: QueueConfig{VisibilityTimeoutInSeconds: intp(250), MessageRetentionPeriodInSeconds: intp(MinRetention)}}
}

func (fx *fixture) order(t testing.TB, status oms.Status) string {
	t.Helper()
	id, err := fx.acct.Create(oms.NewOrder{Status: status, Items: []oms.NewItem{{ID: "A", Name: "A", Price: 100, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func states(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.State)
	}
	return out
}

func TestWorkflowFilterAndItemShape(t *testing.T) {
	fx := newFixture(t)
	if _, err := fx.feeds.Receive("demostore", "k", 10, InOrder); err != ErrNoFeed {
		t.Fatalf("no config: %v", err)
	}
	before := fx.order(t, oms.StatusReadyForHandling) // before the feed: not in it
	if err := fx.feeds.Configure("demostore", "k", workflow("ready-for-handling", "handling")); err != nil {
		t.Fatal(err)
	}
	id := fx.order(t, oms.StatusReadyForHandling)
	fx.clock.Advance(time.Minute)
	if _, err := fx.acct.Fire(id, oms.ActionStartHandling, oms.BySeller); err != nil {
		t.Fatal(err)
	}
	lot, err := fx.feeds.Receive("demostore", "k", 10, InOrder)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ready-for-handling", "handling"}, states(lot)); diff != "" {
		t.Fatalf("states (-want +got):\n%s", diff)
	}
	it := lot[1]
	if it.OrderID != id || it.LastState != "start-handling" || it.Domain != "Fulfillment" || len(it.EventID) != 32 ||
		it.CurrentChange != "2026-03-10T12:01:00.0000000Z" || it.LastChange != "2026-03-10T12:01:00.0000000Z" {
		t.Fatalf("item %+v", it)
	}
	if lot[0].LastChange != "2026-03-10T12:00:00.0000000Z" || lot[0].LastState != "window-to-cancel" {
		t.Fatalf("first item %+v", lot[0])
	}
	for _, it := range lot {
		if it.OrderID == before {
			t.Fatal("an order changed before the feed existed is in it")
		}
	}
}

func TestVisibilityTimeoutRedeliveryAndCommit(t *testing.T) {
	fx := newFixture(t)
	fx.feeds.Configure("demostore", "k", workflow("ready-for-handling"))
	for range 3 {
		fx.order(t, oms.StatusReadyForHandling)
	}
	lot, _ := fx.feeds.Receive("demostore", "k", 2, InOrder)
	if len(lot) != 2 {
		t.Fatalf("maxlot 2: %d items", len(lot))
	}
	rest, _ := fx.feeds.Receive("demostore", "k", 10, InOrder)
	if len(rest) != 1 {
		t.Fatalf("hidden items handed out again: %d", len(rest))
	}
	if n, _ := fx.feeds.Commit("demostore", "k", []string{lot[0].Handle, "not-a-handle"}); n != 1 {
		t.Fatalf("commit deleted %d", n)
	}
	fx.clock.Advance(249 * time.Second)
	if again, _ := fx.feeds.Receive("demostore", "k", 10, InOrder); len(again) != 0 {
		t.Fatalf("visible before the timeout: %d", len(again))
	}
	fx.clock.Advance(time.Second)
	again, _ := fx.feeds.Receive("demostore", "k", 10, InOrder)
	if len(again) != 2 || again[0].EventID != lot[1].EventID || again[0].Handle == lot[1].Handle {
		t.Fatalf("redelivery: %+v", again)
	}
	// The old handle no longer deletes; the new one does.
	if n, _ := fx.feeds.Commit("demostore", "k", []string{lot[1].Handle}); n != 0 {
		t.Fatal("a stale handle deleted an item")
	}
	if n, _ := fx.feeds.Commit("demostore", "k", []string{again[0].Handle, again[1].Handle}); n != 2 {
		t.Fatalf("commit of current handles deleted %d", n)
	}
	if v, _ := fx.feeds.View("demostore", "k"); v.Quantity != 0 {
		t.Fatalf("quantity %d after committing all", v.Quantity)
	}
}

func TestRetentionExpiresItemsThenTheConfig(t *testing.T) {
	fx := newFixture(t)
	fx.feeds.Configure("demostore", "k", workflow("ready-for-handling"))
	fx.order(t, oms.StatusReadyForHandling)
	fx.clock.Advance(24 * time.Hour)
	fx.order(t, oms.StatusReadyForHandling)
	v, _ := fx.feeds.View("demostore", "k")
	if v.Quantity != 2 || v.ApproximateAgeOfOldestMessageInSeconds != 86400 {
		t.Fatalf("view %+v", v)
	}
	fx.clock.Advance(3 * 24 * time.Hour) // the first item is 4 days old
	if lot, _ := fx.feeds.Receive("demostore", "k", 10, InOrder); len(lot) != 1 {
		t.Fatalf("after 4 days: %d items, want the newer one", len(lot))
	}
	fx.clock.Advance(24 * time.Hour) // no event for 4 days: the configuration goes
	if _, err := fx.feeds.View("demostore", "k"); err != ErrNoFeed {
		t.Fatalf("config after 4 quiet days: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	fx := newFixture(t)
	yes := true
	tests := []struct {
		cfg      Config
		conflict bool
		mentions string
	}{
		{Config{Filter: Filter{Type: FromWorkflow, Status: []string{"x"}, Expression: "a"}, Queue: workflow().Queue}, true, "FromWorkflow"},
		{Config{Filter: Filter{Type: FromWorkflow, DisableSingleFire: &yes}, Queue: workflow().Queue}, true, "FromWorkflow"},
		{Config{Filter: Filter{Type: FromOrders, Status: []string{"x"}, Expression: "a"}, Queue: workflow().Queue}, true, "FromOrders"},
		{Config{Filter: Filter{Type: FromOrders}, Queue: workflow().Queue}, false, "expression"},
		{Config{Filter: Filter{Type: FromOrders, Expression: "status = "}, Queue: workflow().Queue}, false, "position"},
		{Config{Filter: Filter{Type: "Everything"}, Queue: workflow().Queue}, false, "filter.type"},
		{Config{Filter: Filter{Type: FromWorkflow}, Queue: QueueConfig{VisibilityTimeoutInSeconds: intp(1)}}, false, "MessageRetentionPeriodInSeconds is required"},
		{Config{Filter: Filter{Type: FromWorkflow}, Queue: QueueConfig{VisibilityTimeoutInSeconds: intp(1), MessageRetentionPeriodInSeconds: intp(100)}}, false, "between 345600"},
		{Config{Filter: Filter{Type: FromWorkflow}, Queue: QueueConfig{VisibilityTimeoutInSeconds: intp(-1), MessageRetentionPeriodInSeconds: intp(MinRetention)}}, false, "visibilityTimeoutInSeconds"},
	}
	for _, tt := range tests {
		err := fx.feeds.Configure("demostore", "k", tt.cfg)
		_, isConflict := err.(*ConflictError)
		if err == nil || isConflict != tt.conflict || !strings.Contains(err.Error(), tt.mentions) {
			t.Errorf("%+v: %v (conflict %v), want mention of %q", tt.cfg.Filter, err, isConflict, tt.mentions)
		}
	}
	if _, err := fx.feeds.Receive("demostore", "k", 11, InOrder); err == nil {
		t.Error("maxlot 11 accepted")
	}
}

func TestOrdersFilterWithJSONata(t *testing.T) {
	fx := newFixture(t)
	no, yes := false, true
	cfg := Config{Filter: Filter{Type: FromOrders, Expression: `status = "handling" or $count(packageAttachment.packages) > 0`, DisableSingleFire: &no},
		Queue: workflow().Queue}
	fx.feeds.Configure("demostore", "single", cfg)
	cfg.Filter.DisableSingleFire = &yes
	fx.feeds.Configure("demostore", "every", cfg)
	id := fx.order(t, oms.StatusHandling)
	if _, err := fx.acct.Invoice(id, oms.InvoiceRequest{Type: "Output", IssuanceDate: "2026-03-10", InvoiceNumber: "1",
		InvoiceValue: 1690, Items: []oms.InvoiceItem{{ID: "A", Price: 100, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	single, _ := fx.feeds.Receive("demostore", "single", 10, InOrder)
	every, _ := fx.feeds.Receive("demostore", "every", 10, InOrder)
	if len(single) != 1 || single[0].State != "handling" {
		t.Fatalf("single fire: %v", states(single))
	}
	// handling, then the invoice itself (state stays handling), invoice, invoiced.
	if diff := cmp.Diff([]string{"handling", "handling", "invoice", "invoiced"}, states(every)); diff != "" {
		t.Fatalf("disableSingleFire (-want +got):\n%s", diff)
	}
}

func TestFaultModes(t *testing.T) {
	fx := newFixture(t)
	fx.feeds.Configure("demostore", "k", workflow("ready-for-handling", "handling"))
	id := fx.order(t, oms.StatusReadyForHandling)
	fx.acct.Fire(id, oms.ActionStartHandling, oms.BySeller)
	lot, _ := fx.feeds.Receive("demostore", "k", 10, Reordered)
	if diff := cmp.Diff([]string{"handling", "ready-for-handling"}, states(lot)); diff != "" {
		t.Fatalf("reordered (-want +got):\n%s", diff)
	}
	fx.clock.Advance(time.Hour)
	lot, _ = fx.feeds.Receive("demostore", "k", 10, Duplicated)
	if len(lot) != 4 || lot[0].EventID != lot[2].EventID || lot[0].Handle == lot[2].Handle {
		t.Fatalf("duplicated: %+v", lot)
	}
	var handles []string
	for _, it := range lot {
		handles = append(handles, it.Handle)
	}
	if n, _ := fx.feeds.Commit("demostore", "k", handles); n != 4 {
		t.Fatalf("each copy needs its commit: %d deleted", n)
	}
}

// Four consumers poll and commit one feed while 2,000 orders change
// status: every event arrives, none is lost, none stays uncommitted.
func TestConcurrentConsumersLoseNothing(t *testing.T) {
	fx := newFixture(t)
	fx.feeds.Configure("demostore", "k", workflow("ready-for-handling"))
	const orders = 2000
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lot, err := fx.feeds.Receive("demostore", "k", 10, InOrder)
				if err != nil {
					t.Error(err)
					return
				}
				var handles []string
				mu.Lock()
				for _, it := range lot {
					seen[it.OrderID]++
					handles = append(handles, it.Handle)
				}
				mu.Unlock()
				fx.feeds.Commit("demostore", "k", handles)
				if len(lot) == 0 {
					select {
					case <-done:
						return
					default:
					}
				}
			}
		}()
	}
	var producers sync.WaitGroup
	for p := range 4 {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for i := range orders / 4 {
				if _, err := fx.acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: fmt.Sprint(p, i), Name: "x", Price: 1, Quantity: 1}}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	producers.Wait()
	close(done)
	wg.Wait()
	// Anything left (committed after the consumers saw done) is drained.
	for {
		lot, _ := fx.feeds.Receive("demostore", "k", 10, InOrder)
		if len(lot) == 0 {
			break
		}
		var handles []string
		for _, it := range lot {
			seen[it.OrderID]++
			handles = append(handles, it.Handle)
		}
		fx.feeds.Commit("demostore", "k", handles)
	}
	if len(seen) != orders {
		t.Fatalf("%d orders seen, want %d", len(seen), orders)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("order %s delivered %d times without a timeout or fault", id, n)
		}
	}
	if v, _ := fx.feeds.View("demostore", "k"); v.Quantity != 0 {
		t.Fatalf("%d items left uncommitted", v.Quantity)
	}
}

// BenchmarkFeedReceiveCommit reads a lot of 10 and commits it, with 1,000
// items waiting: the integrator's polling loop on the sandbox side.
func BenchmarkFeedReceiveCommit(b *testing.B) {
	fx := newFixture(b)
	fx.feeds.Configure("demostore", "k", workflow("ready-for-handling"))
	refill := func() {
		for range 1000 {
			fx.order(b, oms.StatusReadyForHandling)
		}
	}
	refill()
	b.ReportAllocs()
	handles := make([]string, 0, 10)
	for b.Loop() {
		lot, err := fx.feeds.Receive("demostore", "k", 10, InOrder)
		if err != nil {
			b.Fatal(err)
		}
		if len(lot) == 0 {
			b.StopTimer()
			refill()
			b.StartTimer()
			continue
		}
		handles = handles[:0]
		for _, it := range lot {
			handles = append(handles, it.Handle)
		}
		if n, _ := fx.feeds.Commit("demostore", "k", handles); n != len(lot) {
			b.Fatalf("committed %d of %d", n, len(lot))
		}
	}
}
