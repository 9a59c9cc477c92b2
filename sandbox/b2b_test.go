package sandbox_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox/oms"
)

func TestB2BOrdersCarryTheirOrganizationAndFilterOnIt(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	create := func(org, costCenter, email string) string {
		t.Helper()
		r := do(t, h, "POST", "/_sandbox/orders", `{"customer":{"firstName":"Marta","lastName":"Souza","email":"`+email+`",
			"corporateDocument":"11222333000181","corporateName":"Ferragens Paulista Ltda"},
			"marketingData":{"utmCampaign":"`+org+`","utmMedium":"`+costCenter+`"},"purchaseOrder":"PO-`+costCenter+`",
			"items":[{"id":"PARAF-10","name":"Parafuso 10 mm (cento)","price":1290,"quantity":40}]}`)
		var o oms.Order
		r.json(t, &o)
		if r.status != 201 {
			t.Fatalf("create a B2B order: %d %s", r.status, r.body)
		}
		return o.OrderID
	}
	a1 := create("org-ferragens", "cc-compras", "marta@ferragens.com.br")
	a2 := create("org-ferragens", "cc-obras", "joao@ferragens.com.br")
	b1 := create("org-construtora", "cc-compras", "ana@construtora.com.br")

	var doc oms.Order
	r := do(t, h, "GET", "/api/orders/pvt/document/"+a1, "", demoAuth...)
	r.json(t, &doc)
	if r.status != 200 || doc.MarketingData == nil || doc.MarketingData.UtmCampaign != "org-ferragens" ||
		doc.MarketingData.UtmMedium != "cc-compras" || !doc.ClientProfileData.IsCorporate ||
		doc.ClientProfileData.CorporateDocument == nil || *doc.ClientProfileData.CorporateDocument != "11222333000181" ||
		doc.OpenTextField == nil || doc.OpenTextField.Value != "PO-cc-compras" {
		t.Fatalf("the B2B order's document: %d %+v %+v", r.status, doc.MarketingData, doc.ClientProfileData)
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"f_UtmCampaign=org-ferragens", []string{a1, a2}},
		{"f_UtmCampaign=org-ferragens&f_UtmMedium=cc-obras", []string{a2}},
		{"f_UtmMedium=cc-compras", []string{a1, b1}},
		{"clientEmail=ANA@construtora.com.br", []string{b1}},
		{"f_UtmCampaign=org-ferragens&clientEmail=ana@construtora.com.br", nil},
		{"f_UtmCampaign=org-ferragen", nil}, // exact, not a prefix
	} {
		var list oms.OrderList
		do(t, h, "GET", "/api/oms/pvt/orders?orderBy=creationDate,asc&"+tc.query, "", demoAuth...).json(t, &list)
		var got []string
		for _, o := range list.List {
			got = append(got, o.OrderID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	// A CNPJ with wrong check digits, or a company without its CNPJ, is refused.
	for _, body := range []string{
		`{"customer":{"corporateDocument":"11222333000182","corporateName":"X"},"items":[{"id":"1","name":"x","price":1,"quantity":1}]}`,
		`{"customer":{"corporateName":"X"},"items":[{"id":"1","name":"x","price":1,"quantity":1}]}`,
	} {
		if r := do(t, h, "POST", "/_sandbox/orders", body); r.status != 400 || !strings.Contains(string(r.body), "corporate") {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
}

func TestB2BOrderConformsToVTEXSpec(t *testing.T) {
	doc := loadVTEXSpec(t)
	sb := newSandbox(t)
	h := sb.Handler()
	r := do(t, h, "POST", "/_sandbox/orders", `{"customer":{"corporateDocument":"11222333000181","corporateName":"Ferragens Paulista Ltda"},
		"marketingData":{"utmCampaign":"org-1","utmMedium":"cc-1"},"items":[{"id":"1","name":"x","price":100,"quantity":1}]}`)
	var o oms.Order
	r.json(t, &o)
	req := newRequest("GET", "/api/oms/pvt/orders/"+o.OrderID, "", demoAuth...)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	conforms(t, doc, "GET", "/api/oms/pvt/orders/{orderId}", req, rec)
	req = newRequest("GET", "/api/oms/pvt/orders?f_UtmCampaign=org-1", "", demoAuth...)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	conforms(t, doc, "GET", "/api/oms/pvt/orders", req, rec)
}
