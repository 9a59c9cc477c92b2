package reference_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// b2bCall sends one call the way VTEX's B2B Orders app does and checks the
// exchange against openapi/b2b-erp.yaml.
func b2bCall(t *testing.T, h http.Handler, spec *openapi.Spec, token, method, target, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusUnauthorized {
		check := httptest.NewRequest(method, target, nil)
		check.Header = req.Header.Clone()
		if err := spec.CheckExchange(check, []byte(body), rec.Code, rec.Header(), raw); err != nil {
			t.Errorf("%v", err)
		}
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return rec.Code, out
}

func TestB2BLookUpAnswersFromTheERPsOwnStore(t *testing.T) {
	spec, err := openapi.Load("b2b-erp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := sandbox.Start(t)
	company := func(cnpj, name, po string) string {
		o, err := s.Client.CreateOrder(ctx, client.NewOrder{NewOrder: oms.NewOrder{
			Customer:      &oms.Customer{CorporateDocument: cnpj, CorporateName: name, Email: "compras@" + name + ".com.br"},
			MarketingData: &oms.NewMarketing{UtmCampaign: "org-" + cnpj[:8]}, PurchaseOrder: po,
			Items: []oms.NewItem{{ID: "PARAF", Name: "Parafuso 10 mm", Price: 1290, Quantity: 40}}}})
		if err != nil {
			t.Fatal(err)
		}
		return o.OrderID
	}
	mine := company("11222333000181", "ferragens", "PO-77")
	company("11222333000181", "ferragens", "PO-78")
	theirs := company("44455500000193", "construtora", "PO-99")
	c, err := reference.New(reference.Config{VTEXURL: s.URL, Account: s.Account, AppKey: s.AppKey, AppToken: s.AppToken,
		StateFile: filepath.Join(t.TempDir(), "state.json"), BackoffScale: 0.001, B2BToken: "b2b-secret"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, reference.Action{Action: "invoice", OrderID: mine, InvoiceNumber: "NF-501"}); err != nil {
		t.Fatal(err)
	}
	price := int64(15000)
	if _, err := c.Do(ctx, reference.Action{Action: "telesales-order", CNPJ: "11222333000181", CorporateName: "Ferragens",
		PurchaseOrder: "PO-FONE-1", Items: []reference.ActionItem{{ID: "SERRA", Quantity: 2, Price: &price}}}); err != nil {
		t.Fatal(err)
	}
	h, ferragens := c.B2BHandler(), reference.Company("11222333000181")
	today := s.Clock.Now().In(time.FixedZone("BRT", -3*3600)).Format("2006-01-02")

	status, out := b2bCall(t, h, spec, "b2b-secret", "POST", "/api/v1/pedido/pesquisa",
		`{"revendaId":11222333,"porPeriodo":{"dataInicial":"`+today+`","dataFim":"`+today+`"}}`)
	var pos []string
	for _, it := range out["itens"].([]any) {
		pos = append(pos, it.(map[string]any)["pedidoClienteId"].(string))
	}
	if status != 200 || strings.Join(pos, ",") != "PO-77,PO-78,PO-FONE-1" || ferragens != 11222333 {
		t.Fatalf("the period search of Ferragens: %d %v", status, pos)
	}
	// The app's number search sends the web order number to the detail
	// route, with the slash it writes.
	status, out = b2bCall(t, h, spec, "b2b-secret", "GET", "/api/v1/pedido/?pedidoErpId="+mine+"&revendaId=11222333", "")
	if status != 200 || out["status"] != float64(4) || out["notaFiscal"] != "NF-501" || out["valorTotalPedido"] != float64(531.9) ||
		out["clienteFinalCnpj"] != "11222333000181" {
		t.Fatalf("the detail of an invoiced order: %d %v", status, out)
	}
	status, out = b2bCall(t, h, spec, "b2b-secret", "GET", "/api/v1/ArquivosPedido/?pedidoErpId="+out["pedidoErpId"].(string)+"&revendaId=11222333", "")
	if status != 200 || len(out["itens"].([]any)) != 2 {
		t.Fatalf("documents of the invoiced order: %d %v", status, out)
	}
	// Another company's order never comes back, by any route.
	if status, _ := b2bCall(t, h, spec, "b2b-secret", "GET", "/api/v1/pedido?pedidoErpId="+theirs+"&revendaId=11222333", ""); status != 404 {
		t.Fatalf("another company's order: %d", status)
	}
	status, out = b2bCall(t, h, spec, "b2b-secret", "POST", "/api/v1/pedido/pesquisa", `{"revendaId":11222333,"porCodigo":{"codigo":"PO-99","tipo":1}}`)
	if status != 200 || len(out["itens"].([]any)) != 0 {
		t.Fatalf("another company's PO: %d %v", status, out)
	}
	for _, token := range []string{"", "wrong"} {
		if status, _ := b2bCall(t, h, spec, token, "POST", "/api/v1/pedido/pesquisa", `{"revendaId":11222333,"porCodigo":{"codigo":"PO-77","tipo":1}}`); status != 401 {
			t.Fatalf("token %q: %d", token, status)
		}
	}
}
