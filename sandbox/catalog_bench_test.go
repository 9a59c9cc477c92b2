package sandbox_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/oms"
)

func benchSandbox(b *testing.B) *sandbox.Sandbox {
	b.Helper()
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(testStart)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	return sb
}

// BenchmarkStockWrite is PUT .../inventory/skus/{id}/warehouses/{id}
// through the whole handler (auth, validation, the write, its event).
func BenchmarkStockWrite(b *testing.B) {
	sb := benchSandbox(b)
	h := sb.Handler()
	b.ReportAllocs()
	w := &countingWriter{header: map[string][]string{}}
	n := 0
	for b.Loop() {
		n++
		req := newRequest("PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp",
			fmt.Sprintf(`{"quantity":%d,"unlimitedQuantity":false,"leadTime":"00:00:00"}`, n%1000), demoAuth...)
		clear(w.header)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != 0 && w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// BenchmarkComputedPrice is GET .../computed/1 of an item with ten fixed
// prices (tiers and date ranges) on the api.vtex.com form.
func BenchmarkComputedPrice(b *testing.B) {
	sb := benchSandbox(b)
	var fixed []string
	for i := range 10 {
		fixed = append(fixed, fmt.Sprintf(`{"tradePolicyId":"1","value":%d,"minQuantity":%d,"dateRange":{"from":"2026-03-0%dT00:00:00Z","to":"2026-04-01T00:00:00Z"}}`,
			90-i, 1+i, 1+i%9))
	}
	h := sb.Handler()
	if r := do(b, h, "PUT", "/demostore/pricing/prices/1", `{"basePrice":100,"fixedPrices":[`+strings.Join(fixed, ",")+`]}`, demoAuth...); r.status != 200 {
		b.Fatalf("%d %s", r.status, r.body)
	}
	benchRequest(b, h, newRequest("GET", "/demostore/pricing/prices/1/computed/1?quantity=3", "", demoAuth...))
}

// benchCreate creates orders of one line, as the control plane does:
// the stock check, the order, and (for a catalog SKU) its reservation.
func benchCreate(b *testing.B, sku string) {
	sb := benchSandbox(b)
	h := sb.Handler()
	catalogSKU(b, h)
	do(b, h, "PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/estoque-sp", `{"unlimitedQuantity":true}`, demoAuth...)
	acct, _ := sb.OMS.Account("demostore")
	items := []oms.NewItem{{ID: sku, Name: "Tênis Azul 42", Price: 10000, Quantity: 1}}
	b.ReportAllocs()
	for b.Loop() {
		if err := sb.Stock.CreateChecked("demostore", items, false, func() error {
			_, err := acct.Create(oms.NewOrder{Items: items})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOrderCreationWithReservation: a catalog SKU, so the order
// reserves (and its walk to ready-for-handling confirms the reservation).
func BenchmarkOrderCreationWithReservation(b *testing.B) { benchCreate(b, "1") }

// BenchmarkOrderCreationWithoutCatalog is the same order for a SKU the
// catalog does not know: the baseline the reservation adds to.
func BenchmarkOrderCreationWithoutCatalog(b *testing.B) { benchCreate(b, "CAMISETA") }
