package contracts

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/omsbox/omsbox/features"
)

var decimalComma = regexp.MustCompile(`^\d+,\d{2}$`)

// twin is a built-in scenario in English and its Portuguese twin.
type twin struct{ en, pt scenarioShape }

// scenarioShape is what must be equal between twins: the tags, and each
// step's kind, definition and arguments.
type scenarioShape struct {
	File, Name string
	Tags       []string
	Steps      []string
}

// twins pairs each built-in English scenario with its Portuguese twin:
// the file of the same name, the scenario at the same place.
func twins() ([]twin, error) {
	read := func(lang string) (map[string][]scenarioShape, error) {
		fsys, err := features.Lang(lang)
		if err != nil {
			return nil, err
		}
		fts, err := parse(fsys, "")
		if err != nil {
			return nil, err
		}
		out := map[string][]scenarioShape{}
		for _, f := range fts {
			file := path.Base(f.Doc.Uri)
			for _, p := range f.Pickles {
				s := scenarioShape{File: file, Name: p.Name}
				for _, t := range p.Tags {
					s.Tags = append(s.Tags, t.Name)
				}
				slices.Sort(s.Tags)
				for _, st := range p.Steps {
					d, args := Match(st.Text)
					if d == nil {
						return nil, fmt.Errorf("%s/%s: unknown step %q", lang, file, st.Text)
					}
					for i, a := range args {
						if _, ok := count[a]; ok {
							args[i] = strconv.Itoa(atoi(a))
						}
						if decimalComma.MatchString(a) { // 49,90 in Portuguese is 49.90
							args[i] = strings.Replace(a, ",", ".", 1)
						}
					}
					s.Steps = append(s.Steps, fmt.Sprintf("%s %s(%s)", st.Type, d.EN, strings.Join(args, ", ")))
				}
				out[file] = append(out[file], s)
			}
		}
		return out, nil
	}
	en, err := read("en")
	if err != nil {
		return nil, err
	}
	pt, err := read("pt")
	if err != nil {
		return nil, err
	}
	var out []twin
	var missing []string
	for file, scs := range en {
		for i, s := range scs {
			if i >= len(pt[file]) {
				missing = append(missing, file+": "+s.Name)
				continue
			}
			out = append(out, twin{en: s, pt: pt[file][i]})
		}
	}
	for file, scs := range pt {
		if len(scs) > len(en[file]) {
			missing = append(missing, fmt.Sprintf("pt/%s has %d scenarios, en/%s %d", file, len(scs), file, len(en[file])))
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("scenarios without a twin: %s", strings.Join(missing, "; "))
	}
	return out, nil
}
