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

func TestSelectLastKeepsTheNewestMatchesOldestFirst(t *testing.T) {
	r := New[int](100)
	for i := range 10 {
		r.Add(i, nil)
	}
	even := func(v *int) bool { return *v%2 == 0 }
	if diff := cmp.Diff([]int{4, 6, 8}, r.SelectLast(even, 3)); diff != "" {
		t.Fatalf("last 3 even (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 2, 4, 6, 8}, r.SelectLast(even, 0)); diff != "" {
		t.Fatalf("all even (-want +got):\n%s", diff)
	}
}

func TestChangedIsClosedByTheNextAdd(t *testing.T) {
	r := New[int](10)
	ch := r.Changed()
	select {
	case <-ch:
		t.Fatal("Changed closed before anything was added")
	default:
	}
	if r.Changed() != ch {
		t.Fatal("two waiters before an Add should share one channel")
	}
	r.Add(1, nil)
	select {
	case <-ch:
	default:
		t.Fatal("Changed still open after an Add")
	}
	if next := r.Changed(); next == ch {
		t.Fatal("after an Add, Changed must hand out a fresh channel")
	}
}

// TestAddDoesNotAllocate: the journal adds an entry per request, so
// adding to a ring that has grown must not put the value on the heap,
// stamped and sized as it is.
func TestAddDoesNotAllocate(t *testing.T) {
	type entry struct {
		seq  int64
		body string
		pad  [32]int64
	}
	r := NewSized(16, 1<<20, func(e *entry) int { return len(e.body) })
	stamp := func(e *entry, seq int64) { e.seq = seq }
	for range 32 {
		r.Add(entry{body: "x"}, stamp)
	}
	if n := testing.AllocsPerRun(100, func() { r.Add(entry{body: "x"}, stamp) }); n != 0 {
		t.Fatalf("Add allocates %.0f times per call", n)
	}
}
