// Package reference is omsbox's reference ERP integration: a small,
// production-quality VTEX connector that does the documented order flow
// right, for integrators to read and copy. It downloads orders from Feed
// v3 (or on hook notifications), keeps them in its own store, starts
// handling them, commits the feed only once an order is safely stored, and
// carries out the ERP's actions (invoice, tracking, delivery, cancel,
// change) on a driver endpoint. Every call retries what is worth retrying
// and nothing else. cmd/refclient is its command line; the contract
// harness runs it in-process.
package reference

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Config is everything the connector needs. The harness hands every
// integration under test the OMSBOX_* environment FromEnv reads.
type Config struct {
	VTEXURL, Account, AppKey, AppToken                string
	SkyHubURL, SkyHubEmail, SkyHubAPIKey, SkyHubAMKey string
	// DriverAddr is where the driver endpoint listens for ERP actions
	// (e.g. 127.0.0.1:9090); empty: no driver.
	DriverAddr string
	// StateFile keeps downloaded orders across restarts.
	StateFile string
	// CatalogFile is the ERP catalog (ERPCatalog as JSON): pushed to VTEX
	// at start, changed and rewritten by the catalog actions. Empty: the
	// catalog lives in memory, fed by the actions alone.
	CatalogFile string
	// PollInterval is the pause between empty feed reads.
	PollInterval time.Duration
	// HookAddr, with HookURL (how VTEX reaches it), switches to hook mode:
	// notifications on that address, the feed as a backup.
	HookAddr, HookURL string
	// Timeout bounds each request.
	Timeout time.Duration
	// MaxRetries bounds the retries of one call (5xx, 429, network).
	MaxRetries int
	// BackoffScale shrinks the back-off waits (tests use 0.001): the first
	// retry after ~200 ms, doubling to 30 s, and 60 s after a 429 without
	// Retry-After, all multiplied by it. A Retry-After the server sends is
	// always honoured in full.
	BackoffScale float64
	// Transport, if set, carries the VTEX, SkyHub and carrier calls
	// (proxies, tracing, tests).
	Transport http.RoundTripper
	// Channels the connector integrates directly: "vtex" (the default),
	// "skyhub", or both. See skyhub.go.
	Channels []string
	// SellerCNPJ is the company's CNPJ, the issuer its NF-e keys name
	// (SkyHub-direct invoices).
	SellerCNPJ string

	// CarrierURL is the Correios-style API (…/correios on omsbox); with
	// the contract's user, access code and posting card it switches on
	// carrier tracking. TrackInterval is the pause between polls.
	CarrierURL, CarrierUser, CarrierAccessCode, CarrierPostingCard string
	TrackInterval                                                  time.Duration
	// B2BAddr, with B2BToken, serves the ERP's B2B look-up API (the one
	// VTEX's B2B Orders app calls) on that address, behind that bearer
	// token; empty: not served.
	B2BAddr, B2BToken string
	// Mercado Livre (mercadolivre.go): the API's base URL, the app's
	// credentials, and the authorization code of the seller's consent,
	// traded once for the first token pair.
	MLURL, MLClientID, MLClientSecret, MLRedirectURI, MLCode string
	// MLNotifyAddr is where the Mercado Livre notification receiver
	// listens (the app's callback URL is http://MLNotifyAddr/notifications);
	// empty: no receiver, and the connector polls every PollInterval.
	MLNotifyAddr string
	// MLSyncInterval is, with a receiver, the pause between two catch-ups
	// (missed notifications, paid orders, unanswered questions): the
	// notifications do the work, the catch-up only mends what they missed.
	MLSyncInterval time.Duration
}

// Defaults for what FromEnv and the flags leave unset.
const (
	DefaultPollInterval = 2 * time.Second
	DefaultTimeout      = 20 * time.Second // VTEX advises 20 s for changes
	DefaultMaxRetries   = 6
	// DefaultTrackInterval: carriers ask integrators not to poll a parcel
	// more than a few times an hour.
	DefaultTrackInterval = 15 * time.Minute
	// DefaultMLSyncInterval: Mercado Livre keeps a missed notification
	// for days; a catch-up every 10 minutes bounds how late one can be.
	DefaultMLSyncInterval = 10 * time.Minute
)

// FromEnv reads the harness's environment:
// OMSBOX_VTEX_URL, OMSBOX_VTEX_ACCOUNT, OMSBOX_VTEX_APPKEY,
// OMSBOX_VTEX_APPTOKEN, OMSBOX_SKYHUB_URL, OMSBOX_SKYHUB_EMAIL,
// OMSBOX_SKYHUB_APIKEY, OMSBOX_SKYHUB_ACCOUNTMANAGER_KEY,
// OMSBOX_DRIVER_ADDR, OMSBOX_CHANNELS, OMSBOX_SKYHUB_CNPJ, OMSBOX_B2B_ADDR,
// OMSBOX_B2B_TOKEN, OMSBOX_CARRIER_URL, OMSBOX_CARRIER_USER,
// OMSBOX_CARRIER_ACCESS_CODE, OMSBOX_CARRIER_POSTING_CARD, OMSBOX_ML_URL,
// OMSBOX_ML_CLIENT_ID, OMSBOX_ML_CLIENT_SECRET, OMSBOX_ML_REDIRECT_URI,
// OMSBOX_ML_CODE, OMSBOX_ML_NOTIFICATIONS_ADDR, plus
// REFCLIENT_STATE_FILE, REFCLIENT_CATALOG, REFCLIENT_POLL_INTERVAL,
// REFCLIENT_TRACK_INTERVAL, REFCLIENT_ML_SYNC_INTERVAL and
// REFCLIENT_BACKOFF_SCALE of its own.
func FromEnv() Config {
	c := Config{
		VTEXURL: os.Getenv("OMSBOX_VTEX_URL"), Account: os.Getenv("OMSBOX_VTEX_ACCOUNT"),
		AppKey: os.Getenv("OMSBOX_VTEX_APPKEY"), AppToken: os.Getenv("OMSBOX_VTEX_APPTOKEN"),
		SkyHubURL: os.Getenv("OMSBOX_SKYHUB_URL"), SkyHubEmail: os.Getenv("OMSBOX_SKYHUB_EMAIL"),
		SkyHubAPIKey: os.Getenv("OMSBOX_SKYHUB_APIKEY"), SkyHubAMKey: os.Getenv("OMSBOX_SKYHUB_ACCOUNTMANAGER_KEY"),
		DriverAddr: os.Getenv("OMSBOX_DRIVER_ADDR"), StateFile: os.Getenv("REFCLIENT_STATE_FILE"),
		B2BAddr: os.Getenv("OMSBOX_B2B_ADDR"), B2BToken: os.Getenv("OMSBOX_B2B_TOKEN"),
		CatalogFile: os.Getenv("REFCLIENT_CATALOG"),
		Channels:    ParseChannels(os.Getenv("OMSBOX_CHANNELS")), SellerCNPJ: os.Getenv("OMSBOX_SKYHUB_CNPJ"),
		CarrierURL: os.Getenv("OMSBOX_CARRIER_URL"), CarrierUser: os.Getenv("OMSBOX_CARRIER_USER"),
		CarrierAccessCode: os.Getenv("OMSBOX_CARRIER_ACCESS_CODE"), CarrierPostingCard: os.Getenv("OMSBOX_CARRIER_POSTING_CARD"),
		MLURL: os.Getenv("OMSBOX_ML_URL"), MLClientID: os.Getenv("OMSBOX_ML_CLIENT_ID"),
		MLClientSecret: os.Getenv("OMSBOX_ML_CLIENT_SECRET"), MLRedirectURI: os.Getenv("OMSBOX_ML_REDIRECT_URI"),
		MLCode: os.Getenv("OMSBOX_ML_CODE"), MLNotifyAddr: os.Getenv("OMSBOX_ML_NOTIFICATIONS_ADDR"),
	}
	if d, err := time.ParseDuration(os.Getenv("REFCLIENT_ML_SYNC_INTERVAL")); err == nil {
		c.MLSyncInterval = d
	}
	if d, err := time.ParseDuration(os.Getenv("REFCLIENT_TRACK_INTERVAL")); err == nil {
		c.TrackInterval = d
	}
	if d, err := time.ParseDuration(os.Getenv("REFCLIENT_POLL_INTERVAL")); err == nil {
		c.PollInterval = d
	}
	if f, err := strconv.ParseFloat(os.Getenv("REFCLIENT_BACKOFF_SCALE"), 64); err == nil {
		c.BackoffScale = f
	}
	return c
}

// withDefaults fills what is unset and checks what is required.
func (c Config) withDefaults() (Config, error) {
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.TrackInterval <= 0 {
		c.TrackInterval = DefaultTrackInterval
	}
	if c.MLSyncInterval <= 0 {
		c.MLSyncInterval = DefaultMLSyncInterval
	}
	if c.CarrierURL != "" && (c.CarrierUser == "" || c.CarrierAccessCode == "" || c.CarrierPostingCard == "") {
		return c, errors.New("carrier tracking (OMSBOX_CARRIER_URL) needs OMSBOX_CARRIER_USER, OMSBOX_CARRIER_ACCESS_CODE and OMSBOX_CARRIER_POSTING_CARD")
	}
	if c.BackoffScale <= 0 {
		c.BackoffScale = 1
	}
	if c.StateFile == "" {
		c.StateFile = "refclient-state.json"
	}
	if len(c.Channels) == 0 {
		c.Channels = []string{ChannelVTEX}
	}
	var missing []error
	required := map[string]string{}
	if c.has(ChannelVTEX) {
		maps.Copy(required, map[string]string{"VTEX URL (OMSBOX_VTEX_URL)": c.VTEXURL,
			"app key (OMSBOX_VTEX_APPKEY)": c.AppKey, "app token (OMSBOX_VTEX_APPTOKEN)": c.AppToken})
	}
	if c.has(ChannelSkyHub) {
		maps.Copy(required, map[string]string{"SkyHub URL (OMSBOX_SKYHUB_URL)": c.SkyHubURL,
			"SkyHub e-mail (OMSBOX_SKYHUB_EMAIL)": c.SkyHubEmail, "SkyHub API key (OMSBOX_SKYHUB_APIKEY)": c.SkyHubAPIKey,
			"seller CNPJ (OMSBOX_SKYHUB_CNPJ)": c.SellerCNPJ})
	}
	if c.has(ChannelMercadoLivre) {
		maps.Copy(required, map[string]string{"Mercado Livre URL (OMSBOX_ML_URL)": c.MLURL,
			"Mercado Livre client id (OMSBOX_ML_CLIENT_ID)":         c.MLClientID,
			"Mercado Livre client secret (OMSBOX_ML_CLIENT_SECRET)": c.MLClientSecret,
			"seller CNPJ (OMSBOX_SKYHUB_CNPJ)":                      c.SellerCNPJ})
	}
	for name, v := range required {
		if v == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
	}
	if c.B2BAddr != "" && c.B2BToken == "" {
		missing = append(missing, errors.New("the B2B API (OMSBOX_B2B_ADDR) needs its token (OMSBOX_B2B_TOKEN)"))
	}
	for _, ch := range c.Channels {
		if ch != ChannelVTEX && ch != ChannelSkyHub && ch != ChannelMercadoLivre {
			missing = append(missing, fmt.Errorf("unknown channel %q (vtex, skyhub, mercadolivre)", ch))
		}
	}
	if (c.HookAddr == "") != (c.HookURL == "") {
		missing = append(missing, errors.New("hook mode needs both the hook address and the hook URL"))
	}
	return c, errors.Join(missing...)
}
