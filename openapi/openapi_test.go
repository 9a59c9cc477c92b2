package openapi

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestEmbeddedSpecsLoad parses and validates every embedded document, and
// holds the scan that generates the operations a sandbox routes before
// parsing to the parser's answer: the same operations, methods and paths.
func TestEmbeddedSpecsLoad(t *testing.T) {
	names, _ := fs.Glob(files, "*.yaml")
	if len(names) < 7 {
		t.Fatalf("embedded documents: %v", names)
	}
	for _, name := range names {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := files.ReadFile(name)
		if _, ok := scanOperations(data); !ok {
			t.Errorf("%s: the quick scan cannot read it (keep paths at two spaces, methods at four, operationId at six)", name)
		}
		if err := s.Ready(); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		parsed, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		got, want := s.Operations(), parsed.Operations()
		if len(got) == 0 || len(got) != len(want) {
			t.Fatalf("%s: scanned %d operations, parsed %d", name, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID || got[i].Method != want[i].Method || got[i].Path != want[i].Path || got[i].input != want[i].input || got[i].route == nil {
				t.Errorf("%s: scanned %+v, parsed %+v", name, *got[i], *want[i])
			}
		}
	}
}

// TestScanRefusesWhatItCannotRead: a document laid out otherwise is not
// scanned (so not generated), and one whose scan and parse disagree is
// refused on first use.
func TestScanRefusesWhatItCannotRead(t *testing.T) {
	if _, ok := scanOperations([]byte("openapi: 3.0.3\npaths: {}\n")); ok {
		t.Error("a document without operations scanned")
	}
	if _, ok := scanOperations([]byte("paths:\n  /x:\n    get:\n      operationId: {a: b}\n")); ok {
		t.Error("an inline mapping scanned as an operationId")
	}
	ops, _ := scanOperations([]byte(tiny))
	ops[0].Path = "/elsewhere"
	s := &Spec{Name: "tiny.yaml", ops: ops, data: []byte(tiny)}
	if err := s.Ready(); err == nil || !strings.Contains(err.Error(), "the scan read") {
		t.Errorf("scan and parse disagree: %v", err)
	}
}

// tiny is a spec small enough to read at a glance (stripe-mock's habit).
const tiny = `
openapi: 3.0.3
info: {title: tiny, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: PostThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, pattern: '^\d+$'}}
        - {name: verbose, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [items]
              properties:
                items:
                  type: array
                  items:
                    type: object
                    required: [price]
                    properties: {price: {type: integer, minimum: 1}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string}}
`

func mountTiny(t *testing.T, strict bool, answer string, drift *[]string) http.Handler {
	t.Helper()
	s, err := Parse("tiny.yaml", []byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	err = s.Mount(r, map[string]http.Handler{
		"PostThing": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, answer)
		}),
	}, Options{Strict: strict, MaxBodyBytes: 256,
		OnDrift: func(op, detail string) { *drift = append(*drift, op+": "+detail) },
		WriteError: func(w http.ResponseWriter, _ *http.Request, status int, msg string) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, msg)
		}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func post(h http.Handler, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRequestValidationNamesTheFault(t *testing.T) {
	var drift []string
	h := mountTiny(t, false, `{"id":"1"}`, &drift)
	tests := []struct {
		target, body string
		status       int
		want         string
	}{
		{"/things/1", `{"items":[{"price":5}]}`, 200, `{"id":"1"}`},
		{"/things/abc", `{"items":[]}`, 400, `parameter "id" in path`},
		{"/things/1?verbose=perhaps", `{"items":[]}`, 400, `parameter "verbose" in query`},
		{"/things/1", `{"items":[{"price":"5"}]}`, 400, `field "items/0/price"`},
		{"/things/1", `{"items":[{"price":0}]}`, 400, `field "items/0/price": number must be at least 1`},
		{"/things/1", `{}`, 400, `property "items" is missing`},
		{"/things/1", `{"items":`, 400, "request body"},
		{"/things/1", `{"items":[` + strings.Repeat(`{"price":1},`, 40) + `{"price":1}]}`, 413, "larger than the 256 bytes"},
	}
	for _, tt := range tests {
		rec := post(h, tt.target, tt.body)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("POST %s %s: %d %q, want %d containing %q", tt.target, tt.body, rec.Code, rec.Body, tt.status, tt.want)
		}
	}
}

func TestStrictModeCatchesDrift(t *testing.T) {
	var drift []string
	h := mountTiny(t, true, `{"id":7}`, &drift)
	rec := post(h, "/things/1", `{"items":[]}`)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `field "id"`) {
		t.Fatalf("drifted response: %d %s", rec.Code, rec.Body)
	}
	if len(drift) != 1 || !strings.HasPrefix(drift[0], "PostThing: 200 response breaks tiny.yaml") {
		t.Fatalf("OnDrift heard %v", drift)
	}
	// The same drift goes unnoticed without strict mode: that is the point.
	drift = nil
	if rec := post(mountTiny(t, false, `{"id":7}`, &drift), "/things/1", `{"items":[]}`); rec.Code != 200 || len(drift) != 0 {
		t.Fatalf("non-strict: %d %v", rec.Code, drift)
	}
}

func TestMountRefusesMissingAndExtraHandlers(t *testing.T) {
	s, err := Parse("tiny.yaml", []byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	werr := func(http.ResponseWriter, *http.Request, int, string) {}
	if err := s.Mount(mux.NewRouter(), map[string]http.Handler{}, Options{WriteError: werr}); err == nil || !strings.Contains(err.Error(), "PostThing") {
		t.Errorf("missing handler: %v", err)
	}
	if err := s.Mount(mux.NewRouter(), map[string]http.Handler{"PostThing": noop, "Ghost": noop}, Options{WriteError: werr}); err == nil || !strings.Contains(err.Error(), "Ghost") {
		t.Errorf("extra handler: %v", err)
	}
}

func TestCheckExchangeAgainstTheB2BDocument(t *testing.T) {
	s, err := Load("b2b-erp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/v1/pedido/pesquisa", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer t")
	h := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"revendaId":11222333,"porPeriodo":{"dataInicial":"2026-03-01","dataFim":"2026-03-31"}}`)
	if err := s.CheckExchange(req, body, 200, h, []byte(`{"itens":[{"pedidoErpId":"PV-1","pedidoClienteId":"PO-1","totalPedido":10.5,"status":4,"dataPedido":"2026-03-10T12:00:00-03:00"}]}`)); err != nil {
		t.Fatalf("a good exchange: %v", err)
	}
	if err := s.CheckExchange(req, body, 200, h, []byte(`{"itens":[{"pedidoErpId":"PV-1","status":9}]}`)); err == nil {
		t.Fatal("an answer with an unknown status int and missing fields passed")
	}
	if err := s.CheckExchange(req, []byte(`{"porPeriodo":{}}`), 200, h, []byte(`{"itens":[]}`)); err == nil {
		t.Fatal("a request without revendaId passed")
	}
	get := httptest.NewRequest("GET", "/api/v1/ArquivosPedido/?pedidoErpId=PV-1&revendaId=11222333", nil)
	if err := s.CheckExchange(get, nil, 200, h, []byte(`{"pedidoErpId":"PV-1","itens":[{"tipoArquivo":3,"descricao":"DANFE","url":"https://x/danfe.pdf"}]}`)); err != nil {
		t.Fatalf("documents, as the app spells them: %v", err)
	}
}
