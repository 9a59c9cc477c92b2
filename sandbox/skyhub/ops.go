package skyhub

import (
	"fmt"
	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/money"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
)

// NewOrder describes a SkyHub order to create (a test order, or the twin
// of a VTEX order the sandbox creates for B2W).
type NewOrder struct {
	Code            string  `json:"code"`
	Channel         string  `json:"channel"`
	CalculationType string  `json:"calculation_type"`
	ShippingMethod  string  `json:"shipping_method"`
	ShippingCost    float64 `json:"shipping_cost"`
	Items           []struct {
		ID            string  `json:"id"`
		Name          string  `json:"name"`
		Qty           int     `json:"qty"`
		OriginalPrice float64 `json:"original_price"`
		SpecialPrice  float64 `json:"special_price"`
	} `json:"items"`
	Customer        Customer `json:"customer"`
	ShippingAddress Address  `json:"shipping_address"`
	// Approved creates the order APPROVED rather than NEW (twins of paid
	// VTEX orders).
	Approved bool `json:"-"`
}

var invalid = func(format string, a ...any) error {
	return &Error{Status: 422, Message: fmt.Sprintf(format, a...)}
}

// CreateOrder creates an order; it enters the queue.
func (s *Store) CreateOrder(n NewOrder) (string, error) {
	if len(n.Items) == 0 {
		return "", &Error{Status: 400, Message: "order.items must list at least one item"}
	}
	bound := n.ShippingCost
	if err := money.Reais("order.shipping_cost", n.ShippingCost); err != nil {
		return "", &Error{Status: 400, Message: err.Error()}
	}
	for i, it := range n.Items {
		if it.ID == "" || it.Qty < 1 {
			return "", &Error{Status: 400, Message: fmt.Sprintf("order.items[%d] needs an id and a qty of at least 1", i)}
		}
		field := fmt.Sprintf("order.items[%d]", i)
		for _, err := range []error{money.Quantity(field+".qty", it.Qty), money.Reais(field+".original_price", it.OriginalPrice),
			money.Reais(field+".special_price", it.SpecialPrice)} {
			if err != nil {
				return "", &Error{Status: 400, Message: err.Error()}
			}
		}
		// Bounded prices times bounded quantities stay exact enough in a
		// float64; the total is checked as it grows.
		if bound += max(it.SpecialPrice, it.OriginalPrice) * float64(it.Qty); bound > money.MaxReais {
			return "", &Error{Status: 400, Message: fmt.Sprintf("%s: brings the order total past R$ %.0f", field, money.MaxReais)}
		}
	}
	switch n.CalculationType {
	case "", CalcDirect, CalcCorreios:
	default:
		return "", invalid("calculation_type %q is not b2wentregadirect or b2wentregacorreios", clip.ID(n.CalculationType))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n.Channel == "" {
		n.Channel = "Lojas Americanas"
	}
	if n.Code == "" {
		for n.Code == "" || s.orders[n.Code] != nil {
			n.Code = n.Channel + "-" + strconv.FormatInt(100_000_000_000+s.rng.Int64N(900_000_000_000), 10)
		}
	}
	if s.orders[n.Code] != nil {
		return "", invalid("order %s exists already", n.Code)
	}
	now := s.hub.clock.Now()
	o := &Order{Code: n.Code, Channel: n.Channel, PlacedAt: skyhubTime(now), UpdatedAt: skyhubTime(now),
		ImportedAt: skyhubTime(now), EstimatedDelivery: now.AddDate(0, 0, 7).In(saoPaulo).Format("2006-01-02"),
		ShippingCost: n.ShippingCost, ShippingMethod: n.ShippingMethod, SyncStatus: "NOT_SYNCED",
		Customer: n.Customer, BillingAddress: n.ShippingAddress, ShippingAddress: n.ShippingAddress,
		Status: statusOfType(New), Invoices: []Invoice{}, Shipments: []Shipment{}, remote: RemoteOf(n.Code)}
	if o.Customer.Phones == nil {
		o.Customer.Phones = []string{}
	}
	if n.CalculationType != "" {
		c := n.CalculationType
		o.CalculationType = &c
		carrier := map[string]string{CalcDirect: "Direct Express", CalcCorreios: "Correios"}[c]
		o.ShippingCarrier = &carrier
		if o.ShippingMethod == "" {
			o.ShippingMethod = map[string]string{CalcDirect: "B2W Entrega Direct", CalcCorreios: "B2W Entrega Correios"}[c]
		}
	}
	o.ImportInfo = ImportInfo{SSName: n.Channel, RemoteID: o.remote, RemoteCode: o.remote}
	var total float64
	for _, it := range n.Items {
		price := it.SpecialPrice
		if price == 0 {
			price = it.OriginalPrice
		}
		o.Items = append(o.Items, Item{ID: it.ID, ProductID: it.ID, Name: it.Name, Qty: it.Qty,
			OriginalPrice: it.OriginalPrice, SpecialPrice: price})
		total += price * float64(it.Qty)
	}
	o.TotalOrdered = round2(total + n.ShippingCost)
	o.Payments = []Payment{{Method: "CREDIT_CARD", Description: "Cartão de Crédito", Parcels: 1, Value: o.TotalOrdered, Status: "APPROVED"}}
	s.orders[o.Code] = o
	s.remote[o.remote] = o
	s.list = append(s.list, o)
	s.enqueue(o.Code, now)
	s.publish(o, EventOrderCreated, nil)
	if n.Approved {
		s.setStatus(o, Approved, now)
	}
	return o.Code, nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// Approve marks a test order paid (POST /orders/{code}/approval).
func (s *Store) Approve(code, status string) error {
	if status != "" && status != "payment_received" {
		return s.unknownStatus(status, "payment_received")
	}
	return s.act(code, "approval", ByMarketplace, nil)
}

func (s *Store) unknownStatus(got, want string) error {
	if _, ok := statusByCode(got); !ok {
		return invalid("status %q is not a status of this account", clip.ID(got))
	}
	return invalid("status %q does not fit this call; send %q", clip.ID(got), want)
}

// InvoiceRequest is the body of POST /orders/{code}/invoice.
type InvoiceRequest struct {
	Status  string `json:"status"`
	Invoice struct {
		Key       string `json:"key"`
		IssueDate string `json:"issue_date"`
		VolumeQty Qty    `json:"volume_qty"`
	} `json:"invoice"`
}

// Qty is a count SkyHub clients send as a number or a numeric string.
type Qty int

// UnmarshalJSON reads 2 or "2".
func (q *Qty) UnmarshalJSON(b []byte) error {
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	if err != nil {
		return fmt.Errorf("volume_qty %s is not a whole number", b)
	}
	*q = Qty(n)
	return nil
}

// Invoice records the NF-e and moves the order to INVOICED. B2W processes
// a Direct invoice before its label is ready: at once, unless manual
// processing is on.
func (s *Store) Invoice(code string, req InvoiceRequest) error {
	if req.Status != "" && req.Status != "order_invoiced" {
		return s.unknownStatus(req.Status, "order_invoiced")
	}
	if problem := brdata.NFeKeyProblem(req.Invoice.Key); problem != "" {
		return &Error{Status: 400, Message: fmt.Sprintf("invoice.key %q %s", clip.ID(req.Invoice.Key), problem)}
	}
	if issuer := brdata.NFeKeyCNPJ(req.Invoice.Key); issuer != s.seller.Issuer() {
		return invalid("invoice.key names the issuer CNPJ %s, not this seller's %s", issuer, s.seller.Issuer())
	}
	if req.Invoice.VolumeQty < 0 {
		return &Error{Status: 400, Message: "invoice.volume_qty must not be negative"}
	}
	return s.act(code, "invoice", BySeller, func(o *Order, now time.Time) error {
		issue := req.Invoice.IssueDate
		if issue == "" {
			issue = skyhubTime(now) // SkyHub defaults it to the time of the request
		}
		vol := int(req.Invoice.VolumeQty)
		if vol == 0 {
			vol = 1
		}
		o.Invoices = append(o.Invoices, Invoice{Key: req.Invoice.Key, Number: strings.TrimLeft(req.Invoice.Key[25:34], "0"),
			Line: strings.TrimLeft(req.Invoice.Key[22:25], "0"), IssueDate: issue, VolumeQty: vol})
		o.invoiceProcessed = !s.hub.manual
		s.publish(o, EventInvoiced, map[string]any{"key": req.Invoice.Key, "volumeQty": vol})
		return nil
	})
}

// ProcessInvoice is B2W processing a Direct invoice (control plane, when
// processing is manual).
func (s *Store) ProcessInvoice(code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(code)
	if err != nil {
		return err
	}
	if o.Status.Type != Invoiced {
		return invalid("order %s is %s; only an invoiced order has an invoice to process", o.Code, o.Status.Type)
	}
	o.invoiceProcessed = true
	return nil
}

// ShipmentRequest is the body of POST /orders/{code}/shipments. Clients
// send the items inside or outside "shipment"; both are read.
type ShipmentRequest struct {
	Status   string `json:"status"`
	Shipment struct {
		Code                 string         `json:"code"`
		DeliveredCarrierDate string         `json:"delivered_carrier_date"`
		Items                []ShipmentItem `json:"items"`
		Track                Track          `json:"track"`
	} `json:"shipment"`
	Items []ShipmentItem `json:"items"`
}

// Ship records tracking and moves the order to SHIPPED (seller's own
// logistics only).
func (s *Store) Ship(code string, req ShipmentRequest, by Actor) error {
	if req.Status != "" && req.Status != "order_shipped" {
		return s.unknownStatus(req.Status, "order_shipped")
	}
	if len(req.Shipment.Track.URL) > 200 {
		return &Error{Status: 400, Message: "shipment.track.url is longer than the 200 characters B2W accepts"}
	}
	return s.act(code, "shipments", by, func(o *Order, _ time.Time) error {
		items := req.Shipment.Items
		if len(items) == 0 {
			items = req.Items
		}
		if items == nil {
			items = []ShipmentItem{}
		}
		tracks := []Track{}
		if req.Shipment.Track.Code != "" {
			tracks = append(tracks, req.Shipment.Track)
		}
		c := req.Shipment.Code
		if c == "" {
			c = o.Code
		}
		o.Shipments = append(o.Shipments, Shipment{Code: c, Items: items, Tracks: tracks})
		return nil
	})
}

// Deliver moves the order to DELIVERED.
func (s *Store) Deliver(code, status string, by Actor) error {
	if status != "" && status != "complete" {
		return s.unknownStatus(status, "complete")
	}
	return s.act(code, "delivery", by, nil)
}

// Cancel moves the order to CANCELED; a requested pickup goes with it.
func (s *Store) Cancel(code, status string, by Actor) error {
	if status != "" && status != "order_canceled" {
		return s.unknownStatus(status, "order_canceled")
	}
	return s.act(code, "cancel", by, func(o *Order, _ time.Time) error {
		s.dropFromPLP(o)
		return nil
	})
}

// ExceptionRequest is the body of POST /orders/{code}/shipment_exception.
type ExceptionRequest struct {
	Status            string     `json:"status"`
	ShipmentException Occurrence `json:"shipment_exception"`
}

// ShipmentException records a delivery problem.
func (s *Store) ShipmentException(code string, req ExceptionRequest) error {
	if req.Status != "" && req.Status != "shipment_exception" {
		return s.unknownStatus(req.Status, "shipment_exception")
	}
	return s.act(code, "shipment_exception", BySeller, func(o *Order, _ time.Time) error {
		occ := req.ShipmentException
		o.ShipmentException = &occ
		return nil
	})
}

// Filter selects orders of GET /orders.
type Filter struct {
	Statuses   []string
	From, To   time.Time // placed_at, inclusive days; zero: open
	SaleSystem string
	Page       int
	PerPage    int
}

// List answers GET /orders: {total, orders}.
func (s *Store) List(f Filter) (int, []Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []Order
	for _, o := range s.list {
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status.Code) {
			continue
		}
		if f.SaleSystem != "" && o.Channel != f.SaleSystem {
			continue
		}
		placed, _ := time.Parse("2006-01-02T15:04:05-07:00", o.PlacedAt)
		if !f.From.IsZero() && placed.Before(f.From) || !f.To.IsZero() && !placed.Before(f.To.AddDate(0, 0, 1)) {
			continue
		}
		matched = append(matched, *o)
	}
	start := (f.Page - 1) * f.PerPage
	if start >= len(matched) {
		return len(matched), []Order{}
	}
	return len(matched), matched[start:min(start+f.PerPage, len(matched))]
}

// QueueNext returns the order at the head of the queue and hides it for
// five minutes; ok is false when nothing is visible.
func (s *Store) QueueNext() (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.hub.clock.Now()
	for i := range s.queue {
		if s.queue[i].visibleAt.After(now) {
			continue
		}
		s.queue[i].visibleAt = now.Add(Redelivery)
		s.queue[i].read = s.queue[i].changes
		o := s.orders[s.queue[i].code]
		return *o, true
	}
	return Order{}, false
}

// QueueDelete acknowledges an order: it leaves the queue, and is SYNCED.
func (s *Store) QueueDelete(code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(code)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(s.queue, func(q queued) bool { return q.code == o.Code })
	if i < 0 {
		return &Error{Status: 404, Message: fmt.Sprintf("Pedido %s não está na fila", o.Code)}
	}
	if q := s.queue[i]; q.read != q.changes {
		// Changed since it was read: the client has the old status; the
		// order stays queued, visible at once, with the new one.
		s.queue[i].visibleAt = s.hub.clock.Now()
		return nil
	}
	s.queue = slices.Delete(s.queue, i, i+1)
	o.SyncStatus = "SYNCED"
	return nil
}

// Candidate is an order ready to group (to_group, collectables).
type Candidate struct {
	Code     string  `json:"code"`
	Customer string  `json:"customer"`
	Value    float64 `json:"value"`
	Shipping string  `json:"shipping,omitempty"`
}

func page[T any](all []T, offset int) []T {
	if offset < 1 {
		offset = 1
	}
	start := (offset - 1) * PageSize
	if start >= len(all) {
		return []T{}
	}
	return all[start:min(start+PageSize, len(all))]
}

// ToGroup lists orders whose labels are ready to group.
func (s *Store) ToGroup(offset int) []Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Candidate
	for _, o := range s.list {
		if o.groupable() {
			out = append(out, Candidate{Code: o.remote, Customer: o.Customer.Name, Value: o.TotalOrdered, Shipping: o.plpType()})
		}
	}
	return page(out, offset)
}

// Group puts orders into a new PLP and returns its id. Every order must be
// ready to group, and all of one type.
func (s *Store) Group(codes []string) (int, error) {
	if len(codes) == 0 {
		return 0, &Error{Status: 400, Message: "order_remote_codes must list at least one order"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var orders []*Order
	kind := ""
	for _, c := range codes {
		o, err := s.lookup(c)
		if err != nil {
			return 0, err
		}
		if !o.groupable() {
			return 0, invalid("order %s cannot be grouped: %s", o.remote, s.whyNotGroupable(o))
		}
		if kind != "" && o.plpType() != kind {
			return 0, invalid("order %s is %s and cannot join a %s PLP", o.remote, o.plpType(), kind)
		}
		kind = o.plpType()
		orders = append(orders, o)
	}
	s.nextPLP++
	plp := &PLP{ID: s.nextPLP, Type: kind, ExpirationDate: s.hub.clock.Now().Add(PLPLifetime).In(saoPaulo).Format("2006-01-02")}
	for _, o := range orders {
		o.plp = plp.ID
		plp.Orders = append(plp.Orders, PLPOrder{Code: o.remote})
	}
	s.plps = append(s.plps, plp)
	s.hub.bus.Publish(s.plpEvent(EventGrouped, plp))
	return plp.ID, nil
}

func (s *Store) whyNotGroupable(o *Order) string {
	switch {
	case o.plp != 0:
		return fmt.Sprintf("it is in PLP %d already", o.plp)
	case o.fulfilledByB2W():
		return "B2W Fulfillment ships it from B2W's warehouse"
	case o.plpType() == "":
		return "it does not ship with B2W Entrega"
	case o.plpType() == "DIRECT" && o.Status.Type != Invoiced:
		return fmt.Sprintf("a Direct label needs the order invoiced, and it is %s", o.Status.Type)
	case o.plpType() == "DIRECT":
		return "B2W has not processed its invoice yet"
	}
	return fmt.Sprintf("it is %s", o.Status.Type)
}

func (s *Store) plpEvent(typ string, plp *PLP) events.Event {
	codes := make([]string, len(plp.Orders))
	for i, o := range plp.Orders {
		codes[i] = o.Code
	}
	return events.Event{Time: s.hub.clock.Now(), Account: s.seller.Account, Type: typ,
		Data: map[string]any{"plpId": plp.ID, "type": plp.Type, "orders": codes}}
}

// PLPs lists the seller's PLPs.
func (s *Store) PLPs(offset int) []PLP {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PLP, len(s.plps))
	for i, p := range s.plps {
		out[i] = *p
	}
	return page(out, offset)
}

// Ungroup dissolves a PLP: its orders go back to to_group and their pickup
// requests are canceled.
func (s *Store) Ungroup(id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.plps, func(p *PLP) bool { return p.ID == id })
	if i < 0 {
		return &Error{Status: 404, Message: fmt.Sprintf("Plp %d não encontrada", id)}
	}
	plp := s.plps[i]
	for _, po := range plp.Orders {
		if o := s.remote[po.Code]; o != nil {
			o.plp, o.collectionRequested = 0, false
		}
	}
	s.plps = slices.Delete(s.plps, i, i+1)
	s.hub.bus.Publish(s.plpEvent(EventUngrouped, plp))
	return nil
}

// dropFromPLP takes a (canceled) order out of its PLP.
func (s *Store) dropFromPLP(o *Order) {
	if o.plp == 0 {
		return
	}
	for _, p := range s.plps {
		if p.ID == o.plp {
			p.Orders = slices.DeleteFunc(p.Orders, func(po PLPOrder) bool { return po.Code == o.remote })
		}
	}
	o.plp, o.collectionRequested = 0, false
}

// Collectables lists grouped Direct orders whose pickup is (requested) or
// is not yet requested.
func (s *Store) Collectables(requested bool, offset int) []Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Candidate
	for _, o := range s.list {
		if o.plp != 0 && o.plpType() == "DIRECT" && o.collectionRequested == requested && o.Status.Type == Invoiced {
			out = append(out, Candidate{Code: o.remote, Customer: o.Customer.Name, Value: o.TotalOrdered})
		}
	}
	return page(out, offset)
}

// ConfirmCollection requests pickup of grouped Direct orders.
func (s *Store) ConfirmCollection(codes []string) error {
	if len(codes) == 0 {
		return &Error{Status: 400, Message: "order_codes must list at least one order"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var orders []*Order
	for _, c := range codes {
		o, err := s.lookup(c)
		if err != nil {
			return err
		}
		switch {
		case o.plpType() != "DIRECT":
			return invalid("order %s is not a B2W Entrega Direct order: nothing to collect", o.remote)
		case o.Status.Type != Invoiced:
			return invalid("order %s is %s; only invoiced orders are collected", o.remote, o.Status.Type)
		case o.plp == 0:
			return invalid("order %s is in no PLP; group it first", o.remote)
		case o.collectionRequested:
			return invalid("pickup of order %s is requested already", o.remote)
		}
		orders = append(orders, o)
	}
	for _, o := range orders {
		o.collectionRequested = true
		s.publish(o, EventCollectionRequested, map[string]any{"plpId": o.plp})
	}
	return nil
}

// Pickup is B2W's carrier collecting a requested order: SHIPPED, queued.
func (s *Store) Pickup(code string) error {
	s.mu.Lock()
	o, err := s.lookup(code)
	if err == nil && !o.collectionRequested && o.plpType() == "DIRECT" {
		err = invalid("order %s has no pickup requested", o.remote)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.act(code, "shipments", ByMarketplace, nil)
}

// MarkDelivered is B2W delivering a B2W Entrega order: DELIVERED, queued.
func (s *Store) MarkDelivered(code string) error { return s.act(code, "delivery", ByMarketplace, nil) }

// CancelByMarketplace cancels the order on B2W's side (the customer gave
// up, the payment fell through): CANCELED, and queued for the seller.
func (s *Store) CancelByMarketplace(code string) error {
	return s.act(code, "cancel", ByMarketplace, func(o *Order, _ time.Time) error {
		s.dropFromPLP(o)
		return nil
	})
}
