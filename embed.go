// Package omsbox holds the data files the sandbox embeds from the
// repository's top level: the seed orders in testdata/seed. The sandbox
// itself lives in package sandbox; the binary in cmd/omsbox.
package omsbox

import (
	"embed"
	"fmt"
)

//go:embed testdata/seed/*.json
var seeds embed.FS

// Seed returns the named seed file (testdata/seed/NAME.json).
func Seed(name string) ([]byte, error) {
	b, err := seeds.ReadFile("testdata/seed/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("seed %q: %w", name, err)
	}
	return b, nil
}
