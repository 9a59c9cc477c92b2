package control

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Mercado Livre's side a test drives: the seller's consent (a code
// without a browser), the app's callback, listings, paid sales, buyers'
// questions and messages, refunds, and the carrier's steps.

const channelMercadoLivre oms.Channel = "mercadolivre"

// failML maps a Mercado Livre refusal to the control plane's statuses.
func failML(w http.ResponseWriter, err error) {
	var e *mercadolivre.Error
	if errors.As(err, &e) {
		fail(w, e.Status, "%s", e.Message)
		return
	}
	fail(w, http.StatusInternalServerError, "%v", err)
}

// mlRequest reads a call's body into req and answers the account it
// names (*account, a field of req), which must exist.
func (p *plane) mlRequest(w http.ResponseWriter, r *http.Request, req any, account *string) (string, bool) {
	if !decode(w, r, req) {
		return "", false
	}
	name := cmp.Or(*account, p.DefaultAccount)
	if _, ok := p.OMS.Account(name); !ok {
		fail(w, http.StatusNotFound, "account %q not found; add it with POST /_sandbox/accounts", clip.ID(name))
		return "", false
	}
	return name, true
}

// mlAnswer writes what Mercado Livre's side answered, or its refusal.
func mlAnswer(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		failML(w, err)
		return
	}
	writeJSON(w, status, v)
}

// mlPathID reads a numeric Mercado Livre id from the path: one that is not
// a number names nothing.
func mlPathID(w http.ResponseWriter, r *http.Request, param, what string) (int64, bool) {
	id, err := strconv.ParseInt(mux.Vars(r)[param], 10, 64)
	if err != nil {
		fail(w, http.StatusNotFound, "%s %q not found", what, clip.ID(mux.Vars(r)[param]))
		return 0, false
	}
	return id, true
}

func (p *plane) mlAuthorize(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	code, app, err := p.MercadoLivre.Authorize(name)
	if err != nil {
		failML(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"code": code, "clientId": app.ClientID, "clientSecret": app.ClientSecret,
		"redirectUri": app.RedirectURI, "sellerId": app.SellerID, "nickname": app.Nickname,
		"applicationId": app.ApplicationID(), "expiresIn": int(mercadolivre.CodeLifetime.Seconds())})
}

func (p *plane) mlApp(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account     string   `json:"account"`
		CallbackURL string   `json:"callbackUrl"`
		Topics      []string `json:"topics"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	app, err := p.MercadoLivre.SetCallback(name, req.CallbackURL, req.Topics)
	mlAnswer(w, http.StatusOK, app, err)
}

func (p *plane) createMLOrder(w http.ResponseWriter, account string, n oms.NewOrder, oversell bool) {
	if n.Status != "" && n.Status != "paid" && n.Status != "confirmed" && n.Status != "payment_in_process" && n.Status != "payment_required" {
		fail(w, http.StatusBadRequest, "a mercadolivre order is created paid (default), confirmed, payment_required or payment_in_process, not %q", clip.ID(string(n.Status)))
		return
	}
	no := mercadolivre.NewOrder{Account: account, Status: string(n.Status), Payment: n.Payment, AllowOversell: oversell}
	if c := n.Customer; c != nil {
		no.FirstName, no.LastName, no.CPF, no.CNPJ, no.Company = c.FirstName, c.LastName, c.Document, c.CorporateDocument, c.CorporateName
	}
	if a := n.Address; a != nil {
		no.Address = &brdata.Address{Street: a.Street, Number: a.Number, Complement: a.Complement, Neighborhood: a.Neighborhood,
			City: a.City, State: a.State, PostalCode: a.PostalCode}
	}
	for i, it := range n.Items {
		var vid int64
		if it.RefID != "" {
			v, err := strconv.ParseInt(it.RefID, 10, 64)
			if err != nil {
				fail(w, http.StatusBadRequest, "items[%d].refId names a listing's variation id for mercadolivre: digits, not %q", i, clip.ID(it.RefID))
				return
			}
			vid = v
		}
		no.Items = append(no.Items, mercadolivre.NewItem{ItemID: it.ID, Title: it.Name, PriceCents: it.Price, Quantity: it.Quantity, VariationID: vid})
	}
	c, err := p.MercadoLivre.CreateOrder(no)
	if err != nil {
		failML(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"channel": "mercadolivre", "account": account, "mercadolivre": c})
}

func (p *plane) mlItem(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account           string `json:"account"`
		Title             string `json:"title"`
		SKU               string `json:"sku"`
		Price             int64  `json:"price"`
		AvailableQuantity int    `json:"availableQuantity"`
		Variations        []struct {
			Name              string `json:"name"`
			SKU               string `json:"sku"`
			AvailableQuantity int    `json:"availableQuantity"`
		} `json:"variations"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	nl := mercadolivre.NewListing{Account: name, Title: req.Title, SKU: req.SKU, PriceCents: req.Price, Quantity: req.AvailableQuantity}
	for _, v := range req.Variations {
		nl.Variations = append(nl.Variations, mercadolivre.NewVariation{Name: v.Name, SKU: v.SKU, Quantity: v.AvailableQuantity})
	}
	it, err := p.MercadoLivre.CreateListing(nl)
	mlAnswer(w, http.StatusCreated, it, err)
}

func (p *plane) mlQuestion(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		ItemID  string `json:"itemId"`
		Text    string `json:"text"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	q, err := p.MercadoLivre.Ask(name, req.ItemID, req.Text)
	mlAnswer(w, http.StatusCreated, q, err)
}

func (p *plane) mlMessage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		PackID  int64  `json:"packId"`
		Text    string `json:"text"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	m, err := p.MercadoLivre.BuyerMessage(name, req.PackID, req.Text)
	mlAnswer(w, http.StatusCreated, m, err)
}

func (p *plane) mlOrderStep(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		Action  string `json:"action"`
		Amount  int64  `json:"amount"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	id, ok := mlPathID(w, r, "orderId", "order")
	if !ok {
		return
	}
	if err := p.MercadoLivre.OrderStep(name, id, req.Action, req.Amount); err != nil {
		failML(w, err)
		return
	}
	status, _ := p.MercadoLivre.OrderStatus(id)
	writeJSON(w, http.StatusOK, map[string]any{"orderId": id, "status": status})
}

func (p *plane) mlShipmentStep(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		Action  string `json:"action"`
	}
	name, ok := p.mlRequest(w, r, &req, &req.Account)
	if !ok {
		return
	}
	id, ok := mlPathID(w, r, "shipmentId", "shipment")
	if !ok {
		return
	}
	st, err := p.MercadoLivre.ShipmentStep(name, id, req.Action)
	if err != nil {
		failML(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"shipmentId": id, "status": st.Status, "substatus": st.Substatus})
}
