package oms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// OMS holds the order stores of every account of one sandbox.
type OMS struct {
	clock  *clock.Clock
	bus    *events.Bus
	seed   uint64
	delays PlatformDelays

	mu       sync.RWMutex
	accounts map[string]*Account
}

// New returns an OMS with no accounts. seed makes generated ids and data
// reproducible: the same seed gives the same orders.
func New(c *clock.Clock, bus *events.Bus, seed uint64) *OMS {
	return &OMS{clock: c, bus: bus, seed: seed, accounts: map[string]*Account{}}
}

// Account returns the named account's store.
func (s *OMS) Account(name string) (*Account, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[name]
	return a, ok
}

// Accounts returns the account names, sorted.
func (s *OMS) Accounts() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.accounts))
	for n := range s.accounts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AddAccount creates the named account, or returns it if it exists, and
// (re)loads it with seed's orders.
func (s *OMS) AddAccount(name string, seed *Seed) (*Account, error) {
	s.mu.Lock()
	a, ok := s.accounts[name]
	if !ok {
		a = &Account{name: name, oms: s}
		s.accounts[name] = a
	}
	s.mu.Unlock()
	a.mu.Lock()
	a.seed = seed
	a.mu.Unlock()
	return a, a.Reset()
}

// Locate finds the account that holds an order id.
func (s *OMS) Locate(orderID string) (*Account, bool) {
	s.mu.RLock()
	accounts := make([]*Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		accounts = append(accounts, a)
	}
	s.mu.RUnlock()
	for _, a := range accounts {
		if a.Read(orderID, func(*Order) error { return nil }) == nil {
			return a, true
		}
	}
	return nil, false
}

// Account is one VTEX account's order store. All its methods are safe for
// concurrent use; each change is published while the account is locked, so
// subscribers see an account's events in the order they happened.
type Account struct {
	name string
	oms  *OMS

	mu         sync.RWMutex
	orders     map[string]*Order
	bySequence map[string]*Order
	index      index    // list orders' rows, by creation date
	docs       docCache // encoded documents, for reads
	ids        *idSource
	seed       *Seed
	// resets counts the resets, and highSequence is the highest sequence
	// ever issued: both outlive a reset, so the orders created after one
	// never take an id or a sequence an earlier order had.
	resets       uint64
	highSequence int
}

// Name is the account name.
func (a *Account) Name() string { return a.name }

// Reset empties the account and creates its seed orders again, with the
// same ids as the first time. Orders created after a reset draw ids of
// their own: an id is never issued twice in a sandbox's life, so an
// integration that keeps its store across resets never sees one again.
func (a *Account) Reset() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ids != nil {
		a.highSequence = max(a.highSequence, a.ids.sequence)
		a.resets++
	}
	seed := a.seed
	a.orders = map[string]*Order{}
	a.bySequence = map[string]*Order{}
	a.index.reset()
	a.docs.clear()
	a.ids = newIDSource(a.name, a.oms.seed)
	if seed != nil {
		now := a.oms.clock.Now()
		for i, so := range seed.Orders {
			n := so.NewOrder
			n.CreatedAt = now.Add(-so.Age.Duration)
			if _, err := a.createLocked(n); err != nil {
				return fmt.Errorf("seed order %d of account %s: %w", i, a.name, err)
			}
		}
	}
	if a.resets > 0 {
		seq := max(a.highSequence, a.ids.sequence)
		a.ids = newIDSourceGen(a.name, a.oms.seed, a.resets)
		a.ids.sequence = seq
	}
	return nil
}

// Create makes a new order and walks it through the transition table to
// n.Status, publishing every event on the way. It returns the new order's
// id.
func (a *Account) Create(n NewOrder) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.createLocked(n)
}

func (a *Account) createLocked(n NewOrder) (string, error) {
	n.applyDefaults()
	if err := n.Validate(); err != nil {
		return "", err
	}
	now := a.oms.clock.Now()
	at := n.CreatedAt
	if at.IsZero() || at.After(now) {
		at = now
	}
	o := build(a.name, &n, a.ids, at)
	for a.orders[o.OrderID] != nil { // 13 random digits: practically never
		o = build(a.name, &n, a.ids, at)
	}
	// The first status may be transient (order-created): settle it before
	// planning the walk, and replay the same steps on the real order below.
	trial := *o
	first := o.Status
	settle(&trial, at, nil)
	target, timed := a.oms.timedStop(&n)
	if !timed {
		target = n.Status
	}
	path, ok := PathTo(trial.Status, target, byAnyone)
	if !ok {
		return "", &Error{Kind: KindInvalid, Code: CodeInvalid,
			Message: fmt.Sprintf("status %s cannot be reached from %s", target, trial.Status)}
	}
	// Dry run on the copy: a guard that refuses half-way must leave nothing.
	// A refusal here is the request's fault (the status asked for cannot be
	// reached by this order), not a conflict with an existing order.
	for _, act := range path {
		if _, err := fire(&trial, act, byAnyone, at, nil); err != nil {
			return "", &Error{Kind: KindInvalid, Code: CodeInvalid,
				Message: fmt.Sprintf("status %s cannot be reached: %v", target, err)}
		}
	}
	a.orders[o.OrderID] = o
	a.bySequence[o.Sequence] = o
	a.index.add(o)
	defer a.touched(o)
	a.publish(o, events.Event{Type: events.OrderCreated, To: string(first)}, at)
	settle(o, at, a.emitter(o, at))
	for i, act := range path {
		// Steps are a minute apart, never in the future.
		t := at.Add(time.Duration(i+1) * time.Minute)
		if t.After(now) {
			t = now
		}
		_, _ = fire(o, act, byAnyone, t, a.emitter(o, t))
	}
	if timed {
		a.schedulePlatform(o)
	}
	return o.OrderID, nil
}

// Fire takes action on the order as by, through the transition table.
func (a *Account) Fire(id string, action Action, by Actor) ([]Change, error) {
	var changes []Change
	err := a.mutate(id, func(o *Order, now time.Time) (err error) {
		changes, err = fire(o, action, by, now, a.emitter(o, now))
		return err
	})
	return changes, err
}

// mutate runs fn on the order with the account locked. fn checks
// everything before it changes anything: on error the order is untouched.
// It publishes its own events, while the lock keeps them in order.
func (a *Account) mutate(id string, fn func(o *Order, now time.Time) error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, err := a.lookup(id)
	if err != nil {
		return err
	}
	defer a.touched(o)
	return fn(o, a.oms.clock.Now())
}

// touched brings o's row and cached document up to date after a change
// (or an attempt that left it as it was). The account is locked.
func (a *Account) touched(o *Order) {
	a.index.refresh(o)
	a.docs.drop(o)
}

// receipt is VTEX's answer to an accepted operation.
func (a *Account) receipt(o *Order, now time.Time) Receipt {
	return Receipt{Date: Time{now}, OrderID: o.OrderID, Receipt: a.ids.hex(32)}
}

// Advance walks the order to status to with platform steps (payment
// approval, the window to cancel), as the platform would.
func (a *Account) Advance(id string, to Status) ([]Change, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, err := a.lookup(id)
	if err != nil {
		return nil, err
	}
	defer a.touched(o)
	path, ok := PathTo(o.Status, to, ByPlatform)
	if !ok || len(path) == 0 {
		return nil, &Error{Kind: KindConflict, Code: CodeIllegalTransition,
			Message: fmt.Sprintf("the platform cannot move an order from %s to %s", o.Status, to)}
	}
	now := a.oms.clock.Now()
	trial := *o
	for _, act := range path {
		if _, err := fire(&trial, act, ByPlatform, now, nil); err != nil {
			return nil, err
		}
	}
	var all []Change
	for _, act := range path {
		changes, _ := fire(o, act, ByPlatform, now, a.emitter(o, now))
		all = append(all, changes...)
	}
	return all, nil
}

// Read calls fn with the order while the account is read-locked; fn must
// not keep the pointer or change the order. id may be an order id or
// seq{sequence}.
func (a *Account) Read(id string, fn func(*Order) error) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	o, err := a.lookup(id)
	if err != nil {
		return err
	}
	return fn(o)
}

// Document returns the order's VTEX document as Get order answers it,
// JSON with a final newline. It is encoded once per change and then served
// from memory: the bytes must not be modified.
func (a *Account) Document(id string) ([]byte, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	o, err := a.lookup(id)
	if err != nil {
		return nil, err
	}
	if doc := a.docs.get(o); doc != nil {
		return doc, nil
	}
	// Encoded under the read lock: no change can come between the
	// encoding and the cache, and a change drops it under the write lock.
	buf := encoders.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); encoders.Put(buf) }()
	if err := json.NewEncoder(buf).Encode(o); err != nil {
		return nil, err
	}
	doc := bytes.Clone(buf.Bytes()) // one allocation, the document's size
	a.docs.put(o, doc)
	return doc, nil
}

// encoders hold the buffers documents are encoded into.
var encoders = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ByMarketplaceOrderID returns the id of the order a marketplace knows by
// code (for B2W, the SkyHub code).
func (a *Account) ByMarketplaceOrderID(code string) (string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for i := range a.index.rows {
		if o := a.index.rows[i].o; o.MarketplaceOrderID == code {
			return o.OrderID, true
		}
	}
	return "", false
}

// Len returns the number of orders in the account.
func (a *Account) Len() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.index.rows)
}

func (a *Account) lookup(id string) (*Order, error) {
	if seq, ok := strings.CutPrefix(id, "seq"); ok {
		if o := a.bySequence[seq]; o != nil {
			return o, nil
		}
	} else if o := a.orders[id]; o != nil {
		return o, nil
	}
	return nil, notFound(id)
}

// emitter publishes each status change of o as it happens.
func (a *Account) emitter(o *Order, at time.Time) func(Change) {
	return func(c Change) {
		a.publish(o, events.Event{Type: events.OrderStatusChanged, Action: string(c.Action),
			From: string(c.From), To: string(c.To), Since: c.Since}, at)
	}
}

func (a *Account) publish(o *Order, e events.Event, at time.Time) {
	e.Time = at
	e.Account = a.name
	e.OrderID = o.OrderID
	e.Subject = o
	a.oms.bus.Publish(e)
}
