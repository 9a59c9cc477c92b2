package skyhub

import (
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// Event types the hub publishes.
const (
	EventOrderCreated        = "skyhub.order-created"
	EventStatusChanged       = "skyhub.status-changed"
	EventInvoiced            = "skyhub.invoice-received"
	EventGrouped             = "skyhub.plp-grouped"
	EventUngrouped           = "skyhub.plp-ungrouped"
	EventCollectionRequested = "skyhub.collection-requested"
)

// Queue and PLP rules.
const (
	// Redelivery: an order read from the queue and not deleted comes back
	// after 5 minutes.
	Redelivery = 5 * time.Minute
	// PageSize of the /shipments/b2w lists (offset is a page number).
	PageSize = 20
	// PLPLifetime: a PLP's expiration_date (the sandbox's choice).
	PLPLifetime = 7 * 24 * time.Hour
)

// queuedTypes are the statuses that put an order (back) in the integration
// queue: those the marketplace sets.
var queuedTypes = []Type{New, Approved, Canceled, Shipped, Delivered}

// Seller is a SkyHub account and the VTEX account it is linked to.
type Seller struct {
	Email             string `json:"email"`
	APIKey            string `json:"apiKey"`
	AccountManagerKey string `json:"accountManagerKey,omitempty"`
	// Account is the VTEX account its B2W orders are mirrored into.
	Account string `json:"account"`
	// CNPJ is the seller's: the issuer its NF-e keys must name.
	CNPJ string `json:"cnpj,omitempty"`
}

// DefaultCNPJ is a seller's CNPJ when its configuration names none.
const DefaultCNPJ = "11222333000181"

// Issuer returns the CNPJ the seller's NF-e keys must name.
func (s Seller) Issuer() string {
	if s.CNPJ == "" {
		return DefaultCNPJ
	}
	return s.CNPJ
}

// Hub holds every seller's SkyHub data.
type Hub struct {
	clock *clock.Clock
	bus   *events.Bus
	seed  uint64
	// ManualInvoiceProcessing holds Direct invoices until the control plane
	// marks them processed; by default B2W processes them at once.
	manual bool

	mu      sync.RWMutex
	sellers map[string]*Store // by email
}

// NewHub returns an empty hub.
func NewHub(c *clock.Clock, bus *events.Bus, seed uint64) *Hub {
	return &Hub{clock: c, bus: bus, seed: seed, sellers: map[string]*Store{}}
}

// SetManualInvoiceProcessing makes Direct invoices wait for the control
// plane (ProcessInvoice) before their labels are ready.
func (h *Hub) SetManualInvoiceProcessing(on bool) { h.manual = on }

// AddSeller registers a seller (or resets an existing one).
func (h *Hub) AddSeller(s Seller) *Store {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := &Store{hub: h, seller: s, rng: rand.New(rand.NewPCG(h.seed, uint64(len(s.Email))*7919))}
	st.reset()
	h.sellers[strings.ToLower(s.Email)] = st
	return st
}

// Seller returns a seller's store by e-mail.
func (h *Hub) Seller(email string) (*Store, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.sellers[strings.ToLower(email)]
	return s, ok
}

// ForAccount returns the store of the seller linked to a VTEX account.
func (h *Hub) ForAccount(account string) (*Store, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, s := range h.sellers {
		if s.seller.Account == account {
			return s, true
		}
	}
	return nil, false
}

// Locate finds the seller that holds an order code.
func (h *Hub) Locate(code string) (*Store, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, s := range h.sellers {
		if s.Get(code, func(*Order) {}) == nil {
			return s, true
		}
	}
	return nil, false
}

// Sellers lists the sellers.
func (h *Hub) Sellers() []Seller {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []Seller
	for _, s := range h.sellers {
		out = append(out, s.seller)
	}
	slices.SortFunc(out, func(a, b Seller) int { return strings.Compare(a.Email, b.Email) })
	return out
}

// Store is one seller's orders, queue and PLPs; safe for concurrent use.
type Store struct {
	hub    *Hub
	seller Seller

	mu      sync.Mutex
	orders  map[string]*Order // by code
	remote  map[string]*Order // by bare number
	list    []*Order
	queue   []queued
	plps    []*PLP
	nextPLP int
	rng     *rand.Rand

	products    map[string]*Product // by SKU
	productList []*Product          // in creation order
	variationOf map[string]string   // variation SKU -> product SKU
	ignored     map[string]bool     // SKUs whose sync errors the seller ignores
	tickets     []*Ticket
	questions   []*Question
}

type queued struct {
	code      string
	visibleAt time.Time
	// changes counts the status changes that queued the order; read is
	// the count when it was last handed out. A DELETE acknowledges what
	// was read: a change since then keeps the order queued, so that a
	// status the marketplace set between a read and its delete is not lost.
	changes, read int
}

// PLP is a pré-lista de postagem: orders grouped for one carrier.
type PLP struct {
	ID             int        `json:"id"`
	Type           string     `json:"type"`
	ExpirationDate string     `json:"expiration_date"`
	Orders         []PLPOrder `json:"orders"`
}

// PLPOrder is an order of a PLP, by its bare number.
type PLPOrder struct {
	Code string `json:"code"`
}

// Info returns the seller.
func (s *Store) Info() Seller { return s.seller }

// Reset empties the seller's data.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
}

func (s *Store) reset() {
	s.orders, s.remote, s.list, s.queue, s.plps, s.nextPLP = map[string]*Order{}, map[string]*Order{}, nil, nil, nil, 1000
	s.products, s.productList, s.variationOf, s.ignored = map[string]*Product{}, nil, map[string]string{}, map[string]bool{}
	s.tickets, s.questions = nil, nil
}

// lookup finds an order by full code or bare number.
func (s *Store) lookup(code string) (*Order, error) {
	if o := s.orders[code]; o != nil {
		return o, nil
	}
	if o := s.remote[code]; o != nil {
		return o, nil
	}
	if o := s.remote[RemoteOf(code)]; o != nil && strings.HasSuffix(code, o.remote) {
		return o, nil
	}
	return nil, &Error{Status: 404, Message: fmt.Sprintf("Pedido %s não encontrado", clip.ID(code))}
}

// Get calls fn with the order, locked.
func (s *Store) Get(code string, fn func(*Order)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(code)
	if err != nil {
		return err
	}
	fn(o)
	return nil
}

func (s *Store) publish(o *Order, typ string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["code"] = o.Code
	data["remoteCode"] = o.remote
	s.hub.bus.Publish(events.Event{Time: s.hub.clock.Now(), Account: s.seller.Account, Type: typ,
		To: string(o.Status.Type), Data: data})
}

// setStatus moves the order and re-queues it when the marketplace set the
// status.
func (s *Store) setStatus(o *Order, to Type, now time.Time) {
	from := o.Status.Type
	o.Status = statusOfType(to)
	o.UpdatedAt = skyhubTime(now)
	switch to {
	case Approved:
		t := skyhubTime(now)
		o.ApprovedDate = &t
	case Shipped:
		t := skyhubTime(now)
		o.ShippedDate = &t
	}
	if slices.Contains(queuedTypes, to) {
		s.enqueue(o.Code, now)
	}
	// A paid order lowers the catalog's qty; a canceled one gives it back.
	switch {
	case to == Approved && !o.stockTaken:
		s.takeStock(o, +1)
		o.stockTaken = true
	case to == Canceled && o.stockTaken:
		s.takeStock(o, -1)
		o.stockTaken = false
	}
	data := map[string]any{"code": o.Code, "remoteCode": o.remote}
	if to == Shipped && len(o.Shipments) > 0 {
		// The carrier's tracking starts from the shipment's track code.
		if tr := o.Shipments[len(o.Shipments)-1].Tracks; len(tr) > 0 {
			data["trackCode"], data["carrier"] = tr[0].Code, tr[0].Carrier
			data["city"], data["region"] = o.ShippingAddress.City, o.ShippingAddress.Region
		}
	}
	s.hub.bus.Publish(events.Event{Time: now, Account: s.seller.Account, Type: EventStatusChanged,
		From: string(from), To: string(to), Data: data})
}

func (s *Store) enqueue(code string, now time.Time) {
	for i := range s.queue {
		if s.queue[i].code == code {
			s.queue[i].visibleAt = now
			s.queue[i].changes++
			return
		}
	}
	s.queue = append(s.queue, queued{code: code, visibleAt: now, changes: 1})
}

// act runs a status action on an order through the transition table.
func (s *Store) act(code, action string, by Actor, apply func(o *Order, now time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(code)
	if err != nil {
		return err
	}
	to, err := move(o, action, by)
	if err != nil {
		return err
	}
	now := s.hub.clock.Now()
	if apply != nil {
		if err := apply(o, now); err != nil {
			return err
		}
	}
	s.setStatus(o, to, now)
	return nil
}
