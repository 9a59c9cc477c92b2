package contracts_test

import (
	"context"
	"testing"

	"github.com/omsbox/omsbox/contracts"
	"github.com/omsbox/omsbox/sandbox/sandboxdocker"
	dc "github.com/ory/dockertest/v3/docker"
)

// TestImageAdapter packages the reference client as an image and runs the
// download scenarios through the harness's Docker adapter: the container
// reaches the sandbox across Docker's bridge. Nothing is left behind.
func TestImageAdapter(t *testing.T) {
	pool, err := sandboxdocker.Pool()
	if err != nil {
		t.Skipf("container tests skipped: %v", err)
	}
	built, err := sandboxdocker.Build(pool, sandboxdocker.RefclientImage, "cmd/refclient", "Dockerfile.refclient")
	if err != nil {
		t.Fatal(err)
	}
	if built {
		t.Cleanup(func() {
			_ = pool.Client.RemoveImageExtended(sandboxdocker.RefclientImage, dc.RemoveImageOptions{Force: true})
			containers, images, err := sandboxdocker.Leftovers(pool)
			if err != nil || len(containers)+len(images) > 0 {
				t.Errorf("left behind: containers %v, images %v, %v", containers, images, err)
			}
		})
	}
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.Image{Name: sandboxdocker.RefclientImage,
			Env: []string{"REFCLIENT_BACKOFF_SCALE=0.01", "REFCLIENT_POLL_INTERVAL=50ms"}},
		Tags: "@passive && ~@resilience", Concurrency: 2, Formats: "progress", TestingT: t,
	})
	if err != nil || status != 0 {
		t.Fatalf("download scenarios through the image adapter: status %d, %v", status, err)
	}
}
