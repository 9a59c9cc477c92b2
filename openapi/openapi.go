// Package openapi owns omsbox's own OpenAPI documents (vtex-oms.yaml,
// vtex-catalog.yaml, skyhub.yaml, mercadolivre.yaml, correios.yaml,
// sandbox.yaml and the harness's b2b-erp.yaml), embedded in the binary, and
// the machinery that makes them the contract: their operations, generated
// at build time (operations_gen.go), each document parsed and validated
// once per process (on first need, or in the background), every operation
// mounted on a router by its operationId and matched by its path template
// (route.go), and requests (always) and responses (in strict mode)
// validated against them.
package openapi

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"
)

//go:embed *.yaml
var files embed.FS

//go:generate go test -run ^TestOperationsAreGenerated$ -update .

// Spec is one OpenAPI document. An embedded document's operations
// (method, path, operationId: enough to route) are known from the build,
// and the document itself is parsed and validated on first need, once per
// process: a sandbox starts without waiting for a megabyte of YAML.
type Spec struct {
	Name string
	ops  []*Operation
	data []byte // an embedded document's is read when it is parsed

	once sync.Once
	doc  *openapi3.T
	err  error
}

// Operation is one method on one path of a spec.
type Operation struct {
	ID     string
	Method string
	Path   string
	route  *routers.Route
	// input says the operation takes parameters or a body; one that takes
	// none has nothing to validate in its requests.
	input bool
	// stream: its 200 answer is text/event-stream, which never ends, so
	// strict mode validates the request and lets the stream through.
	stream bool
	// plain, when plainOK, checks its requests without kin-openapi
	// (plain.go).
	plain   plainParams
	plainOK bool
}

// embedded holds the embedded documents' specs, one per file for the
// process: every sandbox shares them (a spec never changes once loaded).
var embedded sync.Map // file name → *Spec

// Load returns an embedded document by file name (e.g. "vtex-oms.yaml").
// Its operations come from operations_gen.go, written at build time by
// the same scan of its text (`go generate ./openapi`), so a start reads no
// YAML; the document is parsed, resolved and validated on first use
// (Ready, a validated request, CheckExchange), or by Preload, and refused
// then if its operations are not the generated ones.
func Load(name string) (*Spec, error) {
	if s, ok := embedded.Load(name); ok {
		return s.(*Spec), nil
	}
	gen, ok := generatedOperations[name]
	if !ok {
		return nil, fmt.Errorf("openapi: %s has no generated operations (a document added since: run go generate ./openapi)", name)
	}
	ops := make([]*Operation, len(gen))
	for i, op := range gen {
		ops[i] = &op // a copy: parsing gives each its route
	}
	s, _ := embedded.LoadOrStore(name, &Spec{Name: name, ops: ops})
	return s.(*Spec), nil
}

// Preload parses the named embedded documents (all of them when none is
// named), one after the other, so that requests seldom wait for one. A
// server starts it beside its listeners; one at a time, it leaves the
// other core to the server.
func Preload(names ...string) {
	if len(names) == 0 {
		names, _ = fs.Glob(files, "*.yaml")
	}
	for _, name := range names {
		if s, err := Load(name); err == nil {
			_ = s.Ready()
		}
	}
}

// Parse loads and validates a document given as bytes, at once (tests use
// tiny specs this way).
func Parse(name string, data []byte) (*Spec, error) {
	s := &Spec{Name: name, data: data}
	if err := s.Ready(); err != nil {
		return nil, err
	}
	return s, nil
}

// Ready parses, resolves and validates the document, once; it answers the
// same error to every caller when the document is broken.
func (s *Spec) Ready() error {
	s.once.Do(func() { s.doc, s.err = s.parse() })
	return s.err
}

// Doc is the parsed document.
func (s *Spec) Doc() (*openapi3.T, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	return s.doc, nil
}

// parse builds the document and gives each operation its route. With the
// operations scanned already, the two must agree.
func (s *Spec) parse() (*openapi3.T, error) {
	if s.data == nil {
		data, err := files.ReadFile(s.Name)
		if err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
		s.data = data
	}
	doc, err := openapi3.NewLoader().LoadFromData(s.data)
	if err != nil {
		return nil, fmt.Errorf("openapi %s: load: %w", s.Name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi %s: invalid: %w", s.Name, err)
	}
	var ops []*Operation
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("openapi %s: %s %s has no operationId", s.Name, method, path)
			}
			o := &Operation{ID: op.OperationID, Method: method, Path: path,
				route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				input: len(item.Parameters) > 0 || len(op.Parameters) > 0 || op.RequestBody != nil}
			if ok := op.Responses.Status(http.StatusOK); ok != nil && ok.Value != nil && ok.Value.Content.Get("text/event-stream") != nil {
				o.stream = true
			}
			o.plain, o.plainOK = plainCheck(o.route)
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	if s.ops == nil {
		s.ops = ops
		return doc, nil
	}
	if len(ops) != len(s.ops) {
		return nil, fmt.Errorf("openapi %s: the scan found %d operations, the parser %d", s.Name, len(s.ops), len(ops))
	}
	for i, op := range ops {
		if o := s.ops[i]; o.ID != op.ID || o.Method != op.Method || o.Path != op.Path || o.input != op.input {
			return nil, fmt.Errorf("openapi %s: the scan read %s %s %s (input %v), the parser %s %s %s (input %v) (run go generate ./openapi)",
				s.Name, o.ID, o.Method, o.Path, o.input, op.ID, op.Method, op.Path, op.input)
		}
		s.ops[i].route, s.ops[i].stream, s.ops[i].plain, s.ops[i].plainOK = op.route, op.stream, op.plain, op.plainOK
	}
	return doc, nil
}

// Operations returns the spec's operations, sorted by id.
func (s *Spec) Operations() []*Operation { return slices.Clone(s.ops) }

// ErrorWriter answers a refused request in the vendor's own error shape.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, message string)

// Options say how mounted operations are validated.
type Options struct {
	// Strict validates every response against the spec. A response that
	// breaks it is replaced by a 500 naming the mismatch, logged, and
	// reported to OnDrift: the sandbox can never drift from its spec
	// unnoticed.
	Strict  bool
	OnDrift func(operationID, detail string)
	// WriteError writes validation failures (400, 413) in the vendor's shape.
	WriteError ErrorWriter
	// MaxBodyBytes bounds request bodies; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// AssumeJSON reads every request body as JSON whatever its
	// Content-Type says (the control plane speaks nothing else, and
	// `curl -d` sends a form type). Vendor APIs keep VTEX's 400.
	AssumeJSON bool
	Logger     *slog.Logger
}

// DefaultMaxBodyBytes bounds request bodies unless Options say otherwise.
const DefaultMaxBodyBytes = 1 << 20

// Mount registers every operation of the spec on r, behind request (and in
// strict mode response) validation, with handlers keyed by operationId. It
// refuses an operation without a handler and a handler without an
// operation, so the spec and the code cannot part ways.
func (s *Spec) Mount(r *mux.Router, handlers map[string]http.Handler, opts Options) error {
	if opts.WriteError == nil {
		return errors.New("openapi: Mount needs an ErrorWriter")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var missing []string
	used := map[string]bool{}
	prefix := routerPrefix(r)
	for _, op := range s.ops {
		h, ok := handlers[op.ID]
		if !ok {
			missing = append(missing, op.ID)
			continue
		}
		used[op.ID] = true
		handle(r, prefix, op.Path, op.Method, &validated{op: op, next: h, opts: opts, spec: s})
	}
	var extra []string
	for id := range handlers {
		if !used[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		return fmt.Errorf("openapi %s: operations without handler %v, handlers without operation %v", s.Name, missing, extra)
	}
	return nil
}

func init() {
	// Printable documents (SkyHub's labels) are checked for their type,
	// not parsed.
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
}

var filterOptions = &openapi3filter.Options{
	// Credentials are checked before validation, by the vendor's own rules.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	// Requests are validated as sent: no defaults are written into them.
	SkipSettingDefaults: true,
}

var responseOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
}

// validated is one mounted operation.
type validated struct {
	op   *Operation
	next http.Handler
	opts Options
	spec *Spec
}

func (v *validated) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !v.op.input && !v.opts.Strict && (r.Body == nil || r.Body == http.NoBody) {
		// Nothing to validate, so no need to wait for the document (the
		// health check of a sandbox that has just started).
		v.next.ServeHTTP(w, r)
		return
	}
	if err := v.spec.Ready(); err != nil { // embedded and tested: cannot happen
		v.opts.WriteError(w, r, http.StatusInternalServerError, "omsbox: "+err.Error())
		return
	}
	noBody := r.Body == nil || r.Body == http.NoBody
	if r.ContentLength > v.opts.MaxBodyBytes {
		v.opts.WriteError(w, r, http.StatusRequestEntityTooLarge, tooLarge(v.opts.MaxBodyBytes))
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, v.opts.MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				v.opts.WriteError(w, r, http.StatusRequestEntityTooLarge, tooLarge(v.opts.MaxBodyBytes))
				return
			}
			v.opts.WriteError(w, r, http.StatusBadRequest, "request body could not be read: "+err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v.opts.AssumeJSON && len(body) > 0 {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	vars := mux.Vars(r)
	plainlyValid := noBody && v.op.plainOK && v.op.plain.valid(r, vars)
	if plainlyValid && !v.opts.Strict {
		v.next.ServeHTTP(w, r)
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: vars,
		Route:      v.op.route,
		Options:    filterOptions,
	}
	if !plainlyValid {
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			v.opts.WriteError(w, r, http.StatusBadRequest, Describe(err))
			return
		}
	}
	if !v.opts.Strict || v.op.stream {
		v.next.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	v.next.ServeHTTP(rec, r)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.status,
		Header:                 rec.header,
		Options:                responseOptions,
	}
	out.SetBodyBytes(rec.body.Bytes())
	if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
		detail := fmt.Sprintf("%d response breaks %s: %s", rec.status, v.spec.Name, Describe(err))
		v.opts.Logger.Error("strict mode: response does not conform to the spec",
			"operation", v.op.ID, "status", rec.status, "detail", detail, "body", truncate(rec.body.String(), 2048))
		if v.opts.OnDrift != nil {
			v.opts.OnDrift(v.op.ID, detail)
		}
		v.opts.WriteError(w, r, http.StatusInternalServerError, "omsbox strict mode: "+v.op.ID+" "+detail)
		return
	}
	for k, vals := range rec.header {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

func tooLarge(n int64) string {
	return fmt.Sprintf("request body is larger than the %d bytes allowed", n)
}

// Describe turns a validation error into one line that names the parameter
// or the body field at fault.
func Describe(err error) string {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		reason := re.Reason
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			reason = schemaReason(se)
		} else if re.Err != nil && reason == "" {
			reason = re.Err.Error()
		} else if re.Err != nil {
			reason += ": " + re.Err.Error()
		}
		switch {
		case re.Parameter != nil:
			return fmt.Sprintf("parameter %q in %s: %s", re.Parameter.Name, re.Parameter.In, reason)
		case re.RequestBody != nil:
			return "request body: " + reason
		}
		return reason
	}
	var rse *openapi3filter.ResponseError
	if errors.As(err, &rse) {
		var se *openapi3.SchemaError
		if errors.As(rse.Err, &se) {
			return "response body: " + schemaReason(se)
		}
		return rse.Error()
	}
	return err.Error()
}

// schemaReason says which field broke which rule, e.g.
// `field "items/0/price": value must be an integer`.
func schemaReason(se *openapi3.SchemaError) string {
	field := strings.Join(se.JSONPointer(), "/")
	if field == "" {
		return se.Reason
	}
	return fmt.Sprintf("field %q: %s", field, se.Reason)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// recorder buffers a response so strict mode can check it before sending.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// CheckExchange checks one request and its answer against the document,
// as a client that relies on it would: the operation the request's
// method and path name, its parameters and body, then the answer's status
// and body. The contract harness checks the calls it makes to an
// integration's own API (b2b-erp.yaml) with it.
func (s *Spec) CheckExchange(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	var op *Operation
	for _, o := range s.ops {
		if o.Method == req.Method && o.Path == req.URL.Path {
			op = o
			break
		}
	}
	if op == nil {
		return fmt.Errorf("openapi %s: no operation %s %s", s.Name, req.Method, req.URL.Path)
	}
	if err := s.Ready(); err != nil {
		return err
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: r, Route: op.route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return fmt.Errorf("the request %s %s breaks %s: %w", req.Method, req.URL.Path, s.Name, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return fmt.Errorf("the answer %d to %s %s breaks %s: %w", status, req.Method, req.URL.Path, s.Name, err)
	}
	return nil
}
