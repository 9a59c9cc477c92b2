package mercadolivre

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/omsbox/omsbox/sandbox/money"
)

// Item statuses and the sub_status of the stock rule (D-SYNC).
const (
	ItemActive     = "active"
	ItemPaused     = "paused"
	ItemClosed     = "closed"
	SubOutOfStock  = "out_of_stock"
	SubPausedBySel = "paused_by_seller"
)

type variation struct {
	id        int64
	combo     string // e.g. "Cor: Azul"
	priceC    int64
	qty, sold int
	sku       string
}

type item struct {
	id, account, title, sku string
	sellerID                int64
	priceC                  int64
	qty, sold, initial      int
	status, subStatus       string
	variations              []*variation
	created, updated        time.Time
}

func (it *item) variation(id int64) *variation {
	for _, v := range it.variations {
		if v.id == id {
			return v
		}
	}
	return nil
}

// available is the listing's stock: its variations' sum when it has any.
func (it *item) available() int {
	if len(it.variations) == 0 {
		return it.qty
	}
	n := 0
	for _, v := range it.variations {
		n += v.qty
	}
	return n
}

// NewListing is a listing the control plane creates for a seller.
type NewListing struct {
	Account    string
	Title      string
	SKU        string
	PriceCents int64
	Quantity   int
	Variations []NewVariation
}

// NewVariation is one variation of a new listing.
type NewVariation struct {
	Name     string // the attribute combination, e.g. "Cor: Azul"
	SKU      string
	Quantity int
}

// CreateListing adds a listing, active (or paused out_of_stock at 0).
func (m *Market) CreateListing(n NewListing) (map[string]any, error) {
	if n.PriceCents <= 0 || money.Cents("price", n.PriceCents) != nil {
		return nil, refuse(400, "invalid_price", "price must be a positive amount within bounds")
	}
	if money.Quantity("availableQuantity", n.Quantity) != nil {
		return nil, refuse(400, "invalid_quantity", "availableQuantity must be between 0 and %d", money.MaxQuantity)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[n.Account]
	if !ok {
		return nil, refuse(404, "not_found", "account %q has no Mercado Livre app", n.Account)
	}
	now := m.clock.Now()
	it := &item{id: fmt.Sprintf("MLB%d", m.newID(1_000_000_000, 8_999_999_999)), account: n.Account, sellerID: a.SellerID,
		title: cmp.Or(n.Title, "Produto "+n.SKU), sku: n.SKU, priceC: n.PriceCents, qty: n.Quantity, status: ItemActive,
		created: now, updated: now}
	for _, v := range n.Variations {
		if money.Quantity("variations.quantity", v.Quantity) != nil {
			return nil, refuse(400, "invalid_quantity", "variation quantity must be between 0 and %d", money.MaxQuantity)
		}
		it.variations = append(it.variations, &variation{id: m.newID(170_000_000_000, 9_999_999_999), combo: v.Name,
			priceC: n.PriceCents, qty: v.Quantity, sku: v.SKU})
	}
	it.initial = it.available()
	if it.available() == 0 {
		it.status, it.subStatus = ItemPaused, SubOutOfStock
	}
	m.items[it.id] = it
	m.publish(it.account, EventItem, it.sellerID, "/items/"+it.id, it.id, map[string]any{"action": "created"})
	return m.itemDoc(it), nil
}

// sell takes sold units from a listing (a paid order); at 0 the listing
// pauses out_of_stock. m.mu held.
func (m *Market) sell(it *item, variationID int64, qty int, now time.Time) {
	if v := it.variation(variationID); v != nil {
		take := min(qty, v.qty)
		v.qty -= take
		v.sold += qty
	} else if len(it.variations) == 0 {
		it.qty -= min(qty, it.qty)
	}
	it.sold += qty
	it.updated = now
	m.stockRule(it)
	m.publish(it.account, EventItem, it.sellerID, "/items/"+it.id, it.id, map[string]any{"action": "sold"})
}

// stockRule: no stock pauses an active listing out_of_stock; stock back
// reactivates only a listing paused out_of_stock (a seller's pause stays).
func (m *Market) stockRule(it *item) {
	switch n := it.available(); {
	case n == 0 && it.status == ItemActive:
		it.status, it.subStatus = ItemPaused, SubOutOfStock
	case n > 0 && it.status == ItemPaused && it.subStatus == SubOutOfStock:
		it.status, it.subStatus = ItemActive, ""
	}
}

func (m *Market) itemDoc(it *item) map[string]any {
	vars := make([]map[string]any, len(it.variations))
	for i, v := range it.variations {
		name, value, _ := cutCombo(v.combo)
		attrs := []map[string]any{}
		if v.sku != "" {
			attrs = append(attrs, map[string]any{"id": "SELLER_SKU", "name": "SKU", "value_id": nil, "value_name": v.sku})
		}
		vars[i] = map[string]any{"id": v.id, "price": reais(v.priceC), "available_quantity": v.qty, "sold_quantity": v.sold,
			"attribute_combinations": []map[string]any{{"id": "COLOR", "name": name, "value_id": nil, "value_name": value}},
			"picture_ids":            []string{}, "seller_custom_field": nil, "attributes": attrs}
	}
	attrs := []map[string]any{}
	if it.sku != "" {
		attrs = append(attrs, map[string]any{"id": "SELLER_SKU", "name": "SKU", "value_id": nil, "value_name": it.sku,
			"values": []map[string]any{{"id": nil, "name": it.sku}}})
	}
	sub := []string{}
	if it.subStatus != "" {
		sub = []string{it.subStatus}
	}
	return map[string]any{"id": it.id, "site_id": SiteID, "title": it.title, "seller_id": it.sellerID, "category_id": "MLB1000",
		"price": reais(it.priceC), "base_price": reais(it.priceC), "original_price": nil, "currency_id": CurrencyID,
		"initial_quantity": it.initial, "available_quantity": it.available(), "sold_quantity": it.sold,
		"buying_mode": "buy_it_now", "listing_type_id": "gold_special", "condition": "new",
		"permalink": "https://produto.mercadolivre.com.br/" + it.id, "pictures": []any{},
		"shipping":   map[string]any{"mode": "me2", "logistic_type": "drop_off", "free_shipping": false},
		"attributes": attrs, "variations": vars, "status": it.status, "sub_status": sub, "tags": []string{"test_item"},
		"seller_custom_field": nil, "catalog_product_id": nil,
		"date_created": it.created.UTC().Format("2006-01-02T15:04:05.000Z"), "last_updated": it.updated.UTC().Format("2006-01-02T15:04:05.000Z")}
}

func cutCombo(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], trimSpace(s[i+1:]), true
		}
	}
	return "Cor", s, false
}

func trimSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

// Item is GET /items/{id}.
func (m *Market) Item(c Caller, id string) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return it.sellerID }), c,
		refuse(404, "not_found", "Item with id %s not found", clipS(id))); err != nil {
		return nil, err
	}
	return m.itemDoc(it), nil
}

// ItemUpdate is the body of PUT /items/{id}: nil fields stay.
type ItemUpdate struct {
	AvailableQuantity *int
	Price             *float64
	Status            *string
	Title             *string
	Variations        []VariationUpdate // nil: untouched
}

// VariationUpdate is one variation of a PUT; omitted variations are
// deleted (D-VAR).
type VariationUpdate struct {
	ID                int64
	AvailableQuantity *int
	Price             *float64
}

func validation(code, ref, format string, a ...any) *Error {
	msg := fmt.Sprintf(format, a...)
	return &Error{Status: 400, Code: "validation_error", Message: "Validation error",
		Cause: []Cause{{Department: "items", CauseID: causeIDs[code], Type: "error", Code: code, References: []string{ref}, Message: msg}}}
}

var causeIDs = map[string]int{"item.price.invalid": 267, "item.available_quantity.invalid": 299, "item.status.invalid": 323,
	"item.title.not_modifiable": 268, "item.variations.invalid": 345, "item.variations.price.invalid": 346}

// UpdateItem is PUT /items/{id}: stock, price, status, variations, and
// the title while nothing was sold. The whole update applies or none.
func (m *Market) UpdateItem(c Caller, id string, u ItemUpdate) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return it.sellerID }), c,
		refuse(404, "not_found", "Item with id %s not found", clipS(id))); err != nil {
		return nil, err
	}
	if it.status == ItemClosed {
		return nil, validation("item.status.invalid", "item.status", "the item is closed; a closed item cannot be changed")
	}
	if u.Price != nil && (money.Reais("price", *u.Price) != nil || *u.Price <= 0) {
		return nil, validation("item.price.invalid", "item.price", "price %v is not a valid amount", *u.Price)
	}
	if u.AvailableQuantity != nil && money.Quantity("available_quantity", *u.AvailableQuantity) != nil {
		return nil, validation("item.available_quantity.invalid", "item.available_quantity", "available_quantity must be between 0 and %d", money.MaxQuantity)
	}
	if u.AvailableQuantity != nil && len(it.variations) > 0 && u.Variations == nil {
		return nil, validation("item.available_quantity.invalid", "item.available_quantity", "the item has variations; send the stock of each in variations")
	}
	if u.Title != nil && it.sold > 0 && *u.Title != it.title {
		return nil, validation("item.title.not_modifiable", "item.title", "the title cannot change once the item has sales")
	}
	var price *int64
	if u.Price != nil {
		p := int64(mathRound(*u.Price * 100))
		price = &p
	}
	var keep []*variation
	if u.Variations != nil {
		if len(it.variations) == 0 {
			return nil, validation("item.variations.invalid", "item.variations", "the item has no variations")
		}
		var vprice *int64
		for i, vu := range u.Variations {
			v := it.variation(vu.ID)
			if v == nil {
				return nil, validation("item.variations.invalid", fmt.Sprintf("item.variations[%d].id", i), "variation %d is not the item's", vu.ID)
			}
			if vu.AvailableQuantity != nil && money.Quantity("available_quantity", *vu.AvailableQuantity) != nil {
				return nil, validation("item.available_quantity.invalid", fmt.Sprintf("item.variations[%d].available_quantity", i), "available_quantity must be between 0 and %d", money.MaxQuantity)
			}
			if vu.Price != nil {
				if money.Reais("price", *vu.Price) != nil || *vu.Price <= 0 {
					return nil, validation("item.price.invalid", fmt.Sprintf("item.variations[%d].price", i), "price %v is not a valid amount", *vu.Price)
				}
				p := int64(mathRound(*vu.Price * 100))
				if vprice != nil && *vprice != p {
					return nil, validation("item.variations.price.invalid", "item.variations.price", "every variation must have the same price")
				}
				vprice = &p
			}
			keep = append(keep, v)
		}
		if vprice != nil {
			if price != nil && *price != *vprice {
				return nil, validation("item.variations.price.invalid", "item.variations.price", "the variations' price differs from the item's")
			}
			price = vprice
		}
	}
	want := ""
	if u.Status != nil {
		want = *u.Status
		switch want {
		case ItemActive, ItemPaused, ItemClosed:
		default:
			return nil, validation("item.status.invalid", "item.status", "status must be active, paused or closed, not %q", clipS(want))
		}
	}
	// Applies from here on.
	now := m.clock.Now()
	if u.Variations != nil {
		for i, vu := range u.Variations {
			if vu.AvailableQuantity != nil {
				keep[i].qty = *vu.AvailableQuantity
			}
		}
		it.variations = slices.DeleteFunc(it.variations, func(v *variation) bool { return !slices.Contains(keep, v) })
	}
	if price != nil {
		it.priceC = *price
		for _, v := range it.variations {
			v.priceC = *price
		}
	}
	if u.AvailableQuantity != nil && len(it.variations) == 0 {
		it.qty = *u.AvailableQuantity
	}
	if u.Title != nil {
		it.title = *u.Title
	}
	switch want {
	case ItemActive:
		if it.available() == 0 {
			m.stockRule(it)
			return nil, validation("item.status.invalid", "item.status", "an item without stock cannot be activated")
		}
		it.status, it.subStatus = ItemActive, ""
	case ItemPaused:
		it.status, it.subStatus = ItemPaused, SubPausedBySel
	case ItemClosed:
		it.status, it.subStatus = ItemClosed, ""
	}
	m.stockRule(it)
	it.updated = now
	m.publish(it.account, EventItem, it.sellerID, "/items/"+it.id, it.id, map[string]any{"action": "updated"})
	return m.itemDoc(it), nil
}

func mathRound(f float64) float64 {
	if f < 0 {
		return -mathRound(-f)
	}
	return float64(int64(f + 0.5))
}

// SearchItems is GET /users/{id}/items/search: ids only, by SKU
// (SELLER_SKU of the item or a variation) and status.
func (m *Market) SearchItems(c Caller, seller int64, sku, status string, offset, limit int) (map[string]any, error) {
	if seller != c.SellerID {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, it := range m.items {
		if it.sellerID != seller || (status != "" && it.status != status) {
			continue
		}
		if sku != "" && it.sku != sku && !slices.ContainsFunc(it.variations, func(v *variation) bool { return v.sku == sku }) {
			continue
		}
		ids = append(ids, it.id)
	}
	slices.Sort(ids)
	total := len(ids)
	page := []string{}
	for i := offset; i < total && i < offset+limit; i++ {
		page = append(page, ids[i])
	}
	return map[string]any{"seller_id": fmt.Sprint(seller), "query": nilIfEmpty(sku), "results": page,
		"paging": map[string]any{"limit": limit, "offset": offset, "total": total}, "orders": []any{}, "available_orders": []any{}}, nil
}
