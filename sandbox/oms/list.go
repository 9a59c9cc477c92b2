package oms

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Query is a list-orders search, as VTEX's GET /api/oms/pvt/orders takes it.
type Query struct {
	Statuses []Status // f_status; empty means any
	// CreatedFrom and CreatedTo bound creationDate (f_creationDate),
	// inclusive; zero means open.
	CreatedFrom, CreatedTo time.Time
	// Text is the full-text q: order id, email, document or name.
	Text string
	// UtmSource, UtmMedium and UtmCampaign match marketingData exactly
	// (f_UtmSource, f_UtmMedium, f_UtmCampaign: the B2B Suite's cost
	// center and organization); ClientEmail the buyer's e-mail, without
	// regard to case (clientEmail).
	UtmSource, UtmMedium, UtmCampaign, ClientEmail string
	OrderBy                                        OrderBy
	Desc                                           bool
	Page                                           int // from 1
	PerPage                                        int
}

// OrderBy names a sort field of list orders.
type OrderBy string

// Sort fields VTEX documents for orderBy.
const (
	OrderByCreationDate OrderBy = "creationDate"
	OrderByOrderID      OrderBy = "orderId"
	OrderByItems        OrderBy = "items"
	OrderByTotalValue   OrderBy = "totalValue"
	OrderByOrigin       OrderBy = "origin"
)

// List paging limits (VTEX: 15 per page by default, at most 100, and no
// more than 30 pages).
const (
	DefaultPerPage = 15
	MaxPerPage     = 100
	MaxPage        = 30
)

// orderKeys compares two summaries by a sort field.
var orderKeys = map[OrderBy]func(a, b *Summary) int{
	OrderByCreationDate: func(a, b *Summary) int { return a.created.Compare(b.created) },
	OrderByOrderID:      func(a, b *Summary) int { return cmp.Compare(a.OrderID, b.OrderID) },
	OrderByItems:        func(a, b *Summary) int { return cmp.Compare(a.TotalItems, b.TotalItems) },
	OrderByTotalValue:   func(a, b *Summary) int { return cmp.Compare(a.TotalValue, b.TotalValue) },
	OrderByOrigin:       func(a, b *Summary) int { return cmp.Compare(a.Origin, b.Origin) },
}

// OrderList is VTEX's list-orders answer.
type OrderList struct {
	List   []Summary `json:"list"`
	Facets []string  `json:"facets"`
	Paging Paging    `json:"paging"`
	Stats  ListStats `json:"stats"`
}

// Summary is one order in a list: VTEX's index document, not the order.
type Summary struct {
	OrderID                  string  `json:"orderId"`
	CreationDate             Time    `json:"creationDate"`
	ClientName               string  `json:"clientName"`
	Items                    *string `json:"items"` // always null since 2018
	TotalValue               int64   `json:"totalValue"`
	PaymentNames             string  `json:"paymentNames"`
	Status                   Status  `json:"status"`
	StatusDescription        string  `json:"statusDescription"`
	MarketPlaceOrderID       *string `json:"marketPlaceOrderId"`
	Sequence                 string  `json:"sequence"`
	SalesChannel             string  `json:"salesChannel"`
	AffiliateID              string  `json:"affiliateId"`
	Origin                   string  `json:"origin"`
	WorkflowInErrorState     bool    `json:"workflowInErrorState"`
	WorkflowInRetry          bool    `json:"workflowInRetry"`
	LastMessageUnread        *string `json:"lastMessageUnread"`
	ShippingEstimatedDate    *string `json:"ShippingEstimatedDate"`
	ShippingEstimatedDateMax *string `json:"ShippingEstimatedDateMax"`
	ShippingEstimatedDateMin *string `json:"ShippingEstimatedDateMin"`
	OrderIsComplete          bool    `json:"orderIsComplete"`
	ListID                   *string `json:"listId"`
	ListType                 *string `json:"listType"`
	AuthorizedDate           *Time   `json:"authorizedDate"`
	CallCenterOperatorName   *string `json:"callCenterOperatorName"`
	TotalItems               int     `json:"totalItems"`
	CurrencyCode             string  `json:"currencyCode"`

	created time.Time
}

// Paging is the list's page information.
type Paging struct {
	Total       int `json:"total"`
	Pages       int `json:"pages"`
	CurrentPage int `json:"currentPage"`
	PerPage     int `json:"perPage"`
}

// ListStats is VTEX's stats block: statistics of totalValue and totalItems
// over every matching order, faceted by origin and currency.
type ListStats struct {
	Stats struct {
		TotalValue FacetedStat `json:"totalValue"`
		TotalItems FacetedStat `json:"totalItems"`
	} `json:"stats"`
}

// FacetedStat is a statistic with its facets.
type FacetedStat struct {
	Stat
	Facets StatFacets `json:"Facets"`
}

// StatFacets breaks a statistic down by origin and currency.
type StatFacets struct {
	Origin struct {
		Fulfillment Stat `json:"Fulfillment"`
		Marketplace Stat `json:"Marketplace"`
	} `json:"origin"`
	CurrencyCode struct {
		BRL Stat `json:"BRL"`
	} `json:"currencyCode"`
}

// Stat is one statistic, in VTEX's (Solr's) field names.
type Stat struct {
	Count        int64   `json:"Count"`
	Max          int64   `json:"Max"`
	Mean         float64 `json:"Mean"`
	Min          int64   `json:"Min"`
	Missing      int64   `json:"Missing"`
	StdDev       float64 `json:"StdDev"`
	Sum          int64   `json:"Sum"`
	SumOfSquares int64   `json:"SumOfSquares"`
	Facets       *string `json:"Facets"`
}

func (s *Stat) add(v int64) {
	if s.Count == 0 || v > s.Max {
		s.Max = v
	}
	if s.Count == 0 || v < s.Min {
		s.Min = v
	}
	s.Count++
	s.Sum += v
	s.SumOfSquares += v * v
	n := float64(s.Count)
	s.Mean = float64(s.Sum) / n
	if s.Count > 1 {
		variance := (float64(s.SumOfSquares) - float64(s.Sum)*float64(s.Sum)/n) / (n - 1)
		s.StdDev = math.Sqrt(math.Max(variance, 0))
	}
}

func (f *FacetedStat) add(origin string, v int64) {
	f.Stat.add(v)
	f.Facets.CurrencyCode.BRL.add(v)
	if origin == "Fulfillment" {
		f.Facets.Origin.Fulfillment.add(v)
	} else {
		f.Facets.Origin.Marketplace.add(v)
	}
}

// List answers a list-orders query. The caller validates paging and sort
// fields; List clamps what it must.
func (a *Account) List(q Query) OrderList {
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.OrderBy == "" { // VTEX lists the newest orders first
		q.OrderBy, q.Desc = OrderByCreationDate, true
	}
	key := orderKeys[q.OrderBy]
	if key == nil {
		key = orderKeys[OrderByCreationDate]
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))

	a.mu.RLock()
	var matched []Summary
	for _, o := range a.list {
		if q.matches(o, text) {
			matched = append(matched, summarize(o))
		}
	}
	a.mu.RUnlock()

	slices.SortStableFunc(matched, func(x, y Summary) int {
		if q.Desc {
			return key(&y, &x)
		}
		return key(&x, &y)
	})
	out := OrderList{List: []Summary{}, Facets: []string{},
		Paging: Paging{Total: len(matched), CurrentPage: q.Page, PerPage: q.PerPage,
			Pages: (len(matched) + q.PerPage - 1) / q.PerPage}}
	for i := range matched {
		out.Stats.Stats.TotalValue.add(matched[i].Origin, matched[i].TotalValue)
		out.Stats.Stats.TotalItems.add(matched[i].Origin, int64(matched[i].TotalItems))
	}
	if start := (q.Page - 1) * q.PerPage; start < len(matched) {
		out.List = matched[start:min(start+q.PerPage, len(matched))]
	}
	return out
}

func (q *Query) matches(o *Order, text string) bool {
	if len(q.Statuses) > 0 && !slices.Contains(q.Statuses, o.Status) {
		return false
	}
	if !q.CreatedFrom.IsZero() && o.CreationDate.Before(q.CreatedFrom) {
		return false
	}
	if !q.CreatedTo.IsZero() && o.CreationDate.After(q.CreatedTo) {
		return false
	}
	if !q.matchesMarketing(o) {
		return false
	}
	if text == "" {
		return true
	}
	c := &o.ClientProfileData
	for _, field := range []string{o.OrderID, c.Email, c.Document, c.FirstName + " " + c.LastName} {
		if strings.Contains(strings.ToLower(field), text) {
			return true
		}
	}
	return false
}

// matchesMarketing applies the exact-match filters: the UTMs and the
// buyer's e-mail. An order without marketing data matches no UTM filter.
func (q *Query) matchesMarketing(o *Order) bool {
	if q.ClientEmail != "" && !strings.EqualFold(o.ClientProfileData.Email, q.ClientEmail) {
		return false
	}
	if q.UtmSource == "" && q.UtmMedium == "" && q.UtmCampaign == "" {
		return true
	}
	m := o.MarketingData
	return m != nil && (q.UtmSource == "" || m.UtmSource == q.UtmSource) &&
		(q.UtmMedium == "" || m.UtmMedium == q.UtmMedium) && (q.UtmCampaign == "" || m.UtmCampaign == q.UtmCampaign)
}

func summarize(o *Order) Summary {
	s := Summary{
		OrderID: o.OrderID, CreationDate: o.CreationDate, created: o.CreationDate.Time,
		ClientName: o.ClientProfileData.FirstName + " " + o.ClientProfileData.LastName,
		TotalValue: o.Value, Status: o.Status, StatusDescription: o.StatusDescription,
		Sequence: o.Sequence, SalesChannel: o.SalesChannel, AffiliateID: o.AffiliateID, Origin: o.Origin,
		OrderIsComplete: o.IsCompleted, AuthorizedDate: o.AuthorizedDate, CurrencyCode: "BRL",
	}
	// Copies, not pointers into the order: the summary outlives the lock.
	if id := o.MarketplaceOrderID; id != "" {
		s.MarketPlaceOrderID = &id
	}
	var names []string
	for _, t := range o.PaymentData.Transactions {
		for _, p := range t.Payments {
			names = append(names, p.PaymentSystemName)
		}
	}
	s.PaymentNames = strings.Join(names, ", ")
	for _, it := range o.Items {
		s.TotalItems += it.Quantity
	}
	if li := o.ShippingData.LogisticsInfo; len(li) > 0 {
		estimate := li[0].ShippingEstimateDate
		s.ShippingEstimatedDate = &estimate
		s.ShippingEstimatedDateMax, s.ShippingEstimatedDateMin = s.ShippingEstimatedDate, s.ShippingEstimatedDate
	}
	return s
}
