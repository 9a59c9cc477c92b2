package contracts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// The generic steps a team needs to write scenarios of its own: orders
// from a table, journal counts and order, events.

// marks returns the journal's and the event log's last sequence numbers
// for an account: what a scenario on a shared account starts after.
func (h *harness) marks(ctx context.Context, account string) (int64, int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	entries, err := h.client.Journal(ctx, client.JournalFilter{Account: account, Since: h.journalMark})
	if err != nil {
		return 0, 0, fmt.Errorf("journal: %w", err)
	}
	if n := len(entries); n > 0 {
		h.journalMark = entries[n-1].Seq
	}
	evs, err := h.client.Events(ctx, client.EventFilter{Account: account, Since: h.eventMark})
	if err != nil {
		return 0, 0, fmt.Errorf("events: %w", err)
	}
	if n := len(evs); n > 0 {
		h.eventMark = evs[n-1].Seq
	}
	return h.journalMark, h.eventMark, nil
}

// tableOrders creates orders from a table, one row per item; rows with the
// same order label make one order.
func (w *world) tableOrders(ctx context.Context, t *godog.Table) error {
	if t == nil || len(t.Rows) < 2 {
		return errors.New("the table needs a header row and at least one item")
	}
	alias := map[string]string{"pedido": "order", "canal": "channel", "entrega": "shipping", "nome": "name",
		"preço": "price", "preco": "price", "quantidade": "quantity", "situação": "status"}
	var cols []string
	for _, c := range t.Rows[0].Cells {
		name := strings.ToLower(strings.TrimSpace(c.Value))
		name = cmp.Or(alias[name], name)
		if !slices.Contains([]string{"order", "channel", "shipping", "status", "sku", "name", "price", "quantity"}, name) {
			return fmt.Errorf("unknown column %q: use order, channel, shipping, status, sku, name, price, quantity", c.Value)
		}
		cols = append(cols, name)
	}
	var labels []string
	byLabel := map[string]*oms.NewOrder{}
	for i, row := range t.Rows[1:] {
		v := map[string]string{}
		for j, c := range row.Cells {
			v[cols[j]] = strings.TrimSpace(c.Value)
		}
		label := cmp.Or(v["order"], strconv.Itoa(i+1))
		no := byLabel[label]
		if no == nil {
			no = &oms.NewOrder{Channel: oms.Channel(cmp.Or(v["channel"], "vtex")), Shipping: oms.Shipping(strings.ToLower(v["shipping"])),
				Status: oms.Status(v["status"])}
			byLabel[label] = no
			labels = append(labels, label)
		}
		price, err := cents(cmp.Or(v["price"], "29.90"))
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		qty, err := strconv.Atoi(cmp.Or(v["quantity"], "1"))
		if err != nil || qty < 1 {
			return fmt.Errorf("row %d: quantity %q is not a positive number", i+1, v["quantity"])
		}
		sku := cmp.Or(v["sku"], fmt.Sprintf("SKU-%d", len(no.Items)+1))
		no.Items = append(no.Items, oms.NewItem{ID: sku, Name: cmp.Or(v["name"], "Produto "+sku), Price: price, Quantity: qty})
	}
	for _, l := range labels {
		o, err := w.h.client.CreateOrder(ctx, client.NewOrder{Account: w.env.Account, NewOrder: *byLabel[l]})
		if err != nil {
			return fmt.Errorf("create order %s: %w", l, err)
		}
		w.orders = append(w.orders, o)
	}
	return nil
}

// cents reads a price in reais ("29.90", "29,90", "1.299,90") as cents.
func cents(s string) (int64, error) {
	t := strings.TrimSpace(strings.TrimPrefix(s, "R$"))
	if strings.Contains(t, ",") { // Brazilian: 1.299,90
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("price %q is not an amount in reais such as 29.90", s)
	}
	return int64(f*100 + 0.5), nil
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// expand fills {order} in a path with the scenario's last order id.
func (w *world) expand(path string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(path, func(p string) string {
		if p != "{order}" {
			err = fmt.Errorf("path %s: unknown placeholder %s (only {order})", path, p)
			return p
		}
		o, e := w.order()
		if e != nil {
			err = e
			return p
		}
		return o.OrderID
	})
	if err == nil && !journal.ValidPattern(out) {
		err = fmt.Errorf("path %q is not a path glob starting with /", path)
	}
	return out, err
}

func (w *world) startHandlingOfLast(ctx context.Context, want int) error {
	o, err := w.order()
	if err != nil {
		return err
	}
	return w.startHandlingCalls(ctx, want, []*oms.Order{o})
}

func (w *world) cancelRefused() error {
	if w.driver.status == 200 {
		return fmt.Errorf("the cancel went through: %s", w.driver.body)
	}
	if !regexp.MustCompile(`"vtexStatus":\s*4\d\d`).MatchString(w.driver.body) {
		return fmt.Errorf("the driver did not report VTEX's refusal: %d %s", w.driver.status, w.driver.body)
	}
	return nil
}

// calls returns the integration's calls matching method and a path glob.
func (w *world) calls(ctx context.Context, method, path string) ([]journal.Entry, string, error) {
	p, err := w.expand(path)
	if err != nil {
		return nil, "", err
	}
	entries, err := w.journal(ctx, client.JournalFilter{Method: method, Path: p})
	return entries, p, err
}

// calledTimes checks how often the integration made a call; a count above
// zero is waited for, and then must not be exceeded.
func (w *world) calledTimes(ctx context.Context, method, path, times string) error {
	want := atoi(times)
	check := func() error {
		entries, p, err := w.calls(ctx, method, path)
		if err != nil {
			return err
		}
		if len(entries) != want {
			return w.explain(ctx, fmt.Sprintf("the integration called %s %s %d times, want %d (%s)", method, p, len(entries), want, times),
				journal.Filter{Path: p})
		}
		return nil
	}
	if want == 0 {
		return check()
	}
	return eventually(ctx, check)
}

// calledBefore checks that the first call of one kind came before the
// first of another.
func (w *world) calledBefore(ctx context.Context, m1, p1, m2, p2 string) error {
	return eventually(ctx, func() error {
		first, e1, err := w.calls(ctx, m1, p1)
		if err != nil {
			return err
		}
		second, e2, err := w.calls(ctx, m2, p2)
		if err != nil {
			return err
		}
		switch {
		case len(second) == 0:
			return fmt.Errorf("the integration never called %s %s", m2, e2)
		case len(first) == 0:
			return w.explain(ctx, fmt.Sprintf("the integration called %s %s without calling %s %s first", m2, e2, m1, e1), journal.Filter{})
		case first[0].Seq > second[0].Seq:
			return w.explain(ctx, fmt.Sprintf("the integration called %s %s before %s %s", m2, e2, m1, e1), journal.Filter{})
		}
		return nil
	})
}

// orderEvents returns the domain events of the scenario's last order.
func (w *world) orderEvents(ctx context.Context, typ string) ([]events.Event, *oms.Order, error) {
	o, err := w.order()
	if err != nil {
		return nil, nil, err
	}
	evs, err := w.h.client.Events(ctx, client.EventFilter{Account: w.env.Account, OrderID: o.OrderID, Type: typ, Since: w.eventsSince})
	return evs, o, err
}

// wentThrough checks that the order's status changes include the listed
// statuses in that order (others may come between).
func (w *world) wentThrough(ctx context.Context, list string) error {
	var want []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.Trim(strings.TrimSpace(s), `"`); s != "" {
			want = append(want, s)
		}
	}
	return eventually(ctx, func() error {
		evs, o, err := w.orderEvents(ctx, events.OrderStatusChanged)
		if err != nil {
			return err
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.To)
		}
		i := 0
		for _, s := range got {
			if i < len(want) && s == want[i] {
				i++
			}
		}
		if i < len(want) {
			return fmt.Errorf("order %s went through %v; want %v in that order", o.OrderID, got, want)
		}
		return nil
	})
}

func (w *world) eventRecorded(ctx context.Context, typ string) error {
	return eventually(ctx, func() error {
		evs, o, err := w.orderEvents(ctx, typ)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return fmt.Errorf("the sandbox recorded no %q event for order %s", typ, o.OrderID)
		}
		return nil
	})
}
