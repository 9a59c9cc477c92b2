package skyhub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
)

// Handlers of the catalog, SAC and questions routes: decode, call the
// store, encode.

// catalogHandlers are the catalog, SAC and question operations of
// openapi/skyhub.yaml.
func (a *api) catalogHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		"ListProducts":  http.HandlerFunc(a.listProducts),
		"CreateProduct": wrapped("product", func(s *Store, _ *http.Request, in ProductInput) error { return s.CreateProduct(in) }, http.StatusCreated),
		"GetProduct": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := storeOf(r).GetProduct(mux.Vars(r)["sku"])
			answer(w, r, p, err)
		}),
		"UpdateProduct": wrapped("product", func(s *Store, r *http.Request, in ProductInput) error {
			return s.UpdateProduct(mux.Vars(r)["sku"], in)
		}, http.StatusNoContent),
		"DeleteProduct": noBody(func(s *Store, r *http.Request) error { return s.DeleteProduct(mux.Vars(r)["sku"]) }),
		"AddVariation": wrapped("variation", func(s *Store, r *http.Request, in VariationInput) error {
			return s.AddVariation(mux.Vars(r)["sku"], in)
		}, http.StatusCreated),
		"GetVariation": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, parent, err := storeOf(r).GetVariation(mux.Vars(r)["sku"])
			answer(w, r, map[string]any{"variation": v, "product": map[string]string{"sku": parent}}, err)
		}),
		"UpdateVariation": wrapped("variation", func(s *Store, r *http.Request, in VariationInput) error {
			return s.UpdateVariation(mux.Vars(r)["sku"], in)
		}, http.StatusNoContent),
		"DeleteVariation": noBody(func(s *Store, r *http.Request) error { return s.DeleteVariation(mux.Vars(r)["sku"]) }),
		"SyncErrorCategories": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, SyncErrorCategories)
		}),
		"SyncErrorProducts": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			errs := storeOf(r).SyncErrors(a.hub.clock.Now())
			if c := r.URL.Query().Get("error_category_code"); c != "" && c != "link_b2w_products" {
				errs = []SyncError{}
			}
			writeJSON(w, http.StatusOK, map[string]any{"error_qty": len(errs), "errors": errs})
		}),
		"IgnoreSyncErrors": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Errors []struct {
					EntityID string `json:"entity_id"`
				} `json:"errors"`
			}
			if err := decode(r, &req); err != nil {
				WriteError(w, r, http.StatusBadRequest, err.Error())
				return
			}
			var skus []string
			for _, e := range req.Errors {
				skus = append(skus, e.EntityID)
			}
			storeOf(r).IgnoreSyncErrors(skus)
			w.WriteHeader(http.StatusNoContent)
		}),
		"ListSAC":         http.HandlerFunc(a.listSAC),
		"SACChats":        http.HandlerFunc(a.chats),
		"SACInstances":    http.HandlerFunc(a.instances),
		"ReplySAC":        sacCall(func(s *Store, code string, b sacBody) error { return s.Reply(code, b.Message) }, http.StatusCreated),
		"UpdateSACStatus": sacCall(func(s *Store, code string, b sacBody) error { return s.SetTicketStatus(code, b.Status, false) }, http.StatusNoContent),
		"ListQuestions":   http.HandlerFunc(a.listQuestions),
		"GetQuestion": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q, err := storeOf(r).Question(mux.Vars(r)["id"])
			answer(w, r, q, err)
		}),
		"AnswerQuestion": http.HandlerFunc(a.answerQuestion),
	}
}

// answer writes v, or the store's refusal.
func answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// wrapped decodes {"<wrapper>": {...}} (SkyHub's product and variation
// bodies; the wrapper is mandatory) and answers status.
func wrapped[In any](wrapper string, call func(*Store, *http.Request, In) error, status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]json.RawMessage
		if err := decode(r, &body); err != nil {
			WriteError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		raw, ok := body[wrapper]
		if !ok {
			WriteError(w, r, http.StatusBadRequest, fmt.Sprintf("the body must be {%q: {...}}", wrapper))
			return
		}
		var in In
		if err := json.Unmarshal(raw, &in); err != nil {
			WriteError(w, r, http.StatusBadRequest, wrapper+": "+err.Error())
			return
		}
		if err := call(storeOf(r), r, in); err != nil {
			fail(w, r, err)
			return
		}
		w.WriteHeader(status)
	})
}

// noBody calls the store and answers 204.
func noBody(call func(*Store, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := call(storeOf(r), r); err != nil {
			fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// listProducts answers a cursor page of 25, or the SDK's page/per_page.
func (a *api) listProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := ProductFilter{Status: firstOf(q.Get("filters[status]"), q.Get("status")),
		Name: firstOf(q.Get("filters[name]"), q.Get("name")), Sku: q.Get("sku"), Limit: ProductsPageSize}
	for name, dst := range map[string]**int{"qty_from": &f.QtyFrom, "qty_to": &f.QtyTo} {
		if v := q.Get(name); v != "" {
			n, _ := strconv.Atoi(v) // the spec has checked it is an integer
			*dst = &n
		}
	}
	if c := q.Get("cursor"); c != "" {
		from, ok := parseCursor(c)
		if !ok {
			WriteError(w, r, http.StatusBadRequest, "cursor is not one this API gave")
			return
		}
		f.From = from
	} else if q.Get("page") != "" || q.Get("per_page") != "" {
		page, _ := strconv.Atoi(firstOf(q.Get("page"), "1"))
		per, _ := strconv.Atoi(firstOf(q.Get("per_page"), "100"))
		f.Limit = min(per, 100)
		f.From = (page - 1) * f.Limit
	}
	products, total := storeOf(r).Products(f)
	var next *string
	if end := f.From + len(products); end < total {
		u := *r.URL
		v := u.Query()
		v.Del("page")
		v.Del("per_page")
		v.Set("cursor", cursorAt(end))
		u.RawQuery = v.Encode()
		s := u.RequestURI()
		next = &s
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": products, "total": total, "next": next})
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Cursors are positions, written so that a client treats them as opaque.
func cursorAt(i int) string { return "c" + strconv.Itoa(i) }

func parseCursor(c string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(c, "c"))
	return n, err == nil && n >= 0 && strings.HasPrefix(c, "c")
}

type sacBody struct {
	Message string `json:"message"`
	Status  string `json:"status"`
}

// sacCall decodes a SAC body, calls the store and answers status; an
// unknown ticket gets the SAC routes' own 404 shape.
func sacCall(call func(*Store, string, sacBody) error, status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b sacBody
		if err := decode(r, &b); err != nil {
			WriteError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		if err := call(storeOf(r), mux.Vars(r)["code"], b); err != nil {
			failSAC(w, r, err)
			return
		}
		w.WriteHeader(status)
	})
}

// failSAC answers a 404 in the SAC routes' shape, {"errors":{"detail"}},
// and anything else as usual.
func failSAC(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := err.(*Error); ok && e.Status == http.StatusNotFound {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": map[string]string{"detail": e.Message}})
		return
	}
	fail(w, r, err)
}

func (a *api) listSAC(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status, platform, from := q.Get("status"), q.Get("platform"), 0
	if c := q.Get("cursor"); c != "" {
		var ok bool
		if from, ok = parseCursor(c); !ok {
			WriteError(w, r, http.StatusBadRequest, "cursor is not one this API gave")
			return
		}
		// SkyHub ignores the filters once a cursor is given; the sandbox's
		// cursor carries them so that the pages stay one list.
		status, platform = q.Get("s"), q.Get("p")
	}
	tickets, next := storeOf(r).Tickets(status, platform, from)
	var nextPage *string
	if next >= 0 {
		u := fmt.Sprintf("%s?cursor=%s&s=%s&p=%s", r.URL.Path, cursorAt(next), status, platform)
		nextPage = &u
	}
	writeJSON(w, http.StatusOK, map[string]any{"next_page": nextPage, "sacs": tickets})
}

func (a *api) chats(w http.ResponseWriter, r *http.Request) {
	t, msgs, err := storeOf(r).Chat(mux.Vars(r)["code"])
	if err != nil {
		failSAC(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"chats": []map[string]any{{
		"status": "ACTIVE", "seller_status": t.Status, "parts": "CUSTOMER_SELLER",
		"messages": msgs, "last_message": msgs[len(msgs)-1]}}})
}

func (a *api) instances(w http.ResponseWriter, r *http.Request) {
	t, _, err := storeOf(r).Chat(mux.Vars(r)["code"])
	if err != nil {
		failSAC(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"instances": []Ticket{t}})
}

func (a *api) listQuestions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	platform, status, from := q.Get("platform"), q.Get("status"), 0
	if c := q.Get("cursor"); c != "" {
		var ok bool
		if from, ok = parseCursor(c); !ok {
			WriteError(w, r, http.StatusBadRequest, "cursor is not one this API gave")
			return
		}
	}
	questions, next := storeOf(r).Questions(platform, status, from)
	var cursor *string
	if next >= 0 {
		c := cursorAt(next)
		cursor = &c
	}
	writeJSON(w, http.StatusOK, map[string]any{"questions": questions, "qty": len(questions), "cursor": cursor})
}

// answerQuestion takes ["text"], as SkyHub's PHP SDK sends it, or
// {"answer": "text"}.
func (a *api) answerQuestion(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := decode(r, &raw); err != nil {
		WriteError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var text string
	var list []string
	var obj struct {
		Answer string `json:"answer"`
	}
	switch {
	case json.Unmarshal(raw, &list) == nil && len(list) == 1:
		text = list[0]
	case json.Unmarshal(raw, &obj) == nil:
		text = obj.Answer
	}
	if err := storeOf(r).AnswerQuestion(mux.Vars(r)["id"], text); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
