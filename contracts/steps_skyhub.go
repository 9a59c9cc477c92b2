package contracts

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// The steps of an ERP that integrates with SkyHub directly (@skyhub):
// orders from the integration queue, invoice with an NF-e key, shipment
// and delivery, a cancel the marketplace makes, the catalog push; and the
// customer's side of SAC and questions (@sac).

// skyhubWorld is a scenario's SkyHub-direct state.
type skyhubWorld struct {
	direct   bool   // the integration runs with OMSBOX_CHANNELS=skyhub
	code     string // the scenario's SkyHub order
	expect   string // the status the marketplace last queued it in
	ticket   string
	question string
}

var skyhubSteps = []*StepDef{
	{Area: "skyhub", EN: `^the integration is running in SkyHub-direct mode$`, PT: `^a integração está rodando em modo SkyHub direto$`,
		Example: "Given the integration is running in SkyHub-direct mode", ExamplePT: "Dado que a integração está rodando em modo SkyHub direto",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			w.sky.direct = true
			return w.start(ctx)
		}},
	{Area: "skyhub", EN: `^a paid SkyHub order with (\d+) items? arrives$`, PT: `^um pedido pago SkyHub com (\d+) (?:item|itens) chega$`,
		Params: "how many items; the seller ships it (no B2W Entrega)", ParamsPT: "quantos itens; o lojista o entrega (sem B2W Entrega)",
		Example: "When a paid SkyHub order with 2 items arrives", ExamplePT: "Quando um pedido pago SkyHub com 2 itens chega",
		Fn: func(ctx context.Context, items string) error { return worldOf(ctx).skyhubOrder(ctx, atoi(items)) }},
	{Area: "skyhub", EN: `^the integration took the SkyHub order from the queue$`, PT: `^a integração tirou o pedido SkyHub da fila$`,
		Example: "Then the integration took the SkyHub order from the queue", ExamplePT: "Então a integração tirou o pedido SkyHub da fila",
		Fn: func(ctx context.Context) error { return worldOf(ctx).tookFromQueue(ctx) }},
	{Area: "skyhub", EN: `^the marketplace cancels the SkyHub order$`, PT: `^o marketplace cancela o pedido SkyHub$`,
		Example: "When the marketplace cancels the SkyHub order", ExamplePT: "Quando o marketplace cancela o pedido SkyHub",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			w.sky.expect = "CANCELED"
			return w.h.client.SkyHubStep(ctx, w.sky.code, "cancel")
		}},
	{Area: "skyhub", EN: `^the ERP invoices the SkyHub order with NF-e (\d+)$`, PT: `^o ERP fatura o pedido SkyHub com a NF-e (\d+)$`,
		Params: "the NF-e number (the ERP composes its 44-digit key)", ParamsPT: "o número da NF-e (o ERP compõe a chave de 44 dígitos)",
		Example: "When the ERP invoices the SkyHub order with NF-e 1001", ExamplePT: "Quando o ERP fatura o pedido SkyHub com a NF-e 1001",
		Fn: func(ctx context.Context, number string) error {
			return worldOf(ctx).skyhubAction(ctx, map[string]any{"action": "invoice", "invoiceNumber": number}, true)
		}},
	{Area: "skyhub", EN: `^the ERP tries to invoice the SkyHub order with NF-e (\d+)$`, PT: `^o ERP tenta faturar o pedido SkyHub com a NF-e (\d+)$`,
		Params: "the NF-e number; the ERP may refuse (see the ERP's action was refused)", ParamsPT: "o número da NF-e; o ERP pode recusar (veja a ação do ERP foi recusada)",
		Example: "When the ERP tries to invoice the SkyHub order with NF-e 3001", ExamplePT: "Quando o ERP tenta faturar o pedido SkyHub com a NF-e 3001",
		Fn: func(ctx context.Context, number string) error {
			return worldOf(ctx).skyhubAction(ctx, map[string]any{"action": "invoice", "invoiceNumber": number}, false)
		}},
	{Area: "skyhub", EN: `^the ERP ships the SkyHub order with tracking code "([^"]*)"$`, PT: `^o ERP despacha o pedido SkyHub com o código de rastreio "([^"]*)"$`,
		Params: "the carrier's tracking code", ParamsPT: "o código de rastreio da transportadora",
		Example: `When the ERP ships the SkyHub order with tracking code "BR123456789"`, ExamplePT: `Quando o ERP despacha o pedido SkyHub com o código de rastreio "BR123456789"`,
		Fn: func(ctx context.Context, code string) error {
			return worldOf(ctx).skyhubAction(ctx, map[string]any{"action": "tracking", "trackingNumber": code, "courier": "Correios"}, true)
		}},
	{Area: "skyhub", EN: `^the ERP marks the SkyHub order delivered$`, PT: `^o ERP marca o pedido SkyHub como entregue$`,
		Example: "When the ERP marks the SkyHub order delivered", ExamplePT: "Quando o ERP marca o pedido SkyHub como entregue",
		Fn: func(ctx context.Context) error {
			return worldOf(ctx).skyhubAction(ctx, map[string]any{"action": "delivered"}, true)
		}},
	{Area: "skyhub", EN: `^SkyHub has the order "([^"]*)"$`, PT: `^a SkyHub tem o pedido "([^"]*)"$`,
		Params: "a SkyHub status: NEW, APPROVED, INVOICED, SHIPPED, DELIVERED, CANCELED", ParamsPT: "um status da SkyHub: NEW, APPROVED, INVOICED, SHIPPED, DELIVERED, CANCELED",
		Example: `Then SkyHub has the order "INVOICED"`, ExamplePT: `Então a SkyHub tem o pedido "INVOICED"`,
		Fn: func(ctx context.Context, status string) error { return worldOf(ctx).skyhubStatus(ctx, status) }},
	{Area: "skyhub", EN: `^the SkyHub order's NF-e key names the seller's CNPJ and has a valid check digit$`,
		PT:        `^a chave da NF-e do pedido SkyHub traz o CNPJ do vendedor e um dígito verificador válido$`,
		Example:   "Then the SkyHub order's NF-e key names the seller's CNPJ and has a valid check digit",
		ExamplePT: "Então a chave da NF-e do pedido SkyHub traz o CNPJ do vendedor e um dígito verificador válido",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).nfeKeyIsTheSellers(ctx) }},
	{Area: "skyhub", EN: `^the SkyHub order has tracking code "([^"]*)"$`, PT: `^o pedido SkyHub tem o código de rastreio "([^"]*)"$`,
		Params: "the tracking code", ParamsPT: "o código de rastreio",
		Example: `Then the SkyHub order has tracking code "BR123456789"`, ExamplePT: `Então o pedido SkyHub tem o código de rastreio "BR123456789"`,
		Fn: func(ctx context.Context, code string) error { return worldOf(ctx).skyhubTracking(ctx, code) }},
	{Area: "skyhub", EN: `^the ERP's action was refused(?: with (\d{3}))?$`, PT: `^a ação do ERP foi recusada(?: com (\d{3}))?$`,
		Params: "optionally, the status the channel refused it with (the driver's answer carries it as \"status\")", ParamsPT: "opcionalmente, o status com que o canal a recusou (a resposta do driver o traz em \"status\")",
		Example: "Then the ERP's action was refused with 422", ExamplePT: "Então a ação do ERP foi recusada com 422",
		Fn: func(ctx context.Context, status string) error { return worldOf(ctx).actionRefused(status) }},
	{Area: "skyhub", EN: `^the ERP pushes its catalog to SkyHub:$`, PT: `^o ERP envia seu catálogo à SkyHub:$`,
		Params: "a table, one row per product: sku, name, price (reais), promotional price (empty: no promotion), stock (the ERP's balance), reserved (held by its open orders); " +
			"Portuguese headers: sku, nome, preço, preço promocional, estoque, reservado",
		ParamsPT:  "uma tabela, uma linha por produto: sku, nome, preço (em reais), preço promocional (vazio: sem promoção), estoque (o saldo do ERP), reservado (preso por pedidos em aberto); também aceita os cabeçalhos em inglês",
		Example:   "When the ERP pushes its catalog to SkyHub:\n  | sku   | name     | price | promotional price | stock | reserved |\n  | CAM-1 | Camiseta | 49.90 |                   | 10    | 2        |",
		ExamplePT: "Quando o ERP envia seu catálogo à SkyHub:\n  | sku   | nome     | preço | preço promocional | estoque | reservado |\n  | CAM-1 | Camiseta | 49.90 |                   | 10      | 2         |",
		Fn:        func(ctx context.Context, t *godog.Table) error { return worldOf(ctx).pushCatalog(ctx, t) }},
	{Area: "skyhub", EN: `^SkyHub has product "([^"]*)" priced (\S+) with quantity (\d+)$`, PT: `^a SkyHub tem o produto "([^"]*)" a (\S+) com quantidade (\d+)$`,
		Params: "the SKU; its price in reais; its quantity", ParamsPT: "o SKU; o preço em reais; a quantidade",
		Example: `Then SkyHub has product "CAM-1" priced 49.90 with quantity 8`, ExamplePT: `Então a SkyHub tem o produto "CAM-1" a 49,90 com quantidade 8`,
		Fn: func(ctx context.Context, sku, price, qty string) error {
			return worldOf(ctx).skyhubProduct(ctx, sku, func(p skyhubProduct) error {
				want, err := cents(price)
				if err != nil {
					return err
				}
				if p.Price == nil || int64(*p.Price*100+0.5) != want || p.Qty != atoi(qty) {
					return fmt.Errorf("SkyHub's product %s: price %v, qty %d; want %s and %s", sku, orNone(p.Price), p.Qty, price, qty)
				}
				return nil
			})
		}},
	{Area: "skyhub", EN: `^SkyHub's product "([^"]*)" has (?:no promotional price|promotional price (\S+))$`,
		PT:     `^o produto "([^"]*)" da SkyHub (?:não tem preço promocional|tem preço promocional (\S+))$`,
		Params: "the SKU; its promotional price in reais, or none", ParamsPT: "o SKU; o preço promocional em reais, ou nenhum",
		Example: `Then SkyHub's product "CAM-1" has no promotional price`, ExamplePT: `Então o produto "CAM-1" da SkyHub não tem preço promocional`,
		Fn: func(ctx context.Context, sku, promo string) error {
			return worldOf(ctx).skyhubProduct(ctx, sku, func(p skyhubProduct) error {
				if promo == "" {
					if p.PromotionalPrice != nil {
						return fmt.Errorf("SkyHub's product %s has promotional price %v, want none", sku, *p.PromotionalPrice)
					}
					return nil
				}
				want, err := cents(promo)
				if err != nil {
					return err
				}
				if p.PromotionalPrice == nil || int64(*p.PromotionalPrice*100+0.5) != want {
					return fmt.Errorf("SkyHub's product %s has promotional price %v, want %s", sku, orNone(p.PromotionalPrice), promo)
				}
				return nil
			})
		}},
	{Area: "skyhub", EN: `^SkyHub refused none of the integration's calls$`, PT: `^a SkyHub não recusou nenhuma chamada da integração$`,
		Example: "Then SkyHub refused none of the integration's calls", ExamplePT: "Então a SkyHub não recusou nenhuma chamada da integração",
		Fn: func(ctx context.Context) error { return worldOf(ctx).skyhubNoneRefused(ctx) }},

	// sac
	{Area: "sac", EN: `^a customer opens a ticket about the SkyHub order saying "([^"]*)"$`,
		PT:     `^um cliente abre um chamado sobre o pedido SkyHub dizendo "([^"]*)"$`,
		Params: "the customer's first message", ParamsPT: "a primeira mensagem do cliente",
		Example:   `When a customer opens a ticket about the SkyHub order saying "Meu pedido não chegou"`,
		ExamplePT: `Quando um cliente abre um chamado sobre o pedido SkyHub dizendo "Meu pedido não chegou"`,
		Fn: func(ctx context.Context, msg string) error {
			w := worldOf(ctx)
			if w.sky.code == "" {
				return errors.New("the scenario has no SkyHub order yet")
			}
			t, err := w.h.client.OpenTicket(ctx, w.env.Account, w.sky.code, msg, "")
			w.sky.ticket = t.Code
			return err
		}},
	{Area: "sac", EN: `^the marketplace closes the ticket$`, PT: `^o marketplace encerra o chamado$`,
		Example: "When the marketplace closes the ticket", ExamplePT: "Quando o marketplace encerra o chamado",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			return w.h.client.CloseTicket(ctx, w.sky.ticket)
		}},
	{Area: "sac", EN: `^the ERP downloaded the ticket$`, PT: `^o ERP baixou o chamado$`,
		Example: "Then the ERP downloaded the ticket", ExamplePT: "Então o ERP baixou o chamado",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			return w.calledSkyHub(ctx, "GET", "/skyhub/sac/"+w.sky.ticket+"/chats", 0)
		}},
	{Area: "sac", EN: `^the ERP answers the ticket "([^"]*)"$`, PT: `^o ERP responde o chamado "([^"]*)"$`,
		Params: "the seller's message", ParamsPT: "a mensagem do vendedor",
		Example: `When the ERP answers the ticket "Seu pedido sai hoje"`, ExamplePT: `Quando o ERP responde o chamado "Seu pedido sai hoje"`,
		Fn: func(ctx context.Context, msg string) error { return worldOf(ctx).replyTicket(ctx, msg, true) }},
	{Area: "sac", EN: `^the ERP tries to answer the ticket "([^"]*)"$`, PT: `^o ERP tenta responder o chamado "([^"]*)"$`,
		Params: "the seller's message; the channel may refuse it", ParamsPT: "a mensagem do vendedor; o canal pode recusá-la",
		Example: `When the ERP tries to answer the ticket "Já cancelamos"`, ExamplePT: `Quando o ERP tenta responder o chamado "Já cancelamos"`,
		Fn: func(ctx context.Context, msg string) error { return worldOf(ctx).replyTicket(ctx, msg, false) }},
	{Area: "sac", EN: `^the ticket has (?:no answer from the seller|the seller's answer "([^"]*)")$`,
		PT:     `^o chamado (?:não tem resposta do vendedor|tem a resposta do vendedor "([^"]*)")$`,
		Params: "the seller's message, or none", ParamsPT: "a mensagem do vendedor, ou nenhuma",
		Example: `Then the ticket has the seller's answer "Seu pedido sai hoje"`, ExamplePT: `Então o chamado tem a resposta do vendedor "Seu pedido sai hoje"`,
		Fn: func(ctx context.Context, msg string) error { return worldOf(ctx).ticketAnswer(ctx, msg) }},
	{Area: "sac", EN: `^a customer asks "([^"]*)" about SKU "([^"]*)"$`, PT: `^um cliente pergunta "([^"]*)" sobre o SKU "([^"]*)"$`,
		Params: "the question; the SKU", ParamsPT: "a pergunta; o SKU",
		Example: `When a customer asks "Serve em criança?" about SKU "CAM-1"`, ExamplePT: `Quando um cliente pergunta "Serve em criança?" sobre o SKU "CAM-1"`,
		Fn: func(ctx context.Context, text, sku string) error {
			w := worldOf(ctx)
			q, err := w.h.client.AskQuestion(ctx, w.env.Account, sku, text, "")
			w.sky.question = q.ID
			return err
		}},
	{Area: "sac", EN: `^the ERP answers the question "([^"]*)"$`, PT: `^o ERP responde a pergunta "([^"]*)"$`,
		Params: "the answer", ParamsPT: "a resposta",
		Example: `When the ERP answers the question "Sim, do tamanho 4 ao 16"`, ExamplePT: `Quando o ERP responde a pergunta "Sim, do tamanho 4 ao 16"`,
		Fn: func(ctx context.Context, answer string) error {
			w := worldOf(ctx)
			return w.skyhubAction(ctx, map[string]any{"action": "answer-question", "question": w.sky.question, "answer": answer}, true)
		}},
	{Area: "sac", EN: `^the question has the answer "([^"]*)"$`, PT: `^a pergunta tem a resposta "([^"]*)"$`,
		Params: "the answer", ParamsPT: "a resposta",
		Example: `Then the question has the answer "Sim, do tamanho 4 ao 16"`, ExamplePT: `Então a pergunta tem a resposta "Sim, do tamanho 4 ao 16"`,
		Fn: func(ctx context.Context, answer string) error {
			w := worldOf(ctx)
			return eventually(ctx, func() error {
				var q struct{ Answer *string }
				if err := w.skyhub(ctx, "/questions/"+url.PathEscape(w.sky.question), &q); err != nil {
					return err
				}
				if q.Answer == nil || *q.Answer != answer {
					return fmt.Errorf("question %s has the answer %q, want %q", w.sky.question, orNone(q.Answer), answer)
				}
				return nil
			})
		}},
}

// orNone shows a missing value as <nil>.
func orNone[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// skyhubSend calls the SkyHub API as the scenario's seller, as an
// observer (not the integration).
func (w *world) skyhubSend(ctx context.Context, method, path string, body any, out any) error {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, method, w.env.SkyHubURL+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-Email", w.env.SkyHubEmail)
	req.Header.Set("X-Api-Key", w.env.SkyHubAPIKey)
	req.Header.Set("X-Accountmanager-Key", w.env.SkyHubAMKey)
	req.Header.Set(journal.OriginHeader, journal.Observer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, answer)
	}
	if out != nil {
		return json.Unmarshal(answer, out)
	}
	return nil
}

// skyhubOrder creates a test order the seller ships (no B2W Entrega) and
// has the marketplace approve it: it reaches the seller's queue.
func (w *world) skyhubOrder(ctx context.Context, items int) error {
	var lines []map[string]any
	for k := range items {
		price := 29.9 + 10*float64(k)
		lines = append(lines, map[string]any{"id": fmt.Sprintf("SKU-%d", k+1), "name": fmt.Sprintf("Produto %d", k+1),
			"qty": 1, "original_price": price, "special_price": price})
	}
	// A code of its own: the control plane finds a SkyHub order by its code
	// among every seller's, and sellers' generated codes can coincide.
	code := fmt.Sprintf("Lojas Americanas-%d", 100_000_000_000+rand.Int64N(900_000_000_000))
	var o struct{ Code string }
	err := w.skyhubSend(ctx, "POST", "/orders", map[string]any{"order": map[string]any{"code": code, "channel": "Lojas Americanas", "items": lines,
		"customer": map[string]any{"name": "Ana Souza", "email": "ana@example.com.br", "vat_number": "52998224725"}}}, &o)
	if err != nil {
		return fmt.Errorf("create the SkyHub order: %w", err)
	}
	w.sky.code, w.sky.expect = o.Code, "APPROVED"
	return w.skyhubSend(ctx, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", map[string]string{"status": "payment_received"}, nil)
}

// calledSkyHub waits for the integration's successful call (after the
// journal's sequence number since) of method on path, the path unescaped.
func (w *world) calledSkyHub(ctx context.Context, method, path string, since int64) error {
	return eventually(ctx, func() error {
		entries, err := w.journal(ctx, client.JournalFilter{API: "skyhub", Method: method, Since: since})
		if err != nil {
			return err
		}
		for _, e := range entries {
			p, _ := url.PathUnescape(e.Path)
			if p == path && e.Status < 300 {
				return nil
			}
		}
		return w.explain(ctx, fmt.Sprintf("the integration has not called %s %s (successfully)", method, path), journal.Filter{Path: "/skyhub/**"})
	})
}

// tookFromQueue waits until the integration read the order from the
// queue in the status the marketplace last gave it, and then deleted its
// queue item.
func (w *world) tookFromQueue(ctx context.Context) error {
	if w.sky.code == "" {
		return errors.New("the scenario has no SkyHub order yet")
	}
	return eventually(ctx, func() error {
		entries, err := w.journal(ctx, client.JournalFilter{API: "skyhub"})
		if err != nil {
			return err
		}
		var read int64
		for _, e := range entries {
			if e.Method == "GET" && e.Path == "/skyhub/queues/orders" && e.Status == http.StatusOK && read == 0 {
				var o skyhubOrderDoc
				if json.Unmarshal([]byte(e.ResponseBody), &o) == nil && o.Code == w.sky.code && o.Status.Type == w.sky.expect {
					read = e.Seq
				}
			}
			p, _ := url.PathUnescape(e.Path)
			if read != 0 && e.Seq > read && e.Method == "DELETE" && e.Status < 300 && p == "/skyhub/queues/orders/"+w.sky.code {
				return nil
			}
		}
		what := "never read the order from the queue as " + w.sky.expect
		if read != 0 {
			what = "read the order from the queue as " + w.sky.expect + " and did not delete its queue item"
		}
		return w.explain(ctx, fmt.Sprintf("the integration %s (%s)", what, w.sky.code), journal.Filter{Path: "/skyhub/queues/**"})
	})
}

// skyhubAction posts a SkyHub-direct action to the driver; actions on the
// order carry channel "skyhub" and the order's code as orderId.
func (w *world) skyhubAction(ctx context.Context, a map[string]any, mustSucceed bool) error {
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip
	}
	if a["action"] != "reply-ticket" && a["action"] != "answer-question" {
		a["channel"] = "skyhub"
	}
	if w.sky.code != "" && a["action"] != "push-catalog" {
		a["orderId"] = w.sky.code
	}
	body, _ := json.Marshal(a)
	req, _ := http.NewRequestWithContext(ctx, "POST", w.run.DriverURL()+"/actions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	w.driver.status, w.driver.body = resp.StatusCode, string(answer)
	if mustSucceed && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the driver answered %d to %s: %s", resp.StatusCode, body, answer)
	}
	return nil
}

func (w *world) replyTicket(ctx context.Context, msg string, mustSucceed bool) error {
	return w.skyhubAction(ctx, map[string]any{"action": "reply-ticket", "ticket": w.sky.ticket, "message": msg}, mustSucceed)
}

func (w *world) actionRefused(status string) error {
	if w.driver.status == 0 {
		return errors.New("the ERP was asked for no action")
	}
	if w.driver.status == http.StatusOK {
		return fmt.Errorf("the action went through: %s", w.driver.body)
	}
	if status != "" && !regexp.MustCompile(`"status":\s*`+status+`\b`).MatchString(w.driver.body) {
		return fmt.Errorf("the driver did not report the channel's %s: %d %s", status, w.driver.status, w.driver.body)
	}
	return nil
}

// skyhubOrderDoc is the part of SkyHub's order the steps read.
type skyhubOrderDoc struct {
	Code   string `json:"code"`
	Status struct {
		Type string `json:"type"`
	} `json:"status"`
	Invoices []struct {
		Key string `json:"key"`
	} `json:"invoices"`
	Shipments []struct {
		Tracks []struct {
			Code string `json:"code"`
		} `json:"tracks"`
	} `json:"shipments"`
}

func (w *world) skyhubOrderNow(ctx context.Context) (skyhubOrderDoc, error) {
	var o skyhubOrderDoc
	if w.sky.code == "" {
		return o, errors.New("the scenario has no SkyHub order yet")
	}
	return o, w.skyhub(ctx, "/orders/"+url.PathEscape(w.sky.code), &o)
}

func (w *world) skyhubStatus(ctx context.Context, status string) error {
	return eventually(ctx, func() error {
		o, err := w.skyhubOrderNow(ctx)
		if err != nil {
			return err
		}
		if o.Status.Type != status {
			return w.explain(ctx, fmt.Sprintf("SkyHub's order %s is %s, want %s", w.sky.code, o.Status.Type, status), journal.Filter{Path: "/skyhub/**"})
		}
		return nil
	})
}

func (w *world) nfeKeyIsTheSellers(ctx context.Context) error {
	o, err := w.skyhubOrderNow(ctx)
	if err != nil {
		return err
	}
	if len(o.Invoices) == 0 {
		return fmt.Errorf("SkyHub's order %s has no invoice", w.sky.code)
	}
	key := o.Invoices[len(o.Invoices)-1].Key
	if p := brdata.NFeKeyProblem(key); p != "" {
		return fmt.Errorf("NF-e key %s %s", key, p)
	}
	if got, want := brdata.NFeKeyCNPJ(key), cmp.Or(w.env.SkyHubCNPJ, "?"); got != want {
		return fmt.Errorf("NF-e key %s names CNPJ %s, not the seller's %s", key, got, want)
	}
	return nil
}

func (w *world) skyhubTracking(ctx context.Context, code string) error {
	return eventually(ctx, func() error {
		o, err := w.skyhubOrderNow(ctx)
		if err != nil {
			return err
		}
		var seen []string
		for _, s := range o.Shipments {
			for _, t := range s.Tracks {
				if t.Code == code {
					return nil
				}
				seen = append(seen, t.Code)
			}
		}
		return fmt.Errorf("SkyHub's order %s has tracking codes %v, want %s", w.sky.code, seen, code)
	})
}

// pushCatalog hands the ERP its catalog (push-catalog) to push to SkyHub.
func (w *world) pushCatalog(ctx context.Context, t *godog.Table) error {
	if t == nil || len(t.Rows) < 2 {
		return errors.New("the table needs a header row and at least one product")
	}
	alias := map[string]string{"nome": "name", "preço": "price", "preco": "price", "preço promocional": "promotional price",
		"estoque": "stock", "reservado": "reserved"}
	var cols []string
	for _, c := range t.Rows[0].Cells {
		name := strings.ToLower(strings.TrimSpace(c.Value))
		cols = append(cols, cmp.Or(alias[name], name))
	}
	var products []map[string]any
	for i, row := range t.Rows[1:] {
		v := map[string]string{}
		for j, c := range row.Cells {
			v[cols[j]] = strings.TrimSpace(c.Value)
		}
		p := map[string]any{"sku": v["sku"], "name": cmp.Or(v["name"], v["sku"])}
		price, err := cents(v["price"])
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		p["price"] = price
		if v["promotional price"] != "" {
			promo, err := cents(v["promotional price"])
			if err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			p["promotionalPrice"] = promo
		}
		for _, k := range []string{"stock", "reserved"} {
			n, err := strconv.Atoi(cmp.Or(v[k], "0"))
			if err != nil {
				return fmt.Errorf("row %d: %s %q is not a number", i+1, k, v[k])
			}
			p[k] = n
		}
		products = append(products, p)
	}
	return w.skyhubAction(ctx, map[string]any{"action": "push-catalog", "products": products}, true)
}

type skyhubProduct struct {
	Price            *float64 `json:"price"`
	PromotionalPrice *float64 `json:"promotional_price"`
	Qty              int      `json:"qty"`
}

func (w *world) skyhubProduct(ctx context.Context, sku string, check func(skyhubProduct) error) error {
	return eventually(ctx, func() error {
		var p skyhubProduct
		if err := w.skyhub(ctx, "/products/"+url.PathEscape(sku), &p); err != nil {
			return err
		}
		return check(p)
	})
}

// skyhubNoneRefused: SkyHub refused none of the integration's calls for a
// rule (400, 409, 422); 404s of look-ups are allowed.
func (w *world) skyhubNoneRefused(ctx context.Context) error {
	entries, err := w.journal(ctx, client.JournalFilter{API: "skyhub"})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Status == 400 || e.Status == 409 || e.Status == 422 {
			return fmt.Errorf("SkyHub refused %s %s with %d: %s (the integration sent %s)", e.Method, e.Path, e.Status, e.ResponseBody, e.RequestBody)
		}
	}
	return nil
}

func (w *world) ticketAnswer(ctx context.Context, msg string) error {
	if w.sky.ticket == "" {
		return errors.New("the scenario has no ticket yet")
	}
	return eventually(ctx, func() error {
		var chats struct {
			Chats []struct {
				Messages []struct {
					Content string `json:"content"`
					Part    struct {
						Role string `json:"role"`
					} `json:"part"`
				} `json:"messages"`
			} `json:"chats"`
		}
		if err := w.skyhub(ctx, "/sac/"+url.PathEscape(w.sky.ticket)+"/chats", &chats); err != nil {
			return err
		}
		var seller []string
		for _, c := range chats.Chats {
			for _, m := range c.Messages {
				if m.Part.Role == "SELLER" {
					seller = append(seller, m.Content)
				}
			}
		}
		switch {
		case msg == "" && len(seller) > 0:
			return fmt.Errorf("ticket %s holds the seller's messages %q, want none", w.sky.ticket, seller)
		case msg != "" && (len(seller) == 0 || seller[len(seller)-1] != msg):
			return fmt.Errorf("ticket %s holds the seller's messages %q, want %q last", w.sky.ticket, seller, msg)
		}
		return nil
	})
}
