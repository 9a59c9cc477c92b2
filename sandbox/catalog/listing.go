package catalog

import (
	"cmp"
	"slices"
)

// Entry is a product with its SKUs (each with its EANs), brand and
// category names: the catalog as the control plane shows it.
type Entry struct {
	Product  Product
	Brand    string
	Category string
	SKUs     []EntrySKU
}

// EntrySKU is one SKU of an Entry.
type EntrySKU struct {
	SKU
	EANs []string
}

// Entries returns the account's products by id, their SKUs by id.
func (a *Account) Entries() []Entry {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]Entry, 0, len(a.products))
	index := map[int64]int{}
	for _, p := range a.products {
		e := Entry{Product: *p, SKUs: []EntrySKU{}}
		if b := a.brands[p.BrandId]; b != nil {
			e.Brand = b.Name
		}
		if c := a.categories[p.CategoryId]; c != nil {
			e.Category = c.Name
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y Entry) int { return cmp.Compare(x.Product.Id, y.Product.Id) })
	for i := range out {
		index[out[i].Product.Id] = i
	}
	for _, s := range a.skus {
		if i, ok := index[s.ProductId]; ok {
			out[i].SKUs = append(out[i].SKUs, EntrySKU{SKU: *s, EANs: slices.Clone(a.skuEANs[s.Id])})
		}
	}
	for i := range out {
		slices.SortFunc(out[i].SKUs, func(x, y EntrySKU) int { return cmp.Compare(x.Id, y.Id) })
	}
	return out
}
