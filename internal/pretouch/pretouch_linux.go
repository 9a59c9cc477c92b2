package pretouch

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14). Older kernels
// answer EINVAL, and start-up goes on as it would have.
const madvPopulateWrite = 23

// maxPopulate bounds the call, should the heap's first mapping ever be
// larger than the runtime maps today (4 or 8 MiB).
const maxPopulate = 16 << 20

// populated is the range init populated, [lo, hi), for the tests; err is
// the kernel's answer.
var populated struct {
	lo, hi uintptr
	err    error
}

// probe is a heap object (a package variable points at it, so it cannot
// live on a stack): the mapping that holds it is the heap's.
var probe = new([16]byte)

func init() {
	lo, hi, ok := mapping(uintptr(unsafe.Pointer(probe)))
	if !ok {
		return
	}
	hi = min(hi, lo+maxPopulate)
	populated.lo, populated.hi, populated.err = lo, hi, populate(lo, hi)
}

// populate faults in the pages of [lo, hi) writable, in one call.
func populate(lo, hi uintptr) error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvPopulateWrite); e != 0 {
		return e
	}
	return nil
}

// mapping finds, in /proc/self/maps, the bounds of the mapping holding
// addr.
func mapping(addr uintptr) (lo, hi uintptr, ok bool) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		bounds, _, _ := strings.Cut(s.Text(), " ")
		from, to, _ := strings.Cut(bounds, "-")
		l, err1 := strconv.ParseUint(from, 16, 64)
		h, err2 := strconv.ParseUint(to, 16, 64)
		if err1 == nil && err2 == nil && uintptr(l) <= addr && addr < uintptr(h) {
			return uintptr(l), uintptr(h), true
		}
	}
	return 0, 0, false
}
