// Package bridge owns the VTEX ↔ SkyHub link of B2W orders, the part of
// VTEX's SkyHub connector the sandbox simulates. A B2W order lives in
// SkyHub and is mirrored into the linked VTEX account (marketplaceOrderId =
// the SkyHub code). When the ERP invoices it in VTEX, the bridge forwards
// the invoice to SkyHub and, for a B2W Entrega Direct order, requests
// pickup (groups it in a PLP and confirms collection), but only once the
// last item is invoiced; Correios orders get the invoice and no pickup. A
// VTEX cancel is forwarded too. The bridge talks to SkyHub through the
// sandbox's own SkyHub API, so its calls are journaled and can be faulted;
// a failed call is retried on the sandbox clock and never lost.
package bridge

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// Events the bridge publishes, with the VTEX order's id.
const (
	TwinCreated      = "b2w.twin-created"
	InvoiceForwarded = "b2w.invoice-forwarded"
	Grouped          = "b2w.grouped"
	PickupRequested  = "b2w.pickup-requested"
	CancelForwarded  = "b2w.cancel-forwarded"
	StepFailed       = "b2w.retry"
	// Failed is a step SkyHub refused for good (a 4xx other than 429): the
	// bridge stops retrying it, and says why.
	Failed            = "b2w.failed"
	VTEXOrderImported = "b2w.order-imported"
)

// Origin marks the bridge's requests in the journal.
const Origin = "vtex-skyhub-connector"

// Retry: 10 s doubling up to 10 minutes, on the sandbox clock.
const (
	firstRetry = 10 * time.Second
	maxRetry   = 10 * time.Minute
)

// Bridge links one sandbox's OMS and SkyHub.
type Bridge struct {
	oms    *oms.OMS
	hub    *skyhub.Hub
	clock  *clock.Clock
	bus    *events.Bus
	skyhub http.Handler // the sandbox's SkyHub API, journal and faults included
	base   string

	mu      sync.Mutex
	jobs    []*job
	wake    chan struct{}
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	rng     *rand.Rand
	pending map[string]bool // order ids with a forward under way
}

// step is one call to SkyHub; steps of an order run in order.
type step string

const (
	stepInvoice step = "invoice"
	stepGroup   step = "group"
	stepCollect step = "confirm_collection"
	stepCancel  step = "cancel"
	stepImport  step = "import" // a SkyHub order approved: mirror it into VTEX
)

type job struct {
	account, orderID string // the VTEX order
	code             string // the SkyHub code
	steps            []step
	key              string // the NF-e key to forward
	issued           string // the invoice's issuanceDate
	volumes          int
	attempt          int
}

// New starts the bridge; skyhubAPI serves SkyHub under base.
func New(o *oms.OMS, hub *skyhub.Hub, c *clock.Clock, bus *events.Bus, skyhubAPI http.Handler, base string, seed uint64) *Bridge {
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bridge{oms: o, hub: hub, clock: c, bus: bus, skyhub: skyhubAPI, base: base, wake: make(chan struct{}, 1),
		ctx: ctx, cancel: cancel, rng: rand.New(rand.NewPCG(seed, 0xb2b)), pending: map[string]bool{}}
	bus.Subscribe(b.onEvent)
	b.wg.Add(1)
	go b.work()
	return b
}

// Forget drops the pending work of one account, or all of it for "".
func (b *Bridge) Forget(account string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jobs = slices.DeleteFunc(b.jobs, func(j *job) bool { return account == "" || j.account == account })
}

// Close stops the bridge; pending work is dropped.
func (b *Bridge) Close() {
	b.mu.Lock()
	b.closed = true
	b.jobs = nil
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
}

// Twin creates the SkyHub order of a B2W VTEX order, approved, in the
// seller linked to the account. The control plane calls it right after
// creating the order, so both exist when it answers.
func (b *Bridge) Twin(account, orderID string) (string, error) {
	st, ok := b.hub.ForAccount(account)
	if !ok {
		return "", fmt.Errorf("account %s has no SkyHub seller to mirror its B2W orders", account)
	}
	acct, ok := b.oms.Account(account)
	if !ok {
		return "", fmt.Errorf("account %s not found", account)
	}
	var n skyhub.NewOrder
	var approved bool
	err := acct.Read(orderID, func(o *oms.Order) error {
		if o.Channel() != oms.ChannelB2W {
			return fmt.Errorf("order %s is not a B2W order", orderID)
		}
		n = twinOf(o)
		approved = !slices.Contains([]oms.Status{oms.StatusOrderAccepted, oms.StatusWaitingFfmtAuthorization,
			oms.StatusWaitingForManualAuthorization}, o.Status)
		return nil
	})
	if err != nil {
		return "", err
	}
	if st.Get(n.Code, func(*skyhub.Order) {}) == nil {
		return n.Code, nil // it came from SkyHub
	}
	n.Approved = approved
	code, err := st.CreateOrder(n)
	if err != nil {
		return "", err
	}
	b.publish(account, orderID, TwinCreated, map[string]any{"code": code})
	return code, nil
}

// twinOf describes a VTEX B2W order as SkyHub holds it: prices in reais.
func twinOf(o *oms.Order) skyhub.NewOrder {
	n := skyhub.NewOrder{Code: o.MarketplaceOrderID, Channel: "Lojas Americanas",
		Customer: skyhub.Customer{Name: o.ClientProfileData.FirstName + " " + o.ClientProfileData.LastName,
			Email: o.ClientProfileData.Email, VatNumber: o.ClientProfileData.Document, Phones: []string{o.ClientProfileData.Phone}}}
	if i := bytes.IndexByte([]byte(n.Code), '-'); i > 0 {
		n.Channel = n.Code[:i]
	}
	switch o.Shipping() {
	case oms.ShippingDirect:
		n.CalculationType = skyhub.CalcDirect
	case oms.ShippingCorreios:
		n.CalculationType = skyhub.CalcCorreios
	}
	a := o.ShippingData.Address
	n.ShippingAddress = skyhub.Address{FullName: a.ReceiverName, Street: a.Street, Number: a.Number, Detail: a.Complement,
		Neighborhood: a.Neighborhood, City: a.City, Region: a.State, Country: "BR", Postcode: a.PostalCode, Phone: o.ClientProfileData.Phone}
	for _, t := range o.Totals {
		if t.ID == "Shipping" {
			n.ShippingCost = float64(t.Value) / 100
		}
	}
	for _, it := range o.Items {
		n.Items = append(n.Items, struct {
			ID            string  `json:"id"`
			Name          string  `json:"name"`
			Qty           int     `json:"qty"`
			OriginalPrice float64 `json:"original_price"`
			SpecialPrice  float64 `json:"special_price"`
		}{ID: it.ID, Name: it.Name, Qty: it.Quantity, OriginalPrice: float64(it.ListPrice) / 100, SpecialPrice: float64(it.Price) / 100})
	}
	return n
}

// onEvent turns VTEX and SkyHub events into bridge work. It runs under the
// publisher's lock, so it only queues.
func (b *Bridge) onEvent(e events.Event) {
	switch e.Type {
	case events.InvoiceAdded, events.InvoiceUpdated:
		o, ok := e.Subject.(*oms.Order)
		if !ok || o.Channel() != oms.ChannelB2W || e.Data["type"] != oms.InvoiceOutput || e.Data["allItemsInvoiced"] != true {
			return // the bridge waits for the last item
		}
		steps := []step{stepInvoice}
		if o.Shipping() == oms.ShippingDirect {
			steps = append(steps, stepGroup, stepCollect)
		}
		key, _ := e.Data["invoiceKey"].(string)
		issued, _ := e.Data["issuanceDate"].(string)
		volumes := 0
		for _, it := range o.Items {
			volumes += it.Quantity
		}
		b.enqueue(&job{account: e.Account, orderID: e.OrderID, code: o.MarketplaceOrderID, steps: steps,
			key: key, volumes: volumes, issued: issued})
	case events.OrderStatusChanged:
		o, ok := e.Subject.(*oms.Order)
		if ok && o.Channel() == oms.ChannelB2W && e.To == string(oms.StatusCanceled) {
			b.enqueue(&job{account: e.Account, orderID: e.OrderID, code: o.MarketplaceOrderID, steps: []step{stepCancel}})
		}
	case skyhub.EventStatusChanged:
		if e.To == string(skyhub.Approved) && e.From == string(skyhub.New) {
			code, _ := e.Data["code"].(string)
			b.enqueue(&job{account: e.Account, code: code, steps: []step{stepImport}})
		}
	}
}

func (b *Bridge) enqueue(j *job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.jobs = append(b.jobs, j)
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *Bridge) work() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		var j *job
		if len(b.jobs) > 0 {
			j, b.jobs = b.jobs[0], b.jobs[1:]
		}
		b.mu.Unlock()
		if j == nil {
			select {
			case <-b.ctx.Done():
				return
			case <-b.wake:
			}
			continue
		}
		b.run(j)
	}
}

// run carries out a job's steps; a failure retries that step later,
// unless SkyHub refused it for good.
func (b *Bridge) run(j *job) {
	for len(j.steps) > 0 {
		if err := b.do(j, j.steps[0]); err != nil {
			if b.ctx.Err() != nil {
				return
			}
			var refused *refusal
			if errors.As(err, &refused) && refused.final() {
				b.publish(j.account, j.orderID, Failed, map[string]any{"code": j.code, "step": string(j.steps[0]),
					"attempt": j.attempt + 1, "status": refused.status, "error": err.Error()})
				return
			}
			j.attempt++
			wait := min(firstRetry<<(j.attempt-1), maxRetry)
			b.clock.After(wait, func() { b.enqueue(j) })
			b.publish(j.account, j.orderID, StepFailed, map[string]any{"code": j.code, "step": string(j.steps[0]),
				"attempt": j.attempt, "error": err.Error(), "retryIn": wait.String()})
			return
		}
		j.steps, j.attempt = j.steps[1:], 0
	}
}

// do makes one step's call.
func (b *Bridge) do(j *job, s step) error {
	st, ok := b.hub.ForAccount(j.account)
	if !ok {
		return fmt.Errorf("account %s has no SkyHub seller", j.account)
	}
	remote := skyhub.RemoteOf(j.code)
	path := "/orders/" + url.PathEscape(j.code)
	switch s {
	case stepImport:
		return b.importOrder(st, j)
	case stepInvoice:
		key := j.key
		if len(key) != 44 {
			// VTEX's connector needs invoiceKey; the sandbox makes one up
			// rather than strand the order, and says so in the event.
			key = brdata.NFeKey(b.rng, st.Info().Issuer(), b.rng.IntN(1_000_000), b.clock.Now().Year(), int(b.clock.Now().Month()))
		}
		invoice := map[string]any{"key": key, "volume_qty": fmt.Sprint(max(j.volumes, 1))}
		// The NF-e's own issue date, not the time the connector forwards it;
		// a date alone is that day in Brasília.
		if t, err := oms.ParseIssuance(j.issued, skyhub.Brasilia); err == nil {
			invoice["issue_date"] = skyhub.FormatTime(t)
		}
		if _, err := b.call(st, "POST", path+"/invoice", map[string]any{"status": "order_invoiced",
			"invoice": invoice}, http.StatusCreated); err != nil {
			return err
		}
		b.publish(j.account, j.orderID, InvoiceForwarded, map[string]any{"code": j.code, "key": key, "generatedKey": key != j.key})
	case stepGroup:
		// VTEX's connector groups once B2W has processed the NF-e (the
		// label exists); until then it waits, and tries again later.
		ready := false
		if err := st.Get(j.code, func(o *skyhub.Order) { ready = o.LabelReady() }); err == nil && !ready {
			return errors.New("waiting for B2W to process the invoice (the label is not ready)")
		}
		body, err := b.call(st, "POST", "/shipments/b2w", map[string]any{"order_remote_codes": []string{remote}}, http.StatusCreated)
		if err != nil {
			return err
		}
		var m struct{ Message string }
		_ = json.Unmarshal(body, &m)
		b.publish(j.account, j.orderID, Grouped, map[string]any{"code": j.code, "message": m.Message})
	case stepCollect:
		if _, err := b.call(st, "POST", "/shipments/b2w/confirm_collection", map[string]any{"order_codes": []string{remote}}, http.StatusCreated); err != nil {
			return err
		}
		b.publish(j.account, j.orderID, PickupRequested, map[string]any{"code": j.code})
	case stepCancel:
		var status string
		_ = st.Get(j.code, func(o *skyhub.Order) { status = string(o.Status.Type) })
		if status == string(skyhub.Canceled) {
			return nil
		}
		if _, err := b.call(st, "POST", path+"/cancel", map[string]any{"status": "order_canceled"}, http.StatusCreated); err != nil {
			return err
		}
		b.publish(j.account, j.orderID, CancelForwarded, map[string]any{"code": j.code})
	}
	return nil
}

// importOrder mirrors an approved SkyHub order into the linked VTEX
// account, ready for handling.
func (b *Bridge) importOrder(st *skyhub.Store, j *job) error {
	acct, ok := b.oms.Account(j.account)
	if !ok {
		return fmt.Errorf("account %s not found", j.account)
	}
	if _, exists := acct.ByMarketplaceOrderID(j.code); exists {
		return nil // the twin of an order that started in VTEX
	}
	var n oms.NewOrder
	err := st.Get(j.code, func(o *skyhub.Order) {
		n = oms.NewOrder{Channel: oms.ChannelB2W, MarketplaceOrderID: o.Code, Shipping: oms.ShippingDirect,
			ShippingPrice: ptr(int64(o.ShippingCost*100 + 0.5)),
			Customer:      &oms.Customer{FirstName: o.Customer.Name, Email: o.Customer.Email}}
		if o.CalculationType != nil && *o.CalculationType == skyhub.CalcCorreios {
			n.Shipping = oms.ShippingCorreios
		}
		for _, it := range o.Items {
			n.Items = append(n.Items, oms.NewItem{ID: it.ID, Name: cmp.Or(it.Name, it.ID), Price: int64(it.SpecialPrice*100 + 0.5), Quantity: it.Qty})
		}
	})
	if err != nil {
		return err
	}
	id, err := acct.Create(n)
	if err != nil {
		return err
	}
	b.publish(j.account, id, VTEXOrderImported, map[string]any{"code": j.code})
	return nil
}

// call sends one request to the sandbox's SkyHub API as the seller.
func (b *Bridge) call(st *skyhub.Store, method, path string, body any, want int) ([]byte, error) {
	data, _ := json.Marshal(body)
	req := httptest.NewRequestWithContext(b.ctx, method, b.base+path, bytes.NewReader(data))
	s := st.Info()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-User-Email", s.Email)
	req.Header.Set("X-Api-Key", s.APIKey)
	req.Header.Set("X-Accountmanager-Key", cmp.Or(s.AccountManagerKey, "vtex-connector"))
	req.Header.Set(journal.OriginHeader, Origin)
	rec := httptest.NewRecorder()
	b.skyhub.ServeHTTP(rec, req)
	answer, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != want {
		return answer, &refusal{status: rec.Code, msg: fmt.Sprintf("%s %s: %d %s", method, path, rec.Code, bytes.TrimSpace(answer))}
	}
	return answer, nil
}

// refusal is an answer from SkyHub other than the one a step expects.
type refusal struct {
	status int
	msg    string
}

func (r *refusal) Error() string { return r.msg }

// final tells whether retrying cannot help: a client error other than
// 429. Server errors and 429 are retried.
func (r *refusal) final() bool {
	return r.status >= 400 && r.status < 500 && r.status != http.StatusTooManyRequests
}

func (b *Bridge) publish(account, orderID, typ string, data map[string]any) {
	b.bus.Publish(events.Event{Time: b.clock.Now(), Account: account, Type: typ, OrderID: orderID, Data: data})
}

func ptr[T any](v T) *T { return &v }
