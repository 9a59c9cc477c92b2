package reference_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/mercadolivre"
)

// mlConfig is a Mercado Livre connector's configuration for s's default
// account, with a fresh consent; the app's notifications go to notify
// (host:port), a receiver or not.
func mlConfig(t *testing.T, s *sandbox.Server, notify string) (reference.Config, mercadolivre.Caller) {
	t.Helper()
	consent, err := s.Client.MercadoLivreAuthorize(ctx, s.Account)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.SetMercadoLivreCallback(ctx, s.Account, "http://"+notify+"/notifications", nil); err != nil {
		t.Fatal(err)
	}
	return reference.Config{Channels: []string{reference.ChannelMercadoLivre}, MLURL: s.URL + "/mercadolivre",
			MLClientID: consent.ClientID, MLClientSecret: consent.ClientSecret, MLRedirectURI: consent.RedirectURI, MLCode: consent.Code,
			SellerCNPJ: mercadolivre.DefaultCNPJ, MLSyncInterval: time.Hour, PollInterval: time.Hour,
			StateFile: filepath.Join(t.TempDir(), "state.json"), BackoffScale: 0.001, MaxRetries: 2},
		mercadolivre.Caller{Account: s.Account, SellerID: consent.SellerID}
}

// mlConnector runs a Mercado Livre connector against s with a
// notification receiver the app's callback points at, catching up only
// at start; it returns the connector, its driver's URL and the seller.
func mlConnector(t *testing.T, s *sandbox.Server) (*reference.Connector, string, mercadolivre.Caller) {
	t.Helper()
	addrs := freeAddrs(t, 2)
	cfg, seller := mlConfig(t, s, addrs[1])
	cfg.DriverAddr, cfg.MLNotifyAddr = addrs[0], addrs[1]
	c, err := reference.New(cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the connector ended with %v", err)
		}
	})
	url := "http://" + addrs[0]
	waitFor(t, "the driver to listen", func() bool {
		resp, err := http.Get(url + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return c, url, seller
}

// mlStock is the ERP's balance of a seller SKU for Mercado Livre.
func mlStock(sku string, balance *int) reference.Action {
	return reference.Action{Action: "set-stock", CatalogAction: reference.CatalogAction{RefID: sku, Quantity: balance},
		ChannelAction: reference.ChannelAction{Channel: reference.ChannelMercadoLivre}}
}

func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out
}

// waitFor polls cond until it holds, failing the test after 10 s: for
// what the connector does on its own (notifications). Never a fixed
// sleep.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

func storedStatus(c *reference.Connector, key string) string {
	for _, o := range c.Orders() {
		if o.OrderID == key {
			return o.Status
		}
	}
	return ""
}

func listing(t *testing.T, s *sandbox.Server, seller mercadolivre.Caller, id string) (int, string) {
	t.Helper()
	it, err := s.MercadoLivre.Item(seller, id)
	if err != nil {
		t.Fatal(err)
	}
	return it["available_quantity"].(int), it["status"].(string)
}

// A notified order enters the ERP; the stock pushed to its listing leaves
// out its units until it is refunded, when the notification of the new
// status frees them.
func TestMercadoLivreStockLeavesOutTheUnitsOfNotifiedOrders(t *testing.T) {
	s := sandbox.Start(t)
	c, drv, seller := mlConnector(t, s)
	it, err := s.Client.CreateMercadoLivreListing(ctx, client.NewMercadoLivreListing{Account: s.Account, SKU: "CAN-1", Price: 3000, AvailableQuantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	item := it["id"].(string)
	o, err := s.Client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: s.Account,
		Items: []client.MercadoLivreItem{{ID: item, Name: "Caneca", Price: 3000, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	key := "mercadolivre:" + strconv.FormatInt(o.OrderID, 10)
	waitFor(t, "the notified order to be stored paid", func() bool { return storedStatus(c, key) == "paid" })

	ten := 10
	if st, out := driver(t, drv, mlStock("CAN-1", &ten)); st != 200 {
		t.Fatalf("set-stock: %d %v", st, out)
	}
	if n, status := listing(t, s, seller, item); n != 8 || status != mercadolivre.ItemActive {
		t.Fatalf("the listing has %d (%s) after a balance of 10 with 2 units sold and not shipped, want 8 active", n, status)
	}

	if _, err := s.Client.MercadoLivreOrderStep(ctx, s.Account, o.OrderID, mercadolivre.ActRefund, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refund's notification to cancel the stored order", func() bool { return storedStatus(c, key) == "cancelled" })
	if st, out := driver(t, drv, mlStock("CAN-1", &ten)); st != 200 {
		t.Fatalf("set-stock: %d %v", st, out)
	}
	if n, _ := listing(t, s, seller, item); n != 10 {
		t.Fatalf("the listing has %d after the refund, want the whole balance of 10", n)
	}
	zero := 0
	driver(t, drv, mlStock("CAN-1", &zero))
	if n, status := listing(t, s, seller, item); n != 0 || status != mercadolivre.ItemPaused {
		t.Fatalf("the listing has %d (%s) after a balance of 0, want 0 paused", n, status)
	}
}

// mlClientNobodyNotifies is a reference client whose notification
// callback address has nothing listening: all it learns, it learns by
// catching up.
func mlClientNobodyNotifies(t *testing.T, s *sandbox.Server) *reference.Connector {
	t.Helper()
	cfg, _ := mlConfig(t, s, freeAddrs(t, 1)[0]) // nothing listens there
	c, err := reference.New(cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A catch-up reads what the callback did not take: a refund notified
// while nothing listened moves the stored order, which no search of paid
// orders lists any more.
func TestMercadoLivreCatchUpReadsTheMissedNotifications(t *testing.T) {
	s := sandbox.Start(t)
	c := mlClientNobodyNotifies(t, s)
	o, err := s.Client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: s.Account,
		Items: []client.MercadoLivreItem{{ID: "CAN-1", Name: "Caneca", Price: 3000, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	key := "mercadolivre:" + strconv.FormatInt(o.OrderID, 10)
	if st := storedStatus(c, key); st != "paid" {
		t.Fatalf("after a catch-up the order is stored %q, want paid", st)
	}
	if _, err := s.Client.MercadoLivreOrderStep(ctx, s.Account, o.OrderID, mercadolivre.ActRefund, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refund's notification to be missed", func() bool {
		app, _ := s.MercadoLivre.App(s.Account)
		res, err := s.MLNotifier.Missed(mercadolivre.Caller{Account: s.Account, SellerID: app.SellerID}, app.ApplicationID(), "orders_v2", 0, 100)
		return err == nil && len(res["messages"].([]map[string]any)) >= 4 // created, paid, shipping, refunded
	})
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := storedStatus(c, key); st != "cancelled" {
		t.Fatalf("after the refund and a catch-up the order is stored %q, want cancelled", st)
	}
}

// Bad Mercado Livre actions are refused with 400 before any call.
func TestMercadoLivreActionsRefuseWhatTheyCannotDo(t *testing.T) {
	s := sandbox.Start(t)
	_, drv, _ := mlConnector(t, s)
	ml := reference.ChannelAction{Channel: reference.ChannelMercadoLivre}
	five, price := 5, 10.0
	for name, a := range map[string]reference.Action{
		"stock of a SKU no listing sells": mlStock("NOPE", &five),
		"stock without a quantity":        mlStock("CAN-1", nil),
		"price without a price":           {Action: "set-price", CatalogAction: reference.CatalogAction{RefID: "CAN-1"}, ChannelAction: ml},
		"price of a SKU no listing sells": {Action: "set-price", CatalogAction: reference.CatalogAction{RefID: "NOPE", BasePrice: &price}, ChannelAction: ml},
		"an answer to a question never downloaded": {Action: "answer-question", ChannelAction: reference.ChannelAction{
			Channel: reference.ChannelMercadoLivre, Question: "123", Answer: "Sim"}},
		"an answer without a text": {Action: "answer-question", ChannelAction: reference.ChannelAction{
			Channel: reference.ChannelMercadoLivre, Question: "123"}},
		"a cancel": {Action: "cancel", OrderID: "1", ChannelAction: ml},
	} {
		if st, out := driver(t, drv, a); st != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", name, st, out)
		}
	}
}

// The receiver takes only its own app's notifications, and answers at
// once.
func TestMercadoLivreReceiverTakesOnlyItsAppsNotifications(t *testing.T) {
	c, err := reference.New(reference.Config{Channels: []string{reference.ChannelMercadoLivre}, MLURL: "http://127.0.0.1:1",
		MLClientID: "5503910054141466", MLClientSecret: "s", SellerCNPJ: mercadolivre.DefaultCNPJ,
		StateFile: filepath.Join(t.TempDir(), "state.json")}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	h := c.MLNotificationHandler()
	for _, tc := range []struct {
		method, body string
		want         int
	}{
		{"POST", `{"resource":"/orders/2000003508897196","user_id":478055419,"topic":"orders_v2","application_id":5503910054141466,"attempts":1}`, 200},
		{"POST", `{"resource":"/orders/2000003508897196","user_id":478055419,"topic":"orders_v2","application_id":1234,"attempts":1}`, 400},
		{"POST", `{"topic":"orders_v2"}`, 400},
		{"POST", `not json`, 400},
		{"GET", ``, 405},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/notifications", bytes.NewReader([]byte(tc.body))))
		if rec.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.body, rec.Code, tc.want)
		}
	}
}

// A cart of two items is a pack of two orders with one shipment: the ERP
// invoices it with one NF-e whose total is both orders', and the shipment
// is then ready to ship.
func TestMercadoLivreInvoicesAPackWithOneNFe(t *testing.T) {
	s := sandbox.Start(t)
	c, drv, seller := mlConnector(t, s)
	o, err := s.Client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: s.Account,
		Items: []client.MercadoLivreItem{{ID: "CAN-1", Name: "Caneca", Price: 3000, Quantity: 1}, {ID: "PRA-1", Name: "Prato", Price: 4590, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.PackID == 0 || len(o.OrderIDs) != 2 || o.ShipmentID == 0 {
		t.Fatalf("a cart of two items: %+v", o)
	}
	for _, id := range o.OrderIDs {
		key := "mercadolivre:" + strconv.FormatInt(id, 10)
		waitFor(t, "order "+key+" to be downloaded", func() bool { return storedStatus(c, key) == "paid" })
	}
	st, out := driver(t, drv, reference.Action{Action: "invoice", OrderID: strconv.FormatInt(o.OrderIDs[1], 10), InvoiceNumber: "NF-7101",
		ChannelAction: reference.ChannelAction{Channel: reference.ChannelMercadoLivre}})
	if st != http.StatusOK {
		t.Fatalf("invoice of a pack: %d %v", st, out)
	}
	ship, err := s.MercadoLivre.Shipment(seller, o.ShipmentID)
	if err != nil {
		t.Fatal(err)
	}
	if ship["status"] != "ready_to_ship" || ship["substatus"] != "ready_to_print" {
		t.Errorf("the pack's shipment is %v/%v, want ready_to_ship/ready_to_print", ship["status"], ship["substatus"])
	}
	for _, id := range o.OrderIDs {
		if st := storedStatus(c, "mercadolivre:"+strconv.FormatInt(id, 10)); st == "paid" {
			t.Errorf("order %d is still held as not invoiced", id)
		}
	}
}

// The catch-up reads past the notifications of topics the ERP does not
// follow: a listing's (whose id, MLB…, is not a number) is no failure.
func TestMercadoLivreCatchUpPassesOverOtherTopics(t *testing.T) {
	s := sandbox.Start(t)
	c := mlClientNobodyNotifies(t, s)
	if _, err := s.MercadoLivre.CreateListing(mercadolivre.NewListing{Account: s.Account, Title: "Caneca", SKU: "CAN-1", PriceCents: 3000, Quantity: 4}); err != nil {
		t.Fatal(err)
	}
	o, err := s.Client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Account: s.Account,
		Items: []client.MercadoLivreItem{{ID: "CAN-1", Name: "Caneca", Price: 3000, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	app, _ := s.MercadoLivre.App(s.Account)
	waitFor(t, "the listing's notification to be missed", func() bool {
		res, err := s.MLNotifier.Missed(mercadolivre.Caller{Account: s.Account, SellerID: app.SellerID}, app.ApplicationID(), "items", 0, 10)
		return err == nil && len(res["messages"].([]map[string]any)) > 0
	})
	if err := c.Once(ctx); err != nil {
		t.Fatalf("a catch-up with a listing's notification missed: %v", err)
	}
	if st := storedStatus(c, "mercadolivre:"+strconv.FormatInt(o.OrderID, 10)); st != "paid" {
		t.Fatalf("the order is stored %q, want paid", st)
	}
}

// A new consent replaces the stored token pair: the sandbox restarted
// (its tokens are gone), the seller authorized the app again, and the
// client, keeping its state file, trades the new code instead of
// refreshing a pair nobody knows. Started again with the same code, it
// keeps the pair that code bought.
func TestMercadoLivreANewConsentReplacesTheStoredTokens(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	for round, s := range []*sandbox.Server{sandbox.Start(t), sandbox.Start(t)} {
		cfg, _ := mlConfig(t, s, freeAddrs(t, 1)[0])
		cfg.StateFile = state
		for again := range 2 {
			c, err := reference.New(cfg, quiet)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Once(ctx); err != nil {
				t.Fatalf("sandbox %d, start %d: %v", round+1, again+1, err)
			}
		}
	}
}
