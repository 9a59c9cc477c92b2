package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"
	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// DefaultWait is how long a Then step waits for the integration to get
// there, unless Options.Wait says otherwise.
const DefaultWait = 15 * time.Second

// world is one scenario's state: its account, its orders, its integration.
type world struct {
	h      *harness
	env    Env
	orders []*oms.Order // in creation order; "the order" is the last
	run    Running
	wrong  bool // the integration gets a wrong app token
	hook   bool
	sky    skyhubWorld // SkyHub-direct scenarios (steps_skyhub.go)
	ml     mlWorld     // Mercado Livre scenarios (steps_mercadolivre.go)
	driver struct {
		status int
		body   string
	}
	// skip says why the scenario does not apply to this integration; its
	// steps are then skipped.
	skip string
	// since is the journal's and the event log's last sequence number
	// before the scenario: on a shared account, what came before is
	// another scenario's.
	since, eventsSince int64
	retryAfter         int    // the Retry-After the scenario's fault sends
	parcel             string // the scenario's Correios code (steps_tracking.go)
	rec                *scenarioRecord
	unlock             func() // releases the clock lock
	b2b                b2bState
}

var scenarios atomic.Int64

// newWorld gives the scenario an account of its own (or the shared one
// for an integration already running) and its SkyHub seller.
func (h *harness) newWorld(ctx context.Context) (*world, error) {
	w := &world{h: h, retryAfter: 1}
	if !h.integration.PerScenario() {
		// The integration keeps its own state (its feed configuration, the
		// orders it stored): the account is never reset under it. The
		// scenario sees only what happens from now on.
		w.env = h.shared
		var err error
		if w.since, w.eventsSince, err = h.marks(ctx, h.shared.Account); err != nil {
			return nil, err
		}
		return w, nil
	}
	name := fmt.Sprintf("%s-%d", h.prefix, scenarios.Add(1))
	a, err := h.client.CreateAccount(ctx, client.Account{Name: name})
	if err != nil {
		return nil, fmt.Errorf("scenario account: %w", err)
	}
	addrs, err := freeAddrs(3)
	if err != nil {
		return nil, err
	}
	addr, b2b := addrs[0], addrs[1]
	w.env = Env{VTEXURL: h.sandboxURL, Account: a.Name, AppKey: a.AppKey, AppToken: a.AppToken,
		SkyHubURL: h.sandboxURL + "/skyhub", SkyHubEmail: a.SkyHubEmail, SkyHubAPIKey: a.SkyHubAPIKey,
		SkyHubAMKey: "omsbox-contracts", SkyHubCNPJ: skyhub.DefaultCNPJ, DriverAddr: addr, B2BAddr: b2b, B2BToken: newToken(),
		CarrierURL: h.sandboxURL + "/correios", CarrierUser: a.CorreiosUser, CarrierAccessCode: a.CorreiosAccessCode,
		CarrierPostingCard: a.CorreiosPostingCard,
		MLURL:              h.sandboxURL + "/mercadolivre", MLClientID: a.MercadoLivreClientID, MLClientSecret: a.MercadoLivreClientSecret,
		MLRedirectURI: a.MercadoLivreRedirectURI, MLNotificationsAddr: addrs[2]}
	return w, nil
}

// start runs the integration, once.
func (w *world) start(ctx context.Context) error {
	if w.run != nil {
		return nil
	}
	env := w.env
	env.HookMode, env.DriverOptional = w.hook, w.h.driverOptional
	if w.sky.direct {
		env.Channels = reference.ChannelSkyHub
	}
	if w.ml.direct {
		if err := w.mlConsent(ctx, &env); err != nil {
			return err
		}
	}
	if w.wrong {
		env.AppToken = "wrong-" + env.AppToken
	}
	r, err := w.h.integration.Start(ctx, env)
	if err != nil {
		return err
	}
	w.run = r
	return nil
}

func (w *world) stop() string {
	if w.run == nil {
		return ""
	}
	logs, _ := w.run.Stop()
	return logs
}

func (w *world) order() (*oms.Order, error) {
	if len(w.orders) == 0 {
		return nil, errors.New("the scenario has no order yet")
	}
	return w.orders[len(w.orders)-1], nil
}

// Given ---------------------------------------------------------------

func (w *world) paidOrders(ctx context.Context, n int, channel oms.Channel, shipping oms.Shipping, items int) error {
	return w.createOrders(ctx, n, oms.NewOrder{Channel: channel, Shipping: shipping}, items)
}

// paidOrdersIn creates one order stopped in a platform status.
func (w *world) paidOrdersIn(ctx context.Context, status oms.Status) error {
	return w.createOrders(ctx, 1, oms.NewOrder{Status: status}, 1)
}

func (w *world) createOrders(ctx context.Context, n int, base oms.NewOrder, items int) error {
	for i := range n {
		no := base
		for k := range items {
			no.Items = append(no.Items, oms.NewItem{ID: fmt.Sprintf("SKU-%d", k+1), Name: fmt.Sprintf("Produto %d", k+1),
				Price: int64(2990 + 1000*k + i), Quantity: 1})
		}
		o, err := w.h.client.CreateOrder(ctx, client.NewOrder{Account: w.env.Account, NewOrder: no})
		if err != nil {
			return fmt.Errorf("create the order: %w", err)
		}
		w.orders = append(w.orders, o)
	}
	return nil
}

func (w *world) shopperCancels(ctx context.Context) error {
	o, err := w.order()
	if err != nil {
		return err
	}
	_, err = w.h.client.Advance(ctx, o.OrderID, oms.StatusCanceled)
	return err
}

func (w *world) fault(ctx context.Context, r faults.Rule) error {
	r.Account = w.env.Account
	_, err := w.h.client.AddFault(ctx, r)
	return err
}

// When ----------------------------------------------------------------

// action posts an ERP action to the integration's driver endpoint.
func (w *world) action(ctx context.Context, a map[string]any, mustSucceed bool) error {
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip // no driver: the @driver scenarios do not apply
	}
	if a["channel"] != nil { // another channel's order, named by the step
	} else if o, err := w.order(); err == nil {
		a["orderId"] = o.OrderID
	} else if a["action"] != "poll-carrier" { // the one action on no order (a SkyHub scenario has no VTEX one)
		return err
	}
	body, _ := json.Marshal(a)
	req, _ := http.NewRequestWithContext(ctx, "POST", w.run.DriverURL()+"/actions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	w.driver.status, w.driver.body = resp.StatusCode, string(answer)
	if mustSucceed && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the driver answered %d to %s: %s", resp.StatusCode, body, answer)
	}
	return nil
}

func (w *world) invoice(ctx context.Context, number string, item int, tracking string) error {
	a := map[string]any{"action": "invoice", "invoiceNumber": number}
	if item > 0 {
		o, _ := w.order()
		if item > len(o.Items) {
			return fmt.Errorf("the order has %d items, not %d", len(o.Items), item)
		}
		a["items"] = []map[string]any{{"id": o.Items[item-1].ID, "quantity": o.Items[item-1].Quantity}}
	}
	if tracking != "" {
		a["trackingNumber"] = tracking
	}
	return w.action(ctx, a, true)
}

// Then ----------------------------------------------------------------

// eventually retries check until it passes or the scenario's wait runs
// out; the failure says what was expected and what was seen.
func eventually(ctx context.Context, check func() error) error {
	deadline := time.Now().Add(worldOf(ctx).h.wait)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// vtex reads the VTEX API as the scenario's account.
func (w *world) vtex(ctx context.Context, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", w.env.VTEXURL+path+"?an="+w.env.Account, nil)
	req.Header.Set("X-VTEX-API-AppKey", w.env.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", w.env.AppToken)
	req.Header.Set(journal.OriginHeader, journal.Observer)
	return getJSON(req, out)
}

// skyhub reads the SkyHub API as the scenario's seller.
func (w *world) skyhub(ctx context.Context, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", w.env.SkyHubURL+path, nil)
	req.Header.Set("X-User-Email", w.env.SkyHubEmail)
	req.Header.Set("X-Api-Key", w.env.SkyHubAPIKey)
	req.Header.Set("X-Accountmanager-Key", w.env.SkyHubAMKey)
	req.Header.Set(journal.OriginHeader, journal.Observer)
	return getJSON(req, out)
}

func getJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

func (w *world) current(ctx context.Context, id string) (*oms.Order, error) {
	var o oms.Order
	return &o, w.vtex(ctx, "/api/oms/pvt/orders/"+id, &o)
}

func (w *world) orderIs(ctx context.Context, status string) error {
	o, err := w.order()
	if err != nil {
		return err
	}
	return w.ordersAre(ctx, status, []*oms.Order{o})
}

func (w *world) ordersAre(ctx context.Context, status string, orders []*oms.Order) error {
	return eventually(ctx, func() error {
		want, got := map[string]string{}, map[string]string{}
		var late string
		for _, o := range orders {
			cur, err := w.current(ctx, o.OrderID)
			if err != nil {
				return err
			}
			want[o.OrderID], got[o.OrderID] = status, string(cur.Status)
			if got[o.OrderID] != status {
				late = o.OrderID
			}
		}
		if late == "" {
			return nil
		}
		return w.explain(ctx, "order statuses (-want +got):\n"+cmp.Diff(want, got),
			journal.Filter{Path: "/api/oms/pvt/orders/" + late + "/**"})
	})
}

// journal returns the integration's own requests (not the harness's, not
// the bridge's) of the scenario account.
func (w *world) journal(ctx context.Context, f client.JournalFilter) ([]journal.Entry, error) {
	f.Account = w.env.Account
	f.Since = max(f.Since, w.since)
	all, err := w.h.client.Journal(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []journal.Entry
	for _, e := range all {
		if e.Origin == "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// explain adds the relevant journal lines to a failure.
func (w *world) explain(ctx context.Context, what string, f journal.Filter) error {
	entries, _ := w.journal(ctx, client.JournalFilter{Path: f.Path, Method: f.Method})
	var b strings.Builder
	b.WriteString(what)
	if len(entries) > 0 {
		b.WriteString("\nthe integration's calls:")
		for _, e := range entries[max(0, len(entries)-12):] {
			fmt.Fprintf(&b, "\n  %s %s %s → %d", e.ReceivedAt.Format("15:04:05.000"), e.Method, e.Path, e.Status)
		}
	}
	return errors.New(b.String())
}

func (w *world) feedEmpty(ctx context.Context) error {
	return eventually(ctx, func() error {
		feeds, err := w.h.client.Feeds(ctx, w.env.Account)
		if err != nil {
			return err
		}
		if len(feeds) == 0 {
			return w.explain(ctx, "the integration configured no feed", journal.Filter{Path: "/api/orders/**"})
		}
		for _, f := range feeds {
			if f.Quantity != 0 {
				return w.explain(ctx, fmt.Sprintf("the feed of app key %s holds %d uncommitted items, want none", f.AppKey, f.Quantity),
					journal.Filter{Path: "/api/orders/feed"})
			}
		}
		return nil
	})
}

func (w *world) startHandlingCalls(ctx context.Context, want int, orders []*oms.Order) error {
	if err := w.feedEmpty(ctx); err != nil { // everything it will do is done
		return err
	}
	for _, o := range orders {
		entries, err := w.journal(ctx, client.JournalFilter{Method: "POST", Path: "/api/oms/pvt/orders/" + o.OrderID + "/start-handling"})
		if err != nil {
			return err
		}
		if len(entries) != want {
			return w.explain(ctx, fmt.Sprintf("start-handling was called %d times for order %s, want %d", len(entries), o.OrderID, want),
				journal.Filter{Path: "/api/oms/pvt/orders/" + o.OrderID + "/**"})
		}
	}
	return nil
}

func (w *world) readBeforeStart(ctx context.Context) error {
	o, err := w.order()
	if err != nil {
		return err
	}
	entries, err := w.journal(ctx, client.JournalFilter{Path: "/api/oms/pvt/orders/" + o.OrderID + "/**"})
	if err != nil {
		return err
	}
	read := false
	for _, e := range entries {
		if e.Method == "GET" && e.Path == "/api/oms/pvt/orders/"+o.OrderID && e.Status == 200 {
			read = true
		}
		if e.Method == "POST" && strings.HasSuffix(e.Path, "/start-handling") {
			if !read {
				return w.explain(ctx, "start-handling was called before the order was read", journal.Filter{Path: "/api/oms/pvt/orders/" + o.OrderID + "/**"})
			}
			return nil
		}
	}
	return errors.New("start-handling was never called")
}

// noneRefused checks that VTEX refused none of the integration's calls
// for a rule (400, 409, 422); 404s of look-ups are allowed.
func (w *world) noneRefused(ctx context.Context) error {
	entries, err := w.journal(ctx, client.JournalFilter{API: "vtex"})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Status == 400 || e.Status == 409 || e.Status == 422 {
			return w.explain(ctx, fmt.Sprintf("VTEX refused %s %s with %d: %s", e.Method, e.Path, e.Status, e.ResponseBody),
				journal.Filter{Path: "/api/oms/pvt/orders/**"})
		}
	}
	return nil
}

func (w *world) invoiceCount(ctx context.Context, n int) error {
	o, _ := w.order()
	return eventually(ctx, func() error {
		cur, err := w.current(ctx, o.OrderID)
		if err != nil {
			return err
		}
		if got := len(cur.PackageAttachment.Packages); got != n {
			return fmt.Errorf("the order has %d invoices, want %d", got, n)
		}
		return nil
	})
}

func (w *world) invoiceHas(ctx context.Context, number string, check func(p oms.Package) error) error {
	o, _ := w.order()
	return eventually(ctx, func() error {
		cur, err := w.current(ctx, o.OrderID)
		if err != nil {
			return err
		}
		for _, p := range cur.PackageAttachment.Packages {
			if p.InvoiceNumber == number {
				return check(p)
			}
		}
		return fmt.Errorf("the order has no invoice %s", number)
	})
}

// remote is the scenario order's SkyHub number.
func (w *world) remote() (string, string, error) {
	o, err := w.order()
	if err != nil {
		return "", "", err
	}
	code := o.MarketplaceOrderID
	if code == "" {
		return "", "", fmt.Errorf("order %s is not a B2W order", o.OrderID)
	}
	return code, code[strings.LastIndex(code, "-")+1:], nil
}

func (w *world) collectionRequested(ctx context.Context) error {
	_, remote, err := w.remote()
	if err != nil {
		return err
	}
	return eventually(ctx, func() error {
		var got struct {
			Orders []struct{ Code string } `json:"orders"`
		}
		if err := w.skyhub(ctx, "/shipments/b2w/collectables?requested=true", &got); err != nil {
			return err
		}
		for _, o := range got.Orders {
			if o.Code == remote {
				return nil
			}
		}
		return fmt.Errorf("SkyHub's collectables?requested=true does not list %s (it lists %v)", remote, got.Orders)
	})
}

// pickups counts the confirm_collection calls that requested this order's
// pickup, whoever made them.
func (w *world) pickups(ctx context.Context) (int, error) {
	_, remote, err := w.remote()
	if err != nil {
		return 0, err
	}
	all, err := w.h.client.Journal(ctx, client.JournalFilter{Account: w.env.Account, API: "skyhub", Method: "POST",
		Path: "/skyhub/shipments/b2w/confirm_collection", Since: w.since})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range all {
		if e.Status == http.StatusCreated && strings.Contains(e.RequestBody, remote) {
			n++
		}
	}
	return n, nil
}

func (w *world) pickupCount(ctx context.Context, want int) error {
	if want > 0 {
		if err := w.collectionRequested(ctx); err != nil {
			return err
		}
	}
	// VTEX requests the pickup; the retailer no longer does it by hand.
	own, err := w.journal(ctx, client.JournalFilter{API: "skyhub", Method: "POST", Path: "/skyhub/shipments/b2w/**"})
	if err != nil {
		return err
	}
	if len(own) > 0 {
		return fmt.Errorf("the integration called SkyHub's %s itself (%d); VTEX's connector groups and requests pickup on its own once the last item is invoiced",
			own[0].Path, own[0].Status)
	}
	n, err := w.pickups(ctx)
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("pickup was requested %d times for the order, want %d", n, want)
	}
	return nil
}

func (w *world) skyhubInvoiced(ctx context.Context) error {
	code, _, err := w.remote()
	if err != nil {
		return err
	}
	return eventually(ctx, func() error {
		var o struct {
			Status struct{ Type string } `json:"status"`
		}
		if err := w.skyhub(ctx, "/orders/"+url.PathEscape(code), &o); err != nil {
			return err
		}
		if o.Status.Type != "INVOICED" {
			return fmt.Errorf("SkyHub's order %s is %s, want INVOICED", code, o.Status.Type)
		}
		return nil
	})
}

// waitedAsTold checks, from wall-clock arrivals, that after each 429 with
// a Retry-After the integration's next read of the same order came no
// sooner than it was told.
func (w *world) waitedAsTold(ctx context.Context) error {
	o, _ := w.order()
	if err := w.orderIs(ctx, string(oms.StatusHandling)); err != nil {
		return err
	}
	entries, err := w.journal(ctx, client.JournalFilter{Method: "GET", Path: "/api/oms/pvt/orders/" + o.OrderID})
	if err != nil {
		return err
	}
	rules := 0
	for i, e := range entries[:max(len(entries)-1, 0)] {
		if e.Status != http.StatusTooManyRequests {
			continue
		}
		rules++
		told := time.Duration(w.retryAfter) * time.Second
		gap := entries[i+1].ReceivedAt.Sub(e.ReceivedAt)
		if gap < told-50*time.Millisecond {
			return w.explain(ctx, fmt.Sprintf("after a 429 with Retry-After: %d the integration came back %s later", w.retryAfter, gap.Round(time.Millisecond)),
				journal.Filter{Path: "/api/oms/pvt/orders/" + o.OrderID})
		}
	}
	if rules == 0 {
		return errors.New("no 429 was answered: the scenario's fault did not apply")
	}
	return nil
}

// refusedAtMost watches the integration for a while (its calls take real
// time) and counts the calls refused with 403.
func (w *world) refusedAtMost(ctx context.Context, n int) error {
	select {
	case <-ctx.Done():
	case <-time.After(time.Second): // an observation window, not a synchronisation
	}
	// A refused call belongs to no account; the app key the scenario handed
	// the integration finds it.
	entries, err := w.h.client.Journal(ctx, client.JournalFilter{Caller: w.env.AppKey})
	if err != nil {
		return err
	}
	refused := 0
	for _, e := range entries {
		if e.Status == http.StatusForbidden {
			refused++
		}
	}
	if refused == 0 {
		return errors.New("the integration made no call at all with its wrong credentials")
	}
	if refused > n {
		return w.explain(ctx, fmt.Sprintf("%d calls were refused with 403 within a second, want at most %d: wrong credentials are retried in a loop", refused, n), journal.Filter{})
	}
	return nil
}
