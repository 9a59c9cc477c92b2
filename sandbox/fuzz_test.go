package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// fingerprint sums up what a client can change in an account: its orders
// (status, value, invoices, changes, last change) and its feeds. A
// refused request must leave it as it was.
func fingerprint(t testing.TB, sb *sandbox.Sandbox, account string) string {
	t.Helper()
	acct, _ := sb.OMS.Account(account)
	var b strings.Builder
	for _, o := range acct.List(oms.Query{PerPage: 100}).List {
		if err := acct.Read(o.OrderID, func(o *oms.Order) error {
			changes := 0
			if o.ChangesAttachment != nil {
				changes = len(o.ChangesAttachment.ChangesData)
			}
			fmt.Fprintf(&b, "%s %s %d %d %d %s\n", o.OrderID, o.Status, o.Value, len(o.PackageAttachment.Packages), changes, o.LastChange)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	feeds, _ := json.Marshal(sb.Feeds.Summaries(account))
	b.Write(feeds)
	return b.String()
}

// FuzzVTEXRequests throws arbitrary paths, queries and bodies at the VTEX
// API: whatever a client sends, the answer is never a 5xx (strict mode
// included), every error is in VTEX's shape, and a refused request leaves
// the account as it was.
func FuzzVTEXRequests(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"GET", "/api/oms/pvt/orders/seq502551", "", ""},
		{"GET", "/api/oms/pvt/orders", "per_page=7&page=2&orderBy=orderId,desc", ""},
		{"GET", "/api/oms/pvt/orders", "f_creationDate=creationDate:[2026-01-01T00:00:00Z TO 2026-12-01T00:00:00Z]", ""},
		{"GET", "/api/oms/pvt/orders", "f_status=,,handling,&q=%00", ""},
		{"POST", "/api/oms/pvt/orders/seq502551/start-handling", "", `{"x":1}`},
		{"POST", "/api/oms/pvt/orders/%2e%2e/start-handling", "an=demostore", "{"},
		{"PUT", "/api/oms/pvt/orders", "per_page=-1", ""},
		{"POST", "/api/orders/feed/config", "", `{"filter":{"type":"FromOrders","expression":"status = 'handling'"},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":345600}}`},
		{"GET", "/api/orders/feed", "maxlot=3", ""},
		{"POST", "/api/orders/feed", "", `{"handles":["omsbox.x",""]}`},
		{"POST", "/api/orders/hook/config", "", `{"filter":{"type":"FromWorkflow"},"hook":{"url":"http://127.0.0.1:1/h","headers":{}}}`},
		{"POST", "/api/catalog/pvt/product", "", `{"Name":"x"}`},
		{"PUT", "/demostore/pricing/prices/1", "", `{"basePrice":1,"costPrice":1,"markup":1}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	sb := newSandbox(f)
	h := sb.Handler()
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			method = "GET"
		}
		u := &url.URL{Path: "/" + strings.TrimLeft(path, "/"), RawQuery: query}
		req := httptest.NewRequest("GET", "/", strings.NewReader(body))
		req.Method, req.URL, req.RequestURI = method, u, u.RequestURI()
		req.Header.Set("X-VTEX-API-AppKey", demoKey)
		req.Header.Set("X-VTEX-API-AppToken", demoToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		before := fingerprint(t, sb, "demostore")
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, u, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct {
				Error *struct{ Code, Message string } `json:"error"`
			}
			// Catalog, Logistics and Pricing refuse with {"Message"}, and
			// Logistics' lock with its own text.
			var m struct{ Message string }
			catalogShape := json.Unmarshal(rec.Body.Bytes(), &m) == nil && m.Message != "" ||
				rec.Code == 423 && strings.HasPrefix(rec.Body.String(), "Unable to acquire lock for key: ")
			if err := json.Unmarshal(rec.Body.Bytes(), &e); !catalogShape && (err != nil || e.Error == nil || e.Error.Message == "") {
				t.Fatalf("%s %s: %d not in VTEX's error shape: %s", method, u, rec.Code, rec.Body)
			}
			if after := fingerprint(t, sb, "demostore"); after != before {
				t.Fatalf("refused %s %s (%d) changed the account:\n%s\n->\n%s", method, u, rec.Code, before, after)
			}
		}
	})
}

// FuzzControlPlaneBodies sends arbitrary bodies to the control plane's
// decoders (orders, bulk orders, advance, clock, faults, accounts): never
// a 5xx, and a refused body leaves no order behind.
func FuzzControlPlaneBodies(f *testing.F) {
	routes := []string{"/_sandbox/orders", "/_sandbox/orders/seq502551/advance", "/_sandbox/clock", "/_sandbox/faults", "/_sandbox/accounts", "/_sandbox/orders/bulk"}
	seeds := []struct {
		route uint8
		body  string
	}{
		{0, `{"items":[{"id":"SKU-1","name":"Camiseta","price":4990,"quantity":2}]}`},
		{0, `{"account":"demostore","channel":"b2w","shipping":"correios","status":"handling","items":[{"id":"A","name":"A","price":1,"quantity":1}]}`},
		{0, `{"items":[{"id":"A","name":"A","price":1,"quantity":1}],"customer":{"document":"00000000000"}}`},
		{1, `{"to":"ready-for-handling"}`},
		{2, `{"advance":"90s"}`},
		{2, `{"set":"2099-01-01T00:00:00Z"}`},
		{3, `{"path":"/api/*","status":429,"times":1}`},
		{4, `{"name":"fuzz-1"}`},
		{5, `{"count":2,"order":{"channel":"b2w","items":[{"id":"SKU-1","name":"Camiseta","price":4990,"quantity":2}]}}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.body)
	}
	sb := newSandbox(f)
	h := sb.Handler()
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		target := routes[int(route)%len(routes)]
		state := func() string {
			return fmt.Sprintf("accounts %v, clock %s, faults %d\n%s", sb.OMS.Accounts(), sb.Clock.Now(),
				len(sb.Faults.List()), fingerprint(t, sb, "demostore"))
		}
		before := state()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			if after := state(); after != before {
				t.Fatalf("refused POST %s %q (%d) changed the sandbox:\n%s\n->\n%s", target, body, rec.Code, before, after)
			}
		}
		// Keep the sandbox usable: no fault rule outlives its input.
		sb.Faults.Clear("")
	})
}

// FuzzInvoiceAndChanges sends arbitrary bodies to the invoice, changes,
// tracking and cancel calls of one order in handling: never a 5xx, every
// error in VTEX's shape, and a refused call leaves the order as it was.
func FuzzInvoiceAndChanges(f *testing.F) {
	calls := []struct{ method, suffix string }{
		{"POST", "/invoice"}, {"POST", "/changes"}, {"PATCH", "/invoice/NF-1"},
		{"PUT", "/invoice/NF-1/tracking"}, {"POST", "/cancel"},
	}
	seeds := []struct {
		call uint8
		body string
	}{
		{0, fullInvoice},
		{0, `{"type":"Output","issuanceDate":"2026-03-10","invoiceNumber":"NF-1","invoiceValue":"9980","items":[{"id":"CAM","price":"4990","quantity":2}]}`},
		{0, `{"type":"Input","issuanceDate":"2026-03-10","invoiceNumber":"R","invoiceValue":1,"items":[{"id":"CAM","price":1,"quantity":1}]}`},
		{1, `{"requestId":"r1","reason":"x","discountValue":100,"incrementValue":0,"itemsRemoved":[{"id":"TEN","price":29990,"quantity":1}]}`},
		{1, `{"requestId":"r2","reason":"x","discountValue":0,"incrementValue":5,"itemsAdded":[{"id":"NEW","price":1,"quantity":1}]}`},
		{2, `{"trackingNumber":"BR1"}`},
		{3, `{"isDelivered":true,"deliveredDate":"2026-03-12 14:30","events":[]}`},
		{4, `{"reason":"x"}`},
	}
	for _, s := range seeds {
		f.Add(s.call, s.body)
	}
	sb := newSandbox(f)
	h := sb.Handler()
	f.Fuzz(func(t *testing.T, call uint8, body string) {
		id := handlingOrder(t, sb)
		c := calls[int(call)%len(calls)]
		before := do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).body
		r := do(t, h, c.method, "/api/oms/pvt/orders/"+id+c.suffix, body, demoAuth...)
		if r.status >= 500 {
			t.Fatalf("%s %s %q: %d %s", c.method, c.suffix, body, r.status, r.body)
		}
		if r.status >= 400 {
			r.vtexError(t)
			if after := do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).body; string(after) != string(before) {
				t.Fatalf("refused %s %s %q changed the order", c.method, c.suffix, body)
			}
		}
	})
}
