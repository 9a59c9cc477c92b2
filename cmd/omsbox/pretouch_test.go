package main

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestPretouchRunsBeforeTheHeavyInits runs this test binary again (it
// links what omsbox links) with the runtime tracing each package's init,
// and checks that internal/pretouch populated the heap before the
// packages that allocate the most at init: kin-openapi's JSON Schema
// library (1.7 MB), then kin-openapi itself and goja. Go initializes
// packages in import-path order among those whose imports are done, so
// pretouch keeps its place only while it needs the standard library alone.
func TestPretouchRunsBeforeTheHeavyInits(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pretouch has an init on Linux only")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.Bytes())
	}
	var order []string
	for line := range strings.Lines(stderr.String()) {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	at := slices.Index(order, "github.com/omsbox/omsbox/internal/pretouch")
	if at < 0 {
		t.Fatalf("internal/pretouch ran no init; the inits were:\n%s", strings.Join(order, "\n"))
	}
	for _, heavy := range []string{"github.com/santhosh-tekuri/jsonschema/v6", "github.com/getkin/kin-openapi/openapi3", "github.com/dop251/goja"} {
		i := slices.Index(order, heavy)
		if i < 0 {
			t.Errorf("%s ran no init: is it still linked? (then drop it from this list)", heavy)
		} else if i < at {
			t.Errorf("%s ran its init before internal/pretouch (%d < %d): its allocations fault their pages one by one again", heavy, i, at)
		}
	}
}
