// Package pricing owns VTEX Pricing v2 as the sandbox keeps it: per SKU a
// base price (with cost and markup, two of the three given, the third
// derived), an optional list price, and fixed prices per trade policy or
// price table with a minimum quantity and an optional date range; and the
// computed price of a table (reference §5.3), which reads the sandbox
// clock, so a scheduled or promotional price starts and ends as the clock
// moves. The PUT rules are a table (putRules). State is per account, each
// behind its own lock. It knows nothing of HTTP.
package pricing

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/accounts"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/money"
)

// Kind classifies a refusal.
type Kind int

// Kinds of refusal.
const (
	Invalid  Kind = iota + 1 // 400, naming the field
	NotFound                 // 404: the item has no price (or none applies)
)

// Error is a refusal.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

// AsError unwraps a pricing refusal.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func invalid(format string, a ...any) error { return &Error{Invalid, fmt.Sprintf(format, a...)} }

func notFound(item string) error {
	return &Error{NotFound, fmt.Sprintf("Price of item %s not found", item)}
}

// DateRange is when a fixed price applies: From ≤ now < To.
type DateRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Fixed is a fixed price of one trade policy or price table.
type Fixed struct {
	TradePolicyID string     `json:"tradePolicyId"`
	Value         float64    `json:"value"`
	ListPrice     *float64   `json:"listPrice"`
	MinQuantity   int        `json:"minQuantity"`
	DateRange     *DateRange `json:"dateRange,omitempty"`
}

// Price is the price of one SKU (VTEX: item).
type Price struct {
	ItemID      string   `json:"itemId"`
	ListPrice   *float64 `json:"listPrice"`
	CostPrice   float64  `json:"costPrice"`
	Markup      int      `json:"markup"`
	BasePrice   float64  `json:"basePrice"`
	FixedPrices []Fixed  `json:"fixedPrices"`
}

// PutInput is the body of PUT price. Dates are strings: RFC 3339, UTC
// when they carry no offset.
type PutInput struct {
	BasePrice   *float64     `json:"basePrice"`
	CostPrice   *float64     `json:"costPrice"`
	Markup      *int         `json:"markup"`
	ListPrice   *float64     `json:"listPrice"`
	FixedPrices []FixedInput `json:"fixedPrices"`
}

// FixedInput is a fixed price as sent; TradePolicyID comes from the path
// in POST .../fixed/{priceTableId}.
type FixedInput struct {
	TradePolicyID string          `json:"tradePolicyId"`
	Value         *float64        `json:"value"`
	ListPrice     *float64        `json:"listPrice"`
	MinQuantity   *int            `json:"minQuantity"`
	DateRange     *DateRangeInput `json:"dateRange"`
}

// DateRangeInput is a date range as sent.
type DateRangeInput struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Rule is one check of a PUT body.
type Rule struct {
	Name  string
	Check func(*PutInput) string // "" when it holds
}

// putRules are Pricing v2's rules for PUT price: exactly two of base,
// cost and markup (or base alone), amounts within bounds.
var putRules = []Rule{
	{"at most two of basePrice, costPrice and markup", func(p *PutInput) string {
		if p.BasePrice != nil && p.CostPrice != nil && p.Markup != nil {
			return "send exactly two of basePrice, costPrice and markup (or basePrice alone), not all three"
		}
		return ""
	}},
	{"a base price, given or derived", func(p *PutInput) string {
		if p.BasePrice == nil && (p.CostPrice == nil || p.Markup == nil) {
			return "basePrice is required, or costPrice and markup to derive it"
		}
		return ""
	}},
	{"amounts within bounds", func(p *PutInput) string {
		for _, f := range []struct {
			name string
			v    *float64
		}{{"basePrice", p.BasePrice}, {"costPrice", p.CostPrice}, {"listPrice", p.ListPrice}} {
			if why := amount(f.name, f.v); why != "" {
				return why
			}
		}
		return ""
	}},
	{"markup a percentage above -100", func(p *PutInput) string {
		if p.Markup != nil && (*p.Markup <= -100 || *p.Markup > 1_000_000) {
			return fmt.Sprintf("markup: %d is not a percentage from -99 to 1000000", *p.Markup)
		}
		return ""
	}},
}

func amount(name string, v *float64) string {
	if v != nil && (*v < 0 || *v > money.MaxReais || math.IsNaN(*v)) {
		return fmt.Sprintf("%s: %v is outside 0 to %v", name, *v, money.MaxReais)
	}
	return ""
}

// ValidTable tells whether s can name a trade policy or price table: 1 to
// 50 of A-Z, a-z, 0-9, "_" and "-".
func ValidTable(s string) bool {
	if len(s) == 0 || len(s) > 50 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// parseFixed checks fixed prices; table, if not "", is the path's.
func parseFixed(field string, in []FixedInput, table string) ([]Fixed, error) {
	out := make([]Fixed, 0, len(in))
	for i, f := range in {
		at := fmt.Sprintf("%s[%d]", field, i)
		tp := f.TradePolicyID
		if table != "" {
			tp = table
		}
		switch {
		case !ValidTable(tp):
			return nil, invalid("%s.tradePolicyId: %q is not a trade policy or price table (letters, digits, _ and -)", at, tp)
		case f.Value == nil:
			return nil, invalid("%s.value is required", at)
		case f.MinQuantity == nil:
			return nil, invalid("%s.minQuantity is required", at)
		case *f.MinQuantity < 1 || *f.MinQuantity > money.MaxQuantity:
			return nil, invalid("%s.minQuantity: %d is outside 1 to %d", at, *f.MinQuantity, money.MaxQuantity)
		}
		if why := amount(at+".value", f.Value); why != "" {
			return nil, invalid("%s", why)
		}
		if why := amount(at+".listPrice", f.ListPrice); why != "" {
			return nil, invalid("%s", why)
		}
		x := Fixed{TradePolicyID: tp, Value: *f.Value, ListPrice: f.ListPrice, MinQuantity: *f.MinQuantity}
		if f.DateRange != nil {
			from, err1 := parseDate(f.DateRange.From)
			to, err2 := parseDate(f.DateRange.To)
			switch {
			case err1 != nil:
				return nil, invalid("%s.dateRange.from: %q is not an RFC 3339 date", at, f.DateRange.From)
			case err2 != nil:
				return nil, invalid("%s.dateRange.to: %q is not an RFC 3339 date", at, f.DateRange.To)
			case !to.After(from):
				return nil, invalid("%s.dateRange: to is not after from", at)
			}
			x.DateRange = &DateRange{from, to}
		}
		out = append(out, x)
	}
	return out, nil
}

// parseDate reads RFC 3339; a date and time without offset is UTC.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02T15:04:05", s)
}

// Pricing holds every account's prices.
type Pricing struct {
	acc *accounts.Set[Account]
}

// New returns empty pricing on the sandbox clock.
func New(now func() time.Time) *Pricing {
	return &Pricing{acc: accounts.New(func(string) *Account { return &Account{now: now, prices: map[string]*Price{}} })}
}

// Account returns the account's prices, created empty on first use.
func (p *Pricing) Account(name string) *Account { return p.acc.Get(name) }

// Reset forgets one account's prices, or every one's for "".
func (p *Pricing) Reset(account string) {
	p.acc.Each(account, func(a *Account) {
		a.mu.Lock()
		a.prices = map[string]*Price{}
		a.mu.Unlock()
	})
}

// Account is one account's prices.
type Account struct {
	now    func() time.Time
	mu     sync.RWMutex
	prices map[string]*Price
}

// Put sets an item's price wholly: the fixed prices not sent are deleted.
func (a *Account) Put(item string, in PutInput) error {
	for _, r := range putRules {
		if why := r.Check(&in); why != "" {
			return invalid("%s", why)
		}
	}
	fixed, err := parseFixed("fixedPrices", in.FixedPrices, "")
	if err != nil {
		return err
	}
	p := &Price{ItemID: item, ListPrice: in.ListPrice, FixedPrices: fixed}
	switch {
	case in.BasePrice != nil && in.CostPrice != nil:
		p.BasePrice, p.CostPrice = *in.BasePrice, *in.CostPrice
		if p.CostPrice > 0 {
			p.Markup = int(math.Round((p.BasePrice/p.CostPrice - 1) * 100))
		}
	case in.BasePrice != nil && in.Markup != nil:
		p.BasePrice, p.Markup = *in.BasePrice, *in.Markup
		p.CostPrice = cents(p.BasePrice / (1 + float64(p.Markup)/100))
	case in.BasePrice != nil: // base alone: cost is the base, markup 0
		p.BasePrice, p.CostPrice = *in.BasePrice, *in.BasePrice
	default: // cost and markup
		p.CostPrice, p.Markup = *in.CostPrice, *in.Markup
		p.BasePrice = cents(p.CostPrice * (1 + float64(p.Markup)/100))
	}
	if why := amount("basePrice", &p.BasePrice); why != "" {
		return invalid("%s (derived from costPrice and markup)", why)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.prices[item] = p
	return nil
}

func cents(v float64) float64 { return math.Round(v*100) / 100 }

// Get returns an item's price; its fixed prices by table, then minimum
// quantity, then start.
func (a *Account) Get(item string) (Price, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	p := a.prices[item]
	if p == nil {
		return Price{}, notFound(item)
	}
	c := *p
	c.FixedPrices = sortedFixed(p.FixedPrices, "")
	return c, nil
}

// Delete removes an item's price and all its fixed prices.
func (a *Account) Delete(item string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prices[item] == nil {
		return notFound(item)
	}
	delete(a.prices, item)
	return nil
}

// FixedOf returns an item's fixed prices of one table ("" for all).
func (a *Account) FixedOf(item, table string) ([]Fixed, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	p := a.prices[item]
	if p == nil {
		return nil, notFound(item)
	}
	return sortedFixed(p.FixedPrices, table), nil
}

// MergeFixed adds or updates fixed prices without touching the others: an
// entry with the same table, minimum quantity and date range as an
// existing one replaces it, otherwise it is added (PATCH .../fixed, and
// POST .../fixed/{table} with table set). The item must have a price
// (the sandbox's choice: VTEX does not say).
func (a *Account) MergeFixed(item, table string, in []FixedInput) error {
	if len(in) == 0 {
		return invalid("request body: send at least one fixed price")
	}
	fixed, err := parseFixed("fixedPrices", in, table)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.prices[item]
	if p == nil {
		return &Error{NotFound, fmt.Sprintf("Price of item %s not found: PUT its base price first", item)}
	}
	for _, f := range fixed {
		i := indexOf(p.FixedPrices, f)
		if i >= 0 {
			p.FixedPrices[i] = f
		} else {
			p.FixedPrices = append(p.FixedPrices, f)
		}
	}
	return nil
}

func indexOf(fs []Fixed, f Fixed) int {
	for i, x := range fs {
		if x.TradePolicyID == f.TradePolicyID && x.MinQuantity == f.MinQuantity && sameRange(x.DateRange, f.DateRange) {
			return i
		}
	}
	return -1
}

func sameRange(a, b *DateRange) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.From.Equal(b.From) && a.To.Equal(b.To)
}

// DeleteFixed removes an item's fixed prices of one table.
func (a *Account) DeleteFixed(item, table string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.prices[item]
	if p == nil {
		return notFound(item)
	}
	kept := p.FixedPrices[:0:0]
	for _, f := range p.FixedPrices {
		if f.TradePolicyID != table {
			kept = append(kept, f)
		}
	}
	p.FixedPrices = kept
	return nil
}

func sortedFixed(fs []Fixed, table string) []Fixed {
	out := []Fixed{}
	for _, f := range fs {
		if table == "" || f.TradePolicyID == table {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.TradePolicyID != y.TradePolicyID {
			return x.TradePolicyID < y.TradePolicyID
		}
		if x.MinQuantity != y.MinQuantity {
			return x.MinQuantity < y.MinQuantity
		}
		return startOf(x).Before(startOf(y))
	})
	return out
}

func startOf(f Fixed) time.Time {
	if f.DateRange == nil {
		return time.Time{}
	}
	return f.DateRange.From
}

// Computed is a table's price for a quantity at the sandbox's now.
type Computed struct {
	TradePolicyID   string    `json:"tradePolicyId"`
	ListPrice       float64   `json:"listPrice"`
	CostPrice       float64   `json:"costPrice"`
	SellingPrice    float64   `json:"sellingPrice"`
	PriceValidUntil time.Time `json:"priceValidUntil"`
	// Fixed is the fixed price that applies (nil: the base price does).
	Fixed *Fixed `json:"-"`
}

// Compute is reference §5.3 on the sandbox clock: among the table's fixed
// prices with minQuantity ≤ quantity and no date range or from ≤ now < to,
// the lowest value wins, with its list price (else the item's); with none,
// the base price. The price is valid until the winner's range ends or the
// next scheduled fixed price starts, whichever is sooner, else a year
// from now. Price rules and rounding are not modelled.
func (a *Account) Compute(item, table string, quantity int) (Computed, error) {
	if quantity < 1 {
		quantity = 1
	}
	now := a.now()
	a.mu.RLock()
	defer a.mu.RUnlock()
	p := a.prices[item]
	if p == nil {
		return Computed{}, notFound(item)
	}
	c := Computed{TradePolicyID: table, CostPrice: p.CostPrice, SellingPrice: p.BasePrice,
		ListPrice: listOf(p), PriceValidUntil: now.AddDate(1, 0, 0)}
	for i := range p.FixedPrices {
		f := &p.FixedPrices[i]
		if f.TradePolicyID != table || f.MinQuantity > quantity {
			continue
		}
		if r := f.DateRange; r != nil && !now.Before(r.To) {
			continue
		}
		if r := f.DateRange; r != nil && now.Before(r.From) {
			// Scheduled: the price in force ends when it starts.
			if r.From.Before(c.PriceValidUntil) {
				c.PriceValidUntil = r.From
			}
			continue
		}
		if c.Fixed == nil || f.Value < c.Fixed.Value {
			c.Fixed = f
		}
	}
	if f := c.Fixed; f != nil {
		c.SellingPrice = f.Value
		if f.ListPrice != nil {
			c.ListPrice = *f.ListPrice
		}
		if f.DateRange != nil && f.DateRange.To.Before(c.PriceValidUntil) {
			c.PriceValidUntil = f.DateRange.To
		}
	}
	return c, nil
}

// listOf is the item's list price: the one set, else the base price.
func listOf(p *Price) float64 {
	if p.ListPrice != nil {
		return *p.ListPrice
	}
	return p.BasePrice
}

// ValidItem tells whether s can be an item (SKU) id.
func ValidItem(s string) bool {
	return s != "" && len(s) <= 10 && strings.Trim(s, "0123456789") == "" && s[0] != '0'
}

// Fingerprint sums up the account's prices, for tests and fuzzers that
// check a refused request changed nothing.
func (a *Account) Fingerprint() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	b, _ := json.Marshal(a.prices)
	return string(b)
}
