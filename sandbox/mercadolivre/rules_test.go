package mercadolivre

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/journal"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newMarket(t *testing.T) (*Market, *clock.Clock, *events.Bus) {
	t.Helper()
	c := clock.Frozen(start)
	bus := &events.Bus{}
	m := New(c, bus, 1, DefaultTimings)
	if _, err := m.AddApp(App{Account: "shop", ClientID: "123", ClientSecret: "s3cret", RedirectURI: "https://shop/cb", SellerID: 42}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddApp(App{Account: "other", ClientID: "456", ClientSecret: "other", SellerID: 43}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Forget("") })
	return m, c, bus
}

func TestOrderTable(t *testing.T) {
	statuses := []string{OrderConfirmed, OrderPaymentRequired, OrderPaymentInProcess, OrderPaid, OrderPartiallyRefunded, OrderCancelled}
	want := map[[2]string]string{
		{OrderConfirmed, ActPay}: OrderPaid, {OrderPaymentRequired, ActPay}: OrderPaid, {OrderPaymentInProcess, ActPay}: OrderPaid,
		{OrderPaid, ActPartialRefund}: OrderPartiallyRefunded, {OrderPartiallyRefunded, ActPartialRefund}: OrderPartiallyRefunded,
		{OrderPaid, ActRefund}: OrderCancelled, {OrderPartiallyRefunded, ActRefund}: OrderCancelled,
		{OrderConfirmed, ActCancel}: OrderCancelled, {OrderPaymentRequired, ActCancel}: OrderCancelled, {OrderPaymentInProcess, ActCancel}: OrderCancelled,
	}
	for _, from := range statuses {
		for _, act := range []string{ActPay, ActPartialRefund, ActRefund, ActCancel} {
			to, err := NextOrderStatus(from, act)
			exp, ok := want[[2]string{from, act}]
			switch {
			case ok && (err != nil || to != exp):
				t.Errorf("%s from %s: got %q, %v; want %s", act, from, to, err, exp)
			case !ok && err == nil:
				t.Errorf("%s from %s: allowed (to %s), want refused", act, from, to)
			case !ok && err.(*Error).Status != 409:
				t.Errorf("%s from %s: %v, want a 409", act, from, err)
			}
		}
	}
	if _, err := NextOrderStatus(OrderPaid, "ship"); err == nil || err.(*Error).Status != 400 {
		t.Errorf("unknown action: %v", err)
	}
}

func TestShipmentTable(t *testing.T) {
	tests := []struct {
		from   State
		action string
		to     State
		ok     bool
	}{
		{State{ShipReadyToShip, SubInvoicePending}, ShipActInvoice, State{ShipReadyToShip, SubReadyToPrint}, true},
		{State{ShipHandling, SubInvoicePending}, ShipActInvoice, State{ShipReadyToShip, SubReadyToPrint}, true},
		{State{ShipReadyToShip, SubReadyToPrint}, ShipActInvoice, State{}, false},
		{State{ShipReadyToShip, SubInvoicePending}, ShipActPrint, State{}, false},
		{State{ShipReadyToShip, SubReadyToPrint}, ShipActPrint, State{ShipReadyToShip, SubPrinted}, true},
		{State{ShipReadyToShip, SubPrinted}, ShipActPrint, State{ShipReadyToShip, SubPrinted}, true},
		{State{ShipReadyToShip, SubPrinted}, ShipActShip, State{ShipShipped, ""}, true},
		{State{ShipReadyToShip, SubInvoicePending}, ShipActShip, State{}, false},
		{State{ShipShipped, ""}, ShipActDeliver, State{ShipDelivered, ""}, true},
		{State{ShipShipped, ""}, ShipActNotDeliver, State{ShipNotDelivered, SubReturning}, true},
		{State{ShipReadyToShip, SubPrinted}, ShipActDeliver, State{}, false},
		{State{ShipReadyToShip, SubInvoicePending}, ShipActCancel, State{ShipCancelled, ""}, true},
		{State{ShipShipped, ""}, ShipActCancel, State{}, false},
		{State{ShipDelivered, ""}, ShipActShip, State{}, false},
	}
	for _, tc := range tests {
		to, err := NextShipmentState(tc.from, tc.action)
		if tc.ok && (err != nil || to != tc.to) || !tc.ok && err == nil {
			t.Errorf("%s from %s: got %s, %v", tc.action, tc.from, to, err)
		}
	}
}

func TestGrantRules(t *testing.T) {
	m, c, _ := newMarket(t)
	code := func() string {
		code, _, err := m.Authorize("shop")
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	good := func(code string) TokenRequest {
		return TokenRequest{GrantType: "authorization_code", ClientID: "123", ClientSecret: "s3cret", Code: code, RedirectURI: "https://shop/cb"}
	}
	used := code()
	tok, err := m.Grant(good(used))
	if err != nil || tok.ExpiresIn != 21600 || tok.UserID != 42 {
		t.Fatalf("grant: %+v %v", tok, err)
	}
	otherCode, _, _ := m.Authorize("other")
	expired := code()
	tests := []struct {
		name, want string
		req        TokenRequest
		before     func()
	}{
		{"grant type", "unsupported_grant_type", TokenRequest{GrantType: "password", ClientID: "123", ClientSecret: "s3cret"}, nil},
		{"no code", "invalid_request", TokenRequest{GrantType: "authorization_code", ClientID: "123", ClientSecret: "s3cret", RedirectURI: "x"}, nil},
		{"wrong secret", "invalid_client", func() TokenRequest { r := good(code()); r.ClientSecret = "nope"; return r }(), nil},
		{"unknown client", "invalid_client", func() TokenRequest { r := good(code()); r.ClientID = "999"; return r }(), nil},
		{"unknown code", "invalid_grant", good("TG-nope"), nil},
		{"reused code", "invalid_grant", good(used), nil},
		{"code of another client", "invalid_grant", good(otherCode), nil},
		{"redirect mismatch", "invalid_grant", func() TokenRequest { r := good(code()); r.RedirectURI = "https://evil/cb"; return r }(), nil},
		{"expired code", "invalid_grant", good(expired), func() { _, _ = c.Advance(CodeLifetime) }},
		{"unknown refresh", "invalid_grant", TokenRequest{GrantType: "refresh_token", ClientID: "123", ClientSecret: "s3cret", RefreshToken: "TG-x"}, nil},
		{"refresh of another client", "invalid_grant", TokenRequest{GrantType: "refresh_token", ClientID: "456", ClientSecret: "other", RefreshToken: tok.RefreshToken}, nil},
	}
	for _, tc := range tests {
		if tc.before != nil {
			tc.before()
		}
		_, err := m.Grant(tc.req)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.want || e.Status != 400 {
			t.Errorf("%s: %v, want 400 %s", tc.name, err, tc.want)
		}
	}
	// Refresh rotates: the new pair works once, the old refresh never again.
	refresh := TokenRequest{GrantType: "refresh_token", ClientID: "123", ClientSecret: "s3cret", RefreshToken: tok.RefreshToken}
	tok2, err := m.Grant(refresh)
	if err != nil || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %+v %v", tok2, err)
	}
	if _, err := m.Grant(refresh); err == nil || err.(*Error).Code != "invalid_grant" {
		t.Fatalf("reused refresh: %v", err)
	}
	// Access tokens: 401 when missing, unknown, or 6 h old on the clock.
	if _, err := m.Check(tok2.AccessToken); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Advance(AccessTokenLifetime)
	for _, tk := range []string{"", "APP_USR-nope", tok2.AccessToken} {
		if _, err := m.Check(tk); err == nil || err.(*Error).Status != 401 {
			t.Errorf("token %q: %v, want 401", tk, err)
		}
	}
	// The refresh token outlives the access token.
	if _, err := m.Grant(TokenRequest{GrantType: "refresh_token", ClientID: "123", ClientSecret: "s3cret", RefreshToken: tok2.RefreshToken}); err != nil {
		t.Fatalf("refresh after expiry: %v", err)
	}
}

func nfe(key, total, mod string) string {
	return `<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe"><NFe><infNFe Id="NFe` + key + `"><ide><mod>` + mod +
		`</mod><serie>1</serie><nNF>77</nNF></ide><total><ICMSTot><vNF>` + total + `</vNF></ICMSTot></total></infNFe></NFe></nfeProc>`
}

func TestParseNFe(t *testing.T) {
	key := brdata.NFeKey(rand.New(rand.NewPCG(1, 2)), DefaultCNPJ, 77, 2026, 3)
	bad := key[:43] + string(rune('0'+(key[43]-'0'+1)%10))
	tests := []struct {
		name, xml, err string
	}{
		{"nfeProc", nfe(key, "10.50", "55"), ""},
		{"bare NFe", `<NFe><infNFe Id="NFe` + key + `"><ide><mod>55</mod></ide><total><ICMSTot><vNF>1</vNF></ICMSTot></total></infNFe></NFe>`, ""},
		{"chNFe only", `<nfeProc><NFe><infNFe><total><ICMSTot><vNF>1</vNF></ICMSTot></total></infNFe></NFe><protNFe><infProt><chNFe>` + key + `</chNFe></infProt></protNFe></nfeProc>`, ""},
		{"not closed", `<nfeProc><NFe>`, "not well-formed"},
		{"two roots", nfe(key, "1", "55") + "<x/>", "root elements"},
		{"trailing text", nfe(key, "1", "55") + "junk", "outside the root"},
		{"other root", `<foo/>`, "not <nfeProc>"},
		{"batch", `<enviNFe/>`, "batch"},
		{"no infNFe", `<nfeProc/>`, "no NFe/infNFe"},
		{"no key", `<nfeProc><NFe><infNFe/></NFe></nfeProc>`, "no access key"},
		{"check digit", nfe(bad, "1", "55"), "check digit"},
		{"short key", nfe("123", "1", "55"), "44 digits"},
		{"keys disagree", `<nfeProc><NFe><infNFe Id="NFe` + key + `"/></NFe><protNFe><infProt><chNFe>` + bad + `</chNFe></infProt></protNFe></nfeProc>`, "chNFe is"},
		{"NFC-e", nfe(key, "1", "65"), "model 55"},
		{"no total", `<NFe><infNFe Id="NFe` + key + `"/></NFe>`, "no total"},
		{"bad total", nfe(key, "1,5", "55"), "not an amount"},
		{"negative total", nfe(key, "-1", "55"), "not an amount"},
		{"entity", `<!DOCTYPE x [<!ENTITY a "b">]><NFe>&a;</NFe>`, "not well-formed"},
	}
	for _, tc := range tests {
		n, err := ParseNFe([]byte(tc.xml))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err == "" && n.Key != key:
			t.Errorf("%s: key %q", tc.name, n.Key)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
	if n, _ := ParseNFe([]byte(nfe(key, "10.50", "55"))); n.Total != 10.5 || n.Number != "77" || n.Series != "1" {
		t.Errorf("fields: %+v", n)
	}
}

func FuzzParseNFe(f *testing.F) {
	key := brdata.NFeKey(rand.New(rand.NewPCG(1, 2)), DefaultCNPJ, 77, 2026, 3)
	f.Add([]byte(nfe(key, "10.50", "55")))
	f.Add([]byte(`<NFe><infNFe Id="NFe` + key + `"/></NFe>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><nfeProc/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseNFe(data)
		if err != nil {
			return
		}
		if brdata.NFeKeyProblem(n.Key) != "" || n.Total < 0 {
			t.Fatalf("accepted a bad note: %+v", n)
		}
	})
}

func TestNotificationRetriesOnTheClock(t *testing.T) {
	m, c, bus := newMarket(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var total time.Duration
	for _, d := range RetryAfter {
		total += d
	}
	if len(RetryAfter)+1 != 8 || total != time.Hour {
		t.Fatalf("the schedule makes %d attempts over %s; Mercado Livre: 8 in an hour", len(RetryAfter)+1, total)
	}
	j := journal.New(100, c.Now)
	n := NewNotifier(m, j, srv.Client(), 5*time.Second)
	defer n.Close()
	abandoned := make(chan struct{}, 1)
	bus.Subscribe(func(e events.Event) {
		if e.Type == EventNotificationAbandoned {
			abandoned <- struct{}{}
		}
	})
	if _, err := m.SetCallback("shop", srv.URL, []string{TopicOrders}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateOrder(NewOrder{Account: "shop", Status: OrderConfirmed, Items: []NewItem{{ItemID: "A", PriceCents: 100, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	wait := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for hits.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d attempts, want %d", hits.Load(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	wait(1)
	for i, d := range RetryAfter {
		// Not a moment early.
		waitPending(t, c)
		if _, err := c.Advance(d - time.Second); err != nil {
			t.Fatal(err)
		}
		if got := hits.Load(); got != int32(i+1) {
			t.Fatalf("attempt %d came early", got)
		}
		if _, err := c.Advance(time.Second); err != nil {
			t.Fatal(err)
		}
		wait(int32(i + 2))
	}
	select {
	case <-abandoned:
	case <-time.After(10 * time.Second):
		t.Fatal("not abandoned after the eighth attempt")
	}
	if len(j.Entries(journal.Filter{API: JournalAPI})) != 8 {
		t.Fatalf("journal: %d deliveries", len(j.Entries(journal.Filter{API: JournalAPI})))
	}
	res, err := n.Missed(Caller{Account: "shop", SellerID: 42}, 123, "", 0, 10)
	if err != nil || len(res["messages"].([]map[string]any)) != 1 {
		t.Fatalf("missed: %v %v", res, err)
	}
}

// waitPending waits until the notifier has scheduled its retry.
func waitPending(t *testing.T, c *clock.Clock) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no retry scheduled")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestForgetDropsRetriesWaitingOnTheClock(t *testing.T) {
	m, c, _ := newMarket(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	n := NewNotifier(m, journal.New(10, c.Now), srv.Client(), 5*time.Second)
	defer n.Close()
	if _, err := m.SetCallback("shop", srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateOrder(NewOrder{Account: "shop", Status: OrderConfirmed, Items: []NewItem{{ItemID: "A", PriceCents: 100, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	waitPending(t, c) // the first attempt failed and its retry waits on the clock
	n.Forget("shop")
	if _, err := c.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	n.mu.Lock()
	queued := len(n.queue)
	n.mu.Unlock()
	if queued != 0 || hits.Load() != 1 {
		t.Fatalf("after Forget: %d queued, %d attempts", queued, hits.Load())
	}
}
