package sandbox_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/oms"
)

type sandboxServer = sandbox.Server

// Create orders makes each order as Create order would make it alone: two
// sandboxes from the same seed, one given three orders in one call and the
// other the same three one by one, hold the same orders and raised the
// same events.
func TestCreateOrdersMakesEachAsCreateOrderWould(t *testing.T) {
	bulk, single := startSandbox(t), startSandbox(t)
	n := camiseta("demostore")
	n.MarketingData = &oms.NewMarketing{UtmCampaign: "org-1", Tags: []string{"b2b"}}
	since := lastEventSeq(t, bulk)
	made, err := bulk.Client.CreateOrders(ctx, 3, n)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		o, err := single.Client.CreateOrder(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.OrderID)
	}
	if len(made) != 3 {
		t.Fatalf("made %+v", made)
	}
	emails := map[string]bool{}
	for i, m := range made {
		if m.OrderID != ids[i] || m.SkyHubCode != "" {
			t.Fatalf("order %d: %+v, one by one %s", i, m, ids[i])
		}
		got, want := document(t, bulk, m.OrderID), document(t, single, ids[i])
		if got != want {
			t.Fatalf("order %s differs from the one Create order made:\n%s\n%s", m.OrderID, got, want)
		}
		// Each order has its own generated buyer.
		emails[vtexOrder(t, bulk, m.OrderID).ClientProfileData.Email] = true
	}
	if len(emails) != 3 {
		t.Fatalf("the three orders share buyers: %v", emails)
	}
	steps := func(s *sandboxServer) []string {
		evs, err := s.Client.Events(ctx, client.EventFilter{Since: since})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.OrderID+" "+e.Type+" "+e.To)
		}
		return out
	}
	if diff := cmp.Diff(steps(single), steps(bulk)); diff != "" || len(steps(bulk)) < 3*7 {
		t.Fatalf("events (-one by one +bulk):\n%s", diff)
	}
}

// A B2W bulk gives every order its SkyHub twin.
func TestCreateOrdersTwinsB2WOrders(t *testing.T) {
	s := startSandbox(t)
	n := camiseta("demostore")
	n.Channel = oms.ChannelB2W
	made, err := s.Client.CreateOrders(ctx, 2, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range made {
		if m.SkyHubCode == "" {
			t.Fatalf("no SkyHub code: %+v", made)
		}
		if _, ok := s.SkyHub.Locate(m.SkyHubCode); !ok {
			t.Fatalf("SkyHub has no order %s", m.SkyHubCode)
		}
		if got := vtexOrder(t, s, m.OrderID).MarketplaceOrderID; got != m.SkyHubCode {
			t.Fatalf("order %s: marketplaceOrderId %q, twin %s", m.OrderID, got, m.SkyHubCode)
		}
	}
}

// The stock must cover every order, or none is made; and bad input is
// refused with the rule it breaks, leaving the account as it was.
func TestCreateOrdersIsAllOrNone(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	stockedSKU(t, h, 3)
	acct, _ := sb.OMS.Account("demostore")
	seeded := acct.Len()
	bulk := func(count int, order string) response {
		return do(t, h, "POST", "/_sandbox/orders/bulk", fmt.Sprintf(`{"count":%d,"order":%s}`, count, order))
	}
	// Two orders of two: four wanted, three available.
	r := bulk(2, orderBody("1", 2, ""))
	if r.status != 409 || !strings.Contains(string(r.body), "SKU 1: 4 wanted, 3 available") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 0 || acct.Len() != seeded {
		t.Fatalf("a refused bulk left %d orders and %+v", acct.Len()-seeded, b)
	}
	for _, c := range []struct {
		count    int
		order    string
		status   int
		mentions string
	}{
		{0, orderBody("1", 1, ""), 400, "count"},
		{10_001, orderBody("1", 1, ""), 400, "count"},
		{2, `{"items":[]}`, 400, "items"},
		{2, orderBody("1", 1, `"colour":"red",`), 400, "colour"},
		{2, orderBody("1", 1, `"channel":"mercadolivre",`), 400, "one by one"},
		{2, orderBody("1", 1, `"marketplaceOrderId":"X-1",`), 400, "marketplaceOrderId names one order"},
		{2, orderBody("1", 1, `"status":"invoiced",`), 400, "output invoices total 0"},
		{2, strings.Replace(orderBody("1", 1, ""), "demostore", "nosuchstore", 1), 404, `nosuchstore`},
		{2, orderBody("1", 1, `"channel":"b2w",`) + ` `, 201, ""}, // demostore has a SkyHub seller
	} {
		r := bulk(c.count, c.order)
		if r.status != c.status || !strings.Contains(string(r.body), c.mentions) {
			t.Errorf("count %d %s: %d %s, want %d mentioning %q", c.count, c.order, r.status, r.body, c.status, c.mentions)
		}
	}
	if acct.Len() != seeded+2 {
		t.Fatalf("refusals made orders: %d new, want the b2w pair", acct.Len()-seeded)
	}
	// Covered: each order reserves its own units; past that, allowOversell.
	if r := bulk(1, orderBody("1", 1, "")); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := bulk(3, orderBody("1", 1, `"allowOversell":true,`)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 2+1+3 || b.AvailableQuantity != 3-6 {
		t.Fatalf("after the bulks: %+v", b)
	}
}

// document is an order's VTEX document as Get order answers it.
func document(t *testing.T, s *sandboxServer, id string) string {
	t.Helper()
	acct, _ := s.OMS.Account("demostore")
	doc, err := acct.Document(id)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// vtexOrder is an order's VTEX document, decoded.
func vtexOrder(t *testing.T, s *sandboxServer, id string) oms.Order {
	t.Helper()
	var o oms.Order
	if err := json.Unmarshal([]byte(document(t, s, id)), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// Bulks running at once in one account each pass the stock check whole:
// with stock for one of them, one is made and the other refused, while
// single creations and reads go on beside them.
func TestCreateOrdersRaceForTheLastUnits(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	stockedSKU(t, h, 300)
	acct, _ := sb.OMS.Account("demostore")
	seeded := acct.Len()
	body := `{"count":200,"order":` + orderBody("1", 1, "") + `}`
	statuses := make(chan int, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { statuses <- do(t, h, "POST", "/_sandbox/orders/bulk", body).status })
	}
	wg.Go(func() {
		for range 20 {
			if r := controlOrder(t, h, orderBody("CAMISETA", 1, "")); r.status != 201 {
				t.Errorf("a single creation beside the bulks: %d %s", r.status, r.body)
			}
			if r := do(t, h, "GET", "/api/oms/pvt/orders?per_page=5", "", demoAuth...); r.status != 200 {
				t.Errorf("a list beside the bulks: %d %s", r.status, r.body)
			}
		}
	})
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	if got[201] != 1 || got[409] != 1 {
		t.Fatalf("two bulks of 200 for 300 units: %v, want one 201 and one 409", got)
	}
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 200 || acct.Len() != seeded+200+20 {
		t.Fatalf("%d new orders, %+v", acct.Len()-seeded, b)
	}
}
