// Command omsbox runs the sandbox: `omsbox serve` starts the vendor APIs
// (VTEX, SkyHub, Mercado Livre, the carrier), the control plane and the
// dashboard; `omsbox contracts` runs the contract harness, a command of its
// own (cmd/omsbox-contracts) so that serve links none of it; `omsbox
// version` prints the version. It is a thin shell: flags and environment
// in, package sandbox does the work.
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
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	// Its init populates the heap that the heavier packages' inits then
	// allocate into: a sixth of start-up where page faults are dear. It
	// runs before them because it needs the standard library only (see
	// TestPretouchRunsBeforeTheHeavyInits).
	_ "github.com/omsbox/omsbox/internal/pretouch"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/config"
)

const usage = `omsbox — a local sandbox of VTEX, SkyHub, Mercado Livre and a Correios-style carrier

Usage:
  omsbox serve [flags]            run the sandbox (see omsbox serve -h)
  omsbox contracts run [flags]    run the contract features against an integration
  omsbox contracts steps [--lang pt]  print the step glossary for writing features
  omsbox healthcheck              exit 0 when the sandbox at $OMSBOX_ADDR is healthy (for containers)
  omsbox version                  print the version (also omsbox --version)
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var code exitCode
		if errors.As(err, &code) { // the contract harness's own status; it has said why
			os.Exit(int(code))
		}
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
		return helpIsNoError(serve(ctx, args[1:], stdout, stderr, nil))
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "omsbox", sandbox.Version)
		return nil
	case "healthcheck":
		// With the control plane on its own address, health is there.
		return healthcheck(ctx, env("OMSBOX_CONTROL_ADDR", env("OMSBOX_ADDR", "127.0.0.1:8080")))
	case "contracts":
		if len(args) < 2 || (args[1] != "run" && args[1] != "steps") {
			fmt.Fprint(stderr, usage)
			return errors.New("contracts: the commands are 'omsbox contracts run' and 'omsbox contracts steps'")
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return helpIsNoError(runContracts(ctx, args[1:], stdout, stderr))
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// serveFlags are serve's settings; each flag has an environment variable.
type serveFlags struct {
	addr, skyhubAddr, controlAddr, controlToken string
	carrierAddr                                 string
	mercadolivreAddr                            string
	configPath, logLevel, logFormat             string
	strict                                      bool
	seed                                        uint64
	readTimeout, idleTimeout, shutdownTimeout   time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	f := serveFlags{addr: "127.0.0.1:8080", logLevel: "info", logFormat: "text", seed: sandbox.DefaultSeed,
		readTimeout: 30 * time.Second, idleTimeout: 2 * time.Minute, shutdownTimeout: 10 * time.Second}
	var e envReader
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", env("OMSBOX_ADDR", f.addr), "listen address; port 0 picks a free port (env OMSBOX_ADDR)")
	fs.StringVar(&f.skyhubAddr, "skyhub-addr", env("OMSBOX_SKYHUB_ADDR", ""), "also serve the SkyHub API at the root of this address (env OMSBOX_SKYHUB_ADDR)")
	fs.StringVar(&f.mercadolivreAddr, "mercadolivre-addr", env("OMSBOX_MERCADOLIVRE_ADDR", ""), "also serve the Mercado Livre API at the root of this address (env OMSBOX_MERCADOLIVRE_ADDR)")
	fs.StringVar(&f.carrierAddr, "carrier-addr", env("OMSBOX_CARRIER_ADDR", ""), "also serve the carrier (Correios) API at the root of this address (env OMSBOX_CARRIER_ADDR)")
	fs.StringVar(&f.controlAddr, "control-addr", env("OMSBOX_CONTROL_ADDR", ""), "serve the control plane (/_sandbox/) on this address only, not on --addr (env OMSBOX_CONTROL_ADDR)")
	fs.StringVar(&f.controlToken, "control-token", env("OMSBOX_CONTROL_TOKEN", ""), "require Authorization: Bearer TOKEN on every control-plane call but health (env OMSBOX_CONTROL_TOKEN)")
	fs.StringVar(&f.configPath, "config", env("OMSBOX_CONFIG", ""), "JSON config file replacing the embedded default (env OMSBOX_CONFIG)")
	fs.BoolVar(&f.strict, "strict", e.bool("OMSBOX_STRICT", false), "validate every response against the OpenAPI documents (env OMSBOX_STRICT)")
	fs.Uint64Var(&f.seed, "seed", e.uint("OMSBOX_SEED", f.seed), "random seed of generated ids and data (env OMSBOX_SEED)")
	fs.StringVar(&f.logLevel, "log-level", env("OMSBOX_LOG_LEVEL", f.logLevel), "debug, info, warn or error (env OMSBOX_LOG_LEVEL)")
	fs.StringVar(&f.logFormat, "log-format", env("OMSBOX_LOG_FORMAT", f.logFormat), "text or json (env OMSBOX_LOG_FORMAT)")
	fs.DurationVar(&f.readTimeout, "read-timeout", e.duration("OMSBOX_READ_TIMEOUT", f.readTimeout), "how long a client may take to send a whole request, body included (env OMSBOX_READ_TIMEOUT)")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", e.duration("OMSBOX_IDLE_TIMEOUT", f.idleTimeout), "how long an idle keep-alive connection stays open (env OMSBOX_IDLE_TIMEOUT)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", e.duration("OMSBOX_SHUTDOWN_TIMEOUT", f.shutdownTimeout), "how long requests in flight may finish on SIGTERM before their connections close (env OMSBOX_SHUTDOWN_TIMEOUT)")
	if e.err != nil {
		return f, e.err
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	for name, d := range map[string]time.Duration{"read-timeout": f.readTimeout, "idle-timeout": f.idleTimeout, "shutdown-timeout": f.shutdownTimeout} {
		if d <= 0 {
			return f, fmt.Errorf("--%s must be positive, not %s", name, d)
		}
	}
	return f, nil
}

// listener is one address the sandbox serves, and what it serves there.
type listener struct {
	name    string // for the banner and errors
	addr    string
	handler http.Handler
	skyhub  bool // SkyHub at the root
	meli    bool // Mercado Livre at the root
	srv     *http.Server
	ln      net.Listener
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
	resumeGC := pauseGC()
	defer resumeGC()
	cfg := config.Default()
	if f.configPath != "" {
		if cfg, err = config.Load(f.configPath); err != nil {
			return err
		}
	}
	sb, err := sandbox.New(sandbox.WithConfig(cfg), sandbox.WithStrict(f.strict, nil),
		sandbox.WithSeed(f.seed), sandbox.WithLogger(logger), sandbox.WithControlToken(f.controlToken))
	if err != nil {
		return err
	}
	defer sb.Close()

	main := &listener{name: "VTEX API and control plane", addr: f.addr, handler: sb.Handler()}
	listeners := []*listener{main}
	if f.controlAddr != "" {
		main.name, main.handler = "VTEX API", sb.VendorHandler()
		listeners = append(listeners, &listener{name: "control plane", addr: f.controlAddr, handler: sb.ControlHandler()})
	}
	if f.skyhubAddr != "" {
		listeners = append(listeners, &listener{name: "SkyHub API", addr: f.skyhubAddr, handler: sb.SkyHubHandler(), skyhub: true})
	}
	if f.carrierAddr != "" {
		listeners = append(listeners, &listener{name: "carrier (Correios) API", addr: f.carrierAddr, handler: sb.CarrierHandler()})
	}
	if f.mercadolivreAddr != "" {
		listeners = append(listeners, &listener{name: "Mercado Livre API", addr: f.mercadolivreAddr, handler: sb.MercadoLivreHandler(), meli: true})
	}
	errLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	for _, l := range listeners {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			closeAll(listeners)
			return fmt.Errorf("listen for the %s on %s: %w", l.name, l.addr, err)
		}
		l.ln = sb.WrapListener(ln, l.skyhub)
		if l.meli {
			l.ln = sb.WrapMercadoLivreListener(ln)
		}
		// ReadTimeout bounds the whole request, body included: a client
		// that promises a body and never sends it loses its connection.
		l.srv = &http.Server{Handler: l.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: f.readTimeout,
			IdleTimeout: f.idleTimeout, ErrorLog: errLog}
		l.srv.RegisterOnShutdown(sb.EndStreams) // a dashboard left open must not hold the shutdown
	}
	// The platform's timers (payment approval, window to cancel) fire as
	// the running clock reaches them.
	go sb.Clock.Run(ctx)
	done := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { done <- l.srv.Serve(l.ln) }()
	}
	resumeGC()

	addr := main.ln.Addr().String()
	fmt.Fprintf(stdout, "omsbox %s listening on http://%s\n", sandbox.Version, addr)
	for _, l := range listeners[1:] {
		fmt.Fprintf(stdout, "  %s on http://%s\n", l.name, l.ln.Addr())
	}
	controlLn := main.ln
	if f.controlAddr != "" {
		controlLn = listeners[1].ln
	}
	dashboardNote := ""
	if f.controlToken != "" {
		dashboardNote = " (it asks for the control token)"
	}
	dashboardURL := "http://" + browsable(controlLn.Addr()) + "/_sandbox/ui"
	fmt.Fprintf(stdout, "  dashboard: %s%s\n", dashboardURL, dashboardNote)
	if f.controlToken == "" && !isLoopback(controlLn.Addr()) {
		fmt.Fprintf(stderr, "omsbox: WARNING: the control plane listens on %s, beyond loopback, with no control token: "+
			"anyone who reaches it can reset, read and drive this sandbox; set --control-token or OMSBOX_CONTROL_TOKEN\n", controlLn.Addr())
	}
	for _, sl := range cfg.SkyHub.Sellers {
		fmt.Fprintf(stdout, "  SkyHub seller %s  X-Api-Key: %s  X-Accountmanager-Key: %s  (base %s, account %s)\n",
			sl.Email, sl.APIKey, cmp.Or(sl.AccountManagerKey, "any"), cmp.Or(cfg.SkyHub.Base, "/skyhub"), sl.Account)
	}
	for _, a := range cfg.MercadoLivre.Apps {
		fmt.Fprintf(stdout, "  Mercado Livre app %s  seller %d  (base %s, account %s; a code: POST /_sandbox/mercadolivre/authorize)\n",
			a.ClientID, a.SellerID, cmp.Or(cfg.MercadoLivre.Base, "/mercadolivre"), a.Account)
	}
	for _, a := range cfg.Accounts {
		for _, k := range a.AppKeys {
			fmt.Fprintf(stdout, "  VTEX account %-12s X-VTEX-API-AppKey: %s  X-VTEX-API-AppToken: %s\n", a.Name, k.Key, k.Token)
		}
	}
	fmt.Fprintf(stdout, "  default account: %s (or ?an=ACCOUNT, or Host ACCOUNT.localhost)\n", cfg.DefaultAccount)
	logger.Info("omsbox ready", "addr", addr, "dashboard", dashboardURL, "strict", f.strict, "accounts", len(cfg.Accounts),
		"controlToken", f.controlToken != "")
	if ready != nil {
		ready <- addr
	}

	select {
	case err := <-done:
		closeAll(listeners)
		return err
	case <-ctx.Done():
	}
	logger.Info("omsbox shutting down", "grace", f.shutdownTimeout)
	shutdownAll(listeners, f.shutdownTimeout, logger)
	return nil
}

// gcPauses counts the start-ups under way in this process (tests start
// several at once); the collector is off while there is one.
var gcPauses struct {
	sync.Mutex
	n       int
	percent int
}

// pauseGC turns the collector off until the answered func is called (once
// or more). Start-up allocates a few megabytes that it mostly keeps
// (routers, seeds, accounts); collecting them midway only delays the first
// answer, by ~3 ms of a ~45 ms start.
func pauseGC() (resume func()) {
	gcPauses.Lock()
	if gcPauses.n++; gcPauses.n == 1 {
		gcPauses.percent = debug.SetGCPercent(-1)
	}
	gcPauses.Unlock()
	return sync.OnceFunc(func() {
		gcPauses.Lock()
		if gcPauses.n--; gcPauses.n == 0 {
			debug.SetGCPercent(gcPauses.percent)
		}
		gcPauses.Unlock()
	})
}

// shutdownAll stops every listener at once, letting requests in flight
// finish for up to grace; connections still busy then are closed. Either
// way the sandbox has stopped cleanly.
func shutdownAll(listeners []*listener, grace time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range listeners {
		wg.Go(func() {
			if err := l.srv.Shutdown(ctx); err != nil {
				logger.Warn("requests still in flight after the grace period; closing their connections",
					"listener", l.name, "grace", grace)
				_ = l.srv.Close()
			}
		})
	}
	wg.Wait()
}

// closeAll closes what was opened when start-up fails half-way.
func closeAll(listeners []*listener) {
	for _, l := range listeners {
		switch {
		case l.srv != nil:
			_ = l.srv.Close()
			_ = l.ln.Close()
		case l.ln != nil:
			_ = l.ln.Close()
		}
	}
}

// browsable names addr as a browser on this machine reaches it: a
// listener on every interface (0.0.0.0, ::) is reached at 127.0.0.1.
func browsable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// isLoopback tells whether addr is reachable only from this machine.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
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

// helpIsNoError makes -h a success: the flag package has printed the
// usage, which is what was asked for.
func helpIsNoError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// envReader reads typed environment variables, keeping the first that
// does not parse: a setting that is silently ignored is worse than none.
type envReader struct{ err error }

func (e *envReader) parse(name string, parse func(string) error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" || e.err != nil {
		return
	}
	if err := parse(v); err != nil {
		e.err = fmt.Errorf("environment variable %s=%q: %w", name, v, err)
	}
}

func (e *envReader) bool(name string, def bool) bool {
	e.parse(name, func(v string) (err error) {
		if def, err = strconv.ParseBool(v); err != nil {
			return errors.New("want true or false")
		}
		return nil
	})
	return def
}

func (e *envReader) uint(name string, def uint64) uint64 {
	e.parse(name, func(v string) (err error) {
		if def, err = strconv.ParseUint(v, 10, 64); err != nil {
			return errors.New("want a non-negative whole number")
		}
		return nil
	})
	return def
}

func (e *envReader) duration(name string, def time.Duration) time.Duration {
	e.parse(name, func(v string) (err error) {
		if def, err = time.ParseDuration(v); err != nil {
			return errors.New(`want a duration such as "30s"`)
		}
		return nil
	})
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
