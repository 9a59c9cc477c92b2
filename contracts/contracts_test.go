package contracts_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "omsbox-contracts-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var refclient struct {
	once sync.Once
	path string
	err  error
}

// refclientBinary builds the reference client once for the package's tests.
func refclientBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the reference client")
	}
	refclient.once.Do(func() {
		refclient.path = filepath.Join(binDir, "refclient")
		out, err := exec.Command("go", "build", "-o", refclient.path, "../cmd/refclient").CombinedOutput()
		if err != nil {
			refclient.err = fmt.Errorf("build refclient: %v\n%s", err, out)
		}
	})
	if refclient.err != nil {
		t.Fatal(refclient.err)
	}
	return refclient.path
}

// TestFeaturesAgainstTheReferenceClient runs every feature against the
// bundled reference client, each scenario a subtest in its own account.
func TestFeaturesAgainstTheReferenceClient(t *testing.T) {
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Concurrency: 4,
		Formats:     "progress",
		TestingT:    t,
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite: status %d, %v", status, err)
	}
}

// TestPortugueseFeaturesAgainstTheReferenceClient runs the Portuguese
// twins of the built-in features (--lang pt), bound to the same steps.
func TestPortugueseFeaturesAgainstTheReferenceClient(t *testing.T) {
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Lang:        "pt", Concurrency: 4, Formats: "progress", TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("the Portuguese features: status %d, %v", status, err)
	}
}

// TestCommandAdapter runs the suite against the reference client built
// and started as a process, as an integrator's connector would be: every
// scenario passes but the hook one, which does not apply to a command and
// is reported skipped.
func TestCommandAdapter(t *testing.T) {
	bin := refclientBinary(t)
	dir, out := t.TempDir(), t.TempDir()
	t.Setenv("REFCLIENT_BACKOFF_SCALE", "0.01")
	t.Setenv("REFCLIENT_POLL_INTERVAL", "50ms")
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.Command{Line: bin + ` run --state "` + dir + `/$OMSBOX_VTEX_ACCOUNT.json"`},
		Concurrency: 4, Formats: "progress,junit", OutDir: out, TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite through the command adapter: status %d, %v", status, err)
	}
	skipped := junitSkipped(t, filepath.Join(out, "omsbox-contracts.junit.xml"))
	if _, ok := skipped["A hook notification leads to the download"]; !ok || len(skipped) != 1 {
		t.Errorf("skipped %v, want only the hook scenario", skipped)
	}
}

// TestCommandWithoutADriver: an integration with no driver endpoint runs
// the scenarios that need none (--tags '~@driver'), without the harness
// waiting for a driver that will never listen.
func TestCommandWithoutADriver(t *testing.T) {
	bin := refclientBinary(t)
	dir := t.TempDir()
	start := time.Now()
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.Command{Line: bin + ` run --driver-addr "" --poll 50ms --backoff-scale 0.01 --state "` + dir + `/$OMSBOX_VTEX_ACCOUNT.json"`},
		Tags:        "~@driver && ~@hook", Concurrency: 4, Formats: "progress", TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("a driverless integration on the scenarios that need no driver: status %d, %v", status, err)
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("the run took %s: the harness waited for a driver", d)
	}
}

// TestAlreadyRunningAdapter is --integration-url: the reference client runs
// as a process of its own, started before the harness, configured with one
// account of a sandbox that is already serving. Every scenario runs on
// that account, one after another; the hook, credentials and
// SkyHub-direct scenarios do not apply and are reported skipped, never
// passed.
func TestAlreadyRunningAdapter(t *testing.T) {
	bin := refclientBinary(t)
	// The sandbox guards its control plane, as one others can reach
	// should: the harness must send the token.
	const token = "ci-secret"
	sb, err := sandbox.New(sandbox.WithControlToken(token))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	ctx := context.Background()
	acct, err := client.New(srv.URL, nil).WithToken(token).CreateAccount(ctx, client.Account{Name: "conector-erp"})
	if err != nil {
		t.Fatal(err)
	}
	driver, err := contracts.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	b2b, err := contracts.FreeAddr()
	if err != nil || b2b == driver {
		t.Fatal(err, b2b)
	}
	env := contracts.Env{VTEXURL: srv.URL, Account: acct.Name, AppKey: acct.AppKey, AppToken: acct.AppToken,
		SkyHubURL: srv.URL + "/skyhub", SkyHubEmail: acct.SkyHubEmail, SkyHubAPIKey: acct.SkyHubAPIKey,
		SkyHubAMKey: "omsbox-contracts", DriverAddr: driver, B2BAddr: b2b, B2BToken: "b2b-token", B2BURL: "http://" + b2b,
		CarrierURL: srv.URL + "/correios", CarrierUser: acct.CorreiosUser, CarrierAccessCode: acct.CorreiosAccessCode,
		CarrierPostingCard: acct.CorreiosPostingCard}
	cmd := exec.Command(bin, "run", "--state", filepath.Join(t.TempDir(), "state.json"), "--poll", "50ms", "--backoff-scale", "0.01")
	cmd.Env = append(os.Environ(), env.Environ()...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("the reference client's log:\n%s", tail(logs.String(), 60))
		}
	})
	out := t.TempDir()
	status, err := contracts.Run(ctx, contracts.Options{
		Integration: contracts.AlreadyRunning{Driver: "http://" + driver},
		SandboxURL:  srv.URL, ControlToken: token, Shared: env, Formats: "progress,junit", OutDir: out, TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite against an integration already running: status %d, %v", status, err)
	}
	skipped := junitSkipped(t, filepath.Join(out, "omsbox-contracts.junit.xml"))
	for _, want := range []string{"A hook notification leads to the download", "Wrong credentials are not retried in a loop",
		"An order reserves, and the next push does not oversell", "A stock write refused with 423 is retried"} {
		if _, ok := skipped[want]; !ok {
			t.Errorf("scenario %q is not reported skipped (skipped: %v)", want, skipped)
		}
	}
	// Only scenarios whose tag the adapter names as not applying to an
	// integration already running are skipped, each with that reason;
	// every other scenario ran and passed.
	unsupported := contracts.AlreadyRunning{}.Unsupported()
	for name, why := range skipped {
		tag, reason, _ := strings.Cut(why, ": ")
		if unsupported[tag] == "" || unsupported[tag] != reason {
			t.Errorf("scenario %q is skipped for a reason the adapter does not give: %s", name, why)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// junitSkipped reads a JUnit report and returns its skipped test cases
// with their messages.
func junitSkipped(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("junit report: %v", err)
	}
	out := map[string]string{}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			if c.Skipped != nil {
				out[c.Name] = c.Skipped.Message
			}
		}
	}
	return out
}

// TestWrongCommandFailsFast: a connector that is not there stops the run
// before any scenario, with one message naming the problem.
func TestWrongCommandFailsFast(t *testing.T) {
	start := time.Now()
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.Command{Line: "./my-connector", Dir: t.TempDir()}, Formats: "progress", Output: &strings.Builder{},
	})
	if err == nil || status == 0 {
		t.Fatalf("a command that does not exist: status %d, %v", status, err)
	}
	if !strings.Contains(err.Error(), "exited as soon as it started") || !strings.Contains(err.Error(), "my-connector") {
		t.Errorf("the message does not say what went wrong: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("failing took %s", d)
	}
}

// TestDriverThatDoesNotAnswerFailsFast: --integration-url pointing at
// nothing stops the run at once.
func TestDriverThatDoesNotAnswerFailsFast(t *testing.T) {
	sb, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	dead, _ := contracts.FreeAddr()
	_, err = contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.AlreadyRunning{Driver: "http://" + dead}, SandboxURL: srv.URL,
		Shared: contracts.Env{Account: "demostore", VTEXURL: srv.URL}, Tags: "@driver", Output: &strings.Builder{},
	})
	if err == nil || !strings.Contains(err.Error(), "driver does not answer") {
		t.Fatalf("a driver that does not answer: %v", err)
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := contracts.Run(ctx, contracts.Options{}); err == nil {
		t.Error("no integration accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.InProcess{}, Formats: "pdf"}); err == nil {
		t.Error("an unknown format accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.AlreadyRunning{Driver: "http://127.0.0.1:1"}, SandboxURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("an integration already running without its account accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.AlreadyRunning{Driver: "http://127.0.0.1:1"},
		Shared: contracts.Env{Account: "demostore"}}); err == nil || !strings.Contains(err.Error(), "--sandbox-url") {
		t.Errorf("an integration already running without its sandbox: %v", err)
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.InProcess{}, SandboxURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("a sandbox that does not answer accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.InProcess{}, Tags: "@nosuchtag"}); err == nil ||
		!strings.Contains(err.Error(), "no scenario matches") || !strings.Contains(err.Error(), "@passive") {
		t.Errorf("tags that select nothing: %v", err)
	}
}

// TestTeamFeatures runs a team's own feature directory (English and
// Portuguese, tables, journal and event assertions, faults, the clock)
// with the step library, without the built-in features.
func TestTeamFeatures(t *testing.T) {
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Features:    []string{"../testdata/team-features"}, NoBuiltin: true,
		Concurrency: 1, Formats: "progress", TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("the team's features: status %d, %v", status, err)
	}
}

// TestUnknownStepSuggestsTheClosest: a misspelt step fails the run before
// any scenario, naming the file and the step to write instead.
func TestUnknownStepSuggestsTheClosest(t *testing.T) {
	_, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Features:    []string{"../testdata/team-features-typo"}, Output: &strings.Builder{},
	})
	if err == nil || !strings.Contains(err.Error(), `unknown step: the order is now handling`) ||
		!strings.Contains(err.Error(), `did you mean: the order is "handling"`) || !strings.Contains(err.Error(), filepath.Join("..", "testdata", "team-features-typo", "typo.feature")) {
		t.Fatalf("a misspelt step: %v", err)
	}
}
