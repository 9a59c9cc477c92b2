package oms

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/omsbox/omsbox/sandbox/events"
)

// twoItems is an order of 2 Camisetas (4990) and 1 Tênis (29990), shipping
// 1590: value 41560.
func twoItems(t *testing.T) (*Account, string, *[]events.Event) {
	t.Helper()
	a, evs := newAccount(t, "demostore")
	id, err := a.Create(NewOrder{Status: StatusHandling, Items: []NewItem{
		{ID: "CAM", Name: "Camiseta", Price: 4990, Quantity: 2},
		{ID: "TEN", Name: "Tênis", Price: 29990, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	*evs = nil
	return a, id, evs
}

func inv(number string, value int64, items ...InvoiceItem) InvoiceRequest {
	return InvoiceRequest{Type: InvoiceOutput, IssuanceDate: "2026-03-10", InvoiceNumber: number,
		InvoiceValue: Cents(value), Items: items}
}

func snapshot(t *testing.T, a *Account, id string) string {
	t.Helper()
	var b []byte
	_ = a.Read(id, func(o *Order) error { b, _ = json.Marshal(o); return nil })
	return string(b)
}

func TestInvoiceRules(t *testing.T) {
	full := inv("NF-1", 41560, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2}, InvoiceItem{ID: "TEN", Price: 29990, Quantity: 1})
	tests := []struct {
		name       string
		invoices   []InvoiceRequest
		wantStatus Status
		wantErr    string // of the last invoice
	}{
		{"full invoice", []InvoiceRequest{full}, StatusInvoiced, ""},
		{"two partial invoices reach the value", []InvoiceRequest{
			inv("NF-1", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2}),
			inv("NF-2", 31580, InvoiceItem{ID: "TEN", Price: 29990, Quantity: 1})}, StatusInvoiced, ""},
		{"one partial invoice stays handling", []InvoiceRequest{
			inv("NF-1", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2})}, StatusHandling, ""},
		{"over-invoicing a quantity", []InvoiceRequest{
			inv("NF-1", 4990, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 1}),
			inv("NF-2", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2})}, StatusHandling, "exceeds what the order holds"},
		{"re-posting an invoice number replaces it", []InvoiceRequest{
			inv("NF-1", 4990, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 1}),
			inv("NF-1", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2})}, StatusHandling, ""},
		{"unknown SKU", []InvoiceRequest{inv("NF-1", 100, InvoiceItem{ID: "NOPE", Price: 1, Quantity: 1})}, StatusHandling, `items[0].id "NOPE" is not an item`},
		{"zero value", []InvoiceRequest{inv("NF-1", 0, InvoiceItem{ID: "CAM", Price: 1, Quantity: 1})}, StatusHandling, "invoiceValue must be a positive"},
		{"no items", []InvoiceRequest{inv("NF-1", 100)}, StatusHandling, "items must list"},
		{"bad issuance date", []InvoiceRequest{{Type: InvoiceOutput, IssuanceDate: "yesterday", InvoiceNumber: "X", InvoiceValue: 1,
			Items: []InvoiceItem{{ID: "CAM", Price: 1, Quantity: 1}}}}, StatusHandling, "issuanceDate"},
		{"bad type", []InvoiceRequest{{Type: "Sale", IssuanceDate: "2026-03-10", InvoiceNumber: "X", InvoiceValue: 1,
			Items: []InvoiceItem{{ID: "CAM", Price: 1, Quantity: 1}}}}, StatusHandling, "type must be Output or Input"},
		{"return before fully invoiced", []InvoiceRequest{{Type: InvoiceInput, IssuanceDate: "2026-03-10", InvoiceNumber: "R-1",
			InvoiceValue: 4990, Items: []InvoiceItem{{ID: "CAM", Price: 4990, Quantity: 1}}}}, StatusHandling, "Input (return) invoice needs the order fully invoiced"},
		{"return after full invoice", []InvoiceRequest{full, {Type: InvoiceInput, IssuanceDate: "2026-03-10", InvoiceNumber: "R-1",
			InvoiceValue: 4990, Items: []InvoiceItem{{ID: "CAM", Price: 4990, Quantity: 1}}}}, StatusInvoiced, ""},
		{"returning more than invoiced", []InvoiceRequest{full, {Type: InvoiceInput, IssuanceDate: "2026-03-10", InvoiceNumber: "R-1",
			InvoiceValue: 4990, Items: []InvoiceItem{{ID: "TEN", Price: 29990, Quantity: 2}}}}, StatusInvoiced, "returning 2"},
		{"output after invoiced", []InvoiceRequest{full, inv("NF-2", 100, InvoiceItem{ID: "CAM", Price: 1, Quantity: 1})}, StatusInvoiced, "OMS003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, id, _ := twoItems(t)
			var err error
			var before string
			for _, req := range tt.invoices {
				before = snapshot(t, a, id)
				_, err = a.Invoice(id, req)
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" {
				e, ok := AsError(err)
				if !ok || !strings.Contains(e.Code+" "+e.Message, tt.wantErr) {
					t.Fatalf("error = %v, want it to mention %q", err, tt.wantErr)
				}
				if after := snapshot(t, a, id); after != before {
					t.Fatal("a refused invoice changed the order")
				}
			}
			if got := statusOf(t, a, id); got != tt.wantStatus {
				t.Fatalf("status %s, want %s", got, tt.wantStatus)
			}
		})
	}
}

func TestInvoiceEventsTellWhenEveryItemIsInvoiced(t *testing.T) {
	a, id, evs := twoItems(t)
	if _, err := a.Invoice(id, inv("NF-1", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2})); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Invoice(id, inv("NF-2", 31580, InvoiceItem{ID: "TEN", Price: 29990, Quantity: 1})); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range *evs {
		s := e.Type
		if e.Type == events.InvoiceAdded {
			s += ":" + e.Data["invoiceNumber"].(string) + ":" + map[bool]string{true: "all", false: "some"}[e.Data["allItemsInvoiced"].(bool)]
		} else {
			s += ":" + e.To
		}
		got = append(got, s)
	}
	want := []string{"invoice.added:NF-1:some", "invoice.added:NF-2:all",
		"order.status-changed:invoice", "order.status-changed:invoiced"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
}

func TestTracking(t *testing.T) {
	a, id, _ := twoItems(t)
	full := inv("NF-1", 41560, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2}, InvoiceItem{ID: "TEN", Price: 29990, Quantity: 1})
	if _, err := a.Invoice(id, full); err != nil {
		t.Fatal(err)
	}
	events := TrackingEventsRequest{Events: []TrackingEvent{{City: "São Paulo", State: "SP", Description: "Em trânsito", Date: "2026-03-11"}}}
	_, err := a.UpdateTrackingEvents(id, "NF-1", events)
	if e, ok := AsError(err); !ok || e.Kind != KindConflict || !strings.Contains(e.Message, "has no tracking number") {
		t.Fatalf("tracking events before a tracking number: %v", err)
	}
	if _, err := a.UpdateTracking(id, "NF-9", TrackingRequest{TrackingNumber: "BR1"}); err == nil {
		t.Fatal("tracking of an unknown invoice accepted")
	} else if e, _ := AsError(err); e.Kind != KindNotFound {
		t.Fatalf("unknown invoice: %v", err)
	}
	courier := "Transportadora Rápida"
	if _, err := a.UpdateTracking(id, "NF-1", TrackingRequest{TrackingNumber: "BR123456789", Courier: &courier}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateTrackingEvents(id, "NF-1", events); err != nil {
		t.Fatal(err)
	}
	bad := "11/03/2026"
	if _, err := a.UpdateTrackingEvents(id, "NF-1", TrackingEventsRequest{IsDelivered: true, DeliveredDate: &bad}); err == nil {
		t.Fatal("deliveredDate in the wrong layout accepted")
	}
	when := "2026-03-12 14:30"
	if _, err := a.UpdateTrackingEvents(id, "NF-1", TrackingEventsRequest{IsDelivered: true, DeliveredDate: &when, Events: events.Events}); err != nil {
		t.Fatal(err)
	}
	_ = a.Read(id, func(o *Order) error {
		p := o.PackageAttachment.Packages[0]
		if o.Status != StatusInvoiced || p.CourierStatus == nil || !p.CourierStatus.Finished || p.CourierStatus.DeliveredDate != when ||
			*p.TrackingNumber != "BR123456789" || *p.Courier != courier || len(p.CourierStatus.Data) != 1 {
			t.Errorf("after delivery: status %s package %+v", o.Status, p)
		}
		return nil
	})
}

func TestChangeRules(t *testing.T) {
	tests := []struct {
		name      string
		req       ChangeRequest
		wantValue int64
		wantErr   string
	}{
		{"discount", ChangeRequest{RequestID: "r1", Reason: "cupom", DiscountValue: 1000}, 40560, ""},
		{"increment", ChangeRequest{RequestID: "r1", Reason: "embrulho", IncrementValue: 500}, 42060, ""},
		{"remove one camiseta", ChangeRequest{RequestID: "r1", Reason: "sem estoque", ItemsRemoved: []ChangeItem{{ID: "CAM", Price: 4990, Quantity: 1}}}, 36570, ""},
		{"add a new SKU", ChangeRequest{RequestID: "r1", Reason: "brinde", ItemsAdded: []ChangeItem{{ID: "MEIA", Name: "Meia", Price: 990, Quantity: 3}}}, 44530, ""},
		{"discount not smaller than the value", ChangeRequest{RequestID: "r1", Reason: "x", DiscountValue: 41560}, 41560, "must be smaller than the order value"},
		{"remove more than the order holds", ChangeRequest{RequestID: "r1", Reason: "x", ItemsRemoved: []ChangeItem{{ID: "TEN", Price: 29990, Quantity: 2}}}, 41560, "fewer than 2 uninvoiced units"},
		{"no request id", ChangeRequest{Reason: "x", DiscountValue: 1}, 41560, "requestId is empty"},
		{"no reason", ChangeRequest{RequestID: "r1", DiscountValue: 1}, 41560, "reason is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, id, _ := twoItems(t)
			before := snapshot(t, a, id)
			r, err := a.Change(id, tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if snapshot(t, a, id) != before {
					t.Fatal("a refused change changed the order")
				}
				return
			}
			if err != nil || r.Receipt == "" {
				t.Fatalf("change: %v %+v", err, r)
			}
			_ = a.Read(id, func(o *Order) error {
				var sum int64
				for _, tot := range o.Totals {
					sum += tot.Value
				}
				if o.Value != tt.wantValue || sum != o.Value || len(o.ChangesAttachment.ChangesData) != 1 {
					t.Errorf("value %d (totals %d), want %d; changes %+v", o.Value, sum, tt.wantValue, o.ChangesAttachment)
				}
				return nil
			})
		})
	}
}

func TestChangeIsIdempotentAndBounded(t *testing.T) {
	a, id, _ := twoItems(t)
	req := ChangeRequest{RequestID: "same", Reason: "cupom", DiscountValue: 100}
	first, err := a.Change(id, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.Change(id, req)
	if err != nil || again != first {
		t.Fatalf("repeat: %+v %v, want the first receipt %+v", again, err, first)
	}
	for i := 1; i < MaxChanges; i++ {
		if _, err := a.Change(id, ChangeRequest{RequestID: string(rune('a'+i%26)) + strings.Repeat("x", i), Reason: "r", DiscountValue: 1}); err != nil {
			t.Fatalf("change %d: %v", i+1, err)
		}
	}
	if _, err := a.Change(id, ChangeRequest{RequestID: "one-too-many", Reason: "r", DiscountValue: 1}); err == nil || !strings.Contains(err.Error(), "50 changes") {
		t.Fatalf("change 51: %v", err)
	}
	_ = a.Read(id, func(o *Order) error {
		if o.Value != 41560-100-49 {
			t.Errorf("value %d after 50 changes", o.Value)
		}
		return nil
	})
	// Not in handling: refused with OMS003.
	b, _ := newAccount(t, "other")
	rfh, _ := b.Create(camiseta())
	if _, err := b.Change(rfh, req); err == nil || !strings.Contains(err.Error(), "should be handling") {
		t.Fatalf("change in ready-for-handling: %v", err)
	}
}

func TestCancel(t *testing.T) {
	reason := "cliente desistiu"
	tests := []struct {
		status Status
		want   Status
		err    string
	}{
		{StatusReadyForHandling, StatusCanceled, ""},
		{StatusWindowToCancel, StatusCanceled, ""},
		{StatusHandling, StatusCancellationRequested, ""},
		{StatusCanceled, StatusCanceled, "OMS003"},
	}
	for _, tt := range tests {
		a, _ := newAccount(t, "demostore")
		n := camiseta()
		n.Status = tt.status
		id, _ := a.Create(n)
		r, err := a.Cancel(id, CancelRequest{Reason: &reason})
		if tt.err != "" {
			if e, ok := AsError(err); !ok || e.Code != tt.err {
				t.Errorf("cancel from %s: %v", tt.status, err)
			}
			continue
		}
		if err != nil || r.OrderID != id {
			t.Fatalf("cancel from %s: %v", tt.status, err)
		}
		_ = a.Read(id, func(o *Order) error {
			if o.Status != tt.want || o.CancelReason == nil || *o.CancelReason != reason {
				t.Errorf("cancel from %s: %s, reason %v", tt.status, o.Status, o.CancelReason)
			}
			return nil
		})
	}
	// Invoiced (fully or in part) refuses, and the reason is not recorded.
	a, id, _ := twoItems(t)
	if _, err := a.Invoice(id, inv("NF-1", 9980, InvoiceItem{ID: "CAM", Price: 4990, Quantity: 2})); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, a, id)
	if _, err := a.Cancel(id, CancelRequest{Reason: &reason}); err == nil {
		t.Fatal("partly invoiced order canceled")
	} else if e, _ := AsError(err); e.Kind != KindInvalid {
		t.Fatalf("partly invoiced: %v", err)
	}
	if snapshot(t, a, id) != before {
		t.Fatal("refused cancel changed the order")
	}
}
