package reference_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/oms"
)

var ctx = context.Background()

// quiet keeps the connector's logs out of the test output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newConnector(t *testing.T, s *sandbox.Server, state string) *reference.Connector {
	t.Helper()
	c, err := reference.New(reference.Config{VTEXURL: s.URL, Account: s.Account, AppKey: s.AppKey, AppToken: s.AppToken,
		StateFile: state, BackoffScale: 0.001, PollInterval: 10 * time.Millisecond, MaxRetries: 3}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createOrders(t *testing.T, s *sandbox.Server, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		o, err := s.Client.CreateOrder(ctx, client.NewOrder{NewOrder: oms.NewOrder{
			Items: []oms.NewItem{{ID: "CAM", Name: "Camiseta", Price: 4990, Quantity: 2}, {ID: "TEN", Name: "Tênis", Price: 29990, Quantity: 1}}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.OrderID)
	}
	return ids
}

func statusOf(t *testing.T, s *sandbox.Server, id string) oms.Status {
	t.Helper()
	acct, _ := s.OMS.Account(s.Account)
	var st oms.Status
	if err := acct.Read(id, func(o *oms.Order) error { st = o.Status; return nil }); err != nil {
		t.Fatal(err)
	}
	return st
}

func calls(t *testing.T, s *sandbox.Server, method, path string) int {
	t.Helper()
	entries, err := s.Client.Journal(ctx, client.JournalFilter{Method: method, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func feedQuantity(t *testing.T, s *sandbox.Server) int {
	t.Helper()
	v, err := s.Feeds.View(s.Account, s.AppKey)
	if err != nil {
		t.Fatal(err)
	}
	return v.Quantity
}

func TestDownloadsStartsHandlingAndEmptiesTheFeed(t *testing.T) {
	s := sandbox.Start(t)
	c := newConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	if err := c.EnsureFeed(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureFeed(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	if n := calls(t, s, "POST", "/api/orders/feed/config"); n != 1 {
		t.Fatalf("feed configuration saved %d times", n)
	}
	caughtUp := len(c.Orders())   // the seed's orders ready for handling: the initial load
	ids := createOrders(t, s, 12) // more than one lot
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if st := statusOf(t, s, id); st != oms.StatusHandling {
			t.Errorf("order %s is %s, want handling", id, st)
		}
		if n := calls(t, s, "POST", "/api/oms/pvt/orders/"+id+"/start-handling"); n != 1 {
			t.Errorf("start-handling called %d times for %s", n, id)
		}
	}
	if q := feedQuantity(t, s); q != 0 {
		t.Fatalf("%d feed items left", q)
	}
	if got := len(c.Orders()); got != caughtUp+len(ids) {
		t.Fatalf("%d orders stored, want %d", got, caughtUp+len(ids))
	}
}

func TestACrashBeforeCommitLosesNothingAndStartsHandlingOnce(t *testing.T) {
	s := sandbox.Start(t)
	state := filepath.Join(t.TempDir(), "state.json")
	first := newConnector(t, s, state)
	if err := first.Once(ctx); err != nil { // the initial load, committed
		t.Fatal(err)
	}
	caughtUp := len(first.Orders())
	ids := createOrders(t, s, 3)
	// The commit never gets through: the process "dies" after storing and
	// starting handling, before the feed knows.
	if _, err := s.Client.AddFault(ctx, faults.Rule{API: "vtex", Method: "POST", Path: "/api/orders/feed", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := first.Once(ctx); err == nil {
		t.Fatal("the commit failure was not reported")
	}
	// Nothing was committed: the 3 ready-for-handling items, and the 3
	// handling items the start-handling calls made.
	if q := feedQuantity(t, s); q != 6 {
		t.Fatalf("feed holds %d items, want the 6 uncommitted", q)
	}
	s.Client.ClearFaults(ctx, "")
	s.Client.AdvanceClock(ctx, 250*time.Second) // the items come back
	restarted := newConnector(t, s, state)
	if got := len(restarted.Orders()); got != caughtUp+3 {
		t.Fatalf("the restart found %d stored orders, want %d", got, caughtUp+3)
	}
	if err := restarted.Once(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if n := calls(t, s, "POST", "/api/oms/pvt/orders/"+id+"/start-handling"); n != 1 {
			t.Errorf("start-handling called %d times for %s", n, id)
		}
		if st := statusOf(t, s, id); st != oms.StatusHandling {
			t.Errorf("%s is %s", id, st)
		}
	}
	if q := feedQuantity(t, s); q != 0 {
		t.Fatalf("%d feed items left after the restart", q)
	}
}

func TestBacksOffOn429AndNeverRetriesWrongCredentials(t *testing.T) {
	s := sandbox.Start(t)
	c := newConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	if err := c.Once(ctx); err != nil { // the initial load, committed
		t.Fatal(err)
	}
	ids := createOrders(t, s, 1)
	two := 1 // Retry-After: 1 s, honoured in full
	if _, err := s.Client.AddFault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/oms/pvt/orders/*", Status: 429, Times: 2, RetryAfter: &two}); err != nil {
		t.Fatal(err)
	}
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	entries, _ := s.Client.Journal(ctx, client.JournalFilter{Method: "GET", Path: "/api/oms/pvt/orders/" + ids[0]})
	var statuses []int
	for _, e := range entries {
		statuses = append(statuses, e.Status)
	}
	// Two 429s, then the read that got through; later reads follow the
	// order's next feed item (handling).
	if len(statuses) < 3 || statuses[0] != 429 || statuses[1] != 429 || statuses[2] != 200 {
		t.Fatalf("order reads answered %v", statuses)
	}
	if st := statusOf(t, s, ids[0]); st != oms.StatusHandling {
		t.Fatalf("after the 429s the order is %s", st)
	}

	bad, _ := reference.New(reference.Config{VTEXURL: s.URL, Account: s.Account, AppKey: s.AppKey, AppToken: "wrong",
		StateFile: filepath.Join(t.TempDir(), "x.json"), BackoffScale: 0.001, PollInterval: time.Millisecond}, quiet)
	runCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := bad.Run(runCtx)
	if reference.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("wrong credentials: %v", err)
	}
	entries, _ = s.Client.Journal(ctx, client.JournalFilter{})
	refused := 0
	for _, e := range entries {
		if e.Status == http.StatusForbidden {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d requests refused with 403: wrong credentials were retried", refused)
	}
}

func TestFiveHundredsAreRetriedFourHundredsAreNot(t *testing.T) {
	s := sandbox.Start(t)
	c := newConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	if err := c.Once(ctx); err != nil { // the initial load, committed
		t.Fatal(err)
	}
	before, _ := s.Client.Journal(ctx, client.JournalFilter{})
	s.Client.AddFault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/orders/feed", Status: 503, Times: 2})
	if err := c.Once(ctx); err != nil {
		t.Fatalf("two 503s then service: %v", err)
	}
	entries, _ := s.Client.Journal(ctx, client.JournalFilter{Method: "GET", Path: "/api/orders/feed", Since: before[len(before)-1].Seq})
	if len(entries) != 3 || entries[0].Status != 503 || entries[1].Status != 503 || entries[2].Status != 200 {
		t.Fatalf("feed reads: %d entries", len(entries))
	}
	_, err := c.Do(ctx, reference.Action{Action: "cancel", OrderID: "1111111111111-01"})
	if reference.StatusOf(err) != http.StatusNotFound {
		t.Fatalf("unknown order: %v", err)
	}
	if n := calls(t, s, "POST", "/api/oms/pvt/orders/1111111111111-01/cancel"); n != 1 {
		t.Fatalf("a 404 was sent %d times", n)
	}
}

// driver posts an action to the driver endpoint.
func driver(t *testing.T, url string, a reference.Action) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(a)
	resp, err := http.Post(url+"/actions", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func TestDriverActionsReachTheDocumentedStates(t *testing.T) {
	s := sandbox.Start(t)
	c := newConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	c.EnsureFeed(ctx)
	ids := createOrders(t, s, 3)
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	drv := httptest.NewServer(c.DriverHandler())
	defer drv.Close()

	// Partial invoice, then the rest: invoiced.
	if st, out := driver(t, drv.URL, reference.Action{Action: "invoice", OrderID: ids[0], InvoiceNumber: "NF-1",
		Items: []reference.ActionItem{{ID: "CAM", Quantity: 2}}}); st != 200 {
		t.Fatalf("partial invoice: %d %v", st, out)
	}
	if st := statusOf(t, s, ids[0]); st != oms.StatusHandling {
		t.Fatalf("after a partial invoice: %s", st)
	}
	if st, out := driver(t, drv.URL, reference.Action{Action: "invoice", OrderID: ids[0], InvoiceNumber: "NF-2", TrackingNumber: "BR1"}); st != 200 {
		t.Fatalf("last invoice: %d %v", st, out)
	}
	if st := statusOf(t, s, ids[0]); st != oms.StatusInvoiced {
		t.Fatalf("after the last invoice: %s", st)
	}
	if st, out := driver(t, drv.URL, reference.Action{Action: "tracking", OrderID: ids[0], InvoiceNumber: "NF-1", TrackingNumber: "BR2", Courier: "Correios"}); st != 200 {
		t.Fatalf("tracking: %d %v", st, out)
	}
	if st, out := driver(t, drv.URL, reference.Action{Action: "delivered", OrderID: ids[0], InvoiceNumber: "NF-1", City: "São Paulo", State: "SP"}); st != 200 {
		t.Fatalf("delivered: %d %v", st, out)
	}
	acct, _ := s.OMS.Account(s.Account)
	acct.Read(ids[0], func(o *oms.Order) error {
		p := o.PackageAttachment.Packages[0]
		if p.CourierStatus == nil || !p.CourierStatus.Finished || *p.TrackingNumber != "BR2" {
			t.Errorf("after delivery: %+v", p)
		}
		return nil
	})
	// Change, then cancel (a request from handling, confirmed by a second).
	if st, out := driver(t, drv.URL, reference.Action{Action: "change", OrderID: ids[1], Reason: "sem estoque",
		ItemsRemoved: []reference.ActionItem{{ID: "CAM", Quantity: 1}}}); st != 200 {
		t.Fatalf("change: %d %v", st, out)
	}
	for range 2 {
		if st, out := driver(t, drv.URL, reference.Action{Action: "cancel", OrderID: ids[1], Reason: "cliente desistiu"}); st != 200 {
			t.Fatalf("cancel: %d %v", st, out)
		}
	}
	if st := statusOf(t, s, ids[1]); st != oms.StatusCanceled {
		t.Fatalf("after cancel: %s", st)
	}
	// Refusals: VTEX's come back as 422 with its status; bad actions 400.
	if st, out := driver(t, drv.URL, reference.Action{Action: "cancel", OrderID: ids[0]}); st != 422 || out["vtexStatus"] != float64(409) {
		t.Fatalf("cancel of an invoiced order: %d %v", st, out)
	}
	if st, _ := driver(t, drv.URL, reference.Action{Action: "teleport", OrderID: ids[2]}); st != 400 {
		t.Fatalf("unknown action: %d", st)
	}
	// The stored copy follows the actions.
	for _, o := range c.Orders() {
		if o.OrderID == ids[1] && o.Status != "canceled" {
			t.Errorf("stored %s is %s", o.OrderID, o.Status)
		}
	}
}

func TestHookModeDownloadsOnNotification(t *testing.T) {
	s := sandbox.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := reference.New(reference.Config{VTEXURL: s.URL, Account: s.Account, AppKey: s.AppKey, AppToken: s.AppToken,
		StateFile: filepath.Join(t.TempDir(), "state.json"), BackoffScale: 0.001, PollInterval: time.Hour,
		HookAddr: addr, HookURL: "http://" + addr + "/"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := s.Hooks.Get(s.Account, s.AppKey); err == nil {
			break
		}
		select {
		case <-deadline:
			t.Fatal("the hook was not configured")
		case <-tick.C:
		}
	}
	ids := createOrders(t, s, 1)
	// The poll interval is an hour: only the hook can bring the order in.
	for statusOf(t, s, ids[0]) != oms.StatusHandling {
		select {
		case <-deadline:
			t.Fatal("the hook notification did not lead to start-handling")
		case <-tick.C:
		}
	}
}

// The feed holds only the changes after it was set up: on its first start
// the connector lists the orders already ready for handling (more than a
// page of them) and handles each; later starts leave that to the feed.
func TestFirstStartCatchesUpOnOrdersPaidBefore(t *testing.T) {
	s := sandbox.Start(t)
	defer reference.SetCatchUpPageSize(5)()
	ids := createOrders(t, s, 12)
	state := filepath.Join(t.TempDir(), "state.json")
	if err := newConnector(t, s, state).Once(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if st := statusOf(t, s, id); st != oms.StatusHandling {
			t.Fatalf("order %s paid before the first start is %s, want handling", id, st)
		}
	}
	first := calls(t, s, "GET", "/api/oms/pvt/orders")
	if first < 3 { // 12 orders and the seed's, 5 a page
		t.Fatalf("the initial load listed %d pages, want at least 3", first)
	}
	if err := newConnector(t, s, state).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if again := calls(t, s, "GET", "/api/oms/pvt/orders"); again != first {
		t.Fatalf("a later start listed orders again (%d pages, then %d)", first, again)
	}
}

// A feed configuration lost while the connector runs (the account was
// reset) is set up again, and the orders waiting are caught up.
func TestLostFeedConfigurationIsSetUpAgain(t *testing.T) {
	s := sandbox.Start(t)
	c := newConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for !ok() {
			select {
			case <-deadline:
				t.Fatalf("%s within 10 s", what)
			case <-tick.C:
			}
		}
	}
	waitFor("the feed configuration was not created", func() bool { return calls(t, s, "POST", "/api/orders/feed/config") == 1 })
	if err := s.Client.Reset(ctx, s.Account); err != nil {
		t.Fatal(err)
	}
	ids := createOrders(t, s, 2)
	waitFor("the feed configuration was not set up again after the reset", func() bool {
		return calls(t, s, "POST", "/api/orders/feed/config") >= 1 && statusOf(t, s, ids[1]) == oms.StatusHandling
	})
}
