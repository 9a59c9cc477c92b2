package vtex

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/hook"
)

// Codes of feed and hook refusals (the sandbox's choice: VTEX documents
// none).
const (
	codeNoFeed       = "FEED404"
	codeNoHook       = "HOOK404"
	codeFilterMixed  = "FEED409"
	codeHookPingFail = "HOOK400"
)

// The feed and the hook belong to the caller: one per account and app key.

func (a *API) getFeed(w http.ResponseWriter, r *http.Request) {
	maxlot, _ := strconv.Atoi(r.URL.Query().Get("maxlot")) // the spec has checked 1..10
	lot, err := a.feeds.Receive(a.creds.Account(r), a.creds.AppKey(r), maxlot,
		feed.Delivery(faults.FeedMode(r.Context())))
	if err != nil {
		feedError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonType, func(e *json.Encoder) error { return e.Encode(lot) })
}

func (a *API) commitFeed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Handles []string `json:"handles"`
	}
	if err := decodeBody(r, &req); err != nil {
		WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	if _, err := a.feeds.Commit(a.creds.Account(r), a.creds.AppKey(r), req.Handles); err != nil {
		feedError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *API) getFeedConfig(w http.ResponseWriter, r *http.Request) {
	v, err := a.feeds.View(a.creds.Account(r), a.creds.AppKey(r))
	if err != nil {
		feedError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonType, func(e *json.Encoder) error { return e.Encode(v) })
}

func (a *API) saveFeedConfig(w http.ResponseWriter, r *http.Request) {
	var cfg feed.Config
	if err := decodeBody(r, &cfg); err != nil {
		WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	if err := a.feeds.Configure(a.creds.Account(r), a.creds.AppKey(r), cfg); err != nil {
		feedError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *API) deleteFeedConfig(w http.ResponseWriter, r *http.Request) {
	if err := a.feeds.Delete(a.creds.Account(r), a.creds.AppKey(r)); err != nil {
		feedError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *API) getHookConfig(w http.ResponseWriter, r *http.Request) {
	cfg, err := a.hooks.Get(a.creds.Account(r), a.creds.AppKey(r))
	if err != nil {
		feedError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonType, func(e *json.Encoder) error { return e.Encode(cfg) })
}

func (a *API) saveHookConfig(w http.ResponseWriter, r *http.Request) {
	var cfg hook.Config
	if err := decodeBody(r, &cfg); err != nil {
		WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	if err := a.hooks.Configure(r.Context(), a.creds.Account(r), a.creds.AppKey(r), cfg); err != nil {
		feedError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *API) deleteHookConfig(w http.ResponseWriter, r *http.Request) {
	if err := a.hooks.Delete(a.creds.Account(r), a.creds.AppKey(r)); err != nil {
		feedError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// feedError answers the feed's and hook's refusals in VTEX's shape.
func feedError(w http.ResponseWriter, err error) {
	var conflict *feed.ConflictError
	var ping *hook.PingError
	switch {
	case errors.Is(err, feed.ErrNoFeed):
		WriteError(w, http.StatusNotFound, codeNoFeed, "Feed not found: this app key has no feed configuration (POST /api/orders/feed/config)")
	case errors.Is(err, hook.ErrNoHook):
		WriteError(w, http.StatusNotFound, codeNoHook, "Hook not found: this app key has no hook configuration")
	case errors.As(err, &conflict):
		WriteError(w, http.StatusConflict, codeFilterMixed, err.Error())
	case errors.As(err, &ping):
		WriteError(w, http.StatusBadRequest, codeHookPingFail, err.Error())
	default:
		WriteError(w, http.StatusBadRequest, codeBadRequest, err.Error())
	}
}
