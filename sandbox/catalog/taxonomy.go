package catalog

import (
	"strconv"
	"strings"
)

// Brand is a stored brand, as VTEX returns it.
type Brand struct {
	Id                     int64   `json:"Id"`
	Name                   string  `json:"Name"`
	Text                   string  `json:"Text"`
	Keywords               string  `json:"Keywords"`
	SiteTitle              string  `json:"SiteTitle"`
	AdWordsRemarketingCode string  `json:"AdWordsRemarketingCode"`
	LomadeeCampaignCode    string  `json:"LomadeeCampaignCode"`
	Score                  *int64  `json:"Score"`
	MenuHome               bool    `json:"MenuHome"`
	Active                 bool    `json:"Active"`
	LinkId                 *string `json:"LinkId"`
}

// Category is a stored category, as VTEX returns it.
type Category struct {
	Id                            int64    `json:"Id"`
	Name                          string   `json:"Name"`
	FatherCategoryId              *int64   `json:"FatherCategoryId"`
	Title                         string   `json:"Title"`
	Description                   string   `json:"Description"`
	Keywords                      string   `json:"Keywords"`
	IsActive                      bool     `json:"IsActive"`
	LomadeeCampaignCode           string   `json:"LomadeeCampaignCode"`
	AdWordsRemarketingCode        string   `json:"AdWordsRemarketingCode"`
	ShowInStoreFront              bool     `json:"ShowInStoreFront"`
	ShowBrandFilter               bool     `json:"ShowBrandFilter"`
	ActiveStoreFrontLink          bool     `json:"ActiveStoreFrontLink"`
	GlobalCategoryId              int64    `json:"GlobalCategoryId"`
	StockKeepingUnitSelectionMode string   `json:"StockKeepingUnitSelectionMode"`
	Score                         *int64   `json:"Score"`
	LinkId                        string   `json:"LinkId"`
	HasChildren                   bool     `json:"HasChildren"`
	TreePath                      []string `json:"TreePath"`
	TreePathIds                   []int64  `json:"TreePathIds"`
	TreePathLinkIds               []string `json:"TreePathLinkIds"`
}

// resolveCategory returns the category of a product and its department
// (the root of its path). An id must exist; a path's missing levels are
// planned for creation (plan runs only once every check has passed).
func (a *Account) resolveCategory(id *int64, path string, plan *[]func()) (cat, dept int64, err error) {
	if id != nil {
		c := a.categories[*id]
		if c == nil {
			return 0, 0, invalid("CategoryId: category %d not found; send CategoryPath to create it", *id)
		}
		return c.Id, c.TreePathIds[0], nil
	}
	var names []string
	for _, n := range strings.Split(path, "/") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return 0, 0, invalid("CategoryPath: %q names no category", path)
	}
	for _, n := range names {
		if len([]rune(n)) > 100 {
			return 0, 0, invalid("CategoryPath: level %q has more than 100 characters", n)
		}
	}
	// Walk the tree as it is; the first missing level and those under it
	// get ids now and are stored by plan.
	var father *Category
	var pending []*Category
	next := max(a.nextID["category"], 1)
	for _, n := range names {
		var found *Category
		if len(pending) == 0 {
			for _, cid := range sortedIDs(a.categories) {
				c := a.categories[cid]
				if strings.EqualFold(c.Name, n) && sameFather(c.FatherCategoryId, father) {
					found = c
					break
				}
			}
		}
		if found == nil {
			for a.categories[next] != nil {
				next++
			}
			found = newCategory(next, n, father)
			next++
			pending = append(pending, found)
		}
		father = found
	}
	*plan = append(*plan, func() {
		for _, c := range pending {
			if c.FatherCategoryId != nil {
				if f := a.categories[*c.FatherCategoryId]; f != nil {
					f.HasChildren = true
				}
			}
			a.categories[c.Id] = c
			a.used("category", c.Id)
		}
	})
	return father.Id, father.TreePathIds[0], nil
}

func sameFather(id *int64, father *Category) bool {
	if father == nil {
		return id == nil
	}
	return id != nil && *id == father.Id
}

func newCategory(id int64, name string, father *Category) *Category {
	c := &Category{Id: id, Name: name, Title: name, IsActive: true, ShowInStoreFront: true, ShowBrandFilter: true,
		ActiveStoreFrontLink: true, StockKeepingUnitSelectionMode: "SPECIFICATION", LinkId: LinkID(name)}
	if father != nil {
		c.FatherCategoryId = &father.Id
		c.TreePath = append(append([]string{}, father.TreePath...), name)
		c.TreePathIds = append(append([]int64{}, father.TreePathIds...), id)
		c.TreePathLinkIds = append(append([]string{}, father.TreePathLinkIds...), c.LinkId)
	} else {
		c.TreePath, c.TreePathIds, c.TreePathLinkIds = []string{name}, []int64{id}, []string{c.LinkId}
	}
	return c
}

// resolveBrand returns a brand id: an id must exist, a name is found or
// planned for creation.
func (a *Account) resolveBrand(id *int64, name string, plan *[]func()) (int64, error) {
	if id != nil {
		if a.brands[*id] == nil {
			return 0, invalid("BrandId: brand %d not found; send BrandName to create it", *id)
		}
		return *id, nil
	}
	name = strings.TrimSpace(name)
	if len([]rune(name)) > 100 {
		return 0, invalid("BrandName: must have at most 100 characters")
	}
	for _, bid := range sortedIDs(a.brands) {
		if strings.EqualFold(a.brands[bid].Name, name) {
			return bid, nil
		}
	}
	next := max(a.nextID["brand"], 1)
	for a.brands[next] != nil {
		next++
	}
	link := LinkID(name)
	b := &Brand{Id: next, Name: name, SiteTitle: name, Active: true, LinkId: &link}
	*plan = append(*plan, func() { a.brands[b.Id] = b; a.used("brand", b.Id) })
	return next, nil
}

// Brand returns a brand.
func (a *Account) Brand(id int64) (Brand, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	b := a.brands[id]
	if b == nil {
		return Brand{}, notFound("Brand %d not found", id)
	}
	return *b, nil
}

// Category returns a category.
func (a *Account) Category(id int64) (Category, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	c := a.categories[id]
	if c == nil {
		return Category{}, notFound("Category %d not found", id)
	}
	return *c, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
