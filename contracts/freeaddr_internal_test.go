package contracts

import (
	"net"
	"strconv"
	"testing"
)

// TestFreeAddrsAreBelowTheEphemeralRange: the addresses handed to an
// integration are not of the kind the kernel gives outgoing connections,
// which could take one before the integration binds it.
func TestFreeAddrsAreBelowTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	if low < firstPort+1000 {
		t.Skipf("no ephemeral range to stay below here (%d): the kernel picks the ports", low)
	}
	addrs, err := freeAddrs(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		_, p, _ := net.SplitHostPort(a)
		port, _ := strconv.Atoi(p)
		if port < firstPort || port >= low || seen[a] {
			t.Errorf("address %s: want distinct ports in [%d, %d)", a, firstPort, low)
		}
		seen[a] = true
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("address %s is not free: %v", a, err)
			continue
		}
		ln.Close()
	}
}
