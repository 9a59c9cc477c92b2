package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// harnessName is the contract harness's own command (cmd/omsbox-contracts):
// `omsbox serve` links none of it, so a start does not pay for godog's
// initialization (it runs `go env`, ~30 ms).
const harnessName = "omsbox-contracts"

// harnessPackage is where go builds it from when it is not installed.
const harnessPackage = "github.com/omsbox/omsbox/cmd/omsbox-contracts"

// exitCode is an error that is only a status to exit with: the harness
// has said what went wrong already.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runContracts is `omsbox contracts run|steps ...`: the harness with the
// same arguments, the same standard streams and its exit status (see
// harness for which one).
func runContracts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	bin, cleanup, err := harness()
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("contracts: start %s: %w", bin, err)
	}
	// An interrupt from a terminal reaches the harness too (it stops its
	// scenarios and writes its reports); one sent to omsbox alone is passed on.
	stopped := context.AfterFunc(ctx, func() { _ = cmd.Process.Signal(os.Interrupt) })
	defer stopped()
	var exit *exec.ExitError
	if err := cmd.Wait(); errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitCode(128 + int(ws.Signal())) // as a shell reports a command a signal ended
		}
		return exitCode(exit.ExitCode())
	} else if err != nil {
		return fmt.Errorf("contracts: %s: %w", bin, err)
	}
	return nil
}

// harness finds the harness's binary, in this order:
//   - beside this binary: `make build` and `go install
//     github.com/omsbox/omsbox/cmd/...` put the pair there, built together;
//   - built by go from the module omsbox runs in, when that module provides
//     it (an omsbox checkout, or a connector's module that requires
//     omsbox): `go run ./cmd/omsbox contracts run` in a checkout runs the
//     checkout's harness, never an older one installed on PATH, and a
//     harness that does not compile says so;
//   - on PATH.
//
// A built one goes into a temporary directory that cleanup removes.
func harness() (bin string, cleanup func(), err error) {
	name := harnessName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		if sib := filepath.Join(filepath.Dir(self), name); isFile(sib) {
			return sib, func() {}, nil
		}
	}
	if goBin, err := exec.LookPath("go"); err == nil && exec.Command(goBin, "list", harnessPackage).Run() == nil {
		dir, err := os.MkdirTemp("", "omsbox-contracts-")
		if err != nil {
			return "", nil, fmt.Errorf("contracts: %w", err)
		}
		bin = filepath.Join(dir, name)
		if out, err := exec.Command(goBin, "build", "-o", bin, harnessPackage).CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("contracts: go could not build the contract harness, %s, from this module: %v\n%s",
				harnessPackage, err, strings.TrimSpace(string(out)))
		}
		return bin, func() { os.RemoveAll(dir) }, nil
	}
	if p, err := exec.LookPath(harnessName); err == nil {
		return p, func() {}, nil
	}
	return "", nil, fmt.Errorf("contracts: the contract harness is a command of its own, %s, and it is not beside omsbox "+
		"nor on PATH, nor in the module here; install it with: go install %s@latest", harnessName, harnessPackage)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
