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

// `omsbox contracts ...` is the harness installed on PATH, with the same
// arguments and streams, ending with its exit status and nothing added.
func TestContractsRunsTheInstalledHarness(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in harness is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"harness: $*\"\necho \"on stderr\" >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, harnessName), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
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

// Not installed, the harness is built from the module omsbox runs in, as
// `go run ./cmd/omsbox contracts ...` in a checkout needs.
func TestContractsBuildsTheHarnessWhenNotInstalled(t *testing.T) {
	if _, err := exec.LookPath(harnessName); err == nil {
		t.Skipf("%s is on PATH: the build is not needed", harnessName)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH to build the harness with")
	}
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"contracts", "steps", "--lang", "pt"}, &stdout, &stderr); err != nil {
		t.Fatalf("contracts steps: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "a integração") {
		t.Errorf("the Portuguese glossary is not what the built harness printed:\n%.300s", stdout.String())
	}
}
