package sandboxdocker_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/sandboxdocker"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Nothing may be left behind: every container and image the tests made
	// carries the label.
	if pool, err := sandboxdocker.Pool(); err == nil && code == 0 {
		containers, images, err := sandboxdocker.Leftovers(pool)
		if err != nil || len(containers)+len(images) > 0 {
			println("sandboxdocker: left behind:", len(containers), "containers", len(images), "images", err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestTheImageServesTheSandbox(t *testing.T) {
	if _, err := sandboxdocker.Pool(); err != nil {
		t.Skipf("container tests skipped: %v", err)
	}
	c := sandboxdocker.Start(t)
	ctx := context.Background()
	o, err := c.Client.CreateOrder(ctx, client.NewOrder{NewOrder: oms.NewOrder{
		Items: []oms.NewItem{{ID: "SKU-1", Name: "Camiseta", Price: 4990, Quantity: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", c.URL+"/api/oms/pvt/orders/"+o.OrderID, nil)
	req.Header.Set("X-VTEX-API-AppKey", c.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", c.AppToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("VTEX get order from the container: %d", resp.StatusCode)
	}
}
