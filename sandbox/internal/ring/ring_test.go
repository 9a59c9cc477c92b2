package ring

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRingKeepsTheNewestByCount(t *testing.T) {
	r := New[int](3)
	for i := range 10 {
		r.Add(i, nil)
	}
	if diff := cmp.Diff([]int{7, 8, 9}, r.Select(func(*int) bool { return true }, 0)); diff != "" {
		t.Fatalf("kept (-want +got):\n%s", diff)
	}
}

func TestSizedRingDropsTheOldestPastItsBytes(t *testing.T) {
	r := NewSized(1000, 10, func(s *string) int { return len(*s) })
	for _, s := range []string{"aaaa", "bbbb", "cc", "dddd"} {
		r.Add(s, nil)
	}
	// 4+2+4 = 10 fits; "aaaa" had to go.
	if diff := cmp.Diff([]string{"bbbb", "cc", "dddd"}, r.Select(func(*string) bool { return true }, 0)); diff != "" {
		t.Fatalf("kept (-want +got):\n%s", diff)
	}
	if r.Bytes() != 10 {
		t.Fatalf("bytes = %d, want 10", r.Bytes())
	}
	r.Add("an entry larger than the whole budget", nil)
	if r.Len() != 1 {
		t.Fatalf("an oversized entry should be kept alone; len = %d", r.Len())
	}
	r.Remove(func(*string) bool { return true })
	if r.Len() != 0 || r.Bytes() != 0 {
		t.Fatalf("after Remove: len %d bytes %d", r.Len(), r.Bytes())
	}
}

func TestSizedRingMemoryFollowsWhatIsKept(t *testing.T) {
	r := NewSized(1_000_000, 100, func(s *[]byte) int { return len(*s) })
	for range 10_000 {
		r.Add(make([]byte, 50), nil)
	}
	if r.Len() != 2 {
		t.Fatalf("len = %d, want 2", r.Len())
	}
	if c := cap(r.buf); c > 1024 {
		t.Fatalf("the backing slice holds %d slots for 2 entries: dropped entries are not compacted", c)
	}
	var seqs []int64
	r.Add([]byte("x"), func(_ *[]byte, seq int64) { seqs = append(seqs, seq) })
	if seqs[0] != 10_001 {
		t.Fatalf("seq = %d, want 10001", seqs[0])
	}
}
