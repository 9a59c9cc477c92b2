package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

const workflowConfig = `{"filter":{"type":"FromWorkflow","status":["ready-for-handling","handling"]},
	"queue":{"visibilityTimeoutInSeconds":250,"messageRetentionPeriodInSeconds":345600}}`

func TestFeedThroughTheAPI(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	if r := do(t, h, "GET", "/api/orders/feed?maxlot=10", "", demoAuth...); r.status != 404 {
		t.Fatalf("feed without config: %d %s", r.status, r.body)
	} else if code, _ := r.vtexError(t); code != "FEED404" {
		t.Fatalf("code %s", code)
	}
	if r := do(t, h, "POST", "/api/orders/feed/config", workflowConfig, demoAuth...); r.status != 200 {
		t.Fatalf("save config: %d %s", r.status, r.body)
	}
	acct, _ := sb.OMS.Account("demostore")
	id, _ := acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 100, Quantity: 1}}})

	r := do(t, h, "GET", "/api/orders/feed?maxlot=10", "", demoAuth...)
	var lot []feed.Item
	r.json(t, &lot)
	if r.status != 200 || len(lot) != 1 || lot[0].OrderID != id || lot[0].State != "ready-for-handling" {
		t.Fatalf("lot: %d %s", r.status, r.body)
	}
	var view feed.View
	do(t, h, "GET", "/api/orders/feed/config", "", demoAuth...).json(t, &view)
	if view.Quantity != 1 || view.Queue.MessageRetentionPeriodInSeconds != 345600 || view.Filter.Type != "FromWorkflow" {
		t.Fatalf("config view: %+v", view)
	}
	if r := do(t, h, "POST", "/api/orders/feed", `{"handles":["`+lot[0].Handle+`"]}`, demoAuth...); r.status != 200 {
		t.Fatalf("commit: %d %s", r.status, r.body)
	}
	do(t, h, "GET", "/api/orders/feed/config", "", demoAuth...).json(t, &view)
	if view.Quantity != 0 {
		t.Fatalf("quantity after commit: %d", view.Quantity)
	}
	// Another app key of the same account has a feed of its own.
	other := []string{"X-VTEX-API-AppKey: vtexappkey-demostore-second", "X-VTEX-API-AppToken: second-token", "Content-Type: application/json"}
	if r := do(t, h, "GET", "/api/orders/feed?maxlot=1", "", other...); r.status != 404 {
		t.Fatalf("second app key sees the first's feed: %d", r.status)
	}
	if r := do(t, h, "DELETE", "/api/orders/feed/config", "", demoAuth...); r.status != 200 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := do(t, h, "DELETE", "/api/orders/feed/config", "", demoAuth...); r.status != 404 {
		t.Fatalf("second delete: %d", r.status)
	}
}

func TestFeedRefusals(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	do(t, h, "POST", "/api/orders/feed/config", workflowConfig, demoAuth...)
	tests := []struct {
		method, path, body string
		status             int
		mentions           string
	}{
		{"GET", "/api/orders/feed?maxlot=11", "", 400, `"maxlot"`},
		{"GET", "/api/orders/feed?maxlot=0", "", 400, `"maxlot"`},
		{"GET", "/api/orders/feed", "", 400, `"maxlot"`},
		{"POST", "/api/orders/feed", `{"handle":["x"]}`, 400, "handles"},
		{"POST", "/api/orders/feed/config", `{"filter":{"type":"FromWorkflow","status":["invoiced"],"expression":"true"},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":345600}}`, 409, "FromWorkflow"},
		{"POST", "/api/orders/feed/config", `{"filter":{"type":"FromOrders","status":["invoiced"],"expression":"true"},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":345600}}`, 409, "FromOrders"},
		{"POST", "/api/orders/feed/config", `{"filter":{"type":"FromOrders","expression":"status = "},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":345600}}`, 400, "filter.expression"},
		{"POST", "/api/orders/feed/config", `{"filter":{"type":"FromWorkflow"},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":60}}`, 400, "MessageRetentionPeriodInSeconds"},
		{"POST", "/api/orders/feed/config", `{"filter":{"type":"FromWorkflow"},"queue":{"visibilityTimeoutInSeconds":1}}`, 400, "MessageRetentionPeriodInSeconds is required"},
		{"POST", "/api/orders/hook/config", `{"filter":{"type":"FromWorkflow"},"hook":{"url":"not a url","headers":{}}}`, 400, "hook.url"},
		{"GET", "/api/orders/hook/config", "", 404, "Hook not found"},
	}
	for _, tt := range tests {
		r := do(t, h, tt.method, tt.path, tt.body, demoAuth...)
		if r.status != tt.status {
			t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, r.status, tt.status, r.body)
			continue
		}
		if _, msg := r.vtexError(t); !strings.Contains(msg, tt.mentions) {
			t.Errorf("%s %s: %q does not mention %q", tt.method, tt.path, msg, tt.mentions)
		}
	}
	// The refused configurations left the saved one alone.
	var view feed.View
	do(t, h, "GET", "/api/orders/feed/config", "", demoAuth...).json(t, &view)
	if len(view.Filter.Status) != 2 || view.Queue.VisibilityTimeoutInSeconds != 250 {
		t.Fatalf("config after refusals: %+v", view)
	}
}

func TestFeedFaultModesFromTheControlPlane(t *testing.T) {
	s := startSandbox(t)
	auth := func(req *http.Request) *http.Request {
		req.Header.Set("X-VTEX-API-AppKey", s.AppKey)
		req.Header.Set("X-VTEX-API-AppToken", s.AppToken)
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	req, _ := http.NewRequest("POST", s.URL+"/api/orders/feed/config", strings.NewReader(workflowConfig))
	send(t, auth(req))
	acct, _ := s.OMS.Account("demostore")
	id, _ := acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "A", Name: "A", Price: 100, Quantity: 1}}})
	acct.Fire(id, oms.ActionStartHandling, oms.BySeller)

	read := func() []feed.Item {
		req, _ := http.NewRequest("GET", s.URL+"/api/orders/feed?maxlot=10", nil)
		resp, err := http.DefaultClient.Do(auth(req))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var lot []feed.Item
		if err := json.NewDecoder(resp.Body).Decode(&lot); err != nil {
			t.Fatal(err)
		}
		return lot
	}
	if _, err := s.Client.AddFault(ctx, faults.Rule{Feed: "reorder", Times: 1}); err != nil {
		t.Fatal(err)
	}
	if lot := read(); len(lot) != 2 || lot[0].State != "handling" {
		t.Fatalf("reordered lot: %+v", lot)
	}
	s.Client.AdvanceClock(ctx, 250*time.Second)
	if _, err := s.Client.AddFault(ctx, faults.Rule{Feed: "duplicate", Times: 1}); err != nil {
		t.Fatal(err)
	}
	if lot := read(); len(lot) != 4 || lot[0].EventID != lot[2].EventID {
		t.Fatalf("duplicated lot: %+v", lot)
	}
	_, err := s.Client.AddFault(ctx, faults.Rule{Feed: "shuffle"})
	wantError(t, err, 400, `"feed"`)
	entries, _ := s.Client.Journal(ctx, client.JournalFilter{Path: "/api/orders/feed", Method: "GET"})
	if len(entries) != 2 || entries[0].Fault == "" || entries[1].Fault == "" {
		t.Fatalf("journal does not name the feed faults: %+v", entries)
	}
}

// hookEndpoint records notifications, answering 200.
type hookEndpoint struct {
	mu     sync.Mutex
	bodies []string
}

func (e *hookEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.bodies = append(e.bodies, string(b))
	e.mu.Unlock()
}

func (e *hookEndpoint) notifications() []hook.Notification {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []hook.Notification
	for _, b := range e.bodies {
		var n hook.Notification
		if json.Unmarshal([]byte(b), &n) == nil && n.OrderID != "" {
			out = append(out, n)
		}
	}
	return out
}

func TestHookThroughTheAPI(t *testing.T) {
	s := startSandbox(t)
	endpoint := &hookEndpoint{}
	srv := httptest.NewServer(endpoint)
	defer srv.Close()
	cfg := `{"filter":{"type":"FromWorkflow","status":["ready-for-handling"]},"hook":{"url":"` + srv.URL + `/hook","headers":{"X-Token":"t"}}}`
	req, _ := http.NewRequest("POST", s.URL+"/api/orders/hook/config", strings.NewReader(cfg))
	req.Header.Set("X-VTEX-API-AppKey", s.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", s.AppToken)
	req.Header.Set("Content-Type", "application/json")
	if resp := send(t, req); resp.StatusCode != 200 {
		t.Fatalf("save hook: %d", resp.StatusCode)
	}
	o, err := s.Client.CreateOrder(ctx, camiseta(""))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a hook notification", func() bool { return len(endpoint.notifications()) > 0 })
	n := endpoint.notifications()[0]
	if n.OrderID != o.OrderID || n.State != "ready-for-handling" || n.Origin.Key != s.AppKey || n.Origin.Account != "demostore" {
		t.Fatalf("notification %+v", n)
	}
	var entries []journal.Entry
	eventually(t, "the delivery in the journal", func() bool {
		entries, _ = s.Client.Journal(ctx, client.JournalFilter{API: "hook"})
		return len(entries) >= 2
	})
	if entries[0].RequestBody != `{"hookConfig":"ping"}` || entries[0].Path != "/hook" {
		t.Fatalf("hook journal: %+v", entries)
	}
	eventually(t, "a hook.delivered event", func() bool {
		evs, _ := s.Client.Events(ctx, client.EventFilter{Type: hook.Delivered})
		return len(evs) > 0
	})
}

var _ = sandbox.Start
