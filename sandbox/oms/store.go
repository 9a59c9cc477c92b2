package oms

import (
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
	// hotOrders is how many orders an account keeps as structs (the
	// constant hotOrders unless a test sets it lower).
	hotOrders int

	mu       sync.RWMutex
	accounts map[string]*Account
}

// New returns an OMS with no accounts. seed makes generated ids and data
// reproducible: the same seed gives the same orders.
func New(c *clock.Clock, bus *events.Bus, seed uint64) *OMS {
	return &OMS{clock: c, bus: bus, seed: seed, accounts: map[string]*Account{}, hotOrders: hotOrders}
}

// tick is the finest time an order holds: VTEX's documents show seven
// fractional digits (.NET ticks of 100 ns). Holding no finer time than the
// document shows lets a cold order thaw to the very instants it had.
const tick = 100 * time.Nanosecond

// now is the sandbox clock's time, to the tick.
func (s *OMS) now() time.Time { return s.clock.Now().Truncate(tick) }

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
		if a.Has(orderID) {
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
	orders     map[string]*entry
	bySequence map[string]*entry
	index      index    // list orders' rows, by creation date
	docs       docCache // encoded documents, for reads
	hot        hotList  // the orders kept as structs
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
	a.orders = map[string]*entry{}
	a.bySequence = map[string]*entry{}
	a.index.reset()
	a.docs.clear()
	a.hot = hotList{}
	a.ids = newIDSource(a.name, a.oms.seed)
	if seed != nil {
		now := a.oms.now()
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
	now := a.oms.now()
	at := n.CreatedAt.Truncate(tick)
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
	e := &entry{o: o}
	a.orders[o.OrderID] = e
	a.bySequence[o.Sequence] = e
	a.index.add(e)
	defer a.touched(e)
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
		a.schedulePlatform(e)
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
	e, err := a.lookupHot(id)
	if err != nil {
		return err
	}
	defer a.touched(e)
	return fn(e.o, a.oms.now())
}

// touched brings a hot order's look-up fields, row and cached document up
// to date after a change (or an attempt that left it as it was), makes it
// the most recent hot order and lets the least recent go cold past
// hotOrders. The account is write-locked.
func (a *Account) touched(e *entry) {
	e.refresh(e.o)
	a.index.refresh(e)
	a.docs.drop(e)
	a.hot.touch(e)
	for a.hot.n > a.oms.hotOrders {
		last := a.hot.tail
		a.hot.remove(last)
		if err := last.freeze(a.docs.take(last)); err != nil {
			// An order that cannot be encoded stays hot; Get order would
			// fail on it the same way.
			a.hot.pushFront(last)
			return
		}
	}
}

// lookupHot finds an order to change, thawing it if it has gone cold. The
// account is write-locked; the caller calls touched.
func (a *Account) lookupHot(id string) (*entry, error) {
	e, err := a.lookup(id)
	if err != nil || e.o != nil {
		return e, err
	}
	o, err := e.thawed()
	if err != nil {
		return nil, err
	}
	e.o, e.cold, e.hidden = o, nil, nil
	return e, nil
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
	e, err := a.lookupHot(id)
	if err != nil {
		return nil, err
	}
	defer a.touched(e)
	o := e.o
	path, ok := PathTo(o.Status, to, ByPlatform)
	if !ok || len(path) == 0 {
		return nil, &Error{Kind: KindConflict, Code: CodeIllegalTransition,
			Message: fmt.Sprintf("the platform cannot move an order from %s to %s", o.Status, to)}
	}
	now := a.oms.now()
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
// seq{sequence}. A cold order is decoded for the call and stays cold.
func (a *Account) Read(id string, fn func(*Order) error) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	e, err := a.lookup(id)
	if err != nil {
		return err
	}
	o, err := e.view()
	if err != nil {
		return err
	}
	return fn(o)
}

// Has reports whether the account holds the order.
func (a *Account) Has(id string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	_, err := a.lookup(id)
	return err == nil
}

// Document returns the order's VTEX document as Get order answers it,
// JSON with a final newline. It is encoded once per change and then served
// from memory: the bytes must not be modified.
func (a *Account) Document(id string) ([]byte, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	e, err := a.lookup(id)
	if err != nil {
		return nil, err
	}
	if doc := a.docs.get(e); doc != nil {
		return doc, nil
	}
	// Made under the read lock: no change can come between the encoding
	// and the cache, and a change drops it under the write lock.
	var doc []byte
	if e.o != nil {
		doc, err = encodeDocument(e.o)
	} else {
		doc, err = e.document()
	}
	if err != nil {
		return nil, err
	}
	a.docs.put(e, doc)
	return doc, nil
}

// ByMarketplaceOrderID returns the id of the order a marketplace knows by
// code (for B2W, the SkyHub code).
func (a *Account) ByMarketplaceOrderID(code string) (string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for i := range a.index.rows {
		if e := a.index.rows[i].e; e.marketplaceOrderID == code {
			return e.id, true
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

func (a *Account) lookup(id string) (*entry, error) {
	if seq, ok := strings.CutPrefix(id, "seq"); ok {
		if e := a.bySequence[seq]; e != nil {
			return e, nil
		}
	} else if e := a.orders[id]; e != nil {
		return e, nil
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
