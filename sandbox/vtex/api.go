package vtex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/pricing"
)

// Options configure the VTEX API.
type Options struct {
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
}

// Deps is what the VTEX API serves.
type Deps struct {
	OMS         *oms.OMS
	Credentials *Credentials
	Feeds       *feed.Feeds
	Hooks       *hook.Hooks
	// Catalog, Inventory and Pricing, when all set, add the routes of
	// openapi/vtex-catalog.yaml.
	Catalog   *catalog.Catalog
	Inventory *inventory.Inventory
	Pricing   *pricing.Pricing
}

// API serves VTEX's OMS endpoints.
type API struct {
	oms   *oms.OMS
	feeds *feed.Feeds
	hooks *hook.Hooks
	creds *Credentials
}

// New returns the VTEX API as an http.Handler: account and credentials
// first, then the routes of openapi/vtex-oms.yaml, each validated.
func New(d Deps, opts Options) (http.Handler, error) {
	spec, err := openapi.Load("vtex-oms.yaml")
	if err != nil {
		return nil, err
	}
	a := &API{oms: d.OMS, feeds: d.Feeds, hooks: d.Hooks, creds: d.Credentials}
	creds := d.Credentials
	r := mux.NewRouter().SkipClean(true) // "..%2F" is a 404 in the vendor's shape, not a 301
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, codeNoRoute, "No route for "+r.Method+" "+clip.ID(r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusMethodNotAllowed, codeNoRoute, "Method "+clip.ID(r.Method)+" is not allowed on "+clip.ID(r.URL.Path))
	})
	err = spec.Mount(r, map[string]http.Handler{
		"GetOrder":         http.HandlerFunc(a.getOrder),
		"GetOrderDocument": http.HandlerFunc(a.getOrder),
		"ListOrders":       http.HandlerFunc(a.listOrders),
		"StartHandling":    http.HandlerFunc(a.startHandling),
		"InvoiceNotification": receiptHandler(a, jsonType, func(acct *oms.Account, r *http.Request, req oms.InvoiceRequest) (oms.Receipt, error) {
			return acct.Invoice(mux.Vars(r)["orderId"], req)
		}),
		"UpdateInvoiceTracking": receiptHandler(a, jsonType, func(acct *oms.Account, r *http.Request, req oms.TrackingRequest) (oms.Receipt, error) {
			return acct.UpdateTracking(mux.Vars(r)["orderId"], mux.Vars(r)["invoiceNumber"], req)
		}),
		"UpdateTrackingStatus": receiptHandler(a, jsonUTF8, func(acct *oms.Account, r *http.Request, req oms.TrackingEventsRequest) (oms.Receipt, error) {
			return acct.UpdateTrackingEvents(mux.Vars(r)["orderId"], mux.Vars(r)["invoiceNumber"], req)
		}),
		"RegisterChange": receiptHandler(a, jsonType, func(acct *oms.Account, r *http.Request, req oms.ChangeRequest) (oms.Receipt, error) {
			return acct.Change(mux.Vars(r)["orderId"], req)
		}),
		"CancelOrder": receiptHandler(a, jsonType, func(acct *oms.Account, r *http.Request, req oms.CancelRequest) (oms.Receipt, error) {
			return acct.Cancel(mux.Vars(r)["orderId"], req)
		}),
		"GetFeedOrderStatus":      http.HandlerFunc(a.getFeed),
		"CommitFeedItems":         http.HandlerFunc(a.commitFeed),
		"GetFeedConfiguration":    http.HandlerFunc(a.getFeedConfig),
		"SaveFeedConfiguration":   http.HandlerFunc(a.saveFeedConfig),
		"DeleteFeedConfiguration": http.HandlerFunc(a.deleteFeedConfig),
		"GetHookConfiguration":    http.HandlerFunc(a.getHookConfig),
		"SaveHookConfiguration":   http.HandlerFunc(a.saveHookConfig),
		"DeleteHookConfiguration": http.HandlerFunc(a.deleteHookConfig),
	}, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, WriteError: validationError, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	if d.Catalog != nil && d.Inventory != nil && d.Pricing != nil {
		if err := mountCatalog(r, &catalogAPI{catalog: d.Catalog, inventory: d.Inventory, pricing: d.Pricing, creds: d.Credentials}, opts); err != nil {
			return nil, err
		}
	}
	return creds.authenticate(r), nil
}

// account returns the store of the request's authenticated account.
func (a *API) account(w http.ResponseWriter, r *http.Request) (*oms.Account, bool) {
	acct, ok := a.oms.Account(a.creds.Account(r))
	if !ok {
		WriteError(w, http.StatusNotFound, codeNoAccount, "Account "+a.creds.Account(r)+" has no order store")
	}
	return acct, ok
}

// Content types VTEX answers with: PUT tracking and list orders name the
// charset, the rest do not.
const (
	jsonType = "application/json"
	jsonUTF8 = "application/json; charset=utf-8"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON encodes v with status and contentType.
func writeJSON(w http.ResponseWriter, status int, contentType string, encode func(*json.Encoder) error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); buffers.Put(buf) }()
	if err := encode(json.NewEncoder(buf)); err != nil {
		fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	doc, err := acct.Document(mux.Vars(r)["orderId"])
	if err != nil {
		fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", jsonType)
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	journal.WriteShared(w, doc)
}

func (a *API) startHandling(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	if _, err := acct.Fire(mux.Vars(r)["orderId"], oms.ActionStartHandling, oms.BySeller); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listOrders(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	q, err := parseListQuery(r)
	if err != nil {
		WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	list := acct.List(q)
	writeJSON(w, http.StatusOK, jsonUTF8, func(e *json.Encoder) error { return e.Encode(list) })
}

// parseListQuery reads list-orders parameters the spec has already
// type-checked, and checks what a schema cannot say.
func parseListQuery(r *http.Request) (oms.Query, error) {
	v := r.URL.Query()
	q := oms.Query{Text: v.Get("q"), UtmSource: v.Get("f_UtmSource"), UtmMedium: v.Get("f_UtmMedium"),
		UtmCampaign: v.Get("f_UtmCampaign"), ClientEmail: v.Get("clientEmail")}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.PerPage, _ = strconv.Atoi(v.Get("per_page"))
	if ob := v.Get("orderBy"); ob != "" {
		field, dir, _ := strings.Cut(ob, ",")
		q.OrderBy, q.Desc = oms.OrderBy(field), dir == "desc"
	}
	if fs := v.Get("f_status"); fs != "" {
		for _, s := range strings.Split(fs, ",") {
			if s = strings.TrimSpace(s); s != "" {
				q.Statuses = append(q.Statuses, oms.Status(s))
			}
		}
	}
	if fc := v.Get("f_creationDate"); fc != "" {
		from, to, err := parseRange("f_creationDate", "creationDate", fc)
		if err != nil {
			return q, err
		}
		q.CreatedFrom, q.CreatedTo = from, to
	}
	return q, nil
}

// parseRange reads VTEX's `field:[FROM TO TO]` date ranges.
func parseRange(param, field, s string) (from, to time.Time, err error) {
	inner, ok := strings.CutPrefix(s, field+":[")
	inner, ok2 := strings.CutSuffix(inner, "]")
	a, b, ok3 := strings.Cut(inner, " TO ")
	if !ok || !ok2 || !ok3 {
		return from, to, &rangeError{param, s, "want " + field + ":[2026-01-01T00:00:00.000Z TO 2026-01-31T23:59:59.999Z]"}
	}
	if from, err = time.Parse(time.RFC3339Nano, a); err != nil {
		return from, to, &rangeError{param, s, "the start is not an ISO 8601 date"}
	}
	if to, err = time.Parse(time.RFC3339Nano, b); err != nil {
		return from, to, &rangeError{param, s, "the end is not an ISO 8601 date"}
	}
	if to.Before(from) {
		return from, to, &rangeError{param, s, "the end is before the start"}
	}
	return from, to, nil
}

type rangeError struct{ param, value, why string }

func (e *rangeError) Error() string {
	return "parameter \"" + e.param + "\" in query: " + strconv.Quote(e.value) + ": " + e.why
}

// receiptHandler is the shape of every VTEX call that answers a receipt:
// decode the body (validated already against the spec) into Req, call the
// domain, answer {date, orderId, receipt} with contentType.
func receiptHandler[Req any](a *API, contentType string, call func(*oms.Account, *http.Request, Req) (oms.Receipt, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acct, ok := a.account(w, r)
		if !ok {
			return
		}
		var req Req
		if err := decodeBody(r, &req); err != nil {
			WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
			return
		}
		receipt, err := call(acct, r, req)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, contentType, func(e *json.Encoder) error { return e.Encode(receipt) })
	})
}

// decodeBody reads a JSON body; an empty body leaves v at its zero value
// (cancel's body is optional). Unknown fields are ignored, as VTEX does.
func decodeBody(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("request body could not be read: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("request body: field %q: want %s", te.Field, te.Type)
		}
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}
