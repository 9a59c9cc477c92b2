package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// The catalog, stock and price steps: the ERP's actions go to the
// integration's driver (upsert-product, set-stock, set-price); the checks
// read VTEX's Catalog, Logistics and Pricing as an observer.

// erpAction posts a catalog action, which names no order, to the driver.
func (w *world) erpAction(ctx context.Context, a map[string]any) error {
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip // no driver: the @driver scenarios do not apply
	}
	body, _ := json.Marshal(a)
	req, _ := http.NewRequestWithContext(ctx, "POST", w.run.DriverURL()+"/actions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	w.driver.status, w.driver.body = resp.StatusCode, string(answer)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the driver answered %d to %s: %s", resp.StatusCode, body, answer)
	}
	return nil
}

// observe reads VTEX as the scenario's account; path may carry a query.
func (w *world) observe(ctx context.Context, path string, out any) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", w.env.VTEXURL+path+sep+"an="+url.QueryEscape(w.env.Account), nil)
	req.Header.Set("X-VTEX-API-AppKey", w.env.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", w.env.AppToken)
	req.Header.Set(journal.OriginHeader, journal.Observer)
	return getJSON(req, out)
}

// skuID is VTEX's id of the SKU with that RefId.
func (w *world) skuID(ctx context.Context, ref string) (string, error) {
	var id string
	if err := w.observe(ctx, "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/"+url.PathEscape(ref), &id); err != nil {
		return "", w.explain(ctx, fmt.Sprintf("VTEX's catalog has no SKU %s: %v", ref, err), journal.Filter{Path: "/api/catalog/**"})
	}
	return id, nil
}

func (w *world) registerProduct(ctx context.Context, product, sku, ean string) error {
	return w.erpAction(ctx, map[string]any{"action": "upsert-product", "product": map[string]any{
		"refId": product, "name": "Produto " + product, "category": "Roupas/Camisetas", "brand": "Marca Teste",
		"skus": []map[string]any{{"refId": sku, "name": "SKU " + sku, "ean": ean}}}})
}

func (w *world) catalogHas(ctx context.Context, sku, ean string) error {
	return eventually(ctx, func() error {
		id, err := w.skuID(ctx, sku)
		if err != nil {
			return err
		}
		var eans []string
		if err := w.observe(ctx, "/api/catalog/pvt/stockkeepingunit/"+id+"/ean", &eans); err != nil {
			return err
		}
		if !slices.Contains(eans, ean) {
			return w.explain(ctx, fmt.Sprintf("SKU %s (id %s) has EANs %v, want %s among them", sku, id, eans, ean),
				journal.Filter{Path: "/api/catalog/pvt/stockkeepingunit/**"})
		}
		return nil
	})
}

func (w *world) setBalance(ctx context.Context, sku, warehouse, n string) error {
	q, _ := strconv.Atoi(n)
	return w.erpAction(ctx, map[string]any{"action": "set-stock", "refId": sku, "warehouseId": warehouse, "quantity": q})
}

func (w *world) availableIs(ctx context.Context, n, sku, warehouse string) error {
	want, _ := strconv.Atoi(n)
	return eventually(ctx, func() error {
		id, err := w.skuID(ctx, sku)
		if err != nil {
			return err
		}
		var inv struct {
			Balance []struct {
				WarehouseID                                        string
				TotalQuantity, ReservedQuantity, AvailableQuantity int
			}
		}
		if err := w.observe(ctx, "/api/logistics/pvt/inventory/skus/"+id, &inv); err != nil {
			return err
		}
		for _, b := range inv.Balance {
			if b.WarehouseID != warehouse {
				continue
			}
			if b.AvailableQuantity == want {
				return nil
			}
			return w.explain(ctx, fmt.Sprintf("VTEX shows %d available of %s in %s (total %d, reserved %d), want %d",
				b.AvailableQuantity, sku, warehouse, b.TotalQuantity, b.ReservedQuantity, want),
				journal.Filter{Path: "/api/logistics/pvt/inventory/**"})
		}
		return w.explain(ctx, fmt.Sprintf("VTEX has no stock of %s in %s, want %d available", sku, warehouse, want),
			journal.Filter{Path: "/api/logistics/pvt/inventory/**"})
	})
}

// orderOf creates a paid order for units of a catalog SKU: its item id is
// the SKU's VTEX id, so the order reserves them.
func (w *world) orderOf(ctx context.Context, n, sku string) error {
	id, err := w.skuID(ctx, sku)
	if err != nil {
		return err
	}
	o, err := w.h.client.CreateOrder(ctx, client.NewOrder{Account: w.env.Account, NewOrder: oms.NewOrder{
		Items: []oms.NewItem{{ID: id, Name: "SKU " + sku, Price: 4990, Quantity: atoi(n)}}}})
	if err != nil {
		return fmt.Errorf("create the order: %w", err)
	}
	w.orders = append(w.orders, o)
	return nil
}

// lockedWrites makes VTEX answer 423 to the next stock writes of a SKU in
// a warehouse. It is a fault, not the sandbox's lock window: the window is
// measured on the sandbox clock, which scenarios share, and is off by
// default (inventory.lockWindow); a fault refuses exactly n writes, the
// way a write racing another one is refused, whatever the timing.
func (w *world) lockedWrites(ctx context.Context, n, sku, warehouse string) error {
	id, err := w.skuID(ctx, sku)
	if err != nil {
		return err
	}
	return w.fault(ctx, faults.Rule{API: "vtex", Method: "PUT", Path: "/api/logistics/pvt/inventory/skus/" + id + "/warehouses/" + warehouse,
		Status: http.StatusLocked, Times: atoi(n)})
}

func reais(s string) float64 {
	f, _ := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	return f
}

func (w *world) setPrice(ctx context.Context, sku, price string) error {
	return w.erpAction(ctx, map[string]any{"action": "set-price", "refId": sku, "basePrice": reais(price)})
}

// promotion sets a promotional price for a window that starts and ends at
// durations from the sandbox's now: features never name a date, which the
// sandbox clock (it never goes back) would one day have passed.
func (w *world) promotion(ctx context.Context, price, sku, from, to string) error {
	f, err1 := time.ParseDuration(from)
	t, err2 := time.ParseDuration(to)
	if err1 != nil || err2 != nil || t <= f {
		return fmt.Errorf("promotion window: %q to %q are not durations such as 1h and 25h, the first before the second", from, to)
	}
	now, err := w.h.client.Clock(ctx)
	if err != nil {
		return err
	}
	return w.erpAction(ctx, map[string]any{"action": "set-price", "refId": sku, "promotions": []map[string]any{{
		"value": reais(price), "from": now.Now.Add(f).Format(time.RFC3339), "to": now.Now.Add(t).Format(time.RFC3339)}}})
}

func (w *world) computedPrice(ctx context.Context, sku, price string) error {
	want := reais(price)
	return eventually(ctx, func() error {
		id, err := w.skuID(ctx, sku)
		if err != nil {
			return err
		}
		var p struct{ SellingPrice float64 }
		if err := w.observe(ctx, "/api/pricing/prices/"+id+"/computed/1?quantity=1", &p); err != nil {
			return w.explain(ctx, fmt.Sprintf("no computed price of %s: %v", sku, err), journal.Filter{Path: "/api/pricing/**"})
		}
		if math.Abs(p.SellingPrice-want) > 0.005 {
			return w.explain(ctx, fmt.Sprintf("the computed price of %s is %.2f, want %.2f", sku, p.SellingPrice, want),
				journal.Filter{Path: "/api/pricing/**"})
		}
		return nil
	})
}
