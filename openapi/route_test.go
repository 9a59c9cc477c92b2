package openapi

import (
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestTemplatesRouteAsMuxRegexpsDo routes every path of every embedded
// document, and variations on each (a variable's segment empty, holding
// "/", "..", or an encoded slash; a trailing slash; a segment more or
// less; another method; outside the prefix), through the sandbox's
// segment templates and through mux's own path regexps, at a root router
// and below a subrouter's prefix. Both must pick the same operation with
// the same variables, or both answer 404 or 405.
func TestTemplatesRouteAsMuxRegexpsDo(t *testing.T) {
	names, _ := fs.Glob(files, "*.yaml")
	for _, name := range append(names, "mixed.yaml") {
		s, err := Load(name)
		if name == "mixed.yaml" {
			// A segment of text and a variable is left to mux's regexp,
			// after a template route whose method turns the request away.
			s, err = Parse(name, []byte(mixed))
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, base := range []string{"", "/skyhub", "/mercadolivre/"} {
			ours, theirs := mounted(s, base, viaTemplates), mounted(s, base, viaRegexps)
			for _, target := range targets(s, base) {
				for _, method := range methods {
					req := httptest.NewRequest(method, "http://sandbox.test"+strings.ReplaceAll(target, " ", "%20"), nil)
					got, want := answer(ours, req), answer(theirs, req)
					if got != want {
						t.Errorf("%s below %q: %s %s: templates answer %s, mux regexps %s", name, base, method, target, got, want)
					}
				}
			}
		}
	}
}

const mixed = `openapi: 3.0.3
info: {title: mixed, version: "1"}
paths:
  /things/{id}:
    put:
      operationId: A
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
  /things/{name}.pdf:
    get:
      operationId: B
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
`

var methods = []string{"GET", "POST", "PUT", "DELETE", "PATCH"}

// viaTemplates and viaRegexps register an operation as Mount does and as
// mux alone would.
func viaTemplates(r *mux.Router, prefix, path, method string, h http.Handler) {
	handle(r, prefix, path, method, h)
}

func viaRegexps(r *mux.Router, _, path, method string, h http.Handler) {
	r.Handle(path, h).Methods(method)
}

// mounted mounts s's operations below base with add; each answers its id
// and its variables.
func mounted(s *Spec, base string, add func(r *mux.Router, prefix, path, method string, h http.Handler)) http.Handler {
	root := mux.NewRouter().SkipClean(true)
	r := root
	if base != "" {
		r = root.PathPrefix(base).Subrouter()
	}
	prefix := routerPrefix(r)
	for _, op := range s.ops {
		add(r, prefix, op.Path, op.Method, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			vars := mux.Vars(req)
			fmt.Fprint(w, op.ID)
			for _, k := range slices.Sorted(maps.Keys(vars)) {
				fmt.Fprintf(w, " %s=%q", k, vars[k])
			}
		}))
	}
	return root
}

// targets are the request paths tried against s below base.
func targets(s *Spec, base string) []string {
	base = strings.TrimRight(base, "/")
	var out []string
	for _, op := range s.ops {
		for _, v := range []string{"v1", "", "a%2Fb", "..", "x y", "{id}"} {
			var b strings.Builder
			for seg := range strings.SplitSeq(op.Path[1:], "/") {
				if open, close := strings.IndexByte(seg, '{'), strings.IndexByte(seg, '}'); open >= 0 && close > open {
					seg = seg[:open] + v + seg[close+1:]
				}
				b.WriteString("/" + seg)
			}
			p := b.String()
			out = append(out, base+p, base+p+"/", base+p+"/extra", base+p[:strings.LastIndexByte(p, '/')],
				"/other"+p, base+"/"+p)
		}
	}
	return append(out, base, base+"/", "/")
}

// answer is the status and body h gives req.
func answer(h http.Handler, req *http.Request) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return fmt.Sprintf("%d %s", rec.Code, strings.TrimSpace(rec.Body.String()))
}

// FuzzTemplatesRouteAsMuxRegexpsDo holds the templates to mux's regexps
// over any path and method: the same operation and variables, or the same
// 404 or 405, for every embedded document at the root and below a prefix.
func FuzzTemplatesRouteAsMuxRegexpsDo(f *testing.F) {
	names, _ := fs.Glob(files, "*.yaml")
	type pair struct{ ours, theirs http.Handler }
	var pairs []pair
	for _, name := range names {
		s, err := Load(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, base := range []string{"", "/skyhub"} {
			pairs = append(pairs, pair{mounted(s, base, viaTemplates), mounted(s, base, viaRegexps)})
		}
		for _, op := range s.ops {
			f.Add(op.Path, uint8(0))
			f.Add("/skyhub"+strings.ReplaceAll(op.Path, "{", "x{"), uint8(1))
		}
	}
	f.Add("/api/oms/pvt/orders//", uint8(2))
	f.Add("/api/oms/pvt/orders/\n", uint8(3))
	f.Fuzz(func(t *testing.T, path string, m uint8) {
		// Any decoded path, whatever it holds.
		req := &http.Request{Method: methods[int(m)%len(methods)], URL: &url.URL{Path: path}, Header: http.Header{}, Host: "sandbox.test"}
		for _, p := range pairs {
			got, want := answer(p.ours, req), answer(p.theirs, req)
			if got != want {
				t.Fatalf("%s %q: templates answer %s, mux regexps %s", req.Method, path, got, want)
			}
		}
	})
}
