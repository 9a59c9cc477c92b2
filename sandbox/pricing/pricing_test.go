package pricing

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
)

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func f(v float64) *float64 { return &v }
func i(v int) *int         { return &v }

func TestPutRules(t *testing.T) {
	for _, tc := range []struct {
		name             string
		in               PutInput
		bad              string
		base, cost       float64
		markup           int
		list             float64
		fixedAfterRepeat int
	}{
		{"base alone", PutInput{BasePrice: f(100)}, "", 100, 100, 0, 100, 0},
		{"base and cost", PutInput{BasePrice: f(150), CostPrice: f(100)}, "", 150, 100, 50, 150, 0},
		{"base and markup", PutInput{BasePrice: f(150), Markup: i(50)}, "", 150, 100, 50, 150, 0},
		{"cost and markup (the spec's example)", PutInput{CostPrice: f(10), Markup: i(2400)}, "", 250, 10, 2400, 250, 0},
		{"list price", PutInput{BasePrice: f(90), ListPrice: f(120)}, "", 90, 90, 0, 120, 0},
		{"all three", PutInput{BasePrice: f(1), CostPrice: f(1), Markup: i(0)}, "not all three", 0, 0, 0, 0, 0},
		{"nothing", PutInput{}, "basePrice is required", 0, 0, 0, 0, 0},
		{"cost alone", PutInput{CostPrice: f(10)}, "basePrice is required", 0, 0, 0, 0, 0},
		{"markup alone", PutInput{Markup: i(10)}, "basePrice is required", 0, 0, 0, 0, 0},
		{"negative base", PutInput{BasePrice: f(-1)}, "basePrice: -1 is outside", 0, 0, 0, 0, 0},
		{"markup -100", PutInput{CostPrice: f(10), Markup: i(-100)}, "markup: -100", 0, 0, 0, 0, 0},
		{"fixed without value", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "1", MinQuantity: i(1)}}}, "fixedPrices[0].value is required", 0, 0, 0, 0, 0},
		{"fixed without minQuantity", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "1", Value: f(1)}}}, "fixedPrices[0].minQuantity is required", 0, 0, 0, 0, 0},
		{"fixed minQuantity 0", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "1", Value: f(1), MinQuantity: i(0)}}}, "minQuantity: 0 is outside", 0, 0, 0, 0, 0},
		{"fixed bad table", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "a b", Value: f(1), MinQuantity: i(1)}}}, "tradePolicyId", 0, 0, 0, 0, 0},
		{"fixed backwards range", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "1", Value: f(1), MinQuantity: i(1),
			DateRange: &DateRangeInput{"2026-03-11T00:00:00Z", "2026-03-10T00:00:00Z"}}}}, "to is not after from", 0, 0, 0, 0, 0},
		{"fixed bad date", PutInput{BasePrice: f(1), FixedPrices: []FixedInput{{TradePolicyID: "1", Value: f(1), MinQuantity: i(1),
			DateRange: &DateRangeInput{"tomorrow", "2026-03-10T00:00:00Z"}}}}, "dateRange.from", 0, 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(clock.Frozen(start).Now).Account("demostore")
			err := a.Put("1", tc.in)
			if tc.bad != "" {
				if e, ok := AsError(err); !ok || e.Kind != Invalid || !strings.Contains(e.Message, tc.bad) {
					t.Fatalf("got %v, want 400 with %q", err, tc.bad)
				}
				if _, err := a.Get("1"); err == nil {
					t.Fatal("a refused PUT stored a price")
				}
				return
			}
			p, err := a.Get("1")
			if err != nil || p.BasePrice != tc.base || p.CostPrice != tc.cost || p.Markup != tc.markup || listOf(&p) != tc.list {
				t.Fatalf("%+v %v", p, err)
			}
		})
	}
}

func TestPutReplacesFixedPricesAndMergeRules(t *testing.T) {
	a := New(clock.Frozen(start).Now).Account("demostore")
	if err := a.MergeFixed("1", "1", []FixedInput{{Value: f(1), MinQuantity: i(1)}}); err == nil {
		t.Fatal("fixed prices of an item without a price")
	}
	_ = a.Put("1", PutInput{BasePrice: f(100), FixedPrices: []FixedInput{{TradePolicyID: "1", Value: f(90), MinQuantity: i(1)},
		{TradePolicyID: "gold", Value: f(80), MinQuantity: i(1)}}})
	_ = a.MergeFixed("1", "1", []FixedInput{{Value: f(85), MinQuantity: i(1)}, {Value: f(70), MinQuantity: i(10)}})
	got, _ := a.FixedOf("1", "1")
	if len(got) != 2 || got[0].Value != 85 || got[1].MinQuantity != 10 {
		t.Fatalf("POST fixed/1 merges on minQuantity and range: %+v", got)
	}
	_ = a.MergeFixed("1", "", []FixedInput{{TradePolicyID: "gold", Value: f(75), MinQuantity: i(1)}})
	if g, _ := a.FixedOf("1", "gold"); len(g) != 1 || g[0].Value != 75 {
		t.Fatalf("PATCH fixed: %+v", g)
	}
	_ = a.Put("1", PutInput{BasePrice: f(100)})
	if all, _ := a.FixedOf("1", ""); len(all) != 0 {
		t.Fatalf("PUT kept fixed prices it was not sent: %+v", all)
	}
	_ = a.MergeFixed("1", "1", []FixedInput{{Value: f(85), MinQuantity: i(1)}})
	_ = a.DeleteFixed("1", "1")
	if all, _ := a.FixedOf("1", ""); len(all) != 0 {
		t.Fatal("DELETE fixed/1")
	}
	_ = a.Delete("1")
	if _, err := a.Get("1"); err == nil {
		t.Fatal("DELETE price")
	}
}

// TestComputedPriceFollowsTheClock walks the sandbox clock through a
// promotion and a scheduled price.
func TestComputedPriceFollowsTheClock(t *testing.T) {
	c := clock.Frozen(start)
	a := New(c.Now).Account("demostore")
	day := 24 * time.Hour
	rng := func(from, to time.Duration) *DateRangeInput {
		return &DateRangeInput{start.Add(from).Format(time.RFC3339), start.Add(to).Format(time.RFC3339)}
	}
	err := a.Put("1", PutInput{BasePrice: f(100), ListPrice: f(130), FixedPrices: []FixedInput{
		{TradePolicyID: "1", Value: f(95), MinQuantity: i(1)},                                                  // always
		{TradePolicyID: "1", Value: f(79.9), ListPrice: f(120), MinQuantity: i(1), DateRange: rng(day, 2*day)}, // promotion
		{TradePolicyID: "1", Value: f(60), MinQuantity: i(10)},                                                 // wholesale
		{TradePolicyID: "gold", Value: f(50), MinQuantity: i(1), DateRange: rng(-day, day)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		at      time.Duration
		table   string
		qty     int
		selling float64
		list    float64
		until   time.Time
	}{
		// The clock only moves forward: rows are in time order.
		{"before the promotion", 0, "1", 1, 95, 130, start.Add(day)},
		{"a table with no fixed price: base", 0, "2", 1, 100, 130, start.AddDate(1, 0, 0)},
		{"gold in its range", 0, "gold", 1, 50, 130, start.Add(day)},
		{"the promotion starts", day, "1", 1, 79.9, 120, start.Add(2 * day)},
		{"the lowest eligible wins", day, "1", 10, 60, 130, start.Add(day).AddDate(1, 0, 0)},
		{"gold after its range: base", day, "gold", 1, 100, 130, start.Add(day).AddDate(1, 0, 0)},
		{"the promotion is over (to is exclusive)", 2 * day, "1", 1, 95, 130, start.Add(2*day).AddDate(1, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _ = c.Set(start.Add(tc.at))
			got, err := a.Compute("1", tc.table, tc.qty)
			if err != nil || got.SellingPrice != tc.selling || got.ListPrice != tc.list || !got.PriceValidUntil.Equal(tc.until) {
				t.Fatalf("%+v %v; want selling %v list %v until %v", got, err, tc.selling, tc.list, tc.until)
			}
		})
	}
	if _, err := a.Compute("2", "1", 1); err == nil {
		t.Fatal("computed price of an item without price")
	}
}

// TestTableNamesAreWhatTheRuleSays holds ValidTable to its rule written as
// a regexp, over every byte in each position and every length around the
// limit.
func TestTableNamesAreWhatTheRuleSays(t *testing.T) {
	rule := regexp.MustCompile(`^[A-Za-z0-9_-]{1,50}$`)
	var names []string
	for c := range 256 {
		names = append(names, string([]byte{byte(c)}), "a"+string([]byte{byte(c)}), string([]byte{byte(c)})+"Z")
	}
	for n := range 54 {
		names = append(names, strings.Repeat("a", n), strings.Repeat("_-", n/2))
	}
	for _, name := range append(names, "1", "tabela_B2B", "tabela b2b", "política") {
		if got, want := ValidTable(name), rule.MatchString(name); got != want {
			t.Errorf("ValidTable(%q) = %v, the rule says %v", name, got, want)
		}
	}
}
