package jsonata

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestPathologicalExpressionsAreBounded runs expressions built to make one
// native call (which goja's interrupt cannot stop) take seconds or
// gigabytes. Each must come back as a refusal, quickly, without allocating
// more than a small multiple of the string cap.
func TestPathologicalExpressionsAreBounded(t *testing.T) {
	tests := []struct{ name, expr string }{
		{"pad", `$length($pad("x", 100000000)) > 0`},
		{"join with a long separator", `$length($join([1..100], $pad("", 1000000, "y"))) > 0`},
		{"join of shared strings", `($s := $pad("", 1000000, "y"); $length($join([1..1000].($s))) > 0)`},
		{"doubling concatenation", `($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f("x", 40)) > 0)`},
		{"string of shared strings", `($s := $pad("", 1000000, "y"); $length($string([1..1000].($s))) > 0)`},
		{"growing url encoding", `$length($encodeUrlComponent($encodeUrlComponent($encodeUrlComponent($encodeUrlComponent(` +
			`$encodeUrlComponent($encodeUrlComponent($pad("", 1000000, "%")))))))) > 0`},
		{"doubling arrays", `($f := function($a, $n) { $n = 0 ? $a : $f($append($a, $a), $n - 1) }; $count($f([1], 40)) > 0)`},
		{"catastrophic regular expression", `$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(?=(a+)+$)/)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compile(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			began := time.Now()
			ok, err := e.Match([]byte(order))
			took := time.Since(began)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%v, %v after %s, %d MiB allocated", ok, err, took, allocated>>20)
			if ok || !(errors.Is(err, ErrTimeout) || errors.Is(err, ErrTooLarge)) {
				t.Errorf("got %v, %v; want a timeout or a size refusal", ok, err)
			}
			// Generous bounds (the race detector and two shared cores slow
			// everything down): the unbounded evaluations took 14 s and 1.4 GB.
			if took > 10*Timeout {
				t.Errorf("the evaluation took %s", took)
			}
			if allocated > 256<<20 {
				t.Errorf("the evaluation allocated %d MiB", allocated>>20)
			}
		})
	}
}

func TestTheGuardLeavesOrdinaryStringWorkAlone(t *testing.T) {
	for _, src := range []string{
		`$join(items.id, ", ") = "CAM"`,
		`$pad("7", -5, "0") = "00007"`,
		`$string({"a": [1, "b"]}) = "{\"a\":[1,\"b\"]}"`,
		`"a" & "b" & 1 = "ab1"`,
		`$count($append([1, 2], [3])) = 3`,
		`$encodeUrlComponent("a b") = "a%20b"`,
		`$contains("ready-for-handling", /^ready/)`,
		`$formatNumber(1234.5, "#,##0.00") = "1,234.50"`,
		`$length($pad("", 1000, "x")) = 1000`,
	} {
		e, err := Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if ok, err := e.Match([]byte(order)); !ok || err != nil {
			t.Errorf("%s: %v, %v", src, ok, err)
		}
	}
}
