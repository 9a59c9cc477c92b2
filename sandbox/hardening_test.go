package sandbox_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/omsbox/omsbox/sandbox/journal"
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
