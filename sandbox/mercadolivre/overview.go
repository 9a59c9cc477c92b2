package mercadolivre

import (
	"cmp"
	"slices"
	"time"
)

// Sale is one Mercado Livre order as the control plane lists it beside
// the other channels' orders: its status, value, shipment and NF-e.
type Sale struct {
	OrderID    int64
	PackID     int64 // 0 without a pack
	ShipmentID int64 // 0 before payment
	Status     string
	Created    time.Time
	Updated    time.Time
	TotalCents int64
	Buyer      string
	Units      int
	Shipment   State  // zero without a shipment
	Tracking   string // once shipped
	InvoiceKey string // the NF-e uploaded for its shipment
}

// Sales returns an account's orders, newest first.
func (m *Market) Sales(account string) []Sale {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Sale{}
	for _, o := range m.orders {
		if o.account == account {
			out = append(out, m.saleOf(o))
		}
	}
	slices.SortFunc(out, func(a, b Sale) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.OrderID, a.OrderID))
	})
	return out
}

// Sale returns one order, by id, and its account.
func (m *Market) Sale(id int64) (account string, s Sale, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o := m.orders[id]
	if o == nil {
		return "", Sale{}, false
	}
	return o.account, m.saleOf(o), true
}

// saleOf summarizes an order; m.mu held.
func (m *Market) saleOf(o *order) Sale {
	s := Sale{OrderID: o.id, PackID: o.packID, ShipmentID: o.shipmentID, Status: o.status, Created: o.created,
		Updated: o.updated, TotalCents: o.totalCents, Buyer: o.buyer.FirstName + " " + o.buyer.LastName}
	for _, it := range o.items {
		s.Units += it.qty
	}
	if sh := m.shipments[o.shipmentID]; sh != nil {
		s.Shipment, s.Tracking = sh.state, sh.tracking
		if sh.invoice != nil {
			s.InvoiceKey = sh.invoice.FiscalKey
		}
	}
	return s
}

// Listing is one of an account's listings as the control plane shows it.
type Listing struct {
	ID        string
	Title     string
	SKU       string
	PriceC    int64
	Available int
	Sold      int
	Status    string
}

// Listings returns an account's listings, by id.
func (m *Market) Listings(account string) []Listing {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Listing{}
	for _, it := range m.items {
		if it.account == account {
			out = append(out, Listing{ID: it.id, Title: it.title, SKU: it.sku, PriceC: it.priceC,
				Available: it.available(), Sold: it.sold, Status: it.status})
		}
	}
	slices.SortFunc(out, func(a, b Listing) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
