// Package inventory owns VTEX Logistics' stock as the sandbox keeps it:
// warehouses and docks (a minimal configuration), the balance of each SKU
// in each warehouse (total, reserved, and available = total − reserved,
// which may go negative), the lock window that answers 423 to a second
// write of one SKU and warehouse too soon, and reservations, whose life is
// a transition table (reservationTransitions). Every accepted change is an
// event on the bus. State is per account, each account behind its own
// lock. It knows nothing of HTTP nor of orders: sandbox/orderstock ties
// orders to reservations.
package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/accounts"
	"sort"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
)

// Event types, filterable on the control plane.
const (
	Updated               = "inventory.updated"
	ReservationCreated    = "reservation.created"
	ReservationConfirmed  = "reservation.confirmed"
	ReservationAcked      = "reservation.acknowledged"
	ReservationReleased   = "reservation.released"
	ReservationConsumed   = "reservation.consumed"
	ReservationCleared    = "reservation.cleared" // a count write zeroed an acknowledged line
	ReservationExpiredEvt = "reservation.expired"
)

// UnlimitedQuantity is the total VTEX shows for unlimited stock.
const UnlimitedQuantity = 1_000_000

// MaxQuantity bounds a count (VTEX's int32).
const MaxQuantity = 2147483647

// Kind classifies a refusal.
type Kind int

// Kinds of refusal.
const (
	Invalid  Kind = iota + 1 // 400
	NotFound                 // 404
	Locked                   // 423: a write within the lock window
	Short                    // 409: not enough available stock to reserve
)

// Error is a refusal.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

// AsError unwraps an inventory refusal.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func fail(k Kind, format string, a ...any) error { return &Error{k, fmt.Sprintf(format, a...)} }

// Options configure the inventory.
type Options struct {
	// LockWindow is how long after a write of one SKU and warehouse a
	// second write is refused with 423 (VTEX: "within milliseconds";
	// clients wait "a few seconds"). Measured on the sandbox clock. Zero
	// turns the lock off: on a frozen clock every write happens at the
	// same instant, so a non-zero default would lock a test's second write
	// for ever; tests and harness scenarios opt in.
	LockWindow time.Duration
}

// Inventory holds every account's stock.
type Inventory struct {
	now  func() time.Time
	bus  *events.Bus
	opts Options
	acc  *accounts.Set[Account]
	seed func(*Account)
}

// New returns an empty inventory on the sandbox clock; seed, if not nil,
// configures each new or reset account (warehouses and docks).
func New(now func() time.Time, bus *events.Bus, opts Options, seed func(*Account)) *Inventory {
	inv := &Inventory{now: now, bus: bus, opts: opts, seed: seed}
	inv.acc = accounts.New(func(name string) *Account {
		a := &Account{name: name, inv: inv}
		a.clear()
		if seed != nil {
			seed(a)
		}
		return a
	})
	return inv
}

// Account returns the account's inventory, created (and seeded) on first use.
func (inv *Inventory) Account(name string) *Account { return inv.acc.Get(name) }

// Reset returns one account ("" for all) to its seeded configuration with
// no stock and no reservations.
func (inv *Inventory) Reset(account string) {
	inv.acc.Each(account, func(a *Account) {
		a.mu.Lock()
		a.clear()
		a.mu.Unlock()
		if inv.seed != nil {
			inv.seed(a) // takes a.mu itself
		}
	})
}

// Account is one account's logistics: configuration, balances,
// reservations.
type Account struct {
	name string
	inv  *Inventory
	// gate serializes the check-then-create of control-plane orders (see
	// Gate); mu guards the state and is never held while gate is awaited.
	gate sync.Mutex
	mu   sync.Mutex

	warehouses   map[string]*Warehouse
	docks        map[string]*Dock
	balances     map[key]*Balance
	reservations map[string]*Reservation
	byOrder      map[string]string // order id → reservation id
	resOrder     []string          // reservation ids, oldest first
	seq          int
}

type key struct{ sku, warehouse string }

func (a *Account) clear() {
	a.warehouses, a.docks = map[string]*Warehouse{}, map[string]*Dock{}
	a.balances, a.reservations, a.byOrder = map[key]*Balance{}, map[string]*Reservation{}, map[string]string{}
	a.resOrder, a.seq = nil, 0
}

// Name is the account's name.
func (a *Account) Name() string { return a.name }

// Gate runs fn alone among the account's gated calls: the control plane
// checks availability and creates its order inside, so two creations
// cannot both take the last unit. fn may call the account's methods (and
// cause order events that reserve): the state lock is separate.
func (a *Account) Gate(fn func() error) error {
	a.gate.Lock()
	defer a.gate.Unlock()
	return fn()
}

func (a *Account) publish(typ, orderID string, data map[string]any) {
	a.inv.bus.Publish(events.Event{Time: a.inv.now(), Account: a.name, Type: typ, OrderID: orderID, Data: data})
}

// Warehouse is a warehouse, as VTEX's configuration returns it.
type Warehouse struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	WarehouseDocks []WarehouseDock `json:"warehouseDocks"`
	PickupPointIDs []string        `json:"pickupPointIds"`
	Priority       int             `json:"priority"`
	IsActive       bool            `json:"isActive"`
}

// WarehouseDock links a warehouse to a dock.
type WarehouseDock struct {
	DockID string  `json:"dockId"`
	Name   string  `json:"name,omitempty"`
	Time   string  `json:"time"`
	Cost   float64 `json:"cost"`
}

// Dock is a dock: the part of VTEX's configuration the sandbox keeps.
type Dock struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Priority         int      `json:"priority"`
	DockTimeFake     string   `json:"dockTimeFake"`
	TimeFakeOverhead string   `json:"timeFakeOverhead"`
	SalesChannels    []string `json:"salesChannels"`
	SalesChannel     string   `json:"salesChannel"`
	FreightTableIDs  []string `json:"freightTableIds"`
	WmsEndPoint      *string  `json:"wmsEndPoint"`
	IsActive         bool     `json:"isActive"`
}

// PutDock creates or replaces a dock.
func (a *Account) PutDock(d Dock) error {
	if d.ID == "" || d.Name == "" {
		return fail(Invalid, "id and name are required")
	}
	if d.SalesChannels == nil {
		d.SalesChannels = []string{}
	}
	if d.FreightTableIDs == nil {
		d.FreightTableIDs = []string{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.docks[d.ID] = &d
	return nil
}

// PutWarehouse creates or replaces a warehouse; its docks must exist.
func (a *Account) PutWarehouse(w Warehouse) error {
	if w.ID == "" || w.Name == "" {
		return fail(Invalid, "id and name are required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, d := range w.WarehouseDocks {
		if a.docks[d.DockID] == nil {
			return fail(Invalid, "warehouseDocks[%d].dockId: dock %q not found", i, d.DockID)
		}
	}
	if w.PickupPointIDs == nil {
		w.PickupPointIDs = []string{}
	}
	if w.WarehouseDocks == nil {
		w.WarehouseDocks = []WarehouseDock{}
	}
	a.warehouses[w.ID] = &w
	return nil
}

// Warehouses lists the warehouses by id.
func (a *Account) Warehouses() []Warehouse {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Warehouse, 0, len(a.warehouses))
	for _, id := range sortedKeys(a.warehouses) {
		out = append(out, *a.warehouses[id])
	}
	return out
}

// Docks lists the docks by id.
func (a *Account) Docks() []Dock {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Dock, 0, len(a.docks))
	for _, id := range sortedKeys(a.docks) {
		out = append(out, *a.docks[id])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Fingerprint sums up the account's configuration, balances and
// reservations, for tests and fuzzers that check a refused request
// changed nothing.
func (a *Account) Fingerprint() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	bal := map[string]Balance{}
	for k, b := range a.balances {
		bal[k.sku+"@"+k.warehouse] = *b
	}
	b, _ := json.Marshal([]any{a.warehouses, a.docks, bal, a.reservations})
	return string(b)
}
