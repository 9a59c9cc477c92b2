// Package sandboxdocker runs omsbox as a container for a test, with
// github.com/ory/dockertest: it builds the image when missing (FROM
// scratch with a static binary: nothing is pulled), maps a free port,
// waits for health within a deadline, sets an expiry so a crashed test
// leaves nothing behind, and purges the container on cleanup. It also
// builds images of other commands (the reference client) for the contract
// harness's image adapter.
package sandboxdocker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// Label marks every container and image these helpers create, with the
// value RunID, so a test process can check it left none behind.
const Label = "org.omsbox.test"

// RunID tells this process's containers and images from another's.
var RunID = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())

// TB is the part of testing.TB the helpers need.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
}

// Pool connects to the Docker engine, or says why it cannot.
func Pool() (*dockertest.Pool, error) {
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	if err := pool.Client.Ping(); err != nil {
		return nil, fmt.Errorf("no Docker engine answers: %w", err)
	}
	pool.MaxWait = 60 * time.Second
	return pool, nil
}

// ModuleDir is the omsbox module's source directory (for builds).
func ModuleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/omsbox/omsbox").Output()
	if err != nil {
		return "", fmt.Errorf("find the omsbox module: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Build compiles a command of the module statically and builds the image
// name from the module's dockerfile, unless the image exists already. It
// reports whether it built it.
func Build(pool *dockertest.Pool, name, command, dockerfile string, tags ...string) (bool, error) {
	if _, err := pool.Client.InspectImage(name); err == nil {
		return false, nil
	}
	mod, err := ModuleDir()
	if err != nil {
		return false, err
	}
	ctxDir, err := os.MkdirTemp("", "omsbox-image-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(ctxDir)
	args := []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(ctxDir, "bin", filepath.Base(command))}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	build := exec.Command("go", append(args, "github.com/omsbox/omsbox/"+command)...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return false, fmt.Errorf("go build %s: %w\n%s", command, err, out)
	}
	df, err := os.ReadFile(filepath.Join(mod, dockerfile))
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), df, 0o644); err != nil {
		return false, err
	}
	var out bytes.Buffer
	err = pool.Client.BuildImage(dc.BuildImageOptions{Name: name, ContextDir: ctxDir, Dockerfile: "Dockerfile",
		OutputStream: &out, Labels: map[string]string{Label: RunID}, RmTmpContainer: true})
	if err != nil {
		return false, fmt.Errorf("docker build %s: %w\n%s", name, err, out.String())
	}
	return true, nil
}

// Image names the helpers build.
const (
	SandboxImage   = "omsbox:test"
	RefclientImage = "omsbox-refclient:test"
)

// Container is a sandbox running in Docker: the same powers as
// sandbox.Start's Server, across the container boundary.
type Container struct {
	URL                                  string
	Account, AppKey, AppToken, UserToken string
	Client                               *client.Client
	Resource                             *dockertest.Resource
}

// Start runs the omsbox image for one test (building it if missing) and
// purges it on cleanup. env adds OMSBOX_* settings; with
// OMSBOX_CONTROL_TOKEN among them, the Client sends that token. With no
// engine, it fails the test: check Pool first to skip instead.
func Start(t TB, env ...string) *Container {
	t.Helper()
	pool, err := Pool()
	if err != nil {
		t.Fatalf("sandboxdocker: %v", err)
	}
	built, err := Build(pool, SandboxImage, "cmd/omsbox", "Dockerfile")
	if err != nil {
		t.Fatalf("sandboxdocker: %v", err)
	}
	if built {
		t.Cleanup(func() { _ = pool.Client.RemoveImageExtended(SandboxImage, dc.RemoveImageOptions{Force: true}) })
	}
	repo, tag, _ := strings.Cut(SandboxImage, ":")
	res, err := pool.RunWithOptions(&dockertest.RunOptions{Repository: repo, Tag: tag, Env: env,
		ExposedPorts: []string{"8080/tcp"}, Labels: map[string]string{Label: RunID}},
		func(hc *dc.HostConfig) { hc.AutoRemove = true; hc.RestartPolicy = dc.RestartPolicy{Name: "no"} })
	if err != nil {
		t.Fatalf("sandboxdocker: run %s: %v", SandboxImage, err)
	}
	t.Cleanup(func() { _ = pool.Purge(res) })
	_ = res.Expire(300) // a crashed test leaves nothing running for long
	url := "http://" + res.GetHostPort("8080/tcp")
	c := &Container{URL: url, Account: "demostore", AppKey: "vtexappkey-demostore-sandbox",
		AppToken: "sandbox-token-demostore", UserToken: "sandbox-user-token-demostore",
		Client: client.New(url, nil).WithToken(tokenIn(env)), Resource: res}
	err = pool.Retry(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := c.Client.Health(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("sandboxdocker: the container did not become healthy within %s: %v", pool.MaxWait, err)
	}
	return c
}

// Leftovers lists this process's containers and images (Label=RunID).
func Leftovers(pool *dockertest.Pool) (containers, images []string, err error) {
	cs, err := pool.Client.ListContainers(dc.ListContainersOptions{All: true, Filters: map[string][]string{"label": {Label + "=" + RunID}}})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		containers = append(containers, c.ID[:12]+" "+strings.Join(c.Names, ","))
	}
	is, err := pool.Client.ListImages(dc.ListImagesOptions{Filters: map[string][]string{"label": {Label + "=" + RunID}}})
	if err != nil {
		return nil, nil, err
	}
	for _, i := range is {
		images = append(images, strings.Join(i.RepoTags, ","))
	}
	return containers, images, nil
}

// Gateway is the address containers on Docker's default bridge reach the
// host at.
func Gateway(pool *dockertest.Pool) (string, error) {
	n, err := pool.Client.NetworkInfo("bridge")
	if err != nil {
		return "", err
	}
	for _, c := range n.IPAM.Config {
		if c.Gateway != "" {
			return c.Gateway, nil
		}
	}
	// The default bridge may not name its gateway: it is the address of
	// the bridge interface itself.
	name := n.Options["com.docker.network.bridge.name"]
	if name == "" {
		name = "docker0"
	}
	iface, err := net.InterfaceByName(name)
	if err != nil {
		return "", fmt.Errorf("docker's bridge network names no gateway, and interface %s: %w", name, err)
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP.String(), nil
		}
	}
	return "", errors.New("docker's bridge interface has no IPv4 address")
}

// WaitHTTP waits until url answers anything at all over HTTP.
func WaitHTTP(ctx context.Context, url string, deadline time.Duration) error {
	end := time.Now().Add(deadline)
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s did not answer within %s: %w", url, deadline, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tokenIn returns the control token among env's settings.
func tokenIn(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "OMSBOX_CONTROL_TOKEN="); ok {
			return v
		}
	}
	return ""
}
