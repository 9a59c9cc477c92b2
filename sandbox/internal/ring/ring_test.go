package ring

import (
	"slices"
	"testing"
)

func TestRingKeepsTheNewestInOrder(t *testing.T) {
	type e struct {
		seq int64
		v   int
	}
	r := New[e](3)
	for i := range 5 {
		r.Add(e{v: i}, func(x *e, s int64) { x.seq = s })
	}
	got := r.Select(func(*e) bool { return true }, 0)
	if !slices.Equal(got, []e{{3, 2}, {4, 3}, {5, 4}}) {
		t.Fatalf("got %v", got)
	}
	if odd := r.Select(func(x *e) bool { return x.v%2 == 0 }, 1); !slices.Equal(odd, []e{{3, 2}}) {
		t.Fatalf("filtered with limit: %v", odd)
	}
	r.Remove(func(x *e) bool { return x.v == 3 })
	r.Add(e{v: 9}, func(x *e, s int64) { x.seq = s })
	r.Add(e{v: 10}, func(x *e, s int64) { x.seq = s })
	if got := r.Select(func(*e) bool { return true }, 0); !slices.Equal(got, []e{{5, 4}, {6, 9}, {7, 10}}) {
		t.Fatalf("after remove and refill: %v", got)
	}
}
