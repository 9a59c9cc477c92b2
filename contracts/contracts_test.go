package contracts_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/omsbox/omsbox/contracts"
)

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

// TestCommandAdapter runs the passive scenarios against the reference
// client built and started as a process, as an integrator's connector
// would be.
func TestCommandAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the reference client")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "refclient")
	build := exec.Command("go", "build", "-o", bin, "../cmd/refclient")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build refclient: %v\n%s", err, out)
	}
	t.Setenv("REFCLIENT_BACKOFF_SCALE", "0.01")
	t.Setenv("REFCLIENT_POLL_INTERVAL", "50ms")
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.Command{Line: bin + ` run --state "` + dir + `/$OMSBOX_VTEX_ACCOUNT.json"`},
		Tags:        "@passive", Concurrency: 4, Formats: "progress", TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite through the command adapter: status %d, %v", status, err)
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := contracts.Run(ctx, contracts.Options{}); err == nil {
		t.Error("no integration accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.InProcess{}, Formats: "html"}); err == nil {
		t.Error("an unknown format accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.AlreadyRunning{Driver: "http://127.0.0.1:1"}}); err == nil {
		t.Error("an integration already running without its account accepted")
	}
	if _, err := contracts.Run(ctx, contracts.Options{Integration: contracts.InProcess{}, SandboxURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("a sandbox that does not answer accepted")
	}
}
