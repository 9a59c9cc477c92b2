package jsonata

import (
	"strings"
	"sync"
	"testing"
)

const order = `{"status":"ready-for-handling","value":11570,"origin":"Marketplace",
	"items":[{"id":"CAM","price":4990,"quantity":2}],"clientProfileData":{"document":"52998224725"}}`

func TestMatch(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`status = "ready-for-handling"`, true},
		{`status = "handling"`, false},
		{`$sum(items.(price * quantity)) > 9000 and origin = "Marketplace"`, true},
		{`status in ["invoiced", "canceled"]`, false},
		{`items[id = "CAM"].quantity = 2`, true},
		{`nosuchfield = 1`, false},
		{`value`, false}, // a number, not the boolean true
	}
	for _, tt := range tests {
		e, err := Compile(tt.expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.expr, err)
		}
		got, err := e.Match([]byte(order))
		if err != nil || got != tt.want {
			t.Errorf("%q: %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

func TestCompileErrorsNameThePosition(t *testing.T) {
	_, err := Compile(`status = `)
	if err == nil || !strings.Contains(err.Error(), "position") {
		t.Fatalf("syntax error: %v", err)
	}
}

func TestRuntimeErrorsAndTimeouts(t *testing.T) {
	e, _ := Compile(`$number("abc") + 1 > 0 and $undefinedFunction()`)
	if _, err := e.Match([]byte(order)); err == nil {
		t.Error("runtime error not reported")
	}
	slow, _ := Compile(`$count([1..10000000]) > 0`)
	if _, err := slow.Match([]byte(order)); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("slow expression: %v", err)
	}
	// The expression stays usable after an interrupt.
	if ok, err := slow.Match([]byte(order)); err == nil && ok {
		t.Log("second run finished in time")
	}
}

func TestConcurrentUse(t *testing.T) {
	e, _ := Compile(`status = "ready-for-handling"`)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if ok, err := e.Match([]byte(order)); !ok || err != nil {
					t.Error(ok, err)
				}
			}
		}()
	}
	wg.Wait()
}
