package control

import (
	"cmp"
	"math"
	"net/http"
	"strconv"

	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// What an account offers for sale in each channel, and its hooks: the
// read-only views a person needs beside the vendors' own APIs.

type catalogSKU struct {
	ID     int64        `json:"id"`
	Name   string       `json:"name"`
	RefID  string       `json:"refId"`
	Active bool         `json:"active"`
	EANs   []string     `json:"eans"`
	Price  *skuPrice    `json:"price"`
	Stock  *stockTotals `json:"stock"`
}

type skuPrice struct {
	BasePrice float64  `json:"basePrice"`
	ListPrice *float64 `json:"listPrice"`
	CostPrice float64  `json:"costPrice"`
	Fixed     int      `json:"fixedPrices"`
}

type stockTotals struct {
	Total     int  `json:"totalQuantity"`
	Reserved  int  `json:"reservedQuantity"`
	Available int  `json:"availableQuantity"`
	Unlimited bool `json:"unlimitedQuantity"`
}

type catalogProduct struct {
	ID       int64        `json:"id"`
	Name     string       `json:"name"`
	RefID    string       `json:"refId"`
	Brand    string       `json:"brand"`
	Category string       `json:"category"`
	Active   bool         `json:"active"`
	SKUs     []catalogSKU `json:"skus"`
}

type skyhubProduct struct {
	SKU              string   `json:"sku"`
	Name             string   `json:"name"`
	Status           string   `json:"status"`
	Qty              int      `json:"qty"`
	Price            float64  `json:"price"`
	PromotionalPrice *float64 `json:"promotionalPrice"`
}

type mlListing struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	SKU       string `json:"sku"`
	Price     int64  `json:"price"` // cents
	Available int    `json:"availableQuantity"`
	Sold      int    `json:"soldQuantity"`
	Status    string `json:"status"`
}

// catalog shows an account's VTEX catalog with each SKU's price and stock
// (summed over warehouses), its SkyHub seller's products and its Mercado
// Livre listings.
func (p *plane) catalog(w http.ResponseWriter, r *http.Request) {
	name := cmp.Or(r.URL.Query().Get("account"), p.DefaultAccount)
	if _, ok := p.OMS.Account(name); !ok {
		fail(w, http.StatusNotFound, "account %q not found", clip.ID(name))
		return
	}
	products := []catalogProduct{}
	prices, inv := p.Pricing.Account(name), p.Inventory.Account(name)
	for _, e := range p.Catalog.Account(name).Entries() {
		cp := catalogProduct{ID: e.Product.Id, Name: e.Product.Name, RefID: e.Product.RefId, Brand: e.Brand,
			Category: e.Category, Active: e.Product.IsActive, SKUs: []catalogSKU{}}
		for _, s := range e.SKUs {
			cs := catalogSKU{ID: s.Id, Name: s.Name, RefID: s.RefId, Active: s.IsActive, EANs: s.EANs}
			if cs.EANs == nil {
				cs.EANs = []string{}
			}
			item := strconv.FormatInt(s.Id, 10)
			if pr, err := prices.Get(item); err == nil {
				cs.Price = &skuPrice{BasePrice: pr.BasePrice, ListPrice: pr.ListPrice, CostPrice: pr.CostPrice, Fixed: len(pr.FixedPrices)}
			}
			if rows, err := inv.Balances(item); err == nil && len(rows) > 0 {
				cs.Stock = &stockTotals{}
				for _, b := range rows {
					cs.Stock.Total += b.Total
					cs.Stock.Reserved += b.Reserved
					cs.Stock.Available += b.Available()
					cs.Stock.Unlimited = cs.Stock.Unlimited || b.Unlimited
				}
			}
			cp.SKUs = append(cp.SKUs, cs)
		}
		products = append(products, cp)
	}
	sky := []skyhubProduct{}
	if st, ok := p.SkyHub.ForAccount(name); ok {
		list, _ := st.Products(skyhub.ProductFilter{Limit: math.MaxInt32})
		for _, sp := range list {
			sky = append(sky, skyhubProduct{SKU: sp.Sku, Name: sp.Name, Status: sp.Status, Qty: sp.Qty,
				Price: sp.Price, PromotionalPrice: sp.PromotionalPrice})
		}
	}
	ml := []mlListing{}
	for _, l := range p.MercadoLivre.Listings(name) {
		ml = append(ml, mlListing{ID: l.ID, Title: l.Title, SKU: l.SKU, Price: l.PriceC, Available: l.Available,
			Sold: l.Sold, Status: l.Status})
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": name,
		"vtex":         map[string]any{"products": products},
		"skyhub":       map[string]any{"products": sky},
		"mercadolivre": map[string]any{"items": ml}})
}

// hooks lists an account's hooks: where each posts, its filter, and the
// notifications waiting for an attempt or a retry.
func (p *plane) hooks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, p.Hooks.Summaries(r.URL.Query().Get("account")))
}
