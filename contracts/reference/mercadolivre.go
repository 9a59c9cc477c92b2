package reference

// Mercado Livre: the connector integrates the seller's Mercado Livre
// account directly. It
//
//   - trades the authorization code of the seller's consent for a token
//     pair once, keeps the pair in its state file (a restart does not need
//     a new consent), and refreshes the access token shortly before it
//     expires. Refresh tokens are single use and rotate: the new pair is
//     stored before anything else happens, and a refresh token is never
//     sent twice, not even to retry a call whose answer was lost (that
//     would be refused as invalid_grant and cost the seller a new
//     consent);
//   - takes Mercado Livre's notifications on its receiver
//     (Config.MLNotifyAddr, POST /notifications): it answers 200 at once
//     (Mercado Livre allows 500 ms) and fetches each notified resource
//     afterwards: an orders_v2 order (a paid one enters the ERP, a stored
//     one gets its new status) or a question (an unanswered one waits for
//     the ERP's answer). mlsync.go;
//   - catches up at start, before its driver answers, and then every
//     MLSyncInterval: the notifications Mercado Livre could not deliver
//     (GET /missed_feeds), the paid orders (GET /orders/search) and the
//     unanswered questions (GET /questions/search). Without a receiver the
//     catch-up is all there is, every PollInterval;
//   - uploads the NF-e of an order's shipment on the driver action
//     {"action":"invoice","channel":"mercadolivre","orderId":"<ML order id>",
//     "invoiceNumber":"NF-123"}: an nfeProc whose key it composes (nfe.go)
//     and whose vNF is the order's total, to the cent;
//   - pushes the ERP's balance and price of a seller SKU to its listings
//     (set-stock, set-price) and answers buyers' questions
//     (answer-question). mllistings.go.
//
// It is switched on by the channel list: OMSBOX_CHANNELS=mercadolivre.

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// mlTokenKey is where the token pair lives in the state file.
const mlTokenKey = "mercadolivre-token"

// mlRefreshMargin: the access token is refreshed this long before it
// expires, so no call goes out with a token about to die.
const mlRefreshMargin = 10 * time.Minute

// mlTokens is the stored token pair.
type mlTokens struct {
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken"`
	Expires      time.Time `json:"expires"`
	SellerID     int64     `json:"sellerId"`
	// RefreshTokenUsed is the last refresh token sent: it is never sent
	// again, whatever the answer was.
	RefreshTokenUsed string `json:"refreshTokenUsed,omitempty"`
}

// mlClient calls Mercado Livre with the connector's retry policy and a
// fresh access token.
type mlClient struct {
	cfg   Config
	api   *vtexClient
	store *store
	log   *slog.Logger
	// now is the clock the token's expiry is read against.
	now func() time.Time

	mu sync.Mutex // one token exchange at a time
	// codeTraded says this process has sent its authorization code: once
	// for the first pair, or once when the stored pair is refused.
	codeTraded bool
}

func newMLClient(cfg Config, st *store, log *slog.Logger) *mlClient {
	log = log.With("channel", ChannelMercadoLivre)
	return &mlClient{cfg: cfg, store: st, log: log, now: time.Now,
		api: &vtexClient{base: strings.TrimRight(cfg.MLURL, "/"), http: &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport},
			retries: cfg.MaxRetries, scale: cfg.BackoffScale, log: log, sleep: sleepCtx}}
}

// token returns a valid access token: the stored one, a refreshed one, or
// the one the authorization code buys (the first time, or when the stored
// pair is refused and the code has not been sent by this process).
func (m *mlClient) token(ctx context.Context) (mlTokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var t mlTokens
	if rec, ok := m.store.get(mlTokenKey); ok {
		if err := json.Unmarshal(rec.Order, &t); err != nil {
			return t, fmt.Errorf("stored Mercado Livre token: %w", err)
		}
	}
	switch {
	case t.AccessToken == "":
		if m.cfg.MLCode == "" {
			return t, errors.New("no Mercado Livre token yet and no authorization code (OMSBOX_ML_CODE)")
		}
		return m.tradeCode(ctx, t)
	case m.now().Add(mlRefreshMargin).Before(t.Expires):
		return t, nil
	case t.RefreshToken == t.RefreshTokenUsed:
		if m.canTradeCode() { // a new consent, given since the pair was lost
			return m.tradeCode(ctx, t)
		}
		return t, errors.New("the Mercado Livre refresh token was already used; the seller must authorize the app again")
	}
	// Record the refresh token as used before sending it: should the
	// answer be lost, it is not sent a second time.
	t.RefreshTokenUsed = t.RefreshToken
	if err := m.save(t); err != nil {
		return t, err
	}
	fresh, err := m.grant(ctx, t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}})
	if StatusOf(err) == http.StatusBadRequest && m.canTradeCode() {
		// Refused (another Mercado Livre, or a pair revoked): the code
		// configured may be a new consent.
		return m.tradeCode(ctx, t)
	}
	return fresh, err
}

// canTradeCode says an authorization code is configured and this process
// has not sent it yet (a code is single use).
func (m *mlClient) canTradeCode() bool { return m.cfg.MLCode != "" && !m.codeTraded }

// tradeCode buys a token pair with the authorization code, once.
func (m *mlClient) tradeCode(ctx context.Context, t mlTokens) (mlTokens, error) {
	m.codeTraded = true
	return m.grant(ctx, t, url.Values{"grant_type": {"authorization_code"}, "code": {m.cfg.MLCode},
		"redirect_uri": {m.cfg.MLRedirectURI}})
}

// grant calls POST /oauth/token once (never retried: a code or refresh
// token is single use) and stores the new pair.
func (m *mlClient) grant(ctx context.Context, t mlTokens, form url.Values) (mlTokens, error) {
	form.Set("client_id", m.cfg.MLClientID)
	form.Set("client_secret", m.cfg.MLClientSecret)
	ctx, cancel := context.WithTimeout(ctx, m.api.httpTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", m.api.base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return t, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := m.api.http.Do(req)
	if err != nil {
		return t, fmt.Errorf("Mercado Livre token (%s): %w", form.Get("grant_type"), err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return t, &APIError{Method: "POST", Path: "/oauth/token", Status: resp.StatusCode, Message: string(data)}
	}
	var answer struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
		UserID       int64  `json:"user_id"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || answer.AccessToken == "" {
		return t, fmt.Errorf("Mercado Livre token: unreadable answer: %v", err)
	}
	t.AccessToken, t.RefreshToken, t.SellerID = answer.AccessToken, answer.RefreshToken, answer.UserID
	t.Expires = m.now().Add(time.Duration(answer.ExpiresIn) * time.Second)
	m.log.Info("Mercado Livre token obtained", "grant", form.Get("grant_type"), "expiresIn", answer.ExpiresIn)
	return t, m.save(t)
}

func (m *mlClient) save(t mlTokens) error {
	doc, _ := json.Marshal(t)
	return m.store.put(StoredOrder{OrderID: mlTokenKey, Status: "token", Order: doc})
}

// expire marks an access token Mercado Livre refused (401) as spent, so
// the next call refreshes whatever the local clock says. A token already
// replaced (another call refreshed first) is left alone.
func (m *mlClient) expire(access string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec, ok := m.store.get(mlTokenKey); ok {
		var t mlTokens
		if json.Unmarshal(rec.Order, &t) == nil && t.AccessToken == access {
			t.Expires = time.Time{}
			_ = m.save(t)
		}
	}
}

// do calls the API with a fresh bearer token; contentType "" is JSON. A
// 401 (the token expired earlier than the local clock thought) refreshes
// once and tries again.
func (m *mlClient) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	for attempt := 0; ; attempt++ {
		t, err := m.token(ctx)
		if err != nil {
			return err
		}
		api := *m.api
		api.auth = func(h http.Header) {
			h.Set("Authorization", "Bearer "+t.AccessToken)
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
		}
		err = api.doRaw(ctx, method, path, body, out)
		if StatusOf(err) != http.StatusUnauthorized || attempt > 0 {
			return err
		}
		m.expire(t.AccessToken)
	}
}

// mlOrder is the part of Mercado Livre's order the connector reads.
type mlOrder struct {
	ID          int64   `json:"id"`
	Status      string  `json:"status"`
	PackID      *int64  `json:"pack_id"`
	TotalAmount float64 `json:"total_amount"`
	DateCreated string  `json:"date_created"`
	Shipping    struct {
		ID int64 `json:"id"`
	} `json:"shipping"`
	OrderItems []struct {
		Item struct {
			ID        string `json:"id"`
			SellerSKU string `json:"seller_sku"`
		} `json:"item"`
		Quantity int `json:"quantity"`
	} `json:"order_items"`
	Buyer struct {
		BillingInfo struct {
			DocType   string `json:"doc_type"`
			DocNumber string `json:"doc_number"`
		} `json:"billing_info"`
	} `json:"buyer"`
}

func mlKey(id string) string { return "mercadolivre:" + id }

// doMercadoLivre carries out the Mercado Livre actions: invoice,
// set-stock, set-price, answer-question.
func (c *Connector) doMercadoLivre(ctx context.Context, a Action) (Receipt, error) {
	r := Receipt{Date: time.Now().UTC().Format(time.RFC3339), OrderID: a.OrderID}
	if !c.cfg.has(ChannelMercadoLivre) {
		return r, fmt.Errorf("%w: Mercado Livre is off (OMSBOX_CHANNELS has no mercadolivre)", ErrBadAction)
	}
	switch a.Action {
	case "invoice":
		return c.mlInvoice(ctx, a)
	case "set-stock":
		return r, c.mlPushStock(ctx, a)
	case "set-price":
		return r, c.mlPushPrice(ctx, a)
	case "answer-question":
		return r, c.mlAnswer(ctx, a)
	}
	return r, fmt.Errorf("%w: action %q is not invoice, set-stock, set-price or answer-question for Mercado Livre", ErrBadAction, a.Action)
}

// mlInvoice uploads the NF-e of a downloaded order's shipment.
func (c *Connector) mlInvoice(ctx context.Context, a Action) (Receipt, error) {
	r := Receipt{Date: time.Now().UTC().Format(time.RFC3339), OrderID: a.OrderID}
	if _, ok := c.store.get(mlKey(a.OrderID)); !ok {
		return r, fmt.Errorf("%w: Mercado Livre order %q was never downloaded", ErrBadAction, a.OrderID)
	}
	number, err := strconv.Atoi(strings.TrimPrefix(a.InvoiceNumber, "NF-"))
	if err != nil {
		return r, fmt.Errorf("%w: invoiceNumber %q is not an NF-e number", ErrBadAction, a.InvoiceNumber)
	}
	// The order as it is now, with the rest of its pack (a cart of
	// several items): one shipment, one NF-e for all of them, whose total
	// is theirs together.
	orders, err := c.mlShipmentOrders(ctx, a.OrderID)
	if err != nil {
		return r, err
	}
	o := orders[0].order
	total := 0.0
	for _, x := range orders {
		if x.order.Status != "paid" || x.order.Shipping.ID == 0 || x.order.Shipping.ID != o.Shipping.ID {
			return r, fmt.Errorf("%w: Mercado Livre order %d is %s (shipment %d); only paid orders of one shipment are invoiced",
				ErrBadAction, x.order.ID, x.order.Status, x.order.Shipping.ID)
		}
		total += x.order.TotalAmount
	}
	issued := time.Now()
	if sale, err := time.Parse(time.RFC3339, o.DateCreated); err == nil && issued.Before(sale) {
		issued = sale // clocks disagree: a note is never dated before the sale
	}
	key, err := nfeKey(c.cfg.SellerCNPJ, number, issued)
	if err != nil {
		return r, fmt.Errorf("%w: %v", ErrBadAction, err)
	}
	path := fmt.Sprintf("/shipments/%d/invoice_data?siteId=MLB", o.Shipping.ID)
	if err := c.ml.do(ctx, "POST", path, "application/xml", mlNFe(key, number, issued, o, total), nil); err != nil {
		return r, err
	}
	r.Receipt = key
	// Invoiced, their units leave with the NF-e: no longer held back from
	// the listings' stock.
	for _, x := range orders {
		_ = c.store.put(StoredOrder{OrderID: mlKey(strconv.FormatInt(x.order.ID, 10)), Status: mlInvoiced, Order: x.doc})
	}
	return r, nil
}

// mlShipped is an order as Mercado Livre answers it, read and decoded.
type mlShipped struct {
	order mlOrder
	doc   json.RawMessage
}

// mlShipmentOrders reads an order and, when it belongs to a pack, the
// pack's other orders: the first is the order asked for.
func (c *Connector) mlShipmentOrders(ctx context.Context, id string) ([]mlShipped, error) {
	read := func(id string) (mlShipped, error) {
		var x mlShipped
		if err := c.ml.do(ctx, "GET", "/orders/"+url.PathEscape(id), "", nil, &x.doc); err != nil {
			return x, err
		}
		if err := json.Unmarshal(x.doc, &x.order); err != nil {
			return x, fmt.Errorf("Mercado Livre order %s: %w", id, err)
		}
		return x, nil
	}
	first, err := read(id)
	if err != nil {
		return nil, err
	}
	out := []mlShipped{first}
	if first.order.PackID == nil || *first.order.PackID == 0 {
		return out, nil
	}
	var pack struct {
		Orders []struct {
			ID int64 `json:"id"`
		} `json:"orders"`
	}
	if err := c.ml.do(ctx, "GET", fmt.Sprintf("/packs/%d", *first.order.PackID), "", nil, &pack); err != nil {
		return nil, err
	}
	for _, po := range pack.Orders {
		if po.ID == first.order.ID {
			continue
		}
		x, err := read(strconv.FormatInt(po.ID, 10))
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// mlNFe is the authorised NF-e (nfeProc) the ERP's fiscal module would
// produce, cut to what Mercado Livre reads: the key, model, series,
// number, issue date, receiver and total.
func mlNFe(key string, number int, issued time.Time, o mlOrder, total float64) []byte {
	type doc struct {
		XMLName xml.Name `xml:"nfeProc"`
		Xmlns   string   `xml:"xmlns,attr"`
		Versao  string   `xml:"versao,attr"`
		InfNFe  struct {
			ID  string `xml:"Id,attr"`
			Ide struct {
				Mod   string `xml:"mod"`
				Serie int    `xml:"serie"`
				NNF   int    `xml:"nNF"`
				DhEmi string `xml:"dhEmi"`
			} `xml:"ide"`
			Dest struct {
				CNPJ string `xml:"CNPJ,omitempty"`
				CPF  string `xml:"CPF,omitempty"`
			} `xml:"dest"`
			VNF string `xml:"total>ICMSTot>vNF"`
		} `xml:"NFe>infNFe"`
		ChNFe string `xml:"protNFe>infProt>chNFe"`
	}
	d := doc{Xmlns: "http://www.portalfiscal.inf.br/nfe", Versao: "4.00", ChNFe: key}
	d.InfNFe.ID = "NFe" + key
	d.InfNFe.Ide.Mod, d.InfNFe.Ide.Serie, d.InfNFe.Ide.NNF = "55", 1, number
	d.InfNFe.Ide.DhEmi = issued.Format(time.RFC3339)
	switch bi := o.Buyer.BillingInfo; strings.ToUpper(bi.DocType) {
	case "CNPJ":
		d.InfNFe.Dest.CNPJ = bi.DocNumber
	case "CPF":
		d.InfNFe.Dest.CPF = bi.DocNumber
	}
	d.InfNFe.VNF = strconv.FormatFloat(total, 'f', 2, 64) // the shipment's orders' total, to the cent
	out, _ := xml.Marshal(d)
	return append([]byte(xml.Header), out...)
}
