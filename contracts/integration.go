// Package contracts is omsbox's contract harness: it runs the Gherkin
// features in features/ (English and Portuguese) and a team's own with
// godog against an integration under test, each scenario in a sandbox
// account of its own, and asserts on the sandbox's state, events and
// journal. Integrations are reached through the small Integration
// interface: in-process Go (the bundled reference client,
// contracts/reference), a command the harness starts, a Docker image, or
// one already running. The steps live in one table (steptable.go) that
// godog, the glossary and the language check all read; the harness keeps
// its own record of each run for the JUnit and HTML reports (report.go,
// html.go).
package contracts

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
)

// Env is what every integration under test is given: the sandbox's URLs
// and the scenario account's credentials. As environment variables (the
// harness's contract, see Environ) they are OMSBOX_VTEX_URL,
// OMSBOX_VTEX_ACCOUNT, OMSBOX_VTEX_APPKEY, OMSBOX_VTEX_APPTOKEN,
// OMSBOX_SKYHUB_URL, OMSBOX_SKYHUB_EMAIL, OMSBOX_SKYHUB_APIKEY,
// OMSBOX_SKYHUB_ACCOUNTMANAGER_KEY, OMSBOX_SKYHUB_CNPJ, OMSBOX_DRIVER_ADDR,
// OMSBOX_CHANNELS, OMSBOX_B2B_ADDR, OMSBOX_B2B_TOKEN, and the carrier's
// OMSBOX_CARRIER_URL, OMSBOX_CARRIER_USER, OMSBOX_CARRIER_ACCESS_CODE and
// OMSBOX_CARRIER_POSTING_CARD, and Mercado Livre's OMSBOX_ML_URL,
// OMSBOX_ML_CLIENT_ID, OMSBOX_ML_CLIENT_SECRET, OMSBOX_ML_REDIRECT_URI,
// OMSBOX_ML_CODE and OMSBOX_ML_NOTIFICATIONS_ADDR.
type Env struct {
	VTEXURL, Account, AppKey, AppToken                string
	SkyHubURL, SkyHubEmail, SkyHubAPIKey, SkyHubAMKey string
	// The Correios-style carrier: its base URL and the account's contract.
	CarrierURL, CarrierUser, CarrierAccessCode, CarrierPostingCard string
	// DriverAddr is where the integration's driver endpoint must listen
	// (host:port) for the harness's ERP actions.
	DriverAddr string
	// HookMode asks the integration to subscribe to the hook rather than
	// poll the feed, where it can.
	HookMode bool
	// DriverOptional says no selected scenario needs the driver (--tags
	// '~@driver'): an integration without one is not waited for.
	DriverOptional bool
	// Channels the scenario expects the integration to integrate
	// directly, comma-separated: "vtex" (every scenario but the @skyhub and
	// @sac ones) or "skyhub" (SkyHub-direct: its order queue, SAC and
	// questions, catalog). OMSBOX_CHANNELS.
	Channels string
	// SkyHubCNPJ is the seller's CNPJ, the issuer its NF-e keys must name.
	SkyHubCNPJ string
	// B2BAddr is where the integration's B2B look-up API (the one VTEX's
	// B2B Orders app calls) must listen, and B2BToken the bearer token the
	// harness, playing the app, sends to it. An integration already running
	// gives its B2BURL instead of an address.
	B2BAddr, B2BToken, B2BURL string
	// Mercado Livre: the API's base URL, the scenario account's app, and an
	// authorization code of the seller's consent (single use, 10 minutes),
	// which the integration trades for its first token pair.
	MLURL, MLClientID, MLClientSecret, MLRedirectURI, MLCode string
	// MLNotificationsAddr is where the integration's Mercado Livre
	// notification receiver must listen (host:port): the harness sets the
	// app's callback URL to http://MLNotificationsAddr/notifications.
	MLNotificationsAddr string
}

// Environ returns the environment variables of env.
func (e Env) Environ() []string {
	return []string{
		"OMSBOX_VTEX_URL=" + e.VTEXURL, "OMSBOX_VTEX_ACCOUNT=" + e.Account,
		"OMSBOX_VTEX_APPKEY=" + e.AppKey, "OMSBOX_VTEX_APPTOKEN=" + e.AppToken,
		"OMSBOX_SKYHUB_URL=" + e.SkyHubURL, "OMSBOX_SKYHUB_EMAIL=" + e.SkyHubEmail,
		"OMSBOX_SKYHUB_APIKEY=" + e.SkyHubAPIKey, "OMSBOX_SKYHUB_ACCOUNTMANAGER_KEY=" + e.SkyHubAMKey,
		"OMSBOX_DRIVER_ADDR=" + e.DriverAddr, "OMSBOX_B2B_ADDR=" + e.B2BAddr, "OMSBOX_B2B_TOKEN=" + e.B2BToken,
		"OMSBOX_CHANNELS=" + cmp.Or(e.Channels, "vtex"), "OMSBOX_SKYHUB_CNPJ=" + e.SkyHubCNPJ,
		"OMSBOX_CARRIER_URL=" + e.CarrierURL, "OMSBOX_CARRIER_USER=" + e.CarrierUser,
		"OMSBOX_CARRIER_ACCESS_CODE=" + e.CarrierAccessCode, "OMSBOX_CARRIER_POSTING_CARD=" + e.CarrierPostingCard,
		"OMSBOX_ML_URL=" + e.MLURL, "OMSBOX_ML_CLIENT_ID=" + e.MLClientID, "OMSBOX_ML_CLIENT_SECRET=" + e.MLClientSecret,
		"OMSBOX_ML_REDIRECT_URI=" + e.MLRedirectURI, "OMSBOX_ML_CODE=" + e.MLCode,
		"OMSBOX_ML_NOTIFICATIONS_ADDR=" + e.MLNotificationsAddr,
	}
}

// Integration is an integration under test.
type Integration interface {
	// Start runs the integration with env until ctx ends or Stop.
	Start(ctx context.Context, env Env) (Running, error)
	// PerScenario tells whether each scenario gets its own instance (and
	// so its own account); an integration already running does not.
	PerScenario() bool
}

// Running is a started integration.
type Running interface {
	// DriverURL is the base URL of its driver endpoint ("" if none).
	DriverURL() string
	// Stop ends it and returns what it logged.
	Stop() (logs string, err error)
}

// InProcess runs the bundled reference client (contracts/reference) inside the
// harness: the integration omsbox's own CI drives.
type InProcess struct {
	// Transport, if set, carries its VTEX calls (mutation tests use it).
	Transport http.RoundTripper
	// StateDir holds its state files (default: a temporary directory).
	StateDir string
	// Configure, if set, adjusts the client's configuration before it
	// starts (mutation tests use it).
	Configure func(*reference.Config)
}

// PerScenario is true: each scenario runs its own client.
func (InProcess) PerScenario() bool { return true }

// Start runs the reference client.
func (p InProcess) Start(ctx context.Context, env Env) (Running, error) {
	dir := p.StateDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "refclient-"); err != nil {
			return nil, err
		}
	}
	logs := &syncBuffer{}
	cfg := reference.Config{VTEXURL: env.VTEXURL, Account: env.Account, AppKey: env.AppKey, AppToken: env.AppToken,
		SkyHubURL: env.SkyHubURL, SkyHubEmail: env.SkyHubEmail, SkyHubAPIKey: env.SkyHubAPIKey, SkyHubAMKey: env.SkyHubAMKey,
		DriverAddr: env.DriverAddr, StateFile: filepath.Join(dir, env.Account+".json"), PollInterval: 50 * time.Millisecond,
		BackoffScale: 0.01, MaxRetries: 4, Timeout: 10 * time.Second, Transport: p.Transport,
		B2BAddr: env.B2BAddr, B2BToken: env.B2BToken,
		Channels: reference.ParseChannels(env.Channels), SellerCNPJ: env.SkyHubCNPJ,
		CarrierURL: env.CarrierURL, CarrierUser: env.CarrierUser, CarrierAccessCode: env.CarrierAccessCode,
		CarrierPostingCard: env.CarrierPostingCard, TrackInterval: 100 * time.Millisecond,
		MLURL: env.MLURL, MLClientID: env.MLClientID, MLClientSecret: env.MLClientSecret, MLRedirectURI: env.MLRedirectURI, MLCode: env.MLCode,
		// Notifications bring Mercado Livre's news; the catch-up runs at
		// start and then only hourly, so a scenario sees what the
		// notifications alone do.
		MLNotifyAddr: env.MLNotificationsAddr, MLSyncInterval: time.Hour}
	if env.HookMode {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		cfg.HookAddr, cfg.HookURL, cfg.PollInterval = addr, "http://"+addr+"/", time.Hour
	}
	if p.Configure != nil {
		p.Configure(&cfg)
	}
	c, err := reference.New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &inProcess{cancel: cancel, exit: newExit(), logs: logs, driver: "http://" + env.DriverAddr}
	go func() { r.exit.set(c.Run(ctx)) }()
	if err := waitListening(ctx, env.DriverAddr, r.exit, 20*time.Second); err != nil {
		logs, _ := r.Stop()
		if errors.Is(err, errExited) {
			return r, nil // it stopped by itself (wrong credentials, say): a scenario may expect that
		}
		return nil, fmt.Errorf("reference client: %w\n%s", err, logs)
	}
	return r, nil
}

type inProcess struct {
	cancel context.CancelFunc
	exit   *exit
	logs   *syncBuffer
	driver string
}

func (r *inProcess) DriverURL() string { return r.driver }

func (r *inProcess) exited() (bool, error) { return r.exit.ended() }

func (r *inProcess) Stop() (string, error) {
	r.cancel()
	<-r.exit.done
	return r.logs.String(), r.exit.err
}

// exit records how an integration ended; done closes then.
type exit struct {
	done chan struct{}
	once sync.Once
	err  error
}

func newExit() *exit { return &exit{done: make(chan struct{})} }

// ended tells whether it has ended, and how.
func (e *exit) ended() (bool, error) {
	select {
	case <-e.done:
		return true, e.err
	default:
		return false, nil
	}
}

func (e *exit) set(err error) {
	e.once.Do(func() {
		e.err = err
		close(e.done)
	})
}

// Command runs an integration as a process: the command line goes to
// "sh -c" with the harness's environment added, and is stopped (SIGTERM,
// then SIGKILL after 5 s) at the end of the scenario.
type Command struct {
	Line string
	Dir  string
}

// PerScenario is true: each scenario starts the command.
func (Command) PerScenario() bool { return true }

// Unsupported: only the bundled client has a hook mode the harness can
// switch on.
func (Command) Unsupported() map[string]string {
	return map[string]string{"@hook": "the harness can switch hook mode on only for the in-process reference client"}
}

// Start starts the command and waits for its driver endpoint.
func (c Command) Start(ctx context.Context, env Env) (Running, error) {
	cmd := exec.Command("sh", "-c", c.Line)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), env.Environ()...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %q: %w", c.Line, err)
	}
	r := &process{cmd: cmd, exit: newExit(), logs: logs, driver: "http://" + env.DriverAddr}
	go func() { r.exit.set(cmd.Wait()) }()
	if env.DriverOptional {
		// It may have no driver: its listening, or a short while alive,
		// is all there is to wait for.
		err := waitListening(ctx, env.DriverAddr, r.exit, time.Second)
		if errors.Is(err, errNotListening) {
			r.driver = ""
		}
		return r, nil
	}
	if err := waitListening(ctx, env.DriverAddr, r.exit, 20*time.Second); err != nil && !errors.Is(err, errExited) {
		logs, _ := r.Stop()
		return nil, fmt.Errorf("%q: %w\n%s", c.Line, err, logs)
	}
	return r, nil
}

type process struct {
	cmd    *exec.Cmd
	exit   *exit
	logs   *syncBuffer
	driver string
}

func (p *process) DriverURL() string { return p.driver }

func (p *process) exited() (bool, error) { return p.exit.ended() }

func (p *process) Stop() (string, error) {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.exit.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exit.done
	}
	return p.logs.String(), nil
}

// AlreadyRunning is an integration that is already up, configured with a
// sandbox account of its own: the harness knows only its driver URL and
// that account. Scenarios run one at a time on the account, which is never
// reset under the integration (its feed configuration and the orders it
// stored stay); each scenario creates orders of its own (ids never repeat
// in a sandbox's life) and looks only at what happens after it starts.
type AlreadyRunning struct{ Driver string }

// PerScenario is false: one instance serves every scenario.
func (AlreadyRunning) PerScenario() bool { return false }

// Unsupported: scenarios that start the integration in a particular way do
// not apply to one already running.
func (AlreadyRunning) Unsupported() map[string]string {
	return map[string]string{
		"@hook":         "the harness cannot switch an integration already running to hook mode",
		"@credentials":  "the harness cannot give an integration already running other credentials",
		"@skyhub":       "the harness cannot switch an integration already running to SkyHub-direct mode",
		"@sac":          "the harness cannot switch an integration already running to SkyHub-direct mode",
		"@mercadolivre": "the harness cannot give an integration already running the seller's Mercado Livre consent",
		// The stock an integration pushes leaves out the units of every
		// order it handles on the account: on a shared one, the earlier
		// scenarios' orders are still held.
		"@stock": "on a shared account the orders of earlier scenarios still hold units of the same SKUs",
	}
}

// Start returns the running integration.
func (a AlreadyRunning) Start(context.Context, Env) (Running, error) { return already(a.Driver), nil }

type already string

func (a already) DriverURL() string     { return string(a) }
func (a already) Stop() (string, error) { return "", nil }

var (
	errExited       = errors.New("the integration exited")
	errNotListening = errors.New("its driver does not listen")
)

// waitListening waits until addr accepts connections, the process exits,
// or the time passes.
func waitListening(ctx context.Context, addr string, exited *exit, within time.Duration) error {
	deadline := time.After(within)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited.done:
			return fmt.Errorf("%w before its driver listened on %s: %v", errExited, addr, exited.err)
		case <-deadline:
			return fmt.Errorf("%w on %s within %s", errNotListening, addr, within)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// FreeAddr returns a free loopback address.
func FreeAddr() (string, error) {
	addrs, err := freeAddrs(1)
	if err != nil {
		return "", err
	}
	return addrs[0], nil
}

// freeAddrs returns n distinct free loopback addresses: each is held until
// all are found, so the kernel cannot hand the same port out twice.
//
// The ports are drawn below the kernel's ephemeral range where it has one
// (Linux): a port the kernel picks for ":0" comes from the range it also
// gives the outgoing connections of the many clients a run makes, and one
// of those could take the port between this check and the integration's
// bind, which then fails and the integration exits before its driver
// listens (a scenario failing at random, with nothing in the log).
func freeAddrs(n int) ([]string, error) {
	low := ephemeralLow()
	var out []string
	for range n {
		ln, err := listenFree(low)
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out, nil
}

// firstPort is the lowest port freeAddrs draws.
const firstPort = 10_000

func listenFree(low int) (net.Listener, error) {
	if low >= firstPort+1000 {
		for range 50 {
			if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(firstPort+rand.IntN(low-firstPort))); err == nil {
				return ln, nil
			}
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// ephemeralLow is the first port of Linux's ephemeral range, 0 when the
// system does not say.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var _ io.Writer = (*syncBuffer)(nil)
