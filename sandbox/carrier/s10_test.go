package carrier

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestS10CheckDigit(t *testing.T) {
	// Correios codes found in public material (integration docs and
	// tests quoting real parcels), and the textbook example.
	for _, tc := range []struct {
		code    string
		valid   bool
		problem string
	}{
		{code: "QN242960622BR", valid: true},  // PAC, a public integration guide's sample response
		{code: "AM101610575BR", valid: true},  // sum 121, remainder 0: check digit 5
		{code: "QQ850419295BR", valid: true},  // sum 231, remainder 0: check digit 5
		{code: "AV091829611BR", valid: true},  // remainder 10: check digit 1
		{code: "DW962413465BR", valid: true},  // remainder 0: check digit 5
		{code: "AA123456785BR", valid: true},  // the textbook serial 12345678
		{code: "RR473124829GB", valid: false}, // a valid S10 of Royal Mail, not a Correios code
		{code: "QN242960623BR", problem: "check digit 3 is wrong"},
		{code: "AA123456789BR", problem: "check digit 9 is wrong"},
		{code: "AA12345678BR", problem: "12 characters"},
		{code: "aa123456785BR", problem: "upper-case letters"},
		{code: "AA12345X785BR", problem: "nine digits"},
	} {
		if got := ValidCorreiosCode(tc.code); got != tc.valid {
			t.Errorf("ValidCorreiosCode(%s) = %v, want %v (%s)", tc.code, got, tc.valid, CorreiosProblem(tc.code))
		}
		if tc.problem != "" && !strings.Contains(S10Problem(tc.code), tc.problem) {
			t.Errorf("S10Problem(%s) = %q, want it to say %q", tc.code, S10Problem(tc.code), tc.problem)
		}
	}
	if p := S10Problem("RR473124829GB"); p != "" {
		t.Errorf("RR473124829GB is a valid S10 code: %s", p)
	}
	if p := CorreiosProblem("RR473124829GB"); !strings.Contains(p, "not by Correios") {
		t.Errorf("CorreiosProblem(RR473124829GB) = %q", p)
	}
}

func TestNewCodesAreValid(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if c := NewCode(r, "AA"); !ValidCorreiosCode(c) {
			t.Fatalf("generated %s: %s", c, CorreiosProblem(c))
		}
	}
}
