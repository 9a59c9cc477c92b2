package control

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// The customer's side of SkyHub's SAC and questions: what a scenario needs
// to say "a customer opens a ticket about the order".

// sellerOf answers the SkyHub seller of the request's account (the
// default one when the body names none).
func (p *plane) sellerOf(w http.ResponseWriter, account string) (*skyhub.Store, bool) {
	name := cmp.Or(account, p.DefaultAccount)
	st, ok := p.SkyHub.ForAccount(name)
	if !ok {
		fail(w, http.StatusNotFound, "account %q has no SkyHub seller", clip.ID(name))
	}
	return st, ok
}

// failSkyHub maps a SkyHub refusal to the control plane's statuses.
func failSkyHub(w http.ResponseWriter, err error) {
	var e *skyhub.Error
	switch {
	case errors.As(err, &e) && e.Status == http.StatusNotFound:
		fail(w, http.StatusNotFound, "%s", e.Message)
	case errors.As(err, &e) && e.Status == http.StatusBadRequest:
		fail(w, http.StatusBadRequest, "%s", e.Message)
	default:
		fail(w, http.StatusConflict, "%v", err)
	}
}

func (p *plane) openTicket(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account   string `json:"account"`
		OrderCode string `json:"orderCode"`
		Message   string `json:"message"`
		Status    string `json:"status"`
	}
	if !decode(w, r, &req) {
		return
	}
	st, ok := p.sellerOf(w, req.Account)
	if !ok {
		return
	}
	t, err := st.OpenTicket(req.OrderCode, req.Message, req.Status)
	if err != nil {
		failSkyHub(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (p *plane) closeTicket(w http.ResponseWriter, r *http.Request) {
	code := mux.Vars(r)["code"]
	st, ok := p.SkyHub.LocateTicket(code)
	if !ok {
		fail(w, http.StatusNotFound, "SAC %q not found for any seller", clip.ID(code))
		return
	}
	if err := st.SetTicketStatus(code, skyhub.TicketClosed, true); err != nil {
		failSkyHub(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *plane) askQuestion(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  string `json:"account"`
		Sku      string `json:"sku"`
		Text     string `json:"text"`
		Platform string `json:"platform"`
	}
	if !decode(w, r, &req) {
		return
	}
	st, ok := p.sellerOf(w, req.Account)
	if !ok {
		return
	}
	q, err := st.Ask(req.Sku, req.Text, req.Platform)
	if err != nil {
		failSkyHub(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, q)
}
