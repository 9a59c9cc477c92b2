package inventory

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// State is where a reservation stands.
type State string

// States. VTEX's Logistics has no status value for acknowledged (its
// Status stays 2, Confirmed); consumed is the sandbox's own: the order was
// invoiced and its units left the warehouse.
const (
	Authorized   State = "authorized"
	Confirmed    State = "confirmed"
	Acknowledged State = "acknowledged"
	Released     State = "released"
	Consumed     State = "consumed"
)

// Action moves a reservation.
type Action string

// Actions, each caused by an order event (sandbox/orderstock).
const (
	Confirm     Action = "confirm"     // payment approved
	Acknowledge Action = "acknowledge" // start-handling: the order owns the units
	Release     Action = "release"     // order canceled
	Consume     Action = "consume"     // order invoiced
)

// Transition is one row of the reservation table.
type Transition struct {
	From   State
	Action Action
	To     State
}

// reservationTransitions is the life of a reservation (Help Center "How
// does reservation work"). Stock effects follow from the states: an
// active state counts its lines as reserved; leaving one un-reserves
// them; consuming also takes them off the total.
var reservationTransitions = []Transition{
	{Authorized, Confirm, Confirmed},
	{Authorized, Acknowledge, Acknowledged},
	{Confirmed, Acknowledge, Acknowledged},
	{Authorized, Release, Released},
	{Confirmed, Release, Released},
	{Acknowledged, Release, Released},
	{Authorized, Consume, Consumed},
	{Confirmed, Consume, Consumed},
	{Acknowledged, Consume, Consumed},
}

// Transitions returns the table, for docs and tests.
func Transitions() []Transition { return append([]Transition{}, reservationTransitions...) }

// Active tells whether a reservation in s holds its units.
func (s State) Active() bool { return s == Authorized || s == Confirmed || s == Acknowledged }

// VTEXStatus is Logistics' Status number: 1 Authorized, 2 Confirmed,
// 5 Canceled_Manually. Acknowledged and consumed have none: 2.
func (s State) VTEXStatus() int {
	switch s {
	case Authorized:
		return 1
	case Released:
		return 5
	}
	return 2
}

var eventOf = map[Action]string{
	Confirm: ReservationConfirmed, Acknowledge: ReservationAcked, Release: ReservationReleased, Consume: ReservationConsumed,
}

// Line is one SKU of a reservation, in one warehouse.
type Line struct {
	SKU       string
	Warehouse string
	Quantity  int
	// Cleared: a count write zeroed this acknowledged line; it no longer
	// counts as reserved and consuming it takes nothing off the total.
	Cleared bool
}

// Reservation holds units of SKUs for an order.
type Reservation struct {
	ID           string
	OrderID      string // VTEX's LockId: the order the units are held for
	SalesChannel string
	State        State
	Lines        []Line
	Created      time.Time
	Updated      time.Time
	Confirmed    time.Time
	Acknowledged time.Time
	Canceled     time.Time
	// Oversold: the order was taken with fewer units available than it
	// reserved (allowOversell, or an order from a channel that cannot be
	// refused).
	Oversold bool
}

// Want is a quantity of a SKU an order needs.
type Want struct {
	SKU      string
	Quantity int
}

// Shortage says which SKUs lack stock.
type Shortage struct {
	SKU       string
	Wanted    int
	Available int
}

// Reserve holds wants for an order, in one step: every SKU or none. Each
// SKU is taken from the first active warehouse (by priority, then id) that
// has enough available; when none has, the reservation is refused with
// Short, unless allowShort, when it takes the warehouse with the most
// available (the account's first warehouse if the SKU has no stock at all)
// and available goes negative. An order reserves once: a second call
// returns the first reservation.
func (a *Account) Reserve(orderID, salesChannel string, wants []Want, allowShort bool) (Reservation, error) {
	if orderID == "" {
		return Reservation{}, fail(Invalid, "an order id is needed")
	}
	merged := mergeWants(wants)
	for _, w := range merged {
		if err := checkSKU(w.SKU); err != nil {
			return Reservation{}, err
		}
		if w.Quantity < 1 || w.Quantity > MaxQuantity {
			return Reservation{}, fail(Invalid, "quantity of SKU %s: %d is outside 1 to %d", w.SKU, w.Quantity, MaxQuantity)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if id, ok := a.byOrder[orderID]; ok {
		return a.copyOf(a.reservations[id]), nil
	}
	whs := a.activeWarehouses()
	if len(whs) == 0 {
		return Reservation{}, fail(Short, "account %s has no active warehouse to reserve from", a.name)
	}
	var lines []Line
	var short []Shortage
	for _, w := range merged {
		wh, avail, ok := a.pick(whs, w)
		if !ok {
			short = append(short, Shortage{w.SKU, w.Quantity, avail})
		}
		lines = append(lines, Line{SKU: w.SKU, Warehouse: wh, Quantity: w.Quantity})
	}
	if len(short) > 0 && !allowShort {
		return Reservation{}, shortError(short)
	}
	now := a.inv.now()
	a.seq++
	r := &Reservation{ID: fmt.Sprintf("%s-%06d", a.name, a.seq), OrderID: orderID, SalesChannel: salesChannel,
		State: Authorized, Lines: lines, Created: now, Updated: now, Oversold: len(short) > 0}
	a.reservations[r.ID] = r
	a.byOrder[orderID] = r.ID
	a.resOrder = append(a.resOrder, r.ID)
	touched := make([]*Balance, 0, len(lines))
	for _, l := range lines {
		b := a.balances[key{l.SKU, l.Warehouse}]
		if b == nil {
			b = &Balance{SKU: l.SKU, Warehouse: l.Warehouse}
			a.balances[key{l.SKU, l.Warehouse}] = b
		}
		b.Reserved += l.Quantity
		touched = append(touched, b)
	}
	a.publish(ReservationCreated, orderID, r.eventData())
	for _, b := range touched {
		a.publishBalance(b)
	}
	return a.copyOf(r), nil
}

// Check tells whether wants could be reserved now, without reserving:
// nil, or the *ShortError Reserve would answer.
func (a *Account) Check(wants []Want) error {
	merged := mergeWants(wants)
	a.mu.Lock()
	defer a.mu.Unlock()
	whs := a.activeWarehouses()
	var short []Shortage
	for _, w := range merged {
		if len(whs) == 0 {
			short = append(short, Shortage{w.SKU, w.Quantity, 0})
			continue
		}
		if _, avail, ok := a.pick(whs, w); !ok {
			short = append(short, Shortage{w.SKU, w.Quantity, avail})
		}
	}
	if len(short) > 0 {
		return shortError(short)
	}
	return nil
}

func shortError(short []Shortage) *ShortError {
	parts := make([]string, len(short))
	for i, s := range short {
		parts[i] = fmt.Sprintf("SKU %s: %d wanted, %d available", s.SKU, s.Wanted, s.Available)
	}
	return &ShortError{Short: short, msg: "not enough stock: " + strings.Join(parts, "; ")}
}

// ShortError is the refusal of a reservation for lack of stock (Kind
// Short), with the SKUs that lack it.
type ShortError struct {
	Short []Shortage
	msg   string
}

func (e *ShortError) Error() string { return e.msg }

// AsShort unwraps a shortage.
func AsShort(err error) (*ShortError, bool) {
	e, ok := err.(*ShortError)
	return e, ok
}

func mergeWants(wants []Want) []Want {
	var out []Want
	at := map[string]int{}
	for _, w := range wants {
		if i, ok := at[w.SKU]; ok {
			out[i].Quantity += w.Quantity
			continue
		}
		at[w.SKU] = len(out)
		out = append(out, w)
	}
	return out
}

func (a *Account) activeWarehouses() []*Warehouse {
	var whs []*Warehouse
	for _, w := range a.warehouses {
		if w.IsActive {
			whs = append(whs, w)
		}
	}
	sort.Slice(whs, func(i, j int) bool {
		if whs[i].Priority != whs[j].Priority {
			return whs[i].Priority < whs[j].Priority
		}
		return whs[i].ID < whs[j].ID
	})
	return whs
}

// pick chooses the warehouse of a want; ok is false when none has enough,
// and then avail is the most any has.
func (a *Account) pick(whs []*Warehouse, w Want) (wh string, avail int, ok bool) {
	best, bestAvail := "", 0
	for _, x := range whs {
		b := a.balances[key{w.SKU, x.ID}]
		if b == nil {
			continue
		}
		if b.Unlimited || b.Available() >= w.Quantity {
			return x.ID, b.Available(), true
		}
		if best == "" || b.Available() > bestAvail {
			best, bestAvail = x.ID, b.Available()
		}
	}
	if best == "" {
		return whs[0].ID, 0, false
	}
	return best, max(bestAvail, 0), false
}

// Fire moves the reservation of an order through the table. An order
// without a reservation (its SKUs are not in the catalog) is no error:
// ok is false. A move the table lacks is refused.
func (a *Account) Fire(orderID string, act Action) (r Reservation, ok bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, has := a.byOrder[orderID]
	if !has {
		return Reservation{}, false, nil
	}
	res := a.reservations[id]
	t, found := findTransition(res.State, act)
	if !found {
		return a.copyOf(res), true, fail(Invalid, "reservation %s is %s: cannot %s", id, res.State, act)
	}
	now := a.inv.now()
	var touched []*Balance
	if res.State.Active() && !t.To.Active() {
		for _, l := range res.Lines {
			if l.Cleared {
				continue
			}
			b := a.balances[key{l.SKU, l.Warehouse}]
			b.Reserved -= l.Quantity
			if act == Consume && !b.Unlimited {
				b.Total = max(b.Total-l.Quantity, 0)
			}
			touched = append(touched, b)
		}
	}
	res.State, res.Updated = t.To, now
	switch t.To {
	case Confirmed:
		res.Confirmed = now
	case Acknowledged:
		res.Acknowledged = now
		if res.Confirmed.IsZero() {
			res.Confirmed = now
		}
	case Released:
		res.Canceled = now
	}
	a.publish(eventOf[act], orderID, res.eventData())
	for _, b := range touched {
		a.publishBalance(b)
	}
	return a.copyOf(res), true, nil
}

func findTransition(from State, act Action) (Transition, bool) {
	for _, t := range reservationTransitions {
		if t.From == from && t.Action == act {
			return t, true
		}
	}
	return Transition{}, false
}

// clearAcknowledged zeroes the acknowledged lines of b's SKU and
// warehouse. The caller holds a.mu.
func (a *Account) clearAcknowledged(b *Balance) []*Reservation {
	var cleared []*Reservation
	for _, id := range a.resOrder {
		r := a.reservations[id]
		if r.State != Acknowledged {
			continue
		}
		for i := range r.Lines {
			l := &r.Lines[i]
			if l.SKU == b.SKU && l.Warehouse == b.Warehouse && !l.Cleared {
				l.Cleared = true
				b.Reserved -= l.Quantity
				r.Updated = a.inv.now()
				cleared = append(cleared, r)
			}
		}
	}
	return cleared
}

// Reservation returns a reservation by id.
func (a *Account) Reservation(id string) (Reservation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.reservations[id]
	if r == nil {
		return Reservation{}, fail(NotFound, "Reservation %q not found", id)
	}
	return a.copyOf(r), nil
}

// OrderReservation returns the reservation of an order.
func (a *Account) OrderReservation(orderID string) (Reservation, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.byOrder[orderID]
	if !ok {
		return Reservation{}, false
	}
	return a.copyOf(a.reservations[id]), true
}

// Reservations lists, oldest first, the reservations with a line of sku
// ("" for any) in warehouse ("" for any).
func (a *Account) Reservations(sku, warehouse string) []Reservation {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Reservation
	for _, id := range a.resOrder {
		r := a.reservations[id]
		for _, l := range r.Lines {
			if (sku == "" || l.SKU == sku) && (warehouse == "" || l.Warehouse == warehouse) {
				out = append(out, a.copyOf(r))
				break
			}
		}
	}
	return out
}

func (a *Account) copyOf(r *Reservation) Reservation {
	c := *r
	c.Lines = append([]Line{}, r.Lines...)
	return c
}

func (r *Reservation) eventData() map[string]any {
	items := make([]map[string]any, len(r.Lines))
	for i, l := range r.Lines {
		items[i] = map[string]any{"sku": l.SKU, "warehouseId": l.Warehouse, "quantity": l.Quantity}
	}
	return map[string]any{"reservationId": r.ID, "state": string(r.State), "items": items, "oversold": r.Oversold}
}
