package contracts

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every built-in English scenario has its Portuguese twin: same file
// name, same place, same tags, and the same steps underneath (the same
// step definitions, in the same kinds, with the same arguments).
func TestEveryScenarioHasItsPortugueseTwin(t *testing.T) {
	pairs, err := twins()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) == 0 {
		t.Fatal("no scenarios")
	}
	for _, p := range pairs {
		if diff := cmp.Diff(p.en.Tags, p.pt.Tags); diff != "" {
			t.Errorf("%s %q and %q: tags differ (-en +pt):\n%s", p.en.File, p.en.Name, p.pt.Name, diff)
		}
		if diff := cmp.Diff(p.en.Steps, p.pt.Steps); diff != "" {
			t.Errorf("%s %q and %q: steps differ (-en +pt):\n%s", p.en.File, p.en.Name, p.pt.Name, diff)
		}
	}
}
