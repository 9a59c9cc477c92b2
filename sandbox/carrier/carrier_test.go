package carrier

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func (r *recorder) kinds(typ string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.evs {
		if e.Type == typ {
			out = append(out, e.Data["kind"].(string))
		}
	}
	return out
}

func newCarrier(t *testing.T) (*Carrier, *clock.Clock, *recorder) {
	t.Helper()
	clk := clock.Frozen(start)
	bus := &events.Bus{}
	rec := &recorder{}
	bus.Subscribe(func(e events.Event) { rec.mu.Lock(); rec.evs = append(rec.evs, e); rec.mu.Unlock() })
	c := New(clk, bus, 1)
	t.Cleanup(c.Close)
	return c, clk, rec
}

func kinds(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Kind
	}
	return out
}

func TestWalksOnAFrozenClock(t *testing.T) {
	for _, tc := range []struct {
		scenario Scenario
		kinds    []string
		last     string // codigo+tipo of the final step
		total    time.Duration
		status   Status
	}{
		{Normal, []string{"posted", "forwarded", "arrived", "out-for-delivery", "delivered"}, "BDE01", 52 * time.Hour, Delivered},
		{Delayed, []string{"posted", "forwarded", "arrived", "out-for-delivery", "delivered"}, "BDE01", 52*time.Hour + DefaultDelay, Delivered},
		{FailedAttempt, []string{"posted", "forwarded", "arrived", "out-for-delivery", "attempt-failed", "out-again", "delivered"}, "BDE01", 76 * time.Hour, Delivered},
		{Returned, []string{"posted", "forwarded", "arrived", "out-for-delivery", "attempt-failed", "out-again", "attempt-failed-again", "returning", "returned"}, "BDE23", 144 * time.Hour, ReturnedStatus},
	} {
		t.Run(string(tc.scenario), func(t *testing.T) {
			c, clk, rec := newCarrier(t)
			p, err := c.Create(NewParcel{Account: "demostore", Scenario: tc.scenario, City: "Belo Horizonte", UF: "MG"})
			if err != nil {
				t.Fatal(err)
			}
			if !ValidCorreiosCode(p.Code) || len(p.Events) != 1 || p.Events[0].Codigo != "PO" || p.Status != Posted {
				t.Fatalf("new parcel: %+v", p)
			}
			// One step at a time: each becomes visible exactly at its time.
			for i := 1; i < len(tc.kinds); i++ {
				next := *p.Next
				if _, err := clk.Set(next.Add(-time.Second)); err != nil {
					t.Fatal(err)
				}
				if p, _ = c.Track("demostore", p.Code); len(p.Events) != i {
					t.Fatalf("a second before step %d: %d events", i, len(p.Events))
				}
				if _, err := clk.Set(next); err != nil {
					t.Fatal(err)
				}
				if p, _ = c.Track("demostore", p.Code); len(p.Events) != i+1 {
					t.Fatalf("at step %d's time: %d events", i, len(p.Events))
				}
			}
			if got := kinds(p.Events); !slices.Equal(got, tc.kinds) {
				t.Errorf("walk %v, want %v", got, tc.kinds)
			}
			last := p.Events[len(p.Events)-1]
			if last.Codigo+last.Tipo != tc.last || !p.Finished || p.Next != nil || p.Status != tc.status {
				t.Errorf("last step %s%s finished=%v status=%s", last.Codigo, last.Tipo, p.Finished, p.Status)
			}
			if d := last.At.Sub(start); d != tc.total {
				t.Errorf("walk took %s, want %s", d, tc.total)
			}
			if got := rec.kinds(EventStep); !slices.Equal(got, tc.kinds) {
				t.Errorf("carrier.event kinds %v, want %v", got, tc.kinds)
			}
			if p.Route.DestCDD.Cidade != "BELO HORIZONTE" || p.Route.DestCDD.UF != "MG" || p.Route.DestCTE.Nome != "CTE CONTAGEM" {
				t.Errorf("route %+v", p.Route)
			}
		})
	}
}

func TestScenarioChangeKeepsWhatWasSeen(t *testing.T) {
	c, clk, rec := newCarrier(t)
	p, _ := c.Create(NewParcel{Account: "a", Code: "QN242960622BR"})
	_, _ = clk.Advance(30 * time.Hour) // posted, forwarded, arrived
	p, err := c.SetScenario("a", p.Code, FailedAttempt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 3 || p.Scenario != FailedAttempt {
		t.Fatalf("%+v", p)
	}
	_, _ = clk.Advance(30 * time.Hour)
	p, _ = c.Track("a", p.Code)
	if got := kinds(p.Events); !slices.Equal(got, []string{"posted", "forwarded", "arrived", "out-for-delivery", "attempt-failed"}) {
		t.Fatalf("after the change: %v", got)
	}
	// Past the failed attempt, the normal path no longer fits.
	if _, err := c.SetScenario("a", p.Code, Normal, nil); err == nil || err.(*Error).Status != 409 {
		t.Fatalf("normal after a failed attempt: %v", err)
	}
	// Returned shares the failed attempt: allowed.
	if _, err := c.SetScenario("a", p.Code, Returned, nil); err != nil {
		t.Fatal(err)
	}
	_, _ = clk.Advance(10 * 24 * time.Hour)
	p, _ = c.Track("a", p.Code)
	if p.Status != ReturnedStatus || !p.Finished {
		t.Fatalf("status %s", p.Status)
	}
	if _, err := c.SetScenario("a", p.Code, Returned, nil); err == nil || err.(*Error).Status != 409 {
		t.Fatalf("change after the end: %v", err)
	}
	// No step was announced twice, none lost.
	want := []string{"posted", "forwarded", "arrived", "out-for-delivery", "attempt-failed", "out-again", "attempt-failed-again", "returning", "returned"}
	if got := rec.kinds(EventStep); !slices.Equal(got, want) {
		t.Errorf("events %v", got)
	}
}

func TestDelayPushesTheRestBack(t *testing.T) {
	c, clk, _ := newCarrier(t)
	p, _ := c.Create(NewParcel{Account: "a"})
	_, _ = clk.Advance(7 * time.Hour) // forwarded
	d := 72 * time.Hour
	p, err := c.SetScenario("a", p.Code, Delayed, &d)
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(24*time.Hour + d); !p.Next.Equal(want) {
		t.Fatalf("next %s, want %s", p.Next, want)
	}
}

func TestTokensExpireOnTheSandboxClock(t *testing.T) {
	c, clk, _ := newCarrier(t)
	ct, err := c.NewContract("shop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(ct.User, "wrong", ct.PostingCard); err == nil || err.(*Error).Status != 401 {
		t.Fatalf("wrong access code: %v", err)
	}
	if _, err := c.Authenticate(ct.User, ct.AccessCode, "0000000001"); err == nil || err.(*Error).Status != 401 {
		t.Fatalf("someone else's card: %v", err)
	}
	tok, err := c.Authenticate(ct.User, ct.AccessCode, ct.PostingCard)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Check(tok.Token); err != nil || got.Account != "shop" {
		t.Fatalf("fresh token: %v %v", got, err)
	}
	_, _ = clk.Advance(TokenLifetime)
	if _, err := c.Check(tok.Token); err == nil || err.(*Error).Status != 401 {
		t.Fatalf("expired token: %v", err)
	}
}

func TestInvalidCodesAreRefused(t *testing.T) {
	c, _, _ := newCarrier(t)
	for _, code := range []string{"QN242960623BR", "RR473124829GB", "XYZ"} {
		if _, err := c.Create(NewParcel{Account: "a", Code: code}); err == nil || err.(*Error).Status != 400 {
			t.Errorf("%s: %v", code, err)
		}
	}
	if _, err := c.Create(NewParcel{Account: "a", Code: "AA123456785BR"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(NewParcel{Account: "a", Code: "AA123456785BR"}); err == nil || err.(*Error).Status != 409 {
		t.Errorf("twice: %v", err)
	}
}
