package vtex

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/pricing"
)

// The catalog, logistics and pricing routes of openapi/vtex-catalog.yaml:
// thin handlers over sandbox/catalog, sandbox/inventory and
// sandbox/pricing. Their refusals are {"Message": "..."}, as VTEX's
// Catalog answers (the one error body it is known to send); Logistics'
// lock is its own text/plain 423.

type catalogAPI struct {
	catalog   *catalog.Catalog
	inventory *inventory.Inventory
	pricing   *pricing.Pricing
	creds     *Credentials
}

// writeMessage writes {"Message": msg}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, jsonType, func(e *json.Encoder) error { return e.Encode(map[string]string{"Message": msg}) })
}

func messageError(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	writeMessage(w, status, msg)
}

// failCatalog answers a domain refusal of catalog, inventory or pricing.
func failCatalog(w http.ResponseWriter, err error) {
	if e, ok := catalog.AsError(err); ok {
		writeMessage(w, map[catalog.Kind]int{catalog.Invalid: 400, catalog.NotFound: 404, catalog.Conflict: 409}[e.Kind], e.Message)
		return
	}
	if e, ok := inventory.AsError(err); ok {
		if e.Kind == inventory.Locked {
			body := []byte(e.Message)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusLocked)
			_, _ = w.Write(body)
			return
		}
		writeMessage(w, map[inventory.Kind]int{inventory.Invalid: 400, inventory.NotFound: 404, inventory.Short: 409}[e.Kind], e.Message)
		return
	}
	if e, ok := pricing.AsError(err); ok {
		writeMessage(w, map[pricing.Kind]int{pricing.Invalid: 400, pricing.NotFound: 404}[e.Kind], e.Message)
		return
	}
	writeMessage(w, http.StatusInternalServerError, "omsbox internal error: "+err.Error())
}

// mountCatalog adds the catalog, logistics and pricing routes to r.
func mountCatalog(r *mux.Router, c *catalogAPI, opts Options) error {
	spec, err := openapi.Load("vtex-catalog.yaml")
	if err != nil {
		return err
	}
	handlers := map[string]http.Handler{
		"CreateProduct":     http.HandlerFunc(c.createProduct),
		"GetProduct":        http.HandlerFunc(c.getProduct),
		"UpdateProduct":     http.HandlerFunc(c.updateProduct),
		"GetProductByRefId": http.HandlerFunc(c.getProductByRefID),
		"CreateSku":         http.HandlerFunc(c.createSKU),
		"GetSku":            http.HandlerFunc(c.getSKU),
		"UpdateSku":         http.HandlerFunc(c.updateSKU),
		"GetSkuByRefId":     http.HandlerFunc(c.getSKUByRefID),
		"GetSkuIdByRefId":   http.HandlerFunc(c.getSKUIDByRefID),
		"GetSkuIdsByRefIds": http.HandlerFunc(c.getSKUIDsByRefIDs),
		"ListSkuEans":       http.HandlerFunc(c.listEANs),
		"DeleteSkuEans":     http.HandlerFunc(c.deleteEANs),
		"AddSkuEan":         http.HandlerFunc(c.addEAN),
		"DeleteSkuEan":      http.HandlerFunc(c.deleteEAN),
		"GetSkuByEan":       http.HandlerFunc(c.getSKUByEAN),
		"ListSkuFiles":      http.HandlerFunc(c.listFiles),
		"AddSkuFile":        http.HandlerFunc(c.addFile),
		"GetBrand":          http.HandlerFunc(c.getBrand),
		"GetCategory":       http.HandlerFunc(c.getCategory),

		"ListDocks":               http.HandlerFunc(c.listDocks),
		"SaveDock":                http.HandlerFunc(c.saveDock),
		"ListWarehouses":          http.HandlerFunc(c.listWarehouses),
		"SaveWarehouse":           http.HandlerFunc(c.saveWarehouse),
		"GetInventoryBySku":       http.HandlerFunc(c.getInventoryBySKU),
		"GetInventoryItem":        http.HandlerFunc(c.getInventoryItem),
		"GetInventoryItemVtex":    http.HandlerFunc(c.getInventoryItem),
		"UpdateInventory":         http.HandlerFunc(c.putInventory),
		"UpdateInventoryQuantity": http.HandlerFunc(c.patchQuantity),
		"UpdateInventoryLeadTime": http.HandlerFunc(c.patchLeadTime),
		"GetReservation":          http.HandlerFunc(c.getReservation),
		"ListReservations":        http.HandlerFunc(c.listReservations),
	}
	// Pricing answers the same on api.vtex.com/{account}/pricing and on
	// the account host's /api/pricing.
	for id, h := range map[string]http.HandlerFunc{
		"PutPrice": c.putPrice, "GetPrice": c.getPrice, "DeletePrice": c.deletePrice,
		"ListFixedPrices": c.getFixed, "PatchFixedPrices": c.patchFixed, "SaveFixedPrices": c.saveFixed,
		"GetFixedPrices": c.getFixed, "DeleteFixedPrices": c.deleteFixed, "GetComputedPrice": c.computed,
	} {
		handlers[id], handlers[id+"AccountHost"] = h, h
	}
	return spec.Mount(r, handlers, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift,
		WriteError: messageError, Logger: opts.Logger})
}

func (c *catalogAPI) cat(r *http.Request) *catalog.Account {
	return c.catalog.Account(c.creds.Account(r))
}

func (c *catalogAPI) inv(r *http.Request) *inventory.Account {
	return c.inventory.Account(c.creds.Account(r))
}

func (c *catalogAPI) prices(r *http.Request) *pricing.Account {
	return c.pricing.Account(c.creds.Account(r))
}

// pathID reads an integer path parameter the spec has checked.
func pathID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(mux.Vars(r)[name], 10, 64)
	return n
}

// decoded decodes the body into v, answering 400 when it cannot.
func decoded(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(r, v); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// answer writes v as JSON, or the refusal err.
func answer[T any](w http.ResponseWriter, v T, err error) {
	if err != nil {
		failCatalog(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonType, func(e *json.Encoder) error { return e.Encode(v) })
}

// done answers an empty 200, or the refusal err.
func done(w http.ResponseWriter, err error) {
	if err != nil {
		failCatalog(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (c *catalogAPI) createProduct(w http.ResponseWriter, r *http.Request) {
	var in catalog.ProductInput
	if decoded(w, r, &in) {
		p, err := c.cat(r).CreateProduct(in)
		answer(w, p, err)
	}
}

func (c *catalogAPI) getProduct(w http.ResponseWriter, r *http.Request) {
	p, err := c.cat(r).Product(pathID(r, "productId"))
	answer(w, p, err)
}

func (c *catalogAPI) updateProduct(w http.ResponseWriter, r *http.Request) {
	var in catalog.ProductInput
	if decoded(w, r, &in) {
		p, err := c.cat(r).UpdateProduct(pathID(r, "productId"), in)
		answer(w, p, err)
	}
}

func (c *catalogAPI) getProductByRefID(w http.ResponseWriter, r *http.Request) {
	p, err := c.cat(r).ProductByRefID(mux.Vars(r)["refId"])
	answer(w, p, err)
}

func (c *catalogAPI) createSKU(w http.ResponseWriter, r *http.Request) {
	var in catalog.SKUInput
	if decoded(w, r, &in) {
		s, err := c.cat(r).CreateSKU(in)
		answer(w, s, err)
	}
}

func (c *catalogAPI) getSKU(w http.ResponseWriter, r *http.Request) {
	s, err := c.cat(r).SKU(pathID(r, "skuId"))
	answer(w, s, err)
}

func (c *catalogAPI) updateSKU(w http.ResponseWriter, r *http.Request) {
	var in catalog.SKUInput
	if decoded(w, r, &in) {
		s, err := c.cat(r).UpdateSKU(pathID(r, "skuId"), in)
		answer(w, s, err)
	}
}

func (c *catalogAPI) getSKUByRefID(w http.ResponseWriter, r *http.Request) {
	s, err := c.cat(r).SKUByRefID(r.URL.Query().Get("RefId"))
	answer(w, s, err)
}

func (c *catalogAPI) getSKUIDByRefID(w http.ResponseWriter, r *http.Request) {
	s, err := c.cat(r).SKUByRefID(mux.Vars(r)["refId"])
	answer(w, strconv.FormatInt(s.Id, 10), err)
}

func (c *catalogAPI) getSKUIDsByRefIDs(w http.ResponseWriter, r *http.Request) {
	var refs []string
	if decoded(w, r, &refs) {
		m, err := c.cat(r).SKUIDsByRefIDs(refs)
		answer(w, m, err)
	}
}

func (c *catalogAPI) listEANs(w http.ResponseWriter, r *http.Request) {
	l, err := c.cat(r).EANs(pathID(r, "skuId"))
	answer(w, l, err)
}

func (c *catalogAPI) deleteEANs(w http.ResponseWriter, r *http.Request) {
	done(w, c.cat(r).DeleteEAN(pathID(r, "skuId"), ""))
}

func (c *catalogAPI) addEAN(w http.ResponseWriter, r *http.Request) {
	done(w, c.cat(r).AddEAN(pathID(r, "skuId"), mux.Vars(r)["ean"]))
}

func (c *catalogAPI) deleteEAN(w http.ResponseWriter, r *http.Request) {
	done(w, c.cat(r).DeleteEAN(pathID(r, "skuId"), mux.Vars(r)["ean"]))
}

func (c *catalogAPI) getSKUByEAN(w http.ResponseWriter, r *http.Request) {
	s, err := c.cat(r).SKUByEAN(mux.Vars(r)["ean"])
	answer(w, s, err)
}

func (c *catalogAPI) listFiles(w http.ResponseWriter, r *http.Request) {
	l, err := c.cat(r).Files(pathID(r, "skuId"))
	answer(w, l, err)
}

func (c *catalogAPI) addFile(w http.ResponseWriter, r *http.Request) {
	var in catalog.FileInput
	if decoded(w, r, &in) {
		l, err := c.cat(r).AddFile(pathID(r, "skuId"), in)
		answer(w, l, err)
	}
}

func (c *catalogAPI) getBrand(w http.ResponseWriter, r *http.Request) {
	b, err := c.cat(r).Brand(pathID(r, "brandId"))
	answer(w, b, err)
}

func (c *catalogAPI) getCategory(w http.ResponseWriter, r *http.Request) {
	cat, err := c.cat(r).Category(pathID(r, "categoryId"))
	answer(w, cat, err)
}

// ---- Logistics ----

func (c *catalogAPI) listDocks(w http.ResponseWriter, r *http.Request) {
	answer(w, c.inv(r).Docks(), nil)
}

func (c *catalogAPI) saveDock(w http.ResponseWriter, r *http.Request) {
	var d inventory.Dock
	if decoded(w, r, &d) {
		answer(w, true, c.inv(r).PutDock(d))
	}
}

func (c *catalogAPI) listWarehouses(w http.ResponseWriter, r *http.Request) {
	answer(w, c.inv(r).Warehouses(), nil)
}

func (c *catalogAPI) saveWarehouse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID             string   `json:"id"`
		Name           string   `json:"name"`
		Priority       int      `json:"priority"`
		IsActive       *bool    `json:"isActive"`
		PickupPointIDs []string `json:"pickupPointIds"`
		WarehouseDocks []struct {
			DockID string          `json:"dockId"`
			Name   string          `json:"name"`
			Time   string          `json:"time"`
			Cost   json.RawMessage `json:"cost"`
		} `json:"warehouseDocks"`
	}
	if !decoded(w, r, &in) {
		return
	}
	wh := inventory.Warehouse{ID: in.ID, Name: in.Name, Priority: in.Priority, IsActive: in.IsActive == nil || *in.IsActive,
		PickupPointIDs: in.PickupPointIDs}
	for _, d := range in.WarehouseDocks {
		// cost goes in as a string ("5.00") and comes back as a number.
		var cost float64
		var s string
		if json.Unmarshal(d.Cost, &s) == nil {
			cost, _ = strconv.ParseFloat(s, 64)
		} else {
			_ = json.Unmarshal(d.Cost, &cost)
		}
		wh.WarehouseDocks = append(wh.WarehouseDocks, inventory.WarehouseDock{DockID: d.DockID, Name: d.Name,
			Time: or(d.Time, "00:00:00"), Cost: cost})
	}
	done(w, c.inv(r).PutWarehouse(wh))
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// vtexTime is how Logistics writes dates; zero is VTEX's "no date".
func vtexTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00+00:00"
	}
	return t.UTC().Format("2006-01-02T15:04:05.0000000-07:00")
}

func supplyOf(b inventory.Balance) *string {
	if b.Supply.IsZero() {
		return nil
	}
	s := b.Supply.UTC().Format(time.RFC3339)
	return &s
}

func (c *catalogAPI) getInventoryBySKU(w http.ResponseWriter, r *http.Request) {
	sku := mux.Vars(r)["skuId"]
	rows, err := c.inv(r).Balances(sku)
	type row struct {
		WarehouseID   string  `json:"warehouseId"`
		WarehouseName string  `json:"warehouseName"`
		Total         int     `json:"totalQuantity"`
		Reserved      int     `json:"reservedQuantity"`
		Available     int     `json:"availableQuantity"`
		Unlimited     bool    `json:"hasUnlimitedQuantity"`
		Supply        *string `json:"dateOfSupplyUtc,omitempty"`
		LeadTime      string  `json:"leadTime"`
	}
	out := struct {
		SKU     string `json:"skuId"`
		Balance []row  `json:"balance"`
	}{SKU: sku, Balance: []row{}}
	for _, b := range rows {
		out.Balance = append(out.Balance, row{b.Warehouse, b.WarehouseName, b.Total, b.Reserved, b.Available(), b.Unlimited,
			supplyOf(b.Balance), inventory.FormatLeadTime(b.LeadTime)})
	}
	answer(w, out, err)
}

func (c *catalogAPI) getInventoryItem(w http.ResponseWriter, r *http.Request) {
	inv, wid := c.inv(r), mux.Vars(r)["warehouseId"]
	b, err := inv.Balance(mux.Vars(r)["skuId"], wid)
	if err != nil {
		failCatalog(w, err)
		return
	}
	dock := ""
	for _, wh := range inv.Warehouses() {
		if wh.ID == wid && len(wh.WarehouseDocks) > 0 {
			dock = wh.WarehouseDocks[0].DockID
		}
	}
	row := map[string]any{"skuId": b.SKU, "warehouseId": b.Warehouse, "dockId": dock, "totalQuantity": b.Total,
		"reservedQuantity": b.Reserved, "availableQuantity": b.Available(), "isUnlimited": b.Unlimited,
		"salesChannel": []string{"1"}, "deliveryChannels": []string{"delivery"}, "keepSellingAfterExpiration": false,
		"leadTime": inventory.FormatLeadTime(b.LeadTime)}
	if s := supplyOf(b); s != nil { // VTEX types it a non-nullable string: left out when unset
		row["dateOfSupplyUtc"] = *s
	}
	answer(w, []map[string]any{row}, nil)
}

// countBody is PUT and PATCH quantity's body; missing fields default as
// VTEX's servers do.
type countBody struct {
	Quantity  *int    `json:"quantity"`
	Unlimited *bool   `json:"unlimitedQuantity"`
	LeadTime  *string `json:"leadTime"`
	Supply    *string `json:"dateUtcOnBalanceSystem"`
}

func (b countBody) count(withLeadTime bool) (inventory.Count, error) {
	var c inventory.Count
	if b.Quantity != nil {
		c.Quantity = *b.Quantity
	}
	c.Unlimited = b.Unlimited != nil && *b.Unlimited
	if withLeadTime {
		var d time.Duration
		if b.LeadTime != nil && *b.LeadTime != "" {
			var err error
			if d, err = inventory.ParseLeadTime(*b.LeadTime); err != nil {
				return c, &inventory.Error{Kind: inventory.Invalid, Message: err.Error()}
			}
		}
		c.LeadTime = &d
	}
	if b.Supply != nil && *b.Supply != "" {
		t, err := time.Parse(time.RFC3339Nano, *b.Supply)
		if err != nil {
			return c, &inventory.Error{Kind: inventory.Invalid, Message: "dateUtcOnBalanceSystem: " + strconv.Quote(*b.Supply) + " is not an ISO 8601 date with offset"}
		}
		c.Supply = t
	}
	return c, nil
}

func (c *catalogAPI) writeCount(w http.ResponseWriter, r *http.Request, withLeadTime bool, status int) {
	var body countBody
	if !decoded(w, r, &body) {
		return
	}
	cnt, err := body.count(withLeadTime)
	if err == nil {
		_, err = c.inv(r).SetCount(mux.Vars(r)["skuId"], mux.Vars(r)["warehouseId"], cnt)
	}
	if err != nil {
		failCatalog(w, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	answer(w, true, nil)
}

func (c *catalogAPI) putInventory(w http.ResponseWriter, r *http.Request) {
	c.writeCount(w, r, true, http.StatusOK)
}

func (c *catalogAPI) patchQuantity(w http.ResponseWriter, r *http.Request) {
	c.writeCount(w, r, false, http.StatusNoContent)
}

func (c *catalogAPI) patchLeadTime(w http.ResponseWriter, r *http.Request) {
	var body struct {
		LeadTime string `json:"leadTime"`
	}
	if !decoded(w, r, &body) {
		return
	}
	d, err := inventory.ParseLeadTime(body.LeadTime)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := c.inv(r).SetLeadTime(mux.Vars(r)["skuId"], mux.Vars(r)["warehouseId"], d); err != nil {
		failCatalog(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ReservationDoc is a reservation as Logistics shows it (PascalCase).
type ReservationDoc struct {
	ID                         string    `json:"Id"`
	LockID                     string    `json:"LockId"`
	SalesChannel               string    `json:"SalesChannel"`
	Status                     int       `json:"Status"`
	State                      string    `json:"State"`
	ReservationDateUtc         string    `json:"ReservationDateUtc"`
	LastUpdateDateUtc          string    `json:"LastUpdateDateUtc"`
	MaximumConfirmationDateUtc string    `json:"MaximumConfirmationDateUtc"`
	AuthorizedDateUtc          string    `json:"AuthorizedDateUtc"`
	ConfirmedDateUtc           string    `json:"ConfirmedDateUtc"`
	CanceledDateUtc            string    `json:"CanceledDateUtc"`
	Oversold                   bool      `json:"Oversold"`
	SlaRequest                 []SLALine `json:"SlaRequest"`
	Errors                     []string  `json:"Errors"`
	IsSucess                   bool      `json:"IsSucess"`
}

// SLALine is one line of a reservation.
type SLALine struct {
	Item struct {
		ID       string `json:"id"`
		Quantity int    `json:"quantity"`
	} `json:"item"`
	WarehouseID string `json:"wareHouseId"`
	DockID      string `json:"dockId"`
	Cleared     bool   `json:"cleared"`
}

// DocOf renders a reservation; dock is the warehouse's first dock.
func DocOf(res inventory.Reservation, dock func(warehouse string) string) ReservationDoc {
	d := ReservationDoc{ID: res.ID, LockID: res.OrderID, SalesChannel: or(res.SalesChannel, "1"), Status: res.State.VTEXStatus(),
		State: string(res.State), ReservationDateUtc: vtexTime(res.Created), LastUpdateDateUtc: vtexTime(res.Updated),
		MaximumConfirmationDateUtc: vtexTime(time.Time{}), AuthorizedDateUtc: vtexTime(res.Created),
		ConfirmedDateUtc: vtexTime(res.Confirmed), CanceledDateUtc: vtexTime(res.Canceled), Oversold: res.Oversold,
		Errors: []string{}, IsSucess: true}
	for _, l := range res.Lines {
		var s SLALine
		s.Item.ID, s.Item.Quantity = l.SKU, l.Quantity
		s.WarehouseID, s.DockID, s.Cleared = l.Warehouse, dock(l.Warehouse), l.Cleared
		d.SlaRequest = append(d.SlaRequest, s)
	}
	return d
}

func dockOf(inv *inventory.Account) func(string) string {
	whs := inv.Warehouses()
	return func(id string) string {
		for _, wh := range whs {
			if wh.ID == id && len(wh.WarehouseDocks) > 0 {
				return wh.WarehouseDocks[0].DockID
			}
		}
		return ""
	}
}

func (c *catalogAPI) getReservation(w http.ResponseWriter, r *http.Request) {
	inv := c.inv(r)
	res, err := inv.Reservation(mux.Vars(r)["reservationId"])
	if err != nil {
		failCatalog(w, err)
		return
	}
	answer(w, DocOf(res, dockOf(inv)), nil)
}

func (c *catalogAPI) listReservations(w http.ResponseWriter, r *http.Request) {
	inv := c.inv(r)
	dock := dockOf(inv)
	out := []ReservationDoc{}
	for _, res := range inv.Reservations(mux.Vars(r)["skuId"], mux.Vars(r)["warehouseId"]) {
		out = append(out, DocOf(res, dock))
	}
	answer(w, out, nil)
}

// ---- Pricing ----

func item(r *http.Request) string { return mux.Vars(r)["itemId"] }

func (c *catalogAPI) putPrice(w http.ResponseWriter, r *http.Request) {
	var in pricing.PutInput
	if decoded(w, r, &in) {
		done(w, c.prices(r).Put(item(r), in))
	}
}

func (c *catalogAPI) getPrice(w http.ResponseWriter, r *http.Request) {
	p, err := c.prices(r).Get(item(r))
	answer(w, p, err)
}

func (c *catalogAPI) deletePrice(w http.ResponseWriter, r *http.Request) {
	done(w, c.prices(r).Delete(item(r)))
}

func (c *catalogAPI) getFixed(w http.ResponseWriter, r *http.Request) {
	l, err := c.prices(r).FixedOf(item(r), mux.Vars(r)["priceTableId"])
	if err != nil {
		failCatalog(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonUTF8, func(e *json.Encoder) error { return e.Encode(l) })
}

func (c *catalogAPI) patchFixed(w http.ResponseWriter, r *http.Request) {
	var in []pricing.FixedInput
	if decoded(w, r, &in) {
		done(w, c.prices(r).MergeFixed(item(r), "", in))
	}
}

func (c *catalogAPI) saveFixed(w http.ResponseWriter, r *http.Request) {
	var in []pricing.FixedInput
	if decoded(w, r, &in) {
		done(w, c.prices(r).MergeFixed(item(r), mux.Vars(r)["priceTableId"], in))
	}
}

func (c *catalogAPI) deleteFixed(w http.ResponseWriter, r *http.Request) {
	done(w, c.prices(r).DeleteFixed(item(r), mux.Vars(r)["priceTableId"]))
}

func (c *catalogAPI) computed(w http.ResponseWriter, r *http.Request) {
	qty, _ := strconv.Atoi(r.URL.Query().Get("quantity")) // the spec has checked it
	table := mux.Vars(r)["priceTableId"]
	p, err := c.prices(r).Compute(item(r), table, qty)
	if err != nil {
		failCatalog(w, err)
		return
	}
	out := map[string]any{"tradePolicyId": p.TradePolicyID, "listPrice": p.ListPrice, "costPrice": p.CostPrice,
		"sellingPrice": p.SellingPrice, "priceValidUntil": p.PriceValidUntil.UTC().Format(time.RFC3339), "priceTable": table}
	writeJSON(w, http.StatusOK, jsonUTF8, func(e *json.Encoder) error { return e.Encode(out) })
}
