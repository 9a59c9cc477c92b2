package brdata

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCPFHasValidCheckDigits(t *testing.T) {
	// Known valid and invalid CPFs.
	for s, want := range map[string]bool{"52998224725": true, "11144477735": true, "52998224726": false, "1234": false, "5299822472a": false} {
		if got := ValidCPF(s); got != want {
			t.Errorf("ValidCPF(%q) = %v, want %v", s, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if c := CPF(r); !ValidCPF(c) {
			t.Fatalf("CPF() = %q, not valid", c)
		}
	}
}

func TestCNPJHasValidCheckDigits(t *testing.T) {
	// 11.222.333/0001-81 is the textbook valid CNPJ.
	if got := cnpjDigit([]int{1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 1}); got != 8 {
		t.Errorf("first digit = %d, want 8", got)
	}
	if got := cnpjDigit([]int{1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 1, 8}); got != 1 {
		t.Errorf("second digit = %d, want 1", got)
	}
	if c := CNPJ(rand.New(rand.NewPCG(3, 4))); len(c) != 14 || c[8:12] != "0001" {
		t.Errorf("CNPJ() = %q", c)
	}
}

func TestSameSeedSameData(t *testing.T) {
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	if pa, pb := NewPerson(a), NewPerson(b); pa != pb {
		t.Fatalf("same seed, different people: %+v %+v", pa, pb)
	}
	p := NewPerson(rand.New(rand.NewPCG(9, 9)))
	if !strings.HasSuffix(p.Email, "@example.com.br") || strings.ContainsAny(p.Email, "ãéíóúç") {
		t.Errorf("email %q", p.Email)
	}
}

func TestNFeKeyIsFortyFourDigitsWithItsCheckDigit(t *testing.T) {
	k := NFeKey(rand.New(rand.NewPCG(1, 1)), "11222333000181", 1001, 2026, 3)
	if len(k) != 44 || strings.Trim(k, "0123456789") != "" || k[:6] != "352603" || k[6:20] != "11222333000181" || k[20:22] != "55" {
		t.Fatalf("key %q", k)
	}
	// The check digit of a known key (from the NF-e manual's example layout).
	sum, w := 0, 2
	for i := 42; i >= 0; i-- {
		sum += int(k[i]-'0') * w
		if w++; w > 9 {
			w = 2
		}
	}
	want := 11 - sum%11
	if want >= 10 {
		want = 0
	}
	if int(k[43]-'0') != want {
		t.Fatalf("check digit of %q", k)
	}
}

func TestValidEAN(t *testing.T) {
	for _, tc := range []struct {
		ean  string
		want bool
	}{
		{"7891000315507", true}, // a real Brazilian EAN-13 (Nescau)
		{"7890001112223", false},
		{"7891000315508", false},
		{"96385074", true},     // EAN-8
		{"036000291452", true}, // UPC-A
		{"789100031550", false},
		{"78910003155O7", false},
		{"", false},
	} {
		if got := ValidEAN(tc.ean); got != tc.want {
			t.Errorf("ValidEAN(%q) = %v, want %v", tc.ean, got, tc.want)
		}
	}
}

func TestNFeKeyProblem(t *testing.T) {
	good := "35260311222333000181550010000010011000010019"
	for _, tc := range []struct{ key, says string }{
		{good, ""},
		{good[:43], "44 digits"},
		{good[:43] + "8", "check digit"},
		{good[:6] + "11222333000182" + good[20:], "CNPJ"},
		{"3526031122233300018155001000001001100001001X", "44 digits"},
	} {
		if got := NFeKeyProblem(tc.key); (tc.says == "") != (got == "") || !strings.Contains(got, tc.says) {
			t.Errorf("NFeKeyProblem(%s) = %q, want one saying %q", tc.key, got, tc.says)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		if k := NFeKey(r, CNPJ(r), r.IntN(1000), 2026, 3); NFeKeyProblem(k) != "" {
			t.Fatalf("a generated key %s: %s", k, NFeKeyProblem(k))
		}
	}
	if !ValidCNPJ("11222333000181") || ValidCNPJ("11222333000182") {
		t.Fatal("ValidCNPJ")
	}
}
