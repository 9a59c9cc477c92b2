package contracts

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
)

// The steps of an ERP that integrates Mercado Livre (@mercadolivre): the
// seller's consent (the harness asks the sandbox for an authorization
// code and hands it over as OMSBOX_ML_CODE), the app's notifications (the
// harness points its callback URL at OMSBOX_ML_NOTIFICATIONS_ADDR), paid
// orders, the NF-e upload that makes a shipment ready to ship, the
// token's rotation, listings' stock and price, and buyers' questions.

// mlWorld is a scenario's Mercado Livre state.
type mlWorld struct {
	direct   bool  // the integration runs with OMSBOX_CHANNELS=mercadolivre
	callback bool  // the app's callback URL points at the integration
	order    int64 // the scenario's last Mercado Livre order
	shipment int64
	item     string // the scenario's listing
	question int64  // the scenario's last buyer question
	token    string // the harness's own access token (never the integration's)
	appID    int64
}

var mercadoLivreSteps = []*StepDef{
	{Area: "mercadolivre", EN: `^the integration (?:is running|starts) with Mercado Livre$`, PT: `^a integração (?:está rodando|inicia) com o Mercado Livre$`,
		Params:   "the harness hands over the seller's consent and points the app's notifications at the integration's receiver",
		ParamsPT: "o harness entrega o consentimento do vendedor e aponta as notificações do app para o receptor da integração",
		Example:  "Given the integration is running with Mercado Livre", ExamplePT: "Dado que a integração está rodando com o Mercado Livre",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			w.ml.direct = true
			return w.start(ctx)
		}},
	{Area: "mercadolivre", EN: `^a paid Mercado Livre order arrives$`, PT: `^um pedido pago do Mercado Livre chega$`,
		Params:   "two units at 59.90 reais bought by a CPF buyer: the order totals 119.80 reais; from the scenario's listing, if it has one",
		ParamsPT: "duas unidades a 59,90 reais, compradas por um CPF: o pedido soma 119,80 reais; do anúncio do cenário, se houver",
		Example:  "When a paid Mercado Livre order arrives", ExamplePT: "Quando um pedido pago do Mercado Livre chega",
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
	{Area: "mercadolivre", EN: `^the integration fetched the Mercado Livre order on its orders_v2 notification$`,
		PT:        `^a integração buscou o pedido do Mercado Livre ao receber sua notificação orders_v2$`,
		Params:    "its receiver answered 200 to an orders_v2 notification of the order, then it read the resource (GET /orders/{id}), having found the order nowhere before (no search listed it), and stored it",
		ParamsPT:  "seu receptor respondeu 200 a uma notificação orders_v2 do pedido, depois leu o recurso (GET /orders/{id}), sem ter achado o pedido antes (nenhuma busca o listou), e o guardou",
		Example:   "Then the integration fetched the Mercado Livre order on its orders_v2 notification",
		ExamplePT: "Então a integração buscou o pedido do Mercado Livre ao receber sua notificação orders_v2",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).mlFetchedOnNotification(ctx) }},
	{Area: "mercadolivre", EN: `^the integration recovered the Mercado Livre order by catching up$`,
		PT:        `^a integração recuperou o pedido do Mercado Livre ao se pôr em dia$`,
		Params:    "a read of its own that catches up (GET /missed_feeds, or an order search) listed the order, and it stored the order",
		ParamsPT:  "uma leitura sua de recuperação (GET /missed_feeds, ou uma busca de pedidos) listou o pedido, e ela guardou o pedido",
		Example:   "Then the integration recovered the Mercado Livre order by catching up",
		ExamplePT: "Então a integração recuperou o pedido do Mercado Livre ao se pôr em dia",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).mlRecovered(ctx) }},
	{Area: "mercadolivre", EN: `^Mercado Livre lists the order's notification in missed_feeds$`,
		PT:        `^o Mercado Livre lista a notificação do pedido em missed_feeds$`,
		Params:    "the app's callback did not take an orders_v2 notification of the order (GET /missed_feeds)",
		ParamsPT:  "o callback do app não aceitou uma notificação orders_v2 do pedido (GET /missed_feeds)",
		Example:   "Then Mercado Livre lists the order's notification in missed_feeds",
		ExamplePT: "Então o Mercado Livre lista a notificação do pedido em missed_feeds",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).mlMissed(ctx) }},
	{Area: "mercadolivre", EN: `^a Mercado Livre listing of (\S+) at (\d+(?:[.,]\d+)?) reais with (\d+) units?$`,
		PT:        `^um anúncio do Mercado Livre de (\S+) a (\d+(?:[.,]\d+)?) reais com (\d+) unidades?$`,
		Params:    "the seller SKU (SELLER_SKU); the price; the available quantity",
		ParamsPT:  "o SKU do vendedor (SELLER_SKU); o preço; a quantidade disponível",
		Example:   "Given a Mercado Livre listing of CAM-AZ-M at 59.90 reais with 10 units",
		ExamplePT: "Dado um anúncio do Mercado Livre de CAM-AZ-M a 59,90 reais com 10 unidades",
		Fn: func(ctx context.Context, sku, price, n string) error {
			return worldOf(ctx).mlListing(ctx, sku, price, atoi(n))
		}},
	{Area: "mercadolivre", EN: `^the ERP's balance of (\S+) for Mercado Livre is (\d+)$`, PT: `^o saldo do ERP de (\S+) para o Mercado Livre é (\d+)$`,
		Params:    "the seller SKU; the units on the ERP's shelves, sold ones not shipped included; the driver's set-stock with \"channel\":\"mercadolivre\"",
		ParamsPT:  "o SKU do vendedor; as unidades nas prateleiras do ERP, incluídas as vendidas e não despachadas; a ação set-stock do driver com \"channel\":\"mercadolivre\"",
		Example:   "When the ERP's balance of CAM-AZ-M for Mercado Livre is 12",
		ExamplePT: "Quando o saldo do ERP de CAM-AZ-M para o Mercado Livre é 12",
		Fn: func(ctx context.Context, sku, n string) error {
			q := atoi(n)
			return worldOf(ctx).action(ctx, map[string]any{"action": "set-stock", "channel": reference.ChannelMercadoLivre, "refId": sku, "quantity": q}, true)
		}},
	{Area: "mercadolivre", EN: `^the ERP sets the Mercado Livre price of (\S+) to (\d+(?:[.,]\d+)?)$`,
		PT:        `^o ERP define o preço de (\S+) no Mercado Livre em (\d+(?:[.,]\d+)?)$`,
		Params:    "the seller SKU; the price in reais; the driver's set-price with \"channel\":\"mercadolivre\"",
		ParamsPT:  "o SKU do vendedor; o preço em reais; a ação set-price do driver com \"channel\":\"mercadolivre\"",
		Example:   "When the ERP sets the Mercado Livre price of CAM-AZ-M to 54.90",
		ExamplePT: "Quando o ERP define o preço de CAM-AZ-M no Mercado Livre em 54,90",
		Fn: func(ctx context.Context, sku, price string) error {
			return worldOf(ctx).action(ctx, map[string]any{"action": "set-price", "channel": reference.ChannelMercadoLivre, "refId": sku, "basePrice": reais(price)}, true)
		}},
	{Area: "mercadolivre", EN: `^the Mercado Livre listing of (\S+) has (\d+) available at (\d+(?:[.,]\d+)?) reais and is "([^"]*)"$`,
		PT:        `^o anúncio do Mercado Livre de (\S+) tem (\d+) disponíve(?:l|is) a (\d+(?:[.,]\d+)?) reais e está "([^"]*)"$`,
		Params:    "the seller SKU; available_quantity; price; status, optionally with its sub_status: active, paused/out_of_stock",
		ParamsPT:  "o SKU do vendedor; available_quantity; o preço; o status, opcionalmente com o sub_status: active, paused/out_of_stock",
		Example:   `Then the Mercado Livre listing of CAM-AZ-M has 10 available at 54.90 reais and is "active"`,
		ExamplePT: `Então o anúncio do Mercado Livre de CAM-AZ-M tem 10 disponíveis a 54,90 reais e está "active"`,
		Fn: func(ctx context.Context, sku, n, price, status string) error {
			return worldOf(ctx).mlListingIs(ctx, sku, atoi(n), reais(price), status)
		}},
	{Area: "mercadolivre", EN: `^a buyer asks "([^"]*)" on the Mercado Livre listing$`, PT: `^um comprador pergunta "([^"]*)" no anúncio do Mercado Livre$`,
		Params: "the question, on the scenario's listing", ParamsPT: "a pergunta, no anúncio do cenário",
		Example: `When a buyer asks "Tem na cor vermelha?" on the Mercado Livre listing`, ExamplePT: `Quando um comprador pergunta "Tem na cor vermelha?" no anúncio do Mercado Livre`,
		Fn: func(ctx context.Context, text string) error { return worldOf(ctx).mlAsk(ctx, text) }},
	{Area: "mercadolivre", EN: `^the integration downloaded the Mercado Livre question$`, PT: `^a integração baixou a pergunta do Mercado Livre$`,
		Example: "Then the integration downloaded the Mercado Livre question", ExamplePT: "Então a integração baixou a pergunta do Mercado Livre",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			if w.ml.question == 0 {
				return errors.New("the scenario has no Mercado Livre question")
			}
			return w.mlStored(ctx, fmt.Sprintf("mercadolivre-question:%d", w.ml.question), fmt.Sprintf("question %d", w.ml.question))
		}},
	{Area: "mercadolivre", EN: `^the ERP answers the Mercado Livre question "([^"]*)"$`, PT: `^o ERP responde a pergunta do Mercado Livre "([^"]*)"$`,
		Params: "the answer; the driver's answer-question with \"channel\":\"mercadolivre\"", ParamsPT: "a resposta; a ação answer-question do driver com \"channel\":\"mercadolivre\"",
		Example: `When the ERP answers the Mercado Livre question "Temos sim, do P ao GG"`, ExamplePT: `Quando o ERP responde a pergunta do Mercado Livre "Temos sim, do P ao GG"`,
		Fn: func(ctx context.Context, answer string) error {
			w := worldOf(ctx)
			return w.action(ctx, map[string]any{"action": "answer-question", "channel": reference.ChannelMercadoLivre,
				"question": strconv.FormatInt(w.ml.question, 10), "answer": answer}, true)
		}},
	{Area: "mercadolivre", EN: `^the Mercado Livre question is answered with "([^"]*)"$`, PT: `^a pergunta do Mercado Livre está respondida com "([^"]*)"$`,
		Example: `Then the Mercado Livre question is answered with "Temos sim, do P ao GG"`, ExamplePT: `Então a pergunta do Mercado Livre está respondida com "Temos sim, do P ao GG"`,
		Fn: func(ctx context.Context, answer string) error { return worldOf(ctx).mlAnswered(ctx, answer) }},
}

// mlConsent plays the seller's consent: a fresh authorization code for
// the integration to trade.
func (w *world) mlConsent(ctx context.Context, env *Env) error {
	if err := w.mlCallback(ctx); err != nil {
		return err
	}
	consent, err := w.h.client.MercadoLivreAuthorize(ctx, env.Account)
	if err != nil {
		return fmt.Errorf("Mercado Livre consent: %w", err)
	}
	env.Channels, env.MLCode = reference.ChannelMercadoLivre, consent.Code
	return nil
}

// mlCallback points the app's notifications at the integration's
// receiver, as the seller does once in the app's settings: before any
// sale, so a notification sent while the integration is not running yet
// is one it missed.
func (w *world) mlCallback(ctx context.Context) error {
	if w.ml.callback {
		return nil
	}
	if _, err := w.h.client.SetMercadoLivreCallback(ctx, w.env.Account, "http://"+w.env.MLNotificationsAddr+"/notifications", nil); err != nil {
		return fmt.Errorf("Mercado Livre app's callback: %w", err)
	}
	w.ml.callback = true
	return nil
}

func (w *world) mlOrder(ctx context.Context) error {
	if err := w.mlCallback(ctx); err != nil {
		return err
	}
	item := cmp.Or(w.ml.item, "CAM-AZ-M")
	o, err := w.h.client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: w.env.Account,
		Customer: map[string]string{"document": "52998224725"},
		Items:    []client.MercadoLivreItem{{ID: item, Name: "Camiseta azul M", Price: 5990, Quantity: 2}}})
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
	return w.mlStored(ctx, fmt.Sprintf("mercadolivre:%d", w.ml.order), fmt.Sprintf("Mercado Livre order %d", w.ml.order))
}

// mlRecovered checks that the scenario's order came in by catching up:
// the integration stored it, and a read of its own that catches up (GET
// /missed_feeds, or an order search) listed it. An order that reached the
// integration only another way (a notification retried once it was up)
// does not show that it catches up.
func (w *world) mlRecovered(ctx context.Context) error {
	if err := w.mlDownloaded(ctx); err != nil {
		return err
	}
	id := strconv.FormatInt(w.ml.order, 10)
	calls, err := w.journal(ctx, client.JournalFilter{API: "mercadolivre", Method: "GET", Limit: 10000})
	if err != nil {
		return err
	}
	var reads []string
	for _, e := range calls {
		if !strings.HasSuffix(e.Path, "/missed_feeds") && !strings.Contains(e.Path, "/orders/search") {
			continue
		}
		if e.Status == http.StatusOK && strings.Contains(e.ResponseBody, id) {
			return nil
		}
		reads = append(reads, fmt.Sprintf("  GET %s?%s → %d", e.Path, e.Query, e.Status))
	}
	return fmt.Errorf("the integration has order %s, but no read of its own that catches up (GET /missed_feeds, or an order search) listed it; its catch-up reads:\n%s",
		id, cmp.Or(strings.Join(reads, "\n"), "  none"))
}

// mlStored waits until the integration's driver lists a record (GET
// /orders): an order, a question.
func (w *world) mlStored(ctx context.Context, key, what string) error {
	if err := w.mlDriver(ctx); err != nil {
		return err
	}
	return eventually(ctx, func() error { return w.mlHas(ctx, key, what) })
}

// mlDriver starts the integration; a scenario is skipped without its
// driver, the only window on what it stored.
func (w *world) mlDriver(ctx context.Context) error {
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip // no driver: the @driver scenarios do not apply
	}
	return nil
}

// mlHas tells whether the driver lists a record now.
func (w *world) mlHas(ctx context.Context, key, what string) error {
	var orders []reference.StoredOrder
	req, _ := http.NewRequestWithContext(ctx, "GET", w.run.DriverURL()+"/orders", nil)
	if err := getJSON(req, &orders); err != nil {
		return err
	}
	for _, o := range orders {
		if o.OrderID == key {
			return nil
		}
	}
	return fmt.Errorf("the integration has not stored %s (driver GET /orders has no %q)", what, key)
}

// mlHarnessToken gets the harness its own token (its own consent, so the
// integration's token pair is never touched), and the app's id.
func (w *world) mlHarnessToken(ctx context.Context) error {
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
		w.ml.token, w.ml.appID = tok.AccessToken, consent.ApplicationID
	}
	return nil
}

// mlGet reads the Mercado Livre API with the harness's own token.
func (w *world) mlGet(ctx context.Context, path string, out any) error {
	if err := w.mlHarnessToken(ctx); err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", w.env.MLURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+w.ml.token)
	req.Header.Set("x-format-new", "true")
	req.Header.Set(journal.OriginHeader, journal.Observer)
	return getJSON(req, out)
}

func (w *world) mlShipmentIs(ctx context.Context, want string) error {
	return eventually(ctx, func() error {
		var s struct{ Status, Substatus string }
		if err := w.mlGet(ctx, fmt.Sprintf("/shipments/%d", w.ml.shipment), &s); err != nil {
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

// mlFetchedOnNotification proves the order came in because of its
// notification: the integration's receiver took an orders_v2
// notification of it (200), the integration then read the resource, and
// no order search of its own had listed the order before that read.
func (w *world) mlFetchedOnNotification(ctx context.Context) error {
	if w.ml.order == 0 {
		return errors.New("the scenario has no Mercado Livre order")
	}
	if err := w.mlDriver(ctx); err != nil {
		return err
	}
	resource := fmt.Sprintf("/orders/%d", w.ml.order)
	return eventually(ctx, func() error {
		notes, err := w.h.client.Journal(ctx, client.JournalFilter{Account: w.env.Account, API: mercadolivre.JournalAPI, Since: w.since, Limit: 10000})
		if err != nil {
			return err
		}
		var delivered time.Time
		var tries []string
		for _, e := range notes {
			var n mercadolivre.Notification
			if json.Unmarshal([]byte(e.RequestBody), &n) != nil || n.Topic != mercadolivre.TopicOrders || n.Resource != resource {
				continue
			}
			tries = append(tries, fmt.Sprintf("  POST %s attempt %d → %d %s", e.Path, n.Attempts, e.Status, clipText(e.ResponseBody)))
			if e.Status == http.StatusOK && delivered.IsZero() {
				delivered = e.ReceivedAt
			}
		}
		if delivered.IsZero() {
			return fmt.Errorf("the integration's receiver took no orders_v2 notification of %s (200); Mercado Livre's deliveries:\n%s", resource, strings.Join(tries, "\n"))
		}
		calls, err := w.journal(ctx, client.JournalFilter{API: "mercadolivre", Method: "GET", Limit: 10000})
		if err != nil {
			return err
		}
		var fetched time.Time
		for _, e := range calls {
			if strings.HasSuffix(e.Path, resource) && e.Status == http.StatusOK && e.ReceivedAt.After(delivered) {
				fetched = e.ReceivedAt
				break
			}
		}
		if fetched.IsZero() {
			return fmt.Errorf("the integration took the notification of %s but never read it (GET %s) afterwards", resource, resource)
		}
		id := strconv.FormatInt(w.ml.order, 10)
		for _, e := range calls {
			if strings.HasSuffix(e.Path, "/orders/search") && e.ReceivedAt.Before(fetched) && strings.Contains(e.ResponseBody, id) {
				return fmt.Errorf("the integration found order %s by searching (GET %s?%s) before it read the notified resource: the notification did not bring it in", id, e.Path, e.Query)
			}
		}
		return w.mlHas(ctx, "mercadolivre:"+id, "Mercado Livre order "+id)
	})
}

func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// mlMissed waits until GET /missed_feeds lists an orders_v2 notification
// of the scenario's order.
func (w *world) mlMissed(ctx context.Context) error {
	if w.ml.order == 0 {
		return errors.New("the scenario has no Mercado Livre order")
	}
	resource := fmt.Sprintf("/orders/%d", w.ml.order)
	if err := w.mlHarnessToken(ctx); err != nil {
		return err
	}
	return eventually(ctx, func() error {
		var page struct {
			Messages []struct {
				Resource string `json:"resource"`
			} `json:"messages"`
		}
		if err := w.mlGet(ctx, fmt.Sprintf("/missed_feeds?app_id=%d&topic=%s&limit=100", w.ml.appID, mercadolivre.TopicOrders), &page); err != nil {
			return err
		}
		for _, m := range page.Messages {
			if m.Resource == resource {
				return nil
			}
		}
		return fmt.Errorf("GET /missed_feeds lists no orders_v2 notification of %s (%d missed)", resource, len(page.Messages))
	})
}

// mlListing creates the scenario's listing.
func (w *world) mlListing(ctx context.Context, sku, price string, n int) error {
	if err := w.mlCallback(ctx); err != nil {
		return err
	}
	it, err := w.h.client.CreateMercadoLivreListing(ctx, client.NewMercadoLivreListing{Account: w.env.Account, SKU: sku,
		Title: "Camiseta azul M", Price: int64(math.Round(reais(price) * 100)), AvailableQuantity: n})
	if err != nil {
		return err
	}
	id, _ := it["id"].(string)
	if id == "" {
		return fmt.Errorf("the new listing has no id: %v", it)
	}
	w.ml.item = id
	return nil
}

// mlListingIs reads the listing of a seller SKU.
func (w *world) mlListingIs(ctx context.Context, sku string, n int, price float64, status string) error {
	if w.ml.item == "" {
		return errors.New("the scenario has no Mercado Livre listing")
	}
	return eventually(ctx, func() error {
		var it struct {
			Available int           `json:"available_quantity"`
			Price     float64       `json:"price"`
			Status    string        `json:"status"`
			SubStatus []string      `json:"sub_status"`
			Attrs     []mlAttribute `json:"attributes"`
		}
		if err := w.mlGet(ctx, "/items/"+url.PathEscape(w.ml.item), &it); err != nil {
			return err
		}
		if !slices.Contains(it.Attrs, mlAttribute{ID: "SELLER_SKU", Value: sku}) {
			return fmt.Errorf("the scenario's listing %s does not sell SELLER_SKU %s", w.ml.item, sku)
		}
		got := it.Status
		if strings.Contains(status, "/") && len(it.SubStatus) > 0 {
			got += "/" + it.SubStatus[0]
		}
		if it.Available != n || math.Abs(it.Price-price) > 0.005 || got != status {
			return w.explain(ctx, fmt.Sprintf("the Mercado Livre listing of %s has %d available at %.2f reais and is %q, want %d at %.2f and %q",
				sku, it.Available, it.Price, got, n, price, status), journal.Filter{Path: "/mercadolivre/items/**"})
		}
		return nil
	})
}

// mlAttribute is a listing's attribute, as SELLER_SKU.
type mlAttribute struct {
	ID    string `json:"id"`
	Value string `json:"value_name"`
}

// mlAsk is a buyer's question on the scenario's listing.
func (w *world) mlAsk(ctx context.Context, text string) error {
	if w.ml.item == "" {
		return errors.New("the scenario has no Mercado Livre listing to ask about")
	}
	q, err := w.h.client.AskMercadoLivreQuestion(ctx, w.env.Account, w.ml.item, text)
	if err != nil {
		return err
	}
	id, _ := q["id"].(float64)
	if id == 0 {
		return fmt.Errorf("the new question has no id: %v", q)
	}
	w.ml.question = int64(id)
	return nil
}

// mlAnswered reads the question as Mercado Livre shows it.
func (w *world) mlAnswered(ctx context.Context, want string) error {
	return eventually(ctx, func() error {
		var q struct {
			Status string `json:"status"`
			Answer *struct {
				Text string `json:"text"`
			} `json:"answer"`
		}
		if err := w.mlGet(ctx, fmt.Sprintf("/questions/%d", w.ml.question), &q); err != nil {
			return err
		}
		if q.Status != mercadolivre.QuestionAnswered || q.Answer == nil || q.Answer.Text != want {
			got := "no answer"
			if q.Answer != nil {
				got = fmt.Sprintf("%q", q.Answer.Text)
			}
			return w.explain(ctx, fmt.Sprintf("Mercado Livre question %d is %s with %s, want ANSWERED with %q", w.ml.question, q.Status, got, want),
				journal.Filter{Path: "/mercadolivre/answers"})
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
