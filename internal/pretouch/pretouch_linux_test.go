package pretouch

import (
	"errors"
	"syscall"
	"testing"
	"unsafe"
)

// resident counts the pages of [lo, hi) that are in memory (mincore).
func resident(t *testing.T, lo, hi uintptr) (in, all int) {
	t.Helper()
	page := uintptr(syscall.Getpagesize())
	vec := make([]byte, (hi-lo+page-1)/page)
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, lo, hi-lo, uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	for _, v := range vec {
		in += int(v & 1)
	}
	return in, len(vec)
}

func skipOldKernel(t *testing.T, err error) {
	if errors.Is(err, syscall.EINVAL) {
		t.Skip("this kernel has no MADV_POPULATE_WRITE (Linux 5.14): pretouch does nothing here")
	}
}

// TestPopulateMakesEveryPageResident maps fresh memory, which the kernel
// gives no page until it is touched, and populates it: every page must
// then be in memory, and none before.
func TestPopulateMakesEveryPageResident(t *testing.T) {
	const size = 64 << 12
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(b)
	lo := uintptr(unsafe.Pointer(&b[0]))
	if in, _ := resident(t, lo, lo+size); in != 0 {
		t.Fatalf("%d pages resident before populating a fresh mapping", in)
	}
	err = populate(lo, lo+size)
	skipOldKernel(t, err)
	if err != nil {
		t.Fatal(err)
	}
	if in, all := resident(t, lo, lo+size); in != all {
		t.Fatalf("%d of %d pages resident after populating", in, all)
	}
}

// later holds an object the test allocates, so that it lives on the heap.
var later *[1 << 10]byte

// TestInitPopulatedTheHeap checks what init did in this test binary: it
// found the heap's mapping (a heap object lies in it) and every page of
// the range it populated is in memory, though most of it is still unused.
func TestInitPopulatedTheHeap(t *testing.T) {
	skipOldKernel(t, populated.err)
	if populated.err != nil {
		t.Fatal(populated.err)
	}
	if populated.hi <= populated.lo || populated.hi-populated.lo > maxPopulate {
		t.Fatalf("populated [%#x, %#x)", populated.lo, populated.hi)
	}
	later = new([1 << 10]byte) // allocated after init, on the heap
	heap := uintptr(unsafe.Pointer(later))
	lo, hi, ok := mapping(heap)
	if !ok || lo > populated.lo || hi < populated.hi {
		t.Fatalf("a heap object at %#x lies in [%#x, %#x) (found %v), which does not hold the populated [%#x, %#x)",
			heap, lo, hi, ok, populated.lo, populated.hi)
	}
	if in, all := resident(t, populated.lo, populated.hi); in != all {
		t.Fatalf("%d of %d pages resident in the range init populated", in, all)
	}
}
