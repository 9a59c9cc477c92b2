// Package sandbox is omsbox as a library: New builds a whole sandbox (the
// VTEX OMS API, the control plane, the clock, the event bus and the
// per-account order stores) and Handler serves it. The omsbox binary is a
// thin shell around this package, and tests use it in-process.
package sandbox

import (
	"cmp"
	"fmt"
	"github.com/omsbox/omsbox/openapi"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/omsbox/omsbox"
	"github.com/omsbox/omsbox/sandbox/bridge"
	"github.com/omsbox/omsbox/sandbox/carrier"
	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
	"github.com/omsbox/omsbox/sandbox/control"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/orderstock"
	"github.com/omsbox/omsbox/sandbox/pricing"
	"github.com/omsbox/omsbox/sandbox/skyhub"
	"github.com/omsbox/omsbox/sandbox/vtex"
)

// Version is the omsbox version, set at build time with
// -ldflags "-X github.com/omsbox/omsbox/sandbox.Version=v1.2.3".
var Version = "dev"

// DefaultSeed is the random seed of generated ids and data unless
// WithSeed says otherwise.
const DefaultSeed = 20260101

// Option configures a sandbox.
type Option func(*settings)

type settings struct {
	cfg     config.Config
	clock   *clock.Clock
	seed    uint64
	strict  bool
	onDrift func(operationID, detail string)
	logger  *slog.Logger
	hooks   hook.Options
	token   string
}

// WithConfig replaces the embedded default configuration.
func WithConfig(c config.Config) Option { return func(s *settings) { s.cfg = c } }

// WithClock sets the sandbox clock (tests pass clock.Frozen).
func WithClock(c *clock.Clock) Option { return func(s *settings) { s.clock = c } }

// WithSeed sets the random seed of generated ids and data.
func WithSeed(seed uint64) Option { return func(s *settings) { s.seed = seed } }

// WithStrict validates every response against the OpenAPI documents.
// onDrift, if not nil, hears of every mismatch (tests fail on it).
func WithStrict(strict bool, onDrift func(operationID, detail string)) Option {
	return func(s *settings) { s.strict, s.onDrift = strict, onDrift }
}

// WithHookOptions tunes hook delivery: the subscriber's timeout (VTEX:
// 5 s), the number of workers, the HTTP client.
func WithHookOptions(o hook.Options) Option { return func(s *settings) { s.hooks = o } }

// WithControlToken protects the control plane: every call but GET
// /_sandbox/health then needs Authorization: Bearer <token>.
func WithControlToken(token string) Option { return func(s *settings) { s.token = token } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// Sandbox is one running sandbox's state. Its fields give tests direct
// access, as miniredis does; everything they offer is also on the control
// plane.
type Sandbox struct {
	Clock    *clock.Clock
	Events   *events.Bus
	EventLog *events.Log
	Journal  *journal.Journal
	Faults   *faults.Set
	OMS      *oms.OMS
	Feeds    *feed.Feeds
	Hooks    *hook.Hooks
	SkyHub   *skyhub.Hub
	Bridge   *bridge.Bridge
	// Catalog, Inventory and Pricing are VTEX's catalog, stock and prices;
	// Stock ties orders to reservations.
	Catalog   *catalog.Catalog
	Inventory *inventory.Inventory
	Pricing   *pricing.Pricing
	Stock     *orderstock.Link
	Carrier   *carrier.Carrier
	// MercadoLivre is the Mercado Livre channel; MLNotifier delivers its
	// notifications to the apps' callback URLs.
	MercadoLivre *mercadolivre.Market
	MLNotifier   *mercadolivre.Notifier

	cfg     config.Config
	creds   *vtex.Credentials
	handler http.Handler
	vendor  http.Handler
	control http.Handler
	skyhub  http.Handler
	carrier http.Handler
	token   string
	// skyhubBase is where the main listener serves SkyHub.
	skyhubBase string
	// carrierBase is where the main listener serves the carrier.
	carrierBase string
	carrierAPI  http.Handler
	logger      *slog.Logger
	addMu       sync.Mutex // one account creation at a time
	// streamsDone ends the control plane's live streams (EndStreams).
	streamsDone chan struct{}
	endStreams  sync.Once

	// mlBase is where the main listener serves Mercado Livre.
	mlBase    string
	mlAPI, ml http.Handler
}

// New builds a sandbox: it loads and checks the OpenAPI documents and
// seeds every configured account.
func New(opts ...Option) (*Sandbox, error) {
	st := settings{cfg: config.Default(), seed: DefaultSeed}
	for _, o := range opts {
		o(&st)
	}
	if err := st.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if st.clock == nil {
		st.clock = clock.New()
	}
	if st.logger == nil {
		st.logger = slog.Default()
	}
	s := &Sandbox{
		Clock:   st.clock,
		Events:  &events.Bus{},
		Faults:  faults.NewSet(st.seed),
		Journal: journal.NewBounded(st.cfg.JournalSize, st.cfg.JournalBytes, st.clock.Now),
		cfg:     st.cfg,
		creds:   vtex.NewCredentials(st.cfg),
		logger:  st.logger,

		streamsDone: make(chan struct{}),
	}
	s.EventLog = events.NewLog(events.DefaultLogSize, s.Events)
	s.Journal.MarkEvents(s.Events.Seq)
	s.Catalog = catalog.New(s.Clock.Now)
	s.Inventory = inventory.New(s.Clock.Now, s.Events, inventory.Options{LockWindow: st.cfg.Inventory.LockWindow.Duration}, SeedLogistics)
	s.Pricing = pricing.New(s.Clock.Now)
	s.Stock = orderstock.New(s.Catalog, s.Inventory, s.Events)
	s.OMS = oms.New(s.Clock, s.Events, st.seed)
	s.SkyHub = skyhub.NewHub(s.Clock, s.Events, st.seed)
	s.SkyHub.SetManualInvoiceProcessing(st.cfg.SkyHub.ManualInvoiceProcessing)
	for _, sl := range st.cfg.SkyHub.Sellers {
		s.SkyHub.AddSeller(skyhub.Seller(sl))
	}
	s.OMS.SetPlatformDelays(oms.PlatformDelays{PaymentApproval: st.cfg.Platform.PaymentApproval.Duration,
		WindowToCancel: st.cfg.Platform.WindowToCancel.Duration})
	for _, a := range st.cfg.Accounts {
		if err := s.addAccount(a); err != nil {
			return nil, err
		}
	}
	s.Feeds = feed.New(s.Clock, s.Events, st.seed)
	s.Hooks = hook.New(s.Clock, s.Events, s.Journal, st.hooks)
	api, err := vtex.New(vtex.Deps{OMS: s.OMS, Credentials: s.creds, Feeds: s.Feeds, Hooks: s.Hooks,
		Catalog: s.Catalog, Inventory: s.Inventory, Pricing: s.Pricing},
		vtex.Options{Strict: st.strict, OnDrift: st.onDrift, Logger: st.logger})
	if err != nil {
		s.Hooks.Close()
		return nil, err
	}
	base := st.cfg.SkyHub.Base
	if base == "" {
		base = skyhub.DefaultBase
	}
	shAPI, err := skyhub.Handler(s.SkyHub, skyhub.Options{Base: base, Strict: st.strict, OnDrift: st.onDrift, Logger: st.logger})
	if err != nil {
		s.Hooks.Close()
		return nil, err
	}
	sellerAccount := func(r *http.Request) string {
		if sl, ok := s.SkyHub.Seller(r.Header.Get("X-User-Email")); ok {
			return sl.Info().Account
		}
		return ""
	}
	// Faults match the account a request claims; the journal files it under
	// an account only when its credentials prove it.
	skyhubAPI := s.Journal.Middleware("skyhub", s.SkyHub.AuthenticatedAccount)(s.Faults.Middleware("skyhub", sellerAccount, skyhub.WriteFault)(shAPI))
	s.Carrier = carrier.New(s.Clock, s.Events, st.seed)
	for _, k := range st.cfg.Carrier.Contracts {
		if err := s.Carrier.AddContract(carrier.Contract(k)); err != nil {
			s.Hooks.Close()
			s.Carrier.Close()
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	carrierBase := cmp.Or(st.cfg.Carrier.Base, carrier.DefaultBase)
	crAPI, err := carrier.Handler(s.Carrier, carrier.Options{Base: carrierBase, Strict: st.strict, OnDrift: st.onDrift, Logger: st.logger})
	if err != nil {
		s.Hooks.Close()
		s.Carrier.Close()
		return nil, err
	}
	carrierAPI := s.Journal.Middleware("carrier", s.Carrier.AuthenticatedAccount)(s.Faults.Middleware("carrier", s.Carrier.ClaimedAccount, carrier.WriteFault)(crAPI))
	if err := s.newMercadoLivre(st); err != nil {
		s.Hooks.Close()
		s.Carrier.Close()
		return nil, err
	}
	s.Bridge = bridge.New(s.OMS, s.SkyHub, s.Clock, s.Events, skyhubAPI, base, st.seed)
	for _, name := range s.OMS.Accounts() {
		if err := s.twinSeeded(name); err != nil {
			s.Close()
			return nil, err
		}
	}
	cp, err := control.New(control.Deps{Clock: s.Clock, OMS: s.OMS, Journal: s.Journal, Events: s.EventLog,
		Faults: s.Faults, Version: Version, DefaultAccount: st.cfg.DefaultAccount,
		AddAccount: s.AddAccount, Reset: s.Reset, AddSeller: s.AddSeller, SkyHub: s.SkyHub, Bridge: s.Bridge, Feeds: s.Feeds,
		Inventory: s.Inventory, Stock: s.Stock, Carrier: s.Carrier, MercadoLivre: s.MercadoLivre, MLNotifier: s.MLNotifier,
		Catalog: s.Catalog, Pricing: s.Pricing, Hooks: s.Hooks},
		control.Options{Strict: st.strict, OnDrift: st.onDrift, Logger: st.logger, Token: st.token, Done: s.streamsDone})
	if err != nil {
		s.Close()
		return nil, err
	}
	// Vendor traffic: journaled (faulted answers included), then faults,
	// then the API's own account, auth and validation.
	account := func(r *http.Request) string {
		if a := vtex.AccountFromRequest(r); a != "" {
			return a
		}
		return st.cfg.DefaultAccount
	}
	vtexAPI := s.Journal.Middleware("vtex", s.creds.AuthenticatedAccount)(s.Faults.Middleware("vtex", account, vtex.WriteFault)(api))
	s.skyhub = withRequestID(prefixed(base, skyhubAPI))
	s.carrier = withRequestID(prefixed(carrierBase, carrierAPI))
	s.carrierBase, s.carrierAPI = carrierBase, carrierAPI
	s.token, s.skyhubBase = st.token, base
	s.control = withRequestID(cp)
	s.handler = withRequestID(s.routes(cp, base, skyhubAPI, vtexAPI))
	s.vendor = withRequestID(s.routes(controlElsewhere, base, skyhubAPI, vtexAPI))
	// The documents are parsed beside the first requests, not before them:
	// the control plane's first (health), then the APIs' in parallel. A
	// request that comes sooner waits for its own document only.
	go openapi.Preload("sandbox.yaml", "vtex-oms.yaml", "skyhub.yaml", "vtex-catalog.yaml", "mercadolivre.yaml", "correios.yaml")
	return s, nil
}

// routes sends /_sandbox/ to the control plane, SkyHub's base (and Host)
// to SkyHub, and the rest to the VTEX API.
func (s *Sandbox) routes(controlPlane http.Handler, base string, skyhubAPI, vtexAPI http.Handler) http.Handler {
	routed := route(controlPlane, base, skyhubAPI, vtexAPI)
	routed = byPrefix(s.carrierBase, s.carrierAPI, routed)
	routed = byPrefix(s.mlBase, s.mlAPI, routed)
	if host := strings.ToLower(s.cfg.MercadoLivre.Host); host != "" {
		routed = byHost(host, prefixed(s.mlBase, s.mlAPI), routed)
	}
	if host := strings.ToLower(s.cfg.Carrier.Host); host != "" {
		routed = byHost(host, prefixed(s.carrierBase, s.carrierAPI), routed)
	}
	if host := strings.ToLower(s.cfg.SkyHub.Host); host != "" {
		routed = byHost(host, prefixed(base, skyhubAPI), routed)
	}
	return routed
}

// controlElsewhere answers /_sandbox/ on a listener that serves only the
// vendor APIs.
var controlElsewhere = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"the control plane is served on its own address (--control-addr), not here"}}`))
})

// VendorHandler serves the vendor APIs without the control plane, for a
// listener the integration reaches when the control plane has its own
// (omsbox serve --control-addr).
func (s *Sandbox) VendorHandler() http.Handler { return s.vendor }

// ControlHandler serves the control plane alone (/_sandbox/...).
func (s *Sandbox) ControlHandler() http.Handler { return s.control }

// ControlToken is the bearer token the control plane needs ("" for none).
func (s *Sandbox) ControlToken() string { return s.token }

// SkyHubHandler serves the SkyHub API at the root ("/orders", ...), for a
// listener of its own (omsbox serve --skyhub-addr).
func (s *Sandbox) SkyHubHandler() http.Handler { return s.skyhub }

// CarrierHandler serves the carrier (Correios) API at the root
// ("/token/v1/...", "/srorastro/v1/..."), for a listener of its own
// (omsbox serve --carrier-addr).
func (s *Sandbox) CarrierHandler() http.Handler { return s.carrier }

// byPrefix sends requests under base to h, the rest to next.
func byPrefix(base string, h, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == base || strings.HasPrefix(p, base+"/") {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// prefixed serves h as if every path started with base.
func prefixed(base string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = base + r.URL.Path
		r2.URL.RawPath = ""
		h.ServeHTTP(w, r2)
	})
}

// byHost sends requests for host to h, the rest to next.
func byHost(host string, h, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.ToLower(r.Host)
		if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "]") {
			name = name[:i]
		}
		if name == host && !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// AddAccount adds a VTEX account with its credentials, seeded from
// a.Seed; an account that exists is refused.
func (s *Sandbox) AddAccount(a config.Account) error {
	if !config.ValidAccountName(a.Name) {
		return fmt.Errorf("account name %q: must be lower-case letters, digits and dashes", a.Name)
	}
	s.addMu.Lock()
	defer s.addMu.Unlock()
	if _, exists := s.OMS.Account(a.Name); exists {
		return fmt.Errorf("account %q exists already", a.Name)
	}
	return s.addAccount(a)
}

// AddSeller links a SkyHub seller to an account; the account's seeded B2W
// orders get their SkyHub twins.
func (s *Sandbox) AddSeller(sl config.Seller) error {
	if _, ok := s.SkyHub.Seller(sl.Email); ok {
		return fmt.Errorf("SkyHub seller %q exists already", sl.Email)
	}
	s.SkyHub.AddSeller(skyhub.Seller(sl))
	return s.twinSeeded(sl.Account)
}

// twinSeeded gives an account's B2W orders, its seed's, their SkyHub
// twins once the account has a seller, so that invoicing one in VTEX
// reaches SkyHub as with any B2W order. Twin skips those that have one.
func (s *Sandbox) twinSeeded(account string) error {
	acct, ok := s.OMS.Account(account)
	if _, linked := s.SkyHub.ForAccount(account); !ok || !linked {
		return nil
	}
	for page := 1; ; page++ {
		l := acct.List(oms.Query{Page: page, PerPage: oms.MaxPerPage})
		for _, o := range l.List {
			if o.AffiliateID == "" || o.MarketPlaceOrderID == nil {
				continue
			}
			if _, err := s.Bridge.Twin(account, o.OrderID); err != nil {
				return fmt.Errorf("account %s: SkyHub twin of seeded order %s: %w", account, o.OrderID, err)
			}
		}
		if page >= l.Paging.Pages {
			return nil
		}
	}
}

// Reset returns one account ("" for all) to its seeded state, and forgets
// its journal entries, events and faults.
func (s *Sandbox) Reset(account string) error {
	// Forget first: re-seeding publishes the seed orders' events afresh,
	// as at start.
	s.Journal.Forget(account)
	s.EventLog.Forget(account)
	s.Faults.Clear(account)
	s.Feeds.Forget(account)
	s.Hooks.Forget(account)
	s.Bridge.Forget(account)
	// Catalog, stock and prices go before the orders are seeded again.
	s.Catalog.Reset(account)
	s.Inventory.Reset(account)
	s.Pricing.Reset(account)
	s.Carrier.Forget(account)
	s.MLNotifier.Forget(account)
	s.MercadoLivre.Forget(account)
	for _, sl := range s.SkyHub.Sellers() {
		if account == "" || sl.Account == account {
			if st, ok := s.SkyHub.Seller(sl.Email); ok {
				st.Reset()
			}
		}
	}
	names := []string{account}
	if account == "" {
		names = s.OMS.Accounts()
	}
	for _, n := range names {
		if a, ok := s.OMS.Account(n); ok {
			if err := a.Reset(); err != nil {
				return err
			}
			if err := s.twinSeeded(n); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Sandbox) addAccount(a config.Account) error {
	var seed *oms.Seed
	if a.Seed != "" {
		data, err := omsbox.Seed(a.Seed)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
		if seed, err = oms.ParseSeed(data); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
	}
	if _, err := s.OMS.AddAccount(a.Name, seed); err != nil {
		return err
	}
	s.creds.Add(a)
	return nil
}

// SeedLogistics is every account's starting logistics configuration:
// one dock (1_1) and one warehouse (estoque-sp) served by it, so stock
// can be written at once.
func SeedLogistics(a *inventory.Account) {
	_ = a.PutDock(inventory.Dock{ID: "1_1", Name: "Doca principal", Priority: 1, DockTimeFake: "00:00:00",
		TimeFakeOverhead: "00:00:00", SalesChannels: []string{"1"}, SalesChannel: "1", IsActive: true})
	_ = a.PutWarehouse(inventory.Warehouse{ID: "estoque-sp", Name: "Estoque São Paulo", IsActive: true,
		WarehouseDocks: []inventory.WarehouseDock{{DockID: "1_1", Name: "Doca principal", Time: "00:00:00"}}})
}

// EndStreams ends the control plane's live streams (GET
// /_sandbox/stream): a server that shuts down calls it first, so that it
// does not wait for a page left open.
func (s *Sandbox) EndStreams() { s.endStreams.Do(func() { close(s.streamsDone) }) }

// Close stops the sandbox's background work (hook deliveries, the B2W
// bridge) and its live streams.
func (s *Sandbox) Close() {
	s.EndStreams()
	s.Hooks.Close()
	if s.Bridge != nil {
		s.Bridge.Close()
	}
	if s.Carrier != nil {
		s.Carrier.Close()
	}
	if s.MLNotifier != nil {
		s.MLNotifier.Close()
	}
	if s.MercadoLivre != nil {
		s.MercadoLivre.Forget("")
	}
}

// Handler serves the whole sandbox: /_sandbox/ is the control plane,
// everything else the vendor APIs.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Config returns the configuration the sandbox runs with.
func (s *Sandbox) Config() config.Config { return s.cfg }

// route sends /_sandbox/ to the control plane, the SkyHub base to SkyHub
// and the rest to the VTEX API.
func route(controlPlane http.Handler, skyhubBase string, skyhubAPI, vtexAPI http.Handler) http.Handler {
	skyhubAtRoot := prefixed(skyhubBase, skyhubAPI)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/_sandbox/"):
			controlPlane.ServeHTTP(w, r)
		case p == skyhubBase || strings.HasPrefix(p, skyhubBase+"/"):
			skyhubAPI.ServeHTTP(w, r)
		case carriesSkyHubCredentials(r) && !strings.HasPrefix(p, "/api/"):
			// SkyHub's SDKs join the base URL and their paths ("/orders")
			// so that a base with a path loses it: a request with SkyHub's
			// headers at the root is SkyHub's. VTEX's paths all start with
			// /api/, so the two never collide.
			skyhubAtRoot.ServeHTTP(w, r)
		default:
			vtexAPI.ServeHTTP(w, r)
		}
	})
}

// carriesSkyHubCredentials tells whether r carries any of SkyHub's three
// authentication headers.
func carriesSkyHubCredentials(r *http.Request) bool {
	return r.Header.Get("X-User-Email") != "" || r.Header.Get("X-Api-Key") != "" || r.Header.Get("X-Accountmanager-Key") != ""
}
