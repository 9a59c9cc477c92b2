package reference

// SkyHub-direct mode: the connector integrates with SkyHub (B2W /
// Americanas) itself, rather than through VTEX's SkyHub connector. It
//
//   - downloads orders from SkyHub's integration queue, one at a time:
//     GET /queues/orders, store the order, and only then
//     DELETE /queues/orders/{code}. An order deleted before it is safely
//     stored is lost for good if the connector dies in between; one stored
//     and not yet deleted simply comes back after five minutes, and storing
//     it again is harmless;
//   - honours what the marketplace changes (a cancel, say): the queue
//     brings the order again in its new status, and a CANCELED order is
//     never invoiced or shipped;
//   - invoices with an NF-e key it composes (nfe.go), ships with tracking
//     and marks delivery, for the orders the seller ships itself;
//   - downloads customer tickets (SAC) and questions, and answers them
//     when the ERP says so (driver actions reply-ticket, answer-question);
//   - pushes products, stock and price from the ERP's catalog
//     (push-catalog), never with a promotional_price of 0.
//
// It is switched on by the channel list: OMSBOX_CHANNELS=skyhub (or
// vtex,skyhub). A seller whose SkyHub orders VTEX's connector already
// carries (B2W Coleta through VTEX) must not also download them here.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The channels a connector can integrate directly.
const (
	ChannelVTEX         = "vtex"
	ChannelSkyHub       = "skyhub"
	ChannelMercadoLivre = "mercadolivre"
)

// ParseChannels reads a comma-separated channel list ("vtex,skyhub").
func ParseChannels(s string) []string {
	var out []string
	for _, ch := range strings.Split(s, ",") {
		if ch = strings.ToLower(strings.TrimSpace(ch)); ch != "" {
			out = append(out, ch)
		}
	}
	return out
}

func (c Config) has(channel string) bool {
	for _, ch := range c.Channels {
		if ch == channel {
			return true
		}
	}
	return false
}

// ChannelAction holds the fields of the SkyHub-direct actions.
type ChannelAction struct {
	// Channel "skyhub" makes invoice, tracking, delivered and cancel act on
	// a SkyHub order (orderId is its code), and push-catalog push to SkyHub.
	Channel string `json:"channel,omitempty"`
	// reply-ticket
	Ticket  string `json:"ticket,omitempty"`
	Message string `json:"message,omitempty"`
	// answer-question
	Question string `json:"question,omitempty"`
	Answer   string `json:"answer,omitempty"`
	// push-catalog
	Products []CatalogProduct `json:"products,omitempty"`
}

// CatalogProduct is one product of the ERP's catalog, as push-catalog
// takes it. Prices are in cents.
type CatalogProduct struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price int64  `json:"price"`
	// PromotionalPrice is 0 when there is no promotion: SkyHub then gets no
	// promotional_price at all (it refuses 0 and null since 2025).
	PromotionalPrice int64 `json:"promotionalPrice,omitempty"`
	// Stock is the ERP's balance; Reserved what its own open orders hold.
	// SkyHub reserves nothing, so it gets Stock - Reserved.
	Stock    int `json:"stock"`
	Reserved int `json:"reserved,omitempty"`
}

func newSkyHubClient(cfg Config, log *slog.Logger) *vtexClient {
	return &vtexClient{base: strings.TrimRight(cfg.SkyHubURL, "/"),
		http: &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport}, retries: cfg.MaxRetries,
		scale: cfg.BackoffScale, log: log.With("channel", ChannelSkyHub), sleep: sleepCtx,
		auth: func(h http.Header) {
			h.Set("X-User-Email", cfg.SkyHubEmail)
			h.Set("X-Api-Key", cfg.SkyHubAPIKey)
			h.Set("X-Accountmanager-Key", cfg.SkyHubAMKey)
		}}
}

// loops runs the download loop of each channel until ctx ends or one
// fails for good.
func (c *Connector) loops(ctx context.Context) error {
	var runs []func(context.Context) error
	if c.cfg.has(ChannelVTEX) {
		runs = append(runs, c.loop)
	}
	if c.cfg.has(ChannelSkyHub) {
		runs = append(runs, c.skyhubLoop)
	}
	if c.cfg.has(ChannelMercadoLivre) {
		runs = append(runs, c.mercadoLivreLoop)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(runs))
	for _, run := range runs {
		go func() { errs <- run(ctx) }()
	}
	var first error
	for range runs {
		if err := <-errs; first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// skyhubLoop drains the order queue, then looks for new tickets and
// questions, then pauses.
func (c *Connector) skyhubLoop(ctx context.Context) error {
	for {
		n, err := c.pollSkyHubQueue(ctx)
		if err == nil && n == 0 {
			err = c.downloadSAC(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.Error("SkyHub read failed", "error", err)
			if s := StatusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden {
				return err // wrong credentials: never retried in a loop
			}
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(c.cfg.PollInterval):
		}
	}
}

// skyhubOrder is the part of SkyHub's order the connector reads.
type skyhubOrder struct {
	Code   string `json:"code"`
	Status struct {
		Type string `json:"type"`
	} `json:"status"`
	Items []struct {
		ID  string `json:"id"`
		Qty int    `json:"qty"`
	} `json:"items"`
}

func skyhubKey(code string) string { return "skyhub:" + code }

// pollSkyHubQueue takes the order at the head of the queue: stores it,
// then deletes its queue item. It returns how many orders it took (0 or 1).
func (c *Connector) pollSkyHubQueue(ctx context.Context) (int, error) {
	var doc json.RawMessage
	if err := c.sky.do(ctx, "GET", "/queues/orders", nil, &doc); err != nil {
		return 0, err
	}
	var o skyhubOrder
	if len(doc) == 0 || json.Unmarshal(doc, &o) != nil || o.Code == "" {
		return 0, nil // an empty queue
	}
	// Store first. Should this fail (or the process die) the queue item
	// stays, and the order comes back in five minutes.
	if err := c.store.put(StoredOrder{OrderID: skyhubKey(o.Code), Status: o.Status.Type, Order: doc}); err != nil {
		return 1, fmt.Errorf("store SkyHub order %s: %w", o.Code, err)
	}
	err := c.sky.do(ctx, "DELETE", "/queues/orders/"+url.PathEscape(o.Code), nil, nil)
	if StatusOf(err) == http.StatusNotFound {
		err = nil // already taken off (a retried delete that had gone through)
	}
	if err != nil {
		return 1, fmt.Errorf("delete SkyHub queue item %s: %w", o.Code, err)
	}
	c.log.Info("SkyHub order downloaded", "code", o.Code, "status", o.Status.Type)
	return 1, nil
}

// downloadSAC stores the tickets it has not seen (with their chats, then
// marks them READ on SkyHub) and the questions.
func (c *Connector) downloadSAC(ctx context.Context) error {
	var list struct {
		SACs []struct {
			Code string `json:"code"`
		} `json:"sacs"`
	}
	if err := c.sky.do(ctx, "GET", "/sac?status=UNREAD", nil, &list); err != nil {
		return err
	}
	for _, t := range list.SACs {
		var chats json.RawMessage
		if err := c.sky.do(ctx, "GET", "/sac/"+url.PathEscape(t.Code)+"/chats", nil, &chats); err != nil {
			return err
		}
		if err := c.store.put(StoredOrder{OrderID: "skyhub-sac:" + t.Code, Status: "READ", Order: chats}); err != nil {
			return err
		}
		if err := c.sky.do(ctx, "PUT", "/sac/"+url.PathEscape(t.Code), map[string]string{"status": "READ"}, nil); err != nil {
			return err
		}
		c.log.Info("SkyHub ticket downloaded", "ticket", t.Code)
	}
	var questions struct {
		Questions []struct {
			ID     string  `json:"id"`
			Answer *string `json:"answer"`
		} `json:"questions"`
	}
	if err := c.sky.do(ctx, "GET", "/questions?platform=B2W", nil, &questions); err != nil {
		return err
	}
	for _, q := range questions.Questions {
		if _, seen := c.store.get("skyhub-question:" + q.ID); seen || q.Answer != nil {
			continue
		}
		doc, _ := json.Marshal(q)
		if err := c.store.put(StoredOrder{OrderID: "skyhub-question:" + q.ID, Status: "UNANSWERED", Order: doc}); err != nil {
			return err
		}
	}
	return nil
}

// doSkyHub carries out the SkyHub-direct actions; ok is false for an
// action that is not one.
func (c *Connector) doSkyHub(ctx context.Context, a Action) (r Receipt, ok bool, err error) {
	if a.Channel != ChannelSkyHub && a.Action != "reply-ticket" && a.Action != "answer-question" {
		return r, false, nil
	}
	if !c.cfg.has(ChannelSkyHub) {
		return r, true, fmt.Errorf("%w: SkyHub-direct mode is off (OMSBOX_CHANNELS has no skyhub)", ErrBadAction)
	}
	r = Receipt{Date: time.Now().UTC().Format(time.RFC3339), OrderID: a.OrderID}
	switch a.Action {
	case "reply-ticket":
		if a.Ticket == "" || strings.TrimSpace(a.Message) == "" {
			return r, true, fmt.Errorf("%w: reply-ticket needs ticket and message", ErrBadAction)
		}
		return r, true, c.sky.do(ctx, "POST", "/sac/"+url.PathEscape(a.Ticket)+"/chats", map[string]string{"message": a.Message}, nil)
	case "answer-question":
		if a.Question == "" || strings.TrimSpace(a.Answer) == "" {
			return r, true, fmt.Errorf("%w: answer-question needs question and answer", ErrBadAction)
		}
		return r, true, c.sky.do(ctx, "POST", "/questions/"+url.PathEscape(a.Question)+"/answer", map[string]string{"answer": a.Answer}, nil)
	case "push-catalog":
		return r, true, c.pushSkyHubCatalog(ctx, a.Products)
	}
	o, err := c.storedSkyHubOrder(a.OrderID)
	if err != nil {
		return r, true, err
	}
	if o.Status.Type == "CANCELED" {
		return r, true, fmt.Errorf("%w: the marketplace canceled SkyHub order %s; it is not to be %s", ErrBadAction, o.Code, a.Action)
	}
	base := "/orders/" + url.PathEscape(o.Code)
	switch a.Action {
	case "invoice":
		number, perr := strconv.Atoi(strings.TrimPrefix(a.InvoiceNumber, "NF-"))
		if perr != nil {
			return r, true, fmt.Errorf("%w: invoiceNumber %q is not an NF-e number", ErrBadAction, a.InvoiceNumber)
		}
		key := a.InvoiceKey
		if key == "" {
			if key, err = nfeKey(c.cfg.SellerCNPJ, number, time.Now()); err != nil {
				return r, true, fmt.Errorf("%w: %v", ErrBadAction, err)
			}
		}
		err = c.sky.do(ctx, "POST", base+"/invoice", map[string]any{"status": "order_invoiced",
			"invoice": map[string]any{"key": key, "volume_qty": 1}}, nil)
		r.Receipt = key
	case "tracking":
		if a.TrackingNumber == "" {
			return r, true, fmt.Errorf("%w: tracking needs trackingNumber", ErrBadAction)
		}
		items := []map[string]any{}
		for _, it := range o.Items {
			items = append(items, map[string]any{"sku": it.ID, "qty": it.Qty})
		}
		carrier := a.Courier
		if carrier == "" {
			carrier = "Correios"
		}
		err = c.sky.do(ctx, "POST", base+"/shipments", map[string]any{"status": "order_shipped", "shipment": map[string]any{
			"code": o.Code, "items": items, "delivered_carrier_date": time.Now().UTC().Format(time.RFC3339),
			"track": map[string]string{"code": a.TrackingNumber, "carrier": carrier, "method": carrier, "url": a.TrackingURL}}}, nil)
	case "delivered":
		err = c.sky.do(ctx, "POST", base+"/delivery", map[string]string{"status": "complete"}, nil)
	case "cancel":
		err = c.sky.do(ctx, "POST", base+"/cancel", map[string]string{"status": "order_canceled"}, nil)
	default:
		return r, true, fmt.Errorf("%w: action %q is not invoice, tracking, delivered, cancel or push-catalog for SkyHub", ErrBadAction, a.Action)
	}
	if err != nil {
		return r, true, err
	}
	if a.Action == "tracking" { // a Correios code: the carrier tells when it is delivered
		c.follow(Parcel{Code: a.TrackingNumber, Channel: ChannelSkyHub, OrderID: o.Code})
	}
	c.refreshSkyHub(ctx, o.Code)
	return r, true, nil
}

// refreshSkyHub stores the order as SkyHub has it now.
func (c *Connector) refreshSkyHub(ctx context.Context, code string) {
	var doc json.RawMessage
	if err := c.sky.do(ctx, "GET", "/orders/"+url.PathEscape(code), nil, &doc); err == nil {
		var now skyhubOrder
		if json.Unmarshal(doc, &now) == nil {
			_ = c.store.put(StoredOrder{OrderID: skyhubKey(code), Status: now.Status.Type, Order: doc})
		}
	}
}

// storedSkyHubOrder is an order the connector took from the queue.
func (c *Connector) storedSkyHubOrder(code string) (skyhubOrder, error) {
	var o skyhubOrder
	rec, ok := c.store.get(skyhubKey(code))
	if !ok {
		return o, fmt.Errorf("%w: SkyHub order %q was never downloaded from the queue", ErrBadAction, code)
	}
	err := json.Unmarshal(rec.Order, &o)
	return o, err
}

// pushSkyHubCatalog creates or updates each product: its name, price, a
// promotional price only when there is a promotion, and the quantity on
// hand that is not reserved.
func (c *Connector) pushSkyHubCatalog(ctx context.Context, products []CatalogProduct) error {
	if len(products) == 0 {
		return fmt.Errorf("%w: push-catalog needs products", ErrBadAction)
	}
	for _, p := range products {
		if p.SKU == "" || p.Price <= 0 {
			return fmt.Errorf("%w: product %q needs a sku and a price", ErrBadAction, p.SKU)
		}
		body := map[string]any{"name": p.Name, "price": reais(p.Price), "qty": max(p.Stock-p.Reserved, 0)}
		if p.PromotionalPrice > 0 {
			body["promotional_price"] = reais(p.PromotionalPrice)
		}
		path := "/products/" + url.PathEscape(p.SKU)
		err := c.sky.do(ctx, "GET", path, nil, nil)
		switch StatusOf(err) {
		case 0:
			err = c.sky.do(ctx, "PUT", path, map[string]any{"product": body}, nil)
		case http.StatusNotFound:
			body["sku"], body["status"] = p.SKU, "enabled"
			err = c.sky.do(ctx, "POST", "/products", map[string]any{"product": body}, nil)
		}
		if err != nil {
			return fmt.Errorf("product %s: %w", p.SKU, err)
		}
	}
	return nil
}

// reais turns cents into decimal reais, as SkyHub and the B2B look-up
// write money.
func reais(cents int64) float64 { return float64(cents) / 100 }
