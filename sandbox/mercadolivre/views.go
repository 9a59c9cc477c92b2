package mercadolivre

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The documents the API answers, built under m.mu from the domain's
// state: Mercado Livre's field names, decimal money, -03:00 times.

func (m *Market) orderDoc(o *order) map[string]any {
	items := make([]map[string]any, len(o.items))
	for i, l := range o.items {
		var vid any
		if l.variationID != 0 {
			vid = l.variationID
		}
		var sku any
		if l.sku != "" {
			sku = l.sku
		}
		items[i] = map[string]any{
			"item": map[string]any{"id": l.itemID, "title": l.title, "category_id": "MLB1000", "variation_id": vid,
				"variation_attributes": []any{}, "seller_sku": sku, "seller_custom_field": nil, "condition": "new", "warranty": nil},
			"quantity": l.qty, "requested_quantity": map[string]any{"value": l.qty, "measure": "unit"},
			"unit_price": reais(l.unitCents), "full_unit_price": reais(l.unitCents), "currency_id": CurrencyID,
			"sale_fee": reais(l.unitCents * 16 / 100), "listing_type_id": "gold_special"}
	}
	var pack, shipping, closed, cancel any
	if o.packID != 0 {
		pack = o.packID
	}
	if o.shipmentID != 0 {
		shipping = map[string]any{"id": o.shipmentID}
	}
	if o.closed != nil {
		closed = Time(*o.closed)
	}
	if o.cancelled != nil {
		cancel = map[string]any{"group": "buyer", "code": "refund", "description": "Pagamento devolvido ao comprador",
			"requested_by": "buyer", "date": Time(*o.cancelled)}
	}
	tags := []string{"test_order"}
	switch o.status {
	case OrderPaid, OrderPartiallyRefunded:
		tags = append(tags, "paid")
	}
	if s := m.shipments[o.shipmentID]; s != nil {
		if s.state.Status == ShipDelivered {
			tags = append(tags, "delivered")
		} else {
			tags = append(tags, "not_delivered")
		}
	}
	if o.packID != 0 {
		tags = append(tags, "pack_order")
	}
	paid := o.totalCents
	payments := []map[string]any{}
	if o.closed != nil {
		payments = append(payments, map[string]any{"id": o.paymentID, "order_id": o.id, "payer_id": o.buyerID,
			"collector": map[string]any{"id": o.sellerID}, "status": "approved", "status_detail": "accredited",
			"transaction_amount": reais(o.totalCents), "transaction_amount_refunded": reais(o.refunded),
			"total_paid_amount": reais(o.totalCents), "shipping_cost": 0, "marketplace_fee": reais(o.totalCents * 16 / 100),
			"installments": 1, "payment_method_id": o.payment, "payment_type": paymentType[o.payment], "currency_id": CurrencyID,
			"date_created": Time(o.created), "date_approved": Time(*o.closed), "available_actions": []string{"refund"}})
	} else {
		paid = 0
	}
	return map[string]any{
		"id": o.id, "status": o.status, "status_detail": nil, "pack_id": pack, "date_created": Time(o.created),
		"date_closed": closed, "last_updated": Time(o.updated), "total_amount": reais(o.totalCents),
		"paid_amount": reais(paid), "currency_id": CurrencyID, "shipping_cost": nil, "buying_mode": "buy_equals_pay",
		"fulfilled": nil, "tags": tags, "mediations": []any{}, "cancel_detail": cancel,
		"context":     map[string]any{"channel": "marketplace", "site": SiteID, "flows": []any{}},
		"order_items": items, "payments": payments, "shipping": shipping,
		"buyer": map[string]any{"id": o.buyerID, "nickname": nickname(o), "first_name": o.buyer.FirstName,
			"last_name": o.buyer.LastName, "billing_info": billingInfo(o)},
		"seller": map[string]any{"id": o.sellerID},
		"taxes":  map[string]any{"amount": nil, "currency_id": nil, "id": nil},
	}
}

var paymentType = map[string]string{"pix": "bank_transfer", "boleto": "ticket", "creditCard": "credit_card"}

func nickname(o *order) string {
	return strings.ToUpper(strings.ReplaceAll(o.buyer.FirstName+o.buyer.LastName, " ", "")) + strconv.FormatInt(o.buyerID%1000, 10)
}

// billingInfo is the buyer's document for the invoice: CNPJ for a
// company buyer, CPF otherwise (the legacy doc_type/doc_number pair).
func billingInfo(o *order) map[string]any {
	if o.cnpj != "" {
		return map[string]any{"id": strconv.FormatInt(o.buyerID, 10) + "-" + o.cnpj[:8], "doc_type": "CNPJ", "doc_number": o.cnpj}
	}
	return map[string]any{"id": strconv.FormatInt(o.buyerID, 10) + "-" + o.buyer.CPF[:6], "doc_type": "CPF", "doc_number": o.buyer.CPF}
}

// billingDoc is GET /orders/{id}/billing_info (v1 shape).
func billingDoc(o *order) map[string]any {
	bi := billingInfo(o)
	add := []map[string]any{
		{"type": "FIRST_NAME", "value": o.buyer.FirstName}, {"type": "LAST_NAME", "value": o.buyer.LastName},
		{"type": "STREET_NAME", "value": o.address.Street}, {"type": "STREET_NUMBER", "value": o.address.Number},
		{"type": "CITY_NAME", "value": o.address.City}, {"type": "STATE_NAME", "value": o.address.State},
		{"type": "ZIP_CODE", "value": strings.ReplaceAll(o.address.PostalCode, "-", "")},
		{"type": "DOC_TYPE", "value": bi["doc_type"]},
	}
	if o.cnpj != "" {
		add = append(add, map[string]any{"type": "BUSINESS_NAME", "value": cmp.Or(o.company, o.buyer.FirstName+" "+o.buyer.LastName+" LTDA")})
	}
	return map[string]any{"billing_info": map[string]any{"doc_type": bi["doc_type"], "doc_number": bi["doc_number"], "additional_info": add}}
}

func (m *Market) packDoc(p *pack) map[string]any {
	orders := make([]map[string]any, len(p.orders))
	status := "released"
	cancelled := 0
	for i, id := range p.orders {
		orders[i] = map[string]any{"id": id}
		if o := m.orders[id]; o != nil && o.status == OrderCancelled {
			cancelled++
		}
	}
	if cancelled == len(p.orders) {
		status = "cancelled"
	}
	var ship any
	if p.shipmentID != 0 {
		ship = map[string]any{"id": p.shipmentID}
	}
	return map[string]any{"id": p.id, "status": status, "status_detail": nil, "buyer": map[string]any{"id": p.buyerID},
		"shipment": ship, "orders": orders, "date_created": Time(p.created), "last_updated": Time(p.updated)}
}

func (m *Market) shipmentDoc(s *shipment) map[string]any {
	var sub, tracking, method any
	if s.state.Substatus != "" {
		sub = s.state.Substatus
	}
	if s.tracking != "" {
		tracking, method = s.tracking, "MEL Distribution"
	}
	tags := []string{"test_shipment"}
	if s.firstPrinted != nil {
		tags = append(tags, "printed")
	}
	addr := map[string]any{"street_name": s.address.Street, "street_number": s.address.Number,
		"zip_code": strings.ReplaceAll(s.address.PostalCode, "-", ""), "city": map[string]any{"name": s.address.City},
		"state": map[string]any{"id": "BR-" + s.address.State, "name": s.address.State}, "neighborhood": map[string]any{"name": s.address.Neighborhood},
		"country": map[string]any{"id": "BR", "name": "Brasil"}, "comment": s.address.Complement}
	doc := map[string]any{"id": s.id, "status": s.state.Status, "substatus": sub, "date_created": Time(s.created),
		"last_updated": Time(s.updated), "tracking_number": tracking, "tracking_method": method,
		"declared_value": reais(s.totalCents), "tags": tags,
		"logistic":   map[string]any{"mode": "me2", "type": "drop_off", "direction": "forward"},
		"dimensions": map[string]any{"height": 10, "width": 15, "length": 20, "weight": 500},
		"origin":     map[string]any{"sender_id": s.sellerID, "type": "selling_address"},
		"destination": map[string]any{"receiver_id": s.buyerID, "receiver_name": s.receiver, "type": "buying_address",
			"shipping_address": addr},
		"source":    map[string]any{"site_id": SiteID, "market_place": "MELI"},
		"lead_time": map[string]any{"cost": 0, "list_cost": 0, "cost_type": "free", "currency_id": CurrencyID, "shipping_method": map[string]any{"name": "Normal"}},
	}
	if s.packID != 0 {
		doc["external_reference"] = nil
	}
	return doc
}

func historyDoc(s *shipment) []map[string]any {
	out := make([]map[string]any, len(s.history))
	for i, h := range s.history {
		var sub any
		if h.Substatus != "" {
			sub = h.Substatus
		}
		out[i] = map[string]any{"status": h.Status, "substatus": sub, "date": Time(h.at)}
	}
	return out
}

// OrderQuery is GET /orders/search.
type OrderQuery struct {
	Seller   int64
	Statuses []string
	// Date bounds on date_created, date_closed and last_updated (zero: none).
	CreatedFrom, CreatedTo, ClosedFrom, ClosedTo, UpdatedFrom, UpdatedTo time.Time
	Desc                                                                 bool
	Offset, Limit                                                        int
	Q                                                                    string
}

// SearchOrders lists a seller's orders, paged.
func (m *Market) SearchOrders(c Caller, q OrderQuery) (map[string]any, error) {
	if q.Seller != c.SellerID {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	in := func(t time.Time, from, to time.Time) bool {
		return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
	}
	var found []*order
	for _, o := range m.orders {
		if o.sellerID != q.Seller || (len(q.Statuses) > 0 && !slices.Contains(q.Statuses, o.status)) ||
			!in(o.created, q.CreatedFrom, q.CreatedTo) || !in(o.updated, q.UpdatedFrom, q.UpdatedTo) {
			continue
		}
		if !q.ClosedFrom.IsZero() || !q.ClosedTo.IsZero() {
			if o.closed == nil || !in(*o.closed, q.ClosedFrom, q.ClosedTo) {
				continue
			}
		}
		if q.Q != "" && strconv.FormatInt(o.id, 10) != q.Q && !slices.ContainsFunc(o.items, func(l orderItem) bool {
			return l.itemID == q.Q || strings.Contains(strings.ToLower(l.title), strings.ToLower(q.Q))
		}) {
			continue
		}
		found = append(found, o)
	}
	// Sellers sort by date_closed (date_created when not yet closed).
	key := func(o *order) time.Time {
		if o.closed != nil {
			return *o.closed
		}
		return o.created
	}
	slices.SortFunc(found, func(a, b *order) int {
		if c := key(a).Compare(key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if q.Desc {
		slices.Reverse(found)
	}
	total := len(found)
	results := []map[string]any{}
	for i := q.Offset; i < total && i < q.Offset+q.Limit; i++ {
		results = append(results, m.orderDoc(found[i]))
	}
	sort := map[string]any{"id": "date_asc", "name": "Date ascending"}
	if q.Desc {
		sort = map[string]any{"id": "date_desc", "name": "Date descending"}
	}
	return map[string]any{"query": nilIfEmpty(q.Q), "results": results, "sort": sort,
		"available_sorts": []map[string]any{{"id": "date_asc", "name": "Date ascending"}, {"id": "date_desc", "name": "Date descending"}},
		"filters":         []any{}, "available_filters": []any{},
		"paging": map[string]any{"total": total, "offset": q.Offset, "limit": q.Limit}, "display": "complete"}, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ownerCheck is the 404/403 of a resource read: unknown, or another
// seller's.
func ownerCheck(found bool, seller int64, c Caller, notFound *Error) error {
	if !found {
		return notFound
	}
	if seller != c.SellerID {
		return refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	return nil
}

// Order is GET /orders/{id}.
func (m *Market) Order(c Caller, id int64) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return o.sellerID }), c, refuse(404, "order_not_found", "Order not found.")); err != nil {
		return nil, err
	}
	return m.orderDoc(o), nil
}

// BillingInfo is GET /orders/{id}/billing_info.
func (m *Market) BillingInfo(c Caller, id int64) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return o.sellerID }), c, refuse(404, "order_not_found", "Order not found.")); err != nil {
		return nil, err
	}
	return billingDoc(o), nil
}

// Pack is GET /packs/{id}.
func (m *Market) Pack(c Caller, id int64) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.packs[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return p.sellerID }), c, refuse(404, "not_found", "Pack not found")); err != nil {
		return nil, err
	}
	return m.packDoc(p), nil
}

// Shipment is GET /shipments/{id}.
func (m *Market) Shipment(c Caller, id int64) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return s.sellerID }), c, refuse(404, "not_found", "Missing a valid shipment id value")); err != nil {
		return nil, err
	}
	return m.shipmentDoc(s), nil
}

// ShipmentHistory is GET /shipments/{id}/history.
func (m *Market) ShipmentHistory(c Caller, id int64) ([]map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return s.sellerID }), c, refuse(404, "not_found", "Missing a valid shipment id value")); err != nil {
		return nil, err
	}
	return historyDoc(s), nil
}

func sellerOf(ok bool, f func() int64) int64 {
	if !ok {
		return 0
	}
	return f()
}

// ShipmentState is a shipment's state, for tests and the control plane.
func (m *Market) ShipmentState(id int64) (State, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if !ok {
		return State{}, false
	}
	return s.state, true
}

// OrderStatus is an order's status, for tests and the control plane.
func (m *Market) OrderStatus(id int64) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok {
		return "", false
	}
	return o.status, true
}
