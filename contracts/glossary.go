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
	defs := slices.Clone(steps())
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
			name := areaEN[area]
			if lang == "pt" {
				name = AreaPT[area]
			}
			fmt.Fprintf(w, "\n## %s\n", name)
		}
		phrase, ex, ps := d.EN, d.Example, d.Params
		if lang == "pt" {
			phrase, ex, ps = d.PT, d.ExamplePT, d.ParamsPT
		}
		fmt.Fprintf(w, "\n- %s\n", Phrase(phrase))
		if ps != "" {
			fmt.Fprintf(w, "    %s: %s\n", params, ps)
		}
		fmt.Fprintf(w, "    %s: %s\n", example, strings.ReplaceAll(ex, "\n", "\n      "))
	}
	return nil
}

var (
	quoted     = regexp.MustCompile(`"\(\[\^"\]\*\)"`)
	innermost  = regexp.MustCompile(`\((\?:)?([^()]*)\)(\?)?`)
	optLetters = regexp.MustCompile(`(\pL)\?`)
	escaped    = regexp.MustCompile(`\\(.)`)
)

// Phrase turns a step's regular expression into the phrase a person
// writes: "the order is "…"", "[with N item(s)]" (optional), "{GET|POST|…}"
// (one of).
func Phrase(re string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(re, "^"), "$")
	s = quoted.ReplaceAllString(s, `"…"`)
	s = strings.NewReplacer(`(\d+)`, "N", `(\d{3})`, "STATUS", `(/\S*)`, "PATH", `(\S+)`, "VALUE", `(.+)`, "LIST", `\d+`, "N").Replace(s)
	for innermost.MatchString(s) { // innermost groups first
		s = innermost.ReplaceAllStringFunc(s, func(m string) string {
			g := innermost.FindStringSubmatch(m)
			switch {
			case g[3] == "?":
				return "[" + g[2] + "]"
			case strings.Contains(g[2], "|"):
				return "{" + g[2] + "}"
			}
			return g[2]
		})
	}
	s = optLetters.ReplaceAllString(s, "($1)")
	return escaped.ReplaceAllString(s, "$1")
}
