package catalog

import (
	"net/url"
	"slices"
	"strings"
)

// AddEAN gives a SKU one more EAN. Adding an EAN the SKU has is a no-op;
// one another SKU has is a conflict (VTEX: an EAN cannot be updated, only
// deleted and added again).
func (a *Account) AddEAN(skuID int64, ean string) error {
	if why := eanRule(ean, false); why != "" {
		return invalid("ean %s", why)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.skus[skuID] == nil {
		return notFound("SKU %d not found", skuID)
	}
	if other := a.eans[ean]; other != 0 && other != skuID {
		return conflict("ean: SKU %d has EAN %s already", other, ean)
	}
	a.addEAN(skuID, ean)
	return nil
}

func (a *Account) addEAN(skuID int64, ean string) {
	if a.eans[ean] == skuID {
		return
	}
	a.eans[ean] = skuID
	a.skuEANs[skuID] = append(a.skuEANs[skuID], ean)
}

// EANs lists a SKU's EANs, oldest first.
func (a *Account) EANs(skuID int64) ([]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.skus[skuID] == nil {
		return nil, notFound("SKU %d not found", skuID)
	}
	return append([]string{}, a.skuEANs[skuID]...), nil
}

// DeleteEAN removes one EAN of a SKU ("" removes them all). Removing an
// EAN the SKU lacks is a 404 (VTEX documents only 200).
func (a *Account) DeleteEAN(skuID int64, ean string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.skus[skuID] == nil {
		return notFound("SKU %d not found", skuID)
	}
	if ean == "" {
		for _, e := range a.skuEANs[skuID] {
			delete(a.eans, e)
		}
		delete(a.skuEANs, skuID)
		return nil
	}
	if a.eans[ean] != skuID {
		return notFound("SKU %d has no EAN %s", skuID, ean)
	}
	delete(a.eans, ean)
	a.skuEANs[skuID] = slices.DeleteFunc(a.skuEANs[skuID], func(e string) bool { return e == ean })
	return nil
}

// File is a SKU file (an image), as VTEX returns it. The URL is stored,
// never fetched.
type File struct {
	Id           int64   `json:"Id"`
	ArchiveId    int64   `json:"ArchiveId"`
	SkuId        int64   `json:"SkuId"`
	Name         string  `json:"Name"`
	IsMain       bool    `json:"IsMain"`
	Text         string  `json:"Text"`
	Label        *string `json:"Label"`
	Url          string  `json:"Url"`
	FileLocation string  `json:"FileLocation"`
	Position     int64   `json:"Position"`
}

// FileInput is the JSON body of add SKU file.
type FileInput struct {
	Name     string  `json:"Name"`
	Url      string  `json:"Url"`
	IsMain   *bool   `json:"IsMain"`
	Label    *string `json:"Label"`
	Text     string  `json:"Text"`
	Position *int64  `json:"Position"`
}

// fileRules are the checks of add SKU file.
var fileRules = []Rule[FileInput]{
	{"Name", func(f *FileInput) string { return lengthRule(f.Name, 200) }},
	{"Url", func(f *FileInput) string {
		u, err := url.Parse(f.Url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "must be an http(s) URL"
		}
		p := strings.ToLower(u.Path)
		if !strings.HasSuffix(p, ".jpg") && !strings.HasSuffix(p, ".jpeg") && !strings.HasSuffix(p, ".png") && !strings.HasSuffix(p, ".gif") {
			return "must end in .jpg, .png or .gif"
		}
		return ""
	}},
	{"Position", func(f *FileInput) string {
		if f.Position != nil && (*f.Position < 0 || *f.Position > 1000) {
			return "must be from 0 to 1000"
		}
		return ""
	}},
}

// AddFile stores an image of a SKU. IsMain is true exactly when Position
// is 0 (the first image when none is given). A SKU created with
// ActivateIfPossible becomes active on its first image if it has a RefId
// or an EAN. It answers with the SKU's files.
func (a *Account) AddFile(skuID int64, in FileInput) ([]File, error) {
	if err := check(fileRules, &in); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.skus[skuID]
	if s == nil {
		return nil, notFound("SKU %d not found", skuID)
	}
	pos := int64(len(a.files[skuID]))
	if in.Position != nil {
		pos = *in.Position
	}
	if in.IsMain != nil && *in.IsMain {
		pos = 0
	}
	if pos == 0 { // one main image: the others move down
		for i := range a.files[skuID] {
			f := &a.files[skuID][i]
			if f.Position == 0 {
				f.Position, f.IsMain = int64(len(a.files[skuID])), false
			}
		}
	}
	a.nextID["file"]++
	id := a.nextID["file"]
	f := File{Id: id, ArchiveId: id, SkuId: skuID, Name: in.Name, IsMain: pos == 0, Text: in.Text, Label: in.Label,
		Url: in.Url, FileLocation: strings.TrimPrefix(strings.TrimPrefix(in.Url, "https://"), "http://"), Position: pos}
	a.files[skuID] = append(a.files[skuID], f)
	if s.ActivateIfPossible && !s.IsActive && a.cannotActivate(s, "") == "" {
		s.IsActive = true
	}
	return a.filesOf(skuID), nil
}

// Files lists a SKU's files by position.
func (a *Account) Files(skuID int64) ([]File, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.skus[skuID] == nil {
		return nil, notFound("SKU %d not found", skuID)
	}
	return a.filesOf(skuID), nil
}

func (a *Account) filesOf(skuID int64) []File {
	fs := append([]File{}, a.files[skuID]...)
	slices.SortStableFunc(fs, func(x, y File) int { return int(x.Position - y.Position) })
	return fs
}

// Context is VTEX's "SKU context" (look-up by EAN), the part the sandbox
// can fill: names, brand, images, alternate ids; the storefront sections
// (specifications, clusters, sellers) are empty.
type Context struct {
	Id                      int64             `json:"Id"`
	ProductId               int64             `json:"ProductId"`
	NameComplete            string            `json:"NameComplete"`
	ProductName             string            `json:"ProductName"`
	ProductDescription      string            `json:"ProductDescription"`
	ProductRefId            string            `json:"ProductRefId"`
	TaxCode                 string            `json:"TaxCode"`
	SkuName                 string            `json:"SkuName"`
	IsActive                bool              `json:"IsActive"`
	IsTransported           bool              `json:"IsTransported"`
	IsInventoried           bool              `json:"IsInventoried"`
	IsGiftCardRecharge      bool              `json:"IsGiftCardRecharge"`
	ImageUrl                string            `json:"ImageUrl"`
	DetailUrl               string            `json:"DetailUrl"`
	CSCIdentification       *string           `json:"CSCIdentification"`
	BrandId                 string            `json:"BrandId"`
	BrandName               string            `json:"BrandName"`
	Dimension               map[string]any    `json:"Dimension"`
	RealDimension           map[string]any    `json:"RealDimension"`
	ManufacturerCode        string            `json:"ManufacturerCode"`
	IsKit                   bool              `json:"IsKit"`
	KitItems                []any             `json:"KitItems"`
	Services                []any             `json:"Services"`
	Categories              []any             `json:"Categories"`
	Attachments             []any             `json:"Attachments"`
	Collections             []any             `json:"Collections"`
	SkuSellers              []any             `json:"SkuSellers"`
	SalesChannels           []int64           `json:"SalesChannels"`
	Images                  []ContextImage    `json:"Images"`
	SkuSpecifications       []any             `json:"SkuSpecifications"`
	ProductSpecifications   []any             `json:"ProductSpecifications"`
	ProductClustersIds      string            `json:"ProductClustersIds"`
	ProductCategoryIds      string            `json:"ProductCategoryIds"`
	ProductGlobalCategoryId *int64            `json:"ProductGlobalCategoryId"`
	ProductCategories       map[string]string `json:"ProductCategories"`
	CommercialConditionId   int64             `json:"CommercialConditionId"`
	RewardValue             float64           `json:"RewardValue"`
	AlternateIds            map[string]string `json:"AlternateIds"`
	AlternateIdValues       []string          `json:"AlternateIdValues"`
	EstimatedDateArrival    *string           `json:"EstimatedDateArrival"`
	MeasurementUnit         string            `json:"MeasurementUnit"`
	UnitMultiplier          float64           `json:"UnitMultiplier"`
	InformationSource       *string           `json:"InformationSource"`
	ModalType               *string           `json:"ModalType"`
}

// ContextImage is one image of a SKU context.
type ContextImage struct {
	ImageUrl  string  `json:"ImageUrl"`
	ImageName string  `json:"ImageName"`
	FileId    int64   `json:"FileId"`
	Label     *string `json:"Label"`
}

// SKUByEAN returns the SKU context of the SKU with that EAN.
func (a *Account) SKUByEAN(ean string) (Context, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	id := a.eans[ean]
	if id == 0 {
		return Context{}, notFound("SKU with EAN %q not found", ean)
	}
	s, p := a.skus[id], a.products[a.skus[id].ProductId]
	c := Context{Id: s.Id, ProductId: s.ProductId, NameComplete: p.Name + " " + s.Name, ProductName: p.Name,
		ProductDescription: p.Description, ProductRefId: p.RefId, TaxCode: p.TaxCode, SkuName: s.Name,
		IsActive: s.IsActive, IsTransported: true, IsInventoried: true, DetailUrl: "/" + p.LinkId + "/p",
		BrandId: itoa(p.BrandId), ManufacturerCode: s.ManufacturerCode, IsKit: s.IsKit,
		Dimension: map[string]any{"cubicweight": s.CubicWeight, "height": s.PackagedHeight, "length": s.PackagedLength,
			"weight": s.PackagedWeightKg, "width": s.PackagedWidth},
		RealDimension: map[string]any{"realCubicWeight": s.CubicWeight, "realHeight": s.Height, "realLength": s.Length,
			"realWeight": s.WeightKg, "realWidth": s.Width},
		KitItems: []any{}, Services: []any{}, Categories: []any{}, Attachments: []any{}, Collections: []any{},
		SkuSellers: []any{}, SalesChannels: []int64{1}, Images: []ContextImage{}, SkuSpecifications: []any{},
		ProductSpecifications: []any{}, ProductCategories: map[string]string{},
		CommercialConditionId: s.CommercialConditionId, RewardValue: s.RewardValue,
		AlternateIds: map[string]string{"Ean": ean, "RefId": s.RefId}, AlternateIdValues: []string{ean},
		EstimatedDateArrival: s.EstimatedDateArrival, MeasurementUnit: s.MeasurementUnit, UnitMultiplier: s.UnitMultiplier,
		ModalType: s.ModalType}
	if s.RefId != "" {
		c.AlternateIdValues = append(c.AlternateIdValues, s.RefId)
	}
	if b := a.brands[p.BrandId]; b != nil {
		c.BrandName = b.Name
	}
	if cat := a.categories[p.CategoryId]; cat != nil {
		ids := make([]string, len(cat.TreePathIds))
		for i, id := range cat.TreePathIds {
			ids[i] = itoa(id)
			c.ProductCategories[itoa(id)] = cat.TreePath[i]
		}
		c.ProductCategoryIds = "/" + strings.Join(ids, "/") + "/"
	}
	for _, f := range a.filesOf(id) {
		c.Images = append(c.Images, ContextImage{ImageUrl: f.Url, ImageName: f.Name, FileId: f.Id, Label: f.Label})
		if f.IsMain {
			c.ImageUrl = f.Url
		}
	}
	return c, nil
}
