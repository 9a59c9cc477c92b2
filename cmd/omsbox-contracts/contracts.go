package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/omsbox/omsbox/contracts"
)

// runContracts is `omsbox-contracts run` (the features against an
// integration, reports in --out, a non-zero exit on failure) and
// `omsbox-contracts steps` (the step glossary); args[0] is run or steps.
func runContracts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if args[0] == "steps" {
		fs := flag.NewFlagSet("contracts steps", flag.ContinueOnError)
		fs.SetOutput(stderr)
		lang := fs.String("lang", "en", "the glossary's language: en or pt")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return contracts.WriteGlossary(stdout, *lang)
	}
	args = args[1:]
	fs := flag.NewFlagSet("contracts run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cmdLine    = fs.String("integration-cmd", "", "start the integration with this command (sh -c) per scenario, with the OMSBOX_* environment")
		driverURL  = fs.String("integration-url", "", "an integration already running: its driver endpoint URL (needs --sandbox-url, --account and its credentials)")
		image      = fs.String("integration-image", "", "run the integration from this Docker image, one container per scenario")
		imageEnv   multiFlag
		featureDir multiFlag
		sandboxURL = fs.String("sandbox-url", "", "use this running sandbox instead of starting one (required with --integration-url)")
		token      = fs.String("control-token", os.Getenv("OMSBOX_CONTROL_TOKEN"), "the running sandbox's control token, if it has one (env OMSBOX_CONTROL_TOKEN)")
		tags       = fs.String("tags", "", `scenarios to run, e.g. "@passive" or "~@hook"`)
		lang       = fs.String("lang", "en", "the built-in features' language: en or pt")
		noBuiltin  = fs.Bool("no-builtin", false, "run only the --features, not the built-in features")
		format     = fs.String("format", "pretty", "pretty, progress, junit, cucumber, html (comma-separated)")
		out        = fs.String("out", "reports", "where the junit, cucumber and html reports go")
		conc       = fs.Int("concurrency", 4, "scenarios run in parallel (each has its own sandbox account)")
		shared     contracts.Env
	)
	fs.Var(&imageEnv, "integration-env", "with --integration-image: an extra NAME=value for the container (repeatable)")
	fs.Var(&featureDir, "features", "a directory (or file) of your own .feature files, run with the step library (repeatable)")
	fs.StringVar(&shared.Account, "account", "", "--integration-url: the VTEX account it is configured with")
	fs.StringVar(&shared.AppKey, "app-key", "", "--integration-url: its app key")
	fs.StringVar(&shared.AppToken, "app-token", "", "--integration-url: its app token")
	fs.StringVar(&shared.SkyHubEmail, "skyhub-email", "", "--integration-url: its SkyHub seller e-mail")
	fs.StringVar(&shared.SkyHubAPIKey, "skyhub-api-key", "", "--integration-url: its SkyHub API key")
	fs.StringVar(&shared.B2BURL, "b2b-url", os.Getenv("OMSBOX_B2B_URL"), "--integration-url: the base URL of its B2B look-up API, for @b2b (env OMSBOX_B2B_URL; its token in OMSBOX_B2B_TOKEN)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "omsbox contracts run [flags]\n\nWithout --integration-cmd, --integration-url or --integration-image, the bundled reference client runs in-process.\n\n")
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
		if *sandboxURL == "" {
			return fmt.Errorf("contracts: --integration-url needs --sandbox-url, the sandbox your integration is configured with (start one with 'omsbox serve')")
		}
		integration = contracts.AlreadyRunning{Driver: strings.TrimRight(*driverURL, "/")}
		base := strings.TrimRight(*sandboxURL, "/")
		shared.VTEXURL, shared.SkyHubURL, shared.SkyHubAMKey = base, base+"/skyhub", "omsbox-contracts"
		shared.B2BToken = os.Getenv("OMSBOX_B2B_TOKEN")
		if shared.B2BURL != "" && shared.B2BToken == "" {
			return fmt.Errorf("contracts: --b2b-url needs the token the B2B app sends, in OMSBOX_B2B_TOKEN")
		}
	}
	status, err := contracts.Run(ctx, contracts.Options{Integration: integration, SandboxURL: *sandboxURL, ControlToken: *token, Shared: shared,
		Tags: *tags, Lang: *lang, Features: featureDir, NoBuiltin: *noBuiltin,
		Formats: *format, OutDir: *out, Output: stdout, Concurrency: *conc})
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
