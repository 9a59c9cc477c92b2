package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/oms"
)

var ctx = context.Background()

func startSandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	return sandbox.Start(t, append([]sandbox.Option{sandbox.WithClock(clock.Frozen(testStart)), sandbox.WithConfig(testConfig()),
		sandbox.WithHookOptions(hook.Options{Client: loopbackOnly})}, opts...)...)
}

func camiseta(account string) client.NewOrder {
	return client.NewOrder{Account: account, NewOrder: oms.NewOrder{
		Items: []oms.NewItem{{ID: "SKU-1", Name: "Camiseta", Price: 4990, Quantity: 2}}}}
}

// vtexGet calls the VTEX API as the account's ERP would.
func vtexGet(t *testing.T, s *sandbox.Server, account, key, token, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path+"?an="+account, nil)
	req.Header.Set("X-VTEX-API-AppKey", key)
	req.Header.Set("X-VTEX-API-AppToken", token)
	return send(t, req)
}

// send does a request and reads the whole answer, as clients do: the
// journal records a request once its answer is complete.
func send(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// wantError checks a control-plane refusal's status and that its message
// names what is wrong.
func wantError(t *testing.T, err error, status int, mentions string) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Status != status || !strings.Contains(e.Message, mentions) {
		t.Fatalf("error = %v, want %d mentioning %q", err, status, mentions)
	}
}

func TestCreateOrderWalksEveryIntermediateStatus(t *testing.T) {
	s := startSandbox(t)
	since := lastEventSeq(t, s)
	o, err := s.Client.CreateOrder(ctx, camiseta("demostore"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != oms.StatusReadyForHandling || o.Value != 2*4990+1590 || o.ClientProfileData.Document == "" {
		t.Fatalf("created order: %s value %d", o.Status, o.Value)
	}
	evs, err := s.Client.Events(ctx, client.EventFilter{OrderID: o.OrderID, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.To)
	}
	want := []string{"order-created", "on-order-completed", "waiting-for-authorization", "payment-pending",
		"payment-approved", "window-to-cancel", "ready-for-handling"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events of the new order (-want +got):\n%s", diff)
	}
	// The order is readable through the VTEX API at once.
	if resp := vtexGet(t, s, "demostore", s.AppKey, s.AppToken, "/api/oms/pvt/orders/"+o.OrderID); resp.StatusCode != 200 {
		t.Fatalf("VTEX get order: %d", resp.StatusCode)
	}
}

func lastEventSeq(t *testing.T, s *sandbox.Server) int64 {
	t.Helper()
	evs, err := s.Client.Events(ctx, client.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func TestCreateOrderRefusesBadInput(t *testing.T) {
	s := startSandbox(t)
	n := camiseta("")
	n.Items[0].Quantity = 0
	_, err := s.Client.CreateOrder(ctx, n)
	wantError(t, err, 400, `items/0/quantity`)

	_, err = s.Client.CreateOrder(ctx, camiseta("nosuchstore"))
	wantError(t, err, 404, `account "nosuchstore" not found`)

	n = camiseta("")
	n.Status = "invoiced"
	_, err = s.Client.CreateOrder(ctx, n)
	wantError(t, err, 400, "output invoices total 0")

	n = camiseta("")
	n.Channel, n.Shipping = "vtex", "direct"
	_, err = s.Client.CreateOrder(ctx, n)
	wantError(t, err, 400, `shipping "direct" is for b2w orders only`)

	wantBadRequests(t, s.URL+"/_sandbox/orders",
		`{`, `{"items":[{"id":"A","name":"A","price":1,"quantity":1}],"colour":"red"}`, `[]`)
	acct, _ := s.OMS.Account("demostore")
	if acct.Len() != 8 {
		t.Errorf("refused orders left %d orders, want the 8 seeded", acct.Len())
	}
}

func TestAdvanceOrder(t *testing.T) {
	s := startSandbox(t)
	n := camiseta("")
	n.Status = oms.StatusPaymentPending
	o, err := s.Client.CreateOrder(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.Advance(ctx, o.OrderID, oms.StatusHandling); err == nil {
		t.Fatal("the platform started handling")
	} else {
		wantError(t, err, 409, "cannot move an order from payment-pending to handling")
	}
	_, err = s.Client.Advance(ctx, o.OrderID, "shipped")
	wantError(t, err, 400, `"shipped" is not a VTEX order status`)
	_, err = s.Client.Advance(ctx, "1111111111111-01", oms.StatusReadyForHandling)
	wantError(t, err, 404, "not found in any account")
	got, err := s.Client.Advance(ctx, o.OrderID, oms.StatusReadyForHandling)
	if err != nil || got.Status != oms.StatusReadyForHandling {
		t.Fatalf("advance: %v %v", got.Status, err)
	}
}

func TestControlPlaneReadsJSONWhateverTheContentType(t *testing.T) {
	s := startSandbox(t)
	// curl -d sends application/x-www-form-urlencoded.
	resp, err := http.Post(s.URL+"/_sandbox/clock", "application/x-www-form-urlencoded", strings.NewReader(`{"advance":"1m"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("clock with a form content type: %d", resp.StatusCode)
	}
}

func TestClock(t *testing.T) {
	s := startSandbox(t)
	st, err := s.Client.Clock(ctx)
	if err != nil || !st.Now.Equal(testStart) || !st.Frozen {
		t.Fatalf("clock: %+v %v", st, err)
	}
	if st, err = s.Client.AdvanceClock(ctx, 90*time.Second); err != nil || !st.Now.Equal(testStart.Add(90*time.Second)) {
		t.Fatalf("advance: %+v %v", st, err)
	}
	later := testStart.Add(24 * time.Hour)
	if st, err = s.Client.SetClock(ctx, later); err != nil || !st.Now.Equal(later) {
		t.Fatalf("set: %+v %v", st, err)
	}
	_, err = s.Client.SetClock(ctx, testStart)
	wantError(t, err, 409, "never goes backwards")
	_, err = s.Client.AdvanceClock(ctx, -time.Second)
	wantError(t, err, 409, "never goes backwards")
	wantBadRequests(t, s.URL+"/_sandbox/clock",
		`{}`, `{"advance":"soon"}`, `{"set":"tomorrow"}`, `{"advance":"1s","set":"2030-01-01T00:00:00Z"}`)
}

// wantBadRequests posts each body to url and expects a 400 for each.
func wantBadRequests(t *testing.T, url string, bodies ...string) {
	t.Helper()
	for _, body := range bodies {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("POST %s %s: %d, want 400", url, body, resp.StatusCode)
		}
	}
}

func TestPlatformTimersThroughTheControlPlane(t *testing.T) {
	cfg := testConfig()
	cfg.Platform = config.Platform{PaymentApproval: clock.Duration{Duration: time.Minute},
		WindowToCancel: clock.Duration{Duration: 30 * time.Minute}}
	s := startSandbox(t, sandbox.WithConfig(cfg))
	o, err := s.Client.CreateOrder(ctx, camiseta(""))
	if err != nil || o.Status != oms.StatusPaymentPending {
		t.Fatalf("with timers the new order waits for payment: %v %v", o.Status, err)
	}
	status := func() oms.Status {
		acct, _ := s.OMS.Account("demostore")
		var st oms.Status
		_ = acct.Read(o.OrderID, func(o *oms.Order) error { st = o.Status; return nil })
		return st
	}
	_, _ = s.Client.AdvanceClock(ctx, time.Minute)
	if got := status(); got != oms.StatusWindowToCancel {
		t.Fatalf("after the approval delay: %s", got)
	}
	_, _ = s.Client.AdvanceClock(ctx, 30*time.Minute)
	if got := status(); got != oms.StatusReadyForHandling {
		t.Fatalf("after the window to cancel: %s", got)
	}
}

func TestFaultsAnswerThenLetThrough(t *testing.T) {
	s := startSandbox(t)
	id := orderIn(t, s.Sandbox, oms.StatusReadyForHandling)
	rule, err := s.Client.AddFault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/oms/pvt/orders/*", Status: 429, Times: 2})
	if err != nil || rule.ID == "" || rule.Remaining == nil || *rule.Remaining != 2 {
		t.Fatalf("add fault: %+v %v", rule, err)
	}
	var statuses []int
	for range 3 {
		req, _ := http.NewRequest("GET", s.URL+"/api/oms/pvt/orders/"+id, nil)
		req.Header.Set("X-VTEX-API-AppKey", s.AppKey)
		req.Header.Set("X-VTEX-API-AppToken", s.AppToken)
		resp := send(t, req)
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "60" {
			t.Errorf("429 without Retry-After: 60 (%q)", resp.Header.Get("Retry-After"))
		}
	}
	if diff := cmp.Diff([]int{429, 429, 200}, statuses); diff != "" {
		t.Fatalf("statuses (-want +got):\n%s", diff)
	}
	// The control plane is never faulted, and the rule is gone once used.
	if fs, err := s.Client.Faults(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("faults after use: %+v %v", fs, err)
	}
	entries, err := s.Client.Journal(ctx, client.JournalFilter{Path: "/api/oms/pvt/orders/" + id})
	if err != nil || len(entries) != 3 {
		t.Fatalf("journal: %d entries, %v", len(entries), err)
	}
	if entries[0].Fault != rule.ID || entries[0].Status != 429 || !strings.Contains(entries[0].ResponseBody, `"code":"429"`) || entries[2].Fault != "" {
		t.Errorf("journal does not show the faulted answers: %+v", entries)
	}

	// Validation of rules.
	_, err = s.Client.AddFault(ctx, faults.Rule{Path: "/x"})
	wantError(t, err, 400, "needs a status, a latencyMs, a feed mode")
	_, err = s.Client.AddFault(ctx, faults.Rule{Status: 200})
	wantError(t, err, 400, "status")
	_, err = s.Client.AddFault(ctx, faults.Rule{Status: 500, Path: "no-slash"})
	wantError(t, err, 400, "path")
	wantError(t, s.Client.DeleteFault(ctx, "fault-99"), 404, "fault-99")
	_, err = s.Client.Fault(ctx, "fault-99")
	wantError(t, err, 404, "fault-99")
}

func TestFaultsOnOneAccountSpareTheOthers(t *testing.T) {
	s := startSandbox(t)
	other, _ := s.OMS.Account("otherstore")
	otherID, _ := other.Create(camiseta("").NewOrder)
	if _, err := s.Client.AddFault(ctx, faults.Rule{Account: "demostore", Status: 503}); err != nil {
		t.Fatal(err)
	}
	if resp := vtexGet(t, s, "otherstore", "vtexappkey-otherstore", "other-token", "/api/oms/pvt/orders/"+otherID); resp.StatusCode != 200 {
		t.Fatalf("otherstore hit by demostore's fault: %d", resp.StatusCode)
	}
	if resp := vtexGet(t, s, "demostore", s.AppKey, s.AppToken, "/api/oms/pvt/orders"); resp.StatusCode != 503 {
		t.Fatalf("demostore not faulted: %d", resp.StatusCode)
	}
	if h, err := s.Client.Health(ctx); err != nil || h.Status != "ok" {
		t.Fatalf("control plane faulted: %v", err)
	}
	if err := s.Client.ClearFaults(ctx, ""); err != nil {
		t.Fatal(err)
	}
}

func TestAccountsJournalsAndEventsNeverMix(t *testing.T) {
	s := startSandbox(t)
	var created [2]client.Account
	for i, name := range []string{"suite-a", "suite-b"} {
		a, err := s.Client.CreateAccount(ctx, client.Account{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if a.AppKey != "vtexappkey-"+name+"-sandbox" || a.AppToken != "sandbox-token-"+name {
			t.Fatalf("default credentials: %+v", a)
		}
		created[i] = a
	}
	_, err := s.Client.CreateAccount(ctx, client.Account{Name: "suite-a"})
	wantError(t, err, 409, "exists already")
	_, err = s.Client.CreateAccount(ctx, client.Account{Name: "Suite A"})
	wantError(t, err, 400, "name")
	_, err = s.Client.CreateAccount(ctx, client.Account{Name: "suite-c", Seed: "nosuchseed"})
	wantError(t, err, 400, "nosuchseed")

	ids := map[string]string{}
	for _, a := range created {
		o, err := s.Client.CreateOrder(ctx, camiseta(a.Name))
		if err != nil {
			t.Fatal(err)
		}
		ids[a.Name] = o.OrderID
		if resp := vtexGet(t, s, a.Name, a.AppKey, a.AppToken, "/api/oms/pvt/orders/"+o.OrderID); resp.StatusCode != 200 {
			t.Fatalf("%s reads its order: %d", a.Name, resp.StatusCode)
		}
	}
	// suite-a's credentials cannot read suite-b, nor suite-a's id within suite-b.
	a, b := created[0], created[1]
	if resp := vtexGet(t, s, b.Name, a.AppKey, a.AppToken, "/api/oms/pvt/orders/"+ids[b.Name]); resp.StatusCode != 403 {
		t.Fatalf("suite-a's key on suite-b: %d", resp.StatusCode)
	}
	if resp := vtexGet(t, s, b.Name, b.AppKey, b.AppToken, "/api/oms/pvt/orders/"+ids[a.Name]); resp.StatusCode != 404 {
		t.Fatalf("suite-a's order seen in suite-b: %d", resp.StatusCode)
	}
	// The journal files a request under the account it proved it may use:
	// suite-a made one call on itself, suite-b two; suite-a's key on
	// suite-b was refused and belongs to no account.
	for acct, want := range map[client.Account]int{a: 1, b: 2} {
		entries, err := s.Client.Journal(ctx, client.JournalFilter{Account: acct.Name})
		if err != nil || len(entries) != want {
			t.Fatalf("%s journal: %d entries, %v", acct.Name, len(entries), err)
		}
		for _, e := range entries {
			if e.Account != acct.Name {
				t.Errorf("%s journal holds %s's entry", acct.Name, e.Account)
			}
		}
		evs, err := s.Client.Events(ctx, client.EventFilter{Account: acct.Name})
		if err != nil || len(evs) != 7 {
			t.Fatalf("%s events: %d, %v", acct.Name, len(evs), err)
		}
		for _, e := range evs {
			if e.Account != acct.Name || e.OrderID != ids[acct.Name] {
				t.Errorf("%s events hold %s/%s", acct.Name, e.Account, e.OrderID)
			}
		}
	}
	// Control-plane calls are never journaled.
	if entries, _ := s.Client.Journal(ctx, client.JournalFilter{Path: "/_sandbox/**"}); len(entries) != 0 {
		t.Errorf("control plane journaled: %+v", entries)
	}
	// Resetting one account leaves the other alone.
	if err := s.Client.Reset(ctx, a.Name); err != nil {
		t.Fatal(err)
	}
	if entries, _ := s.Client.Journal(ctx, client.JournalFilter{Account: a.Name}); len(entries) != 0 {
		t.Errorf("reset left %d journal entries", len(entries))
	}
	if entries, _ := s.Client.Journal(ctx, client.JournalFilter{Account: b.Name}); len(entries) != 2 {
		t.Errorf("resetting suite-a touched suite-b's journal: %d", len(entries))
	}
	wantError(t, s.Client.Reset(ctx, "nosuchstore"), 404, "nosuchstore")
}

func TestResetAllReturnsToTheSeed(t *testing.T) {
	s := startSandbox(t)
	before, _ := s.Client.Events(ctx, client.EventFilter{Account: "demostore"})
	if _, err := s.Client.CreateOrder(ctx, camiseta("")); err != nil {
		t.Fatal(err)
	}
	if err := s.Client.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	acct, _ := s.OMS.Account("demostore")
	if acct.Len() != 8 {
		t.Fatalf("%d orders after reset, want the 8 seeded", acct.Len())
	}
	after, _ := s.Client.Events(ctx, client.EventFilter{Account: "demostore"})
	strip := func(evs []events.Event) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.OrderID+":"+e.To)
		}
		return out
	}
	if diff := cmp.Diff(strip(before), strip(after)); diff != "" {
		t.Fatalf("seed events differ after reset (-before +after):\n%s", diff)
	}
}

func TestJournalAndEventFilters(t *testing.T) {
	s := startSandbox(t)
	id := orderIn(t, s.Sandbox, oms.StatusReadyForHandling)
	req, _ := http.NewRequest("POST", s.URL+"/api/oms/pvt/orders/"+id+"/start-handling", nil)
	req.Header.Set("X-VTEX-API-AppKey", s.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", s.AppToken)
	send(t, req)
	vtexGet(t, s, "demostore", s.AppKey, s.AppToken, "/api/oms/pvt/orders/"+id)
	posts, _ := s.Client.Journal(ctx, client.JournalFilter{Method: "POST"})
	if len(posts) != 1 || posts[0].Status != 204 || posts[0].Path != "/api/oms/pvt/orders/"+id+"/start-handling" || posts[0].API != "vtex" {
		t.Fatalf("POST journal: %+v", posts)
	}
	if later, _ := s.Client.Journal(ctx, client.JournalFilter{Since: posts[0].Seq}); len(later) != 1 || later[0].Method != "GET" {
		t.Fatalf("since: %+v", later)
	}
	evs, _ := s.Client.Events(ctx, client.EventFilter{OrderID: id, Type: events.OrderStatusChanged, Limit: 100})
	if last := evs[len(evs)-1]; last.From != "start-handling" || last.To != "handling" {
		t.Fatalf("last event %+v", last)
	}
	for _, q := range []string{"since=yesterday", "limit=0", "path=nope"} {
		resp, err := http.Get(s.URL + "/_sandbox/journal?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("journal?%s: %d, want 400", q, resp.StatusCode)
		}
	}
	resp, _ := http.Get(s.URL + "/_sandbox/nothing")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown control route: %d", resp.StatusCode)
	}
}

func TestConcurrentOrdersOnSeveralAccounts(t *testing.T) {
	s := startSandbox(t)
	const accounts, perAccount = 4, 25
	var wg sync.WaitGroup
	for i := range accounts {
		name := fmt.Sprintf("parallel-%d", i)
		if _, err := s.Client.CreateAccount(ctx, client.Account{Name: name}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perAccount {
				if _, err := s.Client.CreateOrder(ctx, camiseta(name)); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Client.Events(ctx, client.EventFilter{Account: name, Limit: 5}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for i := range accounts {
		acct, _ := s.OMS.Account(fmt.Sprintf("parallel-%d", i))
		if acct.Len() != perAccount {
			t.Errorf("%s holds %d orders, want %d", acct.Name(), acct.Len(), perAccount)
		}
	}
}
