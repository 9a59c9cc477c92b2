// Package feed owns VTEX's Feed v3: one queue of order events per app key,
// filled by the domain's events through a filter (FromWorkflow: status
// changes to listed statuses; FromOrders: any change for which a JSONata
// expression holds), read in lots that then stay invisible for the
// visibility timeout, deleted by commit, expired after the retention
// period. The filter and the item shape are shared with the hook.
package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/internal/jsonata"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Filter types.
const (
	FromWorkflow = "FromWorkflow"
	FromOrders   = "FromOrders"
)

// Filter says which order events enter a feed (or reach a hook).
type Filter struct {
	Type   string   `json:"type"`
	Status []string `json:"status,omitempty"`
	// Expression is a JSONata expression over the order document.
	Expression string `json:"expression,omitempty"`
	// DisableSingleFire lets an order enter on every change while the
	// expression holds; by default it enters the first time only.
	DisableSingleFire *bool `json:"disableSingleFire,omitempty"`
}

// MaxExpression is the longest FromOrders expression a filter takes, in
// bytes. VTEX documents no limit; a filter over an order needs far less,
// and a longer one would only cost every order event more to evaluate.
const MaxExpression = 4 << 10

// FilterTimeout is the event type that records a FromOrders evaluation the
// sandbox stopped, past jsonata.Timeout or past its bounds on strings and
// lists: the change counts as no match. The event names the account, the
// order and the app key, and gives the reason. The hook's is
// hook.filter-timeout.
const FilterTimeout = "feed.filter-timeout"

// ErrFilterStopped wraps a FromOrders evaluation the sandbox stopped.
var ErrFilterStopped = errors.New("the filter's evaluation was stopped")

// ConflictError is a filter mixing the two types' fields (VTEX: 409).
type ConflictError struct{ msg string }

func (e *ConflictError) Error() string { return e.msg }

// Matcher is a compiled filter. It keeps the single-fire memory, so each
// feed or hook has its own. It is safe for concurrent use; its matches run
// one at a time, so callers must not hold a lock other accounts need
// while it evaluates.
type Matcher struct {
	mu       sync.Mutex
	filter   Filter
	statuses map[string]bool
	expr     *jsonata.Expr
	fired    map[string]bool
}

// NewMatcher checks and compiles a filter. Status values are not checked
// against VTEX's statuses: VTEX does not check them either.
func NewMatcher(f Filter) (*Matcher, error) {
	m := &Matcher{filter: f}
	switch f.Type {
	case FromWorkflow:
		if f.Expression != "" || f.DisableSingleFire != nil {
			return nil, &ConflictError{"filter: a FromWorkflow filter takes status, not expression or disableSingleFire"}
		}
		m.statuses = map[string]bool{}
		for _, s := range f.Status {
			m.statuses[s] = true
		}
	case FromOrders:
		if len(f.Status) > 0 {
			return nil, &ConflictError{"filter: a FromOrders filter takes expression and disableSingleFire, not status"}
		}
		if f.Expression == "" {
			return nil, fmt.Errorf("filter.expression: a FromOrders filter needs a JSONata expression")
		}
		if len(f.Expression) > MaxExpression {
			return nil, fmt.Errorf("filter.expression is %d bytes long; the sandbox takes at most %d", len(f.Expression), MaxExpression)
		}
		expr, err := jsonata.Compile(f.Expression)
		if err != nil {
			return nil, fmt.Errorf("filter.expression: %w", err)
		}
		m.expr = expr
		m.fired = map[string]bool{}
	default:
		return nil, fmt.Errorf("filter.type must be FromWorkflow or FromOrders, not %q", f.Type)
	}
	return m, nil
}

// Filter returns the filter as configured.
func (m *Matcher) Filter() Filter { return m.filter }

// orderEvents are the events that change an order document.
var orderEvents = []string{events.OrderCreated, events.OrderStatusChanged, events.OrderChanged,
	events.InvoiceAdded, events.InvoiceUpdated, events.TrackingUpdated}

// Match tells whether e enters the feed. doc returns the order document
// as JSON (computed once per event, only when an expression needs it).
// An expression that fails counts as no match, as on VTEX; one the
// sandbox stopped (too slow, too large) also returns an error wrapping
// ErrFilterStopped, for the caller to record.
func (m *Matcher) Match(e *events.Event, doc func() []byte) (bool, error) {
	if m.expr == nil {
		return e.Type == events.OrderStatusChanged && (len(m.statuses) == 0 || m.statuses[e.To]), nil
	}
	if !slices.Contains(orderEvents, e.Type) {
		return false, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.singleFireOff() && m.fired[e.OrderID] {
		return false, nil
	}
	ok, err := m.expr.Match(doc())
	if errors.Is(err, jsonata.ErrTimeout) || errors.Is(err, jsonata.ErrTooLarge) {
		return false, fmt.Errorf("%w: %w", ErrFilterStopped, err)
	}
	if err != nil || !ok {
		return false, nil
	}
	m.fired[e.OrderID] = true
	return true, nil
}

func (m *Matcher) singleFireOff() bool {
	return m.filter.DisableSingleFire != nil && *m.filter.DisableSingleFire
}

// Change is what a feed item or a hook notification says of an event.
type Change struct {
	Domain, OrderID, State, LastState string
	LastChange, CurrentChange         time.Time
}

// ChangeOf reads an order event. Every order the sandbox holds is seen
// from the seller's side, so the domain is always Fulfillment (reference
// gap: VTEX also feeds Marketplace-domain events to marketplaces).
func ChangeOf(e *events.Event) Change {
	c := Change{Domain: "Fulfillment", OrderID: e.OrderID, State: e.To, LastState: e.From,
		LastChange: e.Since, CurrentChange: e.Time}
	if e.Type != events.OrderStatusChanged {
		if o, ok := e.Subject.(*oms.Order); ok {
			c.State, c.LastState = string(o.Status), string(o.Status)
		}
		c.LastChange = e.Time
	}
	if c.LastChange.IsZero() {
		c.LastChange = e.Time
	}
	return c
}

// TimeLayout is the feed's and hook's timestamp: .NET ticks, UTC, "Z".
const TimeLayout = "2006-01-02T15:04:05.0000000Z07:00"

// DocumentOf returns a lazy JSON encoder of the event's order, for Match.
func DocumentOf(e *events.Event) func() []byte {
	var doc []byte
	return func() []byte {
		if doc == nil {
			doc, _ = json.Marshal(e.Subject)
		}
		return doc
	}
}
