package oms

import (
	"fmt"
	"github.com/omsbox/omsbox/sandbox/money"
	"slices"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
)

// changeable lists the statuses in which VTEX registers changes (VTEX's
// "Change order" guide: handling, and the WMS and pick-and-pack steps).
var changeable = []Status{StatusHandling, StatusWaitingForFulfillment, StatusReadyForInvoicing}

// MaxChanges is how many changes VTEX registers on one order.
const MaxChanges = 50

// ChangeRequest is the body of POST .../changes.
type ChangeRequest struct {
	RequestID      string       `json:"requestId"`
	Reason         string       `json:"reason"`
	DiscountValue  Cents        `json:"discountValue"`
	IncrementValue Cents        `json:"incrementValue"`
	ItemsRemoved   []ChangeItem `json:"itemsRemoved"`
	ItemsAdded     []ChangeItem `json:"itemsAdded"`
}

// ChangeItem is an item added to or removed from the order.
type ChangeItem struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Price    Cents  `json:"price"`
	Quantity int    `json:"quantity"`
}

// Change registers a change of the order: items removed or added, a
// discount or an increment. Only the first request with a requestId takes
// effect; a repeat answers the first receipt and changes nothing. The new
// value is old + increment - discount + added - removed.
func (a *Account) Change(id string, req ChangeRequest) (Receipt, error) {
	var r Receipt
	err := a.mutate(id, func(o *Order, now time.Time) error {
		if prev, ok := o.changeByRequest(req.RequestID); ok {
			r = prev.Receipt
			return nil
		}
		delta, err := o.checkChange(&req)
		if err != nil {
			return err
		}
		r = a.receipt(o, now)
		o.applyChange(&req, delta, r)
		o.LastChange = Time{now}
		a.publish(o, events.Event{Type: events.OrderChanged, Data: map[string]any{
			"requestId": req.RequestID, "value": o.Value, "delta": delta}}, now)
		a.settleInvoices(o, now)
		return nil
	})
	return r, err
}

func (o *Order) changeByRequest(requestID string) (*ChangesData, bool) {
	if o.ChangesAttachment == nil || requestID == "" {
		return nil, false
	}
	for i := range o.ChangesAttachment.ChangesData {
		if o.ChangesAttachment.ChangesData[i].requestID == requestID {
			return &o.ChangesAttachment.ChangesData[i], true
		}
	}
	return nil, false
}

// checkChange validates a change and returns how much it moves the value.
func (o *Order) checkChange(req *ChangeRequest) (int64, error) {
	if !slices.Contains(changeable, o.Status) {
		names := make([]string, len(changeable))
		for i, s := range changeable {
			names[i] = string(s)
		}
		return 0, &Error{Kind: KindConflict, Code: CodeIllegalTransition,
			Message: fmt.Sprintf("Order status should be %s to perform this action", strings.Join(names, " or ")),
			Detail:  fmt.Sprintf("order %s is %s", o.OrderID, o.Status)}
	}
	switch {
	case strings.TrimSpace(req.RequestID) == "":
		return 0, invalid("requestId is empty")
	case strings.TrimSpace(req.Reason) == "":
		return 0, invalid("reason is empty")
	case req.DiscountValue < 0 || req.IncrementValue < 0:
		return 0, invalid("discountValue and incrementValue must not be negative")
	case o.ChangesAttachment != nil && len(o.ChangesAttachment.ChangesData) >= MaxChanges:
		return 0, invalid("order %s has %d changes already, the most VTEX accepts", o.OrderID, MaxChanges)
	case money.Cents("discountValue", int64(req.DiscountValue)) != nil:
		return 0, invalid("%v", money.Cents("discountValue", int64(req.DiscountValue)))
	case money.Cents("incrementValue", int64(req.IncrementValue)) != nil:
		return 0, invalid("%v", money.Cents("incrementValue", int64(req.IncrementValue)))
	case int64(req.DiscountValue) >= o.Value:
		return 0, invalid("discountValue %d must be smaller than the order value %d", req.DiscountValue, o.Value)
	}
	delta := int64(req.IncrementValue) - int64(req.DiscountValue)
	invoiced := o.invoicedQuantities(-1)
	left := make([]int, len(o.Items))
	for i, it := range o.Items {
		left[i] = it.Quantity - invoiced[i]
	}
	for k, it := range req.ItemsRemoved {
		if err := checkChangeItem("itemsRemoved", k, it); err != nil {
			return 0, err
		}
		want := it.Quantity
		for i := range o.Items {
			if o.Items[i].ID == it.ID {
				n := min(want, left[i])
				left[i] -= n
				want -= n
			}
		}
		if want > 0 {
			return 0, invalid("itemsRemoved[%d]: the order has fewer than %d uninvoiced units of %q", k, it.Quantity, it.ID)
		}
		line, err := lineValue("itemsRemoved", k, it)
		if err != nil {
			return 0, err
		}
		if delta -= line; delta < -money.MaxCents {
			return 0, invalid("itemsRemoved[%d]: the change would take more than the order's value", k)
		}
	}
	for k, it := range req.ItemsAdded {
		if err := checkChangeItem("itemsAdded", k, it); err != nil {
			return 0, err
		}
		line, err := lineValue("itemsAdded", k, it)
		if err != nil {
			return 0, err
		}
		if delta += line; delta > money.MaxCents {
			return 0, invalid("itemsAdded[%d]: the change would bring the order value past the bound of %d cents", k, money.MaxCents)
		}
	}
	// Each step kept delta within ±MaxCents, so the sum below cannot wrap.
	if o.Value+delta > money.MaxCents {
		return 0, invalid("the change would bring the order value to %d, past the bound of %d cents", o.Value+delta, money.MaxCents)
	}
	if o.Value+delta <= 0 {
		return 0, invalid("the change would bring the order value to %d; it must stay positive", o.Value+delta)
	}
	return delta, nil
}

func checkChangeItem(list string, k int, it ChangeItem) error {
	switch {
	case strings.TrimSpace(it.ID) == "":
		return invalid("%s[%d].id is empty", list, k)
	case it.Quantity < 1:
		return invalid("%s[%d].quantity must be at least 1", list, k)
	case it.Price < 0:
		return invalid("%s[%d].price must not be negative", list, k)
	}
	return nil
}

// lineValue is price × quantity of a changed line, refused past the
// money bounds.
func lineValue(list string, k int, it ChangeItem) (int64, error) {
	var sum money.Sum
	sum.Add(fmt.Sprintf("%s[%d]", list, k), int64(it.Price), it.Quantity)
	v, err := sum.Total()
	if err != nil {
		return 0, invalid("%v", err)
	}
	return v, nil
}

// applyChange changes items, totals and value, and records the change.
// Removed lines keep their place with quantity 0, so that invoices keep
// pointing at the right itemIndex.
func (o *Order) applyChange(req *ChangeRequest, delta int64, r Receipt) {
	var added, removed []ChangedItem
	invoiced := o.invoicedQuantities(-1)
	for _, it := range req.ItemsRemoved {
		want := it.Quantity
		for i := range o.Items {
			if o.Items[i].ID != it.ID || want == 0 {
				continue
			}
			n := min(want, o.Items[i].Quantity-invoiced[i])
			o.Items[i].Quantity -= n
			o.Items[i].PriceDefinitions.Total = o.Items[i].SellingPrice * int64(o.Items[i].Quantity)
			want -= n
		}
		removed = append(removed, ChangedItem{ID: it.ID, Name: o.itemName(it.ID, it.Name), Quantity: it.Quantity, Price: int64(it.Price)})
	}
	for _, it := range req.ItemsAdded {
		name := o.itemName(it.ID, it.Name)
		if i := slices.IndexFunc(o.Items, func(x Item) bool { return x.ID == it.ID && x.Price == int64(it.Price) }); i >= 0 {
			o.Items[i].Quantity += it.Quantity
			o.Items[i].PriceDefinitions.Total = o.Items[i].SellingPrice * int64(o.Items[i].Quantity)
		} else {
			o.addItem(it, name)
		}
		added = append(added, ChangedItem{ID: it.ID, Name: name, Quantity: it.Quantity, Price: int64(it.Price)})
	}
	itemsDelta := delta - int64(req.IncrementValue) + int64(req.DiscountValue)
	for i := range o.Totals {
		switch o.Totals[i].ID {
		case "Items":
			o.Totals[i].Value += itemsDelta + int64(req.IncrementValue)
		case "Discounts":
			o.Totals[i].Value -= int64(req.DiscountValue)
		}
	}
	o.Value += delta
	if o.ChangesAttachment == nil {
		o.ChangesAttachment = &ChangesAttachment{ID: "changeAttachment"}
	}
	if added == nil {
		added = []ChangedItem{}
	}
	if removed == nil {
		removed = []ChangedItem{}
	}
	o.ChangesAttachment.ChangesData = append(o.ChangesAttachment.ChangesData, ChangesData{
		Reason: req.Reason, DiscountValue: int64(req.DiscountValue), IncrementValue: int64(req.IncrementValue),
		ItemsAdded: added, ItemsRemoved: removed, Receipt: r, requestID: req.RequestID,
	})
}

func (o *Order) itemName(id, given string) string {
	if given != "" {
		return given
	}
	for _, it := range o.Items {
		if it.ID == id {
			return it.Name
		}
	}
	return id
}

// addItem appends a line for a SKU the order did not have, shaped like
// the others.
func (o *Order) addItem(it ChangeItem, name string) {
	line := o.Items[0]
	line.ID, line.Name, line.RefID, line.SellerSku, line.Ean = it.ID, name, it.ID, it.ID, nil
	line.Quantity, line.Price, line.ListPrice, line.SellingPrice = it.Quantity, int64(it.Price), int64(it.Price), int64(it.Price)
	line.UniqueID = fmt.Sprintf("%s-%d", o.OrderID, len(o.Items))
	line.PriceDefinitions = PriceDefinitions{SellingPrices: []SellingPrice{{Value: int64(it.Price), Quantity: it.Quantity}},
		CalculatedSellingPrice: int64(it.Price), Total: int64(it.Price) * int64(it.Quantity)}
	o.Items = append(o.Items, line)
	o.ItemMetadata.Items = append(o.ItemMetadata.Items, ItemMeta{ID: it.ID, Seller: "1", Name: name, SkuName: name,
		ProductID: line.ProductID, RefID: it.ID, ImageURL: line.ImageURL, DetailURL: line.DetailURL, AssemblyOptions: []string{}})
	li := o.ShippingData.LogisticsInfo[0]
	li.ItemIndex, li.Price, li.ListPrice, li.SellingPrice = len(o.Items)-1, 0, 0, 0
	li.SLAs = []SLA{{ID: "Normal", Name: "Normal", ShippingEstimate: "5bd", SelectedDeliveryChannel: "delivery",
		PickupStoreInfo: &homeDelivery, LockTTL: "10d", TransitTime: "5bd"}}
	li.DeliveryIDs = []DeliveryID{{CourierID: "1", CourierName: li.DeliveryCompany, DockID: "1", Quantity: it.Quantity,
		WarehouseID: "1_1", AccountCarrierName: o.Hostname, KitItemDetails: []string{}}}
	o.ShippingData.LogisticsInfo = append(o.ShippingData.LogisticsInfo, li)
}
