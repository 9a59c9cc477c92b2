// Package control owns the sandbox's control plane under /_sandbox/: the
// calls a test or a person needs that the vendors' APIs do not offer —
// health, reset, accounts, order creation and platform steps, the clock,
// the journal, the event log and faults, and the views the dashboard
// (sandbox/dashboard, served at /_sandbox/ui) reads: every channel's
// orders, an order's timeline, the catalog, hooks, and a live stream. Its routes come from
// openapi/sandbox.yaml and are a public interface, mirrored by
// sandbox/client. Handlers stay thin: decode, call the owner, encode.
package control

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox/bridge"
	"github.com/omsbox/omsbox/sandbox/carrier"
	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
	"github.com/omsbox/omsbox/sandbox/dashboard"
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
)

// Deps is what the control plane acts on.
type Deps struct {
	Clock          *clock.Clock
	OMS            *oms.OMS
	Journal        *journal.Journal
	Events         *events.Log
	Faults         *faults.Set
	Version        string
	DefaultAccount string
	// AddAccount registers a new account with its credentials and seed.
	AddAccount func(config.Account) error
	// Reset returns one account ("") or all to the seeded state.
	Reset func(account string) error
	// AddSeller links a SkyHub seller to an account.
	AddSeller func(config.Seller) error
	SkyHub    *skyhub.Hub
	Bridge    *bridge.Bridge
	Feeds     *feed.Feeds
	// Inventory and Stock: stock per SKU and warehouse, and the check
	// that refuses an order stock cannot cover.
	Inventory *inventory.Inventory
	Stock     *orderstock.Link
	Carrier   *carrier.Carrier
	// MercadoLivre is the Mercado Livre channel; MLNotifier its callbacks.
	MercadoLivre *mercadolivre.Market
	MLNotifier   *mercadolivre.Notifier
	// Catalog and Pricing are VTEX's catalog and prices; Hooks the VTEX
	// hooks (the dashboard shows them).
	Catalog *catalog.Catalog
	Pricing *pricing.Pricing
	Hooks   *hook.Hooks
}

// Options configure validation and access of the control plane.
type Options struct {
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
	// Token, when set, is the bearer token every call but GET
	// /_sandbox/health needs (Authorization: Bearer <token>).
	Token string
	// Done, when closed, ends the live streams (GET /_sandbox/stream), so
	// that a shutdown does not wait for them.
	Done <-chan struct{}
}

type plane struct {
	Deps
	done <-chan struct{}
}

// New returns the control plane's handler.
func New(d Deps, opts Options) (http.Handler, error) {
	spec, err := openapi.Load("sandbox.yaml")
	if err != nil {
		return nil, err
	}
	p := &plane{Deps: d, done: opts.Done}
	if p.done == nil {
		p.done = make(chan struct{})
	}
	r := mux.NewRouter().SkipClean(true) // "..%2F" is a 404 in the vendor's shape, not a 301
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no control-plane route "+r.Method+" "+clip.ID(r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", clip.ID(r.Method)+" is not allowed on "+clip.ID(r.URL.Path))
	})
	err = spec.Mount(r, map[string]http.Handler{
		"Health":         http.HandlerFunc(p.health),
		"Reset":          http.HandlerFunc(p.reset),
		"ListAccounts":   http.HandlerFunc(p.listAccounts),
		"CreateAccount":  http.HandlerFunc(p.createAccount),
		"CreateOrder":    http.HandlerFunc(p.createOrder),
		"CreateOrders":   http.HandlerFunc(p.createOrders),
		"AdvanceOrder":   http.HandlerFunc(p.advanceOrder),
		"GetClock":       http.HandlerFunc(p.getClock),
		"SetClock":       http.HandlerFunc(p.setClock),
		"GetJournal":     http.HandlerFunc(p.journal),
		"GetEvents":      http.HandlerFunc(p.events),
		"ListFaults":     http.HandlerFunc(p.listFaults),
		"AddFault":       http.HandlerFunc(p.addFault),
		"ClearFaults":    http.HandlerFunc(p.clearFaults),
		"GetFault":       http.HandlerFunc(p.getFault),
		"DeleteFault":    http.HandlerFunc(p.deleteFault),
		"SkyHubStep":     http.HandlerFunc(p.skyhubStep),
		"OpenTicket":     http.HandlerFunc(p.openTicket),
		"CloseTicket":    http.HandlerFunc(p.closeTicket),
		"AskQuestion":    http.HandlerFunc(p.askQuestion),
		"GetInventory":   http.HandlerFunc(p.inventory),
		"CreateParcel":   http.HandlerFunc(p.createParcel),
		"ListParcels":    http.HandlerFunc(p.listParcels),
		"ParcelScenario": http.HandlerFunc(p.parcelScenario),

		// Mercado Livre (mercadolivre.go).
		"MercadoLivreAuthorize":    http.HandlerFunc(p.mlAuthorize),
		"MercadoLivreApp":          http.HandlerFunc(p.mlApp),
		"MercadoLivreItem":         http.HandlerFunc(p.mlItem),
		"MercadoLivreQuestion":     http.HandlerFunc(p.mlQuestion),
		"MercadoLivreMessage":      http.HandlerFunc(p.mlMessage),
		"MercadoLivreOrderStep":    http.HandlerFunc(p.mlOrderStep),
		"MercadoLivreShipmentStep": http.HandlerFunc(p.mlShipmentStep),

		// The dashboard's views (orders.go, overview.go, stream.go).
		"ListOrders":    http.HandlerFunc(p.listOrders),
		"OrderTimeline": http.HandlerFunc(p.orderTimeline),
		"GetCatalog":    http.HandlerFunc(p.catalog),
		"ListHooks":     http.HandlerFunc(p.hooks),
		"Stream":        http.HandlerFunc(p.stream),

		"ListFeeds": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, p.Feeds.Summaries(r.URL.Query().Get("account")))
		}),
	}, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, Logger: opts.Logger, AssumeJSON: true,
		WriteError: func(w http.ResponseWriter, _ *http.Request, status int, msg string) {
			writeError(w, status, codeOf[status], msg)
		}})
	if err != nil {
		return nil, err
	}
	var api http.Handler = r
	if opts.Token != "" {
		api = requireToken(opts.Token, r)
	}
	return withDashboard(api), nil
}

// withDashboard serves the dashboard's static files under /_sandbox/ui
// ahead of the token check: they hold no data, only the page that asks a
// person for the token, keeps it in the tab's sessionStorage and sends it
// as Authorization: Bearer on every control-plane call it makes. Without
// the token those calls answer 401 like anyone else's, so nothing leaks.
func withDashboard(api http.Handler) http.Handler {
	ui := dashboard.Handler(writeError)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dashboard.Owns(r.URL.Path) {
			ui.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// requireToken lets through only calls that carry the bearer token, and
// the health check, which containers and load balancers ask without one.
func requireToken(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/_sandbox/health" {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="omsbox control plane"`)
			msg := "the control plane needs Authorization: Bearer <token> (the sandbox's --control-token)"
			if got != "" {
				msg = "the control plane's bearer token is wrong"
			}
			writeError(w, http.StatusUnauthorized, "unauthorized", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// codeOf names the control plane's error codes by status.
var codeOf = map[int]string{
	http.StatusBadRequest:            "invalid_request",
	http.StatusNotFound:              "not_found",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusInternalServerError:   "internal",
}

// statusOf maps domain refusals to control-plane statuses.
var statusOf = map[oms.Kind]int{
	oms.KindInvalid:  http.StatusBadRequest,
	oms.KindNotFound: http.StatusNotFound,
	oms.KindConflict: http.StatusConflict,
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fail writes an error with the status's code.
func fail(w http.ResponseWriter, status int, format string, a ...any) {
	writeError(w, status, codeOf[status], fmt.Sprintf(format, a...))
}

// failDomain writes a domain refusal; anything else is the sandbox's fault.
func failDomain(w http.ResponseWriter, err error) {
	if e, ok := oms.AsError(err); ok {
		msg := e.Message
		if e.Detail != "" {
			msg += " (" + e.Detail + ")"
		}
		fail(w, statusOf[e.Kind], "%s", msg)
		return
	}
	fail(w, http.StatusInternalServerError, "%v", err)
}

// decode reads a JSON body the spec has validated, refusing unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(w, http.StatusBadRequest, "request body: %v", err)
		return false
	}
	if dec.More() {
		fail(w, http.StatusBadRequest, "request body: more than one JSON value")
		return false
	}
	return true
}

// encodeOrder answers with an order's VTEX document.
func encodeOrder(w http.ResponseWriter, status int, acct *oms.Account, id string) {
	doc, err := acct.Document(id)
	if err != nil {
		failDomain(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(status)
	journal.WriteShared(w, doc)
}
