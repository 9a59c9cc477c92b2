package mercadolivre

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/money"
)

// Order statuses (D-ORD).
const (
	OrderConfirmed         = "confirmed"
	OrderPaymentRequired   = "payment_required"
	OrderPaymentInProcess  = "payment_in_process"
	OrderPaid              = "paid"
	OrderPartiallyRefunded = "partially_refunded"
	OrderCancelled         = "cancelled"
)

// Order actions.
const (
	ActPay           = "pay"
	ActPartialRefund = "partial_refund"
	ActRefund        = "refund"
	ActCancel        = "cancel"
)

// OrderTransition is one row of the order table.
type OrderTransition struct {
	Action string
	From   []string
	To     string
}

// OrderTable is the order status machine: the platform (payment, refund)
// moves orders, never the seller's API calls.
var OrderTable = []OrderTransition{
	{ActPay, []string{OrderConfirmed, OrderPaymentRequired, OrderPaymentInProcess}, OrderPaid},
	{ActPartialRefund, []string{OrderPaid, OrderPartiallyRefunded}, OrderPartiallyRefunded},
	{ActRefund, []string{OrderPaid, OrderPartiallyRefunded}, OrderCancelled},
	{ActCancel, []string{OrderConfirmed, OrderPaymentRequired, OrderPaymentInProcess}, OrderCancelled},
}

// NextOrderStatus reads the table: where action takes an order in from.
func NextOrderStatus(from, action string) (string, error) {
	for _, t := range OrderTable {
		if t.Action == action {
			if slices.Contains(t.From, from) {
				return t.To, nil
			}
			return "", refuse(409, "invalid_order_status", "cannot %s an order in %s; only from %s", action, from, strings.Join(t.From, ", "))
		}
	}
	return "", refuse(400, "invalid_action", "unknown order action %q", action)
}

// Shipment statuses and substatuses (D-SHIP).
const (
	ShipPending       = "pending"
	ShipHandling      = "handling"
	ShipReadyToShip   = "ready_to_ship"
	ShipShipped       = "shipped"
	ShipDelivered     = "delivered"
	ShipNotDelivered  = "not_delivered"
	ShipCancelled     = "cancelled"
	SubInvoicePending = "invoice_pending"
	SubReadyToPrint   = "ready_to_print"
	SubPrinted        = "printed"
	SubReturning      = "returning_to_sender"
)

// Shipment actions.
const (
	ShipActInvoice    = "invoice"
	ShipActPrint      = "print"
	ShipActShip       = "ship"
	ShipActDeliver    = "deliver"
	ShipActNotDeliver = "not_deliver"
	ShipActCancel     = "cancel"
)

// State is a shipment's status and substatus ("" for none).
type State struct{ Status, Substatus string }

func (s State) String() string {
	if s.Substatus == "" {
		return s.Status
	}
	return s.Status + "/" + s.Substatus
}

// ShipmentTransition is one row of the shipment table; a From with an
// empty substatus matches any substatus of that status.
type ShipmentTransition struct {
	Action string
	From   []State
	To     State
}

// ShipmentTable is the Mercado Envios (me2, drop_off) machine of a
// seller that invoices with an NF-e: the NF-e upload leaves
// invoice_pending, the first label print sets printed, the carrier
// ships and delivers (sandbox clock or control plane).
var ShipmentTable = []ShipmentTransition{
	{ShipActInvoice, []State{{ShipReadyToShip, SubInvoicePending}, {ShipHandling, SubInvoicePending}}, State{ShipReadyToShip, SubReadyToPrint}},
	{ShipActPrint, []State{{ShipReadyToShip, SubReadyToPrint}, {ShipReadyToShip, SubPrinted}}, State{ShipReadyToShip, SubPrinted}},
	{ShipActShip, []State{{ShipReadyToShip, SubReadyToPrint}, {ShipReadyToShip, SubPrinted}}, State{ShipShipped, ""}},
	{ShipActDeliver, []State{{ShipShipped, ""}}, State{ShipDelivered, ""}},
	{ShipActNotDeliver, []State{{ShipShipped, ""}}, State{ShipNotDelivered, SubReturning}},
	{ShipActCancel, []State{{ShipPending, ""}, {ShipHandling, ""}, {ShipReadyToShip, ""}}, State{ShipCancelled, ""}},
}

// NextShipmentState reads the table.
func NextShipmentState(from State, action string) (State, error) {
	for _, t := range ShipmentTable {
		if t.Action != action {
			continue
		}
		for _, f := range t.From {
			if f.Status == from.Status && (f.Substatus == "" || f.Substatus == from.Substatus) {
				return t.To, nil
			}
		}
		froms := make([]string, len(t.From))
		for i, f := range t.From {
			froms[i] = f.String()
		}
		return State{}, refuse(409, "invalid_shipment_status", "cannot %s a shipment in %s; only from %s", action, from, strings.Join(froms, ", "))
	}
	return State{}, refuse(400, "invalid_action", "unknown shipment action %q", action)
}

type orderItem struct {
	itemID, title, sku string
	variationID        int64
	qty                int
	unitCents          int64
}

type order struct {
	id, packID, shipmentID int64
	account                string
	sellerID, buyerID      int64
	status                 string
	created, updated       time.Time
	closed                 *time.Time
	items                  []orderItem
	totalCents, refunded   int64
	buyer                  brdata.Person
	cnpj, company          string
	address                brdata.Address
	paymentID              int64
	payment                string
	cancelled              *time.Time
}

type pack struct {
	id, shipmentID, buyerID int64
	account                 string
	sellerID                int64
	orders                  []int64
	created, updated        time.Time
}

type histEntry struct {
	State
	at time.Time
}

type shipment struct {
	id, sellerID, buyerID int64
	account               string
	orders                []int64
	packID                int64
	state                 State
	created, updated      time.Time
	firstPrinted          *time.Time
	history               []histEntry
	tracking              string
	invoice               *Invoice
	totalCents            int64
	receiver              string
	address               brdata.Address
}

// NewOrder is a sale the control plane makes: paid unless Status says
// otherwise; several items make a pack of one order per item with one
// shipment.
type NewOrder struct {
	Account string
	Status  string // paid (default), confirmed, payment_required or payment_in_process
	Items   []NewItem
	// Buyer data; generated when empty. CNPJ makes a company buyer.
	FirstName, LastName, CPF, CNPJ, Company string
	Address                                 *brdata.Address
	Payment                                 string
	// AllowOversell sells from a listing whatever its status and stock;
	// otherwise a paused or closed listing, or one without the units, is
	// refused, as buyers cannot buy them.
	AllowOversell bool
}

// NewItem is one line; ItemID names a listing of the seller to sell from
// (its stock drops once paid) or any id for a free line.
type NewItem struct {
	ItemID      string
	Title       string
	PriceCents  int64
	Quantity    int
	VariationID int64
}

// Created is what creating an order made.
type Created struct {
	OrderIDs   []int64 `json:"orderIds"`
	OrderID    int64   `json:"orderId"`
	PackID     int64   `json:"packId,omitempty"`
	ShipmentID int64   `json:"shipmentId,omitempty"`
	SellerID   int64   `json:"sellerId"`
}

// CreateOrder records a sale for the account's seller.
func (m *Market) CreateOrder(n NewOrder) (Created, error) {
	status := cmp.Or(n.Status, OrderPaid)
	if !slices.Contains([]string{OrderPaid, OrderConfirmed, OrderPaymentRequired, OrderPaymentInProcess}, status) {
		return Created{}, refuse(400, "invalid_status", "an order is created paid, confirmed, payment_required or payment_in_process, not %q", status)
	}
	if len(n.Items) == 0 {
		return Created{}, refuse(400, "invalid_items", "an order needs at least one item")
	}
	for i, it := range n.Items {
		f := fmt.Sprintf("items[%d]", i)
		if err := money.Cents(f+".price", it.PriceCents); err != nil || it.PriceCents <= 0 {
			return Created{}, refuse(400, "invalid_items", "%s.price must be a positive amount within bounds", f)
		}
		if err := money.Quantity(f+".quantity", it.Quantity); err != nil || it.Quantity <= 0 {
			return Created{}, refuse(400, "invalid_items", "%s.quantity must be positive and within bounds", f)
		}
	}
	if n.CPF != "" && !brdata.ValidCPF(n.CPF) {
		return Created{}, refuse(400, "invalid_buyer", "customer.document %q is not a valid CPF", n.CPF)
	}
	if n.CNPJ != "" && !brdata.ValidCNPJ(n.CNPJ) {
		return Created{}, refuse(400, "invalid_buyer", "customer.corporateDocument %q is not a valid CNPJ", n.CNPJ)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[n.Account]
	if !ok {
		return Created{}, refuse(404, "not_found", "account %q has no Mercado Livre app", n.Account)
	}
	lines := make([]orderItem, len(n.Items))
	for i, it := range n.Items {
		line := orderItem{itemID: it.ItemID, title: it.Title, qty: it.Quantity, unitCents: it.PriceCents, variationID: it.VariationID}
		if li, ok := m.items[it.ItemID]; ok && li.account == n.Account {
			line.title = cmp.Or(line.title, li.title)
			line.sku = li.sku
			if line.variationID != 0 {
				v := li.variation(line.variationID)
				if v == nil {
					return Created{}, refuse(400, "invalid_items", "items[%d].variationId %d is not a variation of %s", i, line.variationID, li.id)
				}
				line.sku = cmp.Or(v.sku, line.sku)
			} else if len(li.variations) > 0 {
				return Created{}, refuse(400, "invalid_items", "items[%d]: %s has variations; name one with variationId", i, li.id)
			}
			if !n.AllowOversell {
				avail := li.qty
				if v := li.variation(line.variationID); v != nil {
					avail = v.qty
				}
				if li.status != ItemActive || avail < line.qty {
					return Created{}, refuse(409, "insufficient_stock", "items[%d]: listing %s is %s with %d available; %d asked (send allowOversell to sell anyway)",
						i, li.id, li.status, avail, line.qty)
				}
			}
		}
		if line.itemID == "" {
			line.itemID = fmt.Sprintf("MLB%d", m.newID(1_000_000_000, 8_999_999_999))
		}
		line.title = cmp.Or(line.title, "Produto "+line.itemID)
		lines[i] = line
	}
	now := m.clock.Now()
	buyer := brdata.NewPerson(m.rng)
	buyer.FirstName, buyer.LastName = cmp.Or(n.FirstName, buyer.FirstName), cmp.Or(n.LastName, buyer.LastName)
	buyer.CPF = cmp.Or(n.CPF, buyer.CPF)
	addr := brdata.NewAddress(m.rng)
	if n.Address != nil {
		addr = *n.Address
	}
	buyerID := m.newID(1_000_000_000, 1_000_000_000)
	var c Created
	c.SellerID = a.SellerID
	var pk *pack
	if len(lines) > 1 {
		pk = &pack{id: m.newID(2_000_000_000_000_000, 999_999_999_999_999), buyerID: buyerID, account: n.Account, sellerID: a.SellerID,
			created: now, updated: now}
		m.packs[pk.id] = pk
		c.PackID = pk.id
	}
	var made []*order
	for _, line := range lines {
		o := &order{id: m.newID(2_000_000_000_000_000, 999_999_999_999_999), account: n.Account, sellerID: a.SellerID, buyerID: buyerID,
			status: OrderConfirmed, created: now, updated: now, items: []orderItem{line}, totalCents: line.unitCents * int64(line.qty),
			buyer: buyer, cnpj: n.CNPJ, company: n.Company, address: addr, paymentID: m.newID(10_000_000_000, 89_999_999_999),
			payment: cmp.Or(n.Payment, "pix")}
		if pk != nil {
			o.packID = pk.id
			pk.orders = append(pk.orders, o.id)
		}
		m.orders[o.id] = o
		made = append(made, o)
		c.OrderIDs = append(c.OrderIDs, o.id)
		m.publish(o.account, EventOrder, o.sellerID, fmt.Sprintf("/orders/%d", o.id), strconv.FormatInt(o.id, 10),
			map[string]any{"action": "created", "to": o.status})
	}
	c.OrderID = c.OrderIDs[0]
	if status != OrderConfirmed {
		for _, o := range made {
			if status == OrderPaid {
				m.payLocked(o, now)
			} else {
				m.setOrderStatus(o, status, now)
			}
		}
	}
	if made[0].shipmentID != 0 {
		c.ShipmentID = made[0].shipmentID
	}
	return c, nil
}

// setOrderStatus changes an order's status and tells; m.mu held.
func (m *Market) setOrderStatus(o *order, to string, now time.Time) {
	from := o.status
	o.status, o.updated = to, now
	m.publish(o.account, EventOrder, o.sellerID, fmt.Sprintf("/orders/%d", o.id), strconv.FormatInt(o.id, 10),
		map[string]any{"action": "status", "from": from, "to": to})
}

// payLocked approves an order's payment: paid, its listings' stock drops,
// and its shipment (one per pack) is created waiting for the NF-e.
func (m *Market) payLocked(o *order, now time.Time) {
	o.closed = &now
	m.setOrderStatus(o, OrderPaid, now)
	for _, line := range o.items {
		if li, ok := m.items[line.itemID]; ok && li.account == o.account {
			m.sell(li, line.variationID, line.qty, now)
		}
	}
	var group []*order
	if o.packID != 0 {
		pk := m.packs[o.packID]
		for _, id := range pk.orders {
			if m.orders[id].status != OrderPaid {
				return // the pack's shipment waits for every order's payment
			}
			group = append(group, m.orders[id])
		}
	} else {
		group = []*order{o}
	}
	s := &shipment{id: m.newID(40_000_000_000, 9_999_999_999), sellerID: o.sellerID, buyerID: o.buyerID, account: o.account,
		packID: o.packID, state: State{ShipReadyToShip, SubInvoicePending}, created: now, updated: now,
		receiver: o.buyer.FirstName + " " + o.buyer.LastName, address: o.address}
	s.history = []histEntry{{State{ShipPending, "buffered"}, now}, {State{ShipHandling, ""}, now}, {s.state, now}}
	for _, g := range group {
		s.orders = append(s.orders, g.id)
		s.totalCents += g.totalCents
		g.shipmentID = s.id
	}
	if o.packID != 0 {
		m.packs[o.packID].shipmentID = s.id
	}
	m.shipments[s.id] = s
	m.publish(s.account, EventShipment, s.sellerID, fmt.Sprintf("/shipments/%d", s.id), strconv.FormatInt(s.id, 10),
		map[string]any{"action": "created", "to": s.state.String()})
	for _, g := range group {
		m.publish(g.account, EventOrder, g.sellerID, fmt.Sprintf("/orders/%d", g.id), strconv.FormatInt(g.id, 10),
			map[string]any{"action": "shipping"})
	}
}

// OrderStep drives an order through the table (the platform's side:
// payment, refunds). amountCents is a partial refund's amount.
func (m *Market) OrderStep(account string, id int64, action string, amountCents int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok || o.account != account {
		return refuse(404, "order_not_found", "Order not found.")
	}
	to, err := NextOrderStatus(o.status, action)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	switch action {
	case ActPay:
		m.payLocked(o, now)
		return nil
	case ActPartialRefund:
		if amountCents <= 0 || o.refunded+amountCents >= o.totalCents {
			return refuse(400, "invalid_amount", "a partial refund must be above 0 and below what is left (%.2f)", reais(o.totalCents-o.refunded))
		}
		o.refunded += amountCents
	case ActRefund:
		o.refunded = o.totalCents
		o.cancelled = &now
		m.cancelShipment(o, now)
	case ActCancel:
		o.cancelled = &now
	}
	m.setOrderStatus(o, to, now)
	return nil
}

// cancelShipment cancels the order's shipment unless it left already.
func (m *Market) cancelShipment(o *order, now time.Time) {
	s := m.shipments[o.shipmentID]
	if s == nil {
		return
	}
	if to, err := NextShipmentState(s.state, ShipActCancel); err == nil {
		m.moveShipment(s, to, now)
	}
}

// moveShipment sets a shipment's state and tells; m.mu held.
func (m *Market) moveShipment(s *shipment, to State, now time.Time) {
	from := s.state
	s.state, s.updated = to, now
	s.history = append(s.history, histEntry{to, now})
	m.publish(s.account, EventShipment, s.sellerID, fmt.Sprintf("/shipments/%d", s.id), strconv.FormatInt(s.id, 10),
		map[string]any{"action": "status", "from": from.String(), "to": to.String()})
	for _, id := range s.orders {
		if o := m.orders[id]; o != nil {
			m.publish(o.account, EventOrder, o.sellerID, fmt.Sprintf("/orders/%d", o.id), strconv.FormatInt(o.id, 10),
				map[string]any{"action": "shipment", "to": to.String()})
		}
	}
}

// ShipmentStep drives a shipment by its action (control plane: ship,
// deliver, not_deliver).
func (m *Market) ShipmentStep(account string, id int64, action string) (State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if !ok || s.account != account {
		return State{}, refuse(404, "not_found", "Missing a valid shipment id value")
	}
	if action != ShipActShip && action != ShipActDeliver && action != ShipActNotDeliver {
		return State{}, refuse(400, "invalid_action", "the control plane ships, delivers or fails delivery (ship, deliver, not_deliver), not %q", action)
	}
	to, err := NextShipmentState(s.state, action)
	if err != nil {
		return State{}, err
	}
	m.step(s, action, to, m.clock.Now())
	return to, nil
}

// step applies a shipment action and schedules what follows; m.mu held.
func (m *Market) step(s *shipment, action string, to State, now time.Time) {
	if action == ShipActShip && s.tracking == "" {
		s.tracking = fmt.Sprintf("MEL%dFMDOF01", s.id)
	}
	m.moveShipment(s, to, now)
	if action == ShipActShip {
		for _, id := range s.orders {
			if o := m.orders[id]; o != nil {
				o.updated = now
			}
		}
	}
	var next string
	var after time.Duration
	switch action {
	case ShipActPrint:
		next, after = ShipActShip, m.timings.ShipAfter
	case ShipActShip:
		next, after = ShipActDeliver, m.timings.DeliverAfter
	}
	if next == "" || after <= 0 {
		return
	}
	if action == ShipActPrint && s.firstPrinted != nil && !s.firstPrinted.Equal(now) {
		return // reprints schedule nothing new
	}
	id := s.id
	m.at(s.account, now.Add(after), func() {
		s, ok := m.shipments[id]
		if !ok {
			return
		}
		if to, err := NextShipmentState(s.state, next); err == nil {
			m.step(s, next, to, m.clock.Now())
		}
	})
}
