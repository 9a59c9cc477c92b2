package oms

import (
	"cmp"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/money"
	"slices"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
)

// NewOrder describes an order to create: what a shopper bought and how.
// Everything but Items is optional; the sandbox fills the rest with
// realistic, deterministic data.
type NewOrder struct {
	Channel  Channel  `json:"channel,omitempty"`
	Shipping Shipping `json:"shipping,omitempty"`
	// Status is where the order should stand once created; the order walks
	// the transition table to get there. Default ready-for-handling.
	Status   Status    `json:"status,omitempty"`
	Customer *Customer `json:"customer,omitempty"`
	// MarketingData carries the UTMs; a B2B order names its organization
	// (utmCampaign) and cost center (utmMedium).
	MarketingData *NewMarketing `json:"marketingData,omitempty"`
	// PurchaseOrder is the buyer's own number for a B2B order (its PO),
	// kept in openTextField.
	PurchaseOrder string      `json:"purchaseOrder,omitempty"`
	Address       *NewAddress `json:"address,omitempty"`
	Payment       string      `json:"payment,omitempty"`
	ShippingPrice *int64      `json:"shippingPrice,omitempty"`
	Items         []NewItem   `json:"items"`
	// MarketplaceOrderID is the marketplace's code of a marketplace order
	// (for B2W, the SkyHub order code). Generated when empty.
	MarketplaceOrderID string `json:"marketplaceOrderId,omitempty"`
	// CreatedAt backdates the order (seed data); zero means now.
	CreatedAt time.Time `json:"-"`
}

// Customer is the shopper of a new order; a corporate buyer (B2B) also
// names the company it buys for.
type Customer struct {
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	Email             string `json:"email"`
	Document          string `json:"document"`
	Phone             string `json:"phone"`
	CorporateDocument string `json:"corporateDocument,omitempty"`
	CorporateName     string `json:"corporateName,omitempty"`
	TradeName         string `json:"tradeName,omitempty"`
	StateInscription  string `json:"stateInscription,omitempty"`
}

// NewMarketing is the marketing data of a new order.
type NewMarketing struct {
	UtmSource   string   `json:"utmSource,omitempty"`
	UtmMedium   string   `json:"utmMedium,omitempty"`
	UtmCampaign string   `json:"utmCampaign,omitempty"`
	Coupon      string   `json:"coupon,omitempty"`
	Tags        []string `json:"marketingTags,omitempty"`
}

// NewAddress is the delivery address of a new order.
type NewAddress struct {
	Street       string `json:"street"`
	Number       string `json:"number"`
	Complement   string `json:"complement,omitempty"`
	Neighborhood string `json:"neighborhood"`
	City         string `json:"city"`
	State        string `json:"state"`
	PostalCode   string `json:"postalCode"`
}

// NewItem is one line of a new order. Price is the unit price in cents.
type NewItem struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Price     int64  `json:"price"`
	Quantity  int    `json:"quantity"`
	ListPrice int64  `json:"listPrice,omitempty"`
	Ean       string `json:"ean,omitempty"`
	RefID     string `json:"refId,omitempty"`
}

// paymentMethod is one of the payment methods the sandbox sells with.
type paymentMethod struct {
	system, name, group string
	installments        int
}

// paymentMethods are VTEX's payment system ids for Brazil's usual methods.
var paymentMethods = map[string]paymentMethod{
	"pix":        {"125", "Pix", "instantPayment", 1},
	"boleto":     {"6", "Boleto Bancário", "bankInvoice", 1},
	"creditCard": {"2", "Visa", "creditCard", 3},
}

// couriers per shipping mode: the carrier name VTEX shows in logisticsInfo.
var couriers = map[Shipping]string{
	ShippingStore:    "Transportadora",
	ShippingDirect:   "B2W Entrega Direct",
	ShippingCorreios: "Correios",
}

// Validate checks a new order and names the first field at fault.
func (n *NewOrder) Validate() error {
	switch n.Channel {
	case ChannelVTEX:
		if n.Shipping != ShippingStore {
			return invalid("shipping %q is for b2w orders only", n.Shipping)
		}
	case ChannelB2W:
		if n.Shipping != ShippingDirect && n.Shipping != ShippingCorreios {
			return invalid("shipping must be direct or correios for a b2w order, not %q", n.Shipping)
		}
	default:
		return invalid("channel must be vtex or b2w, not %q", n.Channel)
	}
	if info, ok := n.Status.Info(); !ok || !info.Modelled {
		return invalid("status %q is not one the sandbox can create an order in", n.Status)
	} else if info.Transient {
		return invalid("status %q is transient: the platform leaves it at once", n.Status)
	}
	if _, ok := paymentMethods[n.Payment]; !ok {
		return invalid("payment must be pix, boleto or creditCard, not %q", n.Payment)
	}
	if n.ShippingPrice != nil && *n.ShippingPrice < 0 {
		return invalid("shippingPrice must not be negative")
	}
	if len(n.Items) == 0 {
		return invalid("items must list at least one item")
	}
	for i, it := range n.Items {
		switch {
		case strings.TrimSpace(it.ID) == "":
			return invalid("items[%d].id is empty", i)
		case strings.TrimSpace(it.Name) == "":
			return invalid("items[%d].name is empty", i)
		case it.Price <= 0:
			return invalid("items[%d].price must be a positive number of cents", i)
		case it.Quantity < 1:
			return invalid("items[%d].quantity must be at least 1", i)
		case it.ListPrice != 0 && it.ListPrice < it.Price:
			return invalid("items[%d].listPrice must not be below price", i)
		}
	}
	// Checked sums: no price, quantity or total can wrap the order's value.
	var sum money.Sum
	for i, it := range n.Items {
		sum.Add(fmt.Sprintf("items[%d]", i), it.Price, it.Quantity)
		if err := money.Cents(fmt.Sprintf("items[%d].listPrice", i), it.ListPrice); err != nil {
			return invalid("%v", err)
		}
	}
	if n.ShippingPrice != nil {
		sum.Add("shippingPrice", *n.ShippingPrice, 1)
	}
	if _, err := sum.Total(); err != nil {
		return invalid("%v", err)
	}
	if c := n.Customer; c != nil && c.Document != "" && !brdata.ValidCPF(c.Document) {
		return invalid("customer.document %q is not a valid CPF", clip.ID(c.Document))
	}
	if c := n.Customer; c != nil && c.CorporateDocument != "" && !brdata.ValidCNPJ(c.CorporateDocument) {
		return invalid("customer.corporateDocument %q is not a valid CNPJ (14 digits with their check digits)", clip.ID(c.CorporateDocument))
	}
	if c := n.Customer; c != nil && (c.CorporateDocument == "") != (c.CorporateName == "") {
		return invalid("customer.corporateDocument and customer.corporateName go together: a corporate buyer names its company and its CNPJ")
	}
	return nil
}

// applyDefaults fills what the caller left out.
func (n *NewOrder) applyDefaults() {
	if n.Channel == "" {
		n.Channel = ChannelVTEX
	}
	if n.Channel == ChannelB2W && n.Shipping == "" {
		n.Shipping = ShippingDirect
	}
	if n.Status == "" {
		n.Status = StatusReadyForHandling
	}
	if n.Payment == "" {
		n.Payment = "creditCard"
	}
}

// build makes the full VTEX document of a new, validated order, in its
// flow's first status. It draws ids and generated data from ids.
func build(account string, n *NewOrder, ids *idSource, created time.Time) *Order {
	group := ids.orderGroup()
	id := group + "-01"
	person, addr := customerOf(n, ids)
	pay := paymentMethods[n.Payment]
	courier := couriers[n.Shipping]
	endpoint := "http://oms.vtexinternal.com.br/api/oms?an=" + account

	o := &Order{
		OrderID:                     id,
		Sequence:                    ids.nextSequence(),
		MarketplaceServicesEndpoint: endpoint,
		SellerOrderID:               "00-" + id,
		Origin:                      "Marketplace",
		SalesChannel:                "1",
		MerchantName:                &account,
		CreationDate:                Time{created},
		OrderGroup:                  group,
		FollowUpEmail:               ids.hex(32) + "@ct.vtex.com.br",
		Hostname:                    account,
		OrderFormID:                 ids.hex(32),
		Sellers: []Seller{{ID: "1", Name: account,
			FulfillmentEndpoint: "http://fulfillment.vtexcommerce.com.br/api/fulfillment?an=" + account}},
		ClientPreferencesData: &brazilianShopper,
		StorePreferencesData:  &brazilianStore,
		Marketplace:           &Marketplace{BaseURL: endpoint, Name: account},
		PackageAttachment:     PackageAttachment{Packages: []Package{}},
		RatesAndBenefitsData:  RatesAndBenefits{ID: "ratesAndBenefitsData", RateAndBenefitsIdentifiers: []string{}},
		MarketplaceItems:      []string{},
		ClientProfileData: ClientProfile{
			ID: "clientProfileData", Email: person.Email, FirstName: person.FirstName, LastName: person.LastName,
			DocumentType: "cpf", Document: person.CPF, Phone: person.Phone, UserProfileID: ids.uuid(),
		},
		channel:  n.Channel,
		shipping: n.Shipping,
	}
	if c := n.Customer; c != nil && c.CorporateDocument != "" {
		p := &o.ClientProfileData
		p.IsCorporate = true
		p.CorporateName, p.CorporateDocument = ptr(c.CorporateName), ptr(c.CorporateDocument)
		p.TradeName = ptr(cmp.Or(c.TradeName, c.CorporateName))
		if c.StateInscription != "" {
			p.StateInscription = ptr(c.StateInscription)
		}
	}
	if n.PurchaseOrder != "" {
		o.OpenTextField = &OpenText{Value: n.PurchaseOrder}
	}
	if m := n.MarketingData; m != nil {
		tags := slices.Clone(m.Tags) // an order shares nothing with the request (Create orders makes many from one)
		if tags == nil {
			tags = []string{}
		}
		o.MarketingData = &MarketingData{ID: "marketingData", UtmSource: m.UtmSource, UtmMedium: m.UtmMedium,
			UtmCampaign: m.UtmCampaign, Coupon: m.Coupon, MarketingTags: tags}
	}
	if n.Channel == ChannelB2W {
		o.Origin = "Fulfillment"
		o.AffiliateID = "B2W"
		o.SalesChannel = "2"
		o.MarketplaceOrderID = n.MarketplaceOrderID
		if o.MarketplaceOrderID == "" {
			o.MarketplaceOrderID = "Lojas Americanas-" + ids.digits(12)
		}
		o.Marketplace = &Marketplace{BaseURL: "https://api.skyhub.com.br", Name: "B2W"}
	}

	var itemsTotal int64
	o.Items = make([]Item, len(n.Items))
	o.ItemMetadata.Items = make([]ItemMeta, len(n.Items))
	for i, it := range n.Items {
		o.Items[i] = buildItem(account, id, it, ids)
		item := &o.Items[i]
		itemsTotal += item.Price * int64(item.Quantity)
		o.ItemMetadata.Items[i] = ItemMeta{ID: item.ID, Seller: "1", Name: item.Name, SkuName: item.Name,
			ProductID: item.ProductID, RefID: item.RefID, Ean: deref(item.Ean), ImageURL: item.ImageURL,
			DetailURL: item.DetailURL, AssemblyOptions: []string{}}
	}
	shipping := int64(1590)
	if n.ShippingPrice != nil {
		shipping = *n.ShippingPrice
	}
	o.Totals = []Total{
		{ID: "Items", Name: "Total dos Itens", Value: itemsTotal},
		{ID: "Discounts", Name: "Total dos Descontos", Value: 0},
		{ID: "Shipping", Name: "Total do Frete", Value: shipping},
		{ID: "Tax", Name: "Total da Taxa", Value: 0},
	}
	o.Value = itemsTotal + shipping

	address := Address{
		AddressType: "residential", ReceiverName: person.FirstName + " " + person.LastName, AddressID: ids.hex(32),
		PostalCode: addr.PostalCode, City: addr.City, State: addr.State, Country: "BRA", Street: addr.Street,
		Number: addr.Number, Neighborhood: addr.Neighborhood, Complement: addr.Complement,
		GeoCoordinates: []float64{addr.Lon, addr.Lat},
	}
	o.ShippingData = ShippingData{
		ID: "shippingData", Address: address, SelectedAddresses: []Address{address},
		LogisticsInfo:      make([]LogisticsInfo, len(n.Items)),
		ContactInformation: []string{},
	}
	estimate := Time{created.AddDate(0, 0, 7)}.String()
	for i := range n.Items {
		price := shipping / int64(len(n.Items))
		if i == 0 {
			price += shipping % int64(len(n.Items))
		}
		o.ShippingData.LogisticsInfo[i] = LogisticsInfo{
			ItemIndex: i, SelectedSLA: "Normal", LockTTL: "10d", Price: price, ListPrice: price, SellingPrice: price,
			DeliveryCompany: courier, ShippingEstimate: "5bd", ShippingEstimateDate: estimate,
			SLAs: []SLA{{ID: "Normal", Name: "Normal", ShippingEstimate: "5bd", Price: price,
				SelectedDeliveryChannel: "delivery", PickupStoreInfo: &homeDelivery, LockTTL: "10d", TransitTime: "5bd"}},
			ShipsTo: shipsToBrazil,
			DeliveryIDs: []DeliveryID{{CourierID: "1", CourierName: courier, DockID: "1", Quantity: n.Items[i].Quantity,
				WarehouseID: "1_1", AccountCarrierName: account, KitItemDetails: []string{}}},
			DeliveryChannels:        deliveryOnly,
			SelectedDeliveryChannel: "delivery",
			PickupStoreInfo:         &homeDelivery,
			AddressID:               &address.AddressID,
			TransitTime:             ptr("5bd"),
		}
	}

	p := Payment{ID: strings.ToUpper(ids.hex(32)), PaymentSystem: pay.system, PaymentSystemName: pay.name,
		Value: o.Value, Installments: pay.installments, ReferenceValue: o.Value, Group: pay.group,
		Tid: ids.digits(20), ConnectorResponses: noConnectorResponses}
	if pay.group == "creditCard" {
		p.FirstDigits, p.LastDigits = ptr("411111"), ptr("1111")
	}
	o.PaymentData = PaymentData{GiftCards: []string{}, Transactions: []Transaction{{
		IsActive: true, TransactionID: strings.ToUpper(ids.hex(32)), MerchantName: strings.ToUpper(account),
		Payments: []Payment{p},
	}}}

	first := StatusOrderCreated
	if n.Channel == ChannelB2W {
		first = StatusOrderAccepted
	}
	enter(o, first, created)
	return o
}

func buildItem(account, orderID string, it NewItem, ids *idSource) Item {
	list := it.ListPrice
	if list == 0 {
		list = it.Price
	}
	ref := it.RefID
	if ref == "" {
		ref = it.ID
	}
	var ean *string
	if it.Ean != "" {
		ean = &it.Ean
	}
	product := ids.digits(6)
	slug := slugOf(it.Name)
	return Item{
		UniqueID: strings.ToUpper(ids.hex(32)), ID: it.ID, ProductID: product, Ean: ean, LockID: "00-" + orderID,
		Attachments: []string{}, Quantity: it.Quantity, Seller: "1", Name: it.Name, RefID: ref,
		Price: it.Price, ListPrice: list, PriceTags: []string{},
		ImageURL:   "https://" + account + ".vteximg.com.br/arquivos/ids/" + product + "-55-55/" + slug + ".jpg",
		DetailURL:  "/" + slug + "/p",
		Components: []string{}, BundleItems: []string{}, Params: []string{}, Offerings: []string{},
		SellerSku: it.ID, AdditionalInfo: &sandboxItemInfo,
		MeasurementUnit: "un", UnitMultiplier: 1, SellingPrice: it.Price,
		PriceDefinitions: PriceDefinitions{SellingPrices: []SellingPrice{{Value: it.Price, Quantity: it.Quantity}},
			CalculatedSellingPrice: it.Price, Total: it.Price * int64(it.Quantity)},
		Assemblies: []string{},
	}
}

// customerOf returns the shopper and address of n, generating what is
// missing.
func customerOf(n *NewOrder, ids *idSource) (brdata.Person, brdata.Address) {
	person := brdata.NewPerson(ids.rng)
	addr := brdata.NewAddress(ids.rng)
	if c := n.Customer; c != nil {
		person = brdata.Person{FirstName: cmp.Or(c.FirstName, person.FirstName), LastName: cmp.Or(c.LastName, person.LastName),
			Email: cmp.Or(c.Email, person.Email), CPF: cmp.Or(c.Document, person.CPF), Phone: cmp.Or(c.Phone, person.Phone)}
	}
	if a := n.Address; a != nil {
		addr.Street, addr.Number, addr.Complement = cmp.Or(a.Street, addr.Street), cmp.Or(a.Number, addr.Number), a.Complement
		addr.Neighborhood, addr.City = cmp.Or(a.Neighborhood, addr.Neighborhood), cmp.Or(a.City, addr.City)
		addr.State, addr.PostalCode = cmp.Or(a.State, addr.State), cmp.Or(a.PostalCode, addr.PostalCode)
	}
	return person, addr
}

// The sections every order shares. Orders point at them rather than copy
// them (a stored order costs less memory); nothing ever changes them.
var (
	sandboxItemInfo = ItemInfo{BrandName: "Marca Sandbox", BrandID: "2000000",
		CategoriesIDs: "/1/", ProductClusterID: "135,142", CommercialConditionID: "1",
		Dimension: ItemDimension{Cubicweight: 0.2, Height: 10, Length: 30, Weight: 300, Width: 20}}
	homeDelivery         = PickupStoreInfo{}
	shipsToBrazil        = []string{"BRA"}
	deliveryOnly         = []DeliveryChannel{{ID: "delivery", StockBalance: 0}}
	noConnectorResponses = map[string]string{}
	brazilianShopper     = ClientPreferences{Locale: "pt-BR"}
	brazilianStore       = StorePreferences{
		CountryCode: "BRA", CurrencyCode: "BRL", CurrencyLocale: 1046, CurrencySymbol: "R$",
		TimeZone: "E. South America Standard Time",
		CurrencyFormatInfo: CurrencyFormatInfo{CurrencyDecimalDigits: 2, CurrencyDecimalSeparator: ",",
			CurrencyGroupSeparator: ".", CurrencyGroupSize: 3, StartsWithCurrencySymbol: true},
	}
)

func slugOf(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
