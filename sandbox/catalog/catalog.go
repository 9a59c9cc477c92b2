// Package catalog owns VTEX's catalog as an ERP feeds it: products, SKUs,
// their EANs and files (image URLs, stored, never fetched), brands and
// categories (created on demand from BrandName and CategoryPath, as VTEX
// does). State is per account, each account behind its own lock; ids are
// integers, chosen by the caller or generated in sequence. The rules a
// request must keep are tables (productRules, skuRules) that the tests and
// the error messages read. It knows nothing of HTTP.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/accounts"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Kind classifies a refusal; the API maps it to a status.
type Kind int

// Kinds of refusal.
const (
	Invalid  Kind = iota + 1 // 400: the body breaks a rule, naming the field
	NotFound                 // 404: no such id in the account
	Conflict                 // 409: a duplicate id, RefId or EAN
)

// Error is a refusal.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

// AsError unwraps a catalog refusal.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func invalid(format string, a ...any) error {
	return &Error{Invalid, fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &Error{NotFound, fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) error {
	return &Error{Conflict, fmt.Sprintf(format, a...)}
}

// MaxID is the largest id VTEX accepts (catalog API: SKU ID ≤ 2,147,483,647).
const MaxID = 2147483647

// Catalog holds every account's catalog.
type Catalog struct {
	acc *accounts.Set[Account]
}

// New returns an empty catalog; now is the sandbox clock.
func New(now func() time.Time) *Catalog {
	return &Catalog{acc: accounts.New(func(string) *Account {
		a := &Account{now: now}
		a.reset()
		return a
	})}
}

// Account returns the account's catalog, created empty on first use.
func (c *Catalog) Account(name string) *Account { return c.acc.Get(name) }

// Reset empties one account's catalog, or every one for "".
func (c *Catalog) Reset(account string) {
	c.acc.Each(account, func(a *Account) {
		a.mu.Lock()
		a.reset()
		a.mu.Unlock()
	})
}

// Account is one account's catalog.
type Account struct {
	now func() time.Time
	mu  sync.RWMutex

	products   map[int64]*Product
	skus       map[int64]*SKU
	brands     map[int64]*Brand
	categories map[int64]*Category
	productRef map[string]int64
	skuRef     map[string]int64
	eans       map[string]int64 // EAN → SKU id
	skuEANs    map[int64][]string
	files      map[int64][]File
	nextID     map[string]int64 // per kind: the next generated id
}

func (a *Account) reset() {
	a.products, a.skus = map[int64]*Product{}, map[int64]*SKU{}
	a.brands, a.categories = map[int64]*Brand{}, map[int64]*Category{}
	a.productRef, a.skuRef, a.eans = map[string]int64{}, map[string]int64{}, map[string]int64{}
	a.skuEANs, a.files = map[int64][]string{}, map[int64][]File{}
	a.nextID = map[string]int64{}
}

// id returns the id to use for kind: the one asked for (checked), or the
// next in sequence.
func (a *Account) id(kind string, asked *int64, taken func(int64) bool) (int64, error) {
	if asked != nil {
		if *asked < 1 || *asked > MaxID {
			return 0, invalid("Id: %d is outside 1 to %d", *asked, MaxID)
		}
		if taken(*asked) {
			return 0, conflict("Id: %s %d exists already", kind, *asked)
		}
		return *asked, nil
	}
	n := max(a.nextID[kind], 1)
	for taken(n) {
		n++
	}
	return n, nil
}

func (a *Account) used(kind string, id int64) {
	if id >= a.nextID[kind] {
		a.nextID[kind] = id + 1
	}
}

// LinkID derives VTEX's slug from a name: lower case, accents dropped,
// anything else a dash.
func LinkID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		r = unaccent(r)
		if unicode.IsLetter(r) && r < unicode.MaxASCII || unicode.IsDigit(r) && r < unicode.MaxASCII {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func unaccent(r rune) rune {
	const from, to = "áàâãäéèêëíìîïóòôõöúùûüçñ", "aaaaaeeeeiiiiooooouuuucn"
	if i := strings.IndexRune(from, r); i >= 0 {
		return []rune(to)[len([]rune(from[:i]))]
	}
	return r
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// ParseID reads a path id: a positive integer up to MaxID.
func ParseID(field, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > MaxID {
		return 0, invalid("%s: %q is not an id from 1 to %d", field, s, MaxID)
	}
	return n, nil
}

// Fingerprint sums up the account's whole catalog, for tests and fuzzers
// that check a refused request changed nothing.
func (a *Account) Fingerprint() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	b, _ := json.Marshal([]any{a.products, a.skus, a.brands, a.categories, a.productRef, a.skuRef, a.eans, a.skuEANs, a.files})
	return string(b)
}
