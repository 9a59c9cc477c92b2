package oms

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newAccount(t *testing.T, name string) (*Account, *[]events.Event) {
	t.Helper()
	bus := &events.Bus{}
	var mu sync.Mutex
	var got []events.Event
	bus.Subscribe(func(e events.Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	s := New(clock.Frozen(start), bus, 42)
	a, err := s.AddAccount(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, &got
}

func camiseta() NewOrder {
	return NewOrder{Items: []NewItem{{ID: "SKU-1", Name: "Camiseta", Price: 4990, Quantity: 2}}}
}

func TestCreateWalksEveryStatusAndPublishesEachStep(t *testing.T) {
	a, got := newAccount(t, "demostore")
	id, err := a.Create(camiseta())
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range *got {
		if e.OrderID != id || e.Account != "demostore" {
			t.Errorf("event for %s/%s", e.Account, e.OrderID)
		}
		steps = append(steps, e.Type+":"+e.From+">"+e.To)
	}
	want := []string{
		"order.created:>order-created",
		"order.status-changed:order-created>on-order-completed",
		"order.status-changed:on-order-completed>waiting-for-authorization",
		"order.status-changed:waiting-for-authorization>payment-pending",
		"order.status-changed:payment-pending>payment-approved",
		"order.status-changed:payment-approved>window-to-cancel",
		"order.status-changed:window-to-cancel>ready-for-handling",
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	for i := 1; i < len(*got); i++ {
		if (*got)[i].Seq <= (*got)[i-1].Seq {
			t.Fatalf("event seq not increasing: %d after %d", (*got)[i].Seq, (*got)[i-1].Seq)
		}
	}
}

func TestCreatedOrderLooksLikeVTEXs(t *testing.T) {
	a, _ := newAccount(t, "demostore")
	id, err := a.Create(camiseta())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{13}-01$`).MatchString(id) {
		t.Errorf("order id %q is not shaped like 1172452900788-01", id)
	}
	err = a.Read(id, func(o *Order) error {
		if o.OrderGroup+"-01" != id || !regexp.MustCompile(`^\d{6}$`).MatchString(o.Sequence) {
			t.Errorf("orderGroup %q sequence %q", o.OrderGroup, o.Sequence)
		}
		if o.Value != 2*4990+1590 || o.Totals[0].Value != 9980 || o.Totals[2].Value != 1590 {
			t.Errorf("value %d totals %+v", o.Value, o.Totals)
		}
		if o.Status != StatusReadyForHandling || o.StatusDescription != "Pronto para o manuseio" || !o.AllowCancellation {
			t.Errorf("status %s %q allowCancellation %v", o.Status, o.StatusDescription, o.AllowCancellation)
		}
		if o.AuthorizedDate == nil || o.PaymentData.Transactions[0].Payments[0].Value != o.Value {
			t.Errorf("payment not approved for the order value")
		}
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if !regexp.MustCompile(`"creationDate":"2026-03-10T12:00:00\.0000000\+00:00"`).Match(b) {
			t.Errorf("creationDate not in VTEX's layout: %s", b[:400])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var seq string
	_ = a.Read(id, func(o *Order) error { seq = o.Sequence; return nil })
	if err := a.Read("seq"+seq, func(o *Order) error {
		if o.OrderID != id {
			t.Errorf("seq%s found %s", seq, o.OrderID)
		}
		return nil
	}); err != nil {
		t.Errorf("read by seq: %v", err)
	}
}

func TestSameSeedSameOrders(t *testing.T) {
	ids := func() []string {
		a, _ := newAccount(t, "demostore")
		var out []string
		for range 3 {
			id, err := a.Create(camiseta())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	if first, second := ids(), ids(); !cmp.Equal(first, second) {
		t.Fatalf("same seed gave %v then %v", first, second)
	}
	other, _ := newAccount(t, "otherstore")
	id, _ := other.Create(camiseta())
	if id == ids()[0] {
		t.Fatal("two accounts drew the same order id")
	}
}

func TestCreateRefusesBadOrdersAndKeepsNothing(t *testing.T) {
	tests := map[string]struct {
		n    NewOrder
		want string
	}{
		"no items":                {NewOrder{}, "items must list at least one item"},
		"zero quantity":           {NewOrder{Items: []NewItem{{ID: "A", Name: "A", Price: 1}}}, "items[0].quantity must be at least 1"},
		"free item":               {NewOrder{Items: []NewItem{{ID: "A", Name: "A", Quantity: 1}}}, "items[0].price must be a positive number of cents"},
		"bad channel":             {NewOrder{Channel: "shopee", Items: camiseta().Items}, `channel must be vtex or b2w, not "shopee"`},
		"bad shipping":            {NewOrder{Channel: "b2w", Shipping: "drone", Items: camiseta().Items}, `shipping must be direct or correios for a b2w order, not "drone"`},
		"transient":               {NewOrder{Status: "start-handling", Items: camiseta().Items}, `status "start-handling" is transient`},
		"unknown status":          {NewOrder{Status: "shipped", Items: camiseta().Items}, `status "shipped" is not one the sandbox can create an order in`},
		"not modelled":            {NewOrder{Status: "replaced", Items: camiseta().Items}, `status "replaced" is not one the sandbox can create an order in`},
		"bad cpf":                 {NewOrder{Customer: &Customer{Document: "12345678900"}, Items: camiseta().Items}, `customer.document "12345678900" is not a valid CPF`},
		"invoiced needs invoices": {NewOrder{Status: "invoiced", Items: camiseta().Items}, "output invoices total 0"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, got := newAccount(t, "demostore")
			_, err := a.Create(tt.n)
			if err == nil || !regexp.MustCompile(regexp.QuoteMeta(tt.want)).MatchString(err.Error()) {
				t.Fatalf("Create error = %v, want %q", err, tt.want)
			}
			if a.Len() != 0 || len(*got) != 0 {
				t.Fatalf("refused order left %d orders and %d events", a.Len(), len(*got))
			}
		})
	}
}

func TestB2WOrdersFollowTheSellerFlow(t *testing.T) {
	a, got := newAccount(t, "demostore")
	n := camiseta()
	n.Channel = ChannelB2W
	id, err := a.Create(n)
	if err != nil {
		t.Fatal(err)
	}
	if (*got)[0].To != string(StatusOrderAccepted) {
		t.Errorf("b2w order created in %s, want order-accepted", (*got)[0].To)
	}
	_ = a.Read(id, func(o *Order) error {
		if o.Shipping() != ShippingDirect || o.AffiliateID != "B2W" || !regexp.MustCompile(`^Lojas Americanas-\d{12}$`).MatchString(o.MarketplaceOrderID) {
			t.Errorf("b2w order: shipping %q affiliate %q marketplaceOrderId %q", o.Shipping(), o.AffiliateID, o.MarketplaceOrderID)
		}
		return nil
	})
}

func TestFireAndAdvance(t *testing.T) {
	a, _ := newAccount(t, "demostore")
	n := camiseta()
	n.Status = StatusPaymentPending
	id, err := a.Create(n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Fire(id, ActionStartHandling, BySeller); err == nil {
		t.Fatal("start-handling accepted in payment-pending")
	}
	if _, err := a.Advance(id, StatusHandling); err == nil {
		t.Fatal("the platform advanced an order into handling")
	}
	changes, err := a.Advance(id, StatusReadyForHandling)
	if err != nil || len(changes) != 3 {
		t.Fatalf("Advance: %v %v", changes, err)
	}
	if _, err := a.Fire(id, ActionStartHandling, BySeller); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Fire("nope-01", ActionStartHandling, BySeller); err == nil {
		t.Fatal("unknown order accepted")
	} else if e, _ := AsError(err); e.Kind != KindNotFound || e.Code != "OMS007" {
		t.Fatalf("unknown order: %#v", e)
	}
}

func TestListFiltersSortsAndPages(t *testing.T) {
	a, _ := newAccount(t, "demostore")
	c := clock.Frozen(start)
	a.oms.clock = c
	var ids []string
	for i, st := range []Status{StatusReadyForHandling, StatusHandling, StatusReadyForHandling, StatusCanceled} {
		n := camiseta()
		n.Status = st
		n.Items[0].Quantity = i + 1
		n.Customer = &Customer{FirstName: fmt.Sprint("Cliente", i), Email: fmt.Sprintf("c%d@example.com.br", i)}
		id, err := a.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		_, _ = c.Advance(time.Hour)
	}
	got := func(l OrderList) []string {
		var out []string
		for _, s := range l.List {
			out = append(out, s.OrderID)
		}
		return out
	}
	l := a.List(Query{Statuses: []Status{StatusReadyForHandling}})
	if diff := cmp.Diff([]string{ids[2], ids[0]}, got(l)); diff != "" {
		t.Errorf("f_status, default newest first (-want +got):\n%s", diff)
	}
	l = a.List(Query{OrderBy: OrderByCreationDate, PerPage: 3, Page: 2})
	if diff := cmp.Diff([]string{ids[3]}, got(l)); diff != "" || l.Paging != (Paging{Total: 4, Pages: 2, CurrentPage: 2, PerPage: 3}) {
		t.Errorf("page 2 of 3: %v %+v", got(l), l.Paging)
	}
	l = a.List(Query{Text: "c1@EXAMPLE"})
	if diff := cmp.Diff([]string{ids[1]}, got(l)); diff != "" {
		t.Errorf("q by email: %v", got(l))
	}
	l = a.List(Query{CreatedFrom: start.Add(30 * time.Minute), CreatedTo: start.Add(2*time.Hour + time.Minute)})
	if len(l.List) != 2 {
		t.Errorf("creationDate range: %v", got(l))
	}
	l = a.List(Query{OrderBy: OrderByItems, Desc: true})
	if l.List[0].OrderID != ids[3] || l.List[0].TotalItems != 4 || l.List[0].Items != nil {
		t.Errorf("orderBy items desc: %v", got(l))
	}
	s := l.Stats.Stats.TotalItems
	if s.Count != 4 || s.Sum != 10 || s.Min != 1 || s.Max != 4 || s.Mean != 2.5 || s.Facets.Origin.Marketplace.Count != 4 {
		t.Errorf("stats: %+v", s)
	}
}

func TestConcurrentCreateAndRead(t *testing.T) {
	a, _ := newAccount(t, "demostore")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				id, err := a.Create(camiseta())
				if err != nil {
					t.Error(err)
					return
				}
				_ = a.Read(id, func(o *Order) error { _, err := json.Marshal(o); return err })
				_ = a.List(Query{})
				if _, err := a.Fire(id, ActionStartHandling, BySeller); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if a.Len() != 100 {
		t.Fatalf("%d orders, want 100", a.Len())
	}
}

// An integration keeps its store across a sandbox reset: the seed orders
// come back with their ids, but an order created after the reset never
// takes an id (or a sequence) an earlier order had.
func TestIDsNeverRepeatAcrossResets(t *testing.T) {
	a, _ := newAccount(t, "demostore")
	seen := map[string]bool{}
	seqs := map[string]bool{}
	for round := range 3 {
		for range 3 {
			id, err := a.Create(camiseta())
			if err != nil {
				t.Fatal(err)
			}
			var seq string
			_ = a.Read(id, func(o *Order) error { seq = o.Sequence; return nil })
			if seen[id] || seqs[seq] {
				t.Fatalf("round %d: order %s (sequence %s) was issued before", round, id, seq)
			}
			seen[id], seqs[seq] = true, true
		}
		if err := a.Reset(); err != nil {
			t.Fatal(err)
		}
	}
}
