package reference

import "testing"

func TestCorreiosCodeChecksTheS10CheckDigit(t *testing.T) {
	for code, want := range map[string]bool{
		"AA123456785BR": true,
		"QN242960623BR": false, // check digit wrong
		"AA123456785US": false, // another country's post
		"BR1001":        false,
		"aa123456785BR": false,
	} {
		if got := CorreiosCode(code); got != want {
			t.Errorf("CorreiosCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestDeliveredOnlyOnADeliveryEvent(t *testing.T) {
	for _, c := range []struct {
		codigo, tipo        string
		delivered, returned bool
	}{
		{"BDE", "01", true, false}, {"BDI", "01", true, false}, {"BDR", "01", true, false},
		{"OEC", "01", false, false}, {"BDE", "20", false, false}, {"BDE", "23", false, true}, {"RO", "01", false, false},
	} {
		e := sroEvent{Codigo: c.codigo, Tipo: c.tipo}
		if e.delivered() != c.delivered || e.returned() != c.returned {
			t.Errorf("%s %s: delivered %v returned %v", c.codigo, c.tipo, e.delivered(), e.returned())
		}
	}
	if got := vtexDate("2026-03-12T14:05:09"); got != "2026-03-12 14:05" {
		t.Errorf("vtexDate: %q", got)
	}
}
