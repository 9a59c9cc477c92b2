// Command omsbox-contracts is omsbox's contract harness: it drives an ERP
// integration through the Gherkin features against a sandbox and writes
// the reports. `omsbox contracts run|steps` runs it; it is a command of its
// own so that `omsbox serve` links none of it (godog runs `go env` as it
// initializes, ~30 ms of every start). Package contracts does the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `omsbox-contracts — omsbox's contract harness (also: omsbox contracts ...)

  omsbox-contracts run [flags]    run the contract features against an integration
  omsbox-contracts steps [--lang pt]  print the step glossary for writing features
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "omsbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(stdout, usage)
		return nil
	case len(args) == 0 || (args[0] != "run" && args[0] != "steps"):
		fmt.Fprint(stderr, usage)
		return errors.New("contracts: the commands are 'omsbox contracts run' and 'omsbox contracts steps'")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runContracts(ctx, args, stdout, stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}
