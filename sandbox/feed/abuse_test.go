package feed

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// slowFilter runs until the evaluation deadline stops it.
const slowFilter = `$count([1..10000000]) > 0`

func TestASlowFilterInOneAccountDelaysNoOtherAccount(t *testing.T) {
	c := clock.Frozen(start)
	bus := &events.Bus{}
	log := events.NewLog(1000, bus)
	store := oms.New(c, bus, 1)
	slow, _ := store.AddAccount("slowstore", nil)
	fast, _ := store.AddAccount("faststore", nil)
	feeds := New(c, bus, 1)
	// The first evaluation in slowstore stays blocked until the test
	// lets it go: faststore's order must be created meanwhile.
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	feeds.beforeMatch = func(account string) {
		if account == "slowstore" {
			once.Do(func() { close(held); <-release })
		}
	}
	cfg := workflow()
	cfg.Filter = Filter{Type: FromOrders, Expression: slowFilter}
	if err := feeds.Configure("slowstore", "k", cfg); err != nil {
		t.Fatal(err)
	}
	if err := feeds.Configure("faststore", "k", workflow("ready-for-handling")); err != nil {
		t.Fatal(err)
	}
	item := []oms.NewItem{{ID: "A", Name: "A", Price: 100, Quantity: 1}}
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
		fast.Create(oms.NewOrder{Status: oms.StatusReadyForHandling, Items: item})
		close(fastDone)
	}()
	select {
	case <-fastDone:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("an order in faststore waited for slowstore's filter")
	}
	close(release)
	id := <-slowDone
	if lot, _ := feeds.Receive("faststore", "k", 10, InOrder); len(lot) != 1 {
		t.Fatalf("faststore's feed holds %v", lot)
	}
	if lot, _ := feeds.Receive("slowstore", "k", 10, InOrder); len(lot) != 0 {
		t.Fatalf("a stopped filter let %v in", lot)
	}
	// Each of the order's events was evaluated and stopped; the records
	// are published after the event that caused them.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var recs []events.Event
	for len(recs) == 0 {
		select {
		case <-deadline:
			t.Fatal("no feed.filter-timeout event")
		case <-tick.C:
			recs = log.Events(events.Filter{Type: FilterTimeout})
		}
	}
	r := recs[0]
	if r.Account != "slowstore" || r.OrderID != id || r.Data["appKey"] != "k" ||
		!strings.Contains(r.Data["reason"].(string), "took too long") {
		t.Fatalf("filter-timeout event %+v", r)
	}
}

func TestLongExpressionsAreRefused(t *testing.T) {
	fx := newFixture(t)
	cfg := workflow()
	cfg.Filter = Filter{Type: FromOrders, Expression: `status = "` + strings.Repeat("x", MaxExpression) + `"`}
	err := fx.feeds.Configure("demostore", "k", cfg)
	if err == nil || !strings.HasPrefix(err.Error(), "filter.expression") {
		t.Fatalf("a %d-byte expression: %v", len(cfg.Filter.Expression), err)
	}
	cfg.Filter.Expression = `status = "` + strings.Repeat("x", MaxExpression-20) + `"`
	if err := fx.feeds.Configure("demostore", "k", cfg); err != nil {
		t.Fatalf("a %d-byte expression: %v", len(cfg.Filter.Expression), err)
	}
}
