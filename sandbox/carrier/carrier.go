// Package carrier owns the sandbox's carrier: a Correios-style tracking
// service whose parcels walk their events on the sandbox clock. A parcel
// is created when a tracking code is used on an invoice (VTEX), on a
// shipment (SkyHub) or by the control plane; it walks a table of steps
// (posted, in transit, out for delivery, delivered, or the unhappy paths
// of a scenario) whose times are laid out when it is created, and shows
// only the steps whose time has come. Tokens are issued per posting card
// and expire on the sandbox clock. Nothing here knows HTTP; api.go serves
// it in Correios' shape.
package carrier

import (
	"cmp"
	"context"
	"crypto/subtle"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// Events the carrier publishes, with the account (and the VTEX order id
// when the parcel came from one). The control plane filters on these.
const (
	EventParcelCreated = "carrier.parcel-created"
	// EventStep is one tracking event becoming visible: its time came.
	EventStep = "carrier.event"
	// EventCodeIgnored is a tracking number a channel carried that is no
	// Correios code: no parcel, and the reason.
	EventCodeIgnored = "carrier.code-ignored"
)

// TokenLifetime is how long a token lasts, on the sandbox clock (Correios
// issues day-long tokens).
const TokenLifetime = 24 * time.Hour

// DefaultPrefix is the service letters of generated codes (SEDEX).
const DefaultPrefix = "AA"

// Sources of parcels.
const (
	SourceControl = "control"
	SourceVTEX    = "vtex"
	SourceSkyHub  = "skyhub"
)

// Contract is an account's Correios contract: the posting card tokens are
// issued for, and the user and access code that ask for them.
type Contract struct {
	Account     string `json:"account"`
	User        string `json:"user"`
	AccessCode  string `json:"accessCode"`
	PostingCard string `json:"postingCard"`
	Contract    string `json:"contract"`
}

// Token is an issued token.
type Token struct {
	Token    string
	Contract Contract
	Issued   time.Time
	Expires  time.Time
}

// Error is a refusal with its HTTP status.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func refuse(status int, format string, a ...any) error {
	return &Error{Status: status, Message: fmt.Sprintf(format, a...)}
}

// NewParcel asks for a parcel.
type NewParcel struct {
	Account  string
	Code     string // generated when empty
	Scenario Scenario
	// Delay lengthens the leg to the destination unit (the delayed
	// scenario defaults it to DefaultDelay).
	Delay time.Duration
	// PostedAt defaults to now; it may not be in the future.
	PostedAt time.Time
	Source   string
	OrderID  string
	// City and UF are the buyer's, when known.
	City, UF string
}

// Parcel is a parcel as the control plane shows it: the steps seen so far
// and what comes next.
type Parcel struct {
	Code     string    `json:"code"`
	Account  string    `json:"account"`
	Scenario Scenario  `json:"scenario"`
	DelayMs  int64     `json:"delayMs"`
	PostedAt time.Time `json:"postedAt"`
	Source   string    `json:"source"`
	OrderID  string    `json:"orderId,omitempty"`
	Status   Status    `json:"status"`
	Finished bool      `json:"finished"`
	// Events are the steps whose time has come, oldest first.
	Events []Step `json:"events"`
	// Next is the time of the next step; absent once finished.
	Next *time.Time `json:"next,omitempty"`
	// Route is the walk's units.
	Route Route `json:"route"`
}

type parcel struct {
	code, account, source, orderID string
	scenario                       Scenario
	delay                          time.Duration
	posted                         time.Time
	route                          Route
	steps                          []Step
	gen                            int
	cancels                        []func()
}

// Carrier is the sandbox's carrier, safe for concurrent use.
type Carrier struct {
	clock *clock.Clock
	bus   *events.Bus

	mu        sync.Mutex
	rng       *rand.Rand
	contracts map[string]Contract // by posting card
	byAccount map[string]string   // account → posting card
	tokens    map[string]*Token
	parcels   map[string]map[string]*parcel // account → code → parcel
	codes     map[string]bool               // every code handed out

	// Events published from within another event's delivery wait in
	// outbox for the publisher goroutine: the bus is not re-entrant.
	outMu  sync.Mutex
	outbox []events.Event
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	unsub  func()
}

// New returns a carrier on clock c publishing on bus; its codes and
// tokens draw from seed. It subscribes to the channels' events (link.go).
func New(c *clock.Clock, bus *events.Bus, seed uint64) *Carrier {
	ctx, cancel := context.WithCancel(context.Background())
	cr := &Carrier{clock: c, bus: bus, rng: rand.New(rand.NewPCG(seed, 0xc0440)),
		contracts: map[string]Contract{}, byAccount: map[string]string{}, tokens: map[string]*Token{},
		parcels: map[string]map[string]*parcel{}, codes: map[string]bool{},
		wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go cr.publisher(ctx)
	cr.unsub = bus.Subscribe(cr.onEvent)
	return cr
}

// Close stops the carrier's publisher and timers.
func (c *Carrier) Close() {
	c.unsub()
	c.cancel()
	<-c.done
	c.Forget("")
}

func (c *Carrier) publisher(ctx context.Context) {
	defer close(c.done)
	for {
		c.outMu.Lock()
		batch := c.outbox
		c.outbox = nil
		c.outMu.Unlock()
		for _, e := range batch {
			c.bus.Publish(e)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
	}
}

// later queues events for the publisher goroutine.
func (c *Carrier) later(evs ...events.Event) {
	if len(evs) == 0 {
		return
	}
	c.outMu.Lock()
	c.outbox = append(c.outbox, evs...)
	c.outMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// AddContract registers an account's contract.
func (c *Carrier) AddContract(ct Contract) error {
	if ct.Account == "" || ct.User == "" || ct.AccessCode == "" || ct.PostingCard == "" {
		return fmt.Errorf("carrier contract needs account, user, accessCode and postingCard")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if other, ok := c.contracts[ct.PostingCard]; ok {
		return fmt.Errorf("posting card %s belongs to account %s already", ct.PostingCard, other.Account)
	}
	if _, ok := c.byAccount[ct.Account]; ok {
		return fmt.Errorf("account %s has a Correios contract already", ct.Account)
	}
	c.contracts[ct.PostingCard] = ct
	c.byAccount[ct.Account] = ct.PostingCard
	return nil
}

// NewContract generates and registers a contract for an account: user
// the account's name, a posting card and contract number derived from
// it.
func (c *Carrier) NewContract(account string) (Contract, error) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(account))
	n := h.Sum64()
	for i := uint64(0); i < 100; i++ {
		card := fmt.Sprintf("%010d", (n+i)%10_000_000_000)
		ct := Contract{Account: account, User: account, AccessCode: "correios-" + account + "-code",
			PostingCard: card, Contract: fmt.Sprintf("99%08d", (n+i)%100_000_000)}
		c.mu.Lock()
		_, taken := c.contracts[card]
		c.mu.Unlock()
		if !taken {
			return ct, c.AddContract(ct)
		}
	}
	return Contract{}, fmt.Errorf("no free posting card for account %s", account)
}

// ContractOf returns an account's contract.
func (c *Carrier) ContractOf(account string) (Contract, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	card, ok := c.byAccount[account]
	return c.contracts[card], ok
}

// Authenticate issues a token for a posting card to its contract's user
// and access code (401 otherwise; 400 without a card).
func (c *Carrier) Authenticate(user, accessCode, card string) (Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ct *Contract
	for _, k := range c.contracts {
		if k.User == user && subtle.ConstantTimeCompare([]byte(k.AccessCode), []byte(accessCode)) == 1 {
			ct = &k
			break
		}
	}
	if ct == nil {
		return Token{}, refuse(401, "Usuário ou código de acesso inválido.")
	}
	if card == "" {
		return Token{}, refuse(400, "O número do cartão de postagem é obrigatório.")
	}
	if ct.PostingCard != card {
		return Token{}, refuse(401, "Cartão de postagem %s não pertence ao usuário %s.", clipID(card), user)
	}
	now := c.clock.Now()
	t := &Token{Token: fmt.Sprintf("omsbox-correios-%016x%016x", c.rng.Uint64(), c.rng.Uint64()), Contract: *ct,
		Issued: now, Expires: now.Add(TokenLifetime)}
	c.tokens[t.Token] = t
	return *t, nil
}

// Check returns the contract a bearer token was issued for, refusing a
// missing, unknown or expired one (401).
func (c *Carrier) Check(token string) (Contract, error) {
	if token == "" {
		return Contract{}, refuse(401, "Token de acesso ausente: envie Authorization: Bearer <token>.")
	}
	c.mu.Lock()
	t, ok := c.tokens[token]
	c.mu.Unlock()
	switch {
	case !ok:
		return Contract{}, refuse(401, "Token inválido.")
	case !c.clock.Now().Before(t.Expires):
		return Contract{}, refuse(401, "Token expirado em %s.", t.Expires.In(saoPaulo).Format(LocalLayout))
	}
	return t.Contract, nil
}

// Claimed returns the account a token was issued for, valid or not, or
// the account of a user, for faults that match the account a request
// claims.
func (c *Carrier) Claimed(token, user string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tokens[token]; ok {
		return t.Contract.Account
	}
	for _, k := range c.contracts {
		if user != "" && k.User == user {
			return k.Account
		}
	}
	return ""
}

// Create adds a parcel and lays out its walk.
func (c *Carrier) Create(req NewParcel) (Parcel, error) {
	evs, p, err := c.create(req)
	if err != nil {
		return Parcel{}, err
	}
	for _, e := range evs {
		c.bus.Publish(e)
	}
	return p, nil
}

func (c *Carrier) create(req NewParcel) ([]events.Event, Parcel, error) {
	req.Scenario = cmp.Or(req.Scenario, Normal)
	if !ValidScenario(req.Scenario) {
		return nil, Parcel{}, refuse(400, "scenario %q: must be one of %v", clipID(string(req.Scenario)), Scenarios)
	}
	if req.Delay < 0 {
		return nil, Parcel{}, refuse(400, "delay must not be negative")
	}
	if req.Scenario == Delayed && req.Delay == 0 {
		req.Delay = DefaultDelay
	}
	now := c.clock.Now()
	if req.PostedAt.IsZero() {
		req.PostedAt = now
	}
	if req.PostedAt.After(now) {
		return nil, Parcel{}, refuse(400, "postedAt %s is after the sandbox time %s", req.PostedAt.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Code == "" {
		for {
			req.Code = NewCode(c.rng, DefaultPrefix)
			if !c.codes[req.Code] {
				break
			}
		}
	} else if p := CorreiosProblem(req.Code); p != "" {
		return nil, Parcel{}, refuse(400, "code %s: %s", clipID(req.Code), p)
	}
	if _, exists := c.parcels[req.Account][req.Code]; exists {
		return nil, Parcel{}, refuse(409, "parcel %s exists already in account %s", req.Code, req.Account)
	}
	p := &parcel{code: req.Code, account: req.Account, source: cmp.Or(req.Source, SourceControl), orderID: req.OrderID,
		scenario: req.Scenario, delay: req.Delay, posted: req.PostedAt.UTC(),
		route: NewRoute(req.Account, req.Code, req.City, req.UF)}
	p.steps = Walk(p.scenario, p.route, p.posted, p.delay)
	if c.parcels[req.Account] == nil {
		c.parcels[req.Account] = map[string]*parcel{}
	}
	c.parcels[req.Account][req.Code] = p
	c.codes[req.Code] = true
	evs := []events.Event{{Time: now, Account: p.account, Type: EventParcelCreated, OrderID: p.orderID,
		Data: map[string]any{"code": p.code, "scenario": string(p.scenario), "source": p.source,
			"destination": p.route.DestCDD.Cidade + "/" + p.route.DestCDD.UF}}}
	evs = append(evs, c.scheduleLocked(p, 0, now)...)
	return evs, p.view(now), nil
}

// scheduleLocked sets a timer for each of p's steps from index from on
// that lies ahead, and returns the events of those already due.
func (c *Carrier) scheduleLocked(p *parcel, from int, now time.Time) []events.Event {
	for _, cancel := range p.cancels {
		cancel()
	}
	p.cancels = nil
	p.gen++
	var due []events.Event
	for i := from; i < len(p.steps); i++ {
		st := p.steps[i]
		if !st.At.After(now) {
			due = append(due, stepEvent(p, st))
			continue
		}
		gen, i := p.gen, i
		p.cancels = append(p.cancels, c.clock.At(st.At, func() { c.fire(p, gen, i) }))
	}
	return due
}

// fire publishes a step whose time came, unless the walk changed since.
func (c *Carrier) fire(p *parcel, gen, i int) {
	c.mu.Lock()
	live := c.parcels[p.account][p.code] == p && p.gen == gen && i < len(p.steps)
	var e events.Event
	if live {
		e = stepEvent(p, p.steps[i])
	}
	c.mu.Unlock()
	if live {
		c.bus.Publish(e)
	}
}

func stepEvent(p *parcel, st Step) events.Event {
	return events.Event{Time: st.At, Account: p.account, Type: EventStep, OrderID: p.orderID, To: string(st.Status),
		Data: map[string]any{"code": p.code, "kind": st.Kind, "codigo": st.Codigo, "tipo": st.Tipo,
			"descricao": st.Descricao, "status": string(st.Status), "final": st.Final, "source": p.source,
			"cidade": st.Unidade.Cidade, "uf": st.Unidade.UF}}
}

// seen returns how many steps are visible at now.
func (p *parcel) seen(now time.Time) int {
	n := 0
	for n < len(p.steps) && !p.steps[n].At.After(now) {
		n++
	}
	return n
}

func (p *parcel) view(now time.Time) Parcel {
	n := p.seen(now)
	v := Parcel{Code: p.code, Account: p.account, Scenario: p.scenario, DelayMs: p.delay.Milliseconds(), PostedAt: p.posted,
		Source: p.source, OrderID: p.orderID, Events: slices.Clone(p.steps[:n]), Route: p.route, Status: Posted}
	if n > 0 {
		v.Status = p.steps[n-1].Status
		v.Finished = p.steps[n-1].Final
	}
	if n < len(p.steps) {
		next := p.steps[n].At
		v.Next = &next
	}
	return v
}

// Track returns a parcel of an account as of now.
func (c *Carrier) Track(account, code string) (Parcel, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.parcels[account][code]
	if !ok {
		return Parcel{}, false
	}
	return p.view(c.clock.Now()), true
}

// List returns an account's parcels ("" for all), by code.
func (c *Carrier) List(account string) []Parcel {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	var out []Parcel
	for a, ps := range c.parcels {
		if account != "" && a != account {
			continue
		}
		for _, p := range ps {
			out = append(out, p.view(now))
		}
	}
	slices.SortFunc(out, func(a, b Parcel) int { return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Code, b.Code)) })
	return out
}

// SetScenario changes the path of a parcel not yet finished: the steps
// seen stay, the rest follow the new scenario (and delay, when given)
// from the last step seen. A scenario whose table disagrees with the
// steps seen is refused (409), as is a finished parcel.
func (c *Carrier) SetScenario(account, code string, s Scenario, delay *time.Duration) (Parcel, error) {
	if !ValidScenario(s) {
		return Parcel{}, refuse(400, "scenario %q: must be one of %v", clipID(string(s)), Scenarios)
	}
	if delay != nil && *delay < 0 {
		return Parcel{}, refuse(400, "delay must not be negative")
	}
	c.mu.Lock()
	p, ok := c.parcels[account][code]
	if !ok {
		c.mu.Unlock()
		return Parcel{}, refuse(404, "parcel %s not found in account %s", clipID(code), clipID(account))
	}
	now := c.clock.Now()
	n := p.seen(now)
	seen := p.steps[:n]
	if n > 0 && p.steps[n-1].Final {
		c.mu.Unlock()
		return Parcel{}, refuse(409, "parcel %s is %s already: its walk is over", code, p.steps[n-1].Status)
	}
	if !agrees(s, seen) {
		c.mu.Unlock()
		return Parcel{}, refuse(409, "parcel %s has passed %q, which scenario %s does not go through", code, seen[n-1].Kind, s)
	}
	p.scenario = s
	switch {
	case delay != nil:
		p.delay = *delay
	case s == Delayed && p.delay == 0:
		p.delay = DefaultDelay
	case s != Delayed:
		p.delay = 0
	}
	p.steps = rewalk(s, p.route, slices.Clone(seen), p.posted, p.delay, now)
	due := c.scheduleLocked(p, n, now)
	v := p.view(c.clock.Now())
	c.mu.Unlock()
	for _, e := range due {
		c.bus.Publish(e)
	}
	return v, nil
}

// Forget drops one account's parcels and tokens, or everything for "".
func (c *Carrier) Forget(account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for a, ps := range c.parcels {
		if account != "" && a != account {
			continue
		}
		for _, p := range ps {
			for _, cancel := range p.cancels {
				cancel()
			}
			p.gen++
		}
		delete(c.parcels, a)
	}
	for k, t := range c.tokens {
		if account == "" || t.Contract.Account == account {
			delete(c.tokens, k)
		}
	}
}

// LocalLayout is how Correios writes times: São Paulo time, no offset.
const LocalLayout = "2006-01-02T15:04:05"

var saoPaulo = time.FixedZone("BRT", -3*60*60)

// Local formats t as Correios does.
func Local(t time.Time) string { return t.In(saoPaulo).Format(LocalLayout) }

func clipID(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
