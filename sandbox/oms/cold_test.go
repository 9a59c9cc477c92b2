package oms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// life runs one scripted life of an account: orders of both channels,
// corporate buyers and UTMs, then changes (repeated with the same request
// id), invoices with a dispatch date, tracking, cancellations and platform
// timers, mostly on orders created long before. It returns a transcript of
// every answer and event, and the account.
func life(t *testing.T, hot int) (string, *Account) {
	t.Helper()
	clk := clock.Frozen(start)
	bus := &events.Bus{}
	var out strings.Builder
	bus.Subscribe(func(e events.Event) {
		fmt.Fprintf(&out, "event %s %s %s %s>%s since %s at %s\n", e.Type, e.OrderID, e.Action, e.From, e.To,
			e.Since.Format(time.RFC3339Nano), e.Time.Format(time.RFC3339Nano))
	})
	s := New(clk, bus, 11)
	s.hotOrders = hot
	s.SetPlatformDelays(PlatformDelays{PaymentApproval: time.Minute, WindowToCancel: time.Minute})
	a, _ := s.AddAccount("demostore", nil)
	rng := rand.New(rand.NewPCG(3, 4))
	var ids []string
	answer := func(what string, r Receipt, err error) {
		fmt.Fprintf(&out, "%s: %+v %v\n", what, r, err)
	}
	for i := range 120 {
		n := NewOrder{Items: []NewItem{{ID: "CAM", Name: "Camiseta", Price: 4990, Quantity: 1 + rng.IntN(3)},
			{ID: "TEN", Name: "Tênis", Price: 29990, Quantity: 1}}}
		switch rng.IntN(4) {
		case 0:
			n.Channel, n.Shipping = ChannelB2W, ShippingCorreios
		case 1:
			n.Customer = &Customer{CorporateDocument: "11222333000181", CorporateName: "Loja Exemplo Ltda"}
			n.MarketingData = &NewMarketing{UtmSource: "b2b", UtmMedium: "cc-1", UtmCampaign: "org-1"}
		case 2:
			n.CreatedAt = start.Add(-time.Duration(rng.IntN(90))*time.Minute - 37*time.Nanosecond)
		}
		id, err := a.Create(n)
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		ids = append(ids, id)
		clk.Advance(time.Duration(rng.IntN(40)) * time.Second)
		id = ids[rng.IntN(len(ids))]
		switch rng.IntN(6) {
		case 0:
			_, err := a.Fire(id, ActionStartHandling, BySeller)
			fmt.Fprintf(&out, "start %s: %v\n", id, err)
		case 1:
			req := ChangeRequest{RequestID: "req-" + id, Reason: "cupom", DiscountValue: 100}
			r, err := a.Change(id, req)
			answer("change "+id, r, err)
		case 2:
			d := "2026-03-11T10:00:00Z"
			req := inv("NF-"+id, 0, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 1})
			req.DispatchedDate = &d
			r, err := a.Invoice(id, req)
			answer("invoice "+id, r, err)
		case 3:
			reason := "cliente desistiu"
			r, err := a.Cancel(id, CancelRequest{Reason: &reason})
			answer("cancel "+id, r, err)
		case 4:
			r, err := a.UpdateTracking(id, "NF-"+id, TrackingRequest{TrackingNumber: "BR" + id})
			answer("tracking "+id, r, err)
		case 5: // the same change again: the first receipt, whether hot or cold
			r, err := a.Change(id, ChangeRequest{RequestID: "req-" + id, Reason: "cupom", DiscountValue: 100})
			answer("change again "+id, r, err)
		}
	}
	clk.Advance(3 * time.Minute) // the platform timers of the orders still waiting
	for _, id := range ids {
		doc, err := a.Document(id)
		fmt.Fprintf(&out, "document %s %v\n%s", id, err, doc)
		var code string
		_ = a.Read(id, func(o *Order) error {
			fmt.Fprintf(&out, "channel %s shipping %s\n", o.Channel(), o.Shipping())
			code = o.MarketplaceOrderID
			return nil
		})
		if found, ok := a.ByMarketplaceOrderID(code); code != "" && (!ok || found != id) {
			t.Errorf("marketplace order %s: found %q %v, want %s", code, found, ok, id)
		}
	}
	for _, q := range []Query{{PerPage: 100}, {UtmCampaign: "org-1"}, {Text: "loja"}, {OrderBy: OrderByOrigin, PerPage: 30, Page: 2}} {
		l, _ := json.Marshal(a.List(q))
		fmt.Fprintf(&out, "list %+v\n%s\n", q, l)
	}
	return out.String(), a
}

// TestAColdOrderIsTheOrderItWas runs the same life on an account that
// keeps every order hot and on one that keeps a single order hot (every
// other change thaws an order first): every answer, event, document and
// list must be the same.
func TestAColdOrderIsTheOrderItWas(t *testing.T) {
	allHot, a := life(t, hotOrders)
	oneHot, b := life(t, 1)
	if a.hot.n != a.Len() || b.hot.n != 1 {
		t.Fatalf("hot orders: %d of %d and %d of %d", a.hot.n, a.Len(), b.hot.n, b.Len())
	}
	for _, want := range []string{"change again", "invoice", "cancel", "tracking", "window-to-cancel>ready-for-handling"} {
		if !strings.Contains(allHot, want) {
			t.Errorf("the life never did %q", want)
		}
	}
	if allHot != oneHot {
		x, y := strings.Split(allHot, "\n"), strings.Split(oneHot, "\n")
		for i := range min(len(x), len(y)) {
			if x[i] != y[i] {
				t.Fatalf("line %d differs:\nall hot: %.2000s\none hot: %.2000s", i+1, x[i], y[i])
			}
		}
		t.Fatalf("transcripts differ in length: %d and %d lines", len(x), len(y))
	}
}

// TestFreezingKeepsEveryField freezes and thaws orders with every part
// filled and compares the structs field by field, unexported fields too.
func TestFreezingKeepsEveryField(t *testing.T) {
	_, a := life(t, hotOrders)
	all := cmp.Exporter(func(reflect.Type) bool { return true })
	n := 0
	for e := a.hot.head; e != nil; e = e.next {
		before := e.o
		doc, _ := encodeDocument(before)
		if err := e.freeze(nil); err != nil {
			t.Fatal(err)
		}
		if len(e.cold)*4 > len(doc) {
			t.Errorf("order %s: %d bytes cold for a %d-byte document", e.id, len(e.cold), len(doc))
		}
		after, err := e.thawed()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(before, after, all); d != "" {
			t.Fatalf("order %s after a freeze and a thaw (-before +after):\n%s", e.id, d)
		}
		again, _ := encodeDocument(after)
		if !bytes.Equal(doc, again) {
			t.Fatalf("order %s: the thawed order's document differs", e.id)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no orders")
	}
	// The document leaves out the unexported fields; hidden carries them.
	// A new one must be carried too (and listed here).
	var got []string
	var walk func(reflect.Type, string)
	seen := map[reflect.Type]bool{}
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[Order]().PkgPath() {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			if !f.IsExported() {
				got = append(got, typ.Name()+"."+f.Name)
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeFor[Order](), "")
	slices.Sort(got)
	want := []string{"ChangesData.requestID", "Order.channel", "Order.shipping", "Package.dispatchedDate"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("the Order's unexported fields changed; carry the new ones in hidden (-known +now):\n%s", d)
	}
}
