package contracts

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// WriteGlossary prints the step library for people writing features:
// every phrase, grouped by area, with its parameters and one example, in
// English ("en") or Brazilian Portuguese ("pt"). It is generated from the
// step table, so it cannot drift from what the harness understands.
func WriteGlossary(w io.Writer, lang string) error {
	if lang != "en" && lang != "pt" {
		return fmt.Errorf("contracts: language %q is not en or pt", lang)
	}
	defs := slices.Clone(stepTable)
	slices.SortStableFunc(defs, func(a, b *StepDef) int { return areaIndex(a.Area) - areaIndex(b.Area) })
	title, params, example := "omsbox contract steps", "parameters", "example"
	if lang == "pt" {
		title, params, example = "passos dos contratos do omsbox", "parâmetros", "exemplo"
	}
	fmt.Fprintf(w, "# %s\n", title)
	area := ""
	for _, d := range defs {
		if d.Area != area {
			area = d.Area
			name := area
			if lang == "pt" {
				name = AreaPT[area]
			}
			fmt.Fprintf(w, "\n## %s\n", name)
		}
		phrase, ex := d.EN, d.Example
		if lang == "pt" {
			phrase, ex = d.PT, d.ExamplePT
		}
		fmt.Fprintf(w, "\n- %s\n", Phrase(phrase))
		if d.Params != "" {
			fmt.Fprintf(w, "    %s: %s\n", params, d.Params)
		}
		fmt.Fprintf(w, "    %s: %s\n", example, strings.ReplaceAll(ex, "\n", "\n      "))
	}
	return nil
}

var (
	quoted   = regexp.MustCompile(`"\(\[\^"\]\*\)"`)
	optional = regexp.MustCompile(`\(\?:([^()]*)\)\?`)
	group    = regexp.MustCompile(`\((?:\?:)?([^()]*)\)`)
	escaped  = regexp.MustCompile(`\\(.)`)
)

// Phrase turns a step's regular expression into the phrase a person
// writes: "the order is "…"", "[with N items]", "{GET|POST|…}".
func Phrase(re string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(re, "^"), "$")
	s = quoted.ReplaceAllString(s, `"…"`)
	s = strings.NewReplacer(`(\d+)`, "N", `(\d{3})`, "STATUS", `(\S+)`, "VALUE", `(.+)`, "LIST", `\d+`, "N").Replace(s)
	for range 3 {
		s = optional.ReplaceAllString(s, "[$1]")
	}
	for range 3 {
		s = group.ReplaceAllStringFunc(s, func(m string) string {
			inner := group.FindStringSubmatch(m)[1]
			if strings.Contains(inner, "|") {
				return "{" + inner + "}"
			}
			return inner
		})
	}
	s = strings.ReplaceAll(s, "s?", "(s)")
	s = strings.ReplaceAll(s, "?", "")
	return escaped.ReplaceAllString(s, "$1")
}
