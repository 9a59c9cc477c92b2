package sandbox_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// These tests reproduce what someone who reaches the port could do, and
// show it refused or bounded.

func TestErrorsEchoAtMost256CharactersOfAnID(t *testing.T) {
	sb := newSandbox(t)
	long := strings.Repeat("9", 100_000)
	for _, tc := range []struct{ name, method, target string }{
		{"unknown order", "GET", "/api/oms/pvt/orders/" + long},
		{"unknown route", "GET", "/api/" + long},
		{"unknown SkyHub order", "GET", "/skyhub/orders/" + long},
		{"unknown control-plane route", "GET", "/_sandbox/" + long},
		{"unknown fault", "GET", "/_sandbox/faults/" + long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := append(append([]string{}, demoAuth...), sellerAuth...)
			r := do(t, sb.Handler(), tc.method, tc.target, "", headers...)
			if r.status != 404 && r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body[:min(len(r.body), 300)])
			}
			if n := utf8.RuneCount(r.body); n > 1024 {
				t.Fatalf("a %d-character error body echoes the id whole", n)
			}
		})
	}
}

func TestRequestsThatFailAuthenticationBelongToNoAccount(t *testing.T) {
	sb := newSandbox(t)
	id := orderIn(t, sb, "ready-for-handling")
	// Someone without otherstore's credentials claims to be otherstore, or
	// demostore with a wrong token.
	do(t, sb.Handler(), "GET", "/api/oms/pvt/orders/"+id+"?an=otherstore", "")
	do(t, sb.Handler(), "GET", "/api/oms/pvt/orders/"+id, "", "X-VTEX-API-AppKey: "+demoKey, "X-VTEX-API-AppToken: guess")
	do(t, sb.Handler(), "GET", "/skyhub/orders", "", "X-User-Email: seller@demostore.com.br", "X-Api-Key: guess",
		"X-Accountmanager-Key: x")
	// The real owner's request is filed under its account.
	do(t, sb.Handler(), "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...)
	for _, account := range []string{"otherstore", "demostore"} {
		for _, e := range sb.Journal.Entries(journal.Filter{Account: account}) {
			if e.Status == 401 || e.Status == 403 {
				t.Errorf("a refused request (%d %s %s) is in %s's journal", e.Status, e.Method, e.Path, account)
			}
		}
	}
	refused := 0
	for _, e := range sb.Journal.Entries(journal.Filter{}) {
		if e.Account == "" && (e.Status == 401 || e.Status == 403) {
			refused++
		}
	}
	if refused != 3 {
		t.Fatalf("want the 3 refused requests journaled under no account, got %d", refused)
	}
	if n := len(sb.Journal.Entries(journal.Filter{Account: "demostore", Method: "GET"})); n != 1 {
		t.Fatalf("demostore's journal has %d entries, want its one authenticated read", n)
	}
}

func TestUnknownAccountListsTheOthersOnlyToAnAuthenticatedCaller(t *testing.T) {
	sb := newSandbox(t)
	anon := do(t, sb.Handler(), "GET", "/api/oms/pvt/orders?an=nosuchstore", "")
	if _, msg := anon.vtexError(t); anon.status != 404 || strings.Contains(msg, "demostore") || strings.Contains(msg, "otherstore") {
		t.Fatalf("an anonymous caller learns the accounts: %d %s", anon.status, msg)
	}
	authed := do(t, sb.Handler(), "GET", "/api/oms/pvt/orders?an=nosuchstore", "", demoAuth...)
	if _, msg := authed.vtexError(t); authed.status != 404 || !strings.Contains(msg, "demostore") {
		t.Fatalf("an authenticated caller should be told which accounts exist: %d %s", authed.status, msg)
	}
}

func TestClockOverflowIsRefusedNamingTheField(t *testing.T) {
	sb := newSandbox(t)
	before := sb.Clock.Now()
	for _, tc := range []struct{ body, field string }{
		{`{"set":"9999-12-31T23:59:59Z"}`, "set"},
		{`{"advance":"2562047h"}`, "advance"},
	} {
		r := do(t, sb.Handler(), "POST", "/_sandbox/clock", tc.body)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		r.json(t, &e)
		if r.status != 400 || !strings.HasPrefix(e.Error.Message, tc.field+":") || !strings.Contains(e.Error.Message, "2200") {
			t.Fatalf("%s: %d %s", tc.body, r.status, r.body)
		}
	}
	if now := sb.Clock.Now(); !now.Equal(before) {
		t.Fatalf("refused moves changed the clock to %s", now)
	}
	if r := do(t, sb.Handler(), "POST", "/_sandbox/clock", `{"advance":"90s"}`); r.status != 200 || !sb.Clock.Now().Equal(before.Add(90*time.Second)) {
		t.Fatalf("an advance after refusals: %d, now %s", r.status, sb.Clock.Now())
	}
}

func TestMoneyNeverWraps(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	huge := "9223372036854775807"
	r := do(t, h, "POST", "/_sandbox/orders", `{"items":[{"id":"1","name":"Camiseta","price":`+huge+`,"quantity":2}]}`)
	if r.status != 400 || !strings.Contains(string(r.body), "items[0]") {
		t.Fatalf("an order of max-int64 × 2: %d %s", r.status, r.body)
	}
	r = do(t, h, "POST", "/_sandbox/orders", `{"items":[{"id":"1","name":"A","price":600000000000,"quantity":1},{"id":"2","name":"B","price":600000000000,"quantity":1}]}`)
	if r.status != 400 || !strings.Contains(string(r.body), "items[1]") {
		t.Fatalf("an order whose total passes the bound: %d %s", r.status, r.body)
	}

	id := orderIn(t, sb, "handling")
	before := orderJSON(t, sb, id)
	base := "/api/oms/pvt/orders/" + id
	for _, tc := range []struct{ path, body, field string }{
		{"/changes", `{"requestId":"r1","reason":"x","discountValue":0,"incrementValue":0,"itemsAdded":[{"id":"1","name":"x","price":` + huge + `,"quantity":2}]}`, "itemsAdded[0]"},
		{"/changes", `{"requestId":"r2","reason":"x","discountValue":0,"incrementValue":` + huge + `}`, "incrementValue"},
		{"/invoice", `{"type":"Output","issuanceDate":"2026-03-10","invoiceNumber":"NF-9","invoiceValue":` + huge + `,"items":[{"id":"1","quantity":1,"price":1}]}`, "invoiceValue"},
	} {
		r := do(t, h, "POST", base+tc.path, tc.body, demoAuth...)
		code, msg := r.vtexError(t)
		if r.status != 400 || code == "" || !strings.Contains(msg, tc.field) {
			t.Errorf("%s with %s: %d %s", tc.path, tc.field, r.status, r.body)
		}
	}
	if after := orderJSON(t, sb, id); after != before {
		t.Fatal("a refused change or invoice altered the order")
	}

	r = do(t, h, "POST", "/skyhub/orders", `{"order":{"items":[{"id":"1","name":"x","qty":2,"original_price":1e300,"special_price":1e300}]}}`, sellerAuth...)
	if r.status != 400 || !strings.Contains(string(r.body), "order.items[0].original_price") {
		t.Fatalf("a SkyHub order of 1e300: %d %s", r.status, r.body)
	}
}

// orderJSON is the order's document as the VTEX API answers it.
func orderJSON(t *testing.T, sb *sandbox.Sandbox, id string) string {
	t.Helper()
	r := do(t, sb.Handler(), "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...)
	if r.status != 200 {
		t.Fatalf("read %s: %d", id, r.status)
	}
	return string(r.body)
}

func TestControlTokenGuardsEveryCallButHealth(t *testing.T) {
	s := sandbox.Start(t, sandbox.WithControlToken("s3cret"))
	h := s.Handler()
	before := s.Clock.Now()
	if r := do(t, h, "GET", "/_sandbox/health", ""); r.status != 200 {
		t.Fatalf("health without the token: %d", r.status)
	}
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/_sandbox/reset", ""},
		{"GET", "/_sandbox/journal", ""},
		{"POST", "/_sandbox/orders", `{"items":[{"id":"1","name":"x","price":100,"quantity":1}]}`},
		{"POST", "/_sandbox/clock", `{"advance":"1h"}`},
		{"GET", "/_sandbox/nosuchroute", ""},
	} {
		for _, auth := range [][]string{nil, {"Authorization: Bearer wrong"}, {"Authorization: s3cret"}} {
			r := do(t, h, tc.method, tc.path, tc.body, auth...)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			r.json(t, &e)
			if r.status != 401 || e.Error.Code != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with %v: %d %s", tc.method, tc.path, auth, r.status, r.body)
			}
		}
	}
	if acct, _ := s.OMS.Account(s.Account); len(acct.List(oms.Query{}).List) != 8 || !s.Clock.Now().Equal(before) {
		t.Fatal("refused calls changed the sandbox's orders or clock")
	}
	// The client of Start carries the token; the vendor APIs never need it.
	if _, err := s.Client.Journal(t.Context(), client.JournalFilter{}); err != nil {
		t.Fatalf("the Start client with the token: %v", err)
	}
	if _, err := client.New(s.URL, nil).Journal(t.Context(), client.JournalFilter{}); err == nil {
		t.Fatal("a client without the token was let in")
	}
	if r := do(t, h, "GET", "/api/oms/pvt/orders", "", demoAuth...); r.status != 200 {
		t.Fatalf("the VTEX API behind a control token: %d", r.status)
	}
}

func TestVendorHandlerDoesNotServeTheControlPlane(t *testing.T) {
	sb := newSandbox(t)
	r := do(t, sb.VendorHandler(), "POST", "/_sandbox/reset", "")
	if r.status != 404 || !strings.Contains(string(r.body), "--control-addr") {
		t.Fatalf("control plane on the vendor listener: %d %s", r.status, r.body)
	}
	if r := do(t, sb.VendorHandler(), "GET", "/api/oms/pvt/orders", "", demoAuth...); r.status != 200 {
		t.Fatalf("VTEX on the vendor listener: %d", r.status)
	}
	if r := do(t, sb.ControlHandler(), "GET", "/_sandbox/health", ""); r.status != 200 {
		t.Fatalf("health on the control listener: %d", r.status)
	}
}

// raw sends a request as bytes over a real connection and returns the
// status line's code, the Content-Type and the body.
func raw(t *testing.T, s *sandbox.Server, request string) (int, string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func TestMalformedTargetsAnswerInTheVendorsShape(t *testing.T) {
	s := sandbox.Start(t)
	auth := "X-VTEX-API-AppKey: " + demoKey + "\r\nX-VTEX-API-AppToken: " + demoToken + "\r\n"
	for _, tc := range []struct {
		name, target string
		status       int
		shape        string
	}{
		{"malformed escape, VTEX", "/api/oms/pvt/orders/%ZZ", 400, `"code":"OMS001"`},
		{"malformed escape, SkyHub", "/skyhub/orders/%ZZ", 400, `{"error":"`},
		{"malformed escape, control plane", "/_sandbox/clock%ZZ", 400, `"code":"invalid_request"`},
		{"dot-dot slash, VTEX", "/api/oms/pvt/orders/..%2F..%2F_sandbox/reset", 404, `"code":"OMS404"`},
		{"dot-dot, VTEX", "/api/oms/pvt/../orders", 404, `"code":"OMS404"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := raw(t, s, "GET "+tc.target+" HTTP/1.1\r\nHost: x\r\n"+auth+"\r\n")
			if status != tc.status || !strings.HasPrefix(ctype, "application/json") || !strings.Contains(body, tc.shape) {
				t.Fatalf("%d %s %s", status, ctype, body)
			}
		})
	}
}

func TestARefusedRequestKeepsTheIdentityItPresented(t *testing.T) {
	sb := newSandbox(t)
	do(t, sb.Handler(), "GET", "/api/oms/pvt/orders", "", "X-VTEX-API-AppKey: "+demoKey, "X-VTEX-API-AppToken: guess")
	got := sb.Journal.Entries(journal.Filter{Caller: demoKey})
	if len(got) != 1 || got[0].Account != "" || got[0].Status != 403 || strings.Contains(fmt.Sprint(got[0]), "guess") {
		t.Fatalf("entries for the app key: %+v", got)
	}
}
