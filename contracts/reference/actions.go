package reference

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Action is an ERP action, as the driver endpoint and the subcommands take
// it.
type Action struct {
	Action  string `json:"action"` // invoice | tracking | delivered | cancel | change | upsert-product | set-stock | set-price | poll-carrier | telesales-order
	OrderID string `json:"orderId,omitempty"`

	CatalogAction // upsert-product, set-stock, set-price (catalog.go)

	// telesales-order: an order taken by phone for a company (items with
	// prices in cents)
	CNPJ          string `json:"cnpj,omitempty"`
	CorporateName string `json:"corporateName,omitempty"`
	PurchaseOrder string `json:"purchaseOrder,omitempty"`

	// invoice
	InvoiceNumber string       `json:"invoiceNumber,omitempty"`
	InvoiceType   string       `json:"invoiceType,omitempty"` // Output (default) or Input
	InvoiceValue  *int64       `json:"invoiceValue,omitempty"`
	InvoiceKey    string       `json:"invoiceKey,omitempty"`
	Items         []ActionItem `json:"items,omitempty"` // default: every item not invoiced yet

	// tracking (also accepted with invoice)
	TrackingNumber string `json:"trackingNumber,omitempty"`
	TrackingURL    string `json:"trackingUrl,omitempty"`
	Courier        string `json:"courier,omitempty"`

	// delivered
	DeliveredDate string `json:"deliveredDate,omitempty"` // yyyy-mm-dd hh:mm; default now
	City          string `json:"city,omitempty"`
	State         string `json:"state,omitempty"`

	// cancel and change
	Reason         string       `json:"reason,omitempty"`
	RequestID      string       `json:"requestId,omitempty"`
	DiscountValue  int64        `json:"discountValue,omitempty"`
	IncrementValue int64        `json:"incrementValue,omitempty"`
	ItemsRemoved   []ActionItem `json:"itemsRemoved,omitempty"`
	ItemsAdded     []ActionItem `json:"itemsAdded,omitempty"`

	// channel, reply-ticket, answer-question, push-catalog (skyhub.go)
	ChannelAction
}

// ActionItem names a SKU and a quantity; Price (cents) defaults to the
// order's.
type ActionItem struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
	Price    *int64 `json:"price,omitempty"`
}

// Receipt is VTEX's answer to an action.
type Receipt struct {
	Date    string `json:"date"`
	OrderID string `json:"orderId"`
	Receipt string `json:"receipt"`
}

// ErrBadAction is a malformed action (the driver answers 400).
var ErrBadAction = errors.New("bad action")

// Do carries out one ERP action through the VTEX API, then refreshes the
// stored order.
func (c *Connector) Do(ctx context.Context, a Action) (Receipt, error) {
	if a.Action == "poll-carrier" { // no order: every open parcel
		return Receipt{Date: time.Now().UTC().Format(time.RFC3339)}, c.PollCarrier(ctx)
	}
	if a.Channel == ChannelMercadoLivre {
		return c.doMercadoLivre(ctx, a)
	}
	if r, ok, err := c.doSkyHub(ctx, a); ok {
		return r, err
	}
	switch a.Action {
	case "upsert-product", "set-stock", "set-price":
		return Receipt{}, c.catalogAction(ctx, a)
	case "telesales-order":
		return c.telesales(a) // the ERP's own: VTEX never hears of it
	}
	if a.OrderID == "" {
		return Receipt{}, fmt.Errorf("%w: orderId is empty", ErrBadAction)
	}
	base := "/api/oms/pvt/orders/" + a.OrderID
	var r Receipt
	var err error
	switch a.Action {
	case "invoice":
		r, err = c.invoice(ctx, a)
	case "tracking":
		if a.InvoiceNumber == "" || a.TrackingNumber == "" {
			return r, fmt.Errorf("%w: tracking needs invoiceNumber and trackingNumber", ErrBadAction)
		}
		err = c.vtex.do(ctx, "PATCH", base+"/invoice/"+a.InvoiceNumber, map[string]any{
			"trackingNumber": a.TrackingNumber, "trackingUrl": nullable(a.TrackingURL), "courier": nullable(a.Courier),
			"dispatchedDate": time.Now().UTC().Format(time.RFC3339)}, &r)
	case "delivered":
		if a.InvoiceNumber == "" {
			return r, fmt.Errorf("%w: delivered needs invoiceNumber", ErrBadAction)
		}
		when := a.DeliveredDate
		if when == "" {
			when = time.Now().UTC().Format("2006-01-02 15:04")
		}
		err = c.vtex.do(ctx, "PUT", base+"/invoice/"+a.InvoiceNumber+"/tracking", map[string]any{
			"isDelivered": true, "deliveredDate": when,
			"events": []map[string]string{{"city": a.City, "state": a.State, "description": "Entregue ao destinatário", "date": when[:10]}},
		}, &r)
	case "cancel":
		err = c.vtex.do(ctx, "POST", base+"/cancel", map[string]any{"reason": nullable(a.Reason)}, &r)
	case "change":
		r, err = c.change(ctx, a)
	default:
		return r, fmt.Errorf("%w: action %q is not invoice, tracking, delivered, cancel, change, poll-carrier or telesales-order", ErrBadAction, a.Action)
	}
	if err != nil {
		return r, err
	}
	if a.Action == "invoice" || a.Action == "tracking" {
		c.follow(Parcel{Code: a.TrackingNumber, OrderID: a.OrderID, InvoiceNumber: a.InvoiceNumber})
	}
	if err := c.download(ctx, a.OrderID); err != nil {
		c.log.Warn("refreshing the order after an action failed", "orderId", a.OrderID, "error", err)
	}
	return r, nil
}

// order is the part of VTEX's order document the actions read.
type order struct {
	Status string `json:"status"`
	Value  int64  `json:"value"`
	Items  []struct {
		ID       string `json:"id"`
		Quantity int    `json:"quantity"`
		Price    int64  `json:"price"`
	} `json:"items"`
	PackageAttachment struct {
		Packages []struct {
			Type         string `json:"type"`
			InvoiceValue int64  `json:"invoiceValue"`
			Items        []struct {
				ItemIndex int `json:"itemIndex"`
				Quantity  int `json:"quantity"`
			} `json:"items"`
		} `json:"packages"`
	} `json:"packageAttachment"`
}

// invoice sends an Output invoice the way an ERP should: only for a
// handled order (it starts handling first if the order is still ready),
// with the unit prices of the order, and with a value that includes the
// remaining shipping and discounts when the invoice completes the order.
func (c *Connector) invoice(ctx context.Context, a Action) (Receipt, error) {
	var r Receipt
	if a.InvoiceNumber == "" {
		return r, fmt.Errorf("%w: invoice needs invoiceNumber", ErrBadAction)
	}
	base := "/api/oms/pvt/orders/" + a.OrderID
	var o order
	if err := c.vtex.do(ctx, "GET", base, nil, &o); err != nil {
		return r, err
	}
	if o.Status == "ready-for-handling" {
		if err := c.download(ctx, a.OrderID); err != nil {
			return r, err
		}
	}
	kind := a.InvoiceType
	if kind == "" {
		kind = "Output"
	}
	invoiced := make([]int, len(o.Items))
	var invoicedValue int64
	for _, p := range o.PackageAttachment.Packages {
		if p.Type != "Output" {
			continue
		}
		invoicedValue += p.InvoiceValue
		for _, it := range p.Items {
			if it.ItemIndex < len(invoiced) {
				invoiced[it.ItemIndex] += it.Quantity
			}
		}
	}
	items := a.Items
	if len(items) == 0 {
		for i, it := range o.Items {
			if left := it.Quantity - invoiced[i]; left > 0 {
				items = append(items, ActionItem{ID: it.ID, Quantity: left})
			}
		}
	}
	var lines []map[string]any
	var sum int64
	remaining := map[string]int{}
	for i, it := range o.Items {
		remaining[it.ID] += it.Quantity - invoiced[i]
	}
	for _, it := range items {
		price := priceOf(o, it)
		lines = append(lines, map[string]any{"id": it.ID, "price": price, "quantity": it.Quantity})
		sum += price * int64(it.Quantity)
		remaining[it.ID] -= it.Quantity
	}
	value := sum
	complete := true
	for _, left := range remaining {
		if left > 0 {
			complete = false
		}
	}
	if complete && kind == "Output" {
		value = o.Value - invoicedValue // the last invoice carries shipping and discounts
	}
	if a.InvoiceValue != nil {
		value = *a.InvoiceValue
	}
	body := map[string]any{"type": kind, "invoiceNumber": a.InvoiceNumber, "invoiceValue": fmt.Sprint(value),
		"issuanceDate": time.Now().UTC().Format(time.RFC3339), "items": lines,
		"invoiceKey": nullable(a.InvoiceKey), "courier": nullable(a.Courier),
		"trackingNumber": nullable(a.TrackingNumber), "trackingUrl": nullable(a.TrackingURL)}
	err := c.vtex.do(ctx, "POST", base+"/invoice", body, &r)
	if err == nil && kind == "Output" {
		c.shipped(lines) // the goods leave the ERP's balance
	}
	return r, err
}

func priceOf(o order, it ActionItem) int64 {
	if it.Price != nil {
		return *it.Price
	}
	for _, oi := range o.Items {
		if oi.ID == it.ID {
			return oi.Price
		}
	}
	return 0
}

// change registers a change; without a requestId one is derived from the
// change itself, so a retried call is recognised by VTEX as the same one.
func (c *Connector) change(ctx context.Context, a Action) (Receipt, error) {
	var r Receipt
	if a.Reason == "" {
		return r, fmt.Errorf("%w: change needs a reason", ErrBadAction)
	}
	var o order
	if err := c.vtex.do(ctx, "GET", "/api/oms/pvt/orders/"+a.OrderID, nil, &o); err != nil {
		return r, err
	}
	lines := func(items []ActionItem) []map[string]any {
		out := []map[string]any{}
		for _, it := range items {
			out = append(out, map[string]any{"id": it.ID, "price": priceOf(o, it), "quantity": it.Quantity})
		}
		return out
	}
	body := map[string]any{"reason": a.Reason, "discountValue": a.DiscountValue, "incrementValue": a.IncrementValue,
		"itemsRemoved": lines(a.ItemsRemoved), "itemsAdded": lines(a.ItemsAdded)}
	id := a.RequestID
	if id == "" {
		canonical, _ := json.Marshal(body)
		sum := sha256.Sum256(append([]byte(a.OrderID), canonical...))
		id = "refclient-" + hex.EncodeToString(sum[:8])
	}
	body["requestId"] = id
	err := c.vtex.do(ctx, "POST", "/api/oms/pvt/orders/"+a.OrderID+"/changes", body, &r)
	return r, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DriverHandler is the driver endpoint: POST /actions carries out an
// action; GET /orders lists the stored orders; GET /health answers ok.
// Refusals: 400 for a malformed action, 422 for one the channel refused
// (with its status, also as vtexStatus, and message), 502 when it could
// not be reached.
func (c *Connector) DriverHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.Orders())
	})
	mux.HandleFunc("POST /actions", func(w http.ResponseWriter, r *http.Request) {
		var a Action
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "action body: " + err.Error()})
			return
		}
		receipt, err := c.Do(r.Context(), a)
		var apiErr *APIError
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, map[string]any{"ok": true, "receipt": receipt})
		case errors.Is(err, ErrBadAction):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case errors.As(err, &apiErr) && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests:
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error(), "status": apiErr.Status, "vtexStatus": apiErr.Status,
				"vtexCode": apiErr.Code, "vtexMessage": apiErr.Message})
		default:
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
