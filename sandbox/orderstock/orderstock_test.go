package orderstock

import (
	"errors"
	"testing"
	"time"

	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/oms"
)

type fixture struct {
	link *Link
	oms  *oms.Account
	inv  *inventory.Account
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := clock.Frozen(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	bus := &events.Bus{}
	cat := catalog.New(c.Now)
	inv := inventory.New(c.Now, bus, inventory.Options{}, func(a *inventory.Account) {
		_ = a.PutDock(inventory.Dock{ID: "1_1", Name: "D"})
		_ = a.PutWarehouse(inventory.Warehouse{ID: "sp", Name: "SP", IsActive: true, WarehouseDocks: []inventory.WarehouseDock{{DockID: "1_1"}}})
	})
	o := oms.New(c, bus, 1)
	acct, err := o.AddAccount("demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	ca := cat.Account("demo")
	one, two := int64(1), 1.0
	if _, err := ca.CreateProduct(catalog.ProductInput{Id: &one, Name: "P", CategoryPath: "A", BrandName: "B"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.CreateSKU(catalog.SKUInput{Id: &one, ProductId: &one, Name: "S", RefId: "S", PackagedHeight: &two,
		PackagedLength: &two, PackagedWidth: &two, PackagedWeightKg: &two}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{link: New(cat, inv, bus), oms: acct, inv: inv.Account("demo")}
	if _, err := f.inv.SetCount("1", "sp", inventory.Count{Quantity: 5}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) create(t *testing.T, status oms.Status, items ...oms.NewItem) string {
	t.Helper()
	var id string
	err := f.link.CreateChecked("demo", items, false, func() (err error) {
		id, err = f.oms.Create(oms.NewOrder{Status: status, Items: items})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStatusActions walks orders to each status of the table and reads
// the reservation's state.
func TestStatusActions(t *testing.T) {
	item := oms.NewItem{ID: "1", Name: "S", Price: 100, Quantity: 2}
	for _, tc := range []struct {
		status oms.Status
		state  inventory.State
	}{
		{oms.StatusPaymentPending, inventory.Authorized},
		{oms.StatusReadyForHandling, inventory.Confirmed},
		{oms.StatusHandling, inventory.Acknowledged},
		{oms.StatusCanceled, inventory.Released},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			f := newFixture(t)
			id := f.create(t, tc.status, item)
			r, ok := f.inv.OrderReservation(id)
			if !ok || r.State != tc.state || r.Lines[0].Quantity != 2 {
				t.Fatalf("%+v %v, want %s", r, ok, tc.state)
			}
		})
	}
}

func TestOrdersOutsideTheCatalogAndShortage(t *testing.T) {
	f := newFixture(t)
	id := f.create(t, oms.StatusReadyForHandling, oms.NewItem{ID: "CAMISETA", Name: "C", Price: 100, Quantity: 99})
	if _, ok := f.inv.OrderReservation(id); ok {
		t.Fatal("an order outside the catalog reserved")
	}
	err := f.link.CreateChecked("demo", []oms.NewItem{{ID: "1", Quantity: 6}}, false, func() error {
		t.Fatal("created despite the shortage")
		return nil
	})
	var short *inventory.ShortError
	if !errors.As(err, &short) || short.Short[0].Available != 5 {
		t.Fatalf("%v", err)
	}
	// Orders that cannot be refused (created straight on the OMS, as seed
	// and imports are) reserve anyway.
	id, _ = f.oms.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "1", Name: "S", Price: 100, Quantity: 6}}})
	if r, ok := f.inv.OrderReservation(id); !ok || !r.Oversold {
		t.Fatalf("%+v %v", r, ok)
	}
}
