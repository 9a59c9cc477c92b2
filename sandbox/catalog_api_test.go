package sandbox_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// newSandboxWith is newSandbox with a lock window for stock writes.
func newSandboxWith(t testing.TB, lockWindow time.Duration) *sandbox.Sandbox {
	t.Helper()
	cfg := testConfig()
	cfg.Inventory.LockWindow = clock.Duration{Duration: lockWindow}
	sb, err := sandbox.New(sandbox.WithConfig(cfg), sandbox.WithClock(clock.Frozen(testStart)),
		sandbox.WithStrict(true, func(op, detail string) { t.Errorf("strict mode: %s: %s", op, detail) }),
		sandbox.WithHookOptions(hook.Options{Client: loopbackOnly}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// message decodes Catalog's {"Message": ...}.
func (r response) message(t testing.TB) string {
	t.Helper()
	var b struct{ Message string }
	r.json(t, &b)
	if b.Message == "" {
		t.Fatalf("not a {\"Message\"} body: %s", r.body)
	}
	return b.Message
}

// catalogSKU creates a product and a SKU (id 1, RefId SKU-AZUL-42, EAN
// 7891234567895) in demostore through the API.
func catalogSKU(t testing.TB, h http.Handler) {
	t.Helper()
	if r := do(t, h, "POST", "/api/catalog/pvt/product", `{"Name":"Tênis Corrida Azul","CategoryPath":"Calçados/Tênis","BrandName":"Olympikus","RefId":"TEN-AZUL"}`, demoAuth...); r.status != 200 {
		t.Fatalf("create product: %d %s", r.status, r.body)
	}
	if r := do(t, h, "POST", "/api/catalog/pvt/stockkeepingunit", `{"ProductId":1,"Name":"Azul 42","RefId":"SKU-AZUL-42","Ean":"7891234567895",
		"PackagedHeight":12,"PackagedLength":32,"PackagedWidth":20,"PackagedWeightKg":1}`, demoAuth...); r.status != 200 {
		t.Fatalf("create SKU: %d %s", r.status, r.body)
	}
}

func TestCatalogThroughTheAPI(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	catalogSKU(t, h)
	var p struct{ Id, CategoryId, BrandId, DepartmentId int64 }
	do(t, h, "GET", "/api/catalog/pvt/product/1", "", demoAuth...).json(t, &p)
	if p.Id != 1 || p.CategoryId != 2 || p.DepartmentId != 1 || p.BrandId != 1 {
		t.Fatalf("product %+v", p)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string // in the body
	}{
		{"product by RefId", "GET", "/api/catalog_system/pvt/products/productgetbyrefid/TEN-AZUL", "", 200, `"ListStoreId":[1]`},
		{"SKU", "GET", "/api/catalog/pvt/stockkeepingunit/1", "", 200, `"RefId":"SKU-AZUL-42"`},
		{"SKU by RefId", "GET", "/api/catalog/pvt/stockkeepingunit?RefId=SKU-AZUL-42", "", 200, `"Id":1`},
		{"SKU id by RefId is a JSON string", "GET", "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/SKU-AZUL-42", "", 200, `"1"`},
		{"SKU ids by RefIds", "POST", "/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids", `["SKU-AZUL-42","NOPE"]`, 200, `{"SKU-AZUL-42":"1"}`},
		{"EANs", "GET", "/api/catalog/pvt/stockkeepingunit/1/ean", "", 200, `["7891234567895"]`},
		{"add an EAN", "POST", "/api/catalog/pvt/stockkeepingunit/1/ean/7890000000017", "", 200, ""},
		{"SKU by EAN", "GET", "/api/catalog_system/pvt/sku/stockkeepingunitbyean/7890000000017", "", 200, `"BrandName":"Olympikus"`},
		{"add an image", "POST", "/api/catalog/pvt/stockkeepingunit/1/file", `{"Name":"frente","Url":"https://cdn.example.com/azul.jpg"}`, 200, `"IsMain":true`},
		{"images", "GET", "/api/catalog/pvt/stockkeepingunit/1/file", "", 200, `"FileLocation":"cdn.example.com/azul.jpg"`},
		{"brand", "GET", "/api/catalog/pvt/brand/1", "", 200, `"Name":"Olympikus"`},
		{"category", "GET", "/api/catalog/pvt/category/2", "", 200, `"TreePath":["Calçados","Tênis"]`},
		{"activate with PUT", "PUT", "/api/catalog/pvt/stockkeepingunit/1", `{"ProductId":1,"Name":"Azul 42","RefId":"SKU-AZUL-42","IsActive":true,
			"PackagedHeight":12,"PackagedLength":32,"PackagedWidth":20,"PackagedWeightKg":1}`, 200, `"IsActive":true`},
		// Refusals name the field.
		{"product without name", "POST", "/api/catalog/pvt/product", `{"CategoryPath":"A","BrandName":"B"}`, 400, `Name`},
		{"product without brand", "POST", "/api/catalog/pvt/product", `{"Name":"x","CategoryPath":"A"}`, 400, `BrandId is required, or BrandName`},
		{"product id of the wrong type", "POST", "/api/catalog/pvt/product", `{"Id":"x","Name":"x","CategoryPath":"A","BrandName":"B"}`, 400, `Id`},
		{"SKU born active", "POST", "/api/catalog/pvt/stockkeepingunit", `{"ProductId":1,"Name":"x","RefId":"R2","IsActive":true,"PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1,"PackagedWeightKg":1}`, 400, `IsActive cannot be true on create`},
		{"SKU without weight", "POST", "/api/catalog/pvt/stockkeepingunit", `{"ProductId":1,"Name":"x","RefId":"R2","PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1}`, 400, `PackagedWeightKg is required`},
		{"duplicate RefId", "POST", "/api/catalog/pvt/stockkeepingunit", `{"ProductId":1,"Name":"x","RefId":"SKU-AZUL-42","PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1,"PackagedWeightKg":1}`, 409, `RefId: SKU 1 has RefId`},
		{"EAN of another SKU", "POST", "/api/catalog/pvt/stockkeepingunit", `{"ProductId":1,"Name":"x","RefId":"R3","Ean":"7891234567895","PackagedHeight":1,"PackagedLength":1,"PackagedWidth":1,"PackagedWeightKg":1}`, 409, `Ean: SKU 1 has EAN`},
		{"unknown product", "GET", "/api/catalog/pvt/product/99", "", 404, `Product 99 not found`},
		{"unknown SKU", "GET", "/api/catalog/pvt/stockkeepingunit/99", "", 404, `SKU 99 not found`},
		{"SKU id out of range", "GET", "/api/catalog/pvt/stockkeepingunit/2147483648", "", 400, `skuId`},
		{"unknown RefId", "GET", "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/NOPE", "", 404, `NOPE\" not found`},
		{"unknown EAN", "GET", "/api/catalog_system/pvt/sku/stockkeepingunitbyean/123", "", 404, `EAN \"123\" not found`},
		{"bad EAN", "POST", "/api/catalog/pvt/stockkeepingunit/1/ean/12ab", "", 400, `ean must be 8 to 14 digits`},
		{"image not an image", "POST", "/api/catalog/pvt/stockkeepingunit/1/file", `{"Name":"x","Url":"https://cdn.example.com/x.exe"}`, 400, `Url must end in`},
		{"repeated RefId in the bulk look-up", "POST", "/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids", `["A","A"]`, 400, `asked twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, h, tc.method, tc.path, tc.body, demoAuth...)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s, want %d with %s", r.status, r.body, tc.status, tc.want)
			}
			if r.status >= 400 {
				r.message(t)
			}
		})
	}
	// Another account sees none of it; no credentials, no catalog.
	other := []string{"X-VTEX-API-AppKey: vtexappkey-otherstore", "X-VTEX-API-AppToken: other-token"}
	if r := do(t, h, "GET", "/api/catalog/pvt/product/1?an=otherstore", "", other...); r.status != 404 {
		t.Fatalf("otherstore sees demostore's product: %d", r.status)
	}
	if r := do(t, h, "GET", "/api/catalog/pvt/product/1", ""); r.status != 401 {
		t.Fatalf("no credentials: %d", r.status)
	}
}

// balanceRow is one warehouse of GET /api/logistics/pvt/inventory/skus/{id}.
type balanceRow struct {
	WarehouseID       string `json:"warehouseId"`
	TotalQuantity     int    `json:"totalQuantity"`
	ReservedQuantity  int    `json:"reservedQuantity"`
	AvailableQuantity int    `json:"availableQuantity"`
	Unlimited         bool   `json:"hasUnlimitedQuantity"`
	LeadTime          string `json:"leadTime"`
}

// stockedSKU puts SKU 1 in the catalog with quantity units in estoque-sp.
func stockedSKU(t testing.TB, h http.Handler, quantity int) {
	t.Helper()
	catalogSKU(t, h)
	r := do(t, h, "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp", fmt.Sprintf(`{"quantity":%d}`, quantity), demoAuth...)
	if r.status != 200 {
		t.Fatalf("stock of SKU 1: %d %s", r.status, r.body)
	}
}

func stockOf(t testing.TB, h http.Handler, sku string) balanceRow {
	t.Helper()
	var b struct{ Balance []balanceRow }
	r := do(t, h, "GET", "/api/logistics/pvt/inventory/skus/"+sku, "", demoAuth...)
	r.json(t, &b)
	if r.status != 200 || len(b.Balance) != 1 {
		t.Fatalf("stock of %s: %d %s", sku, r.status, r.body)
	}
	return b.Balance[0]
}

func TestStockWritesThroughTheAPI(t *testing.T) {
	sb := newSandboxWith(t, 2*time.Second)
	h := sb.Handler()
	const item = "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp"
	steps := []struct {
		name, method, path, body string
		advance                  time.Duration
		status                   int
		want                     string
		total                    int
		leadTime                 string
	}{
		{"a count", "PUT", item, `{"quantity":10,"unlimitedQuantity":false,"leadTime":"1.00:00:00"}`, 0, 200, "true", 10, "1.00:00:00"},
		{"a second write inside the window is locked", "PUT", item, `{"quantity":7}`, time.Second, 423, "Unable to acquire lock for key: demostore_item_logistics_1_estoque-sp.", 10, "1.00:00:00"},
		{"the window is over: a partial body defaults", "PUT", item, `{"quantity":7}`, time.Second, 200, "true", 7, "00:00:00"},
		{"PATCH quantity keeps the lead time", "PATCH", item + "/quantity", `{"quantity":5}`, 2 * time.Second, 204, "", 5, "00:00:00"},
		{"PATCH lead-time", "PATCH", item + "/lead-time", `{"leadTime":"2.12:00:00"}`, 2 * time.Second, 204, "", 5, "2.12:00:00"},
		{"78:00:00 reads as days", "PATCH", item + "/lead-time", `{"leadTime":"78:00:00"}`, 2 * time.Second, 204, "", 5, "78.00:00:00"},
		{"bad lead time", "PATCH", item + "/lead-time", `{"leadTime":"soon"}`, 2 * time.Second, 400, "leadTime", 5, "78.00:00:00"},
		{"unlimited", "PUT", item, `{"quantity":1,"unlimitedQuantity":true}`, 0, 200, "true", 1000000, "00:00:00"},
		{"negative", "PUT", item, `{"quantity":-1}`, 2 * time.Second, 400, "quantity", 1000000, "00:00:00"},
		{"unknown warehouse", "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/nowhere", `{"quantity":1}`, 0, 404, `Warehouse \"nowhere\" not found`, 1000000, "00:00:00"},
		{"not a SKU id", "PUT", "/api/logistics/pvt/inventory/skus/abc/warehouses/estoque-sp", `{"quantity":1}`, 0, 400, "skuId", 1000000, "00:00:00"},
	}
	for _, s := range steps {
		if _, err := sb.Clock.Advance(s.advance); err != nil {
			t.Fatal(err)
		}
		r := do(t, h, s.method, s.path, s.body, demoAuth...)
		if r.status != s.status || !strings.Contains(string(r.body), s.want) {
			t.Fatalf("%s: %d %s, want %d %s", s.name, r.status, r.body, s.status, s.want)
		}
		if s.status == 423 && !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Fatalf("%s: 423 as %s", s.name, r.header.Get("Content-Type"))
		}
		if b := stockOf(t, h, "1"); b.TotalQuantity != s.total || b.LeadTime != s.leadTime {
			t.Fatalf("%s: %+v, want total %d lead time %s", s.name, b, s.total, s.leadTime)
		}
	}
	var items []map[string]any
	do(t, h, "GET", "/api/logistics/pvt/inventory/items/1/warehouses/estoque-sp", "", demoAuth...).json(t, &items)
	if len(items) != 1 || items[0]["availableQuantity"] != float64(1000000) || items[0]["dockId"] != "1_1" {
		t.Fatalf("%v", items)
	}
	var whs []struct{ ID string }
	do(t, h, "GET", "/api/logistics/pvt/configuration/warehouses", "", demoAuth...).json(t, &whs)
	if len(whs) != 1 || whs[0].ID != "estoque-sp" {
		t.Fatalf("seeded warehouses %+v", whs)
	}
	if r := do(t, h, "POST", "/api/logistics/pvt/configuration/warehouses", `{"id":"estoque-rj","name":"RJ","warehouseDocks":[{"dockId":"9_9","cost":"5.00"}]}`, demoAuth...); r.status != 400 {
		t.Fatalf("a warehouse with an unknown dock: %d %s", r.status, r.body)
	}
	if r := do(t, h, "POST", "/api/logistics/pvt/configuration/warehouses", `{"id":"estoque-rj","name":"RJ","warehouseDocks":[{"dockId":"1_1","time":"1.00:00:00","cost":"5.00"}]}`, demoAuth...); r.status != 200 {
		t.Fatalf("a warehouse: %d %s", r.status, r.body)
	}
	var evs []struct{ Type string }
	do(t, h, "GET", "/_sandbox/events?type=inventory.updated&account=demostore", "").json(t, &evs)
	if len(evs) < 5 {
		t.Fatalf("inventory.updated events: %d", len(evs))
	}
}

// controlOrder creates an order on the control plane.
func controlOrder(t testing.TB, h http.Handler, body string) response {
	t.Helper()
	return do(t, h, "POST", "/_sandbox/orders", body)
}

func orderBody(sku string, qty int, extra string) string {
	return fmt.Sprintf(`{"account":"demostore","shippingPrice":0,%s"items":[{"id":%q,"name":"Tênis Azul 42","price":10000,"quantity":%d}]}`, extra, sku, qty)
}

// inventoryView is GET /_sandbox/inventory.
type inventoryView struct {
	SKUs []struct {
		SKU      string
		Balances []struct {
			WarehouseID                                        string
			TotalQuantity, ReservedQuantity, AvailableQuantity int
		}
		Reservations []struct {
			ID, OrderID, State string
			Oversold           bool
			Items              []struct{ Cleared bool }
		}
	}
}

func controlInventory(t testing.TB, h http.Handler, sku string) inventoryView {
	t.Helper()
	var v inventoryView
	r := do(t, h, "GET", "/_sandbox/inventory?account=demostore&sku="+sku, "")
	r.json(t, &v)
	if r.status != 200 || len(v.SKUs) != 1 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	return v
}

func TestOrdersReserveStock(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	stockedSKU(t, h, 3)
	// Created ready-for-handling: reserved and confirmed.
	r := controlOrder(t, h, orderBody("1", 2, ""))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var o struct{ OrderID string }
	r.json(t, &o)
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 2 || b.AvailableQuantity != 1 {
		t.Fatalf("after the order: %+v", b)
	}
	// More than is available: refused, nothing created or reserved.
	before := len(sb.OMS.Accounts())
	r = controlOrder(t, h, orderBody("1", 2, ""))
	if r.status != 409 || !strings.Contains(string(r.body), "SKU 1: 2 wanted, 1 available") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 2 || len(sb.OMS.Accounts()) != before {
		t.Fatalf("a refused order reserved: %+v", b)
	}
	// allowOversell: created, available goes negative.
	r = controlOrder(t, h, orderBody("1", 2, `"allowOversell":true,`))
	var over struct{ OrderID string }
	r.json(t, &over)
	if r.status != 201 || stockOf(t, h, "1").AvailableQuantity != -1 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// A SKU the catalog does not know: no reservation, as before.
	if r := controlOrder(t, h, orderBody("CAMISETA", 50, "")); r.status != 201 {
		t.Fatalf("an order outside the catalog: %d %s", r.status, r.body)
	}
	v := controlInventory(t, h, "1")
	res := v.SKUs[0].Reservations
	if len(res) != 2 || res[0].OrderID != o.OrderID || res[0].State != "confirmed" || res[0].Oversold || !res[1].Oversold {
		t.Fatalf("%+v", v)
	}
	// The reservation through Logistics' own routes.
	var doc struct {
		LockId string
		Status int
	}
	do(t, h, "GET", "/api/logistics/pvt/inventory/reservations/"+res[0].ID, "", demoAuth...).json(t, &doc)
	if doc.LockId != o.OrderID || doc.Status != 2 {
		t.Fatalf("%+v", doc)
	}
	var list []struct{ LockId string }
	do(t, h, "GET", "/api/logistics/pvt/inventory/reservations/estoque-sp/1", "", demoAuth...).json(t, &list)
	if len(list) != 2 {
		t.Fatalf("%+v", list)
	}

	// start-handling acknowledges; the ERP's next count zeroes it (§4.2).
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+o.OrderID+"/start-handling", "", demoAuth...); r.status != 204 {
		t.Fatalf("start-handling: %d %s", r.status, r.body)
	}
	if st := controlInventory(t, h, "1").SKUs[0].Reservations[0].State; st != "acknowledged" {
		t.Fatalf("after start-handling: %s", st)
	}
	// The oversold order is canceled: its units come back.
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+over.OrderID+"/cancel", `{"reason":"sem estoque"}`, demoAuth...); r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 2 || b.AvailableQuantity != 1 {
		t.Fatalf("after cancel: %+v", b)
	}
	// Invoiced: the units leave (reserved and total drop).
	inv := `{"type":"Output","issuanceDate":"2026-03-10T12:00:00Z","invoiceNumber":"NF-1","invoiceValue":"20000",
		"invoiceKey":"35260312345678000190550010000010011000010010","courier":"Transportadora","trackingNumber":"BR1",
		"items":[{"id":"1","price":10000,"quantity":2}]}`
	if r := do(t, h, "POST", "/api/oms/pvt/orders/"+o.OrderID+"/invoice", inv, demoAuth...); r.status != 200 {
		t.Fatalf("invoice: %d %s", r.status, r.body)
	}
	if b := stockOf(t, h, "1"); b.TotalQuantity != 1 || b.ReservedQuantity != 0 || b.AvailableQuantity != 1 {
		t.Fatalf("after invoice: %+v", b)
	}
	want := map[string]int{"reservation.created": 2, "reservation.confirmed": 2, "reservation.acknowledged": 1,
		"reservation.released": 1, "reservation.consumed": 1}
	for typ, n := range want {
		var evs []struct{ OrderID string }
		do(t, h, "GET", "/_sandbox/events?account=demostore&type="+typ, "").json(t, &evs)
		if len(evs) != n {
			t.Errorf("%s: %d events, want %d", typ, len(evs), n)
		}
	}
	// Reset forgets catalog, stock and reservations; the seed orders stay.
	if r := do(t, h, "POST", "/_sandbox/reset?account=demostore", ""); r.status != 204 {
		t.Fatal(r.status)
	}
	if r := do(t, h, "GET", "/api/catalog/pvt/stockkeepingunit/1", "", demoAuth...); r.status != 404 {
		t.Fatalf("after reset: %d", r.status)
	}
}

func TestCountAfterStartHandlingFreesAcknowledgedUnits(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	catalogSKU(t, h)
	do(t, h, "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp", `{"quantity":5}`, demoAuth...)
	var o struct{ OrderID string }
	controlOrder(t, h, orderBody("1", 2, "")).json(t, &o)
	do(t, h, "POST", "/api/oms/pvt/orders/"+o.OrderID+"/start-handling", "", demoAuth...)
	// The ERP counts 3 left on the shelf: the acknowledged 2 are no longer
	// reserved, so 3 are available (not 1).
	do(t, h, "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp", `{"quantity":3}`, demoAuth...)
	if b := stockOf(t, h, "1"); b.ReservedQuantity != 0 || b.AvailableQuantity != 3 {
		t.Fatalf("%+v", b)
	}
	if v := controlInventory(t, h, "1"); !v.SKUs[0].Reservations[0].Items[0].Cleared {
		t.Fatalf("%+v", v)
	}
}

func TestConcurrentOrdersNeverOversell(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	catalogSKU(t, h)
	do(t, h, "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp", `{"quantity":3}`, demoAuth...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := controlOrder(t, h, orderBody("1", 1, ""))
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[201] != 3 || codes[409] != 9 {
		t.Fatalf("%v", codes)
	}
	if b := stockOf(t, h, "1"); b.AvailableQuantity != 0 {
		t.Fatalf("%+v", b)
	}
}

func TestPricesOnBothHostsFollowTheClock(t *testing.T) {
	sb := newSandbox(t)
	h := sb.Handler()
	// api.vtex.com/{account}/pricing/...: the account is in the path.
	apiHost := append([]string{"Host: api.vtex.com"}, demoAuth...)
	// {account}.vtexcommercestable.com.br/api/pricing/...: in the Host.
	acctHost := append([]string{"Host: demostore.vtexcommercestable.com.br"}, demoAuth...)
	promo := fmt.Sprintf(`{"basePrice":100,"listPrice":130,"fixedPrices":[{"tradePolicyId":"1","value":79.9,"listPrice":120,"minQuantity":1,
		"dateRange":{"from":%q,"to":%q}}]}`, testStart.Add(time.Hour).Format(time.RFC3339), testStart.Add(25*time.Hour).Format(time.RFC3339))
	if r := do(t, h, "PUT", "/demostore/pricing/prices/1", promo, apiHost...); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	var p struct {
		ItemID      string  `json:"itemId"`
		BasePrice   float64 `json:"basePrice"`
		FixedPrices []any   `json:"fixedPrices"`
	}
	do(t, h, "GET", "/api/pricing/prices/1", "", acctHost...).json(t, &p)
	if p.ItemID != "1" || p.BasePrice != 100 || len(p.FixedPrices) != 1 {
		t.Fatalf("GET on the account host: %+v", p)
	}
	// The journal files the api.vtex.com form under the path's account.
	var entries []struct{ Account, Path string }
	do(t, h, "GET", "/_sandbox/journal?account=demostore&path=/demostore/pricing/**", "").json(t, &entries)
	if len(entries) != 1 || entries[0].Account != "demostore" {
		t.Fatalf("journal: %+v", entries)
	}
	computed := func() (selling float64, until string) {
		t.Helper()
		var c struct {
			SellingPrice    float64 `json:"sellingPrice"`
			PriceValidUntil string  `json:"priceValidUntil"`
		}
		r := do(t, h, "GET", "/demostore/pricing/prices/1/computed/1", "", apiHost...)
		r.json(t, &c)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return c.SellingPrice, c.PriceValidUntil
	}
	if s, u := computed(); s != 100 || u != "2026-03-10T13:00:00Z" {
		t.Fatalf("before the promotion: %v until %s", s, u)
	}
	do(t, h, "POST", "/_sandbox/clock", `{"advance":"1h"}`)
	if s, u := computed(); s != 79.9 || u != "2026-03-11T13:00:00Z" {
		t.Fatalf("during the promotion: %v until %s", s, u)
	}
	do(t, h, "POST", "/_sandbox/clock", `{"advance":"24h"}`)
	if s, _ := computed(); s != 100 {
		t.Fatalf("after the promotion: %v", s)
	}
	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		want                     string
	}{
		{"all three of base, cost, markup", "PUT", "/api/pricing/prices/2", `{"basePrice":1,"costPrice":1,"markup":0}`, acctHost, 400, "not all three"},
		{"none", "PUT", "/api/pricing/prices/2", `{"listPrice":5}`, acctHost, 400, "basePrice is required"},
		{"markup of the wrong type", "PUT", "/api/pricing/prices/2", `{"costPrice":1,"markup":"x"}`, acctHost, 400, "markup"},
		{"unknown item", "GET", "/api/pricing/prices/2", "", acctHost, 404, "Price of item 2 not found"},
		{"fixed prices of an unknown item", "POST", "/api/pricing/prices/2/fixed/1", `[{"value":1,"minQuantity":1}]`, acctHost, 404, "PUT its base price first"},
		{"POST a table's fixed price", "POST", "/demostore/pricing/prices/1/fixed/gold", `[{"value":55,"minQuantity":1}]`, apiHost, 200, ""},
		{"read it", "GET", "/demostore/pricing/prices/1/fixed/gold", "", apiHost, 200, `"tradePolicyId":"gold","value":55`},
		{"PATCH needs tradePolicyId", "PATCH", "/api/pricing/prices/1/fixed", `[{"value":1,"minQuantity":1}]`, acctHost, 400, "tradePolicyId"},
		{"computed gold", "GET", "/api/pricing/prices/1/computed/gold?quantity=2", "", acctHost, 200, `"sellingPrice":55`},
		{"delete gold", "DELETE", "/api/pricing/prices/1/fixed/gold", "", acctHost, 200, ""},
		{"gold falls back to base", "GET", "/api/pricing/prices/1/computed/gold", "", acctHost, 200, `"sellingPrice":100`},
		{"another account's path", "GET", "/otherstore/pricing/prices/1", "", apiHost, 403, ""},
		{"delete", "DELETE", "/demostore/pricing/prices/1", "", apiHost, 200, ""},
		{"gone", "GET", "/demostore/pricing/prices/1/computed/1", "", apiHost, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, h, tc.method, tc.path, tc.body, tc.headers...)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.want)
			}
		})
	}
}

func TestInventoryControlPlaneRefusals(t *testing.T) {
	h := newSandbox(t).Handler()
	if r := do(t, h, "GET", "/_sandbox/inventory?account=nobody", ""); r.status != 404 {
		t.Fatalf("%d", r.status)
	}
	if r := do(t, h, "GET", "/_sandbox/inventory?sku=abc", ""); r.status != 400 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var v inventoryView
	if r := do(t, h, "GET", "/_sandbox/inventory", ""); r.status != 200 {
		t.Fatalf("%d", r.status)
	} else {
		r.json(t, &v)
	}
	if len(v.SKUs) != 0 {
		t.Fatalf("a fresh account has stock: %+v", v)
	}
	_ = json.Valid
}

func TestClientInventoryAndOversell(t *testing.T) {
	s := sandbox.Start(t, sandbox.WithClock(clock.Frozen(testStart)))
	catalogSKU(t, s.Handler())
	ctx := t.Context()
	order := client.NewOrder{NewOrder: oms.NewOrder{Items: []oms.NewItem{{ID: "1", Name: "Tênis", Price: 10000, Quantity: 2}}}}
	var e *client.Error
	if _, err := s.Client.CreateOrder(ctx, order); !errors.As(err, &e) || e.Status != 409 || !strings.Contains(e.Message, "allowOversell") {
		t.Fatalf("no stock: %v", err)
	}
	order.AllowOversell = true
	o, err := s.Client.CreateOrder(ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.Client.Inventory(ctx, "demostore", "1")
	if err != nil || len(inv.SKUs) != 1 || inv.SKUs[0].Balances[0].AvailableQuantity != -2 ||
		inv.SKUs[0].Reservations[0].OrderID != o.OrderID || !inv.SKUs[0].Reservations[0].Oversold {
		t.Fatalf("%+v %v", inv, err)
	}
	if all, err := s.Client.Inventory(ctx, "", ""); err != nil || len(all.SKUs) != 1 || all.Account != "demostore" {
		t.Fatalf("%+v %v", all, err)
	}
}
