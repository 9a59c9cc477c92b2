package sandbox_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

const camisetaProduct = `{"product":{"sku":"CAM-P","name":"Camiseta Básica","status":"enabled","qty":10,"price":59.9,
	"promotional_price":49.9,"ean":"7891000315507","images":["https://img.example.com.br/cam.jpg"]}}`

func TestSkyHubProductRules(t *testing.T) {
	h := newSandbox(t).Handler()
	if r := sky(t, h, "POST", "/products", camisetaProduct); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		says                     string
	}{
		{"duplicate sku", "POST", "/products", camisetaProduct, 422, "exists already"},
		{"no name", "POST", "/products", `{"product":{"sku":"X","price":1}}`, 400, "product.name"},
		{"no price", "POST", "/products", `{"product":{"sku":"X","name":"x"}}`, 422, "product.price"},
		{"price 0", "POST", "/products", `{"product":{"sku":"X","name":"x","price":0}}`, 422, "product.price must not be 0"},
		{"promotional null", "POST", "/products", `{"product":{"sku":"X","name":"x","price":10,"promotional_price":null}}`, 422, "promotional_price must not be 0 or null"},
		{"promotional above price", "POST", "/products", `{"product":{"sku":"X","name":"x","price":10,"promotional_price":11}}`, 422, "must not be above price"},
		{"sku with a space", "POST", "/products", `{"product":{"sku":"A B","name":"x","price":10}}`, 422, "no spaces"},
		{"no wrapper", "POST", "/products", `{"sku":"X","name":"x","price":10}`, 400, `"product" is missing`},
		{"negative qty", "PUT", "/products/CAM-P", `{"product":{"qty":-1}}`, 422, "qty"},
		{"promotional above the kept price", "PUT", "/products/CAM-P", `{"product":{"promotional_price":60}}`, 422, "must not be above price"},
		{"price below the kept promotion", "PUT", "/products/CAM-P", `{"product":{"price":40}}`, 422, "send both"},
		{"unknown product", "PUT", "/products/NOPE", `{"product":{"qty":1}}`, 404, "NOPE"},
		{"variation wrapper on a product", "PUT", "/products/CAM-P", `{"variation":{"qty":1}}`, 400, `"product" is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sky(t, h, tc.method, tc.path, tc.body)
			if r.status != tc.status || !strings.Contains(skyError(t, r), tc.says) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	// Refusals changed nothing; a partial PUT changes what it carries.
	var p skyhub.Product
	sky(t, h, "GET", "/products/CAM-P", "").json(t, &p)
	if p.Qty != 10 || p.Price != 59.9 || p.PromotionalPrice == nil || *p.PromotionalPrice != 49.9 {
		t.Fatalf("after refusals: %+v", p)
	}
	if r := sky(t, h, "PUT", "/products/CAM-P", `{"product":{"qty":"7"}}`); r.status != 204 {
		t.Fatalf("stock update: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "PUT", "/products/CAM-P", `{"product":{"price":69.9,"promotional_price":54.9}}`); r.status != 204 {
		t.Fatalf("price update: %d %s", r.status, r.body)
	}
	sky(t, h, "GET", "/products/CAM-P", "").json(t, &p)
	if p.Qty != 7 || p.Price != 69.9 || *p.PromotionalPrice != 54.9 || p.Name != "Camiseta Básica" || p.Status != "enabled" {
		t.Fatalf("after partial updates: %+v", p)
	}
	if r := sky(t, h, "DELETE", "/products/CAM-P", ""); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := sky(t, h, "GET", "/products/CAM-P", ""); r.status != 404 {
		t.Fatalf("deleted product: %d", r.status)
	}
}

func TestSkyHubVariationsInheritAndNeedTheirWrapper(t *testing.T) {
	h := newSandbox(t).Handler()
	body := `{"product":{"sku":"TEN","name":"Tênis","price":299.9,"qty":0,"variation_attributes":["Tamanho"],
		"variations":[{"sku":"TEN-40","qty":"3","specifications":[{"key":"Tamanho","value":"40"}]}]}}`
	if r := sky(t, h, "POST", "/products", body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", "/products/TEN/variations", `{"variation":{"sku":"TEN-41","qty":2,"price":279.9}}`); r.status != 201 {
		t.Fatalf("add variation: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", "/products/TEN/variations", `{"variation":{"sku":"TEN","qty":2}}`); r.status != 422 {
		t.Fatalf("a variation with the product's SKU: %d %s", r.status, r.body)
	}
	var got struct {
		Variation skyhub.Variation `json:"variation"`
		Product   struct{ Sku string }
	}
	sky(t, h, "GET", "/variations/TEN-40", "").json(t, &got)
	if got.Product.Sku != "TEN" || got.Variation.Qty != 3 || got.Variation.Price == nil || *got.Variation.Price != 299.9 {
		t.Fatalf("TEN-40 (its price inherited): %+v", got)
	}
	if r := sky(t, h, "PUT", "/variations/TEN-40", `{"product":{"qty":1}}`); r.status != 400 {
		t.Fatalf("a product wrapper on a variation: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "PUT", "/variations/TEN-40", `{"variation":{"qty":"10","promotional_price":0}}`); r.status != 422 {
		t.Fatalf("promotional_price 0 on a variation: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "PUT", "/variations/TEN-40", `{"variation":{"qty":"10"}}`); r.status != 204 {
		t.Fatalf("variation stock: %d %s", r.status, r.body)
	}
	sky(t, h, "GET", "/variations/TEN-40", "").json(t, &got)
	if got.Variation.Qty != 10 {
		t.Fatalf("after the PUT: %+v", got.Variation)
	}
	if r := sky(t, h, "DELETE", "/variations/TEN-41", ""); r.status != 204 {
		t.Fatalf("delete variation: %d", r.status)
	}
	if r := sky(t, h, "GET", "/variations/TEN-41", ""); r.status != 404 {
		t.Fatalf("deleted variation: %d", r.status)
	}
}

func TestSkyHubPaidOrdersTakeStockAndCancelsGiveItBack(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	sky(t, h, "POST", "/products", camisetaProduct)
	sky(t, h, "POST", "/products", `{"product":{"sku":"TEN","name":"Tênis","price":299.9,"variations":[{"sku":"TEN-40","qty":3}]}}`)
	qty := func(path string) int {
		var v struct {
			Qty       int
			Variation struct{ Qty int }
		}
		sky(t, h, "GET", path, "").json(t, &v)
		return v.Qty + v.Variation.Qty
	}
	order := `{"order":{"items":[{"id":"CAM-P","name":"Camiseta","qty":4,"original_price":59.9},{"id":"TEN-40","name":"Tênis 40","qty":1,"original_price":299.9},{"id":"OUTRO","name":"x","qty":1,"original_price":1}]}}`
	var o skyhub.Order
	sky(t, h, "POST", "/orders", order).json(t, &o)
	if qty("/products/CAM-P") != 10 {
		t.Fatal("a NEW (unpaid) order took stock")
	}
	sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{"status":"payment_received"}`)
	if a, b := qty("/products/CAM-P"), qty("/variations/TEN-40"); a != 6 || b != 2 {
		t.Fatalf("after payment: CAM-P %d TEN-40 %d, want 6 and 2", a, b)
	}
	sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/cancel", `{"status":"order_canceled"}`)
	if a, b := qty("/products/CAM-P"), qty("/variations/TEN-40"); a != 10 || b != 3 {
		t.Fatalf("after cancel: CAM-P %d TEN-40 %d, want 10 and 3", a, b)
	}
	var by []string
	for _, e := range sb.EventLog.Events(events.Filter{Type: skyhub.EventStockChanged}) {
		by = append(by, fmt.Sprint(e.Data["sku"], " ", e.Data["by"]))
	}
	if diff := cmp.Diff([]string{"CAM-P order-paid", "TEN-40 order-paid", "CAM-P order-canceled", "TEN-40 order-canceled"}, by); diff != "" {
		t.Fatalf("stock events (-want +got):\n%s", diff)
	}
}

func TestSkyHubProductPagingAndSyncErrors(t *testing.T) {
	h := newSandbox(t).Handler()
	for i := range 30 {
		ean := ""
		if i == 3 {
			ean = `,"ean":"7890000000001"` // wrong check digit
		}
		body := fmt.Sprintf(`{"product":{"sku":"P%02d","name":"Produto %d","price":10,"status":"enabled","images":["https://i/%d.jpg"]%s}}`, i, i, i, ean)
		if r := sky(t, h, "POST", "/products", body); r.status != 201 {
			t.Fatalf("create %d: %d %s", i, r.status, r.body)
		}
	}
	type page struct {
		Products []skyhub.Product
		Total    int
		Next     *string
	}
	var p page
	sky(t, h, "GET", "/products", "").json(t, &p)
	if len(p.Products) != 25 || p.Total != 30 || p.Next == nil {
		t.Fatalf("first page: %d of %d, next %v", len(p.Products), p.Total, p.Next)
	}
	next := strings.TrimPrefix(*p.Next, "/skyhub")
	sky(t, h, "GET", next, "").json(t, &p)
	if len(p.Products) != 5 || p.Products[0].Sku != "P25" || p.Next != nil {
		t.Fatalf("second page: %d from %s, next %v", len(p.Products), p.Products[0].Sku, p.Next)
	}
	sky(t, h, "GET", "/products?page=2&per_page=10", "").json(t, &p)
	if len(p.Products) != 10 || p.Products[0].Sku != "P10" {
		t.Fatalf("the SDK's page 2 of 10: %d from %s", len(p.Products), p.Products[0].Sku)
	}
	sky(t, h, "GET", "/products?filters%5Bname%5D=produto%203", "").json(t, &p)
	if p.Total != 1 || p.Products[0].Sku != "P03" {
		t.Fatalf("name filter: %+v", p)
	}
	if r := sky(t, h, "GET", "/products?cursor=bogus", ""); r.status != 400 {
		t.Fatalf("a made-up cursor: %d", r.status)
	}
	var errs struct {
		ErrorQty int                `json:"error_qty"`
		Errors   []skyhub.SyncError `json:"errors"`
	}
	sky(t, h, "GET", "/sync_errors/products", "").json(t, &errs)
	if errs.ErrorQty != 1 || errs.Errors[0].EntityID != "P03" || errs.Errors[0].ErrorCode != "invalid_ean" {
		t.Fatalf("sync errors: %+v", errs)
	}
	if r := sky(t, h, "PATCH", "/sync_errors/products", `{"errors":[{"entity_id":"P03","error_category_code":"link_b2w_products","error_code":"invalid_ean"}]}`); r.status != 204 {
		t.Fatalf("ignore: %d %s", r.status, r.body)
	}
	sky(t, h, "GET", "/sync_errors/products", "").json(t, &errs)
	if errs.ErrorQty != 0 {
		t.Fatalf("after ignoring: %+v", errs)
	}
}

func TestSkyHubSACAndQuestions(t *testing.T) {
	s := startSandbox(t)
	h := s.Handler()
	var o skyhub.Order
	sky(t, h, "POST", "/orders", testOrder).json(t, &o)
	ticket, err := s.Client.OpenTicket(ctx, "", o.Code, "Meu pedido ainda não chegou", "")
	if err != nil || ticket.Status != skyhub.TicketUnread {
		t.Fatalf("open ticket: %+v %v", ticket, err)
	}
	var list struct {
		NextPage *string         `json:"next_page"`
		Sacs     []skyhub.Ticket `json:"sacs"`
	}
	sky(t, h, "GET", "/sac?status=UNREAD", "").json(t, &list)
	if len(list.Sacs) != 1 || list.Sacs[0].Code != ticket.Code || list.Sacs[0].OrderCode != o.Code || list.NextPage != nil {
		t.Fatalf("GET /sac: %+v", list)
	}
	chats := "/sac/" + url.PathEscape(ticket.Code) + "/chats"
	if r := sky(t, h, "POST", chats, `{"message":"Olá! Seu pedido sai hoje."}`); r.status != 201 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	var c struct {
		Chats []struct {
			SellerStatus string               `json:"seller_status"`
			Messages     []skyhub.ChatMessage `json:"messages"`
		} `json:"chats"`
	}
	sky(t, h, "GET", chats, "").json(t, &c)
	if len(c.Chats) != 1 || len(c.Chats[0].Messages) != 2 || c.Chats[0].Messages[1].Part.Role != "SELLER" ||
		c.Chats[0].Messages[0].RepliedAt == nil || c.Chats[0].SellerStatus != skyhub.TicketRead {
		t.Fatalf("chat after the reply: %+v", c)
	}
	if r := sky(t, h, "PUT", "/sac/"+url.PathEscape(ticket.Code), `{"status":"ARCHIVED"}`); r.status != 204 {
		t.Fatalf("archive: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "PUT", "/sac/"+url.PathEscape(ticket.Code), `{"status":"CLOSED"}`); r.status != 422 {
		t.Fatalf("a seller closing: %d %s", r.status, r.body)
	}
	if err := s.Client.CloseTicket(ctx, ticket.Code); err != nil {
		t.Fatal(err)
	}
	if r := sky(t, h, "POST", chats, `{"message":"Mais alguma coisa?"}`); r.status != 422 || !strings.Contains(skyError(t, r), "encerrado") {
		t.Fatalf("a reply to a closed ticket: %d %s", r.status, r.body)
	}
	r := sky(t, h, "GET", "/sac/"+url.PathEscape("Lojas Americanas-000")+"/chats", "")
	var notFound struct {
		Errors struct{ Detail string } `json:"errors"`
	}
	r.json(t, &notFound)
	if r.status != 404 || notFound.Errors.Detail == "" {
		t.Fatalf("an unknown ticket: %d %s", r.status, r.body)
	}

	q, err := s.Client.AskQuestion(ctx, "", "CAM-P", "Tem na cor azul?", "")
	if err != nil || q.Status != skyhub.QuestionUnanswered {
		t.Fatalf("ask: %+v %v", q, err)
	}
	var qs struct {
		Questions []skyhub.Question `json:"questions"`
		Qty       int               `json:"qty"`
	}
	sky(t, h, "GET", "/questions?platform=B2W&status=UNANSWERED", "").json(t, &qs)
	if qs.Qty != 1 || qs.Questions[0].ID != q.ID || qs.Questions[0].Text != "Tem na cor azul?" {
		t.Fatalf("questions: %+v", qs)
	}
	if r := sky(t, h, "GET", "/questions", ""); r.status != 400 {
		t.Fatalf("questions without a platform: %d", r.status)
	}
	if r := sky(t, h, "POST", "/questions/"+q.ID+"/answer", `["Temos sim, nos tamanhos P a GG."]`); r.status != 201 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", "/questions/"+q.ID+"/answer", `{"answer":"de novo"}`); r.status != 422 {
		t.Fatalf("a second answer: %d %s", r.status, r.body)
	}
	var got skyhub.Question
	sky(t, h, "GET", "/questions/"+q.ID, "").json(t, &got)
	if got.Status != skyhub.QuestionAnswered || got.Answer == nil || *got.Answer != "Temos sim, nos tamanhos P a GG." {
		t.Fatalf("the answered question: %+v", got)
	}
}
