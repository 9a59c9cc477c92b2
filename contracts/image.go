package contracts

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/sandboxdocker"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// Image runs an integration packaged as a Docker image, one container per
// scenario, with the harness's environment. It reaches the sandbox across
// Docker's bridge (the harness's sandbox listens on the bridge gateway);
// its driver listens on DriverPort inside the container, published on a
// free host port. Its logs join the report when a scenario fails.
type Image struct {
	Name string
	// DriverPort is the container port of its driver (default 9090).
	DriverPort int
	// Env adds variables (e.g. REFCLIENT_BACKOFF_SCALE=0.01).
	Env []string
}

// PerScenario is true: each scenario runs its own container.
func (Image) PerScenario() bool { return true }

// Unsupported: only the bundled client has a hook mode the harness can
// switch on.
func (Image) Unsupported() map[string]string {
	u := Command{}.Unsupported()
	u["@b2b"] = "the harness does not yet map a container's B2B API to the host; run @b2b with the command or URL adapters"
	u["@notifications"] = "the harness does not yet map a container's Mercado Livre notification receiver to the host; run @notifications with the command adapter"
	return u
}

// listenAddr makes the harness's own sandbox listen where containers reach
// the host: the bridge gateway.
func (Image) listenAddr() (string, error) {
	pool, err := sandboxdocker.Pool()
	if err != nil {
		return "", err
	}
	gw, err := sandboxdocker.Gateway(pool)
	if err != nil {
		return "", err
	}
	return gw + ":0", nil
}

// Start runs a container of the image.
func (i Image) Start(ctx context.Context, env Env) (Running, error) {
	pool, err := sandboxdocker.Pool()
	if err != nil {
		return nil, err
	}
	port := i.DriverPort
	if port == 0 {
		port = 9090
	}
	env.DriverAddr = fmt.Sprintf("0.0.0.0:%d", port)
	repo, tag, ok := strings.Cut(i.Name, ":")
	if !ok {
		tag = "latest"
	}
	res, err := pool.RunWithOptions(&dockertest.RunOptions{Repository: repo, Tag: tag,
		Env: append(env.Environ(), i.Env...), ExposedPorts: []string{fmt.Sprintf("%d/tcp", port)},
		Labels: map[string]string{sandboxdocker.Label: sandboxdocker.RunID}},
		func(hc *dc.HostConfig) { hc.RestartPolicy = dc.RestartPolicy{Name: "no"} })
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", i.Name, err)
	}
	_ = res.Expire(600)
	c := &container{pool: pool, res: res, driver: "http://" + res.GetHostPort(fmt.Sprintf("%d/tcp", port))}
	if err := sandboxdocker.WaitHTTP(ctx, c.driver+"/", 30*time.Second); err != nil {
		if !c.running() {
			return c, nil // it stopped by itself (wrong credentials, say)
		}
		logs, _ := c.Stop()
		return nil, fmt.Errorf("%s: %w\n%s", i.Name, err, logs)
	}
	return c, nil
}

type container struct {
	pool   *dockertest.Pool
	res    *dockertest.Resource
	driver string
}

func (c *container) DriverURL() string { return c.driver }

func (c *container) exited() (bool, error) {
	if c.running() {
		return false, nil
	}
	return true, fmt.Errorf("container %s is not running", c.res.Container.Name)
}

func (c *container) running() bool {
	info, err := c.pool.Client.InspectContainer(c.res.Container.ID)
	return err == nil && info.State.Running
}

// Stop collects the container's logs and purges it.
func (c *container) Stop() (string, error) {
	var logs bytes.Buffer
	_ = c.pool.Client.Logs(dc.LogsOptions{Container: c.res.Container.ID, OutputStream: &logs, ErrorStream: &logs,
		Stdout: true, Stderr: true, Tail: "200"})
	return logs.String(), c.pool.Purge(c.res)
}
