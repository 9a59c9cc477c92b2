// Package mercadolivre owns the sandbox's Mercado Livre (MLB) side: one
// app and one seller per omsbox account, OAuth 2.0 codes and tokens with
// their rule table (tokens expire on the sandbox clock, refresh tokens are
// single use), orders and packs with the order status table, Mercado Envios
// shipments with their own table (NF-e upload, label, shipped, delivered),
// listings with stock and price, questions and post-sale messages, and the
// notifications ML POSTs to the app's callback URL, retried on the clock.
// It knows nothing of HTTP except the notifications it sends; api.go
// serves it in Mercado Livre's shape (openapi/mercadolivre.yaml).
package mercadolivre

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// Site, currency and the lifetimes of OAuth artefacts (sandbox clock).
const (
	SiteID               = "MLB"
	CurrencyID           = "BRL"
	AccessTokenLifetime  = 6 * time.Hour
	RefreshTokenLifetime = 180 * 24 * time.Hour
	CodeLifetime         = 10 * time.Minute
	// DefaultCNPJ is the seller's CNPJ unless its app says otherwise (the
	// sandbox's demo company, as SkyHub's).
	DefaultCNPJ = "11222333000181"
)

// Event types the domain publishes; each carries the notification topic,
// resource and seller in Data, which the notifier turns into a POST.
const (
	EventOrder    = "mercadolivre.order"
	EventShipment = "mercadolivre.shipment"
	EventItem     = "mercadolivre.item"
	EventQuestion = "mercadolivre.question"
	EventMessage  = "mercadolivre.message"
)

// Topics of notifications.
const (
	TopicOrders    = "orders_v2"
	TopicShipments = "shipments"
	TopicItems     = "items"
	TopicQuestions = "questions"
	TopicMessages  = "messages"
)

// AllTopics are the topics an app gets when it names none.
var AllTopics = []string{TopicOrders, TopicShipments, TopicItems, TopicQuestions, TopicMessages}

var topicOf = map[string]string{EventOrder: TopicOrders, EventShipment: TopicShipments, EventItem: TopicItems,
	EventQuestion: TopicQuestions, EventMessage: TopicMessages}

// App is an account's Mercado Livre application and the seller that
// authorized it.
type App struct {
	Account      string   `json:"account"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	RedirectURI  string   `json:"redirectUri"`
	SellerID     int64    `json:"sellerId"`
	Nickname     string   `json:"nickname"`
	CNPJ         string   `json:"cnpj,omitempty"`
	CallbackURL  string   `json:"callbackUrl,omitempty"`
	Topics       []string `json:"topics,omitempty"`
}

// ApplicationID is the app's numeric id (its client id).
func (a App) ApplicationID() int64 {
	n, _ := strconv.ParseInt(a.ClientID, 10, 64)
	return n
}

// Cause is one entry of an error's cause list.
type Cause struct {
	Department string   `json:"department,omitempty"`
	CauseID    int      `json:"cause_id,omitempty"`
	Type       string   `json:"type"`
	Code       string   `json:"code"`
	References []string `json:"references"`
	Message    string   `json:"message"`
}

// Error is a refusal in Mercado Livre's terms: HTTP status, machine code,
// message and causes.
type Error struct {
	Status  int
	Code    string
	Message string
	Cause   []Cause
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func refuse(status int, code, format string, a ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// Timings are the sandbox-side delays, on the sandbox clock.
type Timings struct {
	// ShipAfter moves a printed shipment to shipped (0: only the control
	// plane does); DeliverAfter moves a shipped one to delivered.
	ShipAfter, DeliverAfter time.Duration
}

// DefaultTimings: the carrier scans a day after the first print and
// delivers three days later.
var DefaultTimings = Timings{ShipAfter: 24 * time.Hour, DeliverAfter: 72 * time.Hour}

// Market is the sandbox's Mercado Livre, safe for concurrent use.
type Market struct {
	clock   *clock.Clock
	bus     *events.Bus
	timings Timings

	mu        sync.Mutex
	rng       *rand.Rand
	apps      map[string]*App // by account
	codes     map[string]*grantCode
	refreshes map[string]*refreshToken
	tokens    map[string]*accessToken
	orders    map[int64]*order
	packs     map[int64]*pack
	shipments map[int64]*shipment
	items     map[string]*item
	questions map[int64]*question
	convs     map[int64]*conversation     // by pack id (or order id without a pack)
	fiscal    map[string]int64            // NF-e key → shipment id
	used      map[int64]bool              // every numeric id handed out
	cancels   map[string]map[int64]func() // account → pending clock timers
	timers    int64
}

// New returns a market on clock c publishing on bus; ids and tokens draw
// from seed.
func New(c *clock.Clock, bus *events.Bus, seed uint64, t Timings) *Market {
	m := &Market{clock: c, bus: bus, timings: t, rng: rand.New(rand.NewPCG(seed, 0x4d4c42))}
	m.clear("")
	return m
}

// AddApp registers an account's app and seller; defaults fill what is
// empty. An account has at most one app.
func (m *Market) AddApp(a App) (App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a.Account == "" {
		return App{}, fmt.Errorf("mercadolivre: an app needs an account")
	}
	if _, ok := m.apps[a.Account]; ok {
		return App{}, fmt.Errorf("mercadolivre: account %q has an app already", a.Account)
	}
	if a.ClientID == "" {
		a.ClientID = strconv.FormatInt(1_000_000_000_000_000+m.rng.Int64N(8_999_999_999_999_999), 10)
	}
	if _, err := strconv.ParseInt(a.ClientID, 10, 64); err != nil {
		return App{}, fmt.Errorf("mercadolivre: client id %q must be digits", a.ClientID)
	}
	a.ClientSecret = cmp.Or(a.ClientSecret, m.hex(16))
	a.RedirectURI = cmp.Or(a.RedirectURI, "https://"+a.Account+".example.com.br/mercadolivre/callback")
	if a.SellerID == 0 {
		a.SellerID = m.newID(100_000_000, 900_000_000)
	}
	a.Nickname = cmp.Or(a.Nickname, fmt.Sprintf("LOJA%s", upper(a.Account)))
	a.CNPJ = cmp.Or(a.CNPJ, DefaultCNPJ)
	if len(a.Topics) == 0 {
		a.Topics = slices.Clone(AllTopics)
	}
	for _, o := range m.apps {
		if o.ClientID == a.ClientID || o.SellerID == a.SellerID {
			return App{}, fmt.Errorf("mercadolivre: client id %s or seller %d is already account %q's", a.ClientID, a.SellerID, o.Account)
		}
	}
	m.used[a.SellerID] = true
	m.apps[a.Account] = &a
	return a, nil
}

// App returns an account's app.
func (m *Market) App(account string) (App, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[account]
	if !ok {
		return App{}, false
	}
	return *a, true
}

// SetCallback sets where an account's app gets notifications and for
// which topics (all when none), as the app's settings page does.
func (m *Market) SetCallback(account, url string, topics []string) (App, error) {
	for _, t := range topics {
		if !slices.Contains(AllTopics, t) {
			return App{}, refuse(400, "invalid_topic", "topic %q is not one of %v", t, AllTopics)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[account]
	if !ok {
		return App{}, refuse(404, "not_found", "account %q has no Mercado Livre app", account)
	}
	a.CallbackURL = url
	a.Topics = slices.Clone(topics)
	if len(a.Topics) == 0 {
		a.Topics = slices.Clone(AllTopics)
	}
	return *a, nil
}

// appBySeller finds the app of a seller; m.mu held.
func (m *Market) appBySeller(id int64) *App {
	for _, a := range m.apps {
		if a.SellerID == id {
			return a
		}
	}
	return nil
}

// Forget drops an account's ("" all) orders, shipments, items,
// questions, messages and tokens; apps stay, their callback too.
func (m *Market) Forget(account string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for acct, cs := range m.cancels {
		if account == "" || acct == account {
			for _, c := range cs {
				c()
			}
			delete(m.cancels, acct)
		}
	}
	if account == "" {
		apps := m.apps
		m.clear("")
		m.apps = apps
		for _, a := range apps {
			m.used[a.SellerID] = true // no generated id may take a seller's
		}
		return
	}
	m.clear(account)
}

// clear empties everything of account ("" all); m.mu held or m new.
func (m *Market) clear(account string) {
	if account == "" {
		m.apps, m.codes, m.refreshes, m.tokens = map[string]*App{}, map[string]*grantCode{}, map[string]*refreshToken{}, map[string]*accessToken{}
		m.orders, m.packs, m.shipments = map[int64]*order{}, map[int64]*pack{}, map[int64]*shipment{}
		m.items, m.questions, m.convs = map[string]*item{}, map[int64]*question{}, map[int64]*conversation{}
		m.fiscal, m.used, m.cancels = map[string]int64{}, map[int64]bool{}, map[string]map[int64]func(){}
		return
	}
	del := func(a string) bool { return a == account }
	deleteWhere(m.codes, func(g *grantCode) bool { return del(g.account) })
	deleteWhere(m.refreshes, func(g *refreshToken) bool { return del(g.account) })
	deleteWhere(m.tokens, func(g *accessToken) bool { return del(g.account) })
	deleteWhere(m.orders, func(o *order) bool { return del(o.account) })
	deleteWhere(m.packs, func(p *pack) bool { return del(p.account) })
	for key, id := range m.fiscal {
		if s := m.shipments[id]; s != nil && del(s.account) {
			delete(m.fiscal, key)
		}
	}
	deleteWhere(m.shipments, func(s *shipment) bool { return del(s.account) })
	deleteWhere(m.items, func(i *item) bool { return del(i.account) })
	deleteWhere(m.questions, func(q *question) bool { return del(q.account) })
	deleteWhere(m.convs, func(c *conversation) bool { return del(c.account) })
}

func deleteWhere[K comparable, V any](mp map[K]V, f func(V) bool) {
	for k, v := range mp {
		if f(v) {
			delete(mp, k)
		}
	}
}

// newID draws an unused id in [base, base+span); m.mu held.
func (m *Market) newID(base, span int64) int64 {
	for {
		id := base + m.rng.Int64N(span)
		if !m.used[id] {
			m.used[id] = true
			return id
		}
	}
}

func (m *Market) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n*2)
	for i := range b {
		b[i] = digits[m.rng.IntN(16)]
	}
	return string(b)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// publish sends a domain event for a notification topic; m.mu held (the
// bus is synchronous and its subscribers only queue).
func (m *Market) publish(account, typ string, sellerID int64, resource, id string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["topic"], data["resource"], data["userId"] = topicOf[typ], resource, sellerID
	m.bus.Publish(events.Event{Time: m.clock.Now(), Account: account, Type: typ, OrderID: id, Data: data})
}

// at schedules fn on the sandbox clock for an account, cancelled by
// Forget; m.mu held, and held again when fn runs.
func (m *Market) at(account string, t time.Time, fn func()) {
	m.timers++
	k := m.timers
	if m.cancels[account] == nil {
		m.cancels[account] = map[int64]func(){}
	}
	m.cancels[account][k] = m.clock.At(t, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, pending := m.cancels[account][k]; !pending {
			return // forgotten in the meantime
		}
		delete(m.cancels[account], k)
		fn()
	})
}

// Time is a Mercado Livre timestamp: milliseconds and the -03:00 offset.
type Time time.Time

var brt = time.FixedZone("BRT", -3*3600)

// TimeLayout is how orders and shipments write times.
const TimeLayout = "2006-01-02T15:04:05.000-07:00"

// MarshalJSON writes the time in Brasília's offset.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).In(brt).Format(TimeLayout) + `"`), nil
}

func tp(t time.Time) *Time { v := Time(t); return &v }

func reais(cents int64) float64 { return float64(cents) / 100 }
