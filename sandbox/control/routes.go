package control

import (
	"cmp"
	"errors"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

func (p *plane) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"version":        p.Version,
		"accounts":       p.OMS.Accounts(),
		"defaultAccount": p.DefaultAccount,
		"time":           p.Clock.Now().Format(time.RFC3339Nano),
	})
}

func (p *plane) reset(w http.ResponseWriter, r *http.Request) {
	account := r.URL.Query().Get("account")
	if account != "" {
		if _, ok := p.OMS.Account(account); !ok {
			fail(w, http.StatusNotFound, "account %q not found", clip.ID(account))
			return
		}
	}
	if err := p.Reset(account); err != nil {
		fail(w, http.StatusInternalServerError, "reset: %v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *plane) listAccounts(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, p.OMS.Accounts())
}

func (p *plane) createAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name      string `json:"name"`
		AppKey    string `json:"appKey"`
		AppToken  string `json:"appToken"`
		UserToken string `json:"userToken"`
		Seed      string `json:"seed"`
	}
	if !decode(w, r, &req) {
		return
	}
	if _, exists := p.OMS.Account(req.Name); exists {
		fail(w, http.StatusConflict, "account %q exists already", req.Name)
		return
	}
	a := config.Account{Name: req.Name, Seed: req.Seed,
		AppKeys: []config.AppKey{{Key: cmp.Or(req.AppKey, "vtexappkey-"+req.Name+"-sandbox"),
			Token: cmp.Or(req.AppToken, "sandbox-token-"+req.Name)}},
		UserTokens: []string{cmp.Or(req.UserToken, "sandbox-user-token-"+req.Name)}}
	if err := p.AddAccount(a); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	// Its own SkyHub seller, so the B2W orders of parallel suites stay apart.
	seller := config.Seller{Email: "seller@" + req.Name + ".com.br", APIKey: "skyhub-" + req.Name + "-key", Account: req.Name}
	if err := p.AddSeller(seller); err != nil {
		fail(w, http.StatusConflict, "%v", err)
		return
	}
	// And its own Correios contract, for the carrier's tokens.
	ct, err := p.Carrier.NewContract(req.Name)
	if err != nil {
		fail(w, http.StatusConflict, "%v", err)
		return
	}
	// And its own Mercado Livre app and seller.
	app, err := p.MercadoLivre.AddApp(mercadolivre.App{Account: req.Name})
	if err != nil {
		fail(w, http.StatusConflict, "%v", err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": a.Name, "appKey": a.AppKeys[0].Key,
		"appToken": a.AppKeys[0].Token, "userToken": a.UserTokens[0],
		"skyhubEmail": seller.Email, "skyhubApiKey": seller.APIKey,
		"correiosUser": ct.User, "correiosAccessCode": ct.AccessCode, "correiosPostingCard": ct.PostingCard,
		"mercadolivreClientId": app.ClientID, "mercadolivreClientSecret": app.ClientSecret,
		"mercadolivreRedirectUri": app.RedirectURI, "mercadolivreSellerId": app.SellerID})
}

// orderRequest is the body of Create order, and the template of Create
// orders.
type orderRequest struct {
	Account string `json:"account"`
	// AllowOversell creates the order even when the stock of its
	// catalog SKUs cannot cover it (the reservation goes negative).
	AllowOversell bool `json:"allowOversell"`
	oms.NewOrder
}

func (p *plane) createOrder(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	if !decode(w, r, &req) {
		return
	}
	name, acct, ok := p.newOrderAccount(w, &req)
	if !ok {
		return
	}
	if req.Channel == channelMercadoLivre {
		p.createMLOrder(w, name, req.NewOrder, req.AllowOversell) // Mercado Livre's own domain, not VTEX's OMS
		return
	}
	if !p.canTwin(w, name, &req) {
		return
	}
	// Stock is checked and the order created (its event reserves) in one
	// step per account, so two creations cannot both take the last unit.
	var id string
	err := p.Stock.CreateChecked(name, req.Items, req.AllowOversell, func() (err error) {
		id, err = acct.Create(req.NewOrder)
		return err
	})
	if !created(w, name, err) {
		return
	}
	if req.Channel == oms.ChannelB2W {
		code, ok := p.twin(w, name, id)
		if !ok {
			return
		}
		w.Header().Set("X-Omsbox-Skyhub-Code", code)
	}
	encodeOrder(w, http.StatusCreated, acct, id)
}

// createdOrder is one order Create orders made.
type createdOrder struct {
	OrderID    string `json:"orderId"`
	SkyHubCode string `json:"skyhubCode,omitempty"`
}

// createOrders seeds an account at scale: count orders from one template,
// each made as createOrder makes one, all or none. It answers their ids
// only: the documents of 10,000 orders would be some 90 MB.
func (p *plane) createOrders(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Count int          `json:"count"`
		Order orderRequest `json:"order"`
	}
	if !decode(w, r, &req) {
		return
	}
	t := &req.Order
	name, acct, ok := p.newOrderAccount(w, t)
	if !ok {
		return
	}
	switch {
	case t.Channel == channelMercadoLivre:
		fail(w, http.StatusBadRequest, "Create orders makes VTEX orders (channel vtex or b2w); create Mercado Livre sales one by one with POST /_sandbox/orders")
		return
	case t.MarketplaceOrderID != "" && req.Count > 1:
		fail(w, http.StatusBadRequest, "marketplaceOrderId names one order; leave it out and each of the %d orders gets its own", req.Count)
		return
	}
	if !p.canTwin(w, name, t) {
		return
	}
	// The stock must cover every order at once: the check sees each item
	// count times; each order then reserves its own.
	all := slices.Clone(t.Items)
	for i := range all {
		all[i].Quantity *= req.Count
	}
	ids := make([]string, 0, req.Count)
	err := p.Stock.CreateChecked(name, all, t.AllowOversell, func() error {
		for range req.Count {
			id, err := acct.Create(t.NewOrder)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil && len(ids) > 0 {
		// Every order is made from the same template, so a refusal comes
		// with the first; a later failure is the sandbox's own.
		fail(w, http.StatusInternalServerError, "created %d of %d orders, then: %v", len(ids), req.Count, err)
		return
	}
	if !created(w, name, err) {
		return
	}
	orders := make([]createdOrder, len(ids))
	for i, id := range ids {
		orders[i].OrderID = id
		if t.Channel == oms.ChannelB2W {
			if orders[i].SkyHubCode, ok = p.twin(w, name, id); !ok {
				return
			}
		}
	}
	writeJSON(w, http.StatusCreated, struct {
		Account string         `json:"account"`
		Channel oms.Channel    `json:"channel"`
		Orders  []createdOrder `json:"orders"`
	}{name, cmp.Or(t.Channel, oms.ChannelVTEX), orders})
}

// newOrderAccount is the account an order request names, else the
// default; it answers 404 when there is none.
func (p *plane) newOrderAccount(w http.ResponseWriter, req *orderRequest) (string, *oms.Account, bool) {
	name := cmp.Or(req.Account, p.DefaultAccount)
	acct, ok := p.OMS.Account(name)
	if !ok {
		fail(w, http.StatusNotFound, "account %q not found; add it with POST /_sandbox/accounts", clip.ID(name))
	}
	return name, acct, ok
}

// canTwin answers 400 for a B2W order in an account with no SkyHub seller
// to hold its twin.
func (p *plane) canTwin(w http.ResponseWriter, name string, req *orderRequest) bool {
	if _, ok := p.SkyHub.ForAccount(name); req.Channel == oms.ChannelB2W && !ok {
		fail(w, http.StatusBadRequest, "account %q has no SkyHub seller for its B2W orders; add one in the configuration", name)
		return false
	}
	return true
}

// created answers a refused creation: 409 for stock short, the domain's
// own refusal otherwise. It tells whether the creation went through.
func created(w http.ResponseWriter, name string, err error) bool {
	if short, ok := inventory.AsShort(err); ok {
		fail(w, http.StatusConflict, "%s in account %s; write stock first, or send \"allowOversell\": true", short.Error(), name)
		return false
	}
	if err != nil {
		failDomain(w, err)
		return false
	}
	return true
}

// twin makes a B2W order's SkyHub twin and answers its code.
func (p *plane) twin(w http.ResponseWriter, name, id string) (string, bool) {
	code, err := p.Bridge.Twin(name, id)
	if err != nil {
		fail(w, http.StatusInternalServerError, "SkyHub twin of %s: %v", id, err)
		return "", false
	}
	return code, true
}

// skyhubSteps are the steps SkyHub's own side takes, which the control
// plane offers because SkyHub's API does not.
var skyhubSteps = map[string]func(*skyhub.Store, string) error{
	"process-invoice": (*skyhub.Store).ProcessInvoice,
	"pickup":          (*skyhub.Store).Pickup,
	"delivered":       (*skyhub.Store).MarkDelivered,
	"cancel":          (*skyhub.Store).CancelByMarketplace,
}

func (p *plane) skyhubStep(w http.ResponseWriter, r *http.Request) {
	code, step := mux.Vars(r)["code"], mux.Vars(r)["step"]
	st, ok := p.SkyHub.Locate(code)
	if !ok {
		fail(w, http.StatusNotFound, "SkyHub order %q not found for any seller", clip.ID(code))
		return
	}
	if err := skyhubSteps[step](st, code); err != nil {
		var e *skyhub.Error
		if errors.As(err, &e) && e.Status == http.StatusNotFound {
			fail(w, http.StatusNotFound, "%v", err)
			return
		}
		fail(w, http.StatusConflict, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *plane) advanceOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		To oms.Status `json:"to"`
	}
	if !decode(w, r, &req) {
		return
	}
	id := mux.Vars(r)["orderId"]
	acct, ok := p.orderAccount(w, r, id)
	if !ok {
		return
	}
	if !req.To.Known() {
		fail(w, http.StatusBadRequest, "to: %q is not a VTEX order status", clip.ID(string(req.To)))
		return
	}
	if _, err := acct.Advance(id, req.To); err != nil {
		failDomain(w, err)
		return
	}
	encodeOrder(w, http.StatusOK, acct, id)
}

// orderAccount finds the account of an order: the `account` parameter, or
// whichever account holds the id.
func (p *plane) orderAccount(w http.ResponseWriter, r *http.Request, id string) (*oms.Account, bool) {
	if name := r.URL.Query().Get("account"); name != "" {
		acct, ok := p.OMS.Account(name)
		if !ok {
			fail(w, http.StatusNotFound, "account %q not found", clip.ID(name))
		}
		return acct, ok
	}
	acct, ok := p.OMS.Locate(id)
	if !ok {
		fail(w, http.StatusNotFound, "order %q not found in any account", clip.ID(id))
	}
	return acct, ok
}

func (p *plane) clockState() map[string]any {
	return map[string]any{"now": p.Clock.Now().Format(time.RFC3339Nano), "frozen": p.Clock.IsFrozen(),
		"pendingTimers": p.Clock.Pending()}
}

func (p *plane) getClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, p.clockState())
}

func (p *plane) setClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance *string `json:"advance"`
		Set     *string `json:"set"`
	}
	if !decode(w, r, &req) {
		return
	}
	var err error
	switch {
	case (req.Advance == nil) == (req.Set == nil):
		fail(w, http.StatusBadRequest, "send exactly one of advance (e.g. \"90s\") or set (RFC 3339)")
		return
	case req.Advance != nil:
		d, perr := time.ParseDuration(*req.Advance)
		if perr != nil {
			fail(w, http.StatusBadRequest, "advance: %q is not a duration such as \"90s\" or \"2h30m\"", clip.ID(*req.Advance))
			return
		}
		_, err = p.Clock.Advance(d)
	default:
		t, perr := time.Parse(time.RFC3339Nano, *req.Set)
		if perr != nil {
			fail(w, http.StatusBadRequest, "set: %q is not an RFC 3339 time such as \"2026-01-02T15:04:05Z\"", clip.ID(*req.Set))
			return
		}
		_, err = p.Clock.Set(t)
	}
	switch {
	case errors.Is(err, clock.ErrOutOfRange) && req.Set != nil:
		fail(w, http.StatusBadRequest, "set: %v", err)
		return
	case errors.Is(err, clock.ErrOutOfRange):
		fail(w, http.StatusBadRequest, "advance: %v", err)
		return
	case err != nil:
		fail(w, http.StatusConflict, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, p.clockState())
}

// since reads the `since` parameter: a sequence number or an RFC 3339 time.
func since(w http.ResponseWriter, r *http.Request) (seq int64, at time.Time, ok bool) {
	s := r.URL.Query().Get("since")
	if s == "" {
		return 0, at, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, at, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return 0, t, true
	}
	fail(w, http.StatusBadRequest, "parameter \"since\" in query: %q is neither a sequence number nor an RFC 3339 time", clip.ID(s))
	return 0, at, false
}

func (p *plane) journal(w http.ResponseWriter, r *http.Request) {
	seq, at, ok := since(w, r)
	if !ok {
		return
	}
	f, ok := journalFilter(w, r)
	if !ok {
		return
	}
	f.SinceSeq, f.SinceTime = seq, at
	f.Limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	f.Last, _ = strconv.Atoi(r.URL.Query().Get("last"))
	writeJSON(w, http.StatusOK, p.Journal.Entries(f))
}

func (p *plane) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	seq, at, ok := since(w, r)
	if !ok {
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	last, _ := strconv.Atoi(q.Get("last"))
	writeJSON(w, http.StatusOK, p.Events.Events(events.Filter{Account: q.Get("account"), OrderID: q.Get("orderId"),
		Type: q.Get("type"), SinceSeq: seq, SinceTime: at, Limit: limit, Last: last}))
}

func (p *plane) listFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, p.Faults.List())
}

func (p *plane) addFault(w http.ResponseWriter, r *http.Request) {
	var rule faults.Rule
	if !decode(w, r, &rule) {
		return
	}
	added, err := p.Faults.Add(rule)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (p *plane) clearFaults(w http.ResponseWriter, r *http.Request) {
	p.Faults.Clear(r.URL.Query().Get("account"))
	w.WriteHeader(http.StatusNoContent)
}

func (p *plane) getFault(w http.ResponseWriter, r *http.Request) {
	rule, ok := p.Faults.Get(mux.Vars(r)["id"])
	if !ok {
		fail(w, http.StatusNotFound, "fault %q not found (a rule whose times are used up is removed)", clip.ID(mux.Vars(r)["id"]))
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (p *plane) deleteFault(w http.ResponseWriter, r *http.Request) {
	if !p.Faults.Delete(mux.Vars(r)["id"]) {
		fail(w, http.StatusNotFound, "fault %q not found", clip.ID(mux.Vars(r)["id"]))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// inventory shows an account's stock: per SKU the balance in each
// warehouse and the reservations that hold its units.
func (p *plane) inventory(w http.ResponseWriter, r *http.Request) {
	name := cmp.Or(r.URL.Query().Get("account"), p.DefaultAccount)
	if _, ok := p.OMS.Account(name); !ok {
		fail(w, http.StatusNotFound, "account %q not found", clip.ID(name))
		return
	}
	inv := p.Inventory.Account(name)
	skus := inv.SKUs()
	if sku := r.URL.Query().Get("sku"); sku != "" {
		skus = []string{sku}
	}
	type balance struct {
		WarehouseID   string `json:"warehouseId"`
		WarehouseName string `json:"warehouseName"`
		Total         int    `json:"totalQuantity"`
		Reserved      int    `json:"reservedQuantity"`
		Available     int    `json:"availableQuantity"`
		Unlimited     bool   `json:"unlimitedQuantity"`
		LeadTime      string `json:"leadTime"`
	}
	type line struct {
		SKU         string `json:"sku"`
		WarehouseID string `json:"warehouseId"`
		Quantity    int    `json:"quantity"`
		Cleared     bool   `json:"cleared"`
	}
	type reservation struct {
		ID       string    `json:"id"`
		OrderID  string    `json:"orderId"`
		State    string    `json:"state"`
		Oversold bool      `json:"oversold"`
		Created  time.Time `json:"created"`
		Updated  time.Time `json:"updated"`
		Items    []line    `json:"items"`
	}
	type skuStock struct {
		SKU          string        `json:"sku"`
		Balances     []balance     `json:"balances"`
		Reservations []reservation `json:"reservations"`
	}
	out := struct {
		Account string     `json:"account"`
		SKUs    []skuStock `json:"skus"`
	}{Account: name, SKUs: []skuStock{}}
	for _, sku := range skus {
		rows, err := inv.Balances(sku)
		if err != nil {
			fail(w, http.StatusBadRequest, "parameter \"sku\" in query: %v", err)
			return
		}
		st := skuStock{SKU: sku, Balances: []balance{}, Reservations: []reservation{}}
		for _, b := range rows {
			st.Balances = append(st.Balances, balance{b.Warehouse, b.WarehouseName, b.Total, b.Reserved, b.Available(),
				b.Unlimited, inventory.FormatLeadTime(b.LeadTime)})
		}
		for _, res := range inv.Reservations(sku, "") {
			rv := reservation{ID: res.ID, OrderID: res.OrderID, State: string(res.State), Oversold: res.Oversold,
				Created: res.Created, Updated: res.Updated, Items: []line{}}
			for _, l := range res.Lines {
				rv.Items = append(rv.Items, line{l.SKU, l.Warehouse, l.Quantity, l.Cleared})
			}
			st.Reservations = append(st.Reservations, rv)
		}
		out.SKUs = append(out.SKUs, st)
	}
	writeJSON(w, http.StatusOK, out)
}
