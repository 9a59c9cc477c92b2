package catalog

import (
	"strings"
)

// ProductInput is the body of create and update product, as VTEX names it.
// Pointers tell an absent field from a zero one.
type ProductInput struct {
	Id                     *int64  `json:"Id"`
	Name                   string  `json:"Name"`
	DepartmentId           *int64  `json:"DepartmentId"`
	CategoryId             *int64  `json:"CategoryId"`
	CategoryPath           string  `json:"CategoryPath"`
	BrandId                *int64  `json:"BrandId"`
	BrandName              string  `json:"BrandName"`
	LinkId                 string  `json:"LinkId"`
	RefId                  string  `json:"RefId"`
	IsVisible              *bool   `json:"IsVisible"`
	Description            string  `json:"Description"`
	DescriptionShort       string  `json:"DescriptionShort"`
	ReleaseDate            string  `json:"ReleaseDate"`
	KeyWords               string  `json:"KeyWords"`
	Title                  string  `json:"Title"`
	IsActive               *bool   `json:"IsActive"`
	TaxCode                string  `json:"TaxCode"`
	MetaTagDescription     string  `json:"MetaTagDescription"`
	SupplierId             *int64  `json:"SupplierId"`
	ShowWithoutStock       *bool   `json:"ShowWithoutStock"`
	AdWordsRemarketingCode string  `json:"AdWordsRemarketingCode"`
	LomadeeCampaignCode    string  `json:"LomadeeCampaignCode"`
	Score                  *int64  `json:"Score"`
	ListStoreId            []int64 `json:"-"`
}

// Product is a stored product, as VTEX returns it.
type Product struct {
	Id                     int64  `json:"Id"`
	Name                   string `json:"Name"`
	DepartmentId           int64  `json:"DepartmentId"`
	CategoryId             int64  `json:"CategoryId"`
	BrandId                int64  `json:"BrandId"`
	LinkId                 string `json:"LinkId"`
	RefId                  string `json:"RefId"`
	IsVisible              bool   `json:"IsVisible"`
	Description            string `json:"Description"`
	DescriptionShort       string `json:"DescriptionShort"`
	ReleaseDate            string `json:"ReleaseDate"`
	KeyWords               string `json:"KeyWords"`
	Title                  string `json:"Title"`
	IsActive               bool   `json:"IsActive"`
	TaxCode                string `json:"TaxCode"`
	MetaTagDescription     string `json:"MetaTagDescription"`
	SupplierId             *int64 `json:"SupplierId,omitempty"`
	ShowWithoutStock       bool   `json:"ShowWithoutStock"`
	AdWordsRemarketingCode string `json:"AdWordsRemarketingCode"`
	LomadeeCampaignCode    string `json:"LomadeeCampaignCode"`
	Score                  *int64 `json:"Score,omitempty"`
}

// ProductWithStores is productgetbyrefid's answer: the product and its
// trade policies (policy 1, the main store, for every product here).
type ProductWithStores struct {
	Product
	ListStoreId []int64 `json:"ListStoreId"`
}

// Rule is one check of a request body: the field it names and what it
// says when broken.
type Rule[T any] struct {
	Field string
	Check func(*T) string // "" when the rule holds
}

// productRules are VTEX's rules for create and update product. update
// marks the rules of PUT only.
var productRules = []Rule[ProductInput]{
	{"Name", func(p *ProductInput) string {
		return lengthRule(p.Name, 150)
	}},
	{"RefId", func(p *ProductInput) string {
		if len([]rune(p.RefId)) > 100 {
			return "must have at most 100 characters"
		}
		return ""
	}},
	{"CategoryId", func(p *ProductInput) string {
		if p.CategoryId == nil && strings.TrimSpace(p.CategoryPath) == "" {
			return "is required, or CategoryPath (\"Department/Category\")"
		}
		return ""
	}},
	{"BrandId", func(p *ProductInput) string {
		if p.BrandId == nil && strings.TrimSpace(p.BrandName) == "" {
			return "is required, or BrandName"
		}
		return ""
	}},
}

func lengthRule(s string, n int) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is required"
	case len([]rune(s)) > n:
		return "must have at most " + itoa(int64(n)) + " characters"
	}
	return ""
}

// check runs rules over v and refuses with the first broken one.
func check[T any](rules []Rule[T], v *T) error {
	for _, r := range rules {
		if why := r.Check(v); why != "" {
			return invalid("%s %s", r.Field, why)
		}
	}
	return nil
}

// CreateProduct stores a new product. A CategoryPath or BrandName that
// does not exist yet is created, as VTEX does.
func (a *Account) CreateProduct(in ProductInput) (Product, error) {
	if err := check(productRules, &in); err != nil {
		return Product{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id, err := a.id("product", in.Id, func(n int64) bool { return a.products[n] != nil })
	if err != nil {
		return Product{}, err
	}
	if in.RefId != "" && a.productRef[in.RefId] != 0 {
		return Product{}, conflict("RefId: product %d has RefId %q already", a.productRef[in.RefId], in.RefId)
	}
	p, err := a.buildProduct(id, &in, true)
	if err != nil {
		return Product{}, err
	}
	a.commitProduct(p, "")
	a.used("product", id)
	return *p, nil
}

// UpdateProduct replaces a product wholly, as VTEX's PUT does: a field left
// out is emptied and a boolean left out is false.
func (a *Account) UpdateProduct(id int64, in ProductInput) (Product, error) {
	if err := check(productRules, &in); err != nil {
		return Product{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.products[id]
	if old == nil {
		return Product{}, notFound("Product %d not found", id)
	}
	if in.Id != nil && *in.Id != id {
		return Product{}, invalid("Id: %d in the body is not the product %d of the path", *in.Id, id)
	}
	if in.RefId != "" && a.productRef[in.RefId] != 0 && a.productRef[in.RefId] != id {
		return Product{}, conflict("RefId: product %d has RefId %q already", a.productRef[in.RefId], in.RefId)
	}
	p, err := a.buildProduct(id, &in, false)
	if err != nil {
		return Product{}, err
	}
	a.commitProduct(p, old.RefId)
	return *p, nil
}

func (a *Account) commitProduct(p *Product, oldRef string) {
	if oldRef != "" {
		delete(a.productRef, oldRef)
	}
	a.products[p.Id] = p
	if p.RefId != "" {
		a.productRef[p.RefId] = p.Id
	}
}

// buildProduct resolves category and brand (creating them from path and
// name) and fills the stored product. Nothing is stored before every
// check has passed.
func (a *Account) buildProduct(id int64, in *ProductInput, create bool) (*Product, error) {
	var plan []func()
	cat, dept, err := a.resolveCategory(in.CategoryId, in.CategoryPath, &plan)
	if err != nil {
		return nil, err
	}
	brand, err := a.resolveBrand(in.BrandId, in.BrandName, &plan)
	if err != nil {
		return nil, err
	}
	for _, f := range plan {
		f()
	}
	p := &Product{Id: id, Name: in.Name, CategoryId: cat, BrandId: brand, DepartmentId: dept,
		LinkId: in.LinkId, RefId: in.RefId, Description: in.Description, DescriptionShort: in.DescriptionShort,
		ReleaseDate: in.ReleaseDate, KeyWords: in.KeyWords, Title: in.Title, TaxCode: in.TaxCode,
		MetaTagDescription: in.MetaTagDescription, SupplierId: in.SupplierId, Score: in.Score,
		AdWordsRemarketingCode: in.AdWordsRemarketingCode, LomadeeCampaignCode: in.LomadeeCampaignCode,
		IsVisible: deref(in.IsVisible, create), IsActive: deref(in.IsActive, create),
		ShowWithoutStock: deref(in.ShowWithoutStock, create)}
	if in.DepartmentId != nil {
		p.DepartmentId = *in.DepartmentId
	}
	if p.LinkId == "" {
		p.LinkId = LinkID(in.Name)
	}
	return p, nil
}

// deref is a boolean's value, or def when absent (create defaults to
// true, PUT's full replace to false).
func deref(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// Product returns a product.
func (a *Account) Product(id int64) (Product, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	p := a.products[id]
	if p == nil {
		return Product{}, notFound("Product %d not found", id)
	}
	return *p, nil
}

// ProductByRefID returns a product by its RefId, with its trade policies.
func (a *Account) ProductByRefID(ref string) (ProductWithStores, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	id := a.productRef[ref]
	if id == 0 {
		return ProductWithStores{}, notFound("Product with RefId %q not found", ref)
	}
	return ProductWithStores{Product: *a.products[id], ListStoreId: []int64{1}}, nil
}
