// Package features holds omsbox's Gherkin features, embedded so that the
// contract harness carries them: the documented order flows an ERP
// integration must follow, readable by product people. Tags: @passive
// (no ERP action needed), @driver (ERP actions through the driver
// endpoint), @coleta, @hook, @resilience.
package features

import "embed"

// FS holds the *.feature files.
//
//go:embed *.feature
var FS embed.FS
