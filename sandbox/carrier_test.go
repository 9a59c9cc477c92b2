package sandbox_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/carrier"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// The demo account's Correios contract, as the README documents it.
const (
	correiosUser = "demostore"
	correiosCode = "correios-sandbox-access-code"
	correiosCard = "0067599079"
)

func basic(user, code string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+code))
}

// correiosToken asks the carrier for a token of the demo contract.
func correiosToken(t *testing.T, h http.Handler) string {
	t.Helper()
	r := do(t, h, "POST", "/correios/token/v1/autentica/cartaopostagem", `{"numero":"`+correiosCard+`"}`,
		basic(correiosUser, correiosCode), "Content-Type: application/json")
	var tok struct {
		Token, ExpiraEm string
		CartaoPostagem  struct{ Numero string }
	}
	r.json(t, &tok)
	if r.status != 201 || tok.Token == "" || tok.CartaoPostagem.Numero != correiosCard || tok.ExpiraEm == "" {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return tok.Token
}

type rastro struct {
	Quantidade int `json:"quantidade"`
	Objetos    []struct {
		CodObjeto string `json:"codObjeto"`
		Mensagem  string `json:"mensagem"`
		Eventos   []struct {
			Codigo, Tipo, DtHrCriado, Descricao string
			Unidade                             struct {
				Tipo     string
				Endereco struct{ Cidade, Uf string }
			}
		} `json:"eventos"`
	} `json:"objetos"`
}

func track(t *testing.T, h http.Handler, token, code string) (response, rastro) {
	t.Helper()
	r := do(t, h, "GET", "/correios/srorastro/v1/objetos/"+code+"?resultado=T", "", "Authorization: Bearer "+token)
	var out rastro
	if r.status == 200 {
		r.json(t, &out)
	}
	return r, out
}

func msgs(t *testing.T, r response) string {
	t.Helper()
	var b struct{ Msgs []string }
	r.json(t, &b)
	return strings.Join(b.Msgs, " ")
}

func TestCarrierTokenAndTracking(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	// No credentials, wrong ones, someone else's card.
	for _, hdr := range []string{"", basic(correiosUser, "wrong"), basic("nobody", correiosCode)} {
		r := do(t, h, "POST", "/correios/token/v1/autentica/cartaopostagem", `{"numero":"`+correiosCard+`"}`, hdr, "Content-Type: application/json")
		if r.status != 401 || msgs(t, r) == "" {
			t.Errorf("token with %q: %d %s", hdr, r.status, r.body)
		}
	}
	if r := do(t, h, "POST", "/correios/token/v1/autentica/cartaopostagem", `{"numero":"0000000001"}`,
		basic(correiosUser, correiosCode), "Content-Type: application/json"); r.status != 401 {
		t.Errorf("another card: %d %s", r.status, r.body)
	}
	tok := correiosToken(t, h)

	p, err := sb.Carrier.Create(carrier.NewParcel{Account: "demostore", Code: "QN242960622BR", City: "Uberaba", UF: "MG"})
	if err != nil {
		t.Fatal(err)
	}
	// 401 without a token, with an unknown one.
	for _, hdr := range []string{"", "Authorization: Bearer nope"} {
		if r := do(t, h, "GET", "/correios/srorastro/v1/objetos/"+p.Code, "", hdr); r.status != 401 || !strings.Contains(msgs(t, r), "Token") {
			t.Errorf("tracking with %q: %d %s", hdr, r.status, r.body)
		}
	}
	r, out := track(t, h, tok, p.Code)
	if r.status != 200 || out.Quantidade != 1 || len(out.Objetos[0].Eventos) != 1 || out.Objetos[0].Eventos[0].Codigo != "PO" {
		t.Fatalf("posted: %d %s", r.status, r.body)
	}
	if _, err := sb.Clock.Advance(52 * time.Hour); err != nil {
		t.Fatal(err)
	}
	tok = correiosToken(t, h) // the first expired after a day
	r, out = track(t, h, tok, p.Code)
	if r.status != 200 {
		t.Fatalf("tracking: %d %s", r.status, r.body)
	}
	evs := out.Objetos[0].Eventos
	if len(evs) != 5 || evs[0].Codigo != "BDE" || evs[0].Tipo != "01" || evs[0].Unidade.Endereco.Cidade != "UBERABA" ||
		evs[0].DtHrCriado != "2026-03-12T13:00:00" || evs[4].Codigo != "PO" {
		t.Fatalf("delivered, newest first: %s", r.body)
	}
	// A bad check digit is a 400; an unknown code answers SRO-020 as Correios does.
	if r, _ := track(t, h, tok, "QN242960623BR"); r.status != 400 || !strings.Contains(msgs(t, r), "SRO-019") {
		t.Errorf("bad check digit: %d %s", r.status, r.body)
	}
	if r, out := track(t, h, tok, "AA123456785BR"); r.status != 200 || !strings.HasPrefix(out.Objetos[0].Mensagem, "SRO-020") {
		t.Errorf("unknown code: %d %s", r.status, r.body)
	}
	r = do(t, h, "GET", "/correios/srorastro/v1/objetos?codigosObjetos="+p.Code+"&codigosObjetos=XX1&resultado=U", "", "Authorization: Bearer "+tok)
	r.json(t, &out)
	if r.status != 200 || out.Quantidade != 2 || len(out.Objetos[0].Eventos) != 1 || out.Objetos[1].Mensagem != "SRO-019: Objeto inválido" {
		t.Errorf("several objects: %d %s", r.status, r.body)
	}
	// Tokens expire on the sandbox clock.
	if _, err := sb.Clock.Advance(carrier.TokenLifetime); err != nil {
		t.Fatal(err)
	}
	if r, _ := track(t, h, tok, p.Code); r.status != 401 || !strings.Contains(msgs(t, r), "expirado") {
		t.Errorf("expired token: %d %s", r.status, r.body)
	}
	// Journaled as api carrier, under the account its token proved.
	j := sb.Journal.Entries(journal.Filter{API: "carrier", Account: "demostore"})
	if len(j) < 5 {
		t.Errorf("journal: %d carrier entries of demostore", len(j))
	}
}

func TestCarrierParcelsAreTheAccountsOwn(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	r := do(t, h, "POST", "/_sandbox/accounts", `{"name":"suite-a"}`)
	var acct struct{ CorreiosUser, CorreiosAccessCode, CorreiosPostingCard string }
	r.json(t, &acct)
	if r.status != 201 || acct.CorreiosPostingCard == "" || acct.CorreiosPostingCard == correiosCard {
		t.Fatalf("account: %d %s", r.status, r.body)
	}
	r = do(t, h, "POST", "/correios/token/v1/autentica/cartaopostagem", `{"numero":"`+acct.CorreiosPostingCard+`"}`,
		basic(acct.CorreiosUser, acct.CorreiosAccessCode), "Content-Type: application/json")
	var tok struct{ Token string }
	r.json(t, &tok)
	if r.status != 201 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	r = do(t, h, "POST", "/_sandbox/carrier/parcels", `{"account":"demostore","scenario":"returned"}`)
	var p carrier.Parcel
	r.json(t, &p)
	if r.status != 201 || !carrier.ValidCorreiosCode(p.Code) || p.Scenario != carrier.Returned {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r, out := track(t, h, tok.Token, p.Code); r.status != 200 || !strings.HasPrefix(out.Objetos[0].Mensagem, "SRO-020") {
		t.Errorf("another account's parcel: %d %s", r.status, r.body)
	}
}

func TestCarrierControlPlane(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	for _, b := range []struct {
		body   string
		status int
	}{
		{`{"code":"QN242960623BR"}`, 400},
		{`{"scenario":"lost"}`, 400},
		{`{"account":"nope"}`, 404},
		{`{"postedAt":"2030-01-01T00:00:00Z"}`, 400},
		{`{"code":"QN242960622BR","city":"Recife","state":"PE"}`, 201},
		{`{"code":"QN242960622BR"}`, 409},
	} {
		if r := do(t, h, "POST", "/_sandbox/carrier/parcels", b.body); r.status != b.status {
			t.Errorf("%s: %d %s, want %d", b.body, r.status, r.body, b.status)
		}
	}
	if _, err := sb.Clock.Advance(49 * time.Hour); err != nil { // out for delivery
		t.Fatal(err)
	}
	r := do(t, h, "POST", "/_sandbox/carrier/parcels/QN242960622BR/scenario", `{"scenario":"failed-attempt"}`)
	var p carrier.Parcel
	r.json(t, &p)
	if r.status != 200 || p.Status != carrier.OutForDelivery || p.Scenario != carrier.FailedAttempt {
		t.Fatalf("scenario: %d %s", r.status, r.body)
	}
	_, _ = sb.Clock.Advance(4 * time.Hour)
	var list struct{ Parcels []carrier.Parcel }
	do(t, h, "GET", "/_sandbox/carrier/parcels?account=demostore", "").json(t, &list)
	if len(list.Parcels) != 1 || list.Parcels[0].Status != carrier.AttemptFailed {
		t.Fatalf("list: %+v", list)
	}
	_, _ = sb.Clock.Advance(24 * time.Hour)
	do(t, h, "GET", "/_sandbox/carrier/parcels?account=demostore", "").json(t, &list)
	if list.Parcels[0].Status != carrier.Delivered || list.Parcels[0].Route.DestCDD.Cidade != "RECIFE" {
		t.Fatalf("delivered: %+v", list.Parcels[0])
	}
	if r := do(t, h, "POST", "/_sandbox/carrier/parcels/QN242960622BR/scenario", `{"scenario":"returned"}`); r.status != 409 {
		t.Errorf("after delivery: %d %s", r.status, r.body)
	}
	if r := do(t, h, "POST", "/_sandbox/carrier/parcels/AA123456785BR/scenario", `{"scenario":"returned"}`); r.status != 404 {
		t.Errorf("unknown parcel: %d %s", r.status, r.body)
	}
	// Each step was announced on the bus, in order.
	var kinds []string
	for _, e := range sb.EventLog.Events(events.Filter{Account: "demostore", Type: carrier.EventStep}) {
		kinds = append(kinds, e.Data["kind"].(string))
	}
	if got := strings.Join(kinds, " "); got != "posted forwarded arrived out-for-delivery attempt-failed out-again delivered" {
		t.Errorf("carrier.event: %s", got)
	}
	// Reset forgets the account's parcels.
	do(t, h, "POST", "/_sandbox/reset", `{"account":"demostore"}`)
	if ps := sb.Carrier.List("demostore"); len(ps) != 0 {
		t.Errorf("after reset: %d parcels", len(ps))
	}
}

func TestCarrierFaults(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	tok := correiosToken(t, h)
	r := do(t, h, "POST", "/_sandbox/faults", `{"api":"carrier","path":"/correios/srorastro/**","status":503,"times":1}`)
	if r.status != 201 {
		t.Fatalf("fault: %d %s", r.status, r.body)
	}
	if r, _ := track(t, h, tok, "AA123456785BR"); r.status != 503 || r.header.Get(journal.FaultHeader) == "" {
		t.Errorf("faulted: %d %s", r.status, r.body)
	}
	if r, _ := track(t, h, tok, "AA123456785BR"); r.status != 200 {
		t.Errorf("after the fault: %d %s", r.status, r.body)
	}
}

func TestVTEXInvoiceTrackingCreatesAParcel(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := handlingOrder(t, sb)
	base := "/api/oms/pvt/orders/" + id
	// A code that is no Correios code: no parcel, an event saying why.
	inv := strings.Replace(fullInvoice, `"BR123"`, `"QN242960623BR"`, 1)
	if r := do(t, h, "POST", base+"/invoice", inv, demoAuth...); r.status != 200 {
		t.Fatalf("invoice: %d %s", r.status, r.body)
	}
	eventually(t, "the ignored code's event", func() bool {
		evs := sb.EventLog.Events(events.Filter{Account: "demostore", Type: carrier.EventCodeIgnored, OrderID: id})
		return len(evs) == 1 && strings.Contains(evs[0].Data["reason"].(string), "check digit")
	})
	// The tracking patched with a Correios code: a parcel walks.
	if r := do(t, h, "PATCH", base+"/invoice/NF-1001", `{"trackingNumber":"QN242960622BR","courier":"Correios","trackingUrl":null,"dispatchedDate":null}`, demoAuth...); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	eventually(t, "the parcel", func() bool {
		p, ok := sb.Carrier.Track("demostore", "QN242960622BR")
		return ok && p.OrderID == id && p.Source == carrier.SourceVTEX
	})
	_, _ = sb.Clock.Advance(3 * 24 * time.Hour)
	r, out := track(t, h, correiosToken(t, h), "QN242960622BR")
	if r.status != 200 || len(out.Objetos[0].Eventos) != 5 || out.Objetos[0].Eventos[0].Descricao != "Objeto entregue ao destinatário" {
		t.Fatalf("tracking: %d %s", r.status, r.body)
	}
	eventually(t, "the parcel-created event", func() bool {
		return len(sb.EventLog.Events(events.Filter{Account: "demostore", Type: carrier.EventParcelCreated, OrderID: id})) == 1
	})
}

func TestSkyHubShipmentCreatesAParcel(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	own := sky(t, h, "POST", "/orders", `{"order":{"items":[{"id":"X","qty":1,"original_price":10}]}}`)
	var o skyhub.Order
	own.json(t, &o)
	p := "/orders/" + url.PathEscape(o.Code)
	sky(t, h, "POST", p+"/approval", `{}`)
	sky(t, h, "POST", p+"/invoice", `{"invoice":{"key":"35260311222333000181550010000010011000010019"}}`)
	if r := sky(t, h, "POST", p+"/shipments", `{"items":[{"sku":"X","qty":1}],"shipment":{"track":{"code":"AM101610575BR","carrier":"Correios","method":"SEDEX","url":"https://t"}}}`); r.status != 201 {
		t.Fatalf("shipment: %d %s", r.status, r.body)
	}
	eventually(t, "the parcel", func() bool {
		pc, ok := sb.Carrier.Track("demostore", "AM101610575BR")
		return ok && pc.Source == carrier.SourceSkyHub && pc.OrderID == o.Code
	})
}

func TestCarrierOwnListenerAndHost(t *testing.T) {
	c := testConfig()
	c.Carrier.Host = "api.correios.localhost"
	sb, err := sandbox.New(sandbox.WithConfig(c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	body := `{"numero":"` + correiosCard + `"}`
	// At the root of its own listener.
	r := do(t, sb.CarrierHandler(), "POST", "/token/v1/autentica/cartaopostagem", body, basic(correiosUser, correiosCode), "Content-Type: application/json")
	if r.status != 201 {
		t.Errorf("own listener: %d %s", r.status, r.body)
	}
	// At the root of its Host on the main listener.
	req := newRequest("POST", "/token/v1/autentica/cartaopostagem", body, basic(correiosUser, correiosCode), "Content-Type: application/json")
	req.Host = "api.correios.localhost:8080"
	rec := httptest.NewRecorder()
	sb.Handler().ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Errorf("by host: %d %s", rec.Code, rec.Body)
	}
}

// FuzzCarrierTrackingCode throws codes at the tracking route: it never
// fails with a 5xx, and answers 200 exactly for valid Correios codes.
func FuzzCarrierTrackingCode(f *testing.F) {
	for _, s := range []string{"QN242960622BR", "QN242960623BR", "AA123456785BR", "RR473124829GB", "", "%2F..", "aa123456785br"} {
		f.Add(s)
	}
	sb := newSandbox(f)
	h := sb.Handler()
	r := do(f, h, "POST", "/correios/token/v1/autentica/cartaopostagem", `{"numero":"`+correiosCard+`"}`,
		basic(correiosUser, correiosCode), "Content-Type: application/json")
	var tok struct{ Token string }
	r.json(f, &tok)
	f.Fuzz(func(t *testing.T, code string) {
		esc := url.PathEscape(code)
		if esc == "" || strings.HasPrefix(esc, ".") {
			return
		}
		rec := httptest.NewRecorder()
		req, err := http.NewRequest("GET", "/correios/srorastro/v1/objetos/"+esc, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: %d %s", code, rec.Code, rec.Body)
		}
		valid := carrier.ValidCorreiosCode(strings.ToUpper(code))
		if (rec.Code == 200) != valid && rec.Code != 404 {
			t.Fatalf("%q: %d %s (valid %v)", code, rec.Code, rec.Body, valid)
		}
	})
}
