package inventory

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Balance is the stock of one SKU in one warehouse.
type Balance struct {
	SKU       string
	Warehouse string
	// Total is the count the ERP wrote (UnlimitedQuantity when unlimited).
	Total     int
	Reserved  int
	Unlimited bool
	LeadTime  time.Duration
	// Supply is dateUtcOnBalanceSystem of the last count (zero: none).
	Supply    time.Time
	lastWrite time.Time
	written   bool
}

// Available is total − reserved; it goes negative when the ERP counts
// fewer units than are reserved, as VTEX's does.
func (b Balance) Available() int { return b.Total - b.Reserved }

// Count is a stock write: PUT .../warehouses/{id} (every field) or PATCH
// .../quantity (lead time untouched).
type Count struct {
	Quantity  int
	Unlimited bool
	// LeadTime is set only by PUT (nil: untouched).
	LeadTime *time.Duration
	Supply   time.Time
}

// LockKey is the key VTEX names in its 423 text.
func LockKey(account, sku, warehouse string) string {
	return account + "_item_logistics_" + sku + "_" + warehouse
}

// write runs fn on the balance of sku in warehouse under the lock window:
// a write less than LockWindow after the previous accepted one is refused
// (423) and discarded, as VTEX keeps only the first. The caller holds a.mu.
func (a *Account) write(sku, warehouse string, fn func(b *Balance)) (*Balance, error) {
	if err := checkSKU(sku); err != nil {
		return nil, err
	}
	if a.warehouses[warehouse] == nil {
		return nil, fail(NotFound, "Warehouse %q not found", warehouse)
	}
	now := a.inv.now()
	k := key{sku, warehouse}
	b := a.balances[k]
	if b != nil && b.written && a.inv.opts.LockWindow > 0 && now.Sub(b.lastWrite) < a.inv.opts.LockWindow {
		return nil, fail(Locked, "Unable to acquire lock for key: %s.", LockKey(a.name, sku, warehouse))
	}
	if b == nil {
		b = &Balance{SKU: sku, Warehouse: warehouse}
		a.balances[k] = b
	}
	b.lastWrite, b.written = now, true
	fn(b)
	return b, nil
}

// checkSKU: Logistics types skuId as a string; the catalog's ids are
// positive integers up to 2,147,483,647.
func checkSKU(sku string) error {
	n, err := strconv.ParseInt(sku, 10, 64)
	if err != nil || n < 1 || n > MaxQuantity {
		return fail(Invalid, "skuId: %q is not a SKU id (1 to 2147483647)", sku)
	}
	return nil
}

// SetCount writes the count of sku in warehouse. Unlimited pins the total
// at UnlimitedQuantity. A count zeroes the acknowledged reservations of
// that SKU and warehouse (Help Center "How does reservation work": the
// ERP's count already leaves out the units it handles). A count equal to
// the current one with no acknowledged reservation changes nothing.
func (a *Account) SetCount(sku, warehouse string, c Count) (Balance, error) {
	if c.Quantity < 0 || c.Quantity > MaxQuantity {
		return Balance{}, fail(Invalid, "quantity: %d is outside 0 to %d", c.Quantity, MaxQuantity)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var changed bool
	var cleared []*Reservation
	b, err := a.write(sku, warehouse, func(b *Balance) {
		total := c.Quantity
		if c.Unlimited {
			total = UnlimitedQuantity
		}
		cleared = a.clearAcknowledged(b)
		changed = len(cleared) > 0 || total != b.Total || c.Unlimited != b.Unlimited ||
			(c.LeadTime != nil && *c.LeadTime != b.LeadTime)
		b.Total, b.Unlimited = total, c.Unlimited
		if c.LeadTime != nil {
			b.LeadTime = *c.LeadTime
		}
		if !c.Supply.IsZero() {
			b.Supply = c.Supply
		}
	})
	if err != nil {
		return Balance{}, err
	}
	for _, r := range cleared {
		a.publish(ReservationCleared, r.OrderID, map[string]any{"reservationId": r.ID, "sku": sku, "warehouseId": warehouse})
	}
	if changed {
		a.publishBalance(b)
	}
	return *b, nil
}

// SetLeadTime writes the lead time alone (PATCH .../lead-time).
func (a *Account) SetLeadTime(sku, warehouse string, d time.Duration) (Balance, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var changed bool
	b, err := a.write(sku, warehouse, func(b *Balance) {
		changed = b.LeadTime != d
		b.LeadTime = d
	})
	if err != nil {
		return Balance{}, err
	}
	if changed {
		a.publishBalance(b)
	}
	return *b, nil
}

func (a *Account) publishBalance(b *Balance) {
	a.publish(Updated, "", map[string]any{"sku": b.SKU, "warehouseId": b.Warehouse, "totalQuantity": b.Total,
		"reservedQuantity": b.Reserved, "availableQuantity": b.Available(), "unlimitedQuantity": b.Unlimited})
}

// WarehouseBalance is one warehouse's row of a SKU's balance.
type WarehouseBalance struct {
	Balance
	WarehouseName string
}

// Balances returns a SKU's balance in every warehouse that has one, by
// warehouse id.
func (a *Account) Balances(sku string) ([]WarehouseBalance, error) {
	if err := checkSKU(sku); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []WarehouseBalance
	for _, wid := range sortedKeys(a.warehouses) {
		if b := a.balances[key{sku, wid}]; b != nil {
			out = append(out, WarehouseBalance{Balance: *b, WarehouseName: a.warehouses[wid].Name})
		}
	}
	return out, nil
}

// Balance returns the balance of a SKU in one warehouse.
func (a *Account) Balance(sku, warehouse string) (Balance, error) {
	if err := checkSKU(sku); err != nil {
		return Balance{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.warehouses[warehouse] == nil {
		return Balance{}, fail(NotFound, "Warehouse %q not found", warehouse)
	}
	b := a.balances[key{sku, warehouse}]
	if b == nil {
		return Balance{}, fail(NotFound, "SKU %s has no stock in warehouse %q", sku, warehouse)
	}
	return *b, nil
}

// SKUs lists the SKUs that have a balance, in id order.
func (a *Account) SKUs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for k := range a.balances {
		if !seen[k.sku] {
			seen[k.sku] = true
			out = append(out, k.sku)
		}
	}
	sortNumeric(out)
	return out
}

// ParseLeadTime reads VTEX's .NET TimeSpan: "D.HH:MM:SS", "HH:MM:SS" or
// "D" (days). Per VTEX's release note, "78:00:00" reads as 78 days: the
// first field of a three-part value above 23 is days.
func ParseLeadTime(s string) (time.Duration, error) {
	bad := fmt.Errorf("leadTime: %q is not a time span such as \"1.12:00:00\" or \"3\"", s)
	if s == "" || len(s) > 20 {
		return 0, bad
	}
	num := func(t string, limit int) (int, bool) {
		n, err := strconv.Atoi(t)
		return n, err == nil && n >= 0 && n <= limit && t == strings.TrimSpace(t) && !strings.HasPrefix(t, "+")
	}
	days, rest, hasDays := strings.Cut(s, ".")
	if !hasDays {
		if !strings.Contains(s, ":") {
			d, ok := num(s, 3650)
			if !ok {
				return 0, bad
			}
			return time.Duration(d) * 24 * time.Hour, nil
		}
		days, rest = "0", s
	}
	d, ok := num(days, 3650)
	parts := strings.Split(rest, ":")
	if !ok || len(parts) != 3 {
		return 0, bad
	}
	h, ok1 := num(parts[0], 3650)
	m, ok2 := num(parts[1], 59)
	sec, ok3 := num(parts[2], 59)
	if !ok1 || !ok2 || !ok3 {
		return 0, bad
	}
	if !hasDays && h > 23 {
		d, h = h, 0
	} else if h > 23 {
		return 0, bad
	}
	return time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
}

// FormatLeadTime writes a duration as VTEX does: "D.HH:MM:SS", or
// "HH:MM:SS" under a day.
func FormatLeadTime(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hms := fmt.Sprintf("%02d:%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
	if days > 0 {
		return strconv.Itoa(days) + "." + hms
	}
	return hms
}

func sortNumeric(s []string) {
	sort.Slice(s, func(i, j int) bool {
		if len(s[i]) != len(s[j]) {
			return len(s[i]) < len(s[j])
		}
		return s[i] < s[j]
	})
}
