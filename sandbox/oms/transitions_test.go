package oms

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The documented flows of the reference (vtex-oms.md §3.2).
var (
	completeFlow = []Status{StatusOrderCreated, StatusOnOrderCompleted, StatusWaitingForAuthorization,
		StatusPaymentPending, StatusPaymentApproved, StatusWindowToCancel, StatusReadyForHandling,
		StatusStartHandling, StatusHandling, StatusInvoice, StatusInvoiced}
	sellerFlow = []Status{StatusOrderAccepted, StatusWaitingFfmtAuthorization, StatusAuthorizeFulfillment,
		StatusWindowToCancel, StatusReadyForHandling, StatusStartHandling, StatusHandling, StatusInvoice, StatusInvoiced}
)

func TestTableUsesOnlyModelledStatuses(t *testing.T) {
	for _, tr := range transitions {
		for _, s := range []Status{tr.From, tr.To} {
			info, ok := s.Info()
			if !ok || !info.Modelled {
				t.Errorf("row %s -%s-> %s uses %q, which is not a modelled status", tr.From, tr.Action, tr.To, s)
			}
		}
	}
}

func TestEveryModelledStatusIsReachable(t *testing.T) {
	reach := map[Status]bool{StatusOrderCreated: true, StatusOrderAccepted: true}
	for changed := true; changed; {
		changed = false
		for _, tr := range transitions {
			if reach[tr.From] && !reach[tr.To] {
				reach[tr.To], changed = true, true
			}
		}
	}
	for _, info := range statuses {
		if info.Modelled && !reach[info.Status] {
			t.Errorf("status %s is modelled but no flow reaches it", info.Status)
		}
		if !info.Modelled && info.Why == "" {
			t.Errorf("status %s is not modelled and does not say why", info.Status)
		}
	}
}

func TestInvoicedAndCanceledAreFinal(t *testing.T) {
	for _, s := range []Status{StatusInvoiced, StatusCanceled} {
		if !s.Final() {
			t.Errorf("%s is not marked final", s)
		}
	}
	for _, tr := range transitions {
		if tr.From.Final() {
			t.Errorf("final status %s has an outgoing row -%s-> %s", tr.From, tr.Action, tr.To)
		}
	}
}

func TestTransientStatusesLeaveAtOnce(t *testing.T) {
	for _, info := range statuses {
		if !info.Transient || !info.Modelled {
			continue
		}
		n := 0
		for _, tr := range transitions {
			if tr.From == info.Status {
				n++
				if !tr.Auto {
					t.Errorf("transient %s has a non-automatic row -%s->", info.Status, tr.Action)
				}
			}
		}
		if n != 1 {
			t.Errorf("transient %s has %d rows, want exactly one automatic row", info.Status, n)
		}
	}
}

func TestDocumentedFlowsFollowTheTable(t *testing.T) {
	for name, flow := range map[string][]Status{"complete": completeFlow, "seller": sellerFlow} {
		for i := 1; i < len(flow); i++ {
			found := slices.ContainsFunc(transitions, func(tr Transition) bool { return tr.From == flow[i-1] && tr.To == flow[i] })
			if !found {
				t.Errorf("%s flow: no row %s -> %s", name, flow[i-1], flow[i])
			}
		}
	}
	path, ok := PathTo(StatusOrderCreated, StatusReadyForHandling, ByPlatform)
	want := []Action{ActionRequestAuthorization, ActionRequestPayment, ActionApprovePayment,
		ActionOpenWindowToCancel, ActionCloseWindowToCancel}
	if !ok || !cmp.Equal(path, want) {
		t.Errorf("PathTo(order-created, ready-for-handling) = %v, %v; want %v", path, ok, want)
	}
	if _, ok := PathTo(StatusReadyForHandling, StatusHandling, ByPlatform); ok {
		t.Error("the platform can start handling; only the seller may")
	}
	if _, ok := PathTo(StatusInvoiced, StatusCanceled, byAnyone); ok {
		t.Error("an invoiced order can be canceled")
	}
}

func TestStartHandlingOnlyFromReadyForHandling(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, info := range statuses {
		o := &Order{OrderID: "1172452900788-01"}
		enter(o, info.Status, now)
		before := *o
		changes, err := fire(o, ActionStartHandling, BySeller, now.Add(time.Minute), nil)
		if info.Status == StatusReadyForHandling {
			want := []Change{{StatusReadyForHandling, StatusStartHandling, ActionStartHandling, now},
				{StatusStartHandling, StatusHandling, ActionHandle, now.Add(time.Minute)}}
			if err != nil || !cmp.Equal(changes, want) || o.Status != StatusHandling {
				t.Errorf("from ready-for-handling: %v, %v, status %s", changes, err, o.Status)
			}
			continue
		}
		e, ok := AsError(err)
		if !ok || e.Kind != KindConflict || e.Code != "OMS003" ||
			e.Message != "Order status should be ready-for-handling to perform this action" {
			t.Errorf("from %s: err = %#v, want OMS003 conflict", info.Status, err)
		}
		if diff := cmp.Diff(before, *o, cmp.AllowUnexported(Order{})); diff != "" {
			t.Errorf("from %s: refused start-handling changed the order (-before +after):\n%s", info.Status, diff)
		}
	}
}

func TestInvoiceNeedsTheFullValue(t *testing.T) {
	now := time.Now()
	o := &Order{OrderID: "1-01", Value: 1000}
	enter(o, StatusHandling, now)
	o.PackageAttachment.Packages = []Package{{Type: InvoiceOutput, InvoiceValue: 600}}
	if _, err := fire(o, ActionInvoice, BySeller, now, nil); err == nil || o.Status != StatusHandling {
		t.Fatalf("partial invoice moved the order: %v, %s", err, o.Status)
	}
	o.PackageAttachment.Packages = append(o.PackageAttachment.Packages, Package{Type: InvoiceOutput, InvoiceValue: 400})
	if _, err := fire(o, ActionInvoice, BySeller, now, nil); err != nil || o.Status != StatusInvoiced || o.InvoicedDate == nil {
		t.Fatalf("full invoice: %v, %s", err, o.Status)
	}
}

func TestCancelRules(t *testing.T) {
	now := time.Now()
	tests := []struct {
		from Status
		want Status // "" = refused
	}{
		{StatusPaymentPending, StatusCanceled},
		{StatusWindowToCancel, StatusCanceled},
		{StatusReadyForHandling, StatusCanceled},
		{StatusHandling, StatusCancellationRequested},
		{StatusCancellationRequested, StatusCanceled},
		{StatusInvoiced, ""},
		{StatusCanceled, ""},
	}
	for _, tt := range tests {
		o := &Order{OrderID: "1-01"}
		enter(o, tt.from, now)
		_, err := fire(o, ActionCancel, BySeller, now, nil)
		if tt.want == "" {
			if err == nil {
				t.Errorf("cancel from %s accepted", tt.from)
			}
			continue
		}
		if err != nil || o.Status != tt.want {
			t.Errorf("cancel from %s: %v, status %s, want %s", tt.from, err, o.Status, tt.want)
		}
		if o.AllowCancellation != (tt.want == StatusCancellationRequested) {
			t.Errorf("cancel from %s: allowCancellation = %v in %s", tt.from, o.AllowCancellation, o.Status)
		}
	}
	// A partly invoiced order in handling: refused as invalid (VTEX: 400).
	o := &Order{OrderID: "1-01", Value: 1000}
	enter(o, StatusHandling, now)
	o.PackageAttachment.Packages = []Package{{Type: InvoiceOutput, InvoiceValue: 1}}
	if _, err := fire(o, ActionCancel, BySeller, now, nil); err == nil {
		t.Error("partly invoiced order canceled")
	} else if e, _ := AsError(err); e.Kind != KindInvalid {
		t.Errorf("partly invoiced cancel: kind %v, want invalid", e.Kind)
	}
}
