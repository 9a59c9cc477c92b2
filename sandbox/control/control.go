// Package control owns the sandbox's control plane under /_sandbox/: the
// calls a test or a person needs that the vendors' APIs do not offer
// (health now; orders, clock, journal, events and faults as they land). Its
// routes come from openapi/sandbox.yaml and are a public interface.
package control

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Deps is what the control plane acts on.
type Deps struct {
	Clock   *clock.Clock
	OMS     *oms.OMS
	Version string
}

// Options configure validation of the control plane.
type Options struct {
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
}

type plane struct{ Deps }

// New returns the control plane's handler.
func New(d Deps, opts Options) (http.Handler, error) {
	spec, err := openapi.Load("sandbox.yaml")
	if err != nil {
		return nil, err
	}
	p := &plane{d}
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no control-plane route "+r.Method+" "+r.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
	})
	err = spec.Mount(r, map[string]http.Handler{
		"Health": http.HandlerFunc(p.health),
	}, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, Logger: opts.Logger,
		WriteError: func(w http.ResponseWriter, _ *http.Request, status int, msg string) {
			writeError(w, status, "invalid_request", msg)
		}})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (p *plane) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"status":   "ok",
		"version":  p.Version,
		"accounts": p.OMS.Accounts(),
		"time":     p.Clock.Now().Format(time.RFC3339Nano),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
