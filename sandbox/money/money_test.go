package money

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestSumRefusesWhatWouldWrap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines [][2]int64
		field string
	}{
		{"max int64 price times 2", [][2]int64{{math.MaxInt64, 2}}, "items[0]"},
		{"a line past the bound", [][2]int64{{MaxCents, 2}}, "items[0]"},
		{"the total past the bound", [][2]int64{{MaxCents - 1, 1}, {2, 1}}, "items[1]"},
		{"a negative price", [][2]int64{{-1, 1}}, "items[0]"},
		{"a huge quantity", [][2]int64{{1, MaxQuantity + 1}}, "items[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s Sum
			for i, l := range tc.lines {
				s.Add("items["+string(rune('0'+i))+"]", l[0], int(l[1]))
			}
			_, err := s.Total()
			var e *Error
			if !errors.As(err, &e) || e.Field != tc.field || !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Fatalf("err = %v, want one naming %s", err, tc.field)
			}
		})
	}
	var s Sum
	s.Add("a", MaxCents/2, 1)
	s.Add("b", MaxCents/4, 2)
	if total, err := s.Total(); err != nil || total != MaxCents {
		t.Fatalf("up to the bound: %d %v", total, err)
	}
}

func TestReais(t *testing.T) {
	for _, v := range []float64{math.NaN(), -0.01, MaxReais + 1, math.Inf(1)} {
		if Reais("price", v) == nil {
			t.Errorf("%v accepted", v)
		}
	}
	if err := Reais("price", 49.90); err != nil {
		t.Fatal(err)
	}
}
