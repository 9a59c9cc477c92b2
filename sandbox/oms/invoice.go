package oms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/money"
	"strconv"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
)

// Cents is an amount in cents that VTEX's invoice call accepts as a number
// or as a numeric string ("2499").
type Cents int64

// UnmarshalJSON reads 2499 or "2499".
func (c *Cents) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number of cents", b)
	}
	*c = Cents(n)
	return nil
}

// InvoiceRequest is the body of VTEX's invoice notification.
type InvoiceRequest struct {
	Type            string        `json:"type"`
	IssuanceDate    string        `json:"issuanceDate"`
	InvoiceNumber   string        `json:"invoiceNumber"`
	InvoiceValue    Cents         `json:"invoiceValue"`
	InvoiceKey      *string       `json:"invoiceKey"`
	InvoiceURL      *string       `json:"invoiceUrl"`
	EmbeddedInvoice *string       `json:"embeddedInvoice"`
	Courier         *string       `json:"courier"`
	TrackingNumber  *string       `json:"trackingNumber"`
	TrackingURL     *string       `json:"trackingUrl"`
	DispatchedDate  *string       `json:"dispatchedDate"`
	Cfop            *string       `json:"cfop"`
	Volumes         int           `json:"volumes"`
	Items           []InvoiceItem `json:"items"`
}

// InvoiceItem is one invoiced item: the SKU, its unit price and quantity.
type InvoiceItem struct {
	ID          string  `json:"id"`
	Price       Cents   `json:"price"`
	Quantity    int     `json:"quantity"`
	Description *string `json:"description"`
}

// Invoice notifies an invoice for the order: a sale (Output) while the
// order is handled, or a return (Input) once it is invoiced. Output
// invoices accumulate in packageAttachment; the order becomes invoiced when
// they cover its value. Posting an invoice number again replaces that
// invoice with a fresh receipt.
func (a *Account) Invoice(id string, req InvoiceRequest) (Receipt, error) {
	var r Receipt
	err := a.mutate(id, func(o *Order, now time.Time) error {
		pkg, replaced, err := o.checkInvoice(&req)
		if err != nil {
			return err
		}
		kind := events.InvoiceAdded
		if replaced >= 0 {
			kind = events.InvoiceUpdated
			o.PackageAttachment.Packages[replaced] = pkg
		} else {
			o.PackageAttachment.Packages = append(o.PackageAttachment.Packages, pkg)
		}
		o.LastChange = Time{now}
		r = a.receipt(o, now)
		a.publish(o, events.Event{Type: kind, Data: invoiceData(o, &pkg)}, now)
		a.settleInvoices(o, now)
		return nil
	})
	return r, err
}

// settleInvoices moves the order on when its Output invoices cover its
// value (the guard of the invoice transition says when).
func (a *Account) settleInvoices(o *Order, now time.Time) {
	if t, ok := find(o.Status, ActionInvoice, BySeller); ok && t.Guard.Check(o) == nil {
		_, _ = fire(o, ActionInvoice, BySeller, now, a.emitter(o, now))
	}
}

// invoiceData is what an invoice event says: the invoice, and how much of
// the order its Output invoices now cover, item by item.
func invoiceData(o *Order, p *Package) map[string]any {
	items := make([]map[string]any, len(p.Items))
	for i, it := range p.Items {
		items[i] = map[string]any{"itemIndex": it.ItemIndex, "id": o.Items[it.ItemIndex].ID, "quantity": it.Quantity}
	}
	invoiced := o.invoicedQuantities(-1)
	complete := true
	for i, it := range o.Items {
		if invoiced[i] < it.Quantity {
			complete = false
		}
	}
	return map[string]any{
		"invoiceNumber": p.InvoiceNumber, "type": p.Type, "invoiceValue": p.InvoiceValue, "items": items,
		"allItemsInvoiced": complete, "outputInvoicedValue": o.OutputInvoicedValue(), "orderValue": o.Value,
		"trackingNumber": deref(p.TrackingNumber), "courier": deref(p.Courier), "invoiceKey": deref(p.InvoiceKey),
		"issuanceDate": p.IssuanceDate,
	}
}

// checkInvoice validates req against the order and returns the package to
// store and the index of the invoice it replaces (-1 for a new one).
func (o *Order) checkInvoice(req *InvoiceRequest) (Package, int, error) {
	replaced := o.packageIndex(req.InvoiceNumber)
	switch req.Type {
	case InvoiceOutput:
		if _, ok := find(o.Status, ActionInvoice, BySeller); !ok {
			return Package{}, 0, illegal(o, ActionInvoice, BySeller)
		}
	case InvoiceInput:
		if o.Status != StatusInvoiced {
			return Package{}, 0, &Error{Kind: KindConflict, Code: CodeIllegalTransition,
				Message: "An Input (return) invoice needs the order fully invoiced first",
				Detail:  fmt.Sprintf("order %s is %s", o.OrderID, o.Status)}
		}
	default:
		return Package{}, 0, invalid("type must be Output or Input, not %q", req.Type)
	}
	if req.InvoiceNumber == "" {
		return Package{}, 0, invalid("invoiceNumber is empty")
	}
	if replaced >= 0 && o.PackageAttachment.Packages[replaced].Type != req.Type {
		return Package{}, 0, invalid("invoice %s is an %s invoice and cannot become %s",
			req.InvoiceNumber, o.PackageAttachment.Packages[replaced].Type, req.Type)
	}
	if req.InvoiceValue <= 0 {
		return Package{}, 0, invalid("invoiceValue must be a positive number of cents")
	}
	if err := money.Cents("invoiceValue", int64(req.InvoiceValue)); err != nil {
		return Package{}, 0, invalid("%v", err)
	}
	if req.Type == InvoiceOutput {
		// The invoices' sum stays bounded too: it decides when the order
		// is invoiced.
		var sum money.Sum
		for i, p := range o.PackageAttachment.Packages {
			if p.Type == InvoiceOutput && i != replaced {
				sum.Add("invoiceValue", p.InvoiceValue, 1)
			}
		}
		sum.Add("invoiceValue", int64(req.InvoiceValue), 1)
		if _, err := sum.Total(); err != nil {
			return Package{}, 0, invalid("%v: the order's Output invoices would add up past the bound", err)
		}
	}
	if _, err := parseIssuance(req.IssuanceDate); err != nil {
		return Package{}, 0, invalid("issuanceDate %q is not an ISO 8601 date", req.IssuanceDate)
	}
	if len(req.Items) == 0 {
		return Package{}, 0, invalid("items must list the invoiced items")
	}
	items, err := o.allocate(req, replaced)
	if err != nil {
		return Package{}, 0, err
	}
	pkg := Package{
		Items: items, Courier: req.Courier, InvoiceNumber: req.InvoiceNumber, InvoiceValue: int64(req.InvoiceValue),
		InvoiceURL: req.InvoiceURL, IssuanceDate: req.IssuanceDate, TrackingNumber: req.TrackingNumber,
		InvoiceKey: req.InvoiceKey, TrackingURL: req.TrackingURL, EmbeddedInvoice: deref(req.EmbeddedInvoice),
		Type: req.Type, Cfop: req.Cfop, Volumes: req.Volumes, dispatchedDate: req.DispatchedDate,
	}
	return pkg, replaced, nil
}

// allocate maps invoiced SKUs to the order's item lines. An Output invoice
// may not invoice more of a line than the order holds (counting the other
// Output invoices); an Input invoice may not return more than was invoiced.
func (o *Order) allocate(req *InvoiceRequest, replaced int) ([]PackageItem, error) {
	room := make([]int, len(o.Items))
	done := o.invoicedQuantities(replaced)
	returned := o.returnedQuantities(replaced)
	for i, it := range o.Items {
		if req.Type == InvoiceOutput {
			room[i] = it.Quantity - done[i]
		} else {
			room[i] = done[i] - returned[i]
		}
	}
	var out []PackageItem
	for k, it := range req.Items {
		if it.Quantity < 1 {
			return nil, invalid("items[%d].quantity must be at least 1", k)
		}
		if it.Price < 0 {
			return nil, invalid("items[%d].price must not be negative", k)
		}
		if err := money.Cents(fmt.Sprintf("items[%d].price", k), int64(it.Price)); err != nil {
			return nil, invalid("%v", err)
		}
		want, found := it.Quantity, false
		for i := range o.Items {
			if o.Items[i].ID != it.ID || room[i] == 0 {
				found = found || o.Items[i].ID == it.ID
				continue
			}
			found = true
			n := min(want, room[i])
			room[i] -= n
			want -= n
			out = append(out, PackageItem{ItemIndex: i, Quantity: n, Price: int64(it.Price), Description: it.Description})
			if want == 0 {
				break
			}
		}
		switch {
		case !found:
			return nil, invalid("items[%d].id %q is not an item of order %s", k, clip.ID(it.ID), o.OrderID)
		case want > 0 && req.Type == InvoiceOutput:
			return nil, invalid("items[%d]: invoicing %d of %q exceeds what the order holds less what is already invoiced", k, it.Quantity, it.ID)
		case want > 0:
			return nil, invalid("items[%d]: returning %d of %q exceeds what was invoiced less what is already returned", k, it.Quantity, it.ID)
		}
	}
	return out, nil
}

// invoicedQuantities sums, per item line, the quantities of the Output
// invoices, leaving out the package at index skip.
func (o *Order) invoicedQuantities(skip int) []int {
	return o.quantities(InvoiceOutput, skip)
}

func (o *Order) returnedQuantities(skip int) []int {
	return o.quantities(InvoiceInput, skip)
}

func (o *Order) quantities(kind string, skip int) []int {
	q := make([]int, len(o.Items))
	for p, pkg := range o.PackageAttachment.Packages {
		if p == skip || pkg.Type != kind {
			continue
		}
		for _, it := range pkg.Items {
			if it.ItemIndex < len(q) {
				q[it.ItemIndex] += it.Quantity
			}
		}
	}
	return q
}

func (o *Order) packageIndex(number string) int {
	for i, p := range o.PackageAttachment.Packages {
		if p.InvoiceNumber == number {
			return i
		}
	}
	return -1
}

// parseIssuance accepts a date ("2026-03-10") or a timestamp.
func parseIssuance(s string) (time.Time, error) { return ParseIssuance(s, time.UTC) }

// ParseIssuance reads an invoice's issuanceDate: RFC 3339, or a date and
// time without a zone, or a date alone, the last two in loc.
func ParseIssuance(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}

// TrackingRequest is the body of PATCH .../invoice/{invoiceNumber}.
type TrackingRequest struct {
	TrackingNumber string  `json:"trackingNumber"`
	TrackingURL    *string `json:"trackingUrl"`
	DispatchedDate *string `json:"dispatchedDate"`
	Courier        *string `json:"courier"`
}

// UpdateTracking sets an invoice's tracking number, URL, courier and
// dispatch date.
func (a *Account) UpdateTracking(id, invoiceNumber string, req TrackingRequest) (Receipt, error) {
	var r Receipt
	err := a.mutate(id, func(o *Order, now time.Time) error {
		p, err := o.invoice(invoiceNumber)
		if err != nil {
			return err
		}
		if req.TrackingNumber == "" {
			return invalid("trackingNumber is empty")
		}
		p.TrackingNumber = &req.TrackingNumber
		if req.TrackingURL != nil {
			p.TrackingURL = req.TrackingURL
		}
		if req.Courier != nil {
			p.Courier = req.Courier
		}
		if req.DispatchedDate != nil {
			p.dispatchedDate = req.DispatchedDate
		}
		o.LastChange = Time{now}
		r = a.receipt(o, now)
		a.publish(o, events.Event{Type: events.TrackingUpdated, Data: map[string]any{
			"invoiceNumber": invoiceNumber, "trackingNumber": req.TrackingNumber, "courier": deref(p.Courier)}}, now)
		return nil
	})
	return r, err
}

// TrackingEventsRequest is the body of PUT .../invoice/{n}/tracking.
type TrackingEventsRequest struct {
	IsDelivered   bool            `json:"isDelivered"`
	DeliveredDate *string         `json:"deliveredDate"`
	Events        []TrackingEvent `json:"events"`
}

// deliveredLayout is VTEX's one non-ISO date: "yyyy-mm-dd hh:mm".
const deliveredLayout = "2006-01-02 15:04"

// UpdateTrackingEvents records the carrier's events for an invoice that
// has a tracking number; isDelivered finishes the package. The order stays
// invoiced.
func (a *Account) UpdateTrackingEvents(id, invoiceNumber string, req TrackingEventsRequest) (Receipt, error) {
	var r Receipt
	err := a.mutate(id, func(o *Order, now time.Time) error {
		p, err := o.invoice(invoiceNumber)
		if err != nil {
			return err
		}
		if p.TrackingNumber == nil || *p.TrackingNumber == "" {
			return &Error{Kind: KindConflict, Code: CodePrecondition,
				Message: fmt.Sprintf("Invoice %s has no tracking number: send it with the invoice or PATCH the invoice first", invoiceNumber)}
		}
		delivered := ""
		if req.DeliveredDate != nil && *req.DeliveredDate != "" {
			if _, err := time.Parse(deliveredLayout, *req.DeliveredDate); err != nil {
				return invalid("deliveredDate %q must be written yyyy-mm-dd hh:mm", *req.DeliveredDate)
			}
			delivered = *req.DeliveredDate
		}
		if req.IsDelivered && delivered == "" {
			delivered = now.Format(deliveredLayout)
		}
		status := "in-transit"
		if req.IsDelivered {
			status = "delivered"
		}
		evs := req.Events
		if evs == nil {
			evs = []TrackingEvent{}
		}
		p.CourierStatus = &CourierStatus{Status: &status, Finished: req.IsDelivered, DeliveredDate: delivered, Data: evs}
		o.LastChange = Time{now}
		r = a.receipt(o, now)
		a.publish(o, events.Event{Type: events.TrackingUpdated, Data: map[string]any{
			"invoiceNumber": invoiceNumber, "isDelivered": req.IsDelivered, "events": len(evs)}}, now)
		return nil
	})
	return r, err
}

// invoice returns the package of an invoice number.
func (o *Order) invoice(number string) (*Package, error) {
	i := o.packageIndex(number)
	if i < 0 {
		return nil, &Error{Kind: KindNotFound, Code: CodeNoInvoice,
			Message: fmt.Sprintf("Invoice %s not found in order %s", number, o.OrderID)}
	}
	return &o.PackageAttachment.Packages[i], nil
}
