package openapi

import (
	"testing"
)

func TestEmbeddedSpecsLoad(t *testing.T) {
	for _, name := range []string{"vtex-oms.yaml", "sandbox.yaml"} {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Operations()) == 0 {
			t.Errorf("%s has no operations", name)
		}
	}
}
