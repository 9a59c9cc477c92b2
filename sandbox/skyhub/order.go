package skyhub

import (
	"strings"
	"time"
)

// Calculation types of B2W Entrega.
const (
	CalcDirect   = "b2wentregadirect"
	CalcCorreios = "b2wentregacorreios"
	// FulfillmentMethod is the shipping method of orders B2W ships from its
	// own warehouse: never collected from the seller.
	FulfillmentMethod = "B2W Fulfillment"
)

// Order is a SkyHub order as GET /orders/{code} returns it. Money is in
// reais (decimal), as SkyHub sends it.
type Order struct {
	Code              string      `json:"code"`
	Channel           string      `json:"channel"`
	PlacedAt          string      `json:"placed_at"`
	UpdatedAt         string      `json:"updated_at"`
	ApprovedDate      *string     `json:"approved_date"`
	ImportedAt        string      `json:"imported_at"`
	ShippedDate       *string     `json:"shipped_date"`
	EstimatedDelivery string      `json:"estimated_delivery"`
	TotalOrdered      float64     `json:"total_ordered"`
	Interest          float64     `json:"interest"`
	Discount          float64     `json:"discount"`
	ShippingCost      float64     `json:"shipping_cost"`
	ShippingMethod    string      `json:"shipping_method"`
	ShippingCarrier   *string     `json:"shipping_carrier"`
	CalculationType   *string     `json:"calculation_type"`
	SyncStatus        string      `json:"sync_status"`
	ImportInfo        ImportInfo  `json:"import_info"`
	Customer          Customer    `json:"customer"`
	BillingAddress    Address     `json:"billing_address"`
	ShippingAddress   Address     `json:"shipping_address"`
	Items             []Item      `json:"items"`
	Status            Status      `json:"status"`
	Invoices          []Invoice   `json:"invoices"`
	Shipments         []Shipment  `json:"shipments"`
	Payments          []Payment   `json:"payments"`
	ShipmentException *Occurrence `json:"shipment_exception,omitempty"`

	plp                 int  // the PLP it is grouped in, 0 when none
	invoiceProcessed    bool // B2W has processed the Direct NF-e: the label is ready
	stockTaken          bool // its items' qty was taken from the catalog when it was paid
	collectionRequested bool
	remote              string
}

// ImportInfo carries the marketplace's own number.
type ImportInfo struct {
	SSName     string `json:"ss_name"`
	RemoteID   string `json:"remote_id"`
	RemoteCode string `json:"remote_code"`
}

// Customer is the buyer.
type Customer struct {
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	VatNumber string   `json:"vat_number"`
	Phones    []string `json:"phones"`
}

// Address is a billing or shipping address.
type Address struct {
	FullName     string `json:"full_name"`
	Street       string `json:"street"`
	Number       string `json:"number"`
	Detail       string `json:"detail"`
	Neighborhood string `json:"neighborhood"`
	City         string `json:"city"`
	Region       string `json:"region"`
	Country      string `json:"country"`
	Postcode     string `json:"postcode"`
	Phone        string `json:"phone"`
}

// Item is one line of the order.
type Item struct {
	ID            string  `json:"id"`
	ProductID     string  `json:"product_id"`
	Name          string  `json:"name"`
	Qty           int     `json:"qty"`
	OriginalPrice float64 `json:"original_price"`
	SpecialPrice  float64 `json:"special_price"`
	ShippingCost  float64 `json:"shipping_cost"`
}

// Invoice is an NF-e sent for the order.
type Invoice struct {
	Key       string `json:"key"`
	Number    string `json:"number"`
	Line      string `json:"line"`
	IssueDate string `json:"issue_date"`
	VolumeQty int    `json:"volume_qty"`
}

// Shipment is a tracking record.
type Shipment struct {
	Code   string         `json:"code"`
	Items  []ShipmentItem `json:"items"`
	Tracks []Track        `json:"tracks"`
}

// ShipmentItem is a shipped SKU.
type ShipmentItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Track is a carrier's tracking code.
type Track struct {
	Code    string `json:"code"`
	Carrier string `json:"carrier"`
	Method  string `json:"method"`
	URL     string `json:"url"`
}

// Payment is one payment of the order.
type Payment struct {
	Method      string  `json:"method"`
	Description string  `json:"description"`
	Parcels     int     `json:"parcels"`
	Value       float64 `json:"value"`
	Status      string  `json:"status"`
}

// Occurrence is a shipment exception.
type Occurrence struct {
	OccurrenceDate string `json:"occurrence_date"`
	Observation    string `json:"observation"`
}

// Remote returns the marketplace's bare number, as the PLP and Coleta
// routes use it.
func (o *Order) Remote() string { return o.remote }

func (o *Order) calc() string {
	if o.CalculationType == nil {
		return ""
	}
	return *o.CalculationType
}

func (o *Order) b2wEntrega() bool {
	return o.calc() == CalcDirect || o.calc() == CalcCorreios
}

func (o *Order) fulfilledByB2W() bool { return o.ShippingMethod == FulfillmentMethod }

// plpType is the PLP type the order groups into: DIRECT, CORREIOS or "".
func (o *Order) plpType() string {
	switch {
	case o.fulfilledByB2W():
		return ""
	case o.calc() == CalcDirect:
		return "DIRECT"
	case o.calc() == CalcCorreios:
		return "CORREIOS"
	}
	return ""
}

// groupable tells whether the label is ready and the order in no PLP:
// LabelReady tells whether B2W has processed the order's NF-e, so that
// its label exists: what VTEX's connector waits for before grouping a
// Direct order.
func (o *Order) LabelReady() bool { return o.invoiceProcessed }

// Correios from approval, Direct once the invoice is processed.
func (o *Order) groupable() bool {
	if o.plp != 0 {
		return false
	}
	switch o.plpType() {
	case "CORREIOS":
		return o.Status.Type == Approved || o.Status.Type == Invoiced
	case "DIRECT":
		return o.Status.Type == Invoiced && o.invoiceProcessed
	}
	return false
}

// RemoteOf strips the channel prefix of a code: "Lojas Americanas-
// 265358194401" → "265358194401"; the 2025 form with a "-01" delivery
// suffix keeps its suffix.
func RemoteOf(code string) string {
	parts := strings.Split(code, "-")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			return strings.Join(parts[i:], "-")
		}
	}
	return code
}

// skyhubTime is SkyHub's timestamp: ISO 8601 with the offset.
func skyhubTime(t time.Time) string {
	return t.In(saoPaulo).Format("2006-01-02T15:04:05-07:00")
}

// FormatTime writes t as SkyHub writes its times, in Brasília time.
func FormatTime(t time.Time) string { return skyhubTime(t) }

// saoPaulo is Brasília time (no daylight saving since 2019).
var saoPaulo = time.FixedZone("BRT", -3*60*60)

// Brasilia is the zone SkyHub's dates are in.
var Brasilia = saoPaulo
