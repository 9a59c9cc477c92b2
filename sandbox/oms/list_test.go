package oms

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// naiveList is list orders as its definition reads: every order, in the
// order the account took them, filtered, stably sorted, statistics over the
// matches, then the page. List must answer exactly this from its index.
func naiveList(orders []*Order, q Query) OrderList {
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.OrderBy == "" {
		q.OrderBy, q.Desc = OrderByCreationDate, true
	}
	keys := map[OrderBy]func(a, b *Order) int{
		OrderByCreationDate: func(a, b *Order) int { return a.CreationDate.Compare(b.CreationDate.Time) },
		OrderByOrderID:      func(a, b *Order) int { return cmp.Compare(a.OrderID, b.OrderID) },
		OrderByItems:        func(a, b *Order) int { return cmp.Compare(items(a), items(b)) },
		OrderByTotalValue:   func(a, b *Order) int { return cmp.Compare(a.Value, b.Value) },
		OrderByOrigin:       func(a, b *Order) int { return cmp.Compare(a.Origin, b.Origin) },
	}
	key := keys[q.OrderBy]
	if key == nil {
		key = keys[OrderByCreationDate]
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var matched []*Order
	for _, o := range orders {
		if naiveMatch(q, o, text) {
			matched = append(matched, o)
		}
	}
	slices.SortStableFunc(matched, func(x, y *Order) int {
		if q.Desc {
			return key(y, x)
		}
		return key(x, y)
	})
	var value, count statAcc
	for _, o := range matched {
		value.add(o.Origin != "Fulfillment", o.Value)
		count.add(o.Origin != "Fulfillment", int64(items(o)))
	}
	out := OrderList{List: []Summary{}, Facets: []string{},
		Paging: Paging{Total: len(matched), CurrentPage: q.Page, PerPage: q.PerPage,
			Pages: (len(matched) + q.PerPage - 1) / q.PerPage}}
	out.Stats.Stats.TotalValue, out.Stats.Stats.TotalItems = value.stat(), count.stat()
	if start := (q.Page - 1) * q.PerPage; start < len(matched) {
		for _, o := range matched[start:min(start+q.PerPage, len(matched))] {
			out.List = append(out.List, summarize(o))
		}
	}
	return out
}

// naiveMatch is a query's filters read on the order itself.
func naiveMatch(q Query, o *Order, text string) bool {
	if len(q.Statuses) > 0 && !slices.Contains(q.Statuses, o.Status) {
		return false
	}
	if !q.CreatedFrom.IsZero() && o.CreationDate.Before(q.CreatedFrom) {
		return false
	}
	if !q.CreatedTo.IsZero() && o.CreationDate.After(q.CreatedTo) {
		return false
	}
	if q.ClientEmail != "" && !strings.EqualFold(o.ClientProfileData.Email, q.ClientEmail) {
		return false
	}
	if m := o.MarketingData; q.UtmSource != "" || q.UtmMedium != "" || q.UtmCampaign != "" {
		if m == nil || q.UtmSource != "" && m.UtmSource != q.UtmSource ||
			q.UtmMedium != "" && m.UtmMedium != q.UtmMedium || q.UtmCampaign != "" && m.UtmCampaign != q.UtmCampaign {
			return false
		}
	}
	c := &o.ClientProfileData
	for _, field := range []string{o.OrderID, c.Email, c.Document, c.FirstName + " " + c.LastName} {
		if strings.Contains(strings.ToLower(field), text) {
			return true
		}
	}
	return false
}

func items(o *Order) int {
	n := 0
	for _, it := range o.Items {
		n += it.Quantity
	}
	return n
}

// TestListAnswersWhatTheDefinitionSays builds an account with orders on
// equal and backdated creation dates, both origins, several statuses and
// UTMs, changes some after creation, and compares List with naiveList on
// many queries: filters, every sort field both ways, pages past the end.
func TestListAnswersWhatTheDefinitionSays(t *testing.T) {
	for _, hot := range []int{hotOrders, 1, 40} {
		t.Run(fmt.Sprintf("%d hot", hot), func(t *testing.T) { testListAnswersWhatTheDefinitionSays(t, hot) })
	}
}

func testListAnswersWhatTheDefinitionSays(t *testing.T, hot int) {
	clk := clock.Frozen(start)
	s := New(clk, &events.Bus{}, 7)
	s.hotOrders = hot
	a, _ := s.AddAccount("demostore", nil)
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []string
	statuses := []Status{StatusReadyForHandling, StatusPaymentPending, StatusWindowToCancel}
	for i := range 300 {
		n := NewOrder{Status: statuses[rng.IntN(len(statuses))]}
		for j := range 1 + rng.IntN(3) {
			n.Items = append(n.Items, NewItem{ID: fmt.Sprintf("SKU-%d", j), Name: "Item", Price: int64(100 + rng.IntN(5000)), Quantity: 1 + rng.IntN(3)})
		}
		if rng.IntN(4) == 0 {
			n.Channel = ChannelB2W
			n.Status = StatusReadyForHandling
		}
		if rng.IntN(3) == 0 {
			n.MarketingData = &NewMarketing{UtmSource: "b2b", UtmCampaign: fmt.Sprintf("org-%d", rng.IntN(3))}
		}
		switch rng.IntN(5) {
		case 0: // backdated into the past, sometimes onto an existing instant
			n.CreatedAt = start.Add(-time.Duration(rng.IntN(50)) * time.Minute)
		case 1:
			clk.Advance(time.Duration(rng.IntN(3)) * time.Minute)
		}
		id, err := a.Create(n)
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		ids = append(ids, id)
		if rng.IntN(6) == 0 { // a change after creation reaches the index
			_, _ = a.Fire(id, ActionStartHandling, BySeller)
		}
		if rng.IntN(6) == 0 { // and a change to an earlier order, cold by now
			_, _ = a.Fire(ids[rng.IntN(len(ids))], ActionStartHandling, BySeller)
		}
	}
	arrival := make([]*Order, len(ids))
	for i, id := range ids {
		_ = a.Read(id, func(o *Order) error { arrival[i] = o; return nil })
	}
	queries := []Query{{}, {PerPage: 100}, {Page: 3, PerPage: 7}, {Page: 99}, {Desc: true, OrderBy: OrderByCreationDate, PerPage: 50, Page: 2},
		{OrderBy: OrderByCreationDate, PerPage: 40}, {Statuses: []Status{StatusStartHandling}}, {Statuses: []Status{StatusPaymentPending, StatusReadyForHandling}, PerPage: 25, Page: 2},
		{CreatedFrom: start.Add(-20 * time.Minute), CreatedTo: start.Add(30 * time.Minute), PerPage: 100}, {UtmCampaign: "org-1"}, {Text: "@"}, {Text: arrival[5].OrderID},
		{OrderBy: "nonsense"}}
	for _, by := range []OrderBy{OrderByOrderID, OrderByItems, OrderByTotalValue, OrderByOrigin, OrderByCreationDate} {
		for _, desc := range []bool{false, true} {
			queries = append(queries, Query{OrderBy: by, Desc: desc, PerPage: 30, Page: 1}, Query{OrderBy: by, Desc: desc, PerPage: 9, Page: 4, Statuses: []Status{StatusReadyForHandling}})
		}
	}
	float := cmpopts.EquateApprox(0, 1e-9)
	for _, q := range queries {
		got, want := a.List(q), naiveList(arrival, q)
		if d := gocmp.Diff(want, got, float, cmpopts.EquateNaNs()); d != "" {
			t.Errorf("List(%+v) differs from the definition (-want +got):\n%s", q, d)
		}
	}
	if math.IsNaN(a.List(Query{}).Stats.Stats.TotalValue.StdDev) {
		t.Error("standard deviation is NaN")
	}
}

// BenchmarkList100k lists the newest page of 15 out of 100,000 orders, with
// the statistics over all of them.
func BenchmarkList100k(b *testing.B) {
	s := New(clock.Frozen(start), &events.Bus{}, 1)
	a, _ := s.AddAccount("demostore", nil)
	for range 100_000 {
		if _, err := a.Create(NewOrder{Items: []NewItem{{ID: "SKU", Name: "Meia", Price: 990, Quantity: 2}}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bench := range []struct {
		name string
		q    Query
	}{{"newest", Query{}}, {"status", Query{Statuses: []Status{StatusReadyForHandling}}}, {"by-value", Query{OrderBy: OrderByTotalValue, Desc: true}}} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if l := a.List(bench.q); len(l.List) != DefaultPerPage {
					b.Fatalf("%d on the page", len(l.List))
				}
			}
		})
	}
}

// TestDocumentIsEncodedOncePerChange: a read serves the same bytes until
// the order changes, and the bytes after a change say so.
func TestDocumentIsEncodedOncePerChange(t *testing.T) {
	a, _ := New(clock.Frozen(start), &events.Bus{}, 1).AddAccount("demostore", nil)
	id, err := a.Create(NewOrder{Items: []NewItem{{ID: "SKU", Name: "Meia", Price: 990, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.Document(id)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := a.Document(id)
	if &first[0] != &again[0] {
		t.Error("a second read encoded the order again")
	}
	if !strings.Contains(string(first), `"status":"ready-for-handling"`) || first[len(first)-1] != '\n' {
		t.Fatalf("document: %.200s", first)
	}
	if _, err := a.Fire(id, ActionStartHandling, BySeller); err != nil {
		t.Fatal(err)
	}
	after, _ := a.Document(id)
	if !strings.Contains(string(after), `"status":"handling"`) {
		t.Errorf("after start-handling the document still reads %.200s", after)
	}
	if l := a.List(Query{Statuses: []Status{StatusHandling}}); l.Paging.Total != 1 {
		t.Errorf("list orders by the new status finds %d", l.Paging.Total)
	}
	if _, err := a.Document("nope"); err == nil {
		t.Error("an unknown order has a document")
	}
}
