package openapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// A template is an operation's path template split into segments, matched
// a segment at a time: what gorilla/mux's own path regexp for it would
// match (each {name} one segment, never empty, "/" never inside), without
// compiling a regexp per operation. Compiling ~170 of them was most of a
// sandbox's start-up, and running them one after another most of its
// routing.
type template struct {
	prefix string    // the router's path prefix (a subrouter's), "" at the root
	segs   []segment // after the leading "/"
	method string
}

// segment is one segment of a path template: text to equal, or the name
// of a variable that takes any non-empty segment.
type segment struct {
	text     string
	variable bool
}

// newTemplate splits path; ok is false when a segment mixes text and a
// variable ("/a{b}", "{a}.{b}") or a variable names a pattern ({id:[0-9]+}):
// such a path is left to mux's regexps.
func newTemplate(prefix, path, method string) (*template, bool) {
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(prefix, "{}") {
		return nil, false
	}
	t := &template{prefix: strings.TrimRight(prefix, "/"), method: method}
	for seg := range strings.SplitSeq(path[1:], "/") {
		open, close := strings.IndexByte(seg, '{'), strings.LastIndexByte(seg, '}')
		switch {
		case open < 0 && close < 0:
			t.segs = append(t.segs, segment{text: seg})
		case open == 0 && close == len(seg)-1 && len(seg) > 2 && !strings.ContainsAny(seg[1:close], "{}:"):
			t.segs = append(t.segs, segment{text: seg[1:close], variable: true})
		default:
			return nil, false
		}
	}
	return t, true
}

// match says whether the request's path is this template's. When the
// method is the operation's too, so that mux will pick this route, it
// hands mux the path's variables, read in a second walk: a path that does
// not match costs no allocation, and a route the method turns away leaves
// no variables behind for another route to inherit.
func (t *template) match(r *http.Request, m *mux.RouteMatch) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, t.prefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return false
	}
	rest = rest[1:]
	for i, seg := range t.segs {
		part, tail, more := strings.Cut(rest, "/")
		if more != (i < len(t.segs)-1) || (seg.variable && part == "") || (!seg.variable && part != seg.text) {
			return false
		}
		rest = tail
	}
	if r.Method != t.method {
		return true
	}
	vars := make(map[string]string, len(t.segs))
	rest = r.URL.Path[len(t.prefix)+1:]
	for _, seg := range t.segs {
		part, tail, _ := strings.Cut(rest, "/")
		if seg.variable {
			vars[seg.text] = part
		}
		rest = tail
	}
	m.Vars = vars
	return true
}

// routerPrefix is the path prefix r's routes inherit (a subrouter's
// PathPrefix), read from a build-only route, which never matches.
func routerPrefix(r *mux.Router) string {
	prefix, _ := r.NewRoute().BuildOnly().GetPathTemplate() // none at a root router
	return prefix
}

// handle registers h for method on path, below prefix (routerPrefix's).
// The router must match decoded paths (mux's default), as every router of
// the sandbox does.
func handle(r *mux.Router, prefix, path, method string, h http.Handler) {
	if t, ok := newTemplate(prefix, path, method); ok {
		r.NewRoute().MatcherFunc(t.match).Methods(method).Handler(h)
		return
	}
	r.Handle(path, h).Methods(method)
}
