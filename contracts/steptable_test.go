package contracts

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Every step's examples are matched by that step, in both languages, and
// by no other: the glossary shows phrases that work.
func TestStepExamplesMatchTheirStep(t *testing.T) {
	for _, d := range Steps() {
		for lang, ex := range map[string]string{"en": d.Example, "pt": d.ExamplePT} {
			text := stripKeyword(strings.SplitN(ex, "\n", 2)[0])
			got, _ := Match(text)
			if got != d {
				t.Errorf("%s example %q of %s matches %v", lang, ex, d.EN, got)
			}
		}
		if !slices.Contains(Areas, d.Area) {
			t.Errorf("step %s: area %q is not in Areas", d.EN, d.Area)
		}
		if (d.Params == "") != (d.ParamsPT == "") {
			t.Errorf("step %s: parameters described in one language only", d.EN)
		}
		if d.en.NumSubexp() != d.pt.NumSubexp() {
			t.Errorf("step %s: %d groups in English, %d in Portuguese", d.EN, d.en.NumSubexp(), d.pt.NumSubexp())
		}
	}
}

// The glossary lists every step, with its example, under its area, in
// both languages.
func TestGlossaryListsEveryStep(t *testing.T) {
	for _, lang := range []string{"en", "pt"} {
		var b bytes.Buffer
		if err := WriteGlossary(&b, lang); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, d := range Steps() {
			phrase, ex, area := Phrase(d.EN), d.Example, areaEN[d.Area]
			if lang == "pt" {
				phrase, ex, area = Phrase(d.PT), d.ExamplePT, AreaPT[d.Area]
			}
			if !strings.Contains(out, "- "+phrase+"\n") {
				t.Errorf("%s glossary lacks the phrase %q", lang, phrase)
			}
			if !strings.Contains(out, strings.SplitN(ex, "\n", 2)[0]) {
				t.Errorf("%s glossary lacks the example %q", lang, ex)
			}
			if !strings.Contains(out, "## "+area+"\n") {
				t.Errorf("%s glossary lacks the area %q", lang, area)
			}
		}
		if strings.ContainsAny(out, `\^$`) {
			t.Errorf("%s glossary shows regular-expression syntax:\n%s", lang, out)
		}
	}
	if err := WriteGlossary(&bytes.Buffer{}, "fr"); err == nil {
		t.Error("a glossary in French accepted")
	}
}

func TestClosestSuggestsTheNearestStep(t *testing.T) {
	if got := Closest("the order is now handling", "en"); got != `the order is "handling"` {
		t.Errorf("closest to a misspelt status step: %q", got)
	}
	if got := Closest("o pedido esta handling", "pt"); got != `o pedido está "handling"` {
		t.Errorf("closest in Portuguese: %q", got)
	}
}
