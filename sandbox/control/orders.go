package control

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// An account's orders across its channels, and one order's timeline: what
// a person looks at first (the dashboard opens on them).

// Channels of the cross-channel order list. A B2W order mirrored into
// VTEX is listed once, as b2w; a SkyHub order with no VTEX twin (an ERP
// integrating with SkyHub directly) as skyhub.
const (
	listVTEX         = "vtex"
	listB2W          = "b2w"
	listSkyHub       = "skyhub"
	listMercadoLivre = "mercadolivre"
)

// orderRow is one order of any channel, as GET /_sandbox/orders lists it.
type orderRow struct {
	Channel            string       `json:"channel"`
	ID                 string       `json:"id"`
	Status             string       `json:"status"`
	Value              int64        `json:"value"` // cents
	Created            time.Time    `json:"created"`
	Customer           string       `json:"customer"`
	Units              int          `json:"units"`
	Sequence           string       `json:"sequence,omitempty"`
	MarketplaceOrderID string       `json:"marketplaceOrderId,omitempty"`
	Shipment           string       `json:"shipment,omitempty"`
	Invoices           []invoiceRow `json:"invoices"`

	order int64 // tie-break among orders created at one instant: newer first
}

// invoiceRow is an invoice (VTEX package, SkyHub NF-e, Mercado Livre
// NF-e) and its tracking.
type invoiceRow struct {
	Number    string `json:"number,omitempty"`
	Key       string `json:"key,omitempty"`
	Value     int64  `json:"value,omitempty"`
	Type      string `json:"type,omitempty"`
	Tracking  string `json:"trackingNumber,omitempty"`
	Courier   string `json:"courier,omitempty"`
	Delivered bool   `json:"delivered,omitempty"`
}

// DefaultOrderRows and MaxOrderRows bound GET /_sandbox/orders.
const (
	DefaultOrderRows = 100
	MaxOrderRows     = 500
)

func (p *plane) listOrders(w http.ResponseWriter, r *http.Request) {
	name := cmp.Or(r.URL.Query().Get("account"), p.DefaultAccount)
	acct, ok := p.OMS.Account(name)
	if !ok {
		fail(w, http.StatusNotFound, "account %q not found", clip.ID(name))
		return
	}
	limit := DefaultOrderRows
	if s := r.URL.Query().Get("limit"); s != "" {
		limit, _ = strconv.Atoi(s) // the spec bounds it
	}
	rows := p.vtexRows(acct, limit)
	twins := map[string]bool{}
	for _, row := range rows {
		if row.MarketplaceOrderID != "" {
			twins[row.MarketplaceOrderID] = true
		}
	}
	if st, ok := p.SkyHub.ForAccount(name); ok {
		rows = append(rows, skyhubRows(st, twins, limit)...)
	}
	for _, s := range p.MercadoLivre.Sales(name) {
		row := orderRow{Channel: listMercadoLivre, ID: strconv.FormatInt(s.OrderID, 10), Status: s.Status,
			Value: s.TotalCents, Created: s.Created, Customer: s.Buyer, Units: s.Units,
			Shipment: s.Shipment.String(), Invoices: []invoiceRow{}, order: s.OrderID}
		if s.InvoiceKey != "" || s.Tracking != "" {
			row.Invoices = append(row.Invoices, invoiceRow{Key: s.InvoiceKey, Tracking: s.Tracking})
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b orderRow) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.order, a.order))
	})
	total := len(rows)
	writeJSON(w, http.StatusOK, map[string]any{"account": name, "total": total, "orders": rows[:min(limit, total)]})
}

// vtexRows lists up to limit of an account's VTEX orders, newest first,
// with their invoices.
func (p *plane) vtexRows(acct *oms.Account, limit int) []orderRow {
	var rows []orderRow
	for page := 1; len(rows) < limit; page++ {
		l := acct.List(oms.Query{Page: page, PerPage: oms.MaxPerPage})
		for _, s := range l.List {
			_ = acct.Read(s.OrderID, func(o *oms.Order) error {
				rows = append(rows, vtexRow(o))
				return nil
			})
		}
		if page >= l.Paging.Pages {
			break
		}
	}
	return rows
}

func vtexRow(o *oms.Order) orderRow {
	row := orderRow{Channel: listVTEX, ID: o.OrderID, Status: string(o.Status), Value: o.Value,
		Created: o.CreationDate.Time, Customer: o.ClientProfileData.FirstName + " " + o.ClientProfileData.LastName,
		Sequence: o.Sequence, MarketplaceOrderID: o.MarketplaceOrderID, Invoices: []invoiceRow{}}
	row.order, _ = strconv.ParseInt(o.Sequence, 10, 64)
	if o.Channel() == oms.ChannelB2W {
		row.Channel = listB2W
	}
	for _, it := range o.Items {
		row.Units += it.Quantity
	}
	for _, pk := range o.PackageAttachment.Packages {
		inv := invoiceRow{Number: pk.InvoiceNumber, Value: pk.InvoiceValue, Type: pk.Type,
			Key: deref(pk.InvoiceKey), Tracking: deref(pk.TrackingNumber), Courier: deref(pk.Courier)}
		inv.Delivered = pk.CourierStatus != nil && pk.CourierStatus.Finished
		row.Invoices = append(row.Invoices, inv)
	}
	return row
}

// skyhubRows lists a seller's orders that have no VTEX twin.
func skyhubRows(st *skyhub.Store, twins map[string]bool, limit int) []orderRow {
	_, orders := st.List(skyhub.Filter{Page: 1, PerPage: math.MaxInt32})
	var rows []orderRow
	for _, o := range orders {
		if twins[o.Code] {
			continue
		}
		placed, _ := time.Parse("2006-01-02T15:04:05-07:00", o.PlacedAt)
		row := orderRow{Channel: listSkyHub, ID: o.Code, Status: string(o.Status.Type), Created: placed,
			Value: int64(math.Round(o.TotalOrdered * 100)), Customer: o.Customer.Name, Invoices: []invoiceRow{}}
		for _, it := range o.Items {
			row.Units += it.Qty
		}
		for _, inv := range o.Invoices {
			row.Invoices = append(row.Invoices, invoiceRow{Number: inv.Number, Key: inv.Key})
		}
		for _, sh := range o.Shipments {
			for _, t := range sh.Tracks {
				row.Invoices = append(row.Invoices, invoiceRow{Tracking: t.Code, Courier: t.Carrier})
			}
		}
		rows = append(rows, row)
	}
	// The newest are the last placed; keep at most limit of them.
	return rows[max(0, len(rows)-limit):]
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// timelineStep is one step of an order's timeline: a recorded call with
// the order's events raised while it was served, or (Call nil) events no
// recorded call caused — a platform timer, a control-plane action, the
// clock.
type timelineStep struct {
	Call   *journal.Entry `json:"call,omitempty"`
	Events []events.Event `json:"events"`
}

// subject is an order found in some channel: its account, channel and
// every id it goes by (VTEX id, SkyHub code, Mercado Livre order, pack
// and shipment ids).
type subject struct {
	account, channel string
	ids              []string
}

func (p *plane) orderTimeline(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["orderId"]
	sub, ok := p.locateOrder(id, r.URL.Query().Get("account"))
	if !ok {
		fail(w, http.StatusNotFound, "order %q not found in any channel", clip.ID(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": sub.account, "orderId": id, "channel": sub.channel,
		"ids": sub.ids, "steps": p.timeline(sub)})
}

// locateOrder finds an order by any of its ids, in VTEX, SkyHub or
// Mercado Livre (in account, when given).
func (p *plane) locateOrder(id, account string) (subject, bool) {
	inAccount := func(a string) bool { return account == "" || a == account }
	acct, found := p.OMS.Locate(id)
	if found && inAccount(acct.Name()) {
		sub := subject{account: acct.Name()}
		_ = acct.Read(id, func(o *oms.Order) error {
			sub.channel, sub.ids = vtexRow(o).Channel, []string{o.OrderID}
			if o.MarketplaceOrderID != "" {
				sub.ids = append(sub.ids, o.MarketplaceOrderID)
			}
			return nil
		})
		return sub, true
	}
	if st, ok := p.SkyHub.Locate(id); ok && inAccount(st.Info().Account) {
		sub := subject{account: st.Info().Account, channel: listSkyHub, ids: []string{id}}
		if a, ok := p.OMS.Account(sub.account); ok {
			if twin, ok := a.ByMarketplaceOrderID(id); ok {
				sub.channel, sub.ids = listB2W, append(sub.ids, twin)
			}
		}
		return sub, true
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		if a, s, ok := p.MercadoLivre.Sale(n); ok && inAccount(a) {
			sub := subject{account: a, channel: listMercadoLivre, ids: []string{id}}
			for _, other := range []int64{s.PackID, s.ShipmentID} {
				if other != 0 {
					sub.ids = append(sub.ids, strconv.FormatInt(other, 10))
				}
			}
			return sub, true
		}
	}
	return subject{}, false
}

// timeline gathers an order's events and the calls that name it, or
// that raised its events, each call with the events raised while it was
// served, in the order they happened.
func (p *plane) timeline(sub subject) []timelineStep {
	ids := map[string]bool{}
	for _, id := range sub.ids {
		ids[id] = true
	}
	evs := p.Events.Select(func(e *events.Event) bool { return e.Account == sub.account && eventNames(e, ids) })
	// caused returns the order's events raised while c was served (evs
	// is in sequence order).
	caused := func(c *journal.Entry) []events.Event {
		from := sort.Search(len(evs), func(i int) bool { return evs[i].Seq > c.EventSeqStart })
		to := sort.Search(len(evs), func(i int) bool { return evs[i].Seq > c.EventSeqEnd })
		return evs[from:max(from, to)]
	}
	calls := p.Journal.Select(func(c *journal.Entry) bool {
		return (c.Account == sub.account || c.Account == "") && (callNames(c, ids) || len(caused(c)) > 0)
	})
	type keyed struct {
		key  int64 // events at 2×seq; a call just after the last event before it
		step timelineStep
	}
	var steps []keyed
	claimed := map[int64]bool{}
	for i := range calls {
		c := &calls[i]
		mine := caused(c)
		for _, e := range mine {
			claimed[e.Seq] = true
		}
		steps = append(steps, keyed{2*c.EventSeqStart + 1, timelineStep{Call: c, Events: append([]events.Event{}, mine...)}})
	}
	for _, e := range evs {
		if !claimed[e.Seq] {
			steps = append(steps, keyed{2 * e.Seq, timelineStep{Events: []events.Event{e}}})
		}
	}
	slices.SortStableFunc(steps, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	out := make([]timelineStep, len(steps))
	for i, s := range steps {
		out[i] = s.step
	}
	return out
}

// eventNames tells whether an event is about one of the ids: its order,
// or the SkyHub code or order its data names.
func eventNames(e *events.Event, ids map[string]bool) bool {
	if ids[e.OrderID] {
		return true
	}
	for _, k := range []string{"code", "orderId"} {
		if s, ok := e.Data[k].(string); ok && ids[s] {
			return true
		}
	}
	return false
}

// callNames tells whether a recorded call names one of the ids: in a path
// segment (SkyHub codes arrive escaped or not), or, for the sandbox's own
// deliveries (hook, Mercado Livre notifications), in the body it sent.
func callNames(c *journal.Entry, ids map[string]bool) bool {
	for _, seg := range strings.Split(c.Path, "/") {
		if ids[seg] {
			return true
		}
		if u, err := url.PathUnescape(seg); err == nil && ids[u] {
			return true
		}
	}
	if c.API == "hook" || c.API == "mercadolivre-notification" {
		for id := range ids {
			if strings.Contains(c.RequestBody, `"`+id+`"`) || strings.Contains(c.RequestBody, `/`+id+`"`) {
				return true
			}
		}
	}
	return false
}
