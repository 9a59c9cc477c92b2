package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeHarness puts on PATH an omsbox-contracts that prints its arguments,
// writes to stderr and exits 3.
func fakeHarness(t *testing.T) {
	t.Helper()
	stubHarness(t, "echo \"harness: $*\"\necho \"on stderr\" >&2\nexit 3\n")
}

// stubHarness puts on PATH an omsbox-contracts that runs script.
func stubHarness(t *testing.T, script string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in harness is a shell script")
	}
	dir := t.TempDir()
	script = "#!/bin/sh\n" + script
	if err := os.WriteFile(filepath.Join(dir, harnessName), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// Outside a module that provides it, `omsbox contracts ...` is the harness
// installed on PATH, with the same arguments and streams, ending with its
// exit status and nothing added.
func TestContractsRunsTheInstalledHarness(t *testing.T) {
	fakeHarness(t)
	t.Chdir(t.TempDir())
	var stdout, stderr strings.Builder
	err := run(context.Background(), []string{"contracts", "run", "--tags", "@passive"}, &stdout, &stderr)
	var code exitCode
	if !errors.As(err, &code) || code != 3 {
		t.Fatalf("err = %v, want the harness's exit status 3", err)
	}
	if stdout.String() != "harness: run --tags @passive\n" || stderr.String() != "on stderr\n" {
		t.Errorf("stdout %q, stderr %q: want the harness's own", stdout.String(), stderr.String())
	}
}

// A harness a signal ends gives 128 and the signal's number, as a shell
// would report it, not -1.
func TestContractsEndedByASignalReportItAsAShellWould(t *testing.T) {
	stubHarness(t, "kill -TERM $$\n")
	t.Chdir(t.TempDir())
	err := run(context.Background(), []string{"contracts", "steps"}, &strings.Builder{}, &strings.Builder{})
	var code exitCode
	if !errors.As(err, &code) || code != 128+15 {
		t.Fatalf("err = %v, want exit status 143 (SIGTERM)", err)
	}
}

// In a checkout, the harness is built from it, even with another one on
// PATH, as `go run ./cmd/omsbox contracts ...` needs.
func TestContractsInACheckoutRunTheCheckoutsHarness(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH to build the harness with")
	}
	fakeHarness(t)
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"contracts", "steps", "--lang", "pt"}, &stdout, &stderr); err != nil {
		t.Fatalf("contracts steps: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "a integração") {
		t.Errorf("the Portuguese glossary is not what the built harness printed:\n%.300s", stdout.String())
	}
}

// With no harness anywhere, the error says how to install one.
func TestContractsWithoutAHarnessSayHowToInstallIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Chdir(t.TempDir())
	err := run(context.Background(), []string{"contracts", "steps"}, &strings.Builder{}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "go install "+harnessPackage+"@latest") {
		t.Errorf("err = %v, want how to install the harness", err)
	}
}
