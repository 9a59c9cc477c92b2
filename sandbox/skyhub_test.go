package sandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/bridge"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// The default seller, as documented in the README.
var sellerAuth = []string{"X-User-Email: seller@demostore.com.br", "X-Api-Key: skyhub-sandbox-key",
	"X-Accountmanager-Key: sandbox-accountmanager", "Content-Type: application/json", "Accept: application/json"}

func sky(t *testing.T, h http.Handler, method, path, body string) response {
	t.Helper()
	return do(t, h, method, "/skyhub"+path, body, sellerAuth...)
}

func skyError(t *testing.T, r response) string {
	t.Helper()
	var b struct {
		Error string `json:"error"`
	}
	r.json(t, &b)
	if b.Error == "" {
		t.Fatalf("not SkyHub's error shape: %s", r.body)
	}
	return b.Error
}

const testOrder = `{"order":{"channel":"Lojas Americanas","calculation_type":"b2wentregacorreios",
	"items":[{"id":"CAM","name":"Camiseta","qty":2,"original_price":49.9,"special_price":49.9}],
	"customer":{"name":"Ana Souza","email":"ana@example.com.br","vat_number":"52998224725"}}}`

func TestSkyHubAuthentication(t *testing.T) {
	h := newSandbox(t).Handler()
	for _, tt := range []struct {
		headers []string
		want    string
	}{
		{nil, "Missing authentication header(s): X-Accountmanager-Key, X-Api-Key, X-User-Email"},
		{[]string{"X-User-Email: seller@demostore.com.br", "X-Api-Key: skyhub-sandbox-key"}, "X-Accountmanager-Key"},
		{[]string{"X-User-Email: seller@demostore.com.br", "X-Api-Key: wrong", "X-Accountmanager-Key: sandbox-accountmanager"}, "Invalid X-User-Email or X-Api-Key"},
	} {
		r := do(t, h, "GET", "/skyhub/orders", "", tt.headers...)
		if r.status != 401 || !strings.Contains(skyError(t, r), tt.want) {
			t.Errorf("%v: %d %s", tt.headers, r.status, r.body)
		}
	}
	// The embedded seller takes any non-empty account-manager key, as the
	// official PHP SDK sends its own built-in one.
	if r := do(t, h, "GET", "/skyhub/orders", "", "X-User-Email: seller@demostore.com.br", "X-Api-Key: skyhub-sandbox-key",
		"X-Accountmanager-Key: the-sdks-own-key"); r.status != 200 {
		t.Fatalf("the SDK's built-in account-manager key: %d %s", r.status, r.body)
	}
	// A seller whose config pins the key accepts that one only.
	cfg := testConfig()
	cfg.SkyHub.Sellers[0].AccountManagerKey = "pinned"
	pinned, err := sandbox.New(sandbox.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer pinned.Close()
	if r := do(t, pinned.Handler(), "GET", "/skyhub/orders", "", "X-User-Email: seller@demostore.com.br", "X-Api-Key: skyhub-sandbox-key",
		"X-Accountmanager-Key: other"); r.status != 401 || !strings.Contains(skyError(t, r), "Invalid X-Accountmanager-Key") {
		t.Fatalf("a pinned key: %d %s", r.status, r.body)
	}
	// Header names in lower case, as clients send them.
	if r := do(t, h, "GET", "/skyhub/orders", "", "x-user-email: seller@demostore.com.br", "x-api-key: skyhub-sandbox-key",
		"x-accountmanager-key: sandbox-accountmanager"); r.status != 200 {
		t.Fatalf("lower-case headers: %d %s", r.status, r.body)
	}
}

func TestSkyHubOrderLifecycleAndErrors(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	r := sky(t, h, "POST", "/orders", testOrder)
	var o skyhub.Order
	r.json(t, &o)
	if r.status != 201 || o.Status.Type != skyhub.New || !strings.HasPrefix(o.Code, "Lojas Americanas-") || o.TotalOrdered != 99.8 {
		t.Fatalf("test order: %d %s", r.status, r.body)
	}
	path := "/orders/" + url.PathEscape(o.Code)
	bad := []struct {
		method, path, body string
		status             int
		mentions           string
	}{
		{"POST", path + "/invoice", `{"invoice":{"key":"123"}}`, 422, "needs it APPROVED"}, // checked after the key? no: key first
		{"POST", path + "/approval", `{"status":"order_shipped"}`, 422, `does not fit this call`},
		{"POST", path + "/approval", `{"status":"teleported"}`, 422, `"teleported" is not a status`},
		{"GET", "/orders/Lojas%20Americanas-999", "", 404, "não encontrado"},
		{"POST", path + "/delivery", `{"status":"complete"}`, 422, "needs it SHIPMENT_EXCEPTION or SHIPPED"},
		{"GET", "/shipments/b2w/collectables", "", 400, "requested"},
		{"POST", "/orders", `{"order":{"items":[]}}`, 400, "items"},
	}
	bad[0].status, bad[0].mentions = 400, "44 digits" // the key is checked before the status
	bad = append(bad,
		struct {
			method, path, body string
			status             int
			mentions           string
		}{"POST", path + "/invoice", `{"invoice":{"key":"35260311222333000181550010000010011000010018"}}`, 400, "check digit"},
		struct {
			method, path, body string
			status             int
			mentions           string
		}{"POST", path + "/invoice", `{"invoice":{"key":"35260344455500000193550010000010011000010014"}}`, 422, "not this seller's 11222333000181"})
	for _, b := range bad {
		r := sky(t, h, b.method, b.path, b.body)
		if r.status != b.status || !strings.Contains(skyError(t, r), b.mentions) {
			t.Errorf("%s %s: %d %s, want %d mentioning %q", b.method, b.path, r.status, r.body, b.status, b.mentions)
		}
	}
	if r := sky(t, h, "POST", path+"/approval", `{"status":"payment_received"}`); r.status != 201 {
		t.Fatalf("approval: %d %s", r.status, r.body)
	}
	key := "35260311222333000181550010000010011000010019"
	if r := sky(t, h, "POST", path+"/invoice", `{"status":"order_invoiced","invoice":{"key":"`+key+`","volume_qty":"1"}}`); r.status != 201 {
		t.Fatalf("invoice: %d %s", r.status, r.body)
	}
	// A Correios order ships through B2W: the seller may not mark it shipped.
	r = sky(t, h, "POST", path+"/shipments", `{"status":"order_shipped","shipment":{"code":"x","items":[{"sku":"CAM","qty":2}],"track":{"code":"BR1","carrier":"Correios","method":"PAC","url":"https://rastreio"}}}`)
	if r.status != 422 || !strings.Contains(skyError(t, r), "B2W moves it to SHIPPED") {
		t.Fatalf("seller shipping a B2W Entrega order: %d %s", r.status, r.body)
	}
	// An order on the seller's own logistics ships; items inside or outside "shipment".
	own := sky(t, h, "POST", "/orders", `{"order":{"items":[{"id":"X","qty":1,"original_price":10}]}}`)
	var o2 skyhub.Order
	own.json(t, &o2)
	p2 := "/orders/" + url.PathEscape(o2.Code)
	sky(t, h, "POST", p2+"/approval", `{}`)
	sky(t, h, "POST", p2+"/invoice", `{"invoice":{"key":"`+key+`"}}`)
	if r := sky(t, h, "POST", p2+"/shipments", `{"items":[{"sku":"X","qty":1}],"shipment":{"track":{"code":"BR9","carrier":"Jadlog","method":"Expresso","url":"https://t"}}}`); r.status != 201 {
		t.Fatalf("own shipment: %d %s", r.status, r.body)
	}
	// The PHP SDK marks delivery with [] as its body, as it cancels.
	if r := sky(t, h, "POST", p2+"/delivery", `[]`); r.status != 201 {
		t.Fatalf("delivery with []: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", p2+"/delivery", `[1]`); r.status != 400 {
		t.Fatalf("delivery with a non-empty array: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", p2+"/cancel", `[]`); r.status != 422 {
		t.Fatalf("cancel of a delivered order: %d %s", r.status, r.body)
	}
	// Cancel accepts [] and {status}.
	o3 := sky(t, h, "POST", "/orders", `{"order":{"items":[{"id":"X","qty":1,"original_price":10}]}}`)
	var c3 skyhub.Order
	o3.json(t, &c3)
	if r := sky(t, h, "POST", "/orders/"+url.PathEscape(c3.Code)+"/cancel", `[]`); r.status != 201 {
		t.Fatalf("cancel []: %d %s", r.status, r.body)
	}
	var list struct {
		Total  int            `json:"total"`
		Orders []skyhub.Order `json:"orders"`
	}
	sky(t, h, "GET", "/orders?filters%5Bstatuses%5D%5B%5D=order_canceled&per_page=500", "").json(t, &list)
	if list.Total != 1 || list.Orders[0].Code != c3.Code {
		t.Fatalf("status filter: %+v", list)
	}
}

func TestSkyHubQueueRedelivery(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	// The seeded B2W order's twin is queued, as every new SkyHub order is.
	var seeded skyhub.Order
	sky(t, h, "GET", "/queues/orders", "").json(t, &seeded)
	if r := sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(seeded.Code), ""); r.status != 204 {
		t.Fatalf("the seeded twin in the queue: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "GET", "/queues/orders", ""); r.status != 204 {
		t.Fatalf("empty queue: %d", r.status)
	}
	var a, b skyhub.Order
	sky(t, h, "POST", "/orders", testOrder).json(t, &a)
	sky(t, h, "POST", "/orders", testOrder).json(t, &b)
	var got skyhub.Order
	sky(t, h, "GET", "/queues/orders", "").json(t, &got)
	if got.Code != a.Code {
		t.Fatalf("head of the queue: %s, want %s", got.Code, a.Code)
	}
	sky(t, h, "GET", "/queues/orders", "").json(t, &got)
	if got.Code != b.Code {
		t.Fatalf("second read: %s, want the next order", got.Code)
	}
	if r := sky(t, h, "GET", "/queues/orders", ""); r.status != 204 {
		t.Fatalf("both hidden: %d", r.status)
	}
	sb.Clock.Advance(skyhub.Redelivery)
	sky(t, h, "GET", "/queues/orders", "").json(t, &got)
	if got.Code != a.Code {
		t.Fatalf("after 5 minutes: %s, want %s again", got.Code, a.Code)
	}
	if r := sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(a.Code), ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(a.Code), ""); r.status != 404 {
		t.Fatalf("second delete: %d", r.status)
	}
	// A status change the marketplace makes queues the order again, in its
	// current status.
	sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(b.Code), "")
	sky(t, h, "POST", "/orders/"+url.PathEscape(a.Code)+"/approval", `{}`)
	sky(t, h, "GET", "/queues/orders", "").json(t, &got)
	if got.Code != a.Code || got.Status.Type != skyhub.Approved || got.SyncStatus != "SYNCED" {
		t.Fatalf("after approval: %s %s %s", got.Code, got.Status.Type, got.SyncStatus)
	}
}

func TestCorreiosPLPGroupViewAndUngroup(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	var o skyhub.Order
	sky(t, h, "POST", "/orders", testOrder).json(t, &o)
	remote := o.ImportInfo.RemoteCode
	var toGroup struct {
		Orders []skyhub.Candidate `json:"orders"`
	}
	sky(t, h, "GET", "/shipments/b2w/to_group", "").json(t, &toGroup)
	if len(toGroup.Orders) != 0 {
		t.Fatalf("a NEW Correios order is groupable: %+v", toGroup)
	}
	sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{}`)
	sky(t, h, "GET", "/shipments/b2w/to_group?offset=1", "").json(t, &toGroup)
	if len(toGroup.Orders) != 1 || toGroup.Orders[0].Code != remote || toGroup.Orders[0].Shipping != "CORREIOS" {
		t.Fatalf("to_group after approval: %+v", toGroup)
	}
	// The full code is accepted; the bare number comes back.
	r := sky(t, h, "POST", "/shipments/b2w", `{"order_remote_codes":["`+o.Code+`"]}`)
	var msg struct{ Message string }
	r.json(t, &msg)
	fields := strings.Fields(msg.Message)
	if r.status != 201 || len(fields) != 5 || fields[0] != "Plp" || msg.Message != "Plp "+fields[1]+" agrupada com sucesso." {
		t.Fatalf("group: %d %s", r.status, r.body)
	}
	plpID := fields[1]
	r = sky(t, h, "POST", "/shipments/b2w", `{"order_remote_codes":["`+remote+`"]}`)
	if r.status != 422 || !strings.Contains(skyError(t, r), "in PLP "+plpID+" already") {
		t.Fatalf("grouping twice: %d %s", r.status, r.body)
	}
	var plps struct {
		PLP []skyhub.PLP `json:"plp"`
	}
	sky(t, h, "GET", "/shipments/b2w", "").json(t, &plps)
	if len(plps.PLP) != 1 || plps.PLP[0].Type != "CORREIOS" || plps.PLP[0].Orders[0].Code != remote {
		t.Fatalf("PLPs: %+v", plps)
	}
	var view struct {
		Docs []map[string]any `json:"docsExternos"`
	}
	sky(t, h, "GET", "/shipments/b2w/view?plp_id="+plpID, "").json(t, &view)
	if len(view.Docs) != 1 || view.Docs[0]["docExterno"] != remote {
		t.Fatalf("view: %+v", view)
	}
	// Asked for a PDF, as SkyHub's SDK does to print labels: a real PDF,
	// one page a volume, naming the order and its AWB.
	pdf := do(t, h, "GET", "/skyhub/shipments/b2w/view?plp_id="+plpID, "", append([]string{"Accept: application/pdf"}, sellerAuth...)...)
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.body, []byte("%PDF-")) ||
		!bytes.Contains(pdf.body, []byte("%%EOF")) || !bytes.Contains(pdf.body, []byte("DX"+remote+"01")) ||
		bytes.Count(pdf.body, []byte("/Type /Page\n")) != 1 {
		t.Fatalf("PDF label: %d %s %.200q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
	}
	// Correios orders are never collectable.
	r = sky(t, h, "POST", "/shipments/b2w/confirm_collection", `{"order_codes":["`+remote+`"]}`)
	if r.status != 422 || !strings.Contains(skyError(t, r), "not a B2W Entrega Direct order") {
		t.Fatalf("collecting a Correios order: %d %s", r.status, r.body)
	}
	var e struct{ Result, Message string }
	r.json(t, &e)
	if e.Result != "erro" || e.Message == "" {
		t.Fatalf("/shipments/b2w error without result/message: %s", r.body)
	}
	// Ungroup by query, and by body.
	if r := sky(t, h, "DELETE", "/shipments/b2w?plp_id="+plpID, ""); r.status != 200 {
		t.Fatalf("ungroup: %d %s", r.status, r.body)
	}
	sky(t, h, "POST", "/shipments/b2w", `{"order_remote_codes":["`+remote+`"]}`).json(t, &msg)
	again := strings.Fields(msg.Message)[1]
	if r := sky(t, h, "DELETE", "/shipments/b2w", `{"plp_id":"`+again+`"}`); r.status != 200 {
		t.Fatalf("ungroup by body: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "DELETE", "/shipments/b2w", `{"plp_id":99}`); r.status != 404 {
		t.Fatalf("ungroup unknown: %d %s", r.status, r.body)
	}
}

// b2wOrder creates a paid B2W Direct (or Correios) order through the
// control plane, with the given SKUs (1 unit each).
func b2wOrder(t *testing.T, s *sandbox.Server, shipping oms.Shipping, skus ...string) (*oms.Order, string) {
	t.Helper()
	n := client.NewOrder{NewOrder: oms.NewOrder{Channel: oms.ChannelB2W, Shipping: shipping}}
	for _, sku := range skus {
		n.Items = append(n.Items, oms.NewItem{ID: sku, Name: "Item " + sku, Price: 5000, Quantity: 1})
	}
	o, err := s.Client.CreateOrder(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := s.OMS.Account(s.Account)
	if _, err := acct.Fire(o.OrderID, oms.ActionStartHandling, oms.BySeller); err != nil {
		t.Fatal(err)
	}
	return o, o.MarketplaceOrderID
}

func invoice(t *testing.T, s *sandbox.Server, id, number string, skus ...string) {
	t.Helper()
	acct, _ := s.OMS.Account(s.Account)
	var value int64
	req := oms.InvoiceRequest{Type: oms.InvoiceOutput, IssuanceDate: "2026-03-10", InvoiceNumber: number,
		InvoiceKey: ptrTo("35260311222333000181550010000010011000010019")}
	for _, sku := range skus {
		req.Items = append(req.Items, oms.InvoiceItem{ID: sku, Price: 5000, Quantity: 1})
		value += 5000
	}
	req.InvoiceValue = oms.Cents(value)
	if _, err := acct.Invoice(id, req); err != nil {
		t.Fatal(err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// bridgeEvents returns the bridge's events for an order, once the last is
// wantLast ("" for at once); the caller checks the whole sequence.
func bridgeEvents(t *testing.T, s *sandbox.Server, id string, wantLast string) []string {
	t.Helper()
	var got []string
	read := func() bool {
		got = nil
		for _, e := range s.EventLog.Events(events.Filter{OrderID: id}) {
			if strings.HasPrefix(e.Type, "b2w.") {
				got = append(got, e.Type)
			}
		}
		return wantLast == "" || (len(got) > 0 && got[len(got)-1] == wantLast)
	}
	if !read() {
		eventually(t, "the bridge's "+wantLast+" for "+id, read)
	}
	return got
}

func collectables(t *testing.T, s *sandbox.Server, requested string) []string {
	t.Helper()
	r := sky(t, s.Handler(), "GET", "/shipments/b2w/collectables?requested="+requested, "")
	var out struct {
		Orders []skyhub.Candidate `json:"orders"`
	}
	r.json(t, &out)
	var codes []string
	for _, o := range out.Orders {
		codes = append(codes, o.Code)
	}
	return codes
}

func TestColetaSingleItemPickupAfterItsInvoice(t *testing.T) {
	s := startSandbox(t)
	o, code := b2wOrder(t, s, oms.ShippingDirect, "A")
	var twin skyhub.Order
	sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), "").json(t, &twin)
	if twin.Status.Type != skyhub.Approved || twin.CalculationType == nil || *twin.CalculationType != skyhub.CalcDirect {
		t.Fatalf("twin: %+v", twin.Status)
	}
	invoice(t, s, o.OrderID, "NF-1", "A")
	got := bridgeEvents(t, s, o.OrderID, bridge.PickupRequested)
	if diff := cmp.Diff([]string{bridge.TwinCreated, bridge.InvoiceForwarded, bridge.Grouped, bridge.PickupRequested}, got); diff != "" {
		t.Fatalf("bridge steps (-want +got):\n%s", diff)
	}
	if c := collectables(t, s, "true"); len(c) != 1 || c[0] != skyhub.RemoteOf(code) {
		t.Fatalf("collectables?requested=true: %v", c)
	}
	// The forwarded invoice carries the NF-e's issuance date (2026-03-10,
	// a day in Brasília), not the sandbox time of forwarding.
	sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), "").json(t, &twin)
	if len(twin.Invoices) != 1 || twin.Invoices[0].IssueDate != "2026-03-10T00:00:00-03:00" {
		t.Fatalf("forwarded invoice: %+v", twin.Invoices)
	}
	// The order's own label, printable.
	// An Accept header of its own beside the client's usual JSON one, as
	// curl sends two -H Accept: any of them asking for PDF gets it.
	label := do(t, s.Handler(), "GET", "/skyhub/orders/"+url.PathEscape(code)+"/shipment_labels", "",
		append([]string{"Accept: application/json", "Accept: application/pdf"}, sellerAuth...)...)
	if label.status != 200 || label.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(label.body, []byte("%PDF-")) {
		t.Fatalf("shipment_labels as PDF: %d %s", label.status, label.header.Get("Content-Type"))
	}
	// B2W collects, then delivers: SHIPPED and DELIVERED reach the queue.
	if err := s.Client.SkyHubStep(ctx, code, "pickup"); err != nil {
		t.Fatal(err)
	}
	if err := s.Client.SkyHubStep(ctx, code, "delivered"); err != nil {
		t.Fatal(err)
	}
	sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), "").json(t, &twin)
	if twin.Status.Type != skyhub.Delivered {
		t.Fatalf("after pickup and delivery: %s", twin.Status.Type)
	}
}

func TestColetaTwoItemsWaitsForTheLastItem(t *testing.T) {
	s := startSandbox(t)
	o, _ := b2wOrder(t, s, oms.ShippingDirect, "A", "B")
	invoice(t, s, o.OrderID, "NF-1", "A")
	// Give the bridge the chance to do something wrong, then check it did not.
	other, _ := b2wOrder(t, s, oms.ShippingDirect, "C")
	invoice(t, s, other.OrderID, "NF-9", "C")
	bridgeEvents(t, s, other.OrderID, bridge.PickupRequested) // the bridge worked through its queue
	if got := bridgeEvents(t, s, o.OrderID, ""); !cmp.Equal(got, []string{bridge.TwinCreated}) {
		t.Fatalf("after the first of two items: %v", got)
	}
	invoice(t, s, o.OrderID, "NF-2", "B")
	got := bridgeEvents(t, s, o.OrderID, bridge.PickupRequested)
	if diff := cmp.Diff([]string{bridge.TwinCreated, bridge.InvoiceForwarded, bridge.Grouped, bridge.PickupRequested}, got); diff != "" {
		t.Fatalf("after the last item (-want +got):\n%s", diff)
	}
}

func TestColetaTwoItemsInOneInvoiceOnePickup(t *testing.T) {
	s := startSandbox(t)
	o, _ := b2wOrder(t, s, oms.ShippingDirect, "A", "B")
	invoice(t, s, o.OrderID, "NF-1", "A", "B")
	got := bridgeEvents(t, s, o.OrderID, bridge.PickupRequested)
	if n := strings.Count(strings.Join(got, ","), bridge.PickupRequested); n != 1 {
		t.Fatalf("%d pickups: %v", n, got)
	}
}

func TestColetaCorreiosGetsTheInvoiceAndNoPickup(t *testing.T) {
	s := startSandbox(t)
	o, code := b2wOrder(t, s, oms.ShippingCorreios, "A")
	invoice(t, s, o.OrderID, "NF-1", "A")
	got := bridgeEvents(t, s, o.OrderID, bridge.InvoiceForwarded)
	if !cmp.Equal(got, []string{bridge.TwinCreated, bridge.InvoiceForwarded}) {
		t.Fatalf("Correios: %v", got)
	}
	var twin skyhub.Order
	sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), "").json(t, &twin)
	if twin.Status.Type != skyhub.Invoiced || len(twin.Invoices) != 1 {
		t.Fatalf("Correios twin: %s %+v", twin.Status.Type, twin.Invoices)
	}
	if c := collectables(t, s, "true"); len(c) != 0 {
		t.Fatalf("a Correios order was collected: %v", c)
	}
}

func TestCancelBeforeInvoiceForwardsNothingButTheCancel(t *testing.T) {
	s := startSandbox(t)
	o, code := b2wOrder(t, s, oms.ShippingDirect, "A")
	acct, _ := s.OMS.Account(s.Account)
	if _, err := acct.Cancel(o.OrderID, oms.CancelRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := acct.Cancel(o.OrderID, oms.CancelRequest{}); err != nil { // confirm the request
		t.Fatal(err)
	}
	got := bridgeEvents(t, s, o.OrderID, bridge.CancelForwarded)
	if !cmp.Equal(got, []string{bridge.TwinCreated, bridge.CancelForwarded}) {
		t.Fatalf("cancel: %v", got)
	}
	var twin skyhub.Order
	sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), "").json(t, &twin)
	if twin.Status.Type != skyhub.Canceled || len(twin.Invoices) != 0 {
		t.Fatalf("twin after cancel: %s", twin.Status.Type)
	}
}

func TestColetaSurvivesSkyHubFailures(t *testing.T) {
	s := startSandbox(t)
	if _, err := s.Client.AddFault(ctx, faults.Rule{API: "skyhub", Method: "POST", Path: "/skyhub/shipments/b2w/confirm_collection", Status: 503, Times: 2}); err != nil {
		t.Fatal(err)
	}
	o, _ := b2wOrder(t, s, oms.ShippingDirect, "A")
	invoice(t, s, o.OrderID, "NF-1", "A")
	got := bridgeEvents(t, s, o.OrderID, bridge.StepFailed)
	if got[len(got)-1] != bridge.StepFailed {
		t.Fatalf("first failure: %v", got)
	}
	s.Client.AdvanceClock(ctx, 10*time.Second)
	waitCount(t, s, o.OrderID, bridge.StepFailed, 2)
	s.Client.AdvanceClock(ctx, 20*time.Second)
	got = bridgeEvents(t, s, o.OrderID, bridge.PickupRequested)
	if n := strings.Count(strings.Join(got, ","), bridge.PickupRequested); n != 1 {
		t.Fatalf("pickups after two failures: %v", got)
	}
	if n := strings.Count(strings.Join(got, ","), bridge.InvoiceForwarded); n != 1 {
		t.Fatalf("the invoice was forwarded %d times: %v", n, got)
	}
	entries, _ := s.Client.Journal(ctx, client.JournalFilter{API: "skyhub", Path: "/skyhub/shipments/b2w/confirm_collection"})
	if len(entries) != 3 || entries[0].Status != 503 || entries[2].Status != 201 || entries[2].Origin != bridge.Origin {
		t.Fatalf("confirm_collection calls: %d", len(entries))
	}
}

func waitCount(t *testing.T, s *sandbox.Server, id, typ string, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d %s events", n, typ), func() bool {
		return len(s.EventLog.Events(events.Filter{OrderID: id, Type: typ})) >= n
	})
}

func TestSkyHubTestOrderIsMirroredIntoVTEX(t *testing.T) {
	s := startSandbox(t)
	var seeded struct{ Total int }
	sky(t, s.Handler(), "GET", "/orders", "").json(t, &seeded)
	r := sky(t, s.Handler(), "POST", "/orders", strings.Replace(testOrder, "b2wentregacorreios", "b2wentregadirect", 1))
	var o skyhub.Order
	r.json(t, &o)
	acct, _ := s.OMS.Account(s.Account)
	if _, ok := acct.ByMarketplaceOrderID(o.Code); ok {
		t.Fatal("a NEW SkyHub order was mirrored before approval")
	}
	sky(t, s.Handler(), "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{"status":"payment_received"}`)
	var id string
	eventually(t, "the approved SkyHub order in VTEX", func() bool {
		var ok bool
		id, ok = acct.ByMarketplaceOrderID(o.Code)
		return ok
	})
	_ = acct.Read(id, func(v *oms.Order) error {
		if v.Status != oms.StatusReadyForHandling || v.Channel() != oms.ChannelB2W || v.Shipping() != oms.ShippingDirect ||
			v.Items[0].Price != 4990 || v.Items[0].Quantity != 2 || v.AffiliateID != "B2W" {
			t.Errorf("mirrored order: %s %s %+v", v.Status, v.Shipping(), v.Items[0].Price)
		}
		return nil
	})
	var twin struct{ Total int }
	sky(t, s.Handler(), "GET", "/orders", "").json(t, &twin)
	if twin.Total != seeded.Total+1 {
		t.Fatalf("the import created %d SkyHub orders, want the one", twin.Total-seeded.Total)
	}
}

var _ = json.Marshal

func TestSkyHubOnItsOwnHostAndListener(t *testing.T) {
	cfg := testConfig()
	cfg.SkyHub.Host = "api.skyhub.localhost"
	sb, err := sandbox.New(sandbox.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	byHost := do(t, sb.Handler(), "GET", "http://api.skyhub.localhost:8080/orders", "", sellerAuth...)
	byBase := do(t, sb.Handler(), "GET", "/skyhub/orders", "", sellerAuth...)
	own := do(t, sb.SkyHubHandler(), "GET", "/orders", "", sellerAuth...)
	for name, r := range map[string]response{"host": byHost, "base": byBase, "listener": own} {
		if r.status != 200 || !strings.Contains(string(r.body), `"total"`) {
			t.Errorf("SkyHub by %s: %d %s", name, r.status, r.body)
		}
	}
}

func TestDirectAndFulfillmentEligibility(t *testing.T) {
	h := newSandbox(t).Handler()
	key := "35260311222333000181550010000010011000010019"
	create := func(method string) (string, string) {
		body := `{"order":{"calculation_type":"b2wentregadirect","shipping_method":"` + method + `","items":[{"id":"X","qty":1,"original_price":10}]}}`
		var o skyhub.Order
		sky(t, h, "POST", "/orders", body).json(t, &o)
		sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{}`)
		return o.Code, o.ImportInfo.RemoteCode
	}
	toGroup := func() []string {
		var out struct {
			Orders []skyhub.Candidate `json:"orders"`
		}
		sky(t, h, "GET", "/shipments/b2w/to_group", "").json(t, &out)
		var codes []string
		for _, c := range out.Orders {
			codes = append(codes, c.Code)
		}
		return codes
	}
	direct, directRemote := create("")
	fulfillment, fulfillmentRemote := create(skyhub.FulfillmentMethod)
	if got := toGroup(); len(got) != 0 {
		t.Fatalf("approved Direct orders are groupable before their invoice: %v", got)
	}
	for _, code := range []string{direct, fulfillment} {
		sky(t, h, "POST", "/orders/"+url.PathEscape(code)+"/invoice", `{"invoice":{"key":"`+key+`"}}`)
	}
	if got := toGroup(); !cmp.Equal(got, []string{directRemote}) {
		t.Fatalf("to_group after the invoices: %v, want the Direct order only", got)
	}
	r := sky(t, h, "POST", "/shipments/b2w", `{"order_remote_codes":["`+fulfillmentRemote+`"]}`)
	if r.status != 422 || !strings.Contains(skyError(t, r), "B2W Fulfillment") {
		t.Fatalf("grouping a Fulfillment order: %d %s", r.status, r.body)
	}
	r = sky(t, h, "POST", "/shipments/b2w/confirm_collection", `{"order_codes":["`+directRemote+`"]}`)
	if r.status != 422 || !strings.Contains(skyError(t, r), "group it first") {
		t.Fatalf("collecting an ungrouped order: %d %s", r.status, r.body)
	}
	if r := sky(t, h, "POST", "/shipments/b2w/confirm_collection", `{"order_codes":["999999999999"]}`); r.status != 404 {
		t.Fatalf("collecting an unknown order: %d %s", r.status, r.body)
	}
}

func TestManualInvoiceProcessingHoldsThePickup(t *testing.T) {
	cfg := testConfig()
	cfg.SkyHub.ManualInvoiceProcessing = true
	s := startSandbox(t, sandbox.WithConfig(cfg))
	o, code := b2wOrder(t, s, oms.ShippingDirect, "A")
	invoice(t, s, o.OrderID, "NF-1", "A")
	// The label is not ready: grouping fails and is retried.
	waitCount(t, s, o.OrderID, bridge.StepFailed, 1)
	if err := s.Client.SkyHubStep(ctx, code, "process-invoice"); err != nil {
		t.Fatal(err)
	}
	s.Client.AdvanceClock(ctx, 10*time.Second)
	got := bridgeEvents(t, s, o.OrderID, bridge.PickupRequested)
	if n := strings.Count(strings.Join(got, ","), bridge.PickupRequested); n != 1 {
		t.Fatalf("pickups: %v", got)
	}
	err := s.Client.SkyHubStep(ctx, "Lojas Americanas-000", "pickup")
	wantError(t, err, 404, "not found")
}

// seededB2W returns the seeded B2W order of an account and its SkyHub code.
func seededB2W(t *testing.T, s *sandbox.Server, account string) (id, code string) {
	t.Helper()
	acct, _ := s.OMS.Account(account)
	for _, o := range acct.List(oms.Query{PerPage: 100}).List {
		if o.MarketPlaceOrderID != nil {
			return o.OrderID, *o.MarketPlaceOrderID
		}
	}
	t.Fatalf("%s has no seeded B2W order", account)
	return "", ""
}

func TestTheSeededB2WOrderHasItsSkyHubTwin(t *testing.T) {
	s := startSandbox(t)
	id, code := seededB2W(t, s, s.Account)
	if r := sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), ""); r.status != 200 {
		t.Fatalf("the seeded B2W order %s has no SkyHub twin: %d %s", code, r.status, r.body)
	}
	// Invoiced in VTEX, it reaches SkyHub and is collected, as any B2W order.
	acct, _ := s.OMS.Account(s.Account)
	if _, err := acct.Fire(id, oms.ActionStartHandling, oms.BySeller); err != nil {
		t.Fatal(err)
	}
	invoice(t, s, id, "NF-1", "SMARTWATCH-FIT")
	bridgeEvents(t, s, id, bridge.PickupRequested)
	// After a reset the twin is there again; a new account seeded alike gets its own.
	if err := s.Client.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if r := sky(t, s.Handler(), "GET", "/orders/"+url.PathEscape(code), ""); r.status != 200 {
		t.Fatalf("after a reset: %d %s", r.status, r.body)
	}
	a, err := s.Client.CreateAccount(ctx, client.Account{Name: "seeded-suite", Seed: "demostore"})
	if err != nil {
		t.Fatal(err)
	}
	_, code2 := seededB2W(t, s, a.Name)
	r := do(t, s.Handler(), "GET", "/skyhub/orders/"+url.PathEscape(code2), "", "X-User-Email: "+a.SkyHubEmail,
		"X-Api-Key: "+a.SkyHubAPIKey, "X-Accountmanager-Key: any")
	if r.status != 200 {
		t.Fatalf("a new seeded account's B2W twin: %d %s", r.status, r.body)
	}
}

func TestBridgeStopsRetryingWhatSkyHubRefusesForGood(t *testing.T) {
	s := startSandbox(t)
	// SkyHub refuses the invoice with a 422 (and a 429 once, retried).
	if _, err := s.Client.AddFault(ctx, faults.Rule{API: "skyhub", Method: "POST", Path: "/skyhub/orders/*/invoice", Status: 429, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.AddFault(ctx, faults.Rule{API: "skyhub", Method: "POST", Path: "/skyhub/orders/*/invoice", Status: 422, Times: 1}); err != nil {
		t.Fatal(err)
	}
	o, _ := b2wOrder(t, s, oms.ShippingDirect, "A")
	invoice(t, s, o.OrderID, "NF-1", "A")
	bridgeEvents(t, s, o.OrderID, bridge.StepFailed) // the 429: retried
	s.Client.AdvanceClock(ctx, 10*time.Second)
	got := bridgeEvents(t, s, o.OrderID, bridge.Failed)
	if diff := cmp.Diff([]string{bridge.TwinCreated, bridge.StepFailed, bridge.Failed}, got); diff != "" {
		t.Fatalf("bridge steps (-want +got):\n%s", diff)
	}
	failed := s.EventLog.Events(events.Filter{OrderID: o.OrderID, Type: bridge.Failed})
	if failed[0].Data["status"] != float64(422) && failed[0].Data["status"] != 422 || !strings.Contains(fmt.Sprint(failed[0].Data["error"]), "422") {
		t.Fatalf("b2w.failed says: %v", failed[0].Data)
	}
	// Nothing more is tried, however long the clock runs.
	s.Client.AdvanceClock(ctx, time.Hour)
	if entries, _ := s.Client.Journal(ctx, client.JournalFilter{API: "skyhub", Method: "POST", Path: "/skyhub/orders/*/invoice"}); len(entries) != 2 {
		t.Fatalf("invoice calls: %d, want the 429 and the 422", len(entries))
	}
}

func TestSkyHubAtTheRootForRequestsWithItsHeaders(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	// As SkyHub's PHP SDK sends it with http://127.0.0.1:8080 as its base.
	r := do(t, h, "GET", "/orders?page=1&per_page=5", "", sellerAuth...)
	var list struct{ Total int }
	r.json(t, &list)
	if r.status != 200 || list.Total == 0 {
		t.Fatalf("SkyHub's GET /orders at the root: %d %s", r.status, r.body)
	}
	if r := do(t, h, "GET", "/queues/orders", "", sellerAuth...); r.status != 200 {
		t.Fatalf("SkyHub's queue at the root: %d %s", r.status, r.body)
	}
	// Wrong SkyHub credentials at the root get SkyHub's 401, not VTEX's.
	r = do(t, h, "GET", "/orders", "", "X-User-Email: seller@demostore.com.br", "X-Api-Key: wrong", "X-Accountmanager-Key: x")
	if r.status != 401 || !strings.Contains(skyError(t, r), "Invalid X-User-Email or X-Api-Key") {
		t.Fatalf("wrong credentials at the root: %d %s", r.status, r.body)
	}
	// VTEX's paths stay VTEX's, whatever headers come along.
	if r := do(t, h, "GET", "/api/oms/pvt/orders", "", append(append([]string{}, demoAuth...), sellerAuth...)...); r.status != 200 {
		t.Fatalf("VTEX with SkyHub headers too: %d %s", r.status, r.body)
	}
	if e := sb.Journal.Entries(journal.Filter{API: "skyhub", Path: "/skyhub/orders"}); len(e) < 2 {
		t.Fatalf("root requests journaled as SkyHub's: %d", len(e))
	}
}

// The marketplace cancels an order (control plane's cancel step): it is
// CANCELED and back in the seller's queue; a second cancel is refused.
func TestSkyHubMarketplaceCancelQueuesTheOrder(t *testing.T) {
	s := startSandbox(t)
	ctx := t.Context()
	h := s.Handler()
	var o skyhub.Order
	sky(t, h, "POST", "/orders", testOrder).json(t, &o)
	sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{}`)
	for r := sky(t, h, "GET", "/queues/orders", ""); r.status == 200; r = sky(t, h, "GET", "/queues/orders", "") {
		var q skyhub.Order
		r.json(t, &q)
		sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(q.Code), "")
	}
	if err := s.Client.SkyHubStep(ctx, o.Code, "cancel"); err != nil {
		t.Fatal(err)
	}
	var got skyhub.Order
	sky(t, h, "GET", "/queues/orders", "").json(t, &got)
	if got.Code != o.Code || got.Status.Type != skyhub.Canceled {
		t.Fatalf("queue after the marketplace's cancel: %s %s", got.Code, got.Status.Type)
	}
	wantError(t, s.Client.SkyHubStep(ctx, o.Code, "cancel"), 409, "")
}

func TestAStatusSetBetweenAQueueReadAndItsDeleteIsNotLost(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	var seeded skyhub.Order
	sky(t, h, "GET", "/queues/orders", "").json(t, &seeded)
	sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(seeded.Code), "")
	var o, got skyhub.Order
	sky(t, h, "POST", "/orders", testOrder).json(t, &o)
	sky(t, h, "GET", "/queues/orders", "").json(t, &got) // the ERP reads it NEW...
	if got.Status.Type != skyhub.New {
		t.Fatalf("first read: %s", got.Status.Type)
	}
	sky(t, h, "POST", "/orders/"+url.PathEscape(o.Code)+"/approval", `{}`)                       // ...the marketplace approves it...
	if r := sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(o.Code), ""); r.status != 204 { // ...the ERP deletes what it read
		t.Fatalf("delete: %d", r.status)
	}
	r := sky(t, h, "GET", "/queues/orders", "")
	r.json(t, &got)
	if r.status != 200 || got.Code != o.Code || got.Status.Type != skyhub.Approved {
		t.Fatalf("the approval set between the read and the delete was lost: %d %s", r.status, got.Status.Type)
	}
	sky(t, h, "DELETE", "/queues/orders/"+url.PathEscape(o.Code), "")
	if r := sky(t, h, "GET", "/queues/orders", ""); r.status != 204 {
		t.Fatalf("after the second delete: %d", r.status)
	}
}
