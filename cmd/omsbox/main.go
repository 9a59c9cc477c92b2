// Command omsbox runs the sandbox: `omsbox serve` starts the VTEX OMS
// sandbox and its control plane; `omsbox version` prints the version. It is
// a thin shell: flags and environment in, package sandbox does the work.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/config"
)

const usage = `omsbox — a local sandbox of the VTEX OMS and SkyHub APIs

Usage:
  omsbox serve [flags]            run the sandbox (see omsbox serve -h)
  omsbox contracts run [flags]    run the contract features against an integration
  omsbox contracts steps [--lang pt]  print the step glossary for writing features
  omsbox healthcheck              exit 0 when the sandbox at $OMSBOX_ADDR is healthy (for containers)
  omsbox version                  print the version
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "omsbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, args[1:], stdout, stderr, nil)
	case "version":
		fmt.Fprintln(stdout, "omsbox", sandbox.Version)
		return nil
	case "healthcheck":
		return healthcheck(ctx, env("OMSBOX_ADDR", "127.0.0.1:8080"))
	case "contracts":
		if len(args) < 2 || (args[1] != "run" && args[1] != "steps") {
			fmt.Fprint(stderr, usage)
			return errors.New("contracts: the commands are 'omsbox contracts run' and 'omsbox contracts steps'")
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runContracts(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// serveFlags are serve's settings; each flag has an environment variable.
type serveFlags struct {
	addr, skyhubAddr, configPath, logLevel, logFormat string
	strict                                            bool
	seed                                              uint64
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	f := serveFlags{addr: "127.0.0.1:8080", logLevel: "info", logFormat: "text", seed: sandbox.DefaultSeed}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", env("OMSBOX_ADDR", f.addr), "listen address; port 0 picks a free port (env OMSBOX_ADDR)")
	fs.StringVar(&f.skyhubAddr, "skyhub-addr", env("OMSBOX_SKYHUB_ADDR", ""), "also serve the SkyHub API at the root of this address (env OMSBOX_SKYHUB_ADDR)")
	fs.StringVar(&f.configPath, "config", env("OMSBOX_CONFIG", ""), "JSON config file replacing the embedded default (env OMSBOX_CONFIG)")
	fs.BoolVar(&f.strict, "strict", envBool("OMSBOX_STRICT", false), "validate every response against the OpenAPI documents (env OMSBOX_STRICT)")
	fs.Uint64Var(&f.seed, "seed", envUint("OMSBOX_SEED", f.seed), "random seed of generated ids and data (env OMSBOX_SEED)")
	fs.StringVar(&f.logLevel, "log-level", env("OMSBOX_LOG_LEVEL", f.logLevel), "debug, info, warn or error (env OMSBOX_LOG_LEVEL)")
	fs.StringVar(&f.logFormat, "log-format", env("OMSBOX_LOG_FORMAT", f.logFormat), "text or json (env OMSBOX_LOG_FORMAT)")
	return f, fs.Parse(args)
}

// serve runs the sandbox until ctx ends. ready, if not nil, receives the
// bound address once the sandbox answers.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	cfg := config.Default()
	if f.configPath != "" {
		if cfg, err = config.Load(f.configPath); err != nil {
			return err
		}
	}
	sb, err := sandbox.New(sandbox.WithConfig(cfg), sandbox.WithStrict(f.strict, nil),
		sandbox.WithSeed(f.seed), sandbox.WithLogger(logger))
	if err != nil {
		return err
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// The platform's timers (payment approval, window to cancel) fire as
	// the running clock reaches them.
	go sb.Clock.Run(ctx)
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	fmt.Fprintf(stdout, "omsbox %s listening on http://%s\n", sandbox.Version, addr)
	if f.skyhubAddr != "" {
		sln, err := net.Listen("tcp", f.skyhubAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("listen for SkyHub: %w", err)
		}
		ssrv := &http.Server{Handler: sb.SkyHubHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ssrv.Serve(sln) }()
		defer ssrv.Close()
		fmt.Fprintf(stdout, "  SkyHub API also on http://%s\n", sln.Addr())
	}
	for _, sl := range cfg.SkyHub.Sellers {
		fmt.Fprintf(stdout, "  SkyHub seller %s  X-Api-Key: %s  X-Accountmanager-Key: %s  (base %s, account %s)\n",
			sl.Email, sl.APIKey, cmp.Or(sl.AccountManagerKey, "any"), cmp.Or(cfg.SkyHub.Base, "/skyhub"), sl.Account)
	}
	for _, a := range cfg.Accounts {
		for _, k := range a.AppKeys {
			fmt.Fprintf(stdout, "  VTEX account %-12s X-VTEX-API-AppKey: %s  X-VTEX-API-AppToken: %s\n", a.Name, k.Key, k.Token)
		}
	}
	fmt.Fprintf(stdout, "  default account: %s (or ?an=ACCOUNT, or Host ACCOUNT.localhost)\n", cfg.DefaultAccount)
	logger.Info("omsbox ready", "addr", addr, "strict", f.strict, "accounts", len(cfg.Accounts))
	if ready != nil {
		ready <- addr
	}

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	logger.Info("omsbox shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envUint(name string, def uint64) uint64 {
	if v, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// healthcheck asks a running sandbox for its health: the image's
// HEALTHCHECK, since a scratch image has no curl.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+net.JoinHostPort(host, port)+"/_sandbox/health", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %d", resp.StatusCode)
	}
	return nil
}
