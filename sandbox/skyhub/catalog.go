package skyhub

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/money"
)

// Catalog events, with the seller's VTEX account.
const (
	EventProductCreated = "skyhub.product-created"
	EventProductUpdated = "skyhub.product-updated"
	EventProductDeleted = "skyhub.product-deleted"
	// EventStockChanged is a change of a product's or variation's qty, by
	// the seller or by an order (data: sku, qty, by).
	EventStockChanged = "skyhub.stock-changed"
)

// ProductsPageSize is how many products a cursor page holds (SkyHub: 25).
const ProductsPageSize = 25

// Product is a SkyHub product as GET /products/{sku} answers it.
type Product struct {
	Sku                 string      `json:"sku"`
	Name                string      `json:"name"`
	Description         string      `json:"description"`
	Status              string      `json:"status"`
	Qty                 int         `json:"qty"`
	Price               float64     `json:"price"`
	PromotionalPrice    *float64    `json:"promotional_price"`
	Cost                float64     `json:"cost"`
	Weight              float64     `json:"weight"`
	Height              float64     `json:"height"`
	Width               float64     `json:"width"`
	Length              float64     `json:"length"`
	Brand               string      `json:"brand"`
	Ean                 string      `json:"ean"`
	Nbm                 string      `json:"nbm"`
	Crossdocking        string      `json:"crossdocking,omitempty"`
	Categories          []Category  `json:"categories"`
	Images              []string    `json:"images"`
	Specifications      []Spec      `json:"specifications"`
	Variations          []Variation `json:"variations"`
	VariationAttributes []string    `json:"variation_attributes"`
	Removed             bool        `json:"removed"`
	ConditionType       string      `json:"condition_type"`
	Associations        []struct {
		Platform string `json:"platform"`
		Status   string `json:"status"`
	} `json:"associations"`
}

// Category is a product's category reference.
type Category struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Spec is a specification: legacy {key, value} or 2025's {id, value} /
// {id, idValue}.
type Spec struct {
	Key     string `json:"key,omitempty"`
	ID      any    `json:"id,omitempty"`
	Value   string `json:"value,omitempty"`
	IDValue any    `json:"idValue,omitempty"`
}

// Variation is a product's variation. Since 2025 it carries its own price
// and dimensions; what it leaves out it inherits from its parent.
type Variation struct {
	Sku              string   `json:"sku"`
	Qty              int      `json:"qty"`
	Ean              string   `json:"ean"`
	Images           []string `json:"images"`
	Specifications   []Spec   `json:"specifications"`
	Price            *float64 `json:"price,omitempty"`
	PromotionalPrice *float64 `json:"promotional_price,omitempty"`
	Status           string   `json:"status,omitempty"`
	Crossdocking     string   `json:"crossdocking,omitempty"`
}

// ProductInput is a product body, POST or PUT: every field optional, so a
// PUT changes what it carries (SkyHub's partial update) and a POST is
// checked for what it needs. Null and absent differ for the prices: a null
// price is refused, an absent one kept.
type ProductInput struct {
	Sku                 *string          `json:"sku"`
	Name                *string          `json:"name"`
	Description         *string          `json:"description"`
	Status              *string          `json:"status"`
	Qty                 *Qty             `json:"qty"`
	Price               nullable         `json:"price"`
	PromotionalPrice    nullable         `json:"promotional_price"`
	Cost                *float64         `json:"cost"`
	Weight              *float64         `json:"weight"`
	Height              *float64         `json:"height"`
	Width               *float64         `json:"width"`
	Length              *float64         `json:"length"`
	Brand               *string          `json:"brand"`
	Ean                 *string          `json:"ean"`
	Nbm                 *string          `json:"nbm"`
	Crossdocking        *json.RawMessage `json:"crossdocking"`
	Categories          []Category       `json:"categories"`
	Images              []string         `json:"images"`
	Specifications      []Spec           `json:"specifications"`
	Variations          []VariationInput `json:"variations"`
	VariationAttributes []string         `json:"variation_attributes"`
}

// VariationInput is a variation body (POST /products/{sku}/variations,
// PUT /variations/{sku}, or inside a product).
type VariationInput struct {
	Sku              *string  `json:"sku"`
	Qty              *Qty     `json:"qty"`
	Ean              *string  `json:"ean"`
	Images           []string `json:"images"`
	Specifications   []Spec   `json:"specifications"`
	Price            nullable `json:"price"`
	PromotionalPrice nullable `json:"promotional_price"`
	Status           *string  `json:"status"`
}

// nullable is a number that remembers whether it was sent, and as null.
type nullable struct {
	Set   bool
	Null  bool
	Value float64
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// priceRules are the rules in force since 2025-03-31 (reference §5.2):
// price and promotional_price are never 0 or null, the promotional price
// is not above the price, and both stay within the money bounds. Each
// rule names its field; the first that fails is the 422's message.
var priceRules = []struct {
	field string
	fails func(price, promo nullable, current *float64) bool
	why   string
}{
	{"price", func(p, _ nullable, _ *float64) bool { return p.Set && (p.Null || p.Value == 0) }, "must not be 0 or null (SkyHub's rule since 2025-03-31)"},
	{"promotional_price", func(_, q nullable, _ *float64) bool { return q.Set && (q.Null || q.Value == 0) }, "must not be 0 or null (SkyHub's rule since 2025-03-31); leave it out for no promotion"},
	{"price", func(p, _ nullable, _ *float64) bool { return p.Set && money.Reais("price", p.Value) != nil }, fmt.Sprintf("must be between 0 and %.0f", money.MaxReais)},
	{"promotional_price", func(_, q nullable, _ *float64) bool { return q.Set && money.Reais("promotional_price", q.Value) != nil }, fmt.Sprintf("must be between 0 and %.0f", money.MaxReais)},
	{"promotional_price", func(p, q nullable, current *float64) bool {
		price := p.Value
		if !p.Set && current != nil {
			price = *current
		}
		return q.Set && !q.Null && (p.Set || current != nil) && q.Value > price
	}, "must not be above price"},
}

func checkPrices(prefix string, price, promo nullable, current *float64) error {
	for _, r := range priceRules {
		if r.fails(price, promo, current) {
			return invalid("%s%s %s", prefix, r.field, r.why)
		}
	}
	return nil
}

// checkSku refuses what SkyHub does not take as a SKU.
func checkSku(field, sku string) error {
	switch {
	case strings.TrimSpace(sku) == "":
		return &Error{Status: 400, Message: field + " is required"}
	case strings.ContainsAny(sku, " \t/"):
		return invalid("%s %q must have no spaces or slashes", field, clip.ID(sku))
	case len(sku) > 100:
		return invalid("%s is longer than 100 characters", field)
	}
	return nil
}

// CreateProduct adds a product (POST /products): sku, name and a price
// are required; a SKU in use (by a product or a variation) is a 422.
func (s *Store) CreateProduct(in ProductInput) error {
	if in.Sku == nil {
		return &Error{Status: 400, Message: "product.sku is required"}
	}
	if err := checkSku("product.sku", *in.Sku); err != nil {
		return err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return &Error{Status: 400, Message: "product.name is required"}
	}
	if !in.Price.Set {
		return invalid("product.price is required and must not be 0 (SkyHub's rule since 2025-03-31)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.skuInUse(*in.Sku) {
		return invalid("product.sku %s exists already", clip.ID(*in.Sku))
	}
	p := &Product{Sku: *in.Sku, Status: "disabled", Categories: []Category{}, Images: []string{}, Specifications: []Spec{},
		Variations: []Variation{}, VariationAttributes: []string{}, ConditionType: "new"}
	p.Associations = append(p.Associations, struct {
		Platform string `json:"platform"`
		Status   string `json:"status"`
	}{"B2W", "linked"})
	if err := s.applyProduct(p, in, "product."); err != nil {
		return err
	}
	s.products[p.Sku] = p
	s.productList = append(s.productList, p)
	s.publishProduct(EventProductCreated, p.Sku, map[string]any{"qty": p.Qty})
	return nil
}

// UpdateProduct changes what in carries (PUT /products/{sku}, 204):
// SkyHub's partial update, or a whole product as some clients send.
func (s *Store) UpdateProduct(sku string, in ProductInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.product(sku)
	if err != nil {
		return err
	}
	if in.Sku != nil && *in.Sku != sku {
		return invalid("product.sku %s differs from the SKU in the path", clip.ID(*in.Sku))
	}
	before := p.Qty
	next := *p
	next.Variations = slices.Clone(p.Variations)
	if err := s.applyProduct(&next, in, "product."); err != nil {
		return err
	}
	*p = next
	s.publishProduct(EventProductUpdated, sku, nil)
	if p.Qty != before {
		s.publishProduct(EventStockChanged, sku, map[string]any{"qty": p.Qty, "by": "seller"})
	}
	return nil
}

// applyProduct checks in against p's current values and applies it; p is
// a copy, so a refusal changes nothing.
func (s *Store) applyProduct(p *Product, in ProductInput, prefix string) error {
	var current *float64
	if p.Price > 0 {
		current = &p.Price
	}
	if err := checkPrices(prefix, in.Price, in.PromotionalPrice, current); err != nil {
		return err
	}
	if in.Status != nil && *in.Status != "enabled" && *in.Status != "disabled" {
		return invalid("%sstatus must be enabled or disabled, not %q", prefix, clip.ID(*in.Status))
	}
	if in.Qty != nil && (*in.Qty < 0 || int(*in.Qty) > money.MaxQuantity) {
		return invalid("%sqty must be between 0 and %d", prefix, money.MaxQuantity)
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"cost", in.Cost}, {"weight", in.Weight}, {"height", in.Height}, {"width", in.Width}, {"length", in.Length}} {
		if f.v != nil && money.Reais(f.name, *f.v) != nil {
			return invalid("%s%s must be a number from 0", prefix, f.name)
		}
	}
	set(&p.Name, in.Name)
	set(&p.Description, in.Description)
	set(&p.Status, in.Status)
	set(&p.Brand, in.Brand)
	set(&p.Ean, in.Ean)
	set(&p.Nbm, in.Nbm)
	set(&p.Cost, in.Cost)
	set(&p.Weight, in.Weight)
	set(&p.Height, in.Height)
	set(&p.Width, in.Width)
	set(&p.Length, in.Length)
	if in.Qty != nil {
		p.Qty = int(*in.Qty)
	}
	if in.Price.Set {
		p.Price = in.Price.Value
	}
	if in.PromotionalPrice.Set {
		v := in.PromotionalPrice.Value
		p.PromotionalPrice = &v
	} else if p.PromotionalPrice != nil && *p.PromotionalPrice > p.Price {
		return invalid("%sprice %.2f is below the promotional_price %.2f; send both", prefix, p.Price, *p.PromotionalPrice)
	}
	if in.Crossdocking != nil {
		p.Crossdocking = strings.Trim(string(*in.Crossdocking), `"`)
	}
	if in.Categories != nil {
		p.Categories = in.Categories
	}
	if in.Images != nil {
		p.Images = in.Images
	}
	if in.Specifications != nil {
		p.Specifications = in.Specifications
	}
	if in.VariationAttributes != nil {
		p.VariationAttributes = in.VariationAttributes
	}
	for i, vin := range in.Variations {
		if err := s.upsertVariation(p, vin, fmt.Sprintf("%svariations[%d].", prefix, i)); err != nil {
			return err
		}
	}
	return nil
}

// upsertVariation adds or changes one variation of p.
func (s *Store) upsertVariation(p *Product, in VariationInput, prefix string) error {
	if in.Sku == nil {
		return &Error{Status: 400, Message: prefix + "sku is required"}
	}
	if err := checkSku(prefix+"sku", *in.Sku); err != nil {
		return err
	}
	i := slices.IndexFunc(p.Variations, func(v Variation) bool { return v.Sku == *in.Sku })
	if i < 0 {
		if *in.Sku == p.Sku || s.skuInUse(*in.Sku) {
			return invalid("%ssku %s exists already", prefix, clip.ID(*in.Sku))
		}
		p.Variations = append(p.Variations, Variation{Sku: *in.Sku, Images: []string{}, Specifications: []Spec{}})
		i = len(p.Variations) - 1
	}
	v := p.Variations[i]
	current := v.Price
	if current == nil && p.Price > 0 {
		current = &p.Price // inherited from the parent
	}
	if err := checkPrices(prefix, in.Price, in.PromotionalPrice, current); err != nil {
		return err
	}
	if in.Qty != nil && (*in.Qty < 0 || int(*in.Qty) > money.MaxQuantity) {
		return invalid("%sqty must be between 0 and %d", prefix, money.MaxQuantity)
	}
	if in.Qty != nil {
		v.Qty = int(*in.Qty)
	}
	set(&v.Ean, in.Ean)
	set(&v.Status, in.Status)
	if in.Images != nil {
		v.Images = in.Images
	}
	if in.Specifications != nil {
		v.Specifications = in.Specifications
	}
	if in.Price.Set {
		x := in.Price.Value
		v.Price = &x
	}
	if in.PromotionalPrice.Set {
		x := in.PromotionalPrice.Value
		v.PromotionalPrice = &x
	}
	p.Variations[i] = v
	s.variationOf[v.Sku] = p.Sku
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// AddVariation adds a variation to a product (POST
// /products/{sku}/variations).
func (s *Store) AddVariation(parent string, in VariationInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.product(parent)
	if err != nil {
		return err
	}
	if in.Sku != nil && slices.ContainsFunc(p.Variations, func(v Variation) bool { return v.Sku == *in.Sku }) {
		return invalid("variation.sku %s exists already", clip.ID(*in.Sku))
	}
	next := *p
	next.Variations = slices.Clone(p.Variations)
	if err := s.upsertVariation(&next, in, "variation."); err != nil {
		return err
	}
	*p = next
	s.publishProduct(EventProductUpdated, parent, map[string]any{"variation": *in.Sku})
	return nil
}

// UpdateVariation changes a variation (PUT /variations/{sku}, 204).
func (s *Store) UpdateVariation(sku string, in VariationInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, v, err := s.variation(sku)
	if err != nil {
		return err
	}
	if in.Sku != nil && *in.Sku != sku {
		return invalid("variation.sku %s differs from the SKU in the path", clip.ID(*in.Sku))
	}
	in.Sku = &sku
	before := v.Qty
	next := *p
	next.Variations = slices.Clone(p.Variations)
	if err := s.upsertVariation(&next, in, "variation."); err != nil {
		return err
	}
	*p = next
	if _, after, _ := s.variation(sku); after.Qty != before {
		s.publishProduct(EventStockChanged, sku, map[string]any{"qty": after.Qty, "by": "seller", "parent": p.Sku})
	}
	return nil
}

// GetVariation returns a variation with its parent's SKU, its missing
// price inherited from the parent.
func (s *Store) GetVariation(sku string) (Variation, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, v, err := s.variation(sku)
	if err != nil {
		return Variation{}, "", err
	}
	if v.Price == nil {
		price := p.Price
		v.Price = &price
	}
	if v.PromotionalPrice == nil && p.PromotionalPrice != nil {
		promo := *p.PromotionalPrice
		v.PromotionalPrice = &promo
	}
	return v, p.Sku, nil
}

// DeleteVariation removes a variation (204).
func (s *Store) DeleteVariation(sku string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, err := s.variation(sku)
	if err != nil {
		return err
	}
	p.Variations = slices.DeleteFunc(p.Variations, func(v Variation) bool { return v.Sku == sku })
	delete(s.variationOf, sku)
	s.publishProduct(EventProductUpdated, p.Sku, map[string]any{"variationDeleted": sku})
	return nil
}

// GetProduct returns a copy of a product.
func (s *Store) GetProduct(sku string) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.product(sku)
	if err != nil {
		return Product{}, err
	}
	return *p, nil
}

// DeleteProduct removes a product and its variations (204).
func (s *Store) DeleteProduct(sku string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.product(sku)
	if err != nil {
		return err
	}
	for _, v := range p.Variations {
		delete(s.variationOf, v.Sku)
	}
	delete(s.products, sku)
	s.productList = slices.DeleteFunc(s.productList, func(x *Product) bool { return x == p })
	s.publishProduct(EventProductDeleted, sku, nil)
	return nil
}

// ProductFilter selects products: status and a name substring (SkyHub's
// filters[status], filters[name], or the SDK's top-level status and name),
// a qty range, and a start position.
type ProductFilter struct {
	Status, Name, Sku string
	QtyFrom, QtyTo    *int
	From, Limit       int
}

// Products returns the matching products from f.From, at most f.Limit,
// and how many match in all.
func (s *Store) Products(f ProductFilter) ([]Product, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []Product
	for _, p := range s.productList {
		switch {
		case f.Status != "" && p.Status != f.Status,
			f.Name != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(f.Name)),
			f.Sku != "" && p.Sku != f.Sku,
			f.QtyFrom != nil && p.Qty < *f.QtyFrom,
			f.QtyTo != nil && p.Qty > *f.QtyTo:
			continue
		}
		match = append(match, *p)
	}
	total := len(match)
	if f.From >= total {
		return []Product{}, total
	}
	return match[f.From:min(total, f.From+f.Limit)], total
}

// SyncError is a marketplace-side rejection of an accepted product.
type SyncError struct {
	EntityID          string `json:"entity_id"`
	Message           string `json:"message"`
	LastAccurence     string `json:"last_accurence"` // sic, SkyHub's spelling
	ErrorCode         string `json:"error_code"`
	ErrorCategoryCode string `json:"error_category_code"`
}

// SyncErrorCategories is what GET /sync_errors/categories lists: the
// product link errors the sandbox raises.
var SyncErrorCategories = []map[string]any{{
	"code": "link_b2w_products", "entity_type": "products",
	"error_types": []map[string]string{
		{"code": "invalid_ean", "name": "EAN inválido", "solution": "<p>Envie um EAN-13 com o dígito verificador correto.</p>"},
		{"code": "empty_name", "name": "Nome vazio", "solution": "<p>Envie o nome do produto.</p>"},
		{"code": "no_images", "name": "Produto sem imagens", "solution": "<p>Envie ao menos uma imagem.</p>"},
	},
}}

// SyncErrors returns the rejections B2W holds against the seller's
// products: accepted with 201, then not linked, as SkyHub reports them.
func (s *Store) SyncErrors(now time.Time) []SyncError {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []SyncError{}
	add := func(sku, code, msg string) {
		out = append(out, SyncError{EntityID: sku, Message: msg, LastAccurence: skyhubTime(now), ErrorCode: code,
			ErrorCategoryCode: "link_b2w_products"})
	}
	for _, p := range s.productList {
		if s.ignored[p.Sku] {
			continue
		}
		if p.Ean != "" && !brdata.ValidEAN(p.Ean) {
			add(p.Sku, "invalid_ean", "EAN "+clip.ID(p.Ean)+" inválido")
		}
		if len(p.Images) == 0 {
			add(p.Sku, "no_images", "Produto sem imagens")
		}
	}
	return out
}

// IgnoreSyncErrors marks products' errors ignored (PATCH /sync_errors/products).
func (s *Store) IgnoreSyncErrors(skus []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sku := range skus {
		s.ignored[sku] = true
	}
}

// takeStock moves the stock of an order's items: −qty when it is paid,
// +qty back when it is canceled. SkyHub does not reserve: it lowers the
// product's qty and gives it back, never below 0. Items that are not in
// the catalog are left alone. The caller holds s.mu.
func (s *Store) takeStock(o *Order, sign int) {
	for _, it := range o.Items {
		qty, parent := s.stockOf(it.ID)
		if qty == nil {
			continue
		}
		*qty = max(0, *qty-sign*it.Qty)
		by := "order-paid"
		if sign < 0 {
			by = "order-canceled"
		}
		s.publishProduct(EventStockChanged, it.ID, map[string]any{"qty": *qty, "by": by, "order": o.Code, "parent": parent})
	}
}

// stockOf returns where a product's or a variation's qty is kept (nil
// for a SKU outside the catalog) and the variation's parent.
func (s *Store) stockOf(sku string) (*int, string) {
	if p := s.products[sku]; p != nil {
		return &p.Qty, ""
	}
	if ps, ok := s.variationOf[sku]; ok {
		p := s.products[ps]
		if i := slices.IndexFunc(p.Variations, func(v Variation) bool { return v.Sku == sku }); i >= 0 {
			return &p.Variations[i].Qty, ps
		}
	}
	return nil, ""
}

func (s *Store) skuInUse(sku string) bool {
	_, variation := s.variationOf[sku]
	return s.products[sku] != nil || variation
}

func (s *Store) product(sku string) (*Product, error) {
	if p := s.products[sku]; p != nil {
		return p, nil
	}
	return nil, &Error{Status: 404, Message: fmt.Sprintf("Produto %s não encontrado", clip.ID(sku))}
}

func (s *Store) variation(sku string) (*Product, Variation, error) {
	if ps, ok := s.variationOf[sku]; ok {
		p := s.products[ps]
		if i := slices.IndexFunc(p.Variations, func(v Variation) bool { return v.Sku == sku }); i >= 0 {
			return p, p.Variations[i], nil
		}
	}
	return nil, Variation{}, &Error{Status: 404, Message: fmt.Sprintf("Variação %s não encontrada", clip.ID(sku))}
}

func (s *Store) publishProduct(typ, sku string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["sku"] = sku
	s.hub.bus.Publish(events.Event{Time: s.hub.clock.Now(), Account: s.seller.Account, Type: typ, Data: data})
}
