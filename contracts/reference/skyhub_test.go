package reference_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

const sellerCNPJ = skyhub.DefaultCNPJ

// skyhubConnector is the connector in SkyHub-direct mode only, as the
// sandbox's embedded seller.
func skyhubConnector(t *testing.T, s *sandbox.Server, state string) *reference.Connector {
	t.Helper()
	c, err := reference.New(reference.Config{Channels: []string{reference.ChannelSkyHub}, SkyHubURL: s.URL + "/skyhub",
		SkyHubEmail: "seller@demostore.com.br", SkyHubAPIKey: "skyhub-sandbox-key", SkyHubAMKey: "refclient-test",
		SellerCNPJ: sellerCNPJ, StateFile: state, BackoffScale: 0.001, MaxRetries: 2}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sky calls the SkyHub API as the seller; out, if not nil, gets the answer.
func sky(t *testing.T, s *sandbox.Server, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, method, s.URL+"/skyhub"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-Email", "seller@demostore.com.br")
	req.Header.Set("X-Api-Key", "skyhub-sandbox-key")
	req.Header.Set("X-Accountmanager-Key", "test")
	req.Header.Set(journal.OriginHeader, journal.Observer) // the test's, not the connector's
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

var orderSeq = 100_000_000_000

// paidSkyHubOrder creates an approved order the seller ships itself.
func paidSkyHubOrder(t *testing.T, s *sandbox.Server) string {
	t.Helper()
	orderSeq++
	code := fmt.Sprintf("Lojas Americanas-%d", orderSeq)
	body := fmt.Sprintf(`{"order":{"code":%q,"items":[{"id":"CAM","name":"Camiseta","qty":2,"original_price":49.9,"special_price":49.9}],
		"customer":{"name":"Ana Souza","email":"ana@example.com.br","vat_number":"52998224725"}}}`, code)
	if st := sky(t, s, "POST", "/orders", body, nil); st != 201 {
		t.Fatalf("create the SkyHub order: %d", st)
	}
	if st := sky(t, s, "POST", "/orders/"+url.PathEscape(code)+"/approval", `{"status":"payment_received"}`, nil); st != 201 {
		t.Fatalf("approve: %d", st)
	}
	return code
}

// drain takes every order off the queue.
func drain(t *testing.T, c *reference.Connector) {
	t.Helper()
	for range 100 {
		n, err := c.PollSkyHubQueue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the queue never emptied")
}

func stored(c *reference.Connector, code string) (reference.StoredOrder, bool) {
	for _, o := range c.Orders() {
		if o.OrderID == "skyhub:"+code {
			return o, true
		}
	}
	return reference.StoredOrder{}, false
}

func skyhubCalls(t *testing.T, s *sandbox.Server, method string) []string {
	t.Helper()
	entries, err := s.Client.Journal(ctx, client.JournalFilter{API: "skyhub", Method: method})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Origin == "" {
			p, _ := url.PathUnescape(e.Path)
			out = append(out, fmt.Sprintf("%s %d", p, e.Status))
		}
	}
	return out
}

// The queue rule: the order is stored before its queue item is deleted.
// When it cannot be stored the item stays, and the order comes back after
// five minutes.
func TestSkyHubQueueStoresBeforeDeleting(t *testing.T) {
	s := sandbox.Start(t)
	good := skyhubConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	drain(t, good) // the seeded orders
	code := paidSkyHubOrder(t, s)

	broken := skyhubConnector(t, s, filepath.Join(t.TempDir(), "no-such-dir", "state.json"))
	if _, err := broken.PollSkyHubQueue(ctx); err == nil {
		t.Fatal("a connector that cannot store the order reported no error")
	}
	for _, call := range skyhubCalls(t, s, "DELETE") {
		if strings.Contains(call, code) {
			t.Fatalf("the queue item was deleted though the order was not stored: %s", call)
		}
	}
	if n, _ := good.PollSkyHubQueue(ctx); n != 0 {
		t.Fatal("the order came back before five minutes")
	}
	s.Clock.Advance(skyhub.Redelivery)
	if err := good.Once(ctx); err != nil { // refclient once: the queue drained
		t.Fatal(err)
	}
	o, ok := stored(good, code)
	if !ok || o.Status != "APPROVED" {
		t.Fatalf("after redelivery the connector holds %+v (%v)", o, ok)
	}
	if sky(t, s, "GET", "/queues/orders", "", nil) != http.StatusNoContent {
		t.Fatal("the queue still holds an order")
	}
}

// Each rule of the SkyHub actions, table-driven.
func TestSkyHubActions(t *testing.T) {
	s := sandbox.Start(t)
	c := skyhubConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	drain(t, c)
	paid := paidSkyHubOrder(t, s)
	canceled := paidSkyHubOrder(t, s)
	if err := s.Client.SkyHubStep(ctx, canceled, "cancel"); err != nil {
		t.Fatal(err)
	}
	drain(t, c)
	ticket, err := s.Client.OpenTicket(ctx, "", paid, "Quero trocar", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Client.CloseTicket(ctx, ticket.Code); err != nil {
		t.Fatal(err)
	}
	on := func(code string, a reference.Action) reference.Action {
		a.OrderID, a.Channel = code, reference.ChannelSkyHub
		return a
	}
	for _, tc := range []struct {
		name       string
		action     reference.Action
		wantBad    bool // refused by the connector itself, no call made
		wantStatus int  // refused by SkyHub with this status
		wantOrder  string
	}{
		{name: "invoice an order never downloaded", action: on("Lojas Americanas-1", reference.Action{Action: "invoice", InvoiceNumber: "1"}), wantBad: true},
		{name: "invoice an order the marketplace canceled", action: on(canceled, reference.Action{Action: "invoice", InvoiceNumber: "2"}), wantBad: true},
		{name: "ship an order the marketplace canceled", action: on(canceled, reference.Action{Action: "tracking", TrackingNumber: "BR1"}), wantBad: true},
		{name: "an invoice number that is no number", action: on(paid, reference.Action{Action: "invoice", InvoiceNumber: "ABC"}), wantBad: true},
		{name: "invoice", action: on(paid, reference.Action{Action: "invoice", InvoiceNumber: "1001"}), wantOrder: "INVOICED"},
		{name: "ship without a tracking code", action: on(paid, reference.Action{Action: "tracking"}), wantBad: true},
		{name: "ship", action: on(paid, reference.Action{Action: "tracking", TrackingNumber: "BR123456789"}), wantOrder: "SHIPPED"},
		{name: "deliver", action: on(paid, reference.Action{Action: "delivered"}), wantOrder: "DELIVERED"},
		{name: "an action SkyHub has not", action: on(paid, reference.Action{Action: "change"}), wantBad: true},
		{name: "reply to a closed ticket", action: reference.Action{Action: "reply-ticket", ChannelAction: reference.ChannelAction{Ticket: ticket.Code, Message: "Já trocamos"}}, wantStatus: 422},
		{name: "reply without a message", action: reference.Action{Action: "reply-ticket", ChannelAction: reference.ChannelAction{Ticket: ticket.Code}}, wantBad: true},
		{name: "answer an unknown question", action: reference.Action{Action: "answer-question", ChannelAction: reference.ChannelAction{Question: "1", Answer: "Sim"}}, wantStatus: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Do(ctx, tc.action)
			switch {
			case tc.wantBad:
				if !errors.Is(err, reference.ErrBadAction) {
					t.Fatalf("got %v, want the connector to refuse it", err)
				}
			case tc.wantStatus != 0:
				if reference.StatusOf(err) != tc.wantStatus {
					t.Fatalf("got %v, want SkyHub's %d", err, tc.wantStatus)
				}
			case err != nil:
				t.Fatal(err)
			}
			if tc.wantOrder != "" {
				var o struct {
					Status   struct{ Type string }
					Invoices []struct{ Key string }
				}
				sky(t, s, "GET", "/orders/"+url.PathEscape(tc.action.OrderID), "", &o)
				if o.Status.Type != tc.wantOrder {
					t.Fatalf("SkyHub has the order %s, want %s", o.Status.Type, tc.wantOrder)
				}
				if len(o.Invoices) != 1 || brdata.NFeKeyCNPJ(o.Invoices[0].Key) != sellerCNPJ {
					t.Fatalf("invoices %+v, want one naming %s", o.Invoices, sellerCNPJ)
				}
				if st, _ := stored(c, tc.action.OrderID); st.Status != tc.wantOrder {
					t.Errorf("the connector holds the order as %s, want %s", st.Status, tc.wantOrder)
				}
			}
		})
	}
	for _, call := range skyhubCalls(t, s, "POST") {
		if strings.Contains(call, canceled+"/") {
			t.Errorf("the connector called SkyHub about the canceled order: %s", call)
		}
	}
	// Without SkyHub-direct mode, SkyHub actions are refused.
	vtexOnly, err := reference.New(reference.Config{VTEXURL: s.URL, AppKey: s.AppKey, AppToken: s.AppToken,
		StateFile: filepath.Join(t.TempDir(), "v.json")}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vtexOnly.Do(ctx, on(paid, reference.Action{Action: "delivered"})); !errors.Is(err, reference.ErrBadAction) {
		t.Errorf("a VTEX-only connector carried out a SkyHub action: %v", err)
	}
}

// The catalog push: 2025's price rules and stock net of reservations.
func TestSkyHubCatalogPush(t *testing.T) {
	s := sandbox.Start(t)
	c := skyhubConnector(t, s, filepath.Join(t.TempDir(), "state.json"))
	push := func(p ...reference.CatalogProduct) error {
		_, err := c.Do(ctx, reference.Action{Action: "push-catalog", ChannelAction: reference.ChannelAction{Channel: "skyhub", Products: p}})
		return err
	}
	type product struct {
		Price            *float64 `json:"price"`
		PromotionalPrice *float64 `json:"promotional_price"`
		Qty              int      `json:"qty"`
	}
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name    string
		push    reference.CatalogProduct
		want    product
		wantBad bool
	}{
		{name: "no promotion: no promotional_price at all", push: reference.CatalogProduct{SKU: "REF-1", Name: "Camiseta", Price: 4990, Stock: 10, Reserved: 2},
			want: product{Price: f(49.9), Qty: 8}},
		{name: "a promotion", push: reference.CatalogProduct{SKU: "REF-2", Name: "Calça", Price: 9990, PromotionalPrice: 7990, Stock: 5},
			want: product{Price: f(99.9), PromotionalPrice: f(79.9), Qty: 5}},
		{name: "more reserved than in stock: 0, never negative", push: reference.CatalogProduct{SKU: "REF-3", Name: "Boné", Price: 2990, Stock: 1, Reserved: 3},
			want: product{Price: f(29.9), Qty: 0}},
		{name: "an update of an existing product", push: reference.CatalogProduct{SKU: "REF-1", Name: "Camiseta", Price: 4490, PromotionalPrice: 3990, Stock: 7},
			want: product{Price: f(44.9), PromotionalPrice: f(39.9), Qty: 7}},
		{name: "no price", push: reference.CatalogProduct{SKU: "REF-4", Name: "Meia"}, wantBad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := push(tc.push)
			if tc.wantBad {
				if !errors.Is(err, reference.ErrBadAction) {
					t.Fatalf("got %v, want the connector to refuse it", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got product
			if st := sky(t, s, "GET", "/products/"+tc.push.SKU, "", &got); st != 200 {
				t.Fatalf("GET the product: %d", st)
			}
			if fmt.Sprint(orNil(got.Price), orNil(got.PromotionalPrice), got.Qty) != fmt.Sprint(orNil(tc.want.Price), orNil(tc.want.PromotionalPrice), tc.want.Qty) {
				t.Fatalf("SkyHub has price %v, promotional %v, qty %d; want %v, %v, %d", orNil(got.Price), orNil(got.PromotionalPrice), got.Qty,
					orNil(tc.want.Price), orNil(tc.want.PromotionalPrice), tc.want.Qty)
			}
		})
	}
	for _, call := range append(skyhubCalls(t, s, "POST"), skyhubCalls(t, s, "PUT")...) {
		if strings.HasSuffix(call, " 422") || strings.HasSuffix(call, " 400") {
			t.Errorf("SkyHub refused %s", call)
		}
	}
}

func orNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// The channel list decides what is required.
func TestChannels(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s.json")
	for _, tc := range []struct {
		name    string
		cfg     reference.Config
		wantErr string
	}{
		{name: "SkyHub only needs no VTEX credentials", cfg: reference.Config{Channels: reference.ParseChannels(" SkyHub "), SkyHubURL: "http://x",
			SkyHubEmail: "e", SkyHubAPIKey: "k", SellerCNPJ: sellerCNPJ}},
		{name: "SkyHub without its credentials", cfg: reference.Config{Channels: reference.ParseChannels("skyhub")}, wantErr: "OMSBOX_SKYHUB_EMAIL"},
		{name: "SkyHub without the seller's CNPJ", cfg: reference.Config{Channels: reference.ParseChannels("skyhub"), SkyHubURL: "http://x",
			SkyHubEmail: "e", SkyHubAPIKey: "k"}, wantErr: "OMSBOX_SKYHUB_CNPJ"},
		{name: "VTEX by default", cfg: reference.Config{}, wantErr: "OMSBOX_VTEX_APPKEY"},
		{name: "both", cfg: reference.Config{Channels: reference.ParseChannels("vtex,skyhub"), SkyHubURL: "http://x", SkyHubEmail: "e",
			SkyHubAPIKey: "k"}, wantErr: "OMSBOX_VTEX_URL"},
		{name: "an unknown channel", cfg: reference.Config{Channels: reference.ParseChannels("netshoes"), VTEXURL: "http://x"}, wantErr: `unknown channel "netshoes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.StateFile = state
			_, err := reference.New(tc.cfg, quiet)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}
