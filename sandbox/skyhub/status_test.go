package skyhub

import (
	"testing"
)

func TestTransitionTable(t *testing.T) {
	direct, none := CalcDirect, ""
	tests := []struct {
		from   Type
		action string
		by     Actor
		calc   *string
		want   Type // "" = refused with 422
	}{
		{New, "approval", ByMarketplace, nil, Approved},
		{New, "approval", BySeller, nil, ""},
		{Approved, "invoice", BySeller, nil, Invoiced},
		{New, "invoice", BySeller, nil, ""},
		{Invoiced, "shipments", BySeller, &none, Shipped},
		{Invoiced, "shipments", BySeller, &direct, ""}, // B2W ships B2W Entrega orders
		{Invoiced, "shipments", ByMarketplace, &direct, Shipped},
		{Shipped, "delivery", BySeller, nil, Delivered},
		{Shipped, "delivery", BySeller, &direct, ""},
		{Shipped, "shipment_exception", BySeller, nil, ShipmentException},
		{ShipmentException, "delivery", BySeller, nil, Delivered},
		{Invoiced, "cancel", BySeller, nil, Canceled},
		{Shipped, "cancel", BySeller, nil, ""},
		{Delivered, "cancel", ByMarketplace, nil, ""},
		{Canceled, "approval", ByMarketplace, nil, ""},
	}
	for _, tt := range tests {
		o := &Order{Code: "Lojas Americanas-1", Status: statusOfType(tt.from), CalculationType: tt.calc}
		got, err := move(o, tt.action, tt.by)
		if tt.want == "" {
			e, ok := err.(*Error)
			if !ok || e.Status != 422 {
				t.Errorf("%s %s by %d: %v, %v; want a 422", tt.from, tt.action, tt.by, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %s by %d: %v, %v; want %s", tt.from, tt.action, tt.by, got, err, tt.want)
		}
	}
}

func TestEveryTypeIsReachableFromNew(t *testing.T) {
	reach := map[Type]bool{New: true}
	for changed := true; changed; {
		changed = false
		for _, tr := range transitions {
			for _, f := range tr.From {
				if reach[f] && !reach[tr.To] {
					reach[tr.To], changed = true, true
				}
			}
		}
	}
	for _, s := range statuses {
		if !reach[s.Type] {
			t.Errorf("status type %s is unreachable", s.Type)
		}
	}
}

func TestRemoteOf(t *testing.T) {
	for code, want := range map[string]string{
		"Lojas Americanas-265358194401":     "265358194401",
		"Lojas Americanas-1517940500554-01": "1517940500554-01",
		"265358194401":                      "265358194401",
		"Submarino-42":                      "42",
	} {
		if got := RemoteOf(code); got != want {
			t.Errorf("RemoteOf(%q) = %q, want %q", code, got, want)
		}
	}
}
