package catalog

import (
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func newAccount() *Account {
	return New(func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }).Account("demostore")
}

func sku(product int64, ref string) SKUInput {
	return SKUInput{ProductId: &product, Name: "Azul 42", RefId: ref, PackagedHeight: ptr(10.0),
		PackagedLength: ptr(20.0), PackagedWidth: ptr(30.0), PackagedWeightKg: ptr(1.0)}
}

func TestProductRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   ProductInput
		kind Kind
		want string // in the message
	}{
		{"path and brand name", ProductInput{Name: "Tênis Corrida", CategoryPath: "Calçados/Tênis", BrandName: "Olympikus"}, 0, ""},
		{"no name", ProductInput{CategoryPath: "A", BrandName: "B"}, Invalid, "Name is required"},
		{"long name", ProductInput{Name: strings.Repeat("x", 151), CategoryPath: "A", BrandName: "B"}, Invalid, "Name must have at most 150"},
		{"no category", ProductInput{Name: "x", BrandName: "B"}, Invalid, "CategoryId is required"},
		{"no brand", ProductInput{Name: "x", CategoryPath: "A"}, Invalid, "BrandId is required"},
		{"unknown category id", ProductInput{Name: "x", CategoryId: ptr[int64](99), BrandName: "B"}, Invalid, "CategoryId: category 99 not found"},
		{"unknown brand id", ProductInput{Name: "x", CategoryPath: "A", BrandId: ptr[int64](99)}, Invalid, "BrandId: brand 99 not found"},
		{"id out of range", ProductInput{Id: ptr[int64](0), Name: "x", CategoryPath: "A", BrandName: "B"}, Invalid, "Id: 0 is outside"},
		{"long RefId", ProductInput{Name: "x", RefId: strings.Repeat("r", 101), CategoryPath: "A", BrandName: "B"}, Invalid, "RefId must have at most 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount()
			p, err := a.CreateProduct(tc.in)
			if tc.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if p.Id != 1 || p.CategoryId != 2 || p.DepartmentId != 1 || p.BrandId != 1 || p.LinkId != "tenis-corrida" || !p.IsActive {
					t.Fatalf("stored %+v", p)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Kind != tc.kind || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("got %v, want kind %d with %q", err, tc.kind, tc.want)
			}
			if len(a.products)+len(a.brands)+len(a.categories) != 0 {
				t.Fatal("a refused product left state behind")
			}
		})
	}
}

func TestProductIDsRefIDsAndFullReplace(t *testing.T) {
	a := newAccount()
	p1, _ := a.CreateProduct(ProductInput{Id: ptr[int64](7), Name: "A", RefId: "P-1", CategoryPath: "Dept/Cat", BrandName: "Marca"})
	p2, _ := a.CreateProduct(ProductInput{Name: "B", CategoryPath: "dept/cat", BrandName: "marca"})
	if p1.Id != 7 || p2.Id != 8 || p2.CategoryId != p1.CategoryId || p2.BrandId != p1.BrandId {
		t.Fatalf("ids: %+v %+v (a path and a brand name are found case-insensitively, ids continue after the largest)", p1, p2)
	}
	if _, err := a.CreateProduct(ProductInput{Id: ptr[int64](7), Name: "C", CategoryPath: "X", BrandName: "Y"}); kindOf(err) != Conflict {
		t.Fatalf("duplicate id: %v", err)
	}
	if _, err := a.CreateProduct(ProductInput{Name: "C", RefId: "P-1", CategoryPath: "X", BrandName: "Y"}); kindOf(err) != Conflict {
		t.Fatalf("duplicate RefId: %v", err)
	}
	up, err := a.UpdateProduct(7, ProductInput{Name: "A2", CategoryId: &p1.CategoryId, BrandId: &p1.BrandId})
	if err != nil || up.IsActive || up.RefId != "" || up.Name != "A2" {
		t.Fatalf("PUT replaces wholly (booleans false, RefId gone): %+v %v", up, err)
	}
	if _, err := a.ProductByRefID("P-1"); kindOf(err) != NotFound {
		t.Fatalf("the old RefId still finds the product: %v", err)
	}
	if _, err := a.UpdateProduct(99, ProductInput{Name: "x", CategoryId: &p1.CategoryId, BrandId: &p1.BrandId}); kindOf(err) != NotFound {
		t.Fatalf("unknown product: %v", err)
	}
	c, _ := a.Category(p1.CategoryId)
	if c.TreePath[0] != "Dept" || c.TreePath[1] != "Cat" || *c.FatherCategoryId != p1.DepartmentId {
		t.Fatalf("category %+v", c)
	}
	if d, _ := a.Category(p1.DepartmentId); !d.HasChildren {
		t.Fatal("department does not know it has children")
	}
}

func kindOf(err error) Kind {
	if e, ok := AsError(err); ok {
		return e.Kind
	}
	return 0
}

func TestSKURules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*SKUInput)
		kind   Kind
		want   string
	}{
		{"ok", func(*SKUInput) {}, 0, ""},
		{"ean instead of RefId", func(s *SKUInput) { s.RefId, s.Ean = "", "7891234567895" }, 0, ""},
		{"neither RefId nor Ean", func(s *SKUInput) { s.RefId = "" }, Invalid, "RefId or Ean is required"},
		{"born active", func(s *SKUInput) { s.IsActive = ptr(true) }, Invalid, "IsActive cannot be true on create"},
		{"no product", func(s *SKUInput) { s.ProductId = nil }, Invalid, "ProductId is required"},
		{"unknown product", func(s *SKUInput) { s.ProductId = ptr[int64](9) }, Invalid, "ProductId: product 9 not found"},
		{"no name", func(s *SKUInput) { s.Name = "" }, Invalid, "Name is required"},
		{"no packaged weight", func(s *SKUInput) { s.PackagedWeightKg = nil }, Invalid, "PackagedWeightKg is required"},
		{"negative height", func(s *SKUInput) { s.PackagedHeight = ptr(-1.0) }, Invalid, "PackagedHeight must be from 0"},
		{"bad ean", func(s *SKUInput) { s.Ean = "12ab" }, Invalid, "Ean must be 8 to 14 digits"},
		{"long RefId", func(s *SKUInput) { s.RefId = strings.Repeat("r", 51) }, Invalid, "RefId must have at most 50"},
		{"bad unit", func(s *SKUInput) { s.MeasurementUnit = "parsec" }, Invalid, "MeasurementUnit must be one of"},
		{"duplicate RefId", func(s *SKUInput) { s.RefId = "SKU-1" }, Conflict, "RefId: SKU 1 has"},
		{"duplicate Ean", func(s *SKUInput) { s.RefId, s.Ean = "Z", "7890000000001" }, Conflict, "Ean: SKU 1 has"},
		{"duplicate id", func(s *SKUInput) { s.Id = ptr[int64](1) }, Conflict, "Id: SKU 1 exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount()
			p, _ := a.CreateProduct(ProductInput{Name: "Tênis", CategoryPath: "A", BrandName: "B"})
			first := sku(p.Id, "SKU-1")
			first.Ean = "7890000000001"
			if _, err := a.CreateSKU(first); err != nil {
				t.Fatal(err)
			}
			in := sku(p.Id, "SKU-2")
			tc.mutate(&in)
			s, err := a.CreateSKU(in)
			if tc.kind == 0 {
				if err != nil || s.Id != 2 || s.IsActive || s.MeasurementUnit != "un" {
					t.Fatalf("%+v %v", s, err)
				}
				return
			}
			if kindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want kind %d with %q", err, tc.kind, tc.want)
			}
			if len(a.skus) != 1 || len(a.eans) != 1 {
				t.Fatal("a refused SKU left state behind")
			}
		})
	}
}

func TestSKUActivationEANsAndFiles(t *testing.T) {
	a := newAccount()
	p, _ := a.CreateProduct(ProductInput{Name: "Tênis", CategoryPath: "A", BrandName: "Olympikus"})
	in := sku(p.Id, "SKU-1")
	in.ActivateIfPossible = true
	s, _ := a.CreateSKU(in)
	put := sku(p.Id, "SKU-1")
	put.IsActive = ptr(true)
	if _, err := a.UpdateSKU(s.Id, put); kindOf(err) != Invalid || !strings.Contains(err.Error(), "no image") {
		t.Fatalf("activation without an image: %v", err)
	}
	if _, err := a.AddFile(s.Id, FileInput{Name: "frente", Url: "ftp://x/y.jpg"}); kindOf(err) != Invalid {
		t.Fatalf("ftp URL: %v", err)
	}
	if _, err := a.AddFile(s.Id, FileInput{Name: "frente", Url: "https://cdn.example.com/a.webp"}); kindOf(err) != Invalid {
		t.Fatalf("webp: %v", err)
	}
	files, err := a.AddFile(s.Id, FileInput{Name: "frente", Url: "https://cdn.example.com/a.jpg"})
	if err != nil || len(files) != 1 || !files[0].IsMain || files[0].Position != 0 {
		t.Fatalf("%+v %v", files, err)
	}
	if got, _ := a.SKU(s.Id); !got.IsActive {
		t.Fatal("ActivateIfPossible: the first image did not activate the SKU")
	}
	files, _ = a.AddFile(s.Id, FileInput{Name: "verso", Url: "https://cdn.example.com/b.png", IsMain: ptr(true)})
	if !files[0].IsMain || files[0].Name != "verso" || files[1].IsMain {
		t.Fatalf("a new main image: %+v", files)
	}
	if up, err := a.UpdateSKU(s.Id, sku(p.Id, "SKU-1")); err != nil || up.IsActive {
		t.Fatalf("PUT without IsActive deactivates: %+v %v", up, err)
	}
	if err := a.AddEAN(s.Id, "7891234567895"); err != nil {
		t.Fatal(err)
	}
	if err := a.AddEAN(s.Id, "7891234567895"); err != nil {
		t.Fatalf("adding an EAN twice is a no-op: %v", err)
	}
	if err := a.AddEAN(99, "7891234567895"); kindOf(err) != NotFound {
		t.Fatalf("unknown SKU: %v", err)
	}
	ctx, err := a.SKUByEAN("7891234567895")
	if err != nil || ctx.Id != s.Id || ctx.BrandName != "Olympikus" || ctx.AlternateIds["RefId"] != "SKU-1" || len(ctx.Images) != 2 {
		t.Fatalf("%+v %v", ctx, err)
	}
	if err := a.DeleteEAN(s.Id, "0000000000000"); kindOf(err) != NotFound {
		t.Fatalf("deleting an EAN the SKU lacks: %v", err)
	}
	if err := a.DeleteEAN(s.Id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SKUByEAN("7891234567895"); kindOf(err) != NotFound {
		t.Fatalf("deleted EAN still found: %v", err)
	}
	ids, err := a.SKUIDsByRefIDs([]string{"SKU-1", "nope"})
	if err != nil || len(ids) != 1 || ids["SKU-1"] != "1" {
		t.Fatalf("%v %v", ids, err)
	}
	if _, err := a.SKUIDsByRefIDs([]string{"a", "a"}); kindOf(err) != Invalid {
		t.Fatalf("repeated RefId: %v", err)
	}
	if !a.HasSKU("1") || a.HasSKU("2") || a.HasSKU("x") {
		t.Fatal("HasSKU")
	}
}

func TestAccountsAreApart(t *testing.T) {
	c := New(time.Now)
	a, b := c.Account("a"), c.Account("b")
	p, _ := a.CreateProduct(ProductInput{Name: "x", CategoryPath: "A", BrandName: "B"})
	if _, err := b.Product(p.Id); kindOf(err) != NotFound {
		t.Fatal("account b sees account a's product")
	}
	c.Reset("a")
	if _, err := a.Product(p.Id); kindOf(err) != NotFound {
		t.Fatal("reset kept the product")
	}
}
