// Package dashboard owns the sandbox's web page at /_sandbox/ui: its
// static files (one HTML page, plain ES modules, one stylesheet; no build
// step, no library) embedded in the binary and served, gzipped to
// browsers that take it, with a strict Content-Security-Policy. The page
// holds no data: it is a client of the public control plane, and every
// call it makes needs the control token when the sandbox has one.
package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// Prefix is where the page lives.
const Prefix = "/_sandbox/ui"

// Owns tells whether a request path is the page's.
func Owns(p string) bool { return p == Prefix || strings.HasPrefix(p, Prefix+"/") }

// ErrorWriter answers a refused request in the control plane's shape.
type ErrorWriter func(w http.ResponseWriter, status int, code, message string)

// csp lets the page load only its own files and talk only to its own
// origin: no inline script, no third party.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type file struct {
	body, gz []byte
	ctype    string
	etag     string
}

var (
	loadOnce sync.Once
	files    map[string]*file
)

// load reads and compresses every file, once per process.
func load() {
	files = map[string]*file{}
	_ = fs.WalkDir(static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(name)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		files[strings.TrimPrefix(name, "static")] = &file{body: body, gz: buf.Bytes(), ctype: ctype,
			etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
}

// Handler serves the page: Prefix and Prefix+"/" are index.html, the
// rest the files under it.
func Handler(fail ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loadOnce.Do(load) // on the first visit: a sandbox starts without compressing the page
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			fail(w, http.StatusMethodNotAllowed, "method_not_allowed", "the dashboard's files are read with GET")
			return
		}
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		if name == "" || name == "/" {
			name = "/index.html"
		}
		f := files[name]
		if f == nil {
			fail(w, http.StatusNotFound, "not_found", "no dashboard file "+path.Base(name))
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", f.etag)
		h.Set("Vary", "Accept-Encoding")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", csp)
		if r.Header.Get("If-None-Match") == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := f.body
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		weight, err := strconv.ParseFloat(strings.TrimPrefix(strings.ReplaceAll(q, " ", ""), "q="), 64)
		return err != nil || weight > 0 // no weight, or a positive one
	}
	return false
}

// Size returns the bytes of the page's files as sent to a browser that
// takes gzip, and as they are.
func Size() (gzipped, plain int) {
	loadOnce.Do(load)
	for _, f := range files {
		gzipped += len(f.gz)
		plain += len(f.body)
	}
	return gzipped, plain
}
