package openapi

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// plainSpec has what the embedded documents may lack: required and
// optional query words, allowEmptyValue, a required header, a path
// item's parameter the operation overrides and one it keeps, both
// bounds, and operations the plain check must leave to kin-openapi.
const plainSpec = `openapi: 3.0.3
info: {title: plain, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
security: [{key: []}]
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, minLength: 2}}
      - {name: X-Trace, in: header, schema: {type: string, maxLength: 4}}
    get:
      operationId: Plain
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, minLength: 1, maxLength: 5}}
        - {name: q, in: query, required: true, schema: {type: string, maxLength: 3}}
        - {name: opt, in: query, allowEmptyValue: true, schema: {type: string, minLength: 2}}
        - {name: X-Need, in: header, required: true, schema: {type: string, minLength: 1, maxLength: 2}}
        - {name: free, in: query, schema: {type: string, description: any word, x-note: kept}}
      responses: {"200": {description: ok}}
    put:
      operationId: Body
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"204": {description: done}}
    delete:
      operationId: Pattern
      parameters: [{name: q, in: query, schema: {type: string, pattern: '^a'}}]
      responses: {"204": {description: done}}
    patch:
      operationId: Integer
      parameters: [{name: q, in: query, schema: {type: integer}}]
      responses: {"204": {description: done}}
`

// TestPlainChecksAgreeWithKinOpenAPI puts the plain check and kin-openapi
// side by side on every operation the check takes, in the embedded
// documents and in plainSpec, over requests whose every parameter is
// absent, present without a value, empty, at and past its bounds, in
// several characters (accented, and outside the BMP), or
// repeated in the query: the two must accept and refuse the same
// requests. Refusals are still worded by kin-openapi; this test holds
// the check to never letting through what kin-openapi refuses, and to
// sparing kin-openapi the requests it accepts.
func TestPlainChecksAgreeWithKinOpenAPI(t *testing.T) {
	ops := plainOperations(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var accepted, refused int
	for _, op := range ops {
		for range 400 {
			req, vars := randomRequest(rng, op)
			got, want := agree(t, op, req, vars)
			if got != want {
				t.Fatalf("%s %s with vars %q, query %q, headers %q: plain check says valid=%v, kin-openapi %v",
					op.ID, op.Path, vars, req.URL.RawQuery, req.Header, got, want)
			}
			if want {
				accepted++
			} else {
				refused++
			}
		}
	}
	if accepted < 1000 || refused < 1000 {
		t.Fatalf("the requests exercise too little: %d accepted, %d refused", accepted, refused)
	}
}

// TestPlainCheckTakesTheReadsAndLeavesTheRest: Get order is checked
// plainly (it is why the check exists), and what kin-openapi decodes or
// matches (a body, a pattern, a number) is not.
func TestPlainCheckTakesTheReadsAndLeavesTheRest(t *testing.T) {
	s, err := Load("vtex-oms.yaml")
	if err != nil || s.Ready() != nil {
		t.Fatal(err, s.Ready())
	}
	for _, op := range s.ops {
		if op.ID == "GetOrder" && !op.plainOK {
			t.Error("GetOrder is not checked plainly")
		}
		if op.ID == "ListOrders" && op.plainOK {
			t.Error("ListOrders (integer query words) is checked plainly")
		}
	}
	p, err := Parse("plain.yaml", []byte(plainSpec))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range p.ops {
		if want := op.ID == "Plain"; op.plainOK != want {
			t.Errorf("%s: checked plainly %v, want %v", op.ID, op.plainOK, want)
		}
	}
}

// FuzzPlainChecksAgreeWithKinOpenAPI is the same agreement for any path
// variable, query and header value on plainSpec's operation.
func FuzzPlainChecksAgreeWithKinOpenAPI(f *testing.F) {
	f.Add("ab", "q=x&opt=", "z", true)
	f.Add("", "q=&q=abcd", "", false)
	f.Add("\U0001F600\U0001F600x", "q=%F0%9F%98%80&opt&opt=a", "zz", true)
	p, err := Parse("plain.yaml", []byte(plainSpec))
	if err != nil {
		f.Fatal(err)
	}
	var op *Operation
	for _, o := range p.ops {
		if o.ID == "Plain" {
			op = o
		}
	}
	f.Fuzz(func(t *testing.T, id, query, header string, withHeader bool) {
		req := httptest.NewRequest(http.MethodGet, "http://sandbox.test/things/x", nil)
		req.URL.RawQuery = query
		if withHeader {
			req.Header["X-Need"] = []string{header}
			req.Header["X-Trace"] = strings.Split(header, ",")
		}
		vars := map[string]string{"id": id}
		if got, want := agree(t, op, req, vars); got != want {
			t.Fatalf("vars %q, query %q, headers %q: plain check says valid=%v, kin-openapi %v", vars, query, req.Header, got, want)
		}
	})
}

// agree returns the plain check's answer and kin-openapi's.
func agree(t testing.TB, op *Operation, req *http.Request, vars map[string]string) (plain, kin bool) {
	t.Helper()
	plain = op.plain.valid(req, vars)
	err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: vars, Route: op.route, Options: filterOptions})
	return plain, err == nil
}

// plainOperations returns every operation checked plainly, parsed.
func plainOperations(t *testing.T) []*Operation {
	t.Helper()
	names, _ := fs.Glob(files, "*.yaml")
	var ops []*Operation
	for _, name := range names {
		s, err := Load(name)
		if err == nil {
			err = s.Ready()
		}
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, s.ops...)
	}
	p, err := Parse("plain.yaml", []byte(plainSpec))
	if err != nil {
		t.Fatal(err)
	}
	ops = append(ops, p.ops...)
	var plain []*Operation
	for _, op := range ops {
		if op.plainOK {
			plain = append(plain, op)
		}
	}
	t.Logf("%d of %d operations are checked plainly", len(plain), len(ops))
	return plain
}

// randomRequest gives each parameter of op one of the shapes the check
// must tell apart.
func randomRequest(rng *rand.Rand, op *Operation) (*http.Request, map[string]string) {
	req := httptest.NewRequest(op.Method, "http://sandbox.test/", nil)
	vars := map[string]string{}
	query := url.Values{}
	var raw []string // query pieces url.Values cannot write: "opt" without "="
	for _, p := range op.plain {
		if p.in == openapi3.ParameterInPath {
			vars[p.name] = text(rng, p)
			if rng.IntN(8) == 0 {
				delete(vars, p.name)
			}
			continue
		}
		values := map[string][]string(query) // http.Header and url.Values are the same map
		if p.in == openapi3.ParameterInHeader {
			values = req.Header
		}
		switch rng.IntN(6) {
		case 0: // absent
		case 1: // present without a value
			if p.in == openapi3.ParameterInHeader {
				values[p.name] = []string{}
			} else {
				raw = append(raw, url.QueryEscape(p.name))
			}
		case 2: // repeated
			values[p.name] = []string{text(rng, p), text(rng, p), text(rng, p)}
		default:
			values[p.name] = []string{text(rng, p)}
		}
	}
	if rng.IntN(4) == 0 {
		query.Set("other", "x")
	}
	req.URL.RawQuery = strings.Join(append(raw, query.Encode()), "&")
	if rng.IntN(10) == 0 {
		req.URL.RawQuery += "&%zz" // a piece url.ParseQuery skips
	}
	return req, vars
}

// text is empty, or as long as one of p's bounds, one less or one more,
// in letters, accented letters or characters outside the BMP.
func text(rng *rand.Rand, p plainParam) string {
	lengths := []uint64{0, 1, 2, 3, p.minLength, p.minLength + 1}
	if p.minLength > 0 {
		lengths = append(lengths, p.minLength-1)
	}
	if p.maxLength != nil {
		lengths = append(lengths, *p.maxLength, *p.maxLength+1)
		if *p.maxLength > 0 {
			lengths = append(lengths, *p.maxLength-1)
		}
	}
	n := lengths[rng.IntN(len(lengths))]
	chars := []string{"a", "é", "\U0001F600", ","}
	var b strings.Builder
	for range n {
		b.WriteString(chars[rng.IntN(len(chars))])
	}
	return b.String()
}
