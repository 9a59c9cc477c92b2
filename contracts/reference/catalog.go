package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// The ERP's side of the catalog ("Produto/SKU", "Saldo", "Preço") and how
// the connector pushes it to VTEX: products and SKUs upserted by RefId,
// stock per warehouse as the ERP's balance minus the units of the orders it
// is handling, prices with their promotions. Every push is idempotent: run
// twice, it leaves VTEX as it was.

// ERPCatalog is what the ERP holds: products with their SKUs, each SKU's
// balance per warehouse and its prices. The connector reads it from a JSON
// file (Config.CatalogFile, REFCLIENT_CATALOG) and the driver's
// upsert-product, set-stock and set-price actions change it.
type ERPCatalog struct {
	Products []ERPProduct `json:"products"`
}

// ERPProduct is a product of the ERP, known to VTEX by its RefId.
type ERPProduct struct {
	RefID    string   `json:"refId"`
	Name     string   `json:"name"`
	Category string   `json:"category,omitempty"` // a path, "Roupas/Camisetas"; default "Geral"
	Brand    string   `json:"brand,omitempty"`    // default "Genérica"
	SKUs     []ERPSKU `json:"skus"`
}

// ERPSKU is a SKU of the ERP, known to VTEX by its RefId.
type ERPSKU struct {
	RefID string `json:"refId"`
	Name  string `json:"name,omitempty"` // default: the product's
	EAN   string `json:"ean,omitempty"`
	// Packaged dimensions (cm, kg); VTEX requires them, 10×10×10 cm and
	// 0.5 kg stand in for those left out.
	Height   float64 `json:"height,omitempty"`
	Length   float64 `json:"length,omitempty"`
	Width    float64 `json:"width,omitempty"`
	WeightKg float64 `json:"weightKg,omitempty"`
	// Stock is the ERP's balance per VTEX warehouse id: the units on its
	// shelves, including those of orders it is handling and has not
	// shipped yet.
	Stock map[string]int `json:"stock,omitempty"`
	Price *ERPPrice      `json:"price,omitempty"`
}

// ERPPrice is a SKU's price in reais.
type ERPPrice struct {
	Base       float64     `json:"basePrice"`
	List       *float64    `json:"listPrice,omitempty"`
	Promotions []Promotion `json:"promotions,omitempty"`
}

// Promotion is a price for a date range: VTEX's fixed price with a
// dateRange, the computed price inside the range (From ≤ now < To).
type Promotion struct {
	TradePolicyID string    `json:"tradePolicyId,omitempty"` // default "1"
	Value         float64   `json:"value"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
}

// CatalogAction holds the fields of the catalog actions (upsert-product,
// set-stock, set-price); Action embeds it.
type CatalogAction struct {
	Product     *ERPProduct `json:"product,omitempty"`     // upsert-product: the product and its SKUs, replacing the ERP's
	RefID       string      `json:"refId,omitempty"`       // set-stock, set-price: the SKU's RefId
	WarehouseID string      `json:"warehouseId,omitempty"` // set-stock
	Quantity    *int        `json:"quantity,omitempty"`    // set-stock: the ERP's balance
	BasePrice   *float64    `json:"basePrice,omitempty"`   // set-price
	ListPrice   *float64    `json:"listPrice,omitempty"`   // set-price
	Promotions  []Promotion `json:"promotions,omitempty"`  // set-price: replaces the SKU's promotions when given
}

// erp is the connector's copy of the ERP catalog and the VTEX ids it has
// learnt. mu also serializes pushes, so two actions never interleave
// their writes of one SKU.
type erp struct {
	mu     sync.Mutex
	file   string // "" keeps it in memory
	cat    ERPCatalog
	skuIDs map[string]int64 // SKU RefId → VTEX SKU id
}

func openERP(file string) (*erp, error) {
	e := &erp{file: file, skuIDs: map[string]int64{}}
	if file == "" {
		return e, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return e, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the ERP catalog: %w", err)
	}
	if err := json.Unmarshal(data, &e.cat); err != nil {
		return nil, fmt.Errorf("ERP catalog %s: %w", file, err)
	}
	return e, nil
}

// save writes the catalog back (atomically) when it came from a file.
// The caller holds mu.
func (e *erp) save() error {
	if e.file == "" {
		return nil
	}
	data, err := json.MarshalIndent(e.cat, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.file), ".refclient-catalog-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), e.file)
}

// sku finds a SKU by RefId. The caller holds mu.
func (e *erp) sku(ref string) (*ERPProduct, *ERPSKU) {
	for i := range e.cat.Products {
		p := &e.cat.Products[i]
		for j := range p.SKUs {
			if p.SKUs[j].RefID == ref {
				return p, &p.SKUs[j]
			}
		}
	}
	return nil, nil
}

// catalogAction carries out upsert-product, set-stock or set-price: the
// ERP's catalog changes, then what changed is pushed to VTEX.
func (c *Connector) catalogAction(ctx context.Context, a Action) error {
	e := c.erp
	e.mu.Lock()
	defer e.mu.Unlock()
	switch a.Action {
	case "upsert-product":
		p := a.Product
		if p == nil || p.RefID == "" || p.Name == "" || len(p.SKUs) == 0 {
			return fmt.Errorf("%w: upsert-product needs a product with refId, name and skus", ErrBadAction)
		}
		for _, s := range p.SKUs {
			if s.RefID == "" {
				return fmt.Errorf("%w: every SKU needs a refId", ErrBadAction)
			}
			if other, _ := e.sku(s.RefID); other != nil && other.RefID != p.RefID {
				return fmt.Errorf("%w: SKU %s belongs to product %s", ErrBadAction, s.RefID, other.RefID)
			}
		}
		i := slices.IndexFunc(e.cat.Products, func(x ERPProduct) bool { return x.RefID == p.RefID })
		if i < 0 {
			e.cat.Products = append(e.cat.Products, *p)
			i = len(e.cat.Products) - 1
		} else {
			// Stock and prices are set by their own actions: a product
			// sent without them keeps the ERP's.
			for j := range p.SKUs {
				if _, old := e.sku(p.SKUs[j].RefID); old != nil {
					p.SKUs[j].Stock = cmpOr(p.SKUs[j].Stock, old.Stock)
					if p.SKUs[j].Price == nil {
						p.SKUs[j].Price = old.Price
					}
				}
			}
			e.cat.Products[i] = *p
		}
		if err := e.save(); err != nil {
			return err
		}
		return c.pushProduct(ctx, e.cat.Products[i])
	case "set-stock":
		_, s := e.sku(a.RefID)
		if s == nil || a.WarehouseID == "" || a.Quantity == nil || *a.Quantity < 0 {
			return fmt.Errorf("%w: set-stock needs the refId of a SKU the ERP has, a warehouseId and a quantity ≥ 0", ErrBadAction)
		}
		if s.Stock == nil {
			s.Stock = map[string]int{}
		}
		s.Stock[a.WarehouseID] = *a.Quantity
		if err := e.save(); err != nil {
			return err
		}
		return c.pushStock(ctx, *s, a.WarehouseID)
	case "set-price":
		_, s := e.sku(a.RefID)
		if s == nil {
			return fmt.Errorf("%w: set-price needs the refId of a SKU the ERP has", ErrBadAction)
		}
		price := ERPPrice{}
		if s.Price != nil {
			price = *s.Price
		}
		if a.BasePrice != nil {
			price.Base = *a.BasePrice
		}
		if a.ListPrice != nil {
			price.List = a.ListPrice
		}
		if a.Promotions != nil {
			price.Promotions = a.Promotions
		}
		if price.Base <= 0 {
			return fmt.Errorf("%w: set-price needs a basePrice (VTEX computes promotions from a base price)", ErrBadAction)
		}
		s.Price = &price
		if err := e.save(); err != nil {
			return err
		}
		return c.pushPrice(ctx, *s)
	}
	return fmt.Errorf("%w: unknown catalog action %q", ErrBadAction, a.Action)
}

func cmpOr(a, b map[string]int) map[string]int {
	if a != nil {
		return a
	}
	return b
}

// PushCatalog pushes the whole ERP catalog: what a connector does at start
// and on a schedule, so VTEX converges whatever was missed.
func (c *Connector) PushCatalog(ctx context.Context) error {
	c.erp.mu.Lock()
	defer c.erp.mu.Unlock()
	var errs []error
	for _, p := range c.erp.cat.Products {
		if err := c.pushProduct(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("product %s: %w", p.RefID, err))
		}
	}
	return errors.Join(errs...)
}

// pushProduct upserts the product and each SKU by RefId (read first;
// create on 404, else update), adds missing EANs, then pushes each SKU's
// stock and price. The caller holds erp.mu.
func (c *Connector) pushProduct(ctx context.Context, p ERPProduct) error {
	body := map[string]any{"Name": p.Name, "RefId": p.RefID, "CategoryPath": or(p.Category, "Geral"),
		"BrandName": or(p.Brand, "Genérica"), "IsVisible": true}
	var current struct{ Id int64 }
	err := c.vtex.do(ctx, "GET", "/api/catalog_system/pvt/products/productgetbyrefid/"+url.PathEscape(p.RefID), nil, &current)
	switch {
	case StatusOf(err) == http.StatusNotFound || (err == nil && current.Id == 0):
		err = c.vtex.do(ctx, "POST", "/api/catalog/pvt/product", body, &current)
	case err == nil:
		err = c.vtex.do(ctx, "PUT", "/api/catalog/pvt/product/"+strconv.FormatInt(current.Id, 10), body, nil)
	}
	if err != nil {
		return err
	}
	for _, s := range p.SKUs {
		if err := c.pushSKU(ctx, current.Id, p, s); err != nil {
			return fmt.Errorf("SKU %s: %w", s.RefID, err)
		}
	}
	return nil
}

func (c *Connector) pushSKU(ctx context.Context, productID int64, p ERPProduct, s ERPSKU) error {
	dim := func(v, def float64) float64 {
		if v > 0 {
			return v
		}
		return def
	}
	body := map[string]any{"ProductId": productID, "Name": or(s.Name, p.Name), "RefId": s.RefID,
		"PackagedHeight": dim(s.Height, 10), "PackagedLength": dim(s.Length, 10), "PackagedWidth": dim(s.Width, 10),
		"PackagedWeightKg": dim(s.WeightKg, 0.5)}
	var current struct {
		Id       int64
		IsActive bool
	}
	err := c.vtex.do(ctx, "GET", "/api/catalog/pvt/stockkeepingunit?RefId="+url.QueryEscape(s.RefID), nil, &current)
	switch {
	case StatusOf(err) == http.StatusNotFound || (err == nil && current.Id == 0):
		err = c.vtex.do(ctx, "POST", "/api/catalog/pvt/stockkeepingunit", body, &current)
	case err == nil:
		// PUT replaces the SKU: left out, IsActive would deactivate it.
		body["IsActive"] = current.IsActive
		err = c.vtex.do(ctx, "PUT", "/api/catalog/pvt/stockkeepingunit/"+strconv.FormatInt(current.Id, 10), body, nil)
	}
	if err != nil {
		return err
	}
	c.erp.skuIDs[s.RefID] = current.Id
	if s.EAN != "" {
		base := "/api/catalog/pvt/stockkeepingunit/" + strconv.FormatInt(current.Id, 10) + "/ean"
		var eans []string
		if err := c.vtex.do(ctx, "GET", base, nil, &eans); err != nil && StatusOf(err) != http.StatusNotFound {
			return err
		}
		if !slices.Contains(eans, s.EAN) {
			if err := c.vtex.do(ctx, "POST", base+"/"+url.PathEscape(s.EAN), nil, nil); err != nil {
				return err
			}
		}
	}
	for _, wh := range sortedWarehouses(s) {
		if err := c.pushStock(ctx, s, wh); err != nil {
			return err
		}
	}
	if s.Price != nil {
		return c.pushPrice(ctx, s)
	}
	return nil
}

// skuID is the VTEX id of a SKU of the ERP, looked up by RefId the first
// time. The caller holds erp.mu.
func (c *Connector) skuID(ctx context.Context, ref string) (int64, error) {
	if id, ok := c.erp.skuIDs[ref]; ok {
		return id, nil
	}
	var id string
	if err := c.vtex.do(ctx, "GET", "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/"+url.PathEscape(ref), nil, &id); err != nil {
		return 0, fmt.Errorf("SKU %s is not in VTEX's catalog yet: %w", ref, err)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("SKU %s: VTEX answered the id %q", ref, id)
	}
	c.erp.skuIDs[ref] = n
	return n, nil
}

// pushStock writes what VTEX may sell of a SKU in a warehouse: the ERP's
// balance minus the units of the orders the connector has taken in
// (start-handling) and not invoiced. VTEX holds those units as an
// acknowledged reservation, and a count write zeroes it, trusting the
// count to leave them out: pushing the raw balance would sell them twice.
// 423 (another write of this SKU holds the lock) and 429 are retried with
// back-off by the VTEX client. The caller holds erp.mu.
func (c *Connector) pushStock(ctx context.Context, s ERPSKU, warehouse string) error {
	id, err := c.skuID(ctx, s.RefID)
	if err != nil {
		return err
	}
	qty := s.Stock[warehouse]
	if warehouse == shipsFrom(s) {
		qty -= c.handledUnits(id)
	}
	path := fmt.Sprintf("/api/logistics/pvt/inventory/skus/%d/warehouses/%s", id, url.PathEscape(warehouse))
	return c.vtex.do(ctx, "PUT", path, map[string]any{"quantity": max(qty, 0), "unlimitedQuantity": false}, nil)
}

// shipsFrom is the warehouse the reference ERP ships a SKU's orders from:
// the first of its warehouses by id (the sandbox also reserves from the
// first warehouse that has the units). An ERP that knows where each order
// is picked subtracts it there.
func shipsFrom(s ERPSKU) string {
	whs := sortedWarehouses(s)
	if len(whs) == 0 {
		return ""
	}
	return whs[0]
}

func sortedWarehouses(s ERPSKU) []string {
	var out []string
	for wh := range s.Stock {
		out = append(out, wh)
	}
	sort.Strings(out)
	return out
}

// handledUnits counts the units of a SKU in the orders the connector has
// started handling and not yet invoiced (nor seen canceled): they are on
// the ERP's shelves but sold.
func (c *Connector) handledUnits(skuID int64) int {
	want := strconv.FormatInt(skuID, 10)
	n := 0
	for _, o := range c.store.all() {
		if !o.HandlingStarted || o.Status == "canceled" || o.Status == "invoiced" {
			continue
		}
		var doc order
		if json.Unmarshal(o.Order, &doc) != nil {
			continue
		}
		invoiced := make([]int, len(doc.Items))
		for _, p := range doc.PackageAttachment.Packages {
			for _, it := range p.Items {
				if p.Type == "Output" && it.ItemIndex < len(invoiced) {
					invoiced[it.ItemIndex] += it.Quantity
				}
			}
		}
		for i, it := range doc.Items {
			if it.ID == want {
				n += max(it.Quantity-invoiced[i], 0)
			}
		}
	}
	return n
}

// pushPrice replaces the SKU's price: base and list price, and its
// promotions as fixed prices with a date range (PUT replaces every fixed
// price, so a promotion the ERP dropped goes too). The caller holds
// erp.mu.
func (c *Connector) pushPrice(ctx context.Context, s ERPSKU) error {
	id, err := c.skuID(ctx, s.RefID)
	if err != nil {
		return err
	}
	fixed := []map[string]any{}
	for _, p := range s.Price.Promotions {
		fixed = append(fixed, map[string]any{"tradePolicyId": or(p.TradePolicyID, "1"), "value": p.Value, "minQuantity": 1,
			"dateRange": map[string]string{"from": p.From.Format(time.RFC3339), "to": p.To.Format(time.RFC3339)}})
	}
	body := map[string]any{"basePrice": s.Price.Base, "fixedPrices": fixed}
	if s.Price.List != nil {
		body["listPrice"] = *s.Price.List
	}
	return c.vtex.do(ctx, "PUT", fmt.Sprintf("/api/pricing/prices/%d", id), body, nil)
}

// orderMoved keeps VTEX's stock right when an order leaves the handled
// set: canceled, its units are the ERP's to sell again; invoiced, they
// left with the ERP's balance. Either way the SKUs' stock is pushed again.
func (c *Connector) orderMoved(ctx context.Context, prev, now StoredOrder) {
	if prev.Status == now.Status || !now.HandlingStarted || (now.Status != "canceled" && now.Status != "invoiced") {
		return
	}
	var doc order
	if json.Unmarshal(now.Order, &doc) != nil {
		return
	}
	c.erp.mu.Lock()
	defer c.erp.mu.Unlock()
	for _, it := range doc.Items {
		for ref, id := range c.erp.skuIDs {
			if strconv.FormatInt(id, 10) != it.ID {
				continue
			}
			if _, s := c.erp.sku(ref); s != nil {
				for _, wh := range sortedWarehouses(*s) {
					if err := c.pushStock(ctx, *s, wh); err != nil {
						c.log.Error("stock push after an order moved failed", "orderId", now.OrderID, "sku", ref, "error", err)
					}
				}
			}
		}
	}
}

// shipped takes an invoice's units off the ERP's balance: the goods left
// the warehouse the ERP ships from.
func (c *Connector) shipped(lines []map[string]any) {
	c.erp.mu.Lock()
	defer c.erp.mu.Unlock()
	changed := false
	for _, l := range lines {
		for ref, id := range c.erp.skuIDs {
			if strconv.FormatInt(id, 10) != l["id"] {
				continue
			}
			if _, s := c.erp.sku(ref); s != nil && shipsFrom(*s) != "" {
				s.Stock[shipsFrom(*s)] = max(s.Stock[shipsFrom(*s)]-l["quantity"].(int), 0)
				changed = true
			}
		}
	}
	if changed {
		if err := c.erp.save(); err != nil {
			c.log.Error("saving the ERP catalog", "error", err)
		}
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
