package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// In a test, sandbox.Start runs a sandbox on a free port for that test
// only; point the integration under test at s.URL with s.AppKey and
// s.AppToken. This example runs Start with a stand-in for *testing.T.
func ExampleStart() {
	t := &exampleT{}
	defer t.cleanup()
	s := sandbox.Start(t, sandbox.WithClock(clock.Frozen(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))))

	// Arrange: a paid order waiting for the ERP.
	o, err := s.Client.CreateOrder(context.Background(), client.NewOrder{NewOrder: oms.NewOrder{
		Items: []oms.NewItem{{ID: "SKU-1", Name: "Camiseta", Price: 4990, Quantity: 2}},
	}})
	if err != nil {
		panic(err)
	}
	// Act, as the ERP would: start handling it through the VTEX API.
	req, _ := http.NewRequest("POST", s.URL+"/api/oms/pvt/orders/"+o.OrderID+"/start-handling", nil)
	req.Header.Set("X-VTEX-API-AppKey", s.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", s.AppToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	// Assert on the journal and the events.
	calls, _ := s.Client.Journal(context.Background(), client.JournalFilter{Method: "POST"})
	evs, _ := s.Client.Events(context.Background(), client.EventFilter{OrderID: o.OrderID})
	fmt.Println(resp.StatusCode, len(calls), evs[len(evs)-1].To)
	// Output: 204 1 handling
}

// The Go client mirrors the control plane one call per route: here, two
// injected 429s before normal service, and the sandbox clock moved on.
func ExampleClient() {
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	c := client.New(srv.URL, nil)
	ctx := context.Background()

	rule, _ := c.AddFault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/oms/pvt/orders", Status: 429, Times: 2})
	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL+"/api/oms/pvt/orders", nil)
		req.Header.Set("X-VTEX-API-AppKey", "vtexappkey-demostore-sandbox")
		req.Header.Set("X-VTEX-API-AppToken", "sandbox-token-demostore")
		resp, _ := http.DefaultClient.Do(req)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if after := resp.Header.Get("Retry-After"); after != "" {
			fmt.Println(resp.StatusCode, "retry after", after+"s")
		} else {
			fmt.Println(resp.StatusCode)
		}
	}
	now, _ := c.AdvanceClock(ctx, 90*time.Second)
	fmt.Println(rule.ID, now.Now.Format(time.RFC3339))
	// Output:
	// 429 retry after 60s
	// 429 retry after 60s
	// 200
	// fault-1 2026-01-02T09:01:30Z
}

// To test an ERP's paging, seed the account at scale in one call: each
// order is made as CreateOrder would make it, and the answer is the ids.
func ExampleClient_CreateOrders() {
	t := &exampleT{}
	defer t.cleanup()
	s := sandbox.Start(t, sandbox.WithClock(clock.Frozen(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))))
	made, err := s.Client.CreateOrders(context.Background(), 2_000, client.NewOrder{NewOrder: oms.NewOrder{
		Items: []oms.NewItem{{ID: "SKU-1", Name: "Camiseta", Price: 4990, Quantity: 2}},
	}})
	if err != nil {
		panic(err)
	}
	acct, _ := s.OMS.Account("demostore")
	fmt.Println(len(made), acct.Len())
	// Output: 2000 2008
}

// exampleT stands in for *testing.T in the Start example.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) Errorf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
