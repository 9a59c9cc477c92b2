// Package faults owns injected failures: small rules, each matching vendor
// API requests by api, account, method and path glob, that answer with a
// status (429 with Retry-After, 500, 503...) or add latency, for the next N
// matching requests or with a probability. Rules are values the control
// plane adds and removes; the middleware applies them before the API sees
// the request.
package faults

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/journal"
)

// MaxLatency bounds injected latency, so a typo cannot hang a suite.
const MaxLatency = 60 * time.Second

// Rule is one fault.
type Rule struct {
	ID string `json:"id"`
	// API is "vtex", "skyhub", "carrier" or "mercadolivre"; empty matches all.
	API string `json:"api,omitempty"`
	// Account limits the rule to one account, so parallel suites on one
	// sandbox do not hit each other's faults.
	Account string `json:"account,omitempty"`
	// Method is an HTTP method; empty matches any.
	Method string `json:"method,omitempty"`
	// Path is a glob over the request path (journal.MatchPath); empty
	// matches any path.
	Path string `json:"path,omitempty"`
	// Status, when set, answers in the vendor's error shape instead of
	// the API. Zero lets the request through (after Latency).
	Status int `json:"status,omitempty"`
	// RetryAfter is the Retry-After header, in seconds, sent with Status
	// (429 and 503 default to 60, VTEX's advised back-off).
	RetryAfter *int `json:"retryAfter,omitempty"`
	// LatencyMs delays the answer.
	LatencyMs int `json:"latencyMs,omitempty"`
	// Feed makes feed reads (GET /api/orders/feed) deliver their lot
	// "duplicate" (each item again, as a second message) or "reorder"
	// (newest first), as VTEX's queue sometimes does. Path and method
	// default to the feed's.
	Feed string `json:"feed,omitempty"`
	// Times is how many matching requests the rule applies to; 0 means
	// until it is deleted.
	Times int `json:"times,omitempty"`
	// Probability applies the rule to that share of matching requests
	// (0 < p <= 1); 0 means always.
	Probability float64 `json:"probability,omitempty"`
	// Hits counts the requests the rule applied to.
	Hits int `json:"hits"`
	// Remaining is how many applications are left; null when unlimited.
	Remaining *int `json:"remaining"`
}

// Validate names the first field at fault.
func (r *Rule) Validate() error {
	switch {
	case r.API != "" && r.API != "vtex" && r.API != "skyhub" && r.API != "carrier" && r.API != "mercadolivre":
		return fmt.Errorf("api must be vtex, skyhub, carrier or mercadolivre, not %q", r.API)
	case r.Path != "" && !journal.ValidPattern(r.Path):
		return fmt.Errorf("path %q is not a glob starting with /", r.Path)
	case r.Status != 0 && (r.Status < 400 || r.Status > 599):
		return fmt.Errorf("status must be a 4xx or 5xx code, not %d", r.Status)
	case r.Feed != "" && r.Feed != "duplicate" && r.Feed != "reorder":
		return fmt.Errorf("feed must be duplicate or reorder, not %q", r.Feed)
	case r.Feed != "" && r.Status != 0:
		return fmt.Errorf("a feed fault delivers the lot differently; it takes no status")
	case r.Status == 0 && r.LatencyMs == 0 && r.Feed == "":
		return fmt.Errorf("a fault needs a status, a latencyMs, a feed mode, or a mix")
	case r.LatencyMs < 0 || time.Duration(r.LatencyMs)*time.Millisecond > MaxLatency:
		return fmt.Errorf("latencyMs must be between 0 and %d", MaxLatency.Milliseconds())
	case r.Times < 0:
		return fmt.Errorf("times must not be negative")
	case r.Probability < 0 || r.Probability > 1:
		return fmt.Errorf("probability must be between 0 and 1")
	case r.RetryAfter != nil && *r.RetryAfter < 0:
		return fmt.Errorf("retryAfter must not be negative")
	}
	return nil
}

// Set is the sandbox's list of fault rules, safe for concurrent use.
type Set struct {
	mu    sync.Mutex
	rules []*Rule
	next  int
	rng   *rand.Rand
}

// NewSet returns an empty set whose probabilities draw from seed.
func NewSet(seed uint64) *Set {
	return &Set{rng: rand.New(rand.NewPCG(seed, 0x6661756c7473))}
}

// Add validates r, gives it an id and appends it. Rules are tried in the
// order they were added; the first that applies answers.
func (s *Set) Add(r Rule) (Rule, error) {
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	r.Method = strings.ToUpper(r.Method)
	if r.Feed != "" {
		r.Path = cmp.Or(r.Path, FeedPath)
		r.Method = cmp.Or(r.Method, http.MethodGet)
	}
	r.Hits = 0
	r.Remaining = nil
	if r.Times > 0 {
		n := r.Times
		r.Remaining = &n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	r.ID = "fault-" + strconv.Itoa(s.next)
	s.rules = append(s.rules, &r)
	return r.copy(), nil
}

// List returns the rules still in force.
func (s *Set) List() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.copy()
	}
	return out
}

// Get returns one rule.
func (s *Set) Get(id string) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rules {
		if r.ID == id {
			return r.copy(), true
		}
	}
	return Rule{}, false
}

// Delete removes one rule; it tells whether the rule existed.
func (s *Set) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.rules)
	s.rules = slices.DeleteFunc(s.rules, func(r *Rule) bool { return r.ID == id })
	return len(s.rules) < n
}

// Clear removes every rule, or one account's rules.
func (s *Set) Clear(account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = slices.DeleteFunc(s.rules, func(r *Rule) bool { return account == "" || r.Account == account })
}

// take returns the first rule that applies to a request, counting the hit
// and retiring a rule whose times are used up.
func (s *Set) take(api, account, method, p string) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if (r.API != "" && r.API != api) || (r.Account != "" && r.Account != account) ||
			(r.Method != "" && r.Method != method) || (r.Path != "" && !journal.MatchPath(r.Path, p)) {
			continue
		}
		if r.Probability > 0 && s.rng.Float64() >= r.Probability {
			continue
		}
		r.Hits++
		if r.Remaining != nil {
			*r.Remaining--
			if *r.Remaining <= 0 {
				s.rules = slices.Delete(s.rules, i, i+1)
			}
		}
		return r.copy(), true
	}
	return Rule{}, false
}

func (r *Rule) copy() Rule {
	c := *r
	if r.Remaining != nil {
		n := *r.Remaining
		c.Remaining = &n
	}
	return c
}

// ErrorWriter writes a vendor's error body for a fault's status.
type ErrorWriter func(w http.ResponseWriter, status int)

// Middleware applies the set's rules to the requests of api.
func (s *Set) Middleware(api string, account func(*http.Request) string, write ErrorWriter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(journal.OriginHeader) == journal.Observer {
				next.ServeHTTP(w, r) // an observer's look is never faulted
				return
			}
			rule, ok := s.take(api, account(r), r.Method, r.URL.Path)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			if rule.LatencyMs > 0 && !wait(r.Context(), time.Duration(rule.LatencyMs)*time.Millisecond) {
				return
			}
			if rule.Feed != "" {
				w.Header().Set(journal.FaultHeader, rule.ID)
				r = r.WithContext(context.WithValue(r.Context(), feedModeKey{}, rule.Feed))
			}
			if rule.Status == 0 {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set(journal.FaultHeader, rule.ID)
			if after := retryAfter(rule); after >= 0 {
				w.Header().Set("Retry-After", strconv.Itoa(after))
			}
			write(w, rule.Status)
		})
	}
}

// retryAfter is the Retry-After to send, or -1 for none.
func retryAfter(r Rule) int {
	if r.RetryAfter != nil {
		return *r.RetryAfter
	}
	if r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable {
		return 60
	}
	return -1
}

// wait sleeps for d of wall time (latency is real, not sandbox time) or
// until the client goes away; it tells whether the full wait passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// FeedPath is the feed's path, the default of feed faults.
const FeedPath = "/api/orders/feed"

type feedModeKey struct{}

// FeedMode returns the feed delivery mode a fault chose for this request:
// "", "duplicate" or "reorder".
func FeedMode(ctx context.Context) string {
	m, _ := ctx.Value(feedModeKey{}).(string)
	return m
}
