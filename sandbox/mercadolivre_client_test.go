package sandbox_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/config"
)

// TestMercadoLivreThroughTheClient drives the channel's control plane with
// the Go client over HTTP, and the API with the token it gets.
func TestMercadoLivreThroughTheClient(t *testing.T) {
	cfg := config.Default()
	cfg.MercadoLivre.NotificationTimeout = clock.Duration{Duration: 5 * time.Second} // not 500 ms on a loaded machine
	srv := sandbox.Start(t, sandbox.WithConfig(cfg))
	ctx := context.Background()
	consent, err := srv.Client.MercadoLivreAuthorize(ctx, "")
	if err != nil || consent.ClientID != mlClient || consent.SellerID != mlSeller {
		t.Fatalf("authorize: %+v %v", consent, err)
	}
	resp, err := http.PostForm(srv.URL+"/mercadolivre/oauth/token", url.Values{"grant_type": {"authorization_code"},
		"client_id": {consent.ClientID}, "client_secret": {consent.ClientSecret}, "code": {consent.Code}, "redirect_uri": {consent.RedirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	rc := newReceiver(t)
	if app, err := srv.Client.SetMercadoLivreCallback(ctx, "", rc.srv.URL, []string{"questions"}); err != nil || app.CallbackURL != rc.srv.URL {
		t.Fatalf("callback: %+v %v", app, err)
	}
	item, err := srv.Client.CreateMercadoLivreListing(ctx, client.NewMercadoLivreListing{SKU: "S1", Price: 1000, AvailableQuantity: 3})
	if err != nil {
		t.Fatal(err)
	}
	id := item["id"].(string)
	c, err := srv.Client.CreateMercadoLivreOrder(ctx, client.NewMercadoLivreOrder{Status: "payment_in_process",
		Items: []client.MercadoLivreItem{{ID: id, Name: "x", Price: 1000, Quantity: 1}}})
	if err != nil || c.ShipmentID != 0 {
		t.Fatalf("unpaid order: %+v %v", c, err)
	}
	if st, err := srv.Client.MercadoLivreOrderStep(ctx, "", c.OrderID, "pay", 0); err != nil || st != "paid" {
		t.Fatalf("pay: %s %v", st, err)
	}
	if _, err := srv.Client.MercadoLivreOrderStep(ctx, "", c.OrderID, "pay", 0); err == nil {
		t.Fatal("paid twice")
	}
	if _, err := srv.Client.SendMercadoLivreBuyerMessage(ctx, "", c.OrderID, "Oi"); err != nil {
		t.Fatalf("message on an order without a pack: %v", err)
	}
	q, err := srv.Client.AskMercadoLivreQuestion(ctx, "", id, "Tem azul?")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the questions notification", func() bool { return rc.has("questions", fmt.Sprintf("/questions/%.0f", q["id"]), 1) })
	if _, err := srv.Client.MercadoLivreShipmentStep(ctx, "", 1, "ship"); err == nil {
		t.Fatal("an unknown shipment shipped")
	}
	if srv.MercadoLivreHandler() == nil {
		t.Fatal("no handler of its own")
	}
}

// TestMercadoLivreListenerRefusals: net/http's own refusals on the
// channel's listener come in Mercado Livre's error shape.
func TestMercadoLivreListenerRefusals(t *testing.T) {
	sb := newMLSandbox(t)
	srv := httptest.NewUnstartedServer(sb.MercadoLivreHandler())
	srv.Listener = sb.WrapMercadoLivreListener(srv.Listener)
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /orders/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"error":"bad_request"`) || !strings.Contains(string(body), `"cause":[]`) {
		t.Fatalf("refusal: %d %s", resp.StatusCode, body)
	}
}
