//go:build nocontracts

package main

import (
	"context"
	"errors"
	"io"
)

// runContracts is left out of builds tagged nocontracts (the container
// image, which serves the sandbox and stays small).
func runContracts(context.Context, []string, io.Writer, io.Writer) error {
	return errors.New("contracts: this omsbox was built without the contract harness (tag nocontracts); use go run ./cmd/omsbox contracts run")
}
