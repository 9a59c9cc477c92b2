// Package features holds omsbox's Gherkin features, embedded so that the
// contract harness carries them: the documented order flows an ERP
// integration must follow, readable by product people. en/ holds them in
// English, pt/ in Brazilian Portuguese (# language: pt), scenario for
// scenario, bound to the same steps. Tags: @passive (no ERP action
// needed), @driver (ERP actions through the driver endpoint), @coleta,
// @hook, @resilience, @credentials (the harness sets the integration's
// credentials).
package features

import (
	"embed"
	"fmt"
	"io/fs"
)

// FS holds the *.feature files, en/ and pt/.
//
//go:embed en/*.feature pt/*.feature
var FS embed.FS

// Languages are the languages the built-in features are written in.
var Languages = []string{"en", "pt"}

// Lang returns the built-in features of one language ("" is English).
func Lang(lang string) (fs.FS, error) {
	if lang == "" {
		lang = "en"
	}
	for _, l := range Languages {
		if l == lang {
			return fs.Sub(FS, lang)
		}
	}
	return nil, fmt.Errorf("the built-in features are in %v, not %q", Languages, lang)
}
