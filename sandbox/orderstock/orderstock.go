// Package orderstock ties VTEX orders to stock reservations, the part of
// VTEX's checkout and OMS that talks to Logistics. It subscribes to order
// events: an order whose items are SKUs of the account's catalog reserves
// their units when created; its status changes then move the reservation
// through inventory's table (statusActions). Orders of SKUs the catalog
// does not know reserve nothing, as before the catalog existed. The
// control plane refuses an order that stock cannot cover through Gate and
// Check, before the order exists.
//
// The bus is synchronous and the subscriber runs under the order's lock:
// it only touches inventory (its own lock) and never calls back into OMS.
package orderstock

import (
	"github.com/omsbox/omsbox/sandbox/catalog"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/inventory"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// statusActions: which order status moves the reservation how. VTEX's
// ERP guide: start-handling "connects the order and stock count with the
// reservation in the logistics module" (acknowledged). Invoicing consumes
// the units: reserved and total both drop (VTEX leaves the total to the
// ERP's next count; the sandbox takes the units off so a connector's
// stock reads right without one; see docs/vendor-gaps.md).
var statusActions = map[oms.Status]inventory.Action{
	oms.StatusPaymentApproved:      inventory.Confirm,
	oms.StatusAuthorizeFulfillment: inventory.Confirm,
	oms.StatusReadyForHandling:     inventory.Confirm,
	oms.StatusHandling:             inventory.Acknowledge,
	oms.StatusCanceled:             inventory.Release,
	oms.StatusInvoiced:             inventory.Consume,
}

// Link is the subscriber.
type Link struct {
	catalog   *catalog.Catalog
	inventory *inventory.Inventory
}

// New subscribes a link to bus.
func New(cat *catalog.Catalog, inv *inventory.Inventory, bus *events.Bus) *Link {
	l := &Link{catalog: cat, inventory: inv}
	bus.Subscribe(l.onEvent)
	return l
}

func (l *Link) onEvent(e events.Event) {
	switch e.Type {
	case events.OrderCreated:
		o, ok := e.Subject.(*oms.Order)
		if !ok {
			return
		}
		items := make([]oms.NewItem, len(o.Items))
		for i, it := range o.Items {
			items[i] = oms.NewItem{ID: it.ID, Quantity: it.Quantity}
		}
		wants := l.Wants(e.Account, items)
		if len(wants) == 0 {
			return
		}
		// Orders that reach here unrefused (seed, a marketplace import, an
		// allowOversell request) reserve what they need even if short.
		_, _ = l.inventory.Account(e.Account).Reserve(o.OrderID, o.SalesChannel, wants, true)
	case events.OrderStatusChanged:
		if act, ok := statusActions[oms.Status(e.To)]; ok {
			// A move the table lacks (confirming twice on the way to
			// ready-for-handling) changes nothing.
			_, _, _ = l.inventory.Account(e.Account).Fire(e.OrderID, act)
		}
	}
}

// Wants returns the catalog SKUs among items and their quantities.
func (l *Link) Wants(account string, items []oms.NewItem) []inventory.Want {
	cat := l.catalog.Account(account)
	var wants []inventory.Want
	for _, it := range items {
		if it.Quantity > 0 && cat.HasSKU(it.ID) {
			wants = append(wants, inventory.Want{SKU: it.ID, Quantity: it.Quantity})
		}
	}
	return wants
}

// CreateChecked runs create (which makes the order, whose event reserves)
// only if the account's stock covers the catalog SKUs among items, unless
// allowOversell; two checked creations of one account never interleave,
// so they cannot both take the last unit. A refusal is an
// *inventory.ShortError.
func (l *Link) CreateChecked(account string, items []oms.NewItem, allowOversell bool, create func() error) error {
	inv := l.inventory.Account(account)
	return inv.Gate(func() error {
		if wants := l.Wants(account, items); len(wants) > 0 && !allowOversell {
			if err := inv.Check(wants); err != nil {
				return err
			}
		}
		return create()
	})
}
