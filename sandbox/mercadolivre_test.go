package sandbox_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
)

// The demo account's Mercado Livre app, as the README documents it.
const (
	mlClient   = "5503910054141466"
	mlSecret   = "mercadolivre-sandbox-secret"
	mlRedirect = "https://demostore.example.com.br/mercadolivre/callback"
	mlSeller   = int64(478055419)
)

// newMLSandbox is newSandbox with a callback timeout a loaded CI machine
// keeps (Mercado Livre's 500 ms would make the tests flaky).
func newMLSandbox(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	cfg := testConfig()
	cfg.MercadoLivre.NotificationTimeout = clock.Duration{Duration: 5 * time.Second}
	sb, err := sandbox.New(sandbox.WithConfig(cfg), sandbox.WithClock(clock.Frozen(testStart)),
		sandbox.WithStrict(true, func(op, detail string) { t.Errorf("strict mode: %s: %s", op, detail) }),
		sandbox.WithHookOptions(hook.Options{Client: loopbackOnly}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// mlError decodes Mercado Livre's error body and checks its shape.
func mlError(t testing.TB, r response) (code string, body map[string]any) {
	t.Helper()
	r.json(t, &body)
	if _, ok := body["message"].(string); !ok || body["status"] != float64(r.status) {
		t.Fatalf("not Mercado Livre's error shape: %d %s", r.status, r.body)
	}
	if _, ok := body["cause"].([]any); !ok {
		t.Fatalf("cause is not a list: %s", r.body)
	}
	code, _ = body["error"].(string)
	return code, body
}

func mlAuthorize(t testing.TB, h http.Handler, account string) string {
	t.Helper()
	r := do(t, h, "POST", "/_sandbox/mercadolivre/authorize", fmt.Sprintf(`{"account":%q}`, account))
	var a struct {
		Code, ClientID, ClientSecret, RedirectURI string
		SellerID                                  int64
	}
	r.json(t, &a)
	if r.status != 201 || a.Code == "" {
		t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	return a.Code
}

type mlToken struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	UserID       int64  `json:"user_id"`
	TokenType    string `json:"token_type"`
}

func mlGrant(t testing.TB, h http.Handler, form url.Values) (response, mlToken) {
	t.Helper()
	r := do(t, h, "POST", "/mercadolivre/oauth/token", form.Encode(), "Content-Type: application/x-www-form-urlencoded", "Accept: application/json")
	var tok mlToken
	if r.status == 200 {
		r.json(t, &tok)
	}
	return r, tok
}

func codeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {mlClient}, "client_secret": {mlSecret},
		"code": {code}, "redirect_uri": {mlRedirect}}
}

// mlLogin runs the OAuth dance and answers the access token.
func mlLogin(t testing.TB, h http.Handler) mlToken {
	t.Helper()
	r, tok := mlGrant(t, h, codeForm(mlAuthorize(t, h, "demostore")))
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return tok
}

func mlGet(t *testing.T, h http.Handler, token, target string) response {
	t.Helper()
	return do(t, h, "GET", "/mercadolivre"+target, "", "Authorization: Bearer "+token, "x-format-new: true")
}

// mlOrder creates a Mercado Livre sale through the control plane.
func mlOrder(t testing.TB, h http.Handler, body string) mercadolivre.Created {
	t.Helper()
	r := do(t, h, "POST", "/_sandbox/orders", body)
	var out struct {
		Mercadolivre mercadolivre.Created `json:"mercadolivre"`
	}
	r.json(t, &out)
	if r.status != 201 || out.Mercadolivre.OrderID == 0 {
		t.Fatalf("create order: %d %s", r.status, r.body)
	}
	return out.Mercadolivre
}

// nfeXML is an nfeProc of the demo seller for total, with a valid key
// unless broken.
func nfeXML(total string, breakKey bool) string {
	key := brdata.NFeKey(rand.New(rand.NewPCG(7, uint64(len(total)))), mercadolivre.DefaultCNPJ, 4321, 2026, 3)
	if breakKey {
		last := (key[43]-'0'+1)%10 + '0'
		key = key[:43] + string(rune(last))
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<nfeProc versao="4.00" xmlns="http://www.portalfiscal.inf.br/nfe"><NFe><infNFe Id="NFe` + key + `" versao="4.00">` +
		`<ide><mod>55</mod><serie>1</serie><nNF>4321</nNF><dhEmi>2026-03-10T09:00:00-03:00</dhEmi></ide>` +
		`<total><ICMSTot><vProd>` + total + `</vProd><vNF>` + total + `</vNF></ICMSTot></total></infNFe></NFe>` +
		`<protNFe versao="4.00"><infProt><chNFe>` + key + `</chNFe><cStat>100</cStat></infProt></protNFe></nfeProc>`
}

func TestMercadoLivreOAuth(t *testing.T) {
	sb := newMLSandbox(t)
	h := sb.Handler()
	code := mlAuthorize(t, h, "demostore")
	r, tok := mlGrant(t, h, codeForm(code))
	if r.status != 200 || tok.ExpiresIn != 21600 || tok.UserID != mlSeller || tok.TokenType != "bearer" ||
		!strings.HasPrefix(tok.AccessToken, "APP_USR-"+mlClient+"-") || !strings.HasPrefix(tok.RefreshToken, "TG-") {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	// A code is single use.
	if r, _ := mlGrant(t, h, codeForm(code)); r.status != 400 {
		t.Fatalf("reused code: %d %s", r.status, r.body)
	} else if c, body := mlError(t, r); c != "invalid_grant" || body["error_description"] == nil {
		t.Fatalf("reused code: %s", r.body)
	}
	me := mlGet(t, h, tok.AccessToken, "/users/me")
	if me.status != 200 || !strings.Contains(string(me.body), `"id":478055419`) {
		t.Fatalf("users/me: %d %s", me.status, me.body)
	}
	// Refresh rotates the pair; the old refresh token is spent.
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {mlClient}, "client_secret": {mlSecret}, "refresh_token": {tok.RefreshToken}}
	r, tok2 := mlGrant(t, h, refresh)
	if r.status != 200 || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if r, _ := mlGrant(t, h, refresh); r.status != 400 {
		t.Fatalf("reused refresh token: %d %s", r.status, r.body)
	} else if c, _ := mlError(t, r); c != "invalid_grant" {
		t.Fatalf("reused refresh token: %s", r.body)
	}
	// Access tokens die on the sandbox clock.
	if _, err := sb.Clock.Advance(6*time.Hour - time.Second); err != nil {
		t.Fatal(err)
	}
	if r := mlGet(t, h, tok2.AccessToken, "/users/me"); r.status != 200 {
		t.Fatalf("before expiry: %d %s", r.status, r.body)
	}
	if _, err := sb.Clock.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	r = mlGet(t, h, tok2.AccessToken, "/users/me")
	if c, _ := mlError(t, r); r.status != 401 || c != "invalid_token" {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
	if r := do(t, h, "GET", "/mercadolivre/users/me", ""); r.status != 401 {
		t.Fatalf("no token: %d %s", r.status, r.body)
	}
	// Journaled as the API's traffic.
	if es := sb.Journal.Entries(journal.Filter{API: "mercadolivre", Path: "/mercadolivre/oauth/token"}); len(es) != 4 {
		t.Fatalf("journal has %d token calls, want 4", len(es))
	}
}

// receiver is a callback URL that records notifications and answers
// status.
type receiver struct {
	srv    *httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	got    []mercadolivre.Notification
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.status.Store(200)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n mercadolivre.Notification
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &n)
		rc.mu.Lock()
		rc.got = append(rc.got, n)
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) has(topic, resource string, attempts int) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.got {
		if n.Topic == topic && n.Resource == resource && n.Attempts == attempts && n.UserID == mlSeller &&
			n.ApplicationID == 5503910054141466 && n.Sent != "" && n.Received != "" {
			return true
		}
	}
	return false
}

func TestMercadoLivreOrderShipmentInvoiceLabel(t *testing.T) {
	sb := newMLSandbox(t)
	h := sb.Handler()
	rc := newReceiver(t)
	if r := do(t, h, "POST", "/_sandbox/mercadolivre/app", `{"callbackUrl":"`+rc.srv.URL+`/ml"}`); r.status != 200 {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}
	tok := mlLogin(t, h).AccessToken
	r := do(t, h, "POST", "/_sandbox/mercadolivre/items", `{"sku":"CAM-AZ-M","title":"Camiseta azul M","price":5990,"availableQuantity":2}`)
	var item struct{ ID string }
	r.json(t, &item)
	if r.status != 201 {
		t.Fatalf("listing: %d %s", r.status, r.body)
	}
	// Buyers cannot buy more than the listing has.
	if r := do(t, h, "POST", "/_sandbox/orders", `{"channel":"mercadolivre","items":[{"id":"`+item.ID+`","name":"Camiseta","price":5990,"quantity":3}]}`); r.status != 409 {
		t.Fatalf("oversell: %d %s", r.status, r.body)
	}
	c := mlOrder(t, h, `{"channel":"mercadolivre","customer":{"document":"52998224725"},"items":[{"id":"`+item.ID+`","name":"Camiseta","price":5990,"quantity":2}]}`)
	if c.ShipmentID == 0 || c.PackID != 0 {
		t.Fatalf("created: %+v", c)
	}
	o := mlGet(t, h, tok, fmt.Sprintf("/orders/%d", c.OrderID))
	var order struct {
		Status      string  `json:"status"`
		TotalAmount float64 `json:"total_amount"`
		Shipping    struct{ ID int64 }
		Buyer       struct {
			BillingInfo struct {
				DocType   string `json:"doc_type"`
				DocNumber string `json:"doc_number"`
			} `json:"billing_info"`
		}
		OrderItems []struct {
			Item struct {
				SellerSKU string `json:"seller_sku"`
			}
		} `json:"order_items"`
	}
	o.json(t, &order)
	if o.status != 200 || order.Status != "paid" || order.TotalAmount != 119.8 || order.Shipping.ID != c.ShipmentID ||
		order.Buyer.BillingInfo.DocNumber != "52998224725" || order.OrderItems[0].Item.SellerSKU != "CAM-AZ-M" {
		t.Fatalf("order: %+v %+v: %d %s", order, c, o.status, o.body)
	}
	// The paid order took the listing's stock: paused out_of_stock.
	it := mlGet(t, h, tok, "/items/"+item.ID)
	if !strings.Contains(string(it.body), `"available_quantity":0`) || !strings.Contains(string(it.body), `"status":"paused"`) ||
		!strings.Contains(string(it.body), `"sub_status":["out_of_stock"]`) {
		t.Fatalf("item after sale: %s", it.body)
	}
	search := mlGet(t, h, tok, fmt.Sprintf("/orders/search?seller=%d&order.status=paid&sort=date_desc", mlSeller))
	if search.status != 200 || !strings.Contains(string(search.body), `"total":1`) {
		t.Fatalf("search: %d %s", search.status, search.body)
	}
	ship := func() (string, any) {
		r := mlGet(t, h, tok, fmt.Sprintf("/shipments/%d", c.ShipmentID))
		var s struct {
			Status    string
			Substatus any
		}
		r.json(t, &s)
		return s.Status, s.Substatus
	}
	if st, sub := ship(); st != "ready_to_ship" || sub != "invoice_pending" {
		t.Fatalf("new shipment: %s/%v", st, sub)
	}
	// Labels wait for the invoice.
	if r := mlGet(t, h, tok, fmt.Sprintf("/shipment_labels?shipment_ids=%d&response_type=pdf", c.ShipmentID)); r.status != 400 {
		t.Fatalf("label before the invoice: %d %s", r.status, r.body)
	}
	upload := func(x string) response {
		return do(t, h, "POST", fmt.Sprintf("/mercadolivre/shipments/%d/invoice_data?siteId=MLB", c.ShipmentID), x,
			"Authorization: Bearer "+tok, "Content-Type: application/xml;charset=UTF-8")
	}
	for _, tc := range []struct{ name, xml, code string }{
		{"not well-formed", "<nfeProc><NFe>", "malformed_XML"},
		{"check digit", nfeXML("119.80", true), "invalid_fiscal_key"},
		{"total", nfeXML("119.70", false), "nfe_order_value_divergence"},
		{"receiver", strings.Replace(nfeXML("119.80", false), "<total>", "<dest><CPF>11144477735</CPF></dest><total>", 1), "wrong_receiver_cpf"},
		{"date", strings.Replace(nfeXML("119.80", false), "2026-03-10T09:00:00-03:00", "2026-03-09T09:00:00-03:00", 1), "wrong_invoice_date"},
	} {
		r := upload(tc.xml)
		if code, _ := mlError(t, r); r.status != 400 || code != tc.code {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	good := strings.Replace(nfeXML("119.80", false), "<total>", "<dest><CPF>52998224725</CPF></dest><total>", 1)
	if r := upload(good); r.status != 200 || !strings.Contains(string(r.body), `"invoice_number":"4321"`) {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if st, sub := ship(); st != "ready_to_ship" || sub != "ready_to_print" {
		t.Fatalf("after the NF-e: %s/%v", st, sub)
	}
	if r := upload(nfeXML("119.80", false)); r.status != 409 {
		t.Fatalf("second upload: %d %s", r.status, r.body)
	}
	if r := mlGet(t, h, tok, fmt.Sprintf("/shipments/%d/invoice_data?siteId=MLB", c.ShipmentID)); r.status != 200 {
		t.Fatalf("invoice_data: %d %s", r.status, r.body)
	}
	label := mlGet(t, h, tok, fmt.Sprintf("/shipment_labels?shipment_ids=%d&response_type=pdf", c.ShipmentID))
	if label.status != 200 || label.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(label.body), "%PDF-") {
		t.Fatalf("label: %d %.80s", label.status, label.body)
	}
	if st, sub := ship(); st != "ready_to_ship" || sub != "printed" {
		t.Fatalf("after printing: %s/%v", st, sub)
	}
	// The carrier scans a day later and delivers three days after that.
	if _, err := sb.Clock.Advance(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	tok = mlLogin(t, h).AccessToken // the first token lived 6 h
	if st, _ := ship(); st != "shipped" {
		t.Fatalf("a day after printing: %s", st)
	}
	if _, err := sb.Clock.Advance(72 * time.Hour); err != nil {
		t.Fatal(err)
	}
	tok = mlLogin(t, h).AccessToken
	if st, _ := ship(); st != "delivered" {
		t.Fatalf("three days after shipping: %s", st)
	}
	o = mlGet(t, h, tok, fmt.Sprintf("/orders/%d", c.OrderID))
	if !strings.Contains(string(o.body), `"delivered"`) {
		t.Fatalf("order tags: %s", o.body)
	}
	// Each change went to the callback.
	for _, want := range [][2]string{{"orders_v2", fmt.Sprintf("/orders/%d", c.OrderID)},
		{"shipments", fmt.Sprintf("/shipments/%d", c.ShipmentID)}, {"items", "/items/" + item.ID}} {
		eventually(t, "a "+want[0]+" notification", func() bool { return rc.has(want[0], want[1], 1) })
	}
	if es := sb.Journal.Entries(journal.Filter{API: mercadolivre.JournalAPI}); len(es) == 0 || es[0].Path != "/ml" {
		t.Fatalf("notifications are not journaled: %+v", es)
	}
}

func TestMercadoLivreNotificationRetriesAndMissedFeeds(t *testing.T) {
	sb := newMLSandbox(t)
	h := sb.Handler()
	rc := newReceiver(t)
	rc.status.Store(500)
	do(t, h, "POST", "/_sandbox/mercadolivre/app", `{"callbackUrl":"`+rc.srv.URL+`","topics":["orders_v2"]}`)
	tok := mlLogin(t, h).AccessToken
	c := mlOrder(t, h, `{"channel":"mercadolivre","status":"confirmed","items":[{"id":"X1","name":"Caneca","price":3000,"quantity":1}]}`)
	res := fmt.Sprintf("/orders/%d", c.OrderID)
	eventually(t, "the first attempt", func() bool { return rc.has("orders_v2", res, 1) })
	missed := func() string {
		r := mlGet(t, h, tok, "/missed_feeds?app_id="+mlClient+"&topic=orders_v2")
		if r.status != 200 {
			t.Fatalf("missed_feeds: %d %s", r.status, r.body)
		}
		return string(r.body)
	}
	eventually(t, "the failure listed", func() bool { return strings.Contains(missed(), `"http_code":500`) })
	// Retried on the sandbox clock: a minute later, the second attempt.
	if _, err := sb.Clock.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the second attempt", func() bool { return rc.has("orders_v2", res, 2) })
	rc.status.Store(200)
	eventually(t, "the failure recorded", func() bool { return strings.Contains(missed(), `"attempts":2`) })
	if _, err := sb.Clock.Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the third attempt delivered", func() bool { return rc.has("orders_v2", res, 3) })
	eventually(t, "missed_feeds emptied", func() bool { return strings.Contains(missed(), `"messages":[]`) })
	// Another app's id is refused.
	if r := mlGet(t, h, tok, "/missed_feeds?app_id=1"); r.status != 403 {
		t.Fatalf("another app: %d %s", r.status, r.body)
	}
}

func TestMercadoLivrePackQuestionsMessagesAndOwnership(t *testing.T) {
	sb := newMLSandbox(t)
	h := sb.Handler()
	tok := mlLogin(t, h).AccessToken
	c := mlOrder(t, h, `{"channel":"mercadolivre","customer":{"corporateDocument":"11444777000161","corporateName":"ACME LTDA"},`+
		`"items":[{"id":"A","name":"Caneca","price":3000,"quantity":1},{"id":"B","name":"Prato","price":4550,"quantity":2}]}`)
	if c.PackID == 0 || len(c.OrderIDs) != 2 || c.ShipmentID == 0 {
		t.Fatalf("pack: %+v", c)
	}
	p := mlGet(t, h, tok, fmt.Sprintf("/packs/%d", c.PackID))
	if p.status != 200 || !strings.Contains(string(p.body), fmt.Sprintf(`"shipment":{"id":%d}`, c.ShipmentID)) {
		t.Fatalf("pack: %d %s", p.status, p.body)
	}
	bi := mlGet(t, h, tok, fmt.Sprintf("/orders/%d/billing_info", c.OrderIDs[1]))
	if bi.status != 200 || !strings.Contains(string(bi.body), `"doc_type":"CNPJ"`) {
		t.Fatalf("billing info: %d %s", bi.status, bi.body)
	}
	s := mlGet(t, h, tok, fmt.Sprintf("/shipments/%d", c.ShipmentID))
	if !strings.Contains(string(s.body), `"declared_value":121`) {
		t.Fatalf("pack shipment: %s", s.body)
	}
	// Messages: the buyer writes first.
	msgPath := fmt.Sprintf("/mercadolivre/messages/packs/%d/sellers/%d?tag=post_sale", c.PackID, mlSeller)
	send := func() response {
		var buyer struct {
			Buyer struct{ ID int64 }
		}
		mlGet(t, h, tok, fmt.Sprintf("/orders/%d", c.OrderID)).json(t, &buyer)
		return do(t, h, "POST", msgPath, fmt.Sprintf(`{"from":{"user_id":%d},"to":{"user_id":%d},"text":"Olá! Seu pedido sai amanhã."}`, mlSeller, buyer.Buyer.ID),
			"Authorization: Bearer "+tok, "Content-Type: application/json")
	}
	if r := send(); r.status != 403 || !strings.Contains(string(r.body), `"status_code":403`) {
		t.Fatalf("seller first: %d %s", r.status, r.body)
	}
	if r := do(t, h, "POST", "/_sandbox/mercadolivre/messages", fmt.Sprintf(`{"packId":%d,"text":"Quando chega?"}`, c.PackID)); r.status != 201 {
		t.Fatalf("buyer message: %d %s", r.status, r.body)
	}
	if r := send(); r.status != 201 {
		t.Fatalf("seller answer: %d %s", r.status, r.body)
	}
	if r := do(t, h, "GET", msgPath, "", "Authorization: Bearer "+tok); r.status != 200 || strings.Count(string(r.body), `"text"`) != 2 {
		t.Fatalf("conversation: %d %s", r.status, r.body)
	}
	// Questions.
	r := do(t, h, "POST", "/_sandbox/mercadolivre/items", `{"sku":"CAN-1","price":3000,"availableQuantity":5}`)
	var item struct{ ID string }
	r.json(t, &item)
	r = do(t, h, "POST", "/_sandbox/mercadolivre/questions", `{"itemId":"`+item.ID+`","text":"Tem em vermelho?"}`)
	var q struct{ ID int64 }
	r.json(t, &q)
	if r.status != 201 {
		t.Fatalf("question: %d %s", r.status, r.body)
	}
	qs := mlGet(t, h, tok, fmt.Sprintf("/questions/search?seller_id=%d&status=UNANSWERED&api_version=4", mlSeller))
	if !strings.Contains(string(qs.body), `"total":1`) {
		t.Fatalf("questions: %s", qs.body)
	}
	ans := do(t, h, "POST", "/mercadolivre/answers", fmt.Sprintf(`{"question_id":%d,"text":"Temos sim!"}`, q.ID), "Authorization: Bearer "+tok, "Content-Type: application/json")
	if ans.status != 200 || !strings.Contains(string(ans.body), `"ANSWERED"`) {
		t.Fatalf("answer: %d %s", ans.status, ans.body)
	}
	if again := do(t, h, "POST", "/mercadolivre/answers", fmt.Sprintf(`{"question_id":%d,"text":"De novo"}`, q.ID), "Authorization: Bearer "+tok, "Content-Type: application/json"); again.status != 400 {
		t.Fatalf("second answer: %d %s", again.status, again.body)
	}
	// SKU look-up.
	if r := mlGet(t, h, tok, fmt.Sprintf("/users/%d/items/search?seller_sku=CAN-1", mlSeller)); !strings.Contains(string(r.body), item.ID) {
		t.Fatalf("sku search: %s", r.body)
	}
	// Another seller's token: 403 on this seller's resources.
	acct := do(t, h, "POST", "/_sandbox/accounts", `{"name":"meli2"}`)
	var a struct {
		MercadolivreClientID, MercadolivreClientSecret, MercadolivreRedirectURI string
	}
	acct.json(t, &a)
	if acct.status != 201 || a.MercadolivreClientID == "" {
		t.Fatalf("account: %d %s", acct.status, acct.body)
	}
	r2, tok2 := mlGrant(t, h, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.MercadolivreClientID},
		"client_secret": {a.MercadolivreClientSecret}, "code": {mlAuthorize(t, h, "meli2")}, "redirect_uri": {a.MercadolivreRedirectURI}})
	if r2.status != 200 {
		t.Fatalf("second app token: %d %s", r2.status, r2.body)
	}
	for _, target := range []string{fmt.Sprintf("/orders/%d", c.OrderID), fmt.Sprintf("/shipments/%d", c.ShipmentID),
		"/items/" + item.ID, fmt.Sprintf("/orders/search?seller=%d", mlSeller)} {
		if r := mlGet(t, h, tok2.AccessToken, target); r.status != 403 {
			t.Errorf("%s with another seller's token: %d %s", target, r.status, r.body)
		}
	}
	if r := mlGet(t, h, tok, "/orders/2000000000000001"); r.status != 404 {
		t.Fatalf("unknown order: %d %s", r.status, r.body)
	} else if code, _ := mlError(t, r); code != "order_not_found" {
		t.Fatalf("unknown order: %s", r.body)
	}
}

func TestMercadoLivreItemsRateLimitAndRefund(t *testing.T) {
	sb := newMLSandbox(t)
	h := sb.Handler()
	tok := mlLogin(t, h).AccessToken
	r := do(t, h, "POST", "/_sandbox/mercadolivre/items", `{"sku":"TEN","price":19990,"variations":[{"name":"Tamanho: 40","sku":"TEN-40","availableQuantity":3},{"name":"Tamanho: 41","sku":"TEN-41","availableQuantity":1}]}`)
	var item struct {
		ID         string
		Variations []struct{ ID int64 }
	}
	r.json(t, &item)
	if r.status != 201 || len(item.Variations) != 2 {
		t.Fatalf("listing: %d %s", r.status, r.body)
	}
	put := func(body string) response {
		return do(t, h, "PUT", "/mercadolivre/items/"+item.ID, body, "Authorization: Bearer "+tok, "Content-Type: application/json")
	}
	// Different prices per variation are refused, naming the cause.
	r = put(fmt.Sprintf(`{"variations":[{"id":%d,"price":10},{"id":%d,"price":11}]}`, item.Variations[0].ID, item.Variations[1].ID))
	if code, body := mlError(t, r); r.status != 400 || code != "validation_error" || !strings.Contains(fmt.Sprint(body["cause"]), "item.variations.price.invalid") {
		t.Fatalf("two prices: %d %s", r.status, r.body)
	}
	// A variation left out is deleted; stock and price apply.
	r = put(fmt.Sprintf(`{"price":179.9,"variations":[{"id":%d,"available_quantity":7}]}`, item.Variations[0].ID))
	if r.status != 200 || !strings.Contains(string(r.body), `"available_quantity":7`) || strings.Contains(string(r.body), fmt.Sprint(item.Variations[1].ID)) ||
		!strings.Contains(string(r.body), `"price":179.9`) {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	// Zero stock pauses; stock back reactivates; a seller's pause stays.
	r = put(fmt.Sprintf(`{"variations":[{"id":%d,"available_quantity":0}]}`, item.Variations[0].ID))
	if !strings.Contains(string(r.body), `"status":"paused"`) {
		t.Fatalf("zero stock: %s", r.body)
	}
	if r = put(`{"status":"active"}`); r.status != 400 {
		t.Fatalf("activate without stock: %d %s", r.status, r.body)
	}
	r = put(fmt.Sprintf(`{"variations":[{"id":%d,"available_quantity":2}]}`, item.Variations[0].ID))
	if !strings.Contains(string(r.body), `"status":"active"`) {
		t.Fatalf("stock back: %s", r.body)
	}
	// A 429 as Mercado Livre answers it, through the fault rules.
	if r := do(t, h, "POST", "/_sandbox/faults", `{"api":"mercadolivre","method":"PUT","path":"/mercadolivre/items/*","status":429,"times":1}`); r.status != 201 {
		t.Fatalf("fault: %d %s", r.status, r.body)
	}
	r = put(`{"status":"paused"}`)
	if code, _ := mlError(t, r); r.status != 429 || code != "too_many_requests" {
		t.Fatalf("fault: %d %s", r.status, r.body)
	}
	// Refunds walk the order table; a full refund cancels the shipment.
	c := mlOrder(t, h, `{"channel":"mercadolivre","items":[{"id":"Z","name":"Livro","price":5000,"quantity":1}]}`)
	step := func(body string) response {
		return do(t, h, "POST", fmt.Sprintf("/_sandbox/mercadolivre/orders/%d/step", c.OrderID), body)
	}
	if r := step(`{"action":"partial_refund","amount":1000}`); r.status != 200 || !strings.Contains(string(r.body), "partially_refunded") {
		t.Fatalf("partial refund: %d %s", r.status, r.body)
	}
	if r := step(`{"action":"pay"}`); r.status != 409 {
		t.Fatalf("pay a refunded order: %d %s", r.status, r.body)
	}
	if r := step(`{"action":"refund"}`); r.status != 200 || !strings.Contains(string(r.body), `"cancelled"`) {
		t.Fatalf("refund: %d %s", r.status, r.body)
	}
	if st, _ := sb.MercadoLivre.ShipmentState(c.ShipmentID); st.Status != "cancelled" {
		t.Fatalf("shipment after the refund: %v", st)
	}
	// A reset forgets the account's sales and listings; its app stays.
	if r := do(t, h, "POST", "/_sandbox/reset?account=demostore", ""); r.status != 204 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if _, ok := sb.MercadoLivre.OrderStatus(c.OrderID); ok {
		t.Fatal("the order survived the reset")
	}
	if r := mlGet(t, h, mlLogin(t, h).AccessToken, "/items/"+item.ID); r.status != 404 {
		t.Fatalf("the listing after the reset: %d %s", r.status, r.body)
	}
}

func TestMercadoLivreOwnListenerAndHost(t *testing.T) {
	cfg := testConfig()
	cfg.MercadoLivre.Host = "api.mercadolibre.localhost"
	sb, err := sandbox.New(sandbox.WithConfig(cfg), sandbox.WithClock(clock.Frozen(testStart)),
		sandbox.WithStrict(true, func(op, detail string) { t.Errorf("strict mode: %s: %s", op, detail) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	code := mlAuthorize(t, sb.Handler(), "demostore")
	form := codeForm(code).Encode()
	req := newRequest("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded")
	req.Host = "api.mercadolibre.localhost"
	rec := httptest.NewRecorder()
	sb.Handler().ServeHTTP(rec, req)
	var tok mlToken
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token by Host: %d %s", rec.Code, rec.Body)
	}
	r := do(t, sb.MercadoLivreHandler(), "GET", "/users/me", "", "Authorization: Bearer "+tok.AccessToken)
	if r.status != 200 {
		t.Fatalf("own listener: %d %s", r.status, r.body)
	}
	if r := do(t, sb.MercadoLivreHandler(), "GET", "/nothing/here", "", "Authorization: Bearer "+tok.AccessToken); r.status != 404 {
		t.Fatalf("unknown route: %d %s", r.status, r.body)
	} else {
		mlError(t, r)
	}
}
