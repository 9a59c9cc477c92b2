// Package openapi owns omsbox's own OpenAPI documents (vtex-oms.yaml,
// sandbox.yaml, and later skyhub.yaml), embedded in the binary, and the
// machinery that makes them the contract: loading and validating them once
// at start, mounting every operation on a router by its operationId, and
// validating requests (always) and responses (in strict mode) against them.
package openapi

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"
)

//go:embed *.yaml
var files embed.FS

// Spec is one loaded, validated OpenAPI document.
type Spec struct {
	Name string
	Doc  *openapi3.T
	ops  []*Operation
}

// Operation is one method on one path of a spec.
type Operation struct {
	ID     string
	Method string
	Path   string
	route  *routers.Route
	// stream: its 200 answer is text/event-stream, which never ends, so
	// strict mode validates the request and lets the stream through.
	stream bool
}

// Load reads an embedded document by file name (e.g. "vtex-oms.yaml"),
// resolves its references and validates it.
func Load(name string) (*Spec, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return Parse(name, data)
}

// Parse loads and validates a document given as bytes (tests use tiny
// specs this way).
func Parse(name string, data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi %s: load: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi %s: invalid: %w", name, err)
	}
	s := &Spec{Name: name, Doc: doc}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("openapi %s: %s %s has no operationId", name, method, path)
			}
			o := &Operation{ID: op.OperationID, Method: method, Path: path,
				route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}}
			if ok := op.Responses.Status(http.StatusOK); ok != nil && ok.Value != nil && ok.Value.Content.Get("text/event-stream") != nil {
				o.stream = true
			}
			s.ops = append(s.ops, o)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].ID < s.ops[j].ID })
	return s, nil
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
	for _, op := range s.ops {
		h, ok := handlers[op.ID]
		if !ok {
			missing = append(missing, op.ID)
			continue
		}
		used[op.ID] = true
		r.Handle(op.Path, &validated{op: op, next: h, opts: opts, spec: s.Name}).Methods(op.Method)
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
	spec string
}

func (v *validated) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: mux.Vars(r),
		Route:      v.op.route,
		Options:    filterOptions,
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		v.opts.WriteError(w, r, http.StatusBadRequest, Describe(err))
		return
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
		detail := fmt.Sprintf("%d response breaks %s: %s", rec.status, v.spec, Describe(err))
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
