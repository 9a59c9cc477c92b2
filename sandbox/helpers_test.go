package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/oms"
)

var testStart = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// Demo credentials, as documented in the README.
const (
	demoKey   = "vtexappkey-demostore-sandbox"
	demoToken = "sandbox-token-demostore"
	demoUser  = "sandbox-user-token-demostore"
)

// testConfig has the seeded demo account and an empty second account.
func testConfig() config.Config {
	c := config.Default()
	c.Accounts[0].AppKeys = append(c.Accounts[0].AppKeys, config.AppKey{Key: "vtexappkey-demostore-second", Token: "second-token"})
	c.Accounts = append(c.Accounts, config.Account{Name: "otherstore",
		AppKeys: []config.AppKey{{Key: "vtexappkey-otherstore", Token: "other-token"}}})
	return c
}

// newSandbox builds a strict sandbox on a frozen clock: any response that
// breaks our spec fails the test.
func newSandbox(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.New(sandbox.WithConfig(testConfig()), sandbox.WithClock(clock.Frozen(testStart)),
		sandbox.WithStrict(true, func(op, detail string) { t.Errorf("strict mode: %s: %s", op, detail) }),
		sandbox.WithHookOptions(hook.Options{Client: loopbackOnly}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// loopbackOnly is the hook client of the tests: whatever URL a test (or a
// fuzzer) saves, deliveries never leave this machine.
var loopbackOnly = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test hooks reach loopback addresses only, not %s", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	},
}}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
}

// vtexError decodes VTEX's error body.
func (r response) vtexError(t testing.TB) (code, message string) {
	t.Helper()
	var b struct {
		Error struct {
			Code      string  `json:"code"`
			Message   string  `json:"message"`
			Exception *string `json:"exception"`
		} `json:"error"`
	}
	r.json(t, &b)
	if b.Error.Code == "" || b.Error.Message == "" || b.Error.Exception != nil {
		t.Fatalf("not VTEX's error shape: %s", r.body)
	}
	return b.Error.Code, b.Error.Message
}

// newRequest builds a request with the given headers ("Name: value").
func newRequest(method, target, body string, headers ...string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for _, hv := range headers {
		k, v, _ := strings.Cut(hv, ": ")
		req.Header.Add(k, v)
	}
	return req
}

// do sends one request with the given headers ("Name: value").
func do(t testing.TB, h http.Handler, method, target, body string, headers ...string) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newRequest(method, target, body, headers...))
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

var demoAuth = []string{"X-VTEX-API-AppKey: " + demoKey, "X-VTEX-API-AppToken: " + demoToken,
	"Accept: application/json", "Content-Type: application/json"}

// orderIn returns the id of the first demostore order in status.
func orderIn(t testing.TB, sb *sandbox.Sandbox, status oms.Status) string {
	t.Helper()
	acct, _ := sb.OMS.Account("demostore")
	l := acct.List(oms.Query{Statuses: []oms.Status{status}, OrderBy: oms.OrderByCreationDate})
	if len(l.List) == 0 {
		t.Fatalf("no seeded order in %s", status)
	}
	return l.List[0].OrderID
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// eventually polls cond until it holds, failing the test after 10 seconds:
// for what the sandbox does asynchronously (hooks, the bridge). Never a
// fixed sleep.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out after 10s waiting for %s", what)
		case <-tick.C:
		}
	}
}
