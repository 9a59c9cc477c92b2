package contracts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// StepDef is one step of the library: its phrase in English and in
// Brazilian Portuguese (regular expressions with the same groups, bound
// to the same code), the area it belongs to, what its parameters mean and
// an example in each language. godog's registration, the glossary
// (omsbox contracts steps) and the test that keeps both languages in step
// all read this one table.
type StepDef struct {
	Area      string
	EN, PT    string
	Params    string
	ParamsPT  string
	Example   string
	ExamplePT string
	// Fn is the step's code: a func(context.Context, string..., [*godog.Table]) error.
	Fn any

	en, pt *regexp.Regexp
}

// Areas in the glossary's order; each new area of the harness adds its
// own, with its own steps.
var Areas = []string{"integration", "orders", "invoices", "coleta", "catalog", "stock", "price", "skyhub", "sac", "tracking", "b2b", "mercadolivre", "feed", "hook", "faults", "clock", "journal", "events"}

// areaEN names the areas in the English glossary.
var areaEN = map[string]string{"integration": "integration", "orders": "orders", "invoices": "invoices",
	"coleta": "Coleta (B2W pickup)", "catalog": "catalog (products and SKUs)", "stock": "stock", "price": "price", "feed": "feed", "hook": "hook", "faults": "faults", "clock": "clock",
	"journal": "journal (the integration's calls)", "events": "events",
	"skyhub": "SkyHub direct", "sac": "SAC and questions", "tracking": "carrier tracking (Correios)",
	"b2b": "B2B order look-up (the harness plays VTEX's B2B Orders app)", "mercadolivre": "Mercado Livre"}

// AreaPT names the areas in Portuguese, for the Portuguese glossary.
var AreaPT = map[string]string{"integration": "integração", "orders": "pedidos", "invoices": "notas fiscais",
	"coleta": "Coleta", "catalog": "catálogo (produtos e SKUs)", "stock": "estoque", "price": "preço", "feed": "feed", "hook": "hook", "faults": "falhas", "clock": "relógio",
	"journal": "chamadas (journal)", "events": "eventos",
	"skyhub": "SkyHub direto", "sac": "SAC e perguntas", "tracking": "rastreamento (Correios)",
	"b2b": "consulta de pedidos B2B (o harness faz o papel do app B2B Orders da VTEX)", "mercadolivre": "Mercado Livre"}

// Steps returns the step library.
func Steps() []*StepDef { return steps() }

var count = map[string]int{"a": 1, "an": 1, "one": 1, "um": 1, "uma": 1, "once": 1, "uma vez": 1,
	"twice": 2, "duas vezes": 2, "never": 0, "nenhuma vez": 0}

// atoi reads a count: digits, or a word such as "a", "um", "twice".
func atoi(s string) int {
	if n, ok := count[strings.TrimSpace(s)]; ok {
		return n
	}
	var n int
	fmt.Sscan(s, &n)
	return n
}

const methods = `(GET|POST|PUT|PATCH|DELETE)`

var stepTable = []*StepDef{
	// integration
	{Area: "integration", EN: `^the integration (?:is running|runs)$`, PT: `^a integração (?:está rodando|roda)$`,
		Example: "Given the integration is running", ExamplePT: "Dado que a integração está rodando",
		Fn: func(ctx context.Context) error { return worldOf(ctx).start(ctx) }},
	{Area: "integration", EN: `^the integration has a wrong app token$`, PT: `^a integração tem um app token errado$`,
		Example: "Given the integration has a wrong app token", ExamplePT: "Dado que a integração tem um app token errado",
		Fn: func(ctx context.Context) error { worldOf(ctx).wrong = true; return nil }},
	{Area: "hook", EN: `^the integration is running in hook mode$`, PT: `^a integração está rodando em modo hook$`,
		Example: "Given the integration is running in hook mode", ExamplePT: "Dado que a integração está rodando em modo hook",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			w.hook = true
			return w.start(ctx)
		}},

	// orders
	{Area: "orders", EN: `^(a|an|\d+) paid orders?(?: with (\d+) items?)?(?: arrives?)?$`,
		PT:     `^(um|\d+) pedidos? pagos?(?: com (\d+) (?:item|itens))?(?: chegam?)?$`,
		Params: "how many orders (a, an, um or a number); items per order (default 1)", ParamsPT: "quantos pedidos (um ou um número); itens por pedido (1 se omitido)",
		Example: "When a paid order with 2 items arrives", ExamplePT: "Quando um pedido pago com 2 itens chega",
		Fn: func(ctx context.Context, n, items string) error {
			return worldOf(ctx).paidOrders(ctx, atoi(n), oms.ChannelVTEX, "", max(atoi(items), 1))
		}},
	{Area: "orders", EN: `^a paid B2W (Direct|Correios) order with (\d+) items?(?: arrives)?$`,
		PT:     `^um pedido pago B2W (Direct|Correios) com (\d+) (?:item|itens)(?: chega)?$`,
		Params: "B2W Entrega Direct (collected) or Correios (posted); how many items", ParamsPT: "B2W Entrega Direct (coletado) ou Correios (postado); quantos itens",
		Example: "When a paid B2W Direct order with 2 items arrives", ExamplePT: "Quando um pedido pago B2W Direct com 2 itens chega",
		Fn: func(ctx context.Context, kind, items string) error {
			return worldOf(ctx).paidOrders(ctx, 1, oms.ChannelB2W, oms.Shipping(strings.ToLower(kind)), atoi(items))
		}},
	{Area: "orders", EN: `^these paid orders arrive:$`, PT: `^chegam estes pedidos pagos:$`,
		Params: "a table, one row per item: order (a label grouping rows), channel (vtex or b2w), shipping (direct or correios, B2W only), " +
			"status (default ready-for-handling), sku, name, price (reais, e.g. 29.90), quantity; Portuguese headers: pedido, canal, entrega, status, sku, nome, preço, quantidade",
		ParamsPT: "uma tabela, uma linha por item: pedido (um rótulo que agrupa as linhas), canal (vtex ou b2w), entrega (direct ou correios, só B2W), " +
			"status (ready-for-handling se omitido), sku, nome, preço (em reais, ex.: 29,90), quantidade; também aceita os cabeçalhos em inglês",
		Example:   "Given these paid orders arrive:\n  | order | channel | sku   | name     | price | quantity |\n  | A     | vtex    | CAM-1 | Camiseta | 49.90 | 2        |",
		ExamplePT: "Dado que chegam estes pedidos pagos:\n  | pedido | canal | sku   | nome     | preço | quantidade |\n  | A      | vtex  | CAM-1 | Camiseta | 49.90 | 2          |",
		Fn:        func(ctx context.Context, t *godog.Table) error { return worldOf(ctx).tableOrders(ctx, t) }},
	{Area: "orders", EN: `^a paid order in its window to cancel$`, PT: `^um pedido pago em sua janela de cancelamento$`,
		Example: "Given a paid order in its window to cancel", ExamplePT: "Dado um pedido pago em sua janela de cancelamento",
		Fn: func(ctx context.Context) error { return worldOf(ctx).paidOrdersIn(ctx, oms.StatusWindowToCancel) }},
	{Area: "orders", EN: `^the shopper cancels the order$`, PT: `^o comprador cancela o pedido$`,
		Example: "When the shopper cancels the order", ExamplePT: "Quando o comprador cancela o pedido",
		Fn: func(ctx context.Context) error { return worldOf(ctx).shopperCancels(ctx) }},
	{Area: "orders", EN: `^the order is "([^"]*)"$`, PT: `^o pedido está "([^"]*)"$`,
		Params: "a VTEX order status (handling, invoiced, canceled, ...); waits until the last order of the scenario is in it", ParamsPT: "um status de pedido da VTEX (handling, invoiced, canceled, ...); espera até o último pedido do cenário chegar nele",
		Example: `Then the order is "handling"`, ExamplePT: `Então o pedido está "handling"`,
		Fn: func(ctx context.Context, status string) error { return worldOf(ctx).orderIs(ctx, status) }},
	{Area: "orders", EN: `^every order is "([^"]*)"$`, PT: `^todos os pedidos estão "([^"]*)"$`,
		Params: "a VTEX order status; waits until every order of the scenario is in it", ParamsPT: "um status de pedido da VTEX; espera até todos os pedidos do cenário chegarem nele",
		Example: `Then every order is "handling"`, ExamplePT: `Então todos os pedidos estão "handling"`,
		Fn: func(ctx context.Context, status string) error {
			w := worldOf(ctx)
			return w.ordersAre(ctx, status, w.orders)
		}},
	{Area: "orders", EN: `^start-handling was called once for the order$`, PT: `^start-handling foi chamado uma vez para o pedido$`,
		Example: "Then start-handling was called once for the order", ExamplePT: "Então start-handling foi chamado uma vez para o pedido",
		Fn: func(ctx context.Context) error { return worldOf(ctx).startHandlingOfLast(ctx, 1) }},
	{Area: "orders", EN: `^start-handling was called once for every order$`, PT: `^start-handling foi chamado uma vez para cada pedido$`,
		Example: "Then start-handling was called once for every order", ExamplePT: "Então start-handling foi chamado uma vez para cada pedido",
		Fn: func(ctx context.Context) error {
			w := worldOf(ctx)
			return w.startHandlingCalls(ctx, 1, w.orders)
		}},
	{Area: "orders", EN: `^start-handling was never called for the order$`, PT: `^start-handling nunca foi chamado para o pedido$`,
		Example: "Then start-handling was never called for the order", ExamplePT: "Então start-handling nunca foi chamado para o pedido",
		Fn: func(ctx context.Context) error { return worldOf(ctx).startHandlingOfLast(ctx, 0) }},
	{Area: "orders", EN: `^the order was read before start-handling was called$`, PT: `^o pedido foi lido antes de start-handling ser chamado$`,
		Example: "Then the order was read before start-handling was called", ExamplePT: "Então o pedido foi lido antes de start-handling ser chamado",
		Fn: func(ctx context.Context) error { return worldOf(ctx).readBeforeStart(ctx) }},

	// invoices and the ERP's other actions, through the driver
	{Area: "invoices", EN: `^the ERP invoices the order as "([^"]*)"(?: with tracking number "([^"]*)")?$`,
		PT:     `^o ERP fatura o pedido com a nota "([^"]*)"(?: e o código de rastreio "([^"]*)")?$`,
		Params: "the invoice (NF-e) number; optionally its tracking number", ParamsPT: "o número da nota (NF-e); opcionalmente, o código de rastreio",
		Example:   `When the ERP invoices the order as "NF-1001" with tracking number "BR1001"`,
		ExamplePT: `Quando o ERP fatura o pedido com a nota "NF-1001" e o código de rastreio "BR1001"`,
		Fn: func(ctx context.Context, number, tracking string) error {
			return worldOf(ctx).invoice(ctx, number, 0, tracking)
		}},
	{Area: "invoices", EN: `^the ERP invoices item (\d+) as "([^"]*)"$`, PT: `^o ERP fatura o item (\d+) com a nota "([^"]*)"$`,
		Params: "the item's position in the order (1 is the first); the invoice number", ParamsPT: "a posição do item no pedido (1 é o primeiro); o número da nota",
		Example: `When the ERP invoices item 1 as "NF-2001"`, ExamplePT: `Quando o ERP fatura o item 1 com a nota "NF-2001"`,
		Fn: func(ctx context.Context, item, number string) error {
			return worldOf(ctx).invoice(ctx, number, atoi(item), "")
		}},
	{Area: "invoices", EN: `^the ERP sends tracking number "([^"]*)" for invoice "([^"]*)"$`,
		PT:     `^o ERP envia o código de rastreio "([^"]*)" da nota "([^"]*)"$`,
		Params: "the tracking number; the invoice number", ParamsPT: "o código de rastreio; o número da nota",
		Example:   `When the ERP sends tracking number "BR4001" for invoice "NF-4001"`,
		ExamplePT: `Quando o ERP envia o código de rastreio "BR4001" da nota "NF-4001"`,
		Fn: func(ctx context.Context, tracking, number string) error {
			return worldOf(ctx).action(ctx, map[string]any{"action": "tracking", "invoiceNumber": number, "trackingNumber": tracking, "courier": "Correios"}, true)
		}},
	{Area: "invoices", EN: `^the carrier delivers invoice "([^"]*)"$`, PT: `^a transportadora entrega a nota "([^"]*)"$`,
		Params: "the invoice number", ParamsPT: "o número da nota",
		Example: `When the carrier delivers invoice "NF-4001"`, ExamplePT: `Quando a transportadora entrega a nota "NF-4001"`,
		Fn: func(ctx context.Context, number string) error {
			return worldOf(ctx).action(ctx, map[string]any{"action": "delivered", "invoiceNumber": number, "city": "São Paulo", "state": "SP"}, true)
		}},
	{Area: "invoices", EN: `^the ERP cancels the order$`, PT: `^o ERP cancela o pedido$`,
		Example: "When the ERP cancels the order", ExamplePT: "Quando o ERP cancela o pedido",
		Fn: func(ctx context.Context) error {
			return worldOf(ctx).action(ctx, map[string]any{"action": "cancel", "reason": "cliente desistiu"}, true)
		}},
	{Area: "invoices", EN: `^the ERP tries to cancel the order$`, PT: `^o ERP tenta cancelar o pedido$`,
		Example: "When the ERP tries to cancel the order", ExamplePT: "Quando o ERP tenta cancelar o pedido",
		Fn: func(ctx context.Context) error {
			return worldOf(ctx).action(ctx, map[string]any{"action": "cancel", "reason": "tarde demais"}, false)
		}},
	{Area: "invoices", EN: `^the cancel was refused$`, PT: `^o cancelamento foi recusado$`,
		Example: "Then the cancel was refused", ExamplePT: "Então o cancelamento foi recusado",
		Fn: func(ctx context.Context) error { return worldOf(ctx).cancelRefused() }},
	{Area: "invoices", EN: `^the order has (\d+) invoices?$`, PT: `^o pedido tem (\d+) notas?$`,
		Params: "how many invoices", ParamsPT: "quantas notas",
		Example: "Then the order has 2 invoices", ExamplePT: "Então o pedido tem 2 notas",
		Fn: func(ctx context.Context, n string) error { return worldOf(ctx).invoiceCount(ctx, atoi(n)) }},
	{Area: "invoices", EN: `^invoice "([^"]*)" has tracking number "([^"]*)"$`, PT: `^a nota "([^"]*)" tem o código de rastreio "([^"]*)"$`,
		Params: "the invoice number; the tracking number", ParamsPT: "o número da nota; o código de rastreio",
		Example: `Then invoice "NF-3001" has tracking number "BR3001"`, ExamplePT: `Então a nota "NF-3001" tem o código de rastreio "BR3001"`,
		Fn: func(ctx context.Context, number, tracking string) error {
			return worldOf(ctx).invoiceHas(ctx, number, func(p oms.Package) error {
				if p.TrackingNumber == nil || *p.TrackingNumber != tracking {
					return fmt.Errorf("invoice %s has tracking number %v, want %q", number, deref(p.TrackingNumber), tracking)
				}
				return nil
			})
		}},
	{Area: "invoices", EN: `^invoice "([^"]*)" is delivered$`, PT: `^a nota "([^"]*)" está entregue$`,
		Params: "the invoice number", ParamsPT: "o número da nota",
		Example: `Then invoice "NF-4001" is delivered`, ExamplePT: `Então a nota "NF-4001" está entregue`,
		Fn: func(ctx context.Context, number string) error {
			return worldOf(ctx).invoiceHas(ctx, number, func(p oms.Package) error {
				if p.CourierStatus == nil || !p.CourierStatus.Finished {
					return fmt.Errorf("invoice %s is not delivered (courierStatus %+v)", number, p.CourierStatus)
				}
				return nil
			})
		}},

	// coleta
	{Area: "coleta", EN: `^SkyHub lists the order as collection requested$`, PT: `^a SkyHub lista o pedido com coleta solicitada$`,
		Example: "Then SkyHub lists the order as collection requested", ExamplePT: "Então a SkyHub lista o pedido com coleta solicitada",
		Fn: func(ctx context.Context) error { return worldOf(ctx).collectionRequested(ctx) }},
	{Area: "coleta", EN: `^exactly one pickup was requested for the order$`, PT: `^exatamente uma coleta foi solicitada para o pedido$`,
		Example: "Then exactly one pickup was requested for the order", ExamplePT: "Então exatamente uma coleta foi solicitada para o pedido",
		Fn: func(ctx context.Context) error { return worldOf(ctx).pickupCount(ctx, 1) }},
	{Area: "coleta", EN: `^no pickup was requested for the order$`, PT: `^nenhuma coleta foi solicitada para o pedido$`,
		Example: "Then no pickup was requested for the order", ExamplePT: "Então nenhuma coleta foi solicitada para o pedido",
		Fn: func(ctx context.Context) error { return worldOf(ctx).pickupCount(ctx, 0) }},
	{Area: "coleta", EN: `^SkyHub has the order invoiced$`, PT: `^a SkyHub tem o pedido faturado$`,
		Example: "Then SkyHub has the order invoiced", ExamplePT: "Então a SkyHub tem o pedido faturado",
		Fn: func(ctx context.Context) error { return worldOf(ctx).skyhubInvoiced(ctx) }},

	// b2b: the harness plays VTEX's B2B Orders app against the integration's own B2B API
	{Area: "b2b", EN: `^company "([^"]*)" with CNPJ (\d{14}) placed (\d+|a|one) B2B orders?$`,
		PT:     `^a empresa "([^"]*)" de CNPJ (\d{14}) fez (\d+|um) pedidos? B2B$`,
		Params: "the company's name; its CNPJ (14 digits: its root, the first 8, is the app's revendaId); how many paid orders its buyer placed (each with its own purchase order number)", ParamsPT: "o nome da empresa; seu CNPJ (14 dígitos: a raiz, os 8 primeiros, é o revendaId do app); quantos pedidos pagos o comprador fez (cada um com seu número de pedido de compra)",
		Example:   "Given company \"Ferragens Paulista\" with CNPJ 11222333000181 placed 2 B2B orders",
		ExamplePT: "Dado que a empresa \"Ferragens Paulista\" de CNPJ 11222333000181 fez 2 pedidos B2B",
		Fn: func(ctx context.Context, name, cnpj, n string) error {
			return worldOf(ctx).companyPlaced(ctx, name, cnpj, max(atoi(n), 1))
		}},
	{Area: "b2b", EN: `^the ERP registers a telesales order for company "([^"]*)" with purchase order "([^"]*)"$`,
		PT:     `^o ERP registra um pedido de televendas da empresa "([^"]*)" com o pedido de compra "([^"]*)"$`,
		Params: "the company; the buyer's purchase order number (driver action telesales-order)", ParamsPT: "a empresa; o número do pedido de compra do comprador (ação telesales-order do driver)",
		Example:   "When the ERP registers a telesales order for company \"Ferragens Paulista\" with purchase order \"PO-FONE-1\"",
		ExamplePT: "Quando o ERP registra um pedido de televendas da empresa \"Ferragens Paulista\" com o pedido de compra \"PO-FONE-1\"",
		Fn:        func(ctx context.Context, name, po string) error { return worldOf(ctx).telesales(ctx, name, po) }},
	{Area: "b2b", EN: `^the B2B app searches company "([^"]*)"'s orders of today$`, PT: `^o app B2B pesquisa os pedidos de hoje da empresa "([^"]*)"$`,
		Params: "the company (a search by period, today in Brasília, as the app's date picker sends it)", ParamsPT: "a empresa (uma pesquisa por período, hoje em Brasília, como o calendário do app envia)",
		Example: "When the B2B app searches company \"Ferragens Paulista\"'s orders of today", ExamplePT: "Quando o app B2B pesquisa os pedidos de hoje da empresa \"Ferragens Paulista\"",
		Fn: func(ctx context.Context, name string) error { return worldOf(ctx).searchPeriod(ctx, name) }},
	{Area: "b2b", EN: `^the B2B app searches company "([^"]*)"'s orders by the order's purchase order$`,
		PT:     `^o app B2B pesquisa os pedidos da empresa "([^"]*)" pelo pedido de compra do pedido$`,
		Params: "the company (a search by code, tipo 1, with the last order's purchase order number)", ParamsPT: "a empresa (uma pesquisa por código, tipo 1, com o pedido de compra do último pedido)",
		Example: "When the B2B app searches company \"Ferragens Paulista\"'s orders by the order's purchase order", ExamplePT: "Quando o app B2B pesquisa os pedidos da empresa \"Ferragens Paulista\" pelo pedido de compra do pedido",
		Fn: func(ctx context.Context, name string) error { return worldOf(ctx).searchPO(ctx, name) }},
	{Area: "b2b", EN: `^the B2B app looks up the order by its web order number for company "([^"]*)"$`,
		PT:     `^o app B2B consulta o pedido pelo número do pedido web para a empresa "([^"]*)"$`,
		Params: "the company asking (the app sends the typed number to the detail route as pedidoErpId)", ParamsPT: "a empresa que consulta (o app envia o número digitado à rota de detalhe como pedidoErpId)",
		Example: "When the B2B app looks up the order by its web order number for company \"Ferragens Paulista\"", ExamplePT: "Quando o app B2B consulta o pedido pelo número do pedido web para a empresa \"Ferragens Paulista\"",
		Fn: func(ctx context.Context, name string) error { return worldOf(ctx).lookUpWebNumber(ctx, name) }},
	{Area: "b2b", EN: `^the B2B app opens the documents of that order for company "([^"]*)"$`,
		PT:     `^o app B2B abre os documentos desse pedido para a empresa "([^"]*)"$`,
		Params: "the company (by the ERP's number the detail gave, on the documents path as the app spells it)", ParamsPT: "a empresa (pelo número do ERP que o detalhe deu, no caminho de documentos como o app o escreve)",
		Example: "When the B2B app opens the documents of that order for company \"Ferragens Paulista\"", ExamplePT: "Quando o app B2B abre os documentos desse pedido para a empresa \"Ferragens Paulista\"",
		Fn: func(ctx context.Context, name string) error { return worldOf(ctx).documents(ctx, name) }},
	{Area: "b2b", EN: `^the answer lists exactly company "([^"]*)"'s orders$`, PT: `^a resposta lista exatamente os pedidos da empresa "([^"]*)"$`,
		Params: "the company: its web and telesales orders, by purchase order and total, and no other company's (waits for the integration)", ParamsPT: "a empresa: seus pedidos web e de televendas, por pedido de compra e total, e nenhum de outra empresa (espera a integração)",
		Example: "Then the answer lists exactly company \"Ferragens Paulista\"'s orders", ExamplePT: "Então a resposta lista exatamente os pedidos da empresa \"Ferragens Paulista\"",
		Fn: func(ctx context.Context, name string) error { return worldOf(ctx).listsExactly(ctx, name, nil) }},
	{Area: "b2b", EN: `^the answer lists exactly the order of company "([^"]*)"$`, PT: `^a resposta lista exatamente o pedido da empresa "([^"]*)"$`,
		Params: "the company whose last order alone must be listed", ParamsPT: "a empresa cujo último pedido, e só ele, deve ser listado",
		Example: "Then the answer lists exactly the order of company \"Ferragens Paulista\"", ExamplePT: "Então a resposta lista exatamente o pedido da empresa \"Ferragens Paulista\"",
		Fn: func(ctx context.Context, name string) error {
			w := worldOf(ctx)
			e, err := w.lastOrderExpected(name)
			if err != nil {
				return err
			}
			return w.listsExactly(ctx, name, e)
		}},
	{Area: "b2b", EN: `^the detail matches the order(?: with invoice "([^"]*)")?$`, PT: `^o detalhe confere com o pedido(?: com a nota "([^"]*)")?$`,
		Params: "optionally the invoice number it must show (and a status of 4 or 5)", ParamsPT: "opcionalmente, o número da nota que deve mostrar (e status 4 ou 5)",
		Example: "Then the detail matches the order with invoice \"NF-8001\"", ExamplePT: "Então o detalhe confere com o pedido com a nota \"NF-8001\"",
		Fn: func(ctx context.Context, invoice string) error { return worldOf(ctx).detailMatches(ctx, invoice) }},
	{Area: "b2b", EN: `^the documents include the DANFE of invoice "([^"]*)"$`, PT: `^os documentos incluem o DANFE da nota "([^"]*)"$`,
		Params: "the invoice number", ParamsPT: "o número da nota",
		Example: "Then the documents include the DANFE of invoice \"NF-8001\"", ExamplePT: "Então os documentos incluem o DANFE da nota \"NF-8001\"",
		Fn: func(ctx context.Context, invoice string) error { return worldOf(ctx).documentsInclude(invoice) }},
	{Area: "b2b", EN: `^the ERP shows no order$`, PT: `^o ERP não mostra pedido algum$`,
		Example: "Then the ERP shows no order", ExamplePT: "Então o ERP não mostra pedido algum",
		Fn: func(ctx context.Context) error { return worldOf(ctx).showsNoOrder() }},
	{Area: "b2b", EN: `^the ERP refuses every B2B call without its token$`, PT: `^o ERP recusa toda chamada B2B sem o seu token$`,
		Example: "Then the ERP refuses every B2B call without its token", ExamplePT: "Então o ERP recusa toda chamada B2B sem o seu token",
		Fn: func(ctx context.Context) error { return worldOf(ctx).refusedEveryCall(ctx) }},

	// feed
	{Area: "feed", EN: `^the feed has no pending items$`, PT: `^o feed não tem itens pendentes$`,
		Example: "Then the feed has no pending items", ExamplePT: "Então o feed não tem itens pendentes",
		Fn: func(ctx context.Context) error { return worldOf(ctx).feedEmpty(ctx) }},
	{Area: "feed", EN: `^the feed delivers every item twice$`, PT: `^o feed entrega cada item duas vezes$`,
		Example: "Given the feed delivers every item twice", ExamplePT: "Dado que o feed entrega cada item duas vezes",
		Fn: func(ctx context.Context) error {
			return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Feed: "duplicate", Times: 2})
		}},
	{Area: "feed", EN: `^the feed delivers items newest first$`, PT: `^o feed entrega os itens do mais novo ao mais antigo$`,
		Example: "Given the feed delivers items newest first", ExamplePT: "Dado que o feed entrega os itens do mais novo ao mais antigo",
		Fn: func(ctx context.Context) error {
			return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Feed: "reorder", Times: 3})
		}},

	// faults
	{Area: "faults", EN: `^the sandbox answers 429 with Retry-After (\d+) to the next (\d+) order reads$`,
		PT:     `^o sandbox responde 429 com Retry-After (\d+) às próximas (\d+) leituras de pedido$`,
		Params: "the Retry-After in seconds; how many reads of GET /api/oms/pvt/orders/{id}", ParamsPT: "o Retry-After em segundos; quantas leituras de GET /api/oms/pvt/orders/{id}",
		Example:   "Given the sandbox answers 429 with Retry-After 1 to the next 2 order reads",
		ExamplePT: "Dado que o sandbox responde 429 com Retry-After 1 às próximas 2 leituras de pedido",
		Fn: func(ctx context.Context, after, n string) error {
			w := worldOf(ctx)
			secs := atoi(after)
			w.retryAfter = secs
			return w.fault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/oms/pvt/orders/*", Status: 429, RetryAfter: &secs, Times: atoi(n)})
		}},
	{Area: "faults", EN: `^the sandbox answers (\d{3}) to the next (\d+) feed reads$`, PT: `^o sandbox responde (\d{3}) às próximas (\d+) leituras do feed$`,
		Params: "an HTTP status; how many reads of GET /api/orders/feed", ParamsPT: "um status HTTP; quantas leituras de GET /api/orders/feed",
		Example: "Given the sandbox answers 503 to the next 2 feed reads", ExamplePT: "Dado que o sandbox responde 503 às próximas 2 leituras do feed",
		Fn: func(ctx context.Context, status, n string) error {
			return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/orders/feed", Status: atoi(status), Times: atoi(n)})
		}},
	{Area: "faults", EN: `^the sandbox answers (\d{3}) to the next (\d+) calls? to ` + methods + ` (/\S*)$`,
		PT:     `^o sandbox responde (\d{3}) às próximas (\d+) chamadas? a ` + methods + ` (/\S*)$`,
		Params: "an HTTP status; how many calls; the method; the path, a glob where {order} is the scenario's last order (e.g. /api/oms/pvt/orders/{order}/invoice, /api/oms/pvt/orders/*)", ParamsPT: "um status HTTP; quantas chamadas; o método; o caminho, um glob em que {order} é o último pedido do cenário (ex.: /api/oms/pvt/orders/{order}/invoice, /api/oms/pvt/orders/*)",
		Example:   "Given the sandbox answers 500 to the next 1 call to POST /api/oms/pvt/orders/{order}/start-handling",
		ExamplePT: "Dado que o sandbox responde 500 às próximas 1 chamada a POST /api/oms/pvt/orders/{order}/start-handling",
		Fn: func(ctx context.Context, status, n, method, path string) error {
			w := worldOf(ctx)
			p, err := w.expand(path)
			if err != nil {
				return err
			}
			api := "vtex"
			if strings.HasPrefix(p, "/skyhub/") {
				api = "skyhub"
			}
			return w.fault(ctx, faults.Rule{API: api, Method: method, Path: p, Status: atoi(status), Times: atoi(n)})
		}},
	{Area: "faults", EN: `^the integration waited as Retry-After said between its order reads$`,
		PT:        `^a integração esperou o que o Retry-After pediu entre as leituras do pedido$`,
		Example:   "Then the integration waited as Retry-After said between its order reads",
		ExamplePT: "Então a integração esperou o que o Retry-After pediu entre as leituras do pedido",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).waitedAsTold(ctx) }},
	{Area: "faults", EN: `^the integration made at most (\d+) calls refused with 403$`, PT: `^a integração fez no máximo (\d+) chamadas recusadas com 403$`,
		Params: "how many refused calls are tolerated (watched for one second)", ParamsPT: "quantas chamadas recusadas se toleram (observadas por um segundo)",
		Example: "Then the integration made at most 3 calls refused with 403", ExamplePT: "Então a integração fez no máximo 3 chamadas recusadas com 403",
		Fn: func(ctx context.Context, n string) error { return worldOf(ctx).refusedAtMost(ctx, atoi(n)) }},

	// catalog, stock and price: the ERP pushes them (steps_catalog.go)
	{Area: "catalog", EN: `^the ERP registers the product (\S+) with SKU (\S+) and EAN (\d+)$`, PT: `^o ERP cadastra o produto (\S+) com o SKU (\S+) e o EAN (\d+)$`,
		Params: "the product's RefId; the SKU's RefId; its EAN (8 to 14 digits); the driver's upsert-product", ParamsPT: "o RefId do produto; o RefId do SKU; seu EAN (8 a 14 dígitos); a ação upsert-product do driver",
		Example: "When the ERP registers the product CAM-01 with SKU CAM-01-P and EAN 7891234567895", ExamplePT: "Quando o ERP cadastra o produto CAM-01 com o SKU CAM-01-P e o EAN 7891234567895",
		Fn: func(ctx context.Context, product, sku, ean string) error {
			return worldOf(ctx).registerProduct(ctx, product, sku, ean)
		}},
	{Area: "catalog", EN: `^VTEX's catalog has the SKU (\S+) with EAN (\d+)$`, PT: `^o catálogo da VTEX tem o SKU (\S+) com o EAN (\d+)$`,
		Params: "the SKU's RefId; an EAN it must have", ParamsPT: "o RefId do SKU; um EAN que ele deve ter",
		Example: "Then VTEX's catalog has the SKU CAM-01-P with EAN 7891234567895", ExamplePT: "Então o catálogo da VTEX tem o SKU CAM-01-P com o EAN 7891234567895",
		Fn: func(ctx context.Context, sku, ean string) error { return worldOf(ctx).catalogHas(ctx, sku, ean) }},
	{Area: "stock", EN: `^the ERP's balance of (\S+) in (\S+) is (\d+)$`, PT: `^o saldo do ERP de (\S+) em (\S+) é (\d+)$`,
		Params: "the SKU's RefId; the VTEX warehouse id (estoque-sp); the units on the ERP's shelves; the driver's set-stock", ParamsPT: "o RefId do SKU; o id do estoque na VTEX (estoque-sp); as unidades nas prateleiras do ERP; a ação set-stock do driver",
		Example: "When the ERP's balance of CAM-01-P in estoque-sp is 10", ExamplePT: "Quando o saldo do ERP de CAM-01-P em estoque-sp é 10",
		Fn: func(ctx context.Context, sku, wh, n string) error { return worldOf(ctx).setBalance(ctx, sku, wh, n) }},
	{Area: "stock", EN: `^VTEX shows (-?\d+) available of (\S+) in (\S+)$`, PT: `^a VTEX mostra (-?\d+) disponíve(?:l|is) de (\S+) em (\S+)$`,
		Params: "the available quantity (total − reserved) VTEX's Logistics must show; the SKU's RefId; the warehouse", ParamsPT: "a quantidade disponível (total − reservado) que a Logística da VTEX deve mostrar; o RefId do SKU; o estoque",
		Example: "Then VTEX shows 7 available of CAM-01-P in estoque-sp", ExamplePT: "Então a VTEX mostra 7 disponíveis de CAM-01-P em estoque-sp",
		Fn: func(ctx context.Context, n, sku, wh string) error { return worldOf(ctx).availableIs(ctx, n, sku, wh) }},
	{Area: "stock", EN: `^a paid order for (\d+) units? of (\S+) arrives$`, PT: `^um pedido pago de (\d+) unidades? de (\S+) chega$`,
		Params: "how many units; the SKU's RefId (the order reserves them)", ParamsPT: "quantas unidades; o RefId do SKU (o pedido as reserva)",
		Example: "When a paid order for 3 units of CAM-01-P arrives", ExamplePT: "Quando um pedido pago de 3 unidades de CAM-01-P chega",
		Fn: func(ctx context.Context, n, sku string) error { return worldOf(ctx).orderOf(ctx, n, sku) }},
	{Area: "stock", EN: `^VTEX answers 423 to the next (\d+) stock writes of (\S+) in (\S+)$`, PT: `^a VTEX responde 423 às próximas (\d+) gravações de estoque de (\S+) em (\S+)$`,
		Params: "how many writes; the SKU's RefId; the warehouse: each is refused 423 Locked and discarded, as when another write of the SKU holds the lock (a fault)", ParamsPT: "quantas gravações; o RefId do SKU; o estoque: cada uma é recusada com 423 Locked e descartada, como quando outra gravação do SKU tem a trava (uma falha injetada)",
		Example: "Given VTEX answers 423 to the next 2 stock writes of CAM-01-P in estoque-sp", ExamplePT: "Dado que a VTEX responde 423 às próximas 2 gravações de estoque de CAM-01-P em estoque-sp",
		Fn: func(ctx context.Context, n, sku, wh string) error { return worldOf(ctx).lockedWrites(ctx, n, sku, wh) }},
	{Area: "price", EN: `^the ERP sets the price of (\S+) to (\d+(?:[.,]\d+)?)$`, PT: `^o ERP define o preço de (\S+) em (\d+(?:[.,]\d+)?)$`,
		Params: "the SKU's RefId; the base price in reais; the driver's set-price", ParamsPT: "o RefId do SKU; o preço base em reais; a ação set-price do driver",
		Example: "When the ERP sets the price of CAM-01-P to 59.90", ExamplePT: "Quando o ERP define o preço de CAM-01-P em 59.90",
		Fn: func(ctx context.Context, sku, price string) error { return worldOf(ctx).setPrice(ctx, sku, price) }},
	{Area: "price", EN: `^the ERP sets a promotional price of (\d+(?:[.,]\d+)?) for (\S+) from (\S+) to (\S+) from now$`,
		PT:     `^o ERP define um preço promocional de (\d+(?:[.,]\d+)?) para (\S+) de daqui a (\S+) até daqui a (\S+)$`,
		Params: "the price in reais; the SKU's RefId; when the promotion starts and ends, as Go durations from the sandbox's now (1h, 25h)", ParamsPT: "o preço em reais; o RefId do SKU; quando a promoção começa e acaba, em durações Go a partir do agora do sandbox (1h, 25h)",
		Example: "When the ERP sets a promotional price of 39.90 for CAM-01-P from 1h to 25h from now", ExamplePT: "Quando o ERP define um preço promocional de 39.90 para CAM-01-P de daqui a 1h até daqui a 25h",
		Fn: func(ctx context.Context, price, sku, from, to string) error {
			return worldOf(ctx).promotion(ctx, price, sku, from, to)
		}},
	{Area: "price", EN: `^the computed price of (\S+) is (\d+(?:[.,]\d+)?)$`, PT: `^o preço calculado de (\S+) é (\d+(?:[.,]\d+)?)$`,
		Params: "the SKU's RefId; the selling price VTEX computes now (trade policy 1, one unit), in reais", ParamsPT: "o RefId do SKU; o preço de venda que a VTEX calcula agora (política comercial 1, uma unidade), em reais",
		Example: "Then the computed price of CAM-01-P is 39.90", ExamplePT: "Então o preço calculado de CAM-01-P é 39.90",
		Fn: func(ctx context.Context, sku, price string) error { return worldOf(ctx).computedPrice(ctx, sku, price) }},

	// clock
	{Area: "clock", EN: `^the sandbox clock is at "([^"]*)"$`, PT: `^o relógio do sandbox está em "([^"]*)"$`,
		Params: "an RFC 3339 time; the clock is the whole sandbox's, shared by parallel scenarios", ParamsPT: "um horário RFC 3339; o relógio é do sandbox inteiro: o cenário roda sozinho, e o relógio nunca volta",
		Example: `Given the sandbox clock is at "2026-03-10T12:00:00-03:00"`, ExamplePT: `Dado que o relógio do sandbox está em "2026-03-10T12:00:00-03:00"`,
		Fn: func(ctx context.Context, at string) error {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return fmt.Errorf("clock: %q is not an RFC 3339 time: %w", at, err)
			}
			_, err = worldOf(ctx).h.client.SetClock(ctx, t)
			return err
		}},
	{Area: "clock", EN: `^the sandbox clock advances (\S+)$`, PT: `^o relógio do sandbox avança (\S+)$`,
		Params: "a Go duration (90s, 5m, 2h); the feed's visibility timeouts, windows to cancel and hook retries follow it", ParamsPT: "uma duração Go (90s, 5m, 2h); os timeouts de visibilidade do feed, as janelas de cancelamento e as novas tentativas do hook seguem o relógio",
		Example: "When the sandbox clock advances 5m", ExamplePT: "Quando o relógio do sandbox avança 5m",
		Fn: func(ctx context.Context, d string) error {
			dur, err := time.ParseDuration(d)
			if err != nil {
				return fmt.Errorf("clock: %q is not a duration such as 90s or 5m: %w", d, err)
			}
			_, err = worldOf(ctx).h.client.AdvanceClock(ctx, dur)
			return err
		}},

	// journal
	{Area: "journal", EN: `^no call of the integration was refused$`, PT: `^nenhuma chamada da integração foi recusada$`,
		Example: "Then no call of the integration was refused", ExamplePT: "Então nenhuma chamada da integração foi recusada",
		Fn: func(ctx context.Context) error { return worldOf(ctx).noneRefused(ctx) }},
	{Area: "journal", EN: `^the integration called ` + methods + ` (/\S*) (once|twice|never|\d+ times)$`,
		PT:     `^a integração chamou ` + methods + ` (/\S*) (uma vez|duas vezes|nenhuma vez|\d+ vezes)$`,
		Params: "the method; the path, a glob where {order} is the scenario's last order; how many times (waits for a count above zero)", ParamsPT: "o método; o caminho, um glob em que {order} é o último pedido do cenário; quantas vezes (espera quando é mais de zero)",
		Example:   "Then the integration called POST /api/oms/pvt/orders/{order}/invoice once",
		ExamplePT: "Então a integração chamou POST /api/oms/pvt/orders/{order}/invoice uma vez",
		Fn: func(ctx context.Context, method, path, times string) error {
			return worldOf(ctx).calledTimes(ctx, method, path, times)
		}},
	{Area: "journal", EN: `^the integration called ` + methods + ` (/\S*) before ` + methods + ` (/\S*)$`,
		PT:     `^a integração chamou ` + methods + ` (/\S*) antes de ` + methods + ` (/\S*)$`,
		Params: "two calls (method and path glob, {order} the scenario's last order): the first of the former came before the first of the latter", ParamsPT: "duas chamadas (método e glob do caminho, {order} o último pedido do cenário): a primeira da primeira veio antes da primeira da segunda",
		Example:   "Then the integration called GET /api/oms/pvt/orders/{order} before POST /api/oms/pvt/orders/{order}/start-handling",
		ExamplePT: "Então a integração chamou GET /api/oms/pvt/orders/{order} antes de POST /api/oms/pvt/orders/{order}/start-handling",
		Fn: func(ctx context.Context, m1, p1, m2, p2 string) error {
			return worldOf(ctx).calledBefore(ctx, m1, p1, m2, p2)
		}},

	// events
	{Area: "events", EN: `^the order went through (.+) in that order$`, PT: `^o pedido passou por (.+) nessa ordem$`,
		Params: "statuses, comma-separated: the order's status changes include them in this order", ParamsPT: "status separados por vírgula: as mudanças de status do pedido os incluem nessa ordem",
		Example:   "Then the order went through ready-for-handling, handling, invoiced in that order",
		ExamplePT: "Então o pedido passou por ready-for-handling, handling, invoiced nessa ordem",
		Fn:        func(ctx context.Context, list string) error { return worldOf(ctx).wentThrough(ctx, list) }},
	{Area: "events", EN: `^the sandbox recorded an? "([^"]*)" event for the order$`, PT: `^o sandbox registrou um evento "([^"]*)" para o pedido$`,
		Params: "an event type: order.created, order.status-changed, order.changed, invoice.added, invoice.updated, tracking.updated", ParamsPT: "um tipo de evento: order.created, order.status-changed, order.changed, invoice.added, invoice.updated, tracking.updated",
		Example: `Then the sandbox recorded an "invoice.added" event for the order`, ExamplePT: `Então o sandbox registrou um evento "invoice.added" para o pedido`,
		Fn: func(ctx context.Context, typ string) error { return worldOf(ctx).eventRecorded(ctx, typ) }},

	// tracking (steps_tracking.go)
	{Area: "tracking", EN: `^the ERP invoices the order as "([^"]*)" and posts it by Correios$`,
		PT:        `^o ERP fatura o pedido com a nota "([^"]*)" e a posta nos Correios$`,
		Params:    "the invoice number; the harness gives it a fresh Correios tracking number (an S10 code), whose parcel the carrier then walks from now on the sandbox clock",
		ParamsPT:  "o número da nota; o harness lhe dá um código de rastreio novo dos Correios (um código S10), cujo objeto os Correios fazem andar desde agora no relógio do sandbox",
		Example:   `When the ERP invoices the order as "NF-5001" and posts it by Correios`,
		ExamplePT: `Quando o ERP fatura o pedido com a nota "NF-5001" e a posta nos Correios`,
		Fn:        func(ctx context.Context, number string) error { return worldOf(ctx).invoiceByCorreios(ctx, number) }},
	{Area: "tracking", EN: `^the ERP ships the SkyHub order by Correios$`, PT: `^o ERP despacha o pedido SkyHub pelos Correios$`,
		Params:    "the harness gives the shipment a fresh Correios tracking code (an S10 code), whose parcel the carrier then walks from now on the sandbox clock",
		ParamsPT:  "o harness dá ao despacho um código de rastreio novo dos Correios (um código S10), cujo objeto os Correios fazem andar desde agora no relógio do sandbox",
		Example:   "When the ERP ships the SkyHub order by Correios",
		ExamplePT: "Quando o ERP despacha o pedido SkyHub pelos Correios",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).shipSkyHubByCorreios(ctx) }},
	{Area: "tracking", EN: `^the parcel takes the "(normal|delayed|failed-attempt|returned)" path$`,
		PT:       `^o objeto segue o caminho "(normal|delayed|failed-attempt|returned)"$`,
		Params:   "the carrier's scenario for the rest of the walk: normal, delayed (48 h late), failed-attempt (nobody home, delivered the next day), returned (back to the sender after two attempts)",
		ParamsPT: "o cenário dos Correios para o resto do caminho: normal, delayed (48 h de atraso), failed-attempt (ninguém em casa, entregue no dia seguinte), returned (devolvido ao remetente após duas tentativas)",
		Example:  `Given the parcel takes the "failed-attempt" path`, ExamplePT: `Dado que o objeto segue o caminho "failed-attempt"`,
		Fn: func(ctx context.Context, s string) error { return worldOf(ctx).parcelTakes(ctx, s) }},
	{Area: "tracking", EN: `^the ERP polls the carrier$`, PT: `^o ERP consulta os Correios$`,
		Params: "the driver action poll-carrier: the integration asks the carrier about its open parcels now", ParamsPT: "a ação poll-carrier do driver: a integração consulta agora os Correios sobre seus objetos em aberto",
		Example: "When the ERP polls the carrier", ExamplePT: "Quando o ERP consulta os Correios",
		Fn: func(ctx context.Context) error { return worldOf(ctx).pollCarrier(ctx) }},
	{Area: "tracking", EN: `^invoice "([^"]*)" carries the carrier's events so far$`, PT: `^a nota "([^"]*)" traz os eventos dos Correios até agora$`,
		Params: "the invoice number: its courierStatus shows every event the carrier has shown, oldest first, with city and state", ParamsPT: "o número da nota: seu courierStatus mostra cada evento que os Correios mostraram, do mais antigo ao mais novo, com cidade e estado",
		Example: `Then invoice "NF-5001" carries the carrier's events so far`, ExamplePT: `Então a nota "NF-5001" traz os eventos dos Correios até agora`,
		Fn: func(ctx context.Context, n string) error { return worldOf(ctx).carriesEvents(ctx, n) }},
	{Area: "tracking", EN: `^invoice "([^"]*)" is not delivered yet$`, PT: `^a nota "([^"]*)" ainda não está entregue$`,
		Params: "the invoice number: it carries the carrier's events and is not finished", ParamsPT: "o número da nota: traz os eventos dos Correios e não está finalizada",
		Example: `Then invoice "NF-5001" is not delivered yet`, ExamplePT: `Então a nota "NF-5001" ainda não está entregue`,
		Fn: func(ctx context.Context, n string) error { return worldOf(ctx).notDelivered(ctx, n) }},
	{Area: "tracking", EN: `^invoice "([^"]*)" is delivered on the carrier's date$`, PT: `^a nota "([^"]*)" está entregue na data dos Correios$`,
		Params: "the invoice number: finished, its deliveredDate the carrier's delivery event's (yyyy-mm-dd hh:mm, São Paulo time)", ParamsPT: "o número da nota: finalizada, com a deliveredDate do evento de entrega dos Correios (aaaa-mm-dd hh:mm, horário de São Paulo)",
		Example: `Then invoice "NF-5001" is delivered on the carrier's date`, ExamplePT: `Então a nota "NF-5001" está entregue na data dos Correios`,
		Fn: func(ctx context.Context, n string) error { return worldOf(ctx).deliveredOnCarriersDate(ctx, n) }},
	{Area: "tracking", EN: `^the integration never asked the carrier about the parcel after its delivery$`,
		PT:     `^a integração nunca mais consultou os Correios sobre o objeto depois da entrega$`,
		Params: "watched for one second: of the reads of the parcel once it was delivered, only the one that found the delivery", ParamsPT: "observado por um segundo: das leituras do objeto depois de entregue, só a que encontrou a entrega",
		Example:   "Then the integration never asked the carrier about the parcel after its delivery",
		ExamplePT: "Então a integração nunca mais consultou os Correios sobre o objeto depois da entrega",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).neverAskedAfterDelivery(ctx) }},
	{Area: "tracking", EN: `^the carrier answers (429|503) with Retry-After (\d+) to the next (\d+) tracking reads?$`,
		PT:     `^os Correios respondem (429|503) com Retry-After (\d+) às próximas (\d+) consultas? de rastreio$`,
		Params: "the status; the Retry-After in seconds; how many reads of GET /correios/srorastro/...", ParamsPT: "o status; o Retry-After em segundos; quantas leituras de GET /correios/srorastro/...",
		Example:   "Given the carrier answers 429 with Retry-After 1 to the next 2 tracking reads",
		ExamplePT: "Dado que os Correios respondem 429 com Retry-After 1 às próximas 2 consultas de rastreio",
		Fn: func(ctx context.Context, status, after, n string) error {
			return worldOf(ctx).carrierFault(ctx, atoi(status), atoi(after), atoi(n))
		}},
	{Area: "tracking", EN: `^the integration waited as Retry-After said between its tracking reads$`,
		PT:        `^a integração esperou o que o Retry-After pediu entre as consultas de rastreio$`,
		Example:   "Then the integration waited as Retry-After said between its tracking reads",
		ExamplePT: "Então a integração esperou o que o Retry-After pediu entre as consultas de rastreio",
		Fn:        func(ctx context.Context) error { return worldOf(ctx).waitedAsToldTracking(ctx) }},
}

// steps is the step table with its phrases compiled, on first use: the
// omsbox binary that only serves never pays for three hundred regexps.
var steps = sync.OnceValue(func() []*StepDef {
	stepTable = append(stepTable, skyhubSteps...)       // steps_skyhub.go
	stepTable = append(stepTable, mercadoLivreSteps...) // steps_mercadolivre.go
	for _, d := range stepTable {
		// "Dado que …": Portuguese puts an optional "que" after the keyword.
		d.en, d.pt = regexp.MustCompile(d.EN), regexp.MustCompile(strings.Replace(d.PT, "^", "^(?:que )?", 1))
	}
	return stepTable
})

// register binds every phrase of the table, in both languages, to its
// code. A scenario that does not apply to the integration has every step
// skipped.
func register(sc *godog.ScenarioContext) {
	for _, d := range steps() {
		fn := skippable(d.Fn)
		sc.Step(d.en, fn)
		sc.Step(d.pt, fn)
	}
}

// skippable wraps a step so that it is skipped in a scenario marked so.
func skippable(fn any) any {
	switch f := fn.(type) {
	case func(context.Context) error:
		return func(ctx context.Context) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx)
		}
	case func(context.Context, string) error:
		return func(ctx context.Context, a string) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx, a)
		}
	case func(context.Context, string, string) error:
		return func(ctx context.Context, a, b string) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx, a, b)
		}
	case func(context.Context, string, string, string) error:
		return func(ctx context.Context, a, b, c string) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx, a, b, c)
		}
	case func(context.Context, string, string, string, string) error:
		return func(ctx context.Context, a, b, c, d string) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx, a, b, c, d)
		}
	case func(context.Context, *godog.Table) error:
		return func(ctx context.Context, t *godog.Table) error {
			if skip(ctx) {
				return godog.ErrSkip
			}
			return f(ctx, t)
		}
	}
	panic(fmt.Sprintf("contracts: step function of unsupported type %T", fn))
}

func skip(ctx context.Context) bool {
	w, ok := ctx.Value(worldKey{}).(*world)
	return ok && w.skip != ""
}

// Match finds the step definition of a step's text, in either language,
// and its arguments.
func Match(text string) (*StepDef, []string) {
	for _, d := range steps() {
		if m := d.en.FindStringSubmatch(text); m != nil {
			return d, m[1:]
		}
		if m := d.pt.FindStringSubmatch(text); m != nil {
			return d, m[1:]
		}
	}
	return nil, nil
}

// Closest returns the example of the known step nearest to an unknown
// step's text (by edit distance), in the language lang ("en" or "pt").
func Closest(text, lang string) string {
	best, bestD := "", -1
	for _, d := range steps() {
		ex := d.Example
		if lang == "pt" {
			ex = d.ExamplePT
		}
		ex = stripKeyword(strings.SplitN(ex, "\n", 2)[0])
		if dd := distance(strings.ToLower(text), strings.ToLower(ex)); bestD < 0 || dd < bestD {
			best, bestD = ex, dd
		}
	}
	return best
}

var keywords = []string{"Given ", "When ", "Then ", "And ", "But ", "Dado que ", "Dado ", "Quando ", "Então ", "E ", "Mas "}

func stripKeyword(s string) string {
	for _, k := range keywords {
		if rest, ok := strings.CutPrefix(s, k); ok {
			return rest
		}
	}
	return s
}

// distance is the Levenshtein distance of two strings, by rune.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// areaIndex orders areas for the glossary; unknown areas go last.
func areaIndex(a string) int {
	if i := slices.Index(Areas, a); i >= 0 {
		return i
	}
	return len(Areas)
}
