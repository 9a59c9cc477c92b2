package sandbox_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/oms"
)

type eventsEvent = events.Event

func TestGetOrder(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := orderIn(t, sb, oms.StatusReadyForHandling)
	var seq string
	acct, _ := sb.OMS.Account("demostore")
	_ = acct.Read(id, func(o *oms.Order) error { seq = o.Sequence; return nil })
	other, _ := sb.OMS.Account("otherstore")
	otherID, err := other.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "X", Name: "X", Price: 100, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path string
		status     int
		code       string
	}{
		{"by id", "/api/oms/pvt/orders/" + id, 200, ""},
		{"by sequence", "/api/oms/pvt/orders/seq" + seq, 200, ""},
		{"unknown id", "/api/oms/pvt/orders/1111111111111-01", 404, "OMS007"},
		{"unknown sequence", "/api/oms/pvt/orders/seq1", 404, "OMS007"},
		{"another account's order", "/api/oms/pvt/orders/" + otherID, 404, "OMS007"},
		{"another account's order by an", "/api/oms/pvt/orders/" + id + "?an=otherstore", 403, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, h, "GET", tt.path, "", demoAuth...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				if code, _ := r.vtexError(t); code != tt.code {
					t.Fatalf("code %q, want %q", code, tt.code)
				}
				return
			}
			var o oms.Order
			r.json(t, &o)
			if o.OrderID != id || o.Status != oms.StatusReadyForHandling || o.ClientProfileData.Document == "" ||
				len(o.Items) == 0 || len(o.ShippingData.LogisticsInfo) != len(o.Items) || o.Value <= 0 {
				t.Fatalf("order document incomplete: %s", r.body[:300])
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := orderIn(t, sb, oms.StatusReadyForHandling)
	path := "/api/oms/pvt/orders/" + id
	tests := []struct {
		name    string
		target  string
		host    string
		headers []string
		status  int
		code    string
	}{
		{"app key and token", path, "", demoAuth, 200, ""},
		{"header names in lower case", path, "", []string{"x-vtex-api-appkey: " + demoKey, "x-vtex-api-apptoken: " + demoToken}, 200, ""},
		{"user token header", path, "", []string{"VtexIdclientAutCookie: " + demoUser}, 200, ""},
		{"user token cookie", path, "", []string{"Cookie: VtexIdclientAutCookie=" + demoUser}, 200, ""},
		{"no credentials", path, "", nil, 401, "1"},
		{"key without token", path, "", []string{"X-VTEX-API-AppKey: " + demoKey}, 401, "1"},
		{"wrong token", path, "", []string{"X-VTEX-API-AppKey: " + demoKey, "X-VTEX-API-AppToken: nope"}, 403, "2"},
		{"another account's key", path, "", []string{"X-VTEX-API-AppKey: vtexappkey-otherstore", "X-VTEX-API-AppToken: other-token"}, 403, "2"},
		{"wrong user token", path, "", []string{"VtexIdclientAutCookie: nope"}, 403, "2"},
		{"account from Host", path, "demostore.vtexcommercestable.com.br", demoAuth, 200, ""},
		{"account from myvtex workspace Host", path, "main--demostore.myvtex.com", demoAuth, 200, ""},
		{"account from localhost Host with port", path, "demostore.localhost:8080", demoAuth, 200, ""},
		{"other account from Host", path, "otherstore.localhost", demoAuth, 403, "2"},
		{"an wins over Host", path + "?an=demostore", "otherstore.localhost", demoAuth, 200, ""},
		{"unknown account", path + "?an=nosuchstore", "", demoAuth, 404, "OMS010"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.headers
			if tt.host != "" {
				req = append(append([]string(nil), req...), "Host: "+tt.host)
			}
			r := doHost(t, h, tt.target, tt.host, req...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				code, msg := r.vtexError(t)
				if code != tt.code {
					t.Fatalf("code %q (%s), want %q", code, msg, tt.code)
				}
			}
		})
	}
}

func doHost(t *testing.T, h http.Handler, target, host string, headers ...string) response {
	t.Helper()
	var hs []string
	for _, v := range headers {
		if !strings.HasPrefix(v, "Host: ") {
			hs = append(hs, v)
		}
	}
	if host == "" {
		return do(t, h, "GET", target, "", hs...)
	}
	return do(t, h, "GET", "http://"+host+target, "", hs...)
}

func TestStartHandling(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	var events []string
	sb.Events.Subscribe(func(e eventsEvent) { events = append(events, e.From+">"+e.To) })

	id := orderIn(t, sb, oms.StatusReadyForHandling)
	r := do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/start-handling", "", demoAuth...)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("start-handling: %d %s", r.status, r.body)
	}
	if diff := cmp.Diff([]string{"ready-for-handling>start-handling", "start-handling>handling"}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var o oms.Order
	do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).json(t, &o)
	if o.Status != oms.StatusHandling || o.StatusDescription != "Preparando Entrega" {
		t.Fatalf("after start-handling: %s %q", o.Status, o.StatusDescription)
	}

	// Every other status refuses with VTEX's OMS003, and nothing changes.
	for _, st := range []oms.Status{oms.StatusHandling, oms.StatusPaymentPending, oms.StatusWindowToCancel, oms.StatusCanceled} {
		t.Run(string(st), func(t *testing.T) {
			id := orderIn(t, sb, st)
			before := do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).body
			events = nil
			r := do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/start-handling", "", demoAuth...)
			if r.status != http.StatusConflict {
				t.Fatalf("status %d, want 409: %s", r.status, r.body)
			}
			code, msg := r.vtexError(t)
			if code != "OMS003" || msg != "Order status should be ready-for-handling to perform this action" {
				t.Fatalf("error %s %q", code, msg)
			}
			if got := r.header.Get("X-Omsbox-Detail"); got != fmt.Sprintf("order %s is %s", id, st) {
				t.Errorf("detail header %q", got)
			}
			after := do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).body
			if string(before) != string(after) || len(events) != 0 {
				t.Fatalf("refused start-handling changed the order or emitted %v", events)
			}
		})
	}
	r = do(t, h, "POST", "/api/oms/pvt/orders/1111111111111-01/start-handling", "", demoAuth...)
	if code, _ := r.vtexError(t); r.status != 404 || code != "OMS007" {
		t.Fatalf("unknown order: %d %s", r.status, r.body)
	}
}

func TestListOrders(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	acct, _ := sb.OMS.Account("demostore")
	for i := range 20 {
		if _, err := acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "SKU", Name: "Meia", Price: 990, Quantity: i + 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	total := acct.Len()
	list := func(query string) oms.OrderList {
		t.Helper()
		r := do(t, h, "GET", "/api/oms/pvt/orders"+query, "", demoAuth...)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		var l oms.OrderList
		r.json(t, &l)
		return l
	}

	l := list("")
	if len(l.List) != 15 || l.Paging != (oms.Paging{Total: total, Pages: (total + 14) / 15, CurrentPage: 1, PerPage: 15}) {
		t.Errorf("default page: %d entries, %+v", len(l.List), l.Paging)
	}
	if l.Stats.Stats.TotalValue.Count != int64(total) {
		t.Errorf("stats count %d, want %d", l.Stats.Stats.TotalValue.Count, total)
	}
	if l = list("?per_page=100&page=1"); len(l.List) != total {
		t.Errorf("per_page=100: %d entries", len(l.List))
	}
	l = list("?f_status=handling,canceled&per_page=100")
	for _, s := range l.List {
		if s.Status != oms.StatusHandling && s.Status != oms.StatusCanceled {
			t.Errorf("f_status let %s through", s.Status)
		}
	}
	if len(l.List) != 2 {
		t.Errorf("f_status=handling,canceled: %d entries, want 2", len(l.List))
	}
	if l = list("?q=ana.souza@EXAMPLE.com.br"); len(l.List) != 1 || l.List[0].ClientName != "Ana Souza" {
		t.Errorf("q by e-mail: %+v", l.List)
	}
	if l = list("?q=52998224725"); len(l.List) != 1 {
		t.Errorf("q by CPF: %d entries", len(l.List))
	}
	l = list("?orderBy=totalValue,asc&per_page=100")
	for i := 1; i < len(l.List); i++ {
		if l.List[i].TotalValue < l.List[i-1].TotalValue {
			t.Fatalf("orderBy=totalValue,asc not sorted at %d", i)
		}
	}
	from := testStart.Add(-100 * 60e9).Format("2006-01-02T15:04:05.000Z")
	to := testStart.Add(-30 * 60e9).Format("2006-01-02T15:04:05.000Z")
	l = list("?per_page=100&f_creationDate=creationDate:%5B" + from + "%20TO%20" + to + "%5D")
	if len(l.List) != 2 { // the seeded orders of 95 and 40 minutes ago
		t.Errorf("f_creationDate: %d entries, want 2", len(l.List))
	}

	bad := []struct{ query, names string }{
		{"?per_page=101", `"per_page"`},
		{"?per_page=0", `"per_page"`},
		{"?page=31", `"page"`},
		{"?page=abc", `"page"`},
		{"?orderBy=price,asc", `"orderBy"`},
		{"?f_creationDate=yesterday", `"f_creationDate"`},
		{"?f_creationDate=creationDate:%5B2026-01-02T00:00:00Z%20TO%202026-01-01T00:00:00Z%5D", "end is before the start"},
		{"?f_hasInputInvoice=maybe", `"f_hasInputInvoice"`},
	}
	for _, b := range bad {
		r := do(t, h, "GET", "/api/oms/pvt/orders"+b.query, "", demoAuth...)
		if r.status != 400 {
			t.Errorf("%s: status %d, want 400", b.query, r.status)
			continue
		}
		if code, msg := r.vtexError(t); code != "OMS001" || !strings.Contains(msg, b.names) {
			t.Errorf("%s: %s %q does not name %s", b.query, code, msg, b.names)
		}
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	h := newSandbox(t).Handler()
	r := do(t, h, "GET", "/api/oms/pvt/nothing", "", demoAuth...)
	if code, _ := r.vtexError(t); r.status != 404 || code != "OMS404" {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
	r = do(t, h, "DELETE", "/api/oms/pvt/orders/1111111111111-01", "", demoAuth...)
	if r.status != 405 {
		t.Errorf("DELETE order: %d %s", r.status, r.body)
	}
	r.vtexError(t)
	r = do(t, h, "GET", "/_sandbox/health", "")
	var health struct {
		Status   string   `json:"status"`
		Accounts []string `json:"accounts"`
	}
	r.json(t, &health)
	if r.status != 200 || health.Status != "ok" || !cmp.Equal(health.Accounts, []string{"demostore", "otherstore"}) {
		t.Errorf("health: %d %s", r.status, r.body)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id on the response")
	}
}
