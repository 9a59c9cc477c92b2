package inventory

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func seed(a *Account) {
	_ = a.PutDock(Dock{ID: "1_1", Name: "Doca SP", IsActive: true})
	_ = a.PutWarehouse(Warehouse{ID: "estoque-sp", Name: "Estoque SP", IsActive: true, WarehouseDocks: []WarehouseDock{{DockID: "1_1"}}})
	_ = a.PutWarehouse(Warehouse{ID: "estoque-rj", Name: "Estoque RJ", IsActive: true, Priority: 1, WarehouseDocks: []WarehouseDock{{DockID: "1_1"}}})
}

type fixture struct {
	clock  *clock.Clock
	inv    *Inventory
	a      *Account
	mu     sync.Mutex
	events []events.Event
}

func newFixture(t *testing.T, window time.Duration) *fixture {
	t.Helper()
	f := &fixture{clock: clock.Frozen(start)}
	bus := &events.Bus{}
	bus.Subscribe(func(e events.Event) { f.mu.Lock(); f.events = append(f.events, e); f.mu.Unlock() })
	f.inv = New(f.clock.Now, bus, Options{LockWindow: window}, seed)
	f.a = f.inv.Account("demostore")
	return f
}

func (f *fixture) types() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		out = append(out, e.Type)
	}
	return out
}

func (f *fixture) balance(t *testing.T, sku, wh string) Balance {
	t.Helper()
	b, err := f.a.Balance(sku, wh)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCountRules(t *testing.T) {
	for _, tc := range []struct {
		name      string
		sku, wh   string
		count     Count
		kind      Kind
		total     int
		unlimited bool
	}{
		{"a count", "1", "estoque-sp", Count{Quantity: 10}, 0, 10, false},
		{"unlimited overrides quantity", "1", "estoque-sp", Count{Quantity: 3, Unlimited: true}, 0, UnlimitedQuantity, true},
		{"zero", "1", "estoque-sp", Count{}, 0, 0, false},
		{"negative", "1", "estoque-sp", Count{Quantity: -1}, Invalid, 0, false},
		{"not a SKU id", "abc", "estoque-sp", Count{Quantity: 1}, Invalid, 0, false},
		{"SKU id 0", "0", "estoque-sp", Count{Quantity: 1}, Invalid, 0, false},
		{"unknown warehouse", "1", "nowhere", Count{Quantity: 1}, NotFound, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			b, err := f.a.SetCount(tc.sku, tc.wh, tc.count)
			if tc.kind != 0 {
				if e, ok := AsError(err); !ok || e.Kind != tc.kind {
					t.Fatalf("got %v, want kind %d", err, tc.kind)
				}
				if len(f.a.SKUs()) != 0 || len(f.types()) != 0 {
					t.Fatal("a refused count left state or events behind")
				}
				return
			}
			if err != nil || b.Total != tc.total || b.Unlimited != tc.unlimited {
				t.Fatalf("%+v %v", b, err)
			}
		})
	}
}

func TestLockWindowOnTheSandboxClock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		window  time.Duration
		advance time.Duration
		sku, wh string // of the second write
		locked  bool
	}{
		{"off: same instant", 0, 0, "1", "estoque-sp", false},
		{"same instant", 2 * time.Second, 0, "1", "estoque-sp", true},
		{"inside the window", 2 * time.Second, 1999 * time.Millisecond, "1", "estoque-sp", true},
		{"window over", 2 * time.Second, 2 * time.Second, "1", "estoque-sp", false},
		{"another warehouse", 2 * time.Second, 0, "1", "estoque-rj", false},
		{"another SKU", 2 * time.Second, 0, "2", "estoque-sp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.window)
			if _, err := f.a.SetCount("1", "estoque-sp", Count{Quantity: 5}); err != nil {
				t.Fatal(err)
			}
			_, _ = f.clock.Advance(tc.advance)
			_, err := f.a.SetCount(tc.sku, tc.wh, Count{Quantity: 9})
			e, _ := AsError(err)
			if got := e != nil && e.Kind == Locked; got != tc.locked {
				t.Fatalf("locked %v, want %v (%v)", got, tc.locked, err)
			}
			if tc.locked {
				if want := "Unable to acquire lock for key: demostore_item_logistics_1_estoque-sp."; e.Message != want {
					t.Fatalf("message %q, want %q", e.Message, want)
				}
				if b := f.balance(t, "1", "estoque-sp"); b.Total != 5 {
					t.Fatalf("the locked write was applied: %+v", b)
				}
				// The lead time shares the key.
				if _, err := f.a.SetLeadTime("1", "estoque-sp", time.Hour); err == nil {
					t.Fatal("lead time written inside the window")
				}
			}
		})
	}
}

func TestReservationTable(t *testing.T) {
	// Every row of the table, from a fresh reservation of 3 units of a
	// count of 10; what reserved and total become.
	type step struct {
		act      Action
		reserved int
		total    int
		event    string
	}
	for _, tc := range []struct {
		name  string
		steps []step
		bad   Action // refused at the end
	}{
		{"confirm, acknowledge, consume", []step{{Confirm, 3, 10, ReservationConfirmed}, {Acknowledge, 3, 10, ReservationAcked}, {Consume, 0, 7, ReservationConsumed}}, Release},
		{"authorized consumed", []step{{Consume, 0, 7, ReservationConsumed}}, Consume},
		{"authorized released", []step{{Release, 0, 10, ReservationReleased}}, Confirm},
		{"confirmed released", []step{{Confirm, 3, 10, ""}, {Release, 0, 10, ReservationReleased}}, Acknowledge},
		{"acknowledged released", []step{{Acknowledge, 3, 10, ReservationAcked}, {Release, 0, 10, ReservationReleased}}, Consume},
		{"confirmed consumed", []step{{Confirm, 3, 10, ""}, {Consume, 0, 7, ""}}, Confirm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 10})
			r, err := f.a.Reserve("o-1", "1", []Want{{"1", 3}}, false)
			if err != nil || r.State != Authorized || r.Lines[0].Warehouse != "estoque-sp" {
				t.Fatalf("%+v %v", r, err)
			}
			if b := f.balance(t, "1", "estoque-sp"); b.Reserved != 3 || b.Available() != 7 {
				t.Fatalf("after reserve %+v", b)
			}
			for _, s := range tc.steps {
				if _, _, err := f.a.Fire("o-1", s.act); err != nil {
					t.Fatalf("%s: %v", s.act, err)
				}
				b := f.balance(t, "1", "estoque-sp")
				if b.Reserved != s.reserved || b.Total != s.total {
					t.Fatalf("after %s: reserved %d total %d, want %d %d", s.act, b.Reserved, b.Total, s.reserved, s.total)
				}
				if s.event != "" && !strings.Contains(strings.Join(f.types(), " "), s.event) {
					t.Fatalf("no %s event in %v", s.event, f.types())
				}
			}
			if _, _, err := f.a.Fire("o-1", tc.bad); err == nil {
				t.Fatalf("%s allowed at the end", tc.bad)
			}
		})
	}
	f := newFixture(t, 0)
	if _, ok, err := f.a.Fire("no-reservation", Confirm); ok || err != nil {
		t.Fatal("an order without reservation is no error")
	}
}

func TestReserveRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wants    []Want
		allow    bool
		short    bool
		wh       string // of the first line
		oversold bool
	}{
		{"enough in SP", []Want{{"1", 4}}, false, false, "estoque-sp", false},
		{"the same SKU twice adds up", []Want{{"1", 3}, {"1", 2}}, false, true, "", false},
		{"SP short, RJ has it", []Want{{"2", 6}}, false, false, "estoque-rj", false},
		{"nobody has it", []Want{{"2", 9}}, false, true, "", false},
		{"no stock at all", []Want{{"3", 1}}, false, true, "", false},
		{"one short refuses all", []Want{{"1", 1}, {"3", 1}}, false, true, "", false},
		{"oversell allowed", []Want{{"2", 9}}, true, false, "estoque-rj", true},
		{"oversell with no stock: first warehouse", []Want{{"3", 2}}, true, false, "estoque-sp", true},
		{"unlimited", []Want{{"4", 5000}}, false, false, "estoque-sp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 4})
			_, _ = f.a.SetCount("2", "estoque-sp", Count{Quantity: 2})
			_, _ = f.a.SetCount("2", "estoque-rj", Count{Quantity: 7})
			_, _ = f.a.SetCount("4", "estoque-sp", Count{Unlimited: true})
			before := len(f.types())
			r, err := f.a.Reserve("o-1", "1", tc.wants, tc.allow)
			if tc.short {
				if _, ok := AsShort(err); !ok {
					t.Fatalf("got %v, want a shortage", err)
				}
				if len(f.types()) != before || len(f.a.Reservations("", "")) != 0 {
					t.Fatal("a refused reservation left state or events behind")
				}
				return
			}
			if err != nil || r.Lines[0].Warehouse != tc.wh || r.Oversold != tc.oversold {
				t.Fatalf("%+v %v", r, err)
			}
			again, _ := f.a.Reserve("o-1", "1", tc.wants, tc.allow)
			if again.ID != r.ID {
				t.Fatal("an order reserved twice")
			}
		})
	}
}

func TestCountZeroesAcknowledgedReservations(t *testing.T) {
	f := newFixture(t, 0)
	_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 10})
	_, _ = f.a.Reserve("handled", "1", []Want{{"1", 3}}, false)
	_, _ = f.a.Reserve("paid", "1", []Want{{"1", 2}}, false)
	_, _, _ = f.a.Fire("handled", Acknowledge)
	_, _, _ = f.a.Fire("paid", Confirm)
	// The ERP resends its unchanged count after start-handling: VTEX frees
	// the acknowledged units, which the ERP's count already left out.
	b, err := f.a.SetCount("1", "estoque-sp", Count{Quantity: 10})
	if err != nil || b.Reserved != 2 || b.Available() != 8 {
		t.Fatalf("%+v %v", b, err)
	}
	r, _ := f.a.OrderReservation("handled")
	if !r.Lines[0].Cleared || r.State != Acknowledged {
		t.Fatalf("%+v", r)
	}
	// Invoicing a cleared line takes nothing off the total again.
	_, _, _ = f.a.Fire("handled", Consume)
	if b := f.balance(t, "1", "estoque-sp"); b.Total != 10 || b.Reserved != 2 {
		t.Fatalf("%+v", b)
	}
	// An equal count with nothing acknowledged changes nothing: no event.
	n := len(f.types())
	_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 10})
	if len(f.types()) != n {
		t.Fatalf("an unchanged count published %v", f.types()[n:])
	}
	// A count below the reserved units: available goes negative.
	if b, _ := f.a.SetCount("1", "estoque-sp", Count{Quantity: 1}); b.Available() != -1 {
		t.Fatalf("%+v", b)
	}
}

func TestConcurrentReservationsNeverOversell(t *testing.T) {
	f := newFixture(t, 0)
	_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 5})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.a.Reserve("o-"+string(rune('a'+i)), "1", []Want{{"1", 1}}, false); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if b := f.balance(t, "1", "estoque-sp"); ok != 5 || b.Reserved != 5 {
		t.Fatalf("%d reservations, %+v", ok, b)
	}
}

func TestLeadTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"1.12:00:00", 36 * time.Hour, false},
		{"00:30:00", 30 * time.Minute, false},
		{"3", 72 * time.Hour, false},
		{"78:00:00", 78 * 24 * time.Hour, false},
		{"1.25:00:00", 0, true},
		{"", 0, true},
		{"abc", 0, true},
		{"1:2", 0, true},
		{"-1", 0, true},
		{"00:61:00", 0, true},
	} {
		got, err := ParseLeadTime(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseLeadTime(%q) = %v, %v", tc.in, got, err)
		}
	}
	if FormatLeadTime(36*time.Hour) != "1.12:00:00" || FormatLeadTime(0) != "00:00:00" {
		t.Error("FormatLeadTime")
	}
}

func TestAccountsApartAndReset(t *testing.T) {
	f := newFixture(t, 0)
	_, _ = f.a.SetCount("1", "estoque-sp", Count{Quantity: 5})
	other := f.inv.Account("other")
	if _, err := other.Balance("1", "estoque-sp"); err == nil {
		t.Fatal("another account sees the stock")
	}
	f.inv.Reset("demostore")
	if len(f.a.SKUs()) != 0 || len(f.a.Warehouses()) != 2 {
		t.Fatal("reset kept stock or lost the seeded warehouses")
	}
}
