package reference_test

import (
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox/brdata"
)

func TestMod11(t *testing.T) {
	for _, tc := range []struct {
		digits string
		want   int
	}{
		// The example key of the NF-e manual (Manual de Orientação do
		// Contribuinte): 5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 161|5.
		{"5206043300991100250655012000000780026730161", 5},
		{"0", 0}, // 11 − 0 = 11 → 0
		{"6", 0}, // 6×2 = 12, remainder 1: 11 − 1 = 10 → 0
		{"5", 1}, // 5×2 = 10: 11 − 10 = 1
		{"1", 9}, // 1×2 = 2: 11 − 2 = 9
	} {
		if got := reference.Mod11(tc.digits); got != tc.want {
			t.Errorf("mod11(%s) = %d, want %d", tc.digits, got, tc.want)
		}
	}
}

// The keys the connector composes pass the sandbox's own check (brdata),
// name the seller's CNPJ, and are the same for the same invoice.
func TestNFeKey(t *testing.T) {
	march := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		cnpj    string
		number  int
		wantErr bool
	}{
		{"first invoice", "11222333000181", 1, false},
		{"a large number", "11222333000181", 999_999_999, false},
		{"another seller", "04252011000110", 1001, false},
		{"a CNPJ with punctuation", "11.222.333/0001-81", 1, true},
		{"a short CNPJ", "1122233300018", 1, true},
		{"number zero", "11222333000181", 0, true},
		{"a number of ten digits", "11222333000181", 1_000_000_000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := reference.NFeKey(tc.cnpj, tc.number, march)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("key %s, want an error", key)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := brdata.NFeKeyProblem(key); p != "" {
				t.Fatalf("key %s %s", key, p)
			}
			if got := brdata.NFeKeyCNPJ(key); got != tc.cnpj {
				t.Errorf("key %s names CNPJ %s, want %s", key, got, tc.cnpj)
			}
			if key[2:6] != "2603" || key[20:22] != "55" {
				t.Errorf("key %s: AAMM %s, model %s; want 2603 and 55", key, key[2:6], key[20:22])
			}
			if again, _ := reference.NFeKey(tc.cnpj, tc.number, march); again != key {
				t.Errorf("the same invoice got keys %s and %s", key, again)
			}
		})
	}
}
