package skyhub

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
)

// DefaultBase is where the SkyHub API is served on the sandbox.
const DefaultBase = "/skyhub"

// Options configure the API.
type Options struct {
	Base    string
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
}

type api struct{ hub *Hub }

type sellerKey struct{}

func storeOf(r *http.Request) *Store { return r.Context().Value(sellerKey{}).(*Store) }

// Handler serves the SkyHub API of hub under opts.Base.
func Handler(hub *Hub, opts Options) (http.Handler, error) {
	if opts.Base == "" {
		opts.Base = DefaultBase
	}
	spec, err := openapi.Load("skyhub.yaml")
	if err != nil {
		return nil, err
	}
	a := &api{hub: hub}
	root := mux.NewRouter().SkipClean(true) // "..%2F" is a 404 in the vendor's shape, not a 301
	r := root.PathPrefix(opts.Base).Subrouter()
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "Rota "+r.Method+" "+clip.ID(r.URL.Path)+" não existe")
	})
	root.NotFoundHandler, r.NotFoundHandler = notFound, notFound
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusMethodNotAllowed, clip.ID(r.Method)+" não é permitido em "+clip.ID(r.URL.Path))
	})
	handlers := map[string]http.Handler{
		"ListOrders":        http.HandlerFunc(a.listOrders),
		"CreateTestOrder":   http.HandlerFunc(a.createOrder),
		"GetOrder":          http.HandlerFunc(a.getOrder),
		"ApproveOrder":      bodyCall(func(s *Store, code string, b statusBody) error { return s.Approve(code, b.Status) }),
		"InvoiceOrder":      bodyCall(func(s *Store, code string, req InvoiceRequest) error { return s.Invoice(code, req) }),
		"ShipOrder":         bodyCall(func(s *Store, code string, req ShipmentRequest) error { return s.Ship(code, req, BySeller) }),
		"DeliverOrder":      bodyCall(func(s *Store, code string, b statusBody) error { return s.Deliver(code, b.Status, BySeller) }),
		"CancelOrder":       bodyCall(func(s *Store, code string, b statusBody) error { return s.Cancel(code, b.Status, BySeller) }),
		"ShipmentException": bodyCall(func(s *Store, code string, req ExceptionRequest) error { return s.ShipmentException(code, req) }),
		"ShipmentLabels":    http.HandlerFunc(a.labels),
		"NextQueuedOrder":   http.HandlerFunc(a.nextQueued),
		"DeleteQueuedOrder": http.HandlerFunc(a.deleteQueued),
		"OrdersToGroup":     http.HandlerFunc(a.toGroup),
		"ListPLPs":          http.HandlerFunc(a.listPLPs),
		"GroupPLP":          http.HandlerFunc(a.group),
		"UngroupPLP":        http.HandlerFunc(a.ungroup),
		"ViewPLP":           http.HandlerFunc(a.viewPLP),
		"Collectables":      http.HandlerFunc(a.collectables),
		"ConfirmCollection": http.HandlerFunc(a.confirmCollection),
	}
	maps.Copy(handlers, a.catalogHandlers())
	err = spec.Mount(r, handlers, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, Logger: opts.Logger, WriteError: WriteError})
	if err != nil {
		return nil, err
	}
	return a.authenticate(root), nil
}

// WriteError writes SkyHub's error body; the /shipments/b2w routes also
// carry result and message, which clients of those routes read.
func WriteError(w http.ResponseWriter, r *http.Request, status int, message string) {
	body := map[string]string{"error": message}
	if r != nil && strings.Contains(r.URL.Path, "/shipments/b2w") {
		body["result"], body["message"] = "erro", message
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// fail answers a domain refusal.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		WriteError(w, r, e.Status, e.Message)
		return
	}
	WriteError(w, r, http.StatusInternalServerError, "omsbox internal error: "+err.Error())
}

// WriteFault answers for an injected fault in SkyHub's shape.
func WriteFault(w http.ResponseWriter, status int) {
	writeJSON(w, status, map[string]string{"error": http.StatusText(status)})
}

// authenticate checks SkyHub's three headers: all required (401), the
// e-mail and API key of a seller (401 otherwise, as SkyHub answers bad
// credentials), and the account-manager key the seller is configured with
// (any non-empty value when none is).
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, msg := a.hub.check(r)
		if st == nil {
			WriteError(w, r, http.StatusUnauthorized, msg)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sellerKey{}, st)))
	})
}

// check returns the seller whose credentials r carries, or nil and why
// not.
func (h *Hub) check(r *http.Request) (*Store, string) {
	email, key, am := r.Header.Get("X-User-Email"), r.Header.Get("X-Api-Key"), r.Header.Get("X-Accountmanager-Key")
	var missing []string
	for name, v := range map[string]string{"X-User-Email": email, "X-Api-Key": key, "X-Accountmanager-Key": am} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, "Missing authentication header(s): " + strings.Join(missing, ", ")
	}
	st, ok := h.Seller(email)
	if !ok || subtle.ConstantTimeCompare([]byte(st.seller.APIKey), []byte(key)) != 1 {
		return nil, "Invalid X-User-Email or X-Api-Key"
	}
	if st.seller.AccountManagerKey != "" && subtle.ConstantTimeCompare([]byte(st.seller.AccountManagerKey), []byte(am)) != 1 {
		return nil, "Invalid X-Accountmanager-Key"
	}
	return st, ""
}

// AuthenticatedAccount returns the VTEX account of the seller whose
// credentials r carries, or "" when they are missing or wrong: the journal
// files a request under an account only once it proved it may.
func (h *Hub) AuthenticatedAccount(r *http.Request) string {
	if st, _ := h.check(r); st != nil {
		return st.Info().Account
	}
	return ""
}

// decode reads an optional JSON body (SkyHub's spec has checked it). An
// empty array counts as no body: SkyHub's PHP SDK sends [] to the status
// updates that need nothing more.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if t := strings.TrimSpace(string(data)); err != nil || t == "" || t == "[]" {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

type statusBody struct {
	Status string `json:"status"`
}

// bodyCall is the shape of the order updates: decode, call, 201.
func bodyCall[Req any](call func(*Store, string, Req) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := decode(r, &req); err != nil {
			WriteError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		if err := call(storeOf(r), mux.Vars(r)["code"], req); err != nil {
			fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
}

func (a *api) createOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Order NewOrder `json:"order"`
	}
	if err := decode(r, &req); err != nil {
		WriteError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	st := storeOf(r)
	code, err := st.CreateOrder(req.Order)
	if err != nil {
		fail(w, r, err)
		return
	}
	_ = st.Get(code, func(o *Order) { writeJSON(w, http.StatusCreated, o) })
}

func (a *api) getOrder(w http.ResponseWriter, r *http.Request) {
	if err := storeOf(r).Get(mux.Vars(r)["code"], func(o *Order) { writeJSON(w, http.StatusOK, o) }); err != nil {
		fail(w, r, err)
	}
}

func (a *api) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Statuses: q["filters[statuses][]"], SaleSystem: q.Get("filters[sale_system]"), Page: 1, PerPage: 100}
	if p, err := strconv.Atoi(q.Get("page")); err == nil {
		f.Page = p
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil {
		f.PerPage = min(n, 100) // SkyHub caps, it does not refuse
	}
	if f.Page*f.PerPage > 10_000 {
		WriteError(w, r, http.StatusBadRequest, "page × per_page goes beyond the 10,000 records SkyHub pages through")
		return
	}
	for name, dst := range map[string]*time.Time{"filters[start_date]": &f.From, "filters[end_date]": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.ParseInLocation("02/01/2006", v, saoPaulo)
			if err != nil {
				WriteError(w, r, http.StatusBadRequest, fmt.Sprintf("%s %q is not a date DD/MM/YYYY", name, v))
				return
			}
			*dst = t
		}
	}
	total, orders := storeOf(r).List(f)
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "orders": orders})
}

func (a *api) labels(w http.ResponseWriter, r *http.Request) {
	st := storeOf(r)
	var view map[string]any
	err := st.Get(mux.Vars(r)["code"], func(o *Order) {
		if !o.b2wEntrega() || o.fulfilledByB2W() {
			return
		}
		view = map[string]any{"code": o.Code, "remote_code": o.remote, "shipping": o.plpType(),
			"docsExternos": []map[string]any{docExterno(o)}}
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	if view == nil {
		WriteError(w, r, http.StatusUnprocessableEntity, "only B2W Entrega orders have SkyHub labels")
		return
	}
	a.writeLabels(w, r, "Etiqueta "+fmt.Sprint(view["code"]), view)
}

// writeLabels answers label data as JSON, or as a PDF to a client that
// asks for one (Accept: application/pdf), as SkyHub serves printable
// labels.
func (a *api) writeLabels(w http.ResponseWriter, r *http.Request, title string, view map[string]any) {
	if !slices.ContainsFunc(r.Header.Values("Accept"), func(v string) bool { return strings.Contains(v, "application/pdf") }) {
		writeJSON(w, http.StatusOK, view)
		return
	}
	docs, _ := view["docsExternos"].([]map[string]any)
	pdf, err := LabelPDF(title, docs, a.hub.clock.Now())
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf)
}

func (a *api) nextQueued(w http.ResponseWriter, r *http.Request) {
	o, ok := storeOf(r).QueueNext()
	if !ok {
		w.WriteHeader(http.StatusNoContent) // reference gap: 204 is the best reading of "empty"
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (a *api) deleteQueued(w http.ResponseWriter, r *http.Request) {
	if err := storeOf(r).QueueDelete(mux.Vars(r)["code"]); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func offset(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	return n
}

func (a *api) toGroup(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"orders": storeOf(r).ToGroup(offset(r))})
}

func (a *api) listPLPs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"plp": storeOf(r).PLPs(offset(r))})
}

func (a *api) group(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Codes []string `json:"order_remote_codes"`
	}
	if err := decode(r, &req); err != nil {
		WriteError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	id, err := storeOf(r).Group(req.Codes)
	if err != nil {
		fail(w, r, err)
		return
	}
	// Clients read the PLP id as the second word: keep this wording.
	writeJSON(w, http.StatusCreated, map[string]string{"message": fmt.Sprintf("Plp %d agrupada com sucesso.", id)})
}

func (a *api) ungroup(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("plp_id")
	if raw == "" {
		var req struct {
			PLPID json.RawMessage `json:"plp_id"`
		}
		if err := decode(r, &req); err != nil {
			WriteError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		raw = strings.Trim(string(req.PLPID), `"`)
	}
	id, err := strconv.Atoi(raw)
	if err != nil {
		WriteError(w, r, http.StatusBadRequest, "plp_id (in the body or the query) must be a PLP id")
		return
	}
	if err := storeOf(r).Ungroup(id); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("Plp %d desagrupada com sucesso.", id)})
}

func (a *api) viewPLP(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.URL.Query().Get("plp_id"))
	view, err := storeOf(r).View(id)
	if err != nil {
		fail(w, r, err)
		return
	}
	a.writeLabels(w, r, fmt.Sprintf("PLP %d", id), view)
}

func (a *api) collectables(w http.ResponseWriter, r *http.Request) {
	requested := r.URL.Query().Get("requested") == "true"
	writeJSON(w, http.StatusOK, map[string]any{"orders": storeOf(r).Collectables(requested, offset(r))})
}

func (a *api) confirmCollection(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Codes []string `json:"order_codes"`
	}
	if err := decode(r, &req); err != nil {
		WriteError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if err := storeOf(r).ConfirmCollection(req.Codes); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"message": "Coleta solicitada com sucesso."})
}
