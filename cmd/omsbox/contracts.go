//go:build !nocontracts

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/omsbox/omsbox/contracts"
)

// runContracts is `omsbox contracts run`: the features against an
// integration, reports in --out, a non-zero exit on failure.
func runContracts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("contracts run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cmdLine    = fs.String("integration-cmd", "", "start the integration with this command (sh -c) per scenario, with the OMSBOX_* environment")
		driverURL  = fs.String("integration-url", "", "an integration already running: its driver endpoint URL (needs --account and friends)")
		image      = fs.String("integration-image", "", "run the integration from this Docker image, one container per scenario")
		imageEnv   multiFlag
		sandboxURL = fs.String("sandbox-url", "", "use this running sandbox instead of starting one")
		tags       = fs.String("tags", "", `scenarios to run, e.g. "@passive" or "~@hook"`)
		format     = fs.String("format", "pretty", "pretty, progress, junit, cucumber (comma-separated)")
		out        = fs.String("out", "reports", "where junit and cucumber reports go")
		conc       = fs.Int("concurrency", 4, "scenarios run in parallel (each has its own sandbox account)")
		shared     contracts.Env
	)
	fs.Var(&imageEnv, "integration-env", "with --integration-image: an extra NAME=value for the container (repeatable)")
	fs.StringVar(&shared.Account, "account", "", "--integration-url: the VTEX account it is configured with")
	fs.StringVar(&shared.AppKey, "app-key", "", "--integration-url: its app key")
	fs.StringVar(&shared.AppToken, "app-token", "", "--integration-url: its app token")
	fs.StringVar(&shared.SkyHubEmail, "skyhub-email", "", "--integration-url: its SkyHub seller e-mail")
	fs.StringVar(&shared.SkyHubAPIKey, "skyhub-api-key", "", "--integration-url: its SkyHub API key")
	fs.Usage = func() {
		fmt.Fprint(stderr, "omsbox contracts run [flags]\n\nWithout --integration-cmd or --integration-url, the bundled reference client runs in-process.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var integration contracts.Integration = contracts.InProcess{}
	switch {
	case countSet(*cmdLine, *driverURL, *image) > 1:
		return fmt.Errorf("contracts: give one of --integration-cmd, --integration-url and --integration-image")
	case *image != "":
		integration = contracts.Image{Name: *image, Env: imageEnv}
	case *cmdLine != "":
		integration = contracts.Command{Line: *cmdLine}
	case *driverURL != "":
		integration = contracts.AlreadyRunning{Driver: *driverURL}
		shared.VTEXURL, shared.SkyHubAMKey = *sandboxURL, "omsbox-contracts"
		shared.SkyHubURL = *sandboxURL + "/skyhub"
	}
	status, err := contracts.Run(ctx, contracts.Options{Integration: integration, SandboxURL: *sandboxURL, Shared: shared,
		Tags: *tags, Formats: *format, OutDir: *out, Output: stdout, Concurrency: *conc})
	if err != nil {
		return err
	}
	if status != 0 {
		return fmt.Errorf("contracts: scenarios failed (status %d)", status)
	}
	return nil
}

func countSet(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
