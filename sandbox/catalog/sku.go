package catalog

import (
	"slices"
	"strings"
)

// SKUInput is the body of create and update SKU. Ean is not in VTEX's
// create schema, yet its SKU guide sends it: accepted and stored as the
// SKU's first EAN.
type SKUInput struct {
	Id                    *int64   `json:"Id"`
	ProductId             *int64   `json:"ProductId"`
	IsActive              *bool    `json:"IsActive"`
	ActivateIfPossible    bool     `json:"ActivateIfPossible"`
	Name                  string   `json:"Name"`
	RefId                 string   `json:"RefId"`
	Ean                   string   `json:"Ean"`
	PackagedHeight        *float64 `json:"PackagedHeight"`
	PackagedLength        *float64 `json:"PackagedLength"`
	PackagedWidth         *float64 `json:"PackagedWidth"`
	PackagedWeightKg      *float64 `json:"PackagedWeightKg"`
	Height                *float64 `json:"Height"`
	Length                *float64 `json:"Length"`
	Width                 *float64 `json:"Width"`
	WeightKg              *float64 `json:"WeightKg"`
	CubicWeight           *float64 `json:"CubicWeight"`
	IsKit                 bool     `json:"IsKit"`
	RewardValue           *float64 `json:"RewardValue"`
	EstimatedDateArrival  *string  `json:"EstimatedDateArrival"`
	ManufacturerCode      string   `json:"ManufacturerCode"`
	CommercialConditionId *int64   `json:"CommercialConditionId"`
	MeasurementUnit       string   `json:"MeasurementUnit"`
	UnitMultiplier        *float64 `json:"UnitMultiplier"`
	ModalType             *string  `json:"ModalType"`
	KitItensSellApart     bool     `json:"KitItensSellApart"`
	Videos                []string `json:"Videos"`
}

// SKU is a stored SKU, as VTEX returns it.
type SKU struct {
	Id                    int64    `json:"Id"`
	ProductId             int64    `json:"ProductId"`
	IsActive              bool     `json:"IsActive"`
	ActivateIfPossible    bool     `json:"ActivateIfPossible"`
	Name                  string   `json:"Name"`
	RefId                 string   `json:"RefId"`
	PackagedHeight        float64  `json:"PackagedHeight"`
	PackagedLength        float64  `json:"PackagedLength"`
	PackagedWidth         float64  `json:"PackagedWidth"`
	PackagedWeightKg      float64  `json:"PackagedWeightKg"`
	Height                float64  `json:"Height"`
	Length                float64  `json:"Length"`
	Width                 float64  `json:"Width"`
	WeightKg              float64  `json:"WeightKg"`
	CubicWeight           float64  `json:"CubicWeight"`
	IsKit                 bool     `json:"IsKit"`
	CreationDate          string   `json:"CreationDate"`
	RewardValue           float64  `json:"RewardValue"`
	EstimatedDateArrival  *string  `json:"EstimatedDateArrival"`
	ManufacturerCode      string   `json:"ManufacturerCode"`
	CommercialConditionId int64    `json:"CommercialConditionId"`
	MeasurementUnit       string   `json:"MeasurementUnit"`
	UnitMultiplier        float64  `json:"UnitMultiplier"`
	ModalType             *string  `json:"ModalType"`
	KitItensSellApart     bool     `json:"KitItensSellApart"`
	Videos                []string `json:"Videos"`
}

// measurementUnits are the units VTEX lists.
var measurementUnits = []string{"un", "kg", "g", "m", "cm", "mm", "l", "ml", "m2", "m3"}

// skuRules are VTEX's rules for create and update SKU.
var skuRules = []Rule[SKUInput]{
	{"ProductId", func(s *SKUInput) string {
		if s.ProductId == nil {
			return "is required"
		}
		return ""
	}},
	{"Name", func(s *SKUInput) string { return lengthRule(s.Name, 200) }},
	{"PackagedHeight", func(s *SKUInput) string { return dimensionRule(s.PackagedHeight) }},
	{"PackagedLength", func(s *SKUInput) string { return dimensionRule(s.PackagedLength) }},
	{"PackagedWidth", func(s *SKUInput) string { return dimensionRule(s.PackagedWidth) }},
	{"PackagedWeightKg", func(s *SKUInput) string { return dimensionRule(s.PackagedWeightKg) }},
	{"RefId", func(s *SKUInput) string {
		switch {
		case len([]rune(s.RefId)) > 50:
			return "must have at most 50 characters"
		case strings.TrimSpace(s.RefId) == "" && strings.TrimSpace(s.Ean) == "":
			return "or Ean is required: a SKU needs one of them"
		}
		return ""
	}},
	{"Ean", func(s *SKUInput) string { return eanRule(s.Ean, true) }},
	{"MeasurementUnit", func(s *SKUInput) string {
		if s.MeasurementUnit != "" && !slices.Contains(measurementUnits, s.MeasurementUnit) {
			return "must be one of " + strings.Join(measurementUnits, ", ")
		}
		return ""
	}},
}

// createOnlyRules hold on create alone: VTEX refuses a SKU born active.
var createOnlyRules = []Rule[SKUInput]{
	{"IsActive", func(s *SKUInput) string {
		if s.IsActive != nil && *s.IsActive {
			return "cannot be true on create: send ActivateIfPossible, or activate with PUT once the SKU has an image"
		}
		return ""
	}},
}

func dimensionRule(v *float64) string {
	switch {
	case v == nil:
		return "is required"
	case *v < 0 || *v > 1e6:
		return "must be from 0 to 1000000"
	}
	return ""
}

// eanRule: an EAN/GTIN is 8 to 14 digits (VTEX stores up to 50 characters
// of anything; the sandbox asks for what a barcode is, and says so in
// docs/vendor-gaps.md).
func eanRule(ean string, optional bool) string {
	if ean == "" && optional {
		return ""
	}
	if len(ean) < 8 || len(ean) > 14 || strings.Trim(ean, "0123456789") != "" {
		return "must be 8 to 14 digits"
	}
	return ""
}

// CreateSKU stores a new SKU of an existing product, never active.
func (a *Account) CreateSKU(in SKUInput) (SKU, error) {
	if err := check(createOnlyRules, &in); err != nil {
		return SKU{}, err
	}
	if err := check(skuRules, &in); err != nil {
		return SKU{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id, err := a.id("SKU", in.Id, func(n int64) bool { return a.skus[n] != nil })
	if err != nil {
		return SKU{}, err
	}
	if err := a.skuRefsFree(id, &in); err != nil {
		return SKU{}, err
	}
	s := a.buildSKU(id, &in, a.now().UTC().Format("2006-01-02T15:04:05"))
	a.commitSKU(s, "")
	if in.Ean != "" {
		a.addEAN(id, in.Ean)
	}
	a.used("SKU", id)
	return *s, nil
}

// UpdateSKU replaces a SKU wholly. IsActive left out reads as false, as
// VTEX's PUT does: the SKU is deactivated. Activation needs a RefId or an
// EAN and an image.
func (a *Account) UpdateSKU(id int64, in SKUInput) (SKU, error) {
	if err := check(skuRules, &in); err != nil {
		return SKU{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.skus[id]
	if old == nil {
		return SKU{}, notFound("SKU %d not found", id)
	}
	if in.Id != nil && *in.Id != id {
		return SKU{}, invalid("Id: %d in the body is not the SKU %d of the path", *in.Id, id)
	}
	if err := a.skuRefsFree(id, &in); err != nil {
		return SKU{}, err
	}
	s := a.buildSKU(id, &in, old.CreationDate)
	if s.IsActive {
		if why := a.cannotActivate(s, in.Ean); why != "" {
			return SKU{}, invalid("IsActive: SKU %d cannot be activated: %s", id, why)
		}
	}
	a.commitSKU(s, old.RefId)
	if in.Ean != "" && a.eans[in.Ean] == 0 {
		a.addEAN(id, in.Ean)
	}
	return *s, nil
}

// skuRefsFree checks the product exists and the RefId and Ean are not
// another SKU's.
func (a *Account) skuRefsFree(id int64, in *SKUInput) error {
	if a.products[*in.ProductId] == nil {
		return invalid("ProductId: product %d not found", *in.ProductId)
	}
	if other := a.skuRef[in.RefId]; in.RefId != "" && other != 0 && other != id {
		return conflict("RefId: SKU %d has RefId %q already", other, in.RefId)
	}
	if other := a.eans[in.Ean]; in.Ean != "" && other != 0 && other != id {
		return conflict("Ean: SKU %d has EAN %s already", other, in.Ean)
	}
	return nil
}

// cannotActivate says why a SKU cannot be active ("" if it can): VTEX
// wants a RefId or an EAN and at least one image.
func (a *Account) cannotActivate(s *SKU, ean string) string {
	if s.RefId == "" && ean == "" && len(a.skuEANs[s.Id]) == 0 {
		return "it has neither RefId nor EAN"
	}
	if len(a.files[s.Id]) == 0 {
		return "it has no image (POST .../file)"
	}
	return ""
}

func (a *Account) buildSKU(id int64, in *SKUInput, created string) *SKU {
	s := &SKU{Id: id, ProductId: *in.ProductId, IsActive: deref(in.IsActive, false), ActivateIfPossible: in.ActivateIfPossible,
		Name: in.Name, RefId: in.RefId, PackagedHeight: *in.PackagedHeight, PackagedLength: *in.PackagedLength,
		PackagedWidth: *in.PackagedWidth, PackagedWeightKg: *in.PackagedWeightKg, IsKit: in.IsKit, CreationDate: created, EstimatedDateArrival: in.EstimatedDateArrival, ManufacturerCode: in.ManufacturerCode, CommercialConditionId: 1,
		MeasurementUnit: in.MeasurementUnit, UnitMultiplier: 1, ModalType: in.ModalType,
		KitItensSellApart: in.KitItensSellApart, Videos: in.Videos}
	for _, f := range []struct {
		dst *float64
		src *float64
	}{{&s.Height, in.Height}, {&s.Length, in.Length}, {&s.Width, in.Width}, {&s.WeightKg, in.WeightKg}, {&s.RewardValue, in.RewardValue}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.CubicWeight != nil {
		s.CubicWeight = *in.CubicWeight
	}
	if in.CommercialConditionId != nil {
		s.CommercialConditionId = *in.CommercialConditionId
	}
	if in.UnitMultiplier != nil {
		s.UnitMultiplier = *in.UnitMultiplier
	}
	if s.MeasurementUnit == "" {
		s.MeasurementUnit = "un"
	}
	if s.Videos == nil {
		s.Videos = []string{}
	}
	return s
}

func (a *Account) commitSKU(s *SKU, oldRef string) {
	if oldRef != "" {
		delete(a.skuRef, oldRef)
	}
	a.skus[s.Id] = s
	if s.RefId != "" {
		a.skuRef[s.RefId] = s.Id
	}
}

// SKU returns a SKU.
func (a *Account) SKU(id int64) (SKU, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s := a.skus[id]
	if s == nil {
		return SKU{}, notFound("SKU %d not found", id)
	}
	return *s, nil
}

// HasSKU tells whether the account's catalog has the SKU whose id is
// written as s (an order item's id): orders for SKUs the catalog knows
// reserve stock, the others do not.
func (a *Account) HasSKU(s string) bool {
	id, err := ParseID("skuId", s)
	if err != nil {
		return false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.skus[id] != nil
}

// SKUByRefID returns a SKU by its RefId.
func (a *Account) SKUByRefID(ref string) (SKU, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	id := a.skuRef[ref]
	if id == 0 {
		return SKU{}, notFound("SKU with RefId %q not found", ref)
	}
	return *a.skus[id], nil
}

// SKUIDsByRefIDs maps RefIds to SKU ids; unknown RefIds are left out. A
// RefId asked twice is refused (VTEX answers 500; the sandbox 400).
func (a *Account) SKUIDsByRefIDs(refs []string) (map[string]string, error) {
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r] {
			return nil, invalid("RefId %q is asked twice", r)
		}
		seen[r] = true
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := map[string]string{}
	for _, r := range refs {
		if id := a.skuRef[r]; id != 0 {
			out[r] = itoa(id)
		}
	}
	return out, nil
}

// ItemID is how an order item names a SKU: its id in decimal.
func ItemID(id int64) string { return itoa(id) }
