package sandbox_test

import (
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// handlingOrder creates a 2-item order in handling: 2 × CAM at 4990 and
// 1 × TEN at 29990, shipping 1590: value 41560.
func handlingOrder(t testing.TB, sb *sandbox.Sandbox) string {
	t.Helper()
	acct, _ := sb.OMS.Account("demostore")
	id, err := acct.Create(oms.NewOrder{Status: oms.StatusHandling, Items: []oms.NewItem{
		{ID: "CAM", Name: "Camiseta", Price: 4990, Quantity: 2},
		{ID: "TEN", Name: "Tênis", Price: 29990, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

const fullInvoice = `{"type":"Output","issuanceDate":"2026-03-10T12:00:00Z","invoiceNumber":"NF-1001","invoiceValue":"41560",
	"invoiceKey":"35260312345678000190550010000010011000010010","courier":"Transportadora","trackingNumber":"BR123",
	"items":[{"id":"CAM","price":4990,"quantity":2},{"id":"TEN","price":"29990","quantity":1}]}`

func TestInvoiceTrackingAndDeliveryThroughTheAPI(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := handlingOrder(t, sb)
	base := "/api/oms/pvt/orders/" + id

	r := do(t, h, "POST", base+"/invoice", fullInvoice, demoAuth...)
	var receipt oms.Receipt
	r.json(t, &receipt)
	if r.status != 200 || receipt.OrderID != id || len(receipt.Receipt) != 32 {
		t.Fatalf("invoice: %d %s", r.status, r.body)
	}
	var o oms.Order
	do(t, h, "GET", base, "", demoAuth...).json(t, &o)
	if o.Status != oms.StatusInvoiced || len(o.PackageAttachment.Packages) != 1 || o.PackageAttachment.Packages[0].InvoiceValue != 41560 || o.InvoicedDate == nil {
		t.Fatalf("after full invoice: %s %+v", o.Status, o.PackageAttachment)
	}
	r = do(t, h, "PATCH", base+"/invoice/NF-1001", `{"trackingNumber":"BR999","trackingUrl":"https://rastreio.example/BR999","courier":"Correios","dispatchedDate":null}`, demoAuth...)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r = do(t, h, "PUT", base+"/invoice/NF-1001/tracking", `{"isDelivered":true,"deliveredDate":"2026-03-12 14:30","events":[{"city":"São Paulo","state":"SP","description":"Entregue","date":"2026-03-12"}]}`, demoAuth...)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("put tracking: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	do(t, h, "GET", base, "", demoAuth...).json(t, &o)
	p := o.PackageAttachment.Packages[0]
	if o.Status != oms.StatusInvoiced || *p.TrackingNumber != "BR999" || p.CourierStatus == nil || !p.CourierStatus.Finished {
		t.Fatalf("after delivery: %s %+v", o.Status, p)
	}
}

func TestLifecycleErrorsInVTEXShape(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := handlingOrder(t, sb)
	invoiced := handlingOrder(t, sb)
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+invoiced+"/invoice", fullInvoice, demoAuth...); r.status != 200 {
		t.Fatalf("invoice: %s", r.body)
	}
	partly := handlingOrder(t, sb)
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+partly+"/invoice",
		`{"type":"Output","issuanceDate":"2026-03-10","invoiceNumber":"NF-7","invoiceValue":9980,"items":[{"id":"CAM","price":4990,"quantity":2}]}`, demoAuth...); r.status != 200 {
		t.Fatalf("partial invoice: %s", r.body)
	}
	rfh := orderIn(t, sb, oms.StatusReadyForHandling)

	tests := []struct {
		name, method, path, body string
		status                   int
		mentions                 string
	}{
		{"malformed JSON", "POST", id + "/invoice", `{"type":`, 400, "request body"},
		{"invoiceValue not numeric", "POST", id + "/invoice", strings.Replace(fullInvoice, `"41560"`, `"41,560"`, 1), 400, "invoiceValue"},
		{"quantity of the wrong type", "POST", id + "/invoice", strings.Replace(fullInvoice, `"quantity":1}`, `"quantity":"one"}`, 1), 400, "items/1/quantity"},
		{"missing invoiceNumber", "POST", id + "/invoice", strings.Replace(fullInvoice, `"invoiceNumber":"NF-1001",`, ``, 1), 400, "invoiceNumber"},
		{"over-invoicing", "POST", id + "/invoice", strings.Replace(fullInvoice, `"quantity":2`, `"quantity":3`, 1), 400, "exceeds what the order holds"},
		{"invoice before handling", "POST", rfh + "/invoice", fullInvoice, 409, "should be handling or cancellation-requested"},
		{"invoice of an unknown order", "POST", "1111111111111-01/invoice", fullInvoice, 404, "Order Not Found"},
		{"tracking of an unknown invoice", "PATCH", invoiced + "/invoice/NF-404", `{"trackingNumber":"BR1"}`, 404, "Invoice NF-404 not found"},
		{"tracking without a number", "PATCH", invoiced + "/invoice/NF-1001", `{"courier":"X"}`, 400, "trackingNumber"},
		{"events before a tracking number", "PUT", partly + "/invoice/NF-7/tracking", `{"isDelivered":false,"deliveredDate":null,"events":[]}`, 409, "has no tracking number"},
		{"events missing isDelivered", "PUT", invoiced + "/invoice/NF-1001/tracking", `{"deliveredDate":null,"events":[]}`, 400, "isDelivered"},
		{"change before handling", "POST", rfh + "/changes", `{"requestId":"r","reason":"x","discountValue":1,"incrementValue":0}`, 409, "should be handling"},
		{"change discount too big", "POST", id + "/changes", `{"requestId":"r","reason":"x","discountValue":41560,"incrementValue":0}`, 400, "smaller than the order value"},
		{"change negative discount", "POST", id + "/changes", `{"requestId":"r","reason":"x","discountValue":-1,"incrementValue":0}`, 400, "discountValue"},
		{"cancel invoiced", "POST", invoiced + "/cancel", `{"reason":"x"}`, 409, "Order status should be"},
		{"cancel partly invoiced", "POST", partly + "/cancel", `{}`, 400, "partially invoiced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/api/oms/pvt/orders/" + tt.path
			orderPath := "/api/oms/pvt/orders/" + strings.SplitN(tt.path, "/", 2)[0]
			before := do(t, h, "GET", orderPath, "", demoAuth...).body
			r := do(t, h, tt.method, target, tt.body, demoAuth...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if _, msg := r.vtexError(t); !strings.Contains(msg, tt.mentions) {
				t.Fatalf("message %q does not mention %q", msg, tt.mentions)
			}
			if after := do(t, h, "GET", orderPath, "", demoAuth...).body; string(after) != string(before) {
				t.Fatal("a refused call changed the order")
			}
		})
	}
}

func TestChangesAndCancelThroughTheAPI(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	id := handlingOrder(t, sb)
	change := `{"requestId":"chg-1","reason":"Produto sem estoque","discountValue":0,"incrementValue":0,"itemsRemoved":[{"id":"CAM","price":4990,"quantity":1}]}`
	first := do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/changes", change, demoAuth...)
	again := do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/changes", change, demoAuth...)
	if first.status != 200 || string(first.body) != string(again.body) {
		t.Fatalf("idempotent change: %s / %s", first.body, again.body)
	}
	var o oms.Order
	do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).json(t, &o)
	if o.Value != 41560-4990 || o.Items[0].Quantity != 1 || len(o.ChangesAttachment.ChangesData) != 1 {
		t.Fatalf("after change: value %d items %+v", o.Value, o.Items[0].Quantity)
	}

	// Cancel: from handling a request first, then the second cancel confirms.
	r := do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/cancel", `{"reason":"Cliente desistiu"}`, demoAuth...)
	do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).json(t, &o)
	if r.status != 200 || o.Status != oms.StatusCancellationRequested {
		t.Fatalf("first cancel: %d %s", r.status, o.Status)
	}
	r = do(t, h, "POST", "/api/oms/pvt/orders/"+id+"/cancel", "", demoAuth...)
	do(t, h, "GET", "/api/oms/pvt/orders/"+id, "", demoAuth...).json(t, &o)
	if r.status != 200 || o.Status != oms.StatusCanceled || o.CancelReason == nil || o.CancellationData == nil || o.CancellationData.CancellationDate == nil {
		t.Fatalf("second cancel: %d %s %+v", r.status, o.Status, o.CancellationData)
	}
	// Before handling, at once.
	rfh := orderIn(t, sb, oms.StatusReadyForHandling)
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+rfh+"/cancel", `{"reason":"x","requestedByUser":true}`, demoAuth...); r.status != 200 {
		t.Fatalf("cancel ready-for-handling: %s", r.body)
	}
	do(t, h, "GET", "/api/oms/pvt/orders/"+rfh, "", demoAuth...).json(t, &o)
	if o.Status != oms.StatusCanceled || !o.CancellationData.RequestedByUser {
		t.Fatalf("cancel ready-for-handling: %s %+v", o.Status, o.CancellationData)
	}
}
