package oms

import (
	"time"
)

// Time is a VTEX timestamp: ISO-8601 with an offset and seven fractional
// digits (.NET ticks), e.g. 2024-02-06T20:46:11.7010747+00:00.
type Time struct{ time.Time }

// TimeLayout is VTEX's timestamp layout.
const TimeLayout = "2006-01-02T15:04:05.0000000-07:00"

func (t Time) String() string { return t.UTC().Format(TimeLayout) }

// MarshalJSON writes the VTEX layout.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads any RFC 3339 timestamp, VTEX's included.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	v, err := time.Parse(`"`+time.RFC3339Nano+`"`, string(b))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Absent marks order sections VTEX sends as null when the order has none
// (tax data, subscriptions, gift registry...). The sandbox never fills them.
type Absent = *struct{}

// Order is a VTEX order document, field for field as Get order returns it.
// Money is in cents. The unexported fields are the sandbox's own.
type Order struct {
	OrderID                     string             `json:"orderId"`
	Sequence                    string             `json:"sequence"`
	MarketplaceOrderID          string             `json:"marketplaceOrderId"`
	MarketplaceServicesEndpoint string             `json:"marketplaceServicesEndpoint"`
	SellerOrderID               string             `json:"sellerOrderId"`
	Origin                      string             `json:"origin"`
	AffiliateID                 string             `json:"affiliateId"`
	SalesChannel                string             `json:"salesChannel"`
	MerchantName                *string            `json:"merchantName"`
	Status                      Status             `json:"status"`
	WorkflowIsInError           bool               `json:"workflowIsInError"`
	StatusDescription           string             `json:"statusDescription"`
	Value                       int64              `json:"value"`
	CreationDate                Time               `json:"creationDate"`
	LastChange                  Time               `json:"lastChange"`
	OrderGroup                  string             `json:"orderGroup"`
	FollowUpEmail               string             `json:"followUpEmail"`
	LastMessage                 *string            `json:"lastMessage"`
	Hostname                    string             `json:"hostname"`
	IsCompleted                 bool               `json:"isCompleted"`
	RoundingError               int64              `json:"roundingError"`
	OrderFormID                 string             `json:"orderFormId"`
	AllowCancellation           bool               `json:"allowCancellation"`
	AllowEdition                bool               `json:"allowEdition"`
	IsCheckedIn                 bool               `json:"isCheckedIn"`
	AuthorizedDate              *Time              `json:"authorizedDate"`
	InvoicedDate                *Time              `json:"invoicedDate"`
	CancelReason                *string            `json:"cancelReason"`
	CheckedInPickupPointID      *string            `json:"checkedInPickupPointId"`
	Totals                      []Total            `json:"totals"`
	Sellers                     []Seller           `json:"sellers"`
	ClientPreferencesData       *ClientPreferences `json:"clientPreferencesData"`
	CancellationData            *CancellationData  `json:"cancellationData"`
	TaxData                     Absent             `json:"taxData"`
	SubscriptionData            Absent             `json:"subscriptionData"`
	ItemMetadata                ItemMetadata       `json:"itemMetadata"`
	Marketplace                 *Marketplace       `json:"marketplace"`
	StorePreferencesData        *StorePreferences  `json:"storePreferencesData"`
	CustomData                  Absent             `json:"customData"`
	CommercialConditionData     *string            `json:"commercialConditionData"`
	// OpenTextField is free text the store attaches; B2B stores put the
	// buyer's purchase order (PO) number there.
	OpenTextField          *OpenText          `json:"openTextField"`
	InvoiceData            Absent             `json:"invoiceData"`
	ChangesAttachment      *ChangesAttachment `json:"changesAttachment"`
	CallCenterOperatorData Absent             `json:"callCenterOperatorData"`
	PackageAttachment      PackageAttachment  `json:"packageAttachment"`
	PaymentData            PaymentData        `json:"paymentData"`
	ShippingData           ShippingData       `json:"shippingData"`
	RatesAndBenefitsData   RatesAndBenefits   `json:"ratesAndBenefitsData"`
	MarketingData          *MarketingData     `json:"marketingData"`
	GiftRegistryData       Absent             `json:"giftRegistryData"`
	ClientProfileData      ClientProfile      `json:"clientProfileData"`
	Items                  []Item             `json:"items"`
	MarketplaceItems       []string           `json:"marketplaceItems"`

	channel  Channel
	shipping Shipping
}

// Channel is where an order was sold.
type Channel string

// Channels.
const (
	ChannelVTEX Channel = "vtex" // the store's own VTEX storefront
	ChannelB2W  Channel = "b2w"  // B2W / Americanas, through SkyHub
)

// Shipping is how a marketplace order is delivered.
type Shipping string

// Shipping modes of B2W orders.
const (
	ShippingStore    Shipping = ""         // the store's own carriers
	ShippingDirect   Shipping = "direct"   // B2W Entrega Direct: B2W collects
	ShippingCorreios Shipping = "correios" // B2W Entrega Correios: posted by the seller
)

// Channel returns where the order was sold.
func (o *Order) Channel() Channel { return o.channel }

// Shipping returns the order's delivery mode.
func (o *Order) Shipping() Shipping { return o.shipping }

// OutputInvoicedValue sums the Output invoices in packageAttachment.
func (o *Order) OutputInvoicedValue() int64 {
	var sum int64
	for _, p := range o.PackageAttachment.Packages {
		if p.Type == InvoiceOutput {
			sum += p.InvoiceValue
		}
	}
	return sum
}

// Total is one entry of the order's totals.
type Total struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// Seller is one seller of the order.
type Seller struct {
	ID                  string  `json:"id"`
	Name                string  `json:"name"`
	Logo                *string `json:"logo"`
	FulfillmentEndpoint string  `json:"fulfillmentEndpoint"`
}

// ClientPreferences is clientPreferencesData.
type ClientPreferences struct {
	Locale          string `json:"locale"`
	OptinNewsLetter bool   `json:"optinNewsLetter"`
}

// CancellationData records who canceled the order and why.
type CancellationData struct {
	RequestedByUser                bool    `json:"RequestedByUser"`
	RequestedBySystem              *bool   `json:"RequestedBySystem"`
	RequestedBySellerNotification  *bool   `json:"RequestedBySellerNotification"`
	RequestedByPaymentNotification *bool   `json:"RequestedByPaymentNotification"`
	Reason                         *string `json:"Reason"`
	CancellationDate               *string `json:"CancellationDate"`
}

// ItemMetadata is itemMetadata.
type ItemMetadata struct {
	Items []ItemMeta `json:"Items"`
}

// ItemMeta describes one SKU of the order.
type ItemMeta struct {
	ID              string   `json:"Id"`
	Seller          string   `json:"Seller"`
	Name            string   `json:"Name"`
	SkuName         string   `json:"SkuName"`
	ProductID       string   `json:"ProductId"`
	RefID           string   `json:"RefId"`
	Ean             string   `json:"Ean"`
	ImageURL        string   `json:"ImageUrl"`
	DetailURL       string   `json:"DetailUrl"`
	AssemblyOptions []string `json:"AssemblyOptions"`
}

// Marketplace is the marketplace the order came from.
type Marketplace struct {
	BaseURL     string `json:"baseURL"`
	IsCertified *bool  `json:"isCertified"`
	Name        string `json:"name"`
}

// StorePreferences is storePreferencesData.
type StorePreferences struct {
	CountryCode        string             `json:"countryCode"`
	CurrencyCode       string             `json:"currencyCode"`
	CurrencyFormatInfo CurrencyFormatInfo `json:"currencyFormatInfo"`
	CurrencyLocale     int                `json:"currencyLocale"`
	CurrencySymbol     string             `json:"currencySymbol"`
	TimeZone           string             `json:"timeZone"`
}

// CurrencyFormatInfo says how the store formats money.
type CurrencyFormatInfo struct {
	CurrencyDecimalDigits    int    `json:"CurrencyDecimalDigits"`
	CurrencyDecimalSeparator string `json:"CurrencyDecimalSeparator"`
	CurrencyGroupSeparator   string `json:"CurrencyGroupSeparator"`
	CurrencyGroupSize        int    `json:"CurrencyGroupSize"`
	StartsWithCurrencySymbol bool   `json:"StartsWithCurrencySymbol"`
}

// ChangesAttachment lists the registered changes of the order.
type ChangesAttachment struct {
	ID          string        `json:"id"`
	ChangesData []ChangesData `json:"changesData"`
}

// ChangesData is one registered change.
type ChangesData struct {
	Reason         string        `json:"reason"`
	DiscountValue  int64         `json:"discountValue"`
	IncrementValue int64         `json:"incrementValue"`
	ItemsAdded     []ChangedItem `json:"itemsAdded"`
	ItemsRemoved   []ChangedItem `json:"itemsRemoved"`
	Receipt        Receipt       `json:"receipt"`

	requestID string // the first request with it took effect
}

// ChangedItem is an item added or removed by a change.
type ChangedItem struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Quantity       int     `json:"quantity"`
	Price          int64   `json:"price"`
	UnitMultiplier *string `json:"unitMultiplier"`
}

// Receipt is VTEX's answer to order operations: {date, orderId, receipt}.
type Receipt struct {
	Date    Time   `json:"date"`
	OrderID string `json:"orderId"`
	Receipt string `json:"receipt"`
}

// Invoice types.
const (
	InvoiceOutput = "Output" // sale
	InvoiceInput  = "Input"  // return
)

// PackageAttachment holds the order's invoices.
type PackageAttachment struct {
	Packages []Package `json:"packages"`
}

// Package is one invoice of the order.
type Package struct {
	Items           []PackageItem  `json:"items"`
	Courier         *string        `json:"courier"`
	InvoiceNumber   string         `json:"invoiceNumber"`
	InvoiceValue    int64          `json:"invoiceValue"`
	InvoiceURL      *string        `json:"invoiceUrl"`
	IssuanceDate    string         `json:"issuanceDate"`
	TrackingNumber  *string        `json:"trackingNumber"`
	InvoiceKey      *string        `json:"invoiceKey"`
	TrackingURL     *string        `json:"trackingUrl"`
	EmbeddedInvoice string         `json:"embeddedInvoice"`
	Type            string         `json:"type"`
	CourierStatus   *CourierStatus `json:"courierStatus"`
	Cfop            *string        `json:"cfop"`
	Volumes         int            `json:"volumes"`

	// dispatchedDate is kept though VTEX's order document has no field for
	// it: clients send it with the invoice and the tracking update.
	dispatchedDate *string
}

// PackageItem is an invoiced item: its index in the order's items.
type PackageItem struct {
	ItemIndex   int     `json:"itemIndex"`
	Quantity    int     `json:"quantity"`
	Price       int64   `json:"price"`
	Description *string `json:"description"`
}

// CourierStatus is the delivery tracking of a package.
type CourierStatus struct {
	Status        *string         `json:"status"`
	Finished      bool            `json:"finished"`
	DeliveredDate string          `json:"deliveredDate"`
	Data          []TrackingEvent `json:"data"`
}

// TrackingEvent is one carrier event.
type TrackingEvent struct {
	City        string `json:"city"`
	State       string `json:"state"`
	Description string `json:"description"`
	Date        string `json:"date"`
}

// PaymentData is paymentData.
type PaymentData struct {
	GiftCards    []string      `json:"giftCards"`
	Transactions []Transaction `json:"transactions"`
}

// Transaction is one payment transaction.
type Transaction struct {
	IsActive      bool      `json:"isActive"`
	TransactionID string    `json:"transactionId"`
	MerchantName  string    `json:"merchantName"`
	Payments      []Payment `json:"payments"`
}

// Payment is one payment of a transaction.
type Payment struct {
	ID                 string            `json:"id"`
	PaymentSystem      string            `json:"paymentSystem"`
	PaymentSystemName  string            `json:"paymentSystemName"`
	Value              int64             `json:"value"`
	Installments       int               `json:"installments"`
	ReferenceValue     int64             `json:"referenceValue"`
	CardHolder         *string           `json:"cardHolder"`
	CardNumber         *string           `json:"cardNumber"`
	FirstDigits        *string           `json:"firstDigits"`
	LastDigits         *string           `json:"lastDigits"`
	Cvv2               *string           `json:"cvv2"`
	ExpireMonth        *string           `json:"expireMonth"`
	ExpireYear         *string           `json:"expireYear"`
	URL                *string           `json:"url"`
	GiftCardID         *string           `json:"giftCardId"`
	GiftCardName       *string           `json:"giftCardName"`
	GiftCardCaption    *string           `json:"giftCardCaption"`
	RedemptionCode     *string           `json:"redemptionCode"`
	Group              string            `json:"group"`
	Tid                string            `json:"tid"`
	DueDate            *string           `json:"dueDate"`
	ConnectorResponses map[string]string `json:"connectorResponses"`
	BillingAddress     Absent            `json:"billingAddress"`
}

// ShippingData is shippingData.
type ShippingData struct {
	ID                 string          `json:"id"`
	Address            Address         `json:"address"`
	LogisticsInfo      []LogisticsInfo `json:"logisticsInfo"`
	TrackingHints      Absent          `json:"trackingHints"`
	SelectedAddresses  []Address       `json:"selectedAddresses"`
	ContactInformation []string        `json:"contactInformation"`
}

// Address is a delivery address.
type Address struct {
	AddressType    string    `json:"addressType"`
	ReceiverName   string    `json:"receiverName"`
	AddressID      string    `json:"addressId"`
	VersionID      *string   `json:"versionId"`
	EntityID       *string   `json:"entityId"`
	PostalCode     string    `json:"postalCode"`
	City           string    `json:"city"`
	State          string    `json:"state"`
	Country        string    `json:"country"`
	Street         string    `json:"street"`
	Number         string    `json:"number"`
	Neighborhood   string    `json:"neighborhood"`
	Complement     string    `json:"complement"`
	Reference      *string   `json:"reference"`
	GeoCoordinates []float64 `json:"geoCoordinates"`
}

// LogisticsInfo is the shipping choice of one item.
type LogisticsInfo struct {
	ItemIndex               int               `json:"itemIndex"`
	SelectedSLA             string            `json:"selectedSla"`
	LockTTL                 string            `json:"lockTTL"`
	Price                   int64             `json:"price"`
	ListPrice               int64             `json:"listPrice"`
	SellingPrice            int64             `json:"sellingPrice"`
	DeliveryWindow          Absent            `json:"deliveryWindow"`
	DeliveryCompany         string            `json:"deliveryCompany"`
	ShippingEstimate        string            `json:"shippingEstimate"`
	ShippingEstimateDate    string            `json:"shippingEstimateDate"`
	SLAs                    []SLA             `json:"slas"`
	ShipsTo                 []string          `json:"shipsTo"`
	DeliveryIDs             []DeliveryID      `json:"deliveryIds"`
	DeliveryChannels        []DeliveryChannel `json:"deliveryChannels"`
	SelectedDeliveryChannel string            `json:"selectedDeliveryChannel"`
	PickupStoreInfo         *PickupStoreInfo  `json:"pickupStoreInfo"`
	AddressID               *string           `json:"addressId"`
	VersionID               *string           `json:"versionId"`
	EntityID                *string           `json:"entityId"`
	PolygonName             *string           `json:"polygonName"`
	PickupPointID           *string           `json:"pickupPointId"`
	TransitTime             *string           `json:"transitTime"`
}

// SLA is one shipping option offered for an item.
type SLA struct {
	ID                      string           `json:"id"`
	Name                    string           `json:"name"`
	ShippingEstimate        string           `json:"shippingEstimate"`
	DeliveryWindow          Absent           `json:"deliveryWindow"`
	Price                   int64            `json:"price"`
	SelectedDeliveryChannel string           `json:"selectedDeliveryChannel"`
	PickupStoreInfo         *PickupStoreInfo `json:"pickupStoreInfo"`
	PolygonName             *string          `json:"polygonName"`
	LockTTL                 string           `json:"lockTTL"`
	TransitTime             string           `json:"transitTime"`
	PickupDistance          float64          `json:"pickupDistance"`
}

// PickupStoreInfo describes a pickup point; empty for home delivery.
type PickupStoreInfo struct {
	AdditionalInfo *string `json:"additionalInfo"`
	Address        *string `json:"address"`
	DockID         *string `json:"dockId"`
	FriendlyName   *string `json:"friendlyName"`
	IsPickupStore  bool    `json:"isPickupStore"`
}

// DeliveryID says which carrier, dock and warehouse deliver an item.
type DeliveryID struct {
	CourierID          string   `json:"courierId"`
	CourierName        string   `json:"courierName"`
	DockID             string   `json:"dockId"`
	Quantity           int      `json:"quantity"`
	WarehouseID        string   `json:"warehouseId"`
	AccountCarrierName string   `json:"accountCarrierName"`
	KitItemDetails     []string `json:"kitItemDetails"`
}

// DeliveryChannel is a delivery channel and its stock.
type DeliveryChannel struct {
	ID           string `json:"id"`
	StockBalance int    `json:"stockBalance"`
}

// RatesAndBenefits is ratesAndBenefitsData.
type RatesAndBenefits struct {
	ID                         string   `json:"id"`
	RateAndBenefitsIdentifiers []string `json:"rateAndBenefitsIdentifiers"`
}

// OpenText is openTextField: {"value": "..."}.
type OpenText struct {
	Value string `json:"value"`
}

// MarketingData is marketingData: the UTMs the order came with. VTEX's B2B
// Suite writes the buyer's organization as utmCampaign and cost center as
// utmMedium, and filters orders on them. Unset values are "" (VTEX's
// document types them as strings).
type MarketingData struct {
	ID            string   `json:"id"`
	UtmSource     string   `json:"utmSource"`
	UtmPartner    string   `json:"utmPartner"`
	UtmMedium     string   `json:"utmMedium"`
	UtmCampaign   string   `json:"utmCampaign"`
	Coupon        string   `json:"coupon"`
	UtmiCampaign  string   `json:"utmiCampaign"`
	Utmipage      string   `json:"utmipage"`
	UtmiPart      string   `json:"utmiPart"`
	MarketingTags []string `json:"marketingTags"`
}

// ClientProfile is clientProfileData.
type ClientProfile struct {
	ID                 string  `json:"id"`
	Email              string  `json:"email"`
	FirstName          string  `json:"firstName"`
	LastName           string  `json:"lastName"`
	DocumentType       string  `json:"documentType"`
	Document           string  `json:"document"`
	Phone              string  `json:"phone"`
	CorporateName      *string `json:"corporateName"`
	TradeName          *string `json:"tradeName"`
	CorporateDocument  *string `json:"corporateDocument"`
	StateInscription   *string `json:"stateInscription"`
	CorporatePhone     *string `json:"corporatePhone"`
	IsCorporate        bool    `json:"isCorporate"`
	UserProfileID      string  `json:"userProfileId"`
	UserProfileVersion *string `json:"userProfileVersion"`
	CustomerClass      *string `json:"customerClass"`
	CustomerCode       *string `json:"customerCode"`
}

// Item is one line of the order.
type Item struct {
	UniqueID              string           `json:"uniqueId"`
	ID                    string           `json:"id"`
	ProductID             string           `json:"productId"`
	Ean                   *string          `json:"ean"`
	LockID                string           `json:"lockId"`
	ItemAttachment        ItemAttachment   `json:"itemAttachment"`
	Attachments           []string         `json:"attachments"`
	Quantity              int              `json:"quantity"`
	Seller                string           `json:"seller"`
	Name                  string           `json:"name"`
	RefID                 string           `json:"refId"`
	Price                 int64            `json:"price"`
	ListPrice             int64            `json:"listPrice"`
	ManualPrice           *string          `json:"manualPrice"`
	PriceTags             []string         `json:"priceTags"`
	ImageURL              string           `json:"imageUrl"`
	DetailURL             string           `json:"detailUrl"`
	Components            []string         `json:"components"`
	BundleItems           []string         `json:"bundleItems"`
	Params                []string         `json:"params"`
	Offerings             []string         `json:"offerings"`
	SellerSku             string           `json:"sellerSku"`
	PriceValidUntil       *string          `json:"priceValidUntil"`
	Commission            int64            `json:"commission"`
	Tax                   int64            `json:"tax"`
	PreSaleDate           *string          `json:"preSaleDate"`
	AdditionalInfo        *ItemInfo        `json:"additionalInfo"`
	MeasurementUnit       string           `json:"measurementUnit"`
	UnitMultiplier        int              `json:"unitMultiplier"`
	SellingPrice          int64            `json:"sellingPrice"`
	IsGift                bool             `json:"isGift"`
	ShippingPrice         *string          `json:"shippingPrice"`
	RewardValue           int64            `json:"rewardValue"`
	FreightCommission     int64            `json:"freightCommission"`
	PriceDefinitions      PriceDefinitions `json:"priceDefinitions"`
	TaxCode               *string          `json:"taxCode"`
	ParentItemIndex       *int             `json:"parentItemIndex"`
	ParentAssemblyBinding *string          `json:"parentAssemblyBinding"`
	CallCenterOperator    *string          `json:"callCenterOperator"`
	SerialNumbers         *string          `json:"serialNumbers"`
	Assemblies            []string         `json:"assemblies"`
	CostPrice             int64            `json:"costPrice"`
}

// ItemAttachment is an item's customization; empty in the sandbox.
type ItemAttachment struct {
	Content struct{} `json:"content"`
	Name    *string  `json:"name"`
}

// ItemInfo is an item's additionalInfo.
type ItemInfo struct {
	BrandName             string        `json:"brandName"`
	BrandID               string        `json:"brandId"`
	CategoriesIDs         string        `json:"categoriesIds"`
	ProductClusterID      string        `json:"productClusterId"`
	CommercialConditionID string        `json:"commercialConditionId"`
	Dimension             ItemDimension `json:"dimension"`
	OfferingInfo          *string       `json:"offeringInfo"`
	OfferingType          *string       `json:"offeringType"`
	OfferingTypeID        *string       `json:"offeringTypeId"`
}

// ItemDimension is an item's package size (cm) and weight (g).
type ItemDimension struct {
	Cubicweight float64 `json:"cubicweight"`
	Height      int     `json:"height"`
	Length      int     `json:"length"`
	Weight      int     `json:"weight"`
	Width       int     `json:"width"`
}

// PriceDefinitions breaks an item's selling price down.
type PriceDefinitions struct {
	SellingPrices          []SellingPrice `json:"sellingPrices"`
	CalculatedSellingPrice int64          `json:"calculatedSellingPrice"`
	Total                  int64          `json:"total"`
}

// SellingPrice is one price tier of an item.
type SellingPrice struct {
	Value    int64 `json:"value"`
	Quantity int   `json:"quantity"`
}
