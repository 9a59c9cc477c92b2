// Package config owns the sandbox's configuration: the VTEX accounts it
// serves, their credentials and seed data. An embedded default (one demo
// account, "demostore") makes the sandbox run with no file at all; a JSON
// file replaces it.
package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/omsbox/omsbox/sandbox/clock"
)

//go:embed default.json
var defaultJSON []byte

// Config is the whole sandbox configuration.
type Config struct {
	// DefaultAccount serves requests that name no account (no `an` query
	// parameter and a Host that carries none).
	DefaultAccount string    `json:"defaultAccount"`
	Accounts       []Account `json:"accounts"`
	// Platform sets the platform's own timers, on the sandbox clock.
	Platform Platform `json:"platform,omitempty"`
	// JournalSize is how many requests the journal keeps (default 10,000).
	JournalSize int `json:"journalSize,omitempty"`
	// JournalBytes bounds the journal's memory (default 64 MiB): the
	// oldest entries go first.
	JournalBytes int `json:"journalBytes,omitempty"`
	// SkyHub configures the SkyHub side.
	SkyHub SkyHub `json:"skyhub,omitzero"`
	// Inventory configures VTEX Logistics' stock.
	Inventory Inventory `json:"inventory,omitzero"`
	// Carrier configures the Correios-style carrier.
	Carrier Carrier `json:"carrier,omitzero"`
	// MercadoLivre configures the Mercado Livre channel.
	MercadoLivre MercadoLivre `json:"mercadolivre,omitzero"`
}

// MercadoLivre configures the Mercado Livre API, each account's app and
// seller, and the channel's timers.
type MercadoLivre struct {
	// Base is where the API is served (default /mercadolivre).
	Base string `json:"base,omitempty"`
	// Host, if set, serves the API at the root of requests for that host
	// (e.g. "api.mercadolibre.localhost").
	Host string            `json:"host,omitempty"`
	Apps []MercadoLivreApp `json:"apps,omitempty"`
	// NotificationTimeout is how long a callback has to answer 200
	// (Mercado Livre: 500ms).
	NotificationTimeout clock.Duration `json:"notificationTimeout,omitzero"`
	// ShipAfter and DeliverAfter move a printed shipment to shipped, and
	// a shipped one to delivered, on the sandbox clock (defaults 24h and
	// 72h; "-1s" leaves it to the control plane).
	ShipAfter    clock.Duration `json:"shipAfter,omitzero"`
	DeliverAfter clock.Duration `json:"deliverAfter,omitzero"`
}

// MercadoLivreApp is an account's Mercado Livre application (client id
// and secret, the redirect URI registered for it) and the seller that
// authorized it; empty fields are generated.
type MercadoLivreApp struct {
	Account      string   `json:"account"`
	ClientID     string   `json:"clientId,omitempty"`
	ClientSecret string   `json:"clientSecret,omitempty"`
	RedirectURI  string   `json:"redirectUri,omitempty"`
	SellerID     int64    `json:"sellerId,omitempty"`
	Nickname     string   `json:"nickname,omitempty"`
	CNPJ         string   `json:"cnpj,omitempty"`
	CallbackURL  string   `json:"callbackUrl,omitempty"`
	Topics       []string `json:"topics,omitempty"`
}

// Inventory configures stock writes.
type Inventory struct {
	// LockWindow is how long after a write of one SKU and warehouse a
	// second write answers 423 Locked, on the sandbox clock ("2s"). Off
	// (zero) by default: on a frozen clock every write happens at the same
	// instant, so any window would lock a SKU's second write for ever;
	// tests and scenarios that check a connector's handling of 423 set it.
	LockWindow clock.Duration `json:"lockWindow,omitzero"`
}

// Carrier configures the carrier API and each account's Correios contract.
type Carrier struct {
	// Base is where the API is served (default /correios).
	Base string `json:"base,omitempty"`
	// Host, if set, serves the API at the root of requests for that host
	// (e.g. "api.correios.localhost"), as clients call api.correios.com.br.
	Host      string            `json:"host,omitempty"`
	Contracts []CarrierContract `json:"contracts,omitempty"`
}

// CarrierContract is an account's Correios contract: the posting card
// (cartão de postagem) tokens are issued for, and the user and access
// code that ask for them.
type CarrierContract struct {
	Account     string `json:"account"`
	User        string `json:"user"`
	AccessCode  string `json:"accessCode"`
	PostingCard string `json:"postingCard"`
	Contract    string `json:"contract,omitempty"`
}

// SkyHub configures the SkyHub API and its sellers.
type SkyHub struct {
	// Base is where the API is served (default /skyhub).
	Base string `json:"base,omitempty"`
	// Host, if set, serves the API at the root of requests for that host
	// (e.g. "api.skyhub.localhost"), as clients call api.skyhub.com.br.
	Host    string   `json:"host,omitempty"`
	Sellers []Seller `json:"sellers,omitempty"`
	// ManualInvoiceProcessing makes B2W Entrega Direct invoices wait for
	// the control plane before their labels are ready (default: at once).
	ManualInvoiceProcessing bool `json:"manualInvoiceProcessing,omitempty"`
}

// Seller is a SkyHub seller and the VTEX account its B2W orders mirror
// into.
type Seller struct {
	Email  string `json:"email"`
	APIKey string `json:"apiKey"`
	// AccountManagerKey, if set, is the only X-Accountmanager-Key accepted;
	// otherwise any non-empty one is, as SkyHub's SDKs send their own.
	AccountManagerKey string `json:"accountManagerKey,omitempty"`
	Account           string `json:"account"`
	// CNPJ is the seller's, which its NF-e keys must name (default
	// 11222333000181, the sandbox's demo company).
	CNPJ string `json:"cnpj,omitempty"`
}

// Platform holds the delays of the steps VTEX takes by itself. Both are
// off by default, so an order created ready-for-handling is ready at once.
type Platform struct {
	// PaymentApproval is how long a new order waits in payment-pending (or,
	// for a marketplace order, for the marketplace's authorization).
	PaymentApproval clock.Duration `json:"paymentApproval,omitzero"`
	// WindowToCancel is how long a paid order stays in window-to-cancel
	// (VTEX's default is 30 minutes).
	WindowToCancel clock.Duration `json:"windowToCancel,omitzero"`
}

// Account is one VTEX account and the credentials it accepts.
type Account struct {
	Name string `json:"name"`
	// AppKeys are the app key / app token pairs (X-VTEX-API-AppKey and
	// X-VTEX-API-AppToken) the account accepts.
	AppKeys []AppKey `json:"appKeys"`
	// UserTokens are accepted as VtexIdclientAutCookie, header or cookie.
	UserTokens []string `json:"userTokens,omitempty"`
	// Seed names the seed file (testdata/seed/NAME.json) the account starts
	// with and returns to on reset; empty means an empty account.
	Seed string `json:"seed,omitempty"`
}

// AppKey is one VTEX app key and its token.
type AppKey struct {
	Key   string `json:"key"`
	Token string `json:"token"`
}

// Default returns the embedded default configuration.
func Default() Config {
	c, err := Parse(defaultJSON)
	if err != nil {
		panic(fmt.Sprintf("config: embedded default is invalid: %v", err))
	}
	return c
}

// Load reads and validates a configuration file.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration document. Unknown fields are
// refused so that a typo does not silently fall back to a default.
func Parse(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("decode: %w", err)
	}
	return c, c.Validate()
}

// ValidAccountName tells whether name can be a VTEX account name, and fit
// the first label of a Host: 1 to 63 of a-z, 0-9 and "-", not starting
// with "-". (A loop, not a regexp: the regexp's 62-fold repetition cost
// a millisecond of every start-up to compile.)
func ValidAccountName(name string) bool {
	if len(name) == 0 || len(name) > 63 || name[0] == '-' {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Validate checks names, uniqueness of accounts and app keys, and that the
// default account exists.
func (c Config) Validate() error {
	var errs []error
	names := map[string]bool{}
	keys := map[string]string{}
	for i, a := range c.Accounts {
		if !ValidAccountName(a.Name) {
			errs = append(errs, fmt.Errorf("accounts[%d].name %q: must be lower-case letters, digits and dashes", i, a.Name))
		}
		if names[a.Name] {
			errs = append(errs, fmt.Errorf("accounts[%d].name %q: defined twice", i, a.Name))
		}
		names[a.Name] = true
		if len(a.AppKeys) == 0 && len(a.UserTokens) == 0 {
			errs = append(errs, fmt.Errorf("account %q: needs at least one app key or user token", a.Name))
		}
		for j, k := range a.AppKeys {
			if k.Key == "" || k.Token == "" {
				errs = append(errs, fmt.Errorf("account %q: appKeys[%d] needs both key and token", a.Name, j))
			}
			if other, dup := keys[k.Key]; dup {
				errs = append(errs, fmt.Errorf("account %q: app key %q is already used by account %q", a.Name, k.Key, other))
			}
			keys[k.Key] = a.Name
		}
	}
	emails := map[string]bool{}
	for i, sl := range c.SkyHub.Sellers {
		if sl.Email == "" || sl.APIKey == "" {
			errs = append(errs, fmt.Errorf("skyhub.sellers[%d] needs email and apiKey", i))
		}
		if emails[strings.ToLower(sl.Email)] {
			errs = append(errs, fmt.Errorf("skyhub.sellers[%d]: %s is defined twice", i, sl.Email))
		}
		emails[strings.ToLower(sl.Email)] = true
		if !names[sl.Account] {
			errs = append(errs, fmt.Errorf("skyhub.sellers[%d]: account %q is not among the accounts", i, sl.Account))
		}
	}
	cards := map[string]bool{}
	for i, k := range c.Carrier.Contracts {
		if k.User == "" || k.AccessCode == "" || k.PostingCard == "" {
			errs = append(errs, fmt.Errorf("carrier.contracts[%d] needs user, accessCode and postingCard", i))
		}
		if cards[k.PostingCard] {
			errs = append(errs, fmt.Errorf("carrier.contracts[%d]: posting card %s is defined twice", i, k.PostingCard))
		}
		cards[k.PostingCard] = true
		if !names[k.Account] {
			errs = append(errs, fmt.Errorf("carrier.contracts[%d]: account %q is not among the accounts", i, k.Account))
		}
	}
	mlApps := map[string]bool{}
	for i, a := range c.MercadoLivre.Apps {
		if !names[a.Account] {
			errs = append(errs, fmt.Errorf("mercadolivre.apps[%d]: account %q is not among the accounts", i, a.Account))
		}
		if mlApps[a.Account] {
			errs = append(errs, fmt.Errorf("mercadolivre.apps[%d]: account %q has two apps", i, a.Account))
		}
		mlApps[a.Account] = true
	}
	if c.JournalSize < 0 {
		errs = append(errs, errors.New("journalSize must not be negative"))
	}
	if c.JournalBytes < 0 {
		errs = append(errs, errors.New("journalBytes must not be negative"))
	}
	if c.DefaultAccount == "" {
		errs = append(errs, errors.New("defaultAccount is empty"))
	} else if !names[c.DefaultAccount] {
		errs = append(errs, fmt.Errorf("defaultAccount %q is not among the accounts", c.DefaultAccount))
	}
	return errors.Join(errs...)
}

// Account returns the named account.
func (c Config) Account(name string) (Account, bool) {
	for _, a := range c.Accounts {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}
