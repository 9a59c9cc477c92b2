package sandbox_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
)

// catalogFingerprint sums up demostore's catalog, stock and prices.
func catalogFingerprint(sb *sandbox.Sandbox) string {
	return sb.Catalog.Account("demostore").Fingerprint() + "\n" + sb.Inventory.Account("demostore").Fingerprint() +
		"\n" + sb.Pricing.Account("demostore").Fingerprint()
}

// catalogRoutes are the decoders FuzzCatalogRequests aims at; {id} is the
// fuzzed path value.
var catalogRoutes = []struct{ method, path string }{
	{"POST", "/api/catalog/pvt/product"},
	{"PUT", "/api/catalog/pvt/product/{id}"},
	{"POST", "/api/catalog/pvt/stockkeepingunit"},
	{"PUT", "/api/catalog/pvt/stockkeepingunit/{id}"},
	{"POST", "/api/catalog/pvt/stockkeepingunit/1/ean/{id}"},
	{"POST", "/api/catalog/pvt/stockkeepingunit/{id}/file"},
	{"POST", "/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids"},
	{"PUT", "/api/logistics/pvt/inventory/skus/{id}/warehouses/estoque-sp"},
	{"PATCH", "/api/logistics/pvt/inventory/skus/1/warehouses/{id}/quantity"},
	{"PATCH", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp/lead-time"},
	{"POST", "/api/logistics/pvt/configuration/warehouses"},
	{"POST", "/api/logistics/pvt/configuration/docks"},
	{"PUT", "/demostore/pricing/prices/{id}"},
	{"POST", "/api/pricing/prices/1/fixed/{id}"},
	{"PATCH", "/api/pricing/prices/{id}/fixed"},
	{"GET", "/api/pricing/prices/1/computed/{id}"},
}

// FuzzCatalogRequests sends arbitrary path values and bodies to the
// catalog, logistics and pricing decoders: never a 5xx (strict mode on),
// every refusal is {"Message"} or Logistics' 423 text, and a refused
// request leaves catalog, stock and prices as they were.
func FuzzCatalogRequests(f *testing.F) {
	seeds := []struct {
		route uint8
		id    string
		body  string
	}{
		{0, "", `{"Name":"Tênis","CategoryPath":"Calçados/Tênis","BrandName":"Olympikus"}`},
		{0, "", `{"Id":2147483648,"Name":"x","CategoryId":1,"BrandId":1}`},
		{1, "1", `{"Name":"Tênis","CategoryId":2,"BrandId":1,"IsActive":null}`},
		{2, "", `{"ProductId":1,"Name":"Azul","RefId":"R","Ean":"7891234567895","PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1,"PackagedWeightKg":1}`},
		{3, "1", `{"ProductId":1,"Name":"Azul","RefId":"R","IsActive":true,"PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1,"PackagedWeightKg":1e309}`},
		{4, "7890000000017", ""},
		{5, "1", `{"Name":"a","Url":"https://x/a.jpg","IsMain":true,"Position":-1}`},
		{6, "", `["R","R"]`},
		{7, "1", `{"quantity":10,"unlimitedQuantity":false,"leadTime":"1.00:00:00","dateUtcOnBalanceSystem":"2026-03-10T12:00:00Z"}`},
		{8, "estoque-sp", `{"quantity":2147483648}`},
		{9, "", `{"leadTime":"99999999999.00:00:00"}`},
		{10, "", `{"id":"w","name":"W","warehouseDocks":[{"dockId":"1_1","cost":"5.00"}]}`},
		{11, "", `{"id":"d","name":"D"}`},
		{12, "1", `{"costPrice":10,"markup":2400,"fixedPrices":[{"tradePolicyId":"1","value":1,"minQuantity":1,"dateRange":{"from":"2026-01-01T00:00:00","to":"2026-02-01T00:00:00Z"}}]}`},
		{13, "gold", `[{"value":1e300,"minQuantity":1}]`},
		{14, "1", `[{"tradePolicyId":"1","value":-1,"minQuantity":0}]`},
		{15, "1", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.body)
	}
	sb := newSandbox(f)
	h := sb.Handler()
	catalogSKU(f, h)
	do(f, h, "PUT", "/api/pricing/prices/1", `{"basePrice":100}`, demoAuth...)
	f.Fuzz(func(t *testing.T, route uint8, id, body string) {
		rt := catalogRoutes[int(route)%len(catalogRoutes)]
		path := strings.ReplaceAll(rt.path, "{id}", escapeSegment(id))
		before := catalogFingerprint(sb)
		r := do(t, h, rt.method, path, body, demoAuth...)
		if r.status >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt.method, path, body, r.status, r.body)
		}
		if r.status < 400 {
			return
		}
		var m struct{ Message string }
		var oms struct{ Error *struct{ Message string } }
		switch {
		case r.status == 423 && strings.HasPrefix(string(r.body), "Unable to acquire lock for key: "):
		case json.Unmarshal(r.body, &m) == nil && m.Message != "":
		case r.status == 404 || r.status == 405: // no such route: the router's VTEX shape
			if json.Unmarshal(r.body, &oms) != nil || oms.Error == nil {
				t.Fatalf("%s %s: %d in no known shape: %s", rt.method, path, r.status, r.body)
			}
		default:
			t.Fatalf("%s %s %q: %d not {\"Message\"}: %s", rt.method, path, body, r.status, r.body)
		}
		if after := catalogFingerprint(sb); after != before {
			t.Fatalf("refused %s %s %q (%d) changed the state", rt.method, path, body, r.status)
		}
	})
}

// escapeSegment keeps a fuzzed value inside one path segment.
func escapeSegment(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}
