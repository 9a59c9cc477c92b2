package mercadolivre

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
)

// DefaultBase is where the API is served on the main listener.
const DefaultBase = "/mercadolivre"

// Options configure the API.
type Options struct {
	Base    string
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
}

func init() {
	// NF-e uploads are XML; the handler parses them, the spec checks only
	// their type.
	openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/xml", openapi3filter.FileBodyDecoder)
}

type api struct {
	m *Market
	n *Notifier
}

type callerKey struct{}

// Handler serves the Mercado Livre API of m under opts.Base.
func Handler(m *Market, n *Notifier, opts Options) (http.Handler, error) {
	if opts.Base == "" {
		opts.Base = DefaultBase
	}
	spec, err := openapi.Load("mercadolivre.yaml")
	if err != nil {
		return nil, err
	}
	a := &api{m: m, n: n}
	root := mux.NewRouter().SkipClean(true)
	r := root.PathPrefix(opts.Base).Subrouter()
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "Resource "+clipS(strings.TrimPrefix(r.URL.Path, opts.Base))+" not found")
	})
	root.NotFoundHandler, r.NotFoundHandler = notFound, notFound
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, &Error{Status: 405, Code: "method_not_allowed", Message: "Method " + clipS(r.Method) + " not allowed"})
	})
	err = spec.Mount(r, map[string]http.Handler{
		"OAuthToken":        http.HandlerFunc(a.token),
		"UserMe":            http.HandlerFunc(a.me),
		"OrderSearch":       http.HandlerFunc(a.searchOrders),
		"OrderShow":         show(a, "order_id", (*Market).Order),
		"OrderBillingInfo":  show(a, "order_id", (*Market).BillingInfo),
		"PackShow":          show(a, "pack_id", (*Market).Pack),
		"ShipmentShow":      show(a, "shipment_id", (*Market).Shipment),
		"ShipmentHistory":   show(a, "shipment_id", (*Market).ShipmentHistory),
		"InvoiceDataUpload": http.HandlerFunc(a.uploadInvoice),
		"InvoiceDataShow":   show(a, "shipment_id", (*Market).InvoiceData),
		"ShipmentLabels":    http.HandlerFunc(a.labels),
		"ItemShow":          http.HandlerFunc(a.item),
		"ItemUpdate":        http.HandlerFunc(a.updateItem),
		"ItemSearch":        http.HandlerFunc(a.searchItems),
		"QuestionSearch":    http.HandlerFunc(a.searchQuestions),
		"QuestionShow":      show(a, "question_id", (*Market).Question),
		"AnswerCreate":      http.HandlerFunc(a.answer),
		"MessagesShow":      http.HandlerFunc(a.messages),
		"MessageCreate":     http.HandlerFunc(a.sendMessage),
		"MissedFeeds":       http.HandlerFunc(a.missed),
	}, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, Logger: opts.Logger, WriteError: WriteError})
	if err != nil {
		return nil, err
	}
	return a.authenticate(opts.Base, root), nil
}

// WriteError writes Mercado Livre's error body for a refused request.
func WriteError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	code := map[int]string{400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large",
		500: "internal_server_error"}[status]
	if code == "" {
		code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	writeErr(w, &Error{Status: status, Code: code, Message: message})
}

// WriteFault answers an injected fault as Mercado Livre would (429:
// too_many_requests).
func WriteFault(w http.ResponseWriter, status int) {
	code := map[int]string{429: "too_many_requests", 500: "internal_server_error", 502: "bad_gateway",
		503: "service_not_available", 504: "gateway_timeout"}[status]
	if code == "" {
		code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	writeErr(w, &Error{Status: status, Code: code, Message: http.StatusText(status)})
}

func writeErr(w http.ResponseWriter, e *Error) {
	cause := e.Cause
	if cause == nil {
		cause = []Cause{}
	}
	body := map[string]any{"message": e.Message, "error": e.Code, "status": e.Status, "cause": cause}
	if e.Code == "invalid_grant" || strings.HasPrefix(e.Code, "invalid_client") || e.Code == "invalid_request" || e.Code == "unsupported_grant_type" {
		body["error_description"] = e.Message // ML documents this key, clients log message: both
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = 500, []byte(`{"message":"omsbox: cannot encode the answer","error":"internal_server_error","status":500,"cause":[]}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// reply writes v with status, or the refusal err says.
func reply(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, status, v)
}

func fail(w http.ResponseWriter, err error) {
	var e *Error
	if errors.As(err, &e) {
		writeErr(w, e)
		return
	}
	writeErr(w, &Error{Status: 500, Code: "internal_server_error", Message: "omsbox internal error: " + err.Error()})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate checks the Bearer token of every route but the token
// endpoint before routing (401 in ML's shape).
func (a *api) authenticate(base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == base+"/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := a.m.Check(bearer(r))
		if err != nil {
			fail(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// AuthenticatedAccount is the account whose valid token r carries, or "".
func (m *Market) AuthenticatedAccount(r *http.Request) string {
	if c, err := m.Check(bearer(r)); err == nil {
		return c.Account
	}
	return ""
}

// ClaimedAccount is the account r claims (token, or the token form's
// client_id), proved or not, for faults.
func (m *Market) ClaimedAccount(r *http.Request) string {
	if t := bearer(r); t != "" {
		return m.Claimed(t)
	}
	return ""
}

func caller(r *http.Request) Caller { return r.Context().Value(callerKey{}).(Caller) }

// show answers one resource by the integer id in its path, read for the
// caller: the shape of every plain GET of this API.
func show[T any](a *api, param string, get func(*Market, Caller, int64) (T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathInt(w, r, param)
		if !ok {
			return
		}
		v, err := get(a.m, caller(r), id)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, v)
	})
}

func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(mux.Vars(r)[name], 10, 64)
	if err != nil {
		writeErr(w, &Error{Status: 400, Code: "invalid_" + name, Message: "invalid " + name + ": " + clipS(mux.Vars(r)[name])})
		return 0, false
	}
	return id, true
}

// paging reads offset and limit (validated by the spec).
func paging(r *http.Request, def int) (int, int) {
	q := r.URL.Query()
	off, _ := strconv.Atoi(q.Get("offset"))
	lim, err := strconv.Atoi(q.Get("limit"))
	if err != nil || lim <= 0 {
		lim = def
	}
	return off, lim
}

func (a *api) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErr(w, &Error{Status: 400, Code: "invalid_request", Message: "the body must be form-encoded"})
		return
	}
	if len(r.URL.Query()) > 0 && r.URL.Query().Get("grant_type") != "" {
		writeErr(w, &Error{Status: 400, Code: "invalid_request", Message: "send the parameters in the form body, not the query"})
		return
	}
	f := r.PostForm
	t, err := a.m.Grant(TokenRequest{GrantType: f.Get("grant_type"), ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"),
		Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"), RefreshToken: f.Get("refresh_token")})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (a *api) me(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, a.m.User(caller(r))) }

func parseDate(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000-07:00", time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not an ISO-8601 date")
}

func (a *api) searchOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	seller, err := strconv.ParseInt(q.Get("seller"), 10, 64)
	if err != nil {
		writeErr(w, &Error{Status: 400, Code: "bad_request", Message: "seller must be the seller's user id"})
		return
	}
	oq := OrderQuery{Seller: seller, Desc: q.Get("sort") == "date_desc", Q: q.Get("q")}
	oq.Offset, oq.Limit = paging(r, 50)
	if s := q.Get("order.status"); s != "" {
		oq.Statuses = strings.Split(s, ",")
	}
	dates := []struct {
		name string
		dst  *time.Time
	}{{"order.date_created.from", &oq.CreatedFrom}, {"order.date_created.to", &oq.CreatedTo},
		{"order.date_closed.from", &oq.ClosedFrom}, {"order.date_closed.to", &oq.ClosedTo},
		{"order.date_last_updated.from", &oq.UpdatedFrom}, {"order.date_last_updated.to", &oq.UpdatedTo}}
	for _, d := range dates {
		t, err := parseDate(q.Get(d.name))
		if err != nil {
			writeErr(w, &Error{Status: 400, Code: "bad_request", Message: d.name + ": " + err.Error()})
			return
		}
		*d.dst = t
	}
	res, err := a.m.SearchOrders(caller(r), oq)
	reply(w, 200, res, err)
}

func (a *api) uploadInvoice(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "shipment_id")
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxNFeBytes+1))
	if err != nil {
		writeErr(w, &Error{Status: 400, Code: "malformed_XML", Message: "the body could not be read"})
		return
	}
	inv, err := a.m.UploadInvoice(caller(r), id, body)
	reply(w, 200, inv, err)
}

func (a *api) labels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if rt := q.Get("response_type"); rt != "" && rt != "pdf" {
		writeErr(w, &Error{Status: 400, Code: "invalid_response_type", Message: "the sandbox prints response_type=pdf only"})
		return
	}
	var ids []int64
	for _, s := range strings.Split(q.Get("shipment_ids"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			writeErr(w, &Error{Status: 404, Code: "not_found", Message: "Missing a valid shipment id value"})
			return
		}
		ids = append(ids, id)
	}
	labels, at, err := a.m.PrintLabels(caller(r), ids)
	if err != nil {
		fail(w, err)
		return
	}
	pdf, err := LabelPDF(labels, at)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="Etiqueta de envio.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(200)
	_, _ = w.Write(pdf)
}

func (a *api) item(w http.ResponseWriter, r *http.Request) {
	it, err := a.m.Item(caller(r), mux.Vars(r)["item_id"])
	reply(w, 200, it, err)
}

func (a *api) updateItem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AvailableQuantity *int     `json:"available_quantity"`
		Price             *float64 `json:"price"`
		Status            *string  `json:"status"`
		Title             *string  `json:"title"`
		Variations        []struct {
			ID                int64    `json:"id"`
			AvailableQuantity *int     `json:"available_quantity"`
			Price             *float64 `json:"price"`
		} `json:"variations"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeErr(w, &Error{Status: 400, Code: "bad_request", Message: "the body is not valid JSON: " + clipS(err.Error())})
		return
	}
	u := ItemUpdate{AvailableQuantity: body.AvailableQuantity, Price: body.Price, Status: body.Status, Title: body.Title}
	if body.Variations != nil {
		u.Variations = []VariationUpdate{}
		for _, v := range body.Variations {
			u.Variations = append(u.Variations, VariationUpdate{ID: v.ID, AvailableQuantity: v.AvailableQuantity, Price: v.Price})
		}
	}
	it, err := a.m.UpdateItem(caller(r), mux.Vars(r)["item_id"], u)
	reply(w, 200, it, err)
}

func (a *api) searchItems(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "user_id")
	if !ok {
		return
	}
	off, lim := paging(r, 50)
	q := r.URL.Query()
	res, err := a.m.SearchItems(caller(r), id, q.Get("seller_sku"), q.Get("status"), off, lim)
	reply(w, 200, res, err)
}

func (a *api) searchQuestions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	seller, err := strconv.ParseInt(q.Get("seller_id"), 10, 64)
	if err != nil {
		writeErr(w, &Error{Status: 400, Code: "bad_request", Message: "seller_id must be the seller's user id"})
		return
	}
	off, lim := paging(r, 50)
	res, err := a.m.Questions(caller(r), seller, q.Get("item"), q.Get("status"), off, lim)
	reply(w, 200, res, err)
}

func (a *api) answer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		QuestionID int64  `json:"question_id"`
		Text       string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeErr(w, &Error{Status: 400, Code: "invalid_post_body", Message: "the body is not valid JSON"})
		return
	}
	res, err := a.m.Answer(caller(r), body.QuestionID, body.Text)
	reply(w, 200, res, err)
}

func writeRefusal(w http.ResponseWriter, err error) {
	var mr *MessageRefusal
	if errors.As(err, &mr) {
		writeJSON(w, mr.StatusCode, map[string]any{"status_code": mr.StatusCode, "code": mr.Code, "message": mr.Message})
		return
	}
	fail(w, err)
}

func (a *api) messages(w http.ResponseWriter, r *http.Request) {
	pack, ok := pathInt(w, r, "pack_id")
	if !ok {
		return
	}
	seller, ok := pathInt(w, r, "seller_id")
	if !ok {
		return
	}
	res, err := a.m.Messages(caller(r), pack, seller, r.URL.Query().Get("mark_as_read") != "false")
	reply(w, 200, res, err)
}

func (a *api) sendMessage(w http.ResponseWriter, r *http.Request) {
	pack, ok := pathInt(w, r, "pack_id")
	if !ok {
		return
	}
	seller, ok := pathInt(w, r, "seller_id")
	if !ok {
		return
	}
	var body struct {
		From struct {
			UserID int64 `json:"user_id"`
		} `json:"from"`
		To struct {
			UserID int64 `json:"user_id"`
		} `json:"to"`
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeRefusal(w, &MessageRefusal{400, "bad_request", "the body is not valid JSON"})
		return
	}
	if body.From.UserID != 0 && body.From.UserID != seller {
		writeRefusal(w, &MessageRefusal{400, "bad_request", "from.user_id must be the seller"})
		return
	}
	res, err := a.m.SendMessage(caller(r), pack, seller, body.To.UserID, body.Text)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	writeJSON(w, 201, res)
}

func (a *api) missed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	app, err := strconv.ParseInt(q.Get("app_id"), 10, 64)
	if err != nil {
		writeErr(w, &Error{Status: 400, Code: "bad_request", Message: "app_id must be the application's id"})
		return
	}
	off, lim := paging(r, 10)
	res, err := a.n.Missed(caller(r), app, q.Get("topic"), off, lim)
	reply(w, 200, res, err)
}
