package contracts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// The steps of an ERP that integrates Mercado Livre (@mercadolivre): the
// seller's consent (the harness asks the sandbox for an authorization
// code and hands it over as OMSBOX_ML_CODE), paid orders, the NF-e upload
// that makes a shipment ready to ship, and the token's rotation.

// mlWorld is a scenario's Mercado Livre state.
type mlWorld struct {
	direct   bool  // the integration runs with OMSBOX_CHANNELS=mercadolivre
	order    int64 // the scenario's last Mercado Livre order
	shipment int64
	token    string // the harness's own access token (never the integration's)
}

var mercadoLivreSteps = []*StepDef{
	{Area: "mercadolivre", EN: `^the integration is running with Mercado Livre$`, PT: `^a integração está rodando com o Mercado Livre$`,
		Example: "Given the integration is running with Mercado Livre", ExamplePT: "Dado que a integração está rodando com o Mercado Livre",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			w.ml.direct = true
			return w.start(ctx)
		}},
	{Area: "mercadolivre", EN: `^a paid Mercado Livre order arrives$`, PT: `^um pedido pago do Mercado Livre chega$`,
		Params: "two units at 59.90 reais bought by a CPF buyer: the order totals 119.80 reais", ParamsPT: "duas unidades a 59,90 reais, compradas por um CPF: o pedido soma 119,80 reais",
		Example: "When a paid Mercado Livre order arrives", ExamplePT: "Quando um pedido pago do Mercado Livre chega",
		Fn: func(ctx context.Context) error { return worldOf(ctx).mlOrder(ctx) }},
	{Area: "mercadolivre", EN: `^the integration downloaded the Mercado Livre order$`, PT: `^a integração baixou o pedido do Mercado Livre$`,
		Example: "Then the integration downloaded the Mercado Livre order", ExamplePT: "Então a integração baixou o pedido do Mercado Livre",
		Fn: func(ctx context.Context) error { return worldOf(ctx).mlDownloaded(ctx) }},
	{Area: "mercadolivre", EN: `^the ERP uploads the Mercado Livre order's NF-e as "([^"]*)"$`, PT: `^o ERP envia a NF-e do pedido do Mercado Livre como "([^"]*)"$`,
		Params: "the NF-e number", ParamsPT: "o número da NF-e",
		Example: `When the ERP uploads the Mercado Livre order's NF-e as "NF-7001"`, ExamplePT: `Quando o ERP envia a NF-e do pedido do Mercado Livre como "NF-7001"`,
		Fn: func(ctx context.Context, number string) error {
			w := worldOf(ctx)
			return w.action(ctx, map[string]any{"action": "invoice", "channel": reference.ChannelMercadoLivre,
				"orderId": fmt.Sprint(w.ml.order), "invoiceNumber": number}, true)
		}},
	{Area: "mercadolivre", EN: `^the Mercado Livre shipment is "([^"]*)"$`, PT: `^o envio do Mercado Livre está "([^"]*)"$`,
		Params:   "a shipment status, optionally with its substatus: ready_to_ship/invoice_pending, ready_to_ship/ready_to_print, shipped, delivered",
		ParamsPT: "um status de envio, opcionalmente com o substatus: ready_to_ship/invoice_pending, ready_to_ship/ready_to_print, shipped, delivered",
		Example:  `Then the Mercado Livre shipment is "ready_to_ship/ready_to_print"`, ExamplePT: `Então o envio do Mercado Livre está "ready_to_ship/ready_to_print"`,
		Fn: func(ctx context.Context, status string) error { return worldOf(ctx).mlShipmentIs(ctx, status) }},
	{Area: "mercadolivre", EN: `^the integration refreshed its Mercado Livre token, never with a refresh token already used, and was never refused$`,
		PT:        `^a integração renovou seu token do Mercado Livre, nunca com um refresh token já usado, e nunca foi recusada$`,
		Example:   "Then the integration refreshed its Mercado Livre token, never with a refresh token already used, and was never refused",
		ExamplePT: "Então a integração renovou seu token do Mercado Livre, nunca com um refresh token já usado, e nunca foi recusada",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).mlRefreshesDistinct(ctx) }},
}

// mlConsent plays the seller's consent: a fresh authorization code for
// the integration to trade.
func (w *world) mlConsent(ctx context.Context, env *Env) error {
	consent, err := w.h.client.MercadoLivreAuthorize(ctx, env.Account)
	if err != nil {
		return fmt.Errorf("Mercado Livre consent: %w", err)
	}
	env.Channels, env.MLCode = reference.ChannelMercadoLivre, consent.Code
	return nil
}

func (w *world) mlOrder(ctx context.Context) error {
	o, err := w.h.client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: w.env.Account,
		Customer: map[string]string{"document": "52998224725"},
		Items:    []client.MercadoLivreItem{{ID: "CAM-AZ-M", Name: "Camiseta azul M", Price: 5990, Quantity: 2}}})
	if err != nil {
		return err
	}
	w.ml.order, w.ml.shipment = o.OrderID, o.ShipmentID
	return nil
}

func (w *world) mlDownloaded(ctx context.Context) error {
	if w.ml.order == 0 {
		return errors.New("the scenario has no Mercado Livre order")
	}
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip // no driver: the @driver scenarios do not apply
	}
	want := fmt.Sprintf("mercadolivre:%d", w.ml.order)
	return eventually(ctx, func() error {
		var orders []reference.StoredOrder
		req, _ := http.NewRequestWithContext(ctx, "GET", w.run.DriverURL()+"/orders", nil)
		if err := getJSON(req, &orders); err != nil {
			return err
		}
		for _, o := range orders {
			if o.OrderID == want {
				return nil
			}
		}
		return fmt.Errorf("the integration has not stored Mercado Livre order %d (driver GET /orders has no %q)", w.ml.order, want)
	})
}

// mlShipmentIs reads the shipment with the harness's own token (its own
// consent, so the integration's token pair is never touched).
func (w *world) mlShipmentIs(ctx context.Context, want string) error {
	if w.ml.token == "" {
		consent, err := w.h.client.MercadoLivreAuthorize(ctx, w.env.Account)
		if err != nil {
			return err
		}
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {consent.ClientID}, "client_secret": {consent.ClientSecret},
			"code": {consent.Code}, "redirect_uri": {consent.RedirectURI}}
		req, _ := http.NewRequestWithContext(ctx, "POST", w.env.MLURL+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(journal.OriginHeader, journal.Observer)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := getJSON(req, &tok); err != nil {
			return fmt.Errorf("the harness's Mercado Livre token: %w", err)
		}
		w.ml.token = tok.AccessToken
	}
	return eventually(ctx, func() error {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/shipments/%d", w.env.MLURL, w.ml.shipment), nil)
		req.Header.Set("Authorization", "Bearer "+w.ml.token)
		req.Header.Set("x-format-new", "true")
		req.Header.Set(journal.OriginHeader, journal.Observer)
		var s struct{ Status, Substatus string }
		if err := getJSON(req, &s); err != nil {
			return err
		}
		got := s.Status
		if strings.Contains(want, "/") {
			got += "/" + s.Substatus
		}
		if got != want {
			return fmt.Errorf("Mercado Livre shipment %d is %s, want %s", w.ml.shipment, got, want)
		}
		return nil
	})
}

// mlRefreshesDistinct reads the integration's token calls in the journal:
// at least one refresh, no refresh token sent twice, none refused.
func (w *world) mlRefreshesDistinct(ctx context.Context) error {
	all, err := w.h.client.Journal(ctx, client.JournalFilter{Method: "POST", Since: w.since, Limit: 10000})
	if err != nil {
		return err
	}
	seen := map[string]int{}
	refreshes := 0
	var lines []string
	for _, e := range all {
		if e.Origin != "" || !strings.HasSuffix(e.Path, "/oauth/token") {
			continue
		}
		form, _ := url.ParseQuery(e.RequestBody)
		if form.Get("client_id") != w.env.MLClientID || form.Get("grant_type") != "refresh_token" {
			continue
		}
		refreshes++
		rt := form.Get("refresh_token")
		seen[rt]++
		lines = append(lines, fmt.Sprintf("  %d POST %s refresh_token=…%s", e.Status, e.Path, last6(rt)))
		if e.Status != http.StatusOK {
			return fmt.Errorf("a token refresh was refused (%d %s):\n%s", e.Status, e.ResponseBody, strings.Join(lines, "\n"))
		}
		if seen[rt] > 1 {
			return fmt.Errorf("refresh token …%s was sent %d times:\n%s", last6(rt), seen[rt], strings.Join(lines, "\n"))
		}
	}
	if refreshes == 0 {
		return errors.New("the integration never refreshed its Mercado Livre token (POST /oauth/token with grant_type=refresh_token)")
	}
	return nil
}

func last6(s string) string { return s[max(len(s)-6, 0):] }
