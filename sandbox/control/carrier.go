package control

import (
	"cmp"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/sandbox/carrier"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
)

// The carrier's side a test drives: parcels that no channel created, and
// the unhappy paths (delays, a failed attempt, a return) of any parcel.

// failCarrier maps a carrier refusal to the control plane's statuses.
func failCarrier(w http.ResponseWriter, err error) {
	var e *carrier.Error
	if errors.As(err, &e) {
		fail(w, e.Status, "%s", e.Message)
		return
	}
	fail(w, http.StatusInternalServerError, "%v", err)
}

// parcelAccount answers the account a carrier call names, which must
// exist.
func (p *plane) parcelAccount(w http.ResponseWriter, account string) (string, bool) {
	name := cmp.Or(account, p.DefaultAccount)
	if _, ok := p.OMS.Account(name); !ok {
		fail(w, http.StatusNotFound, "account %q not found; add it with POST /_sandbox/accounts", clip.ID(name))
		return "", false
	}
	return name, true
}

func (p *plane) createParcel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  string         `json:"account"`
		Code     string         `json:"code"`
		Scenario string         `json:"scenario"`
		Delay    clock.Duration `json:"delay"`
		PostedAt *time.Time     `json:"postedAt"`
		OrderID  string         `json:"orderId"`
		City     string         `json:"city"`
		State    string         `json:"state"`
	}
	if !decode(w, r, &req) {
		return
	}
	name, ok := p.parcelAccount(w, req.Account)
	if !ok {
		return
	}
	np := carrier.NewParcel{Account: name, Code: req.Code, Scenario: carrier.Scenario(req.Scenario), Delay: req.Delay.Duration,
		Source: carrier.SourceControl, OrderID: req.OrderID, City: req.City, UF: req.State}
	if req.PostedAt != nil {
		np.PostedAt = *req.PostedAt
	}
	parcel, err := p.Carrier.Create(np)
	if err != nil {
		failCarrier(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, parcel)
}

func (p *plane) listParcels(w http.ResponseWriter, r *http.Request) {
	parcels := p.Carrier.List(r.URL.Query().Get("account"))
	if parcels == nil {
		parcels = []carrier.Parcel{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"parcels": parcels})
}

func (p *plane) parcelScenario(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  string          `json:"account"`
		Scenario string          `json:"scenario"`
		Delay    *clock.Duration `json:"delay"`
	}
	if !decode(w, r, &req) {
		return
	}
	name, ok := p.parcelAccount(w, req.Account)
	if !ok {
		return
	}
	var delay *time.Duration
	if req.Delay != nil {
		delay = &req.Delay.Duration
	}
	parcel, err := p.Carrier.SetScenario(name, mux.Vars(r)["code"], carrier.Scenario(req.Scenario), delay)
	if err != nil {
		failCarrier(w, err)
		return
	}
	writeJSON(w, http.StatusOK, parcel)
}
