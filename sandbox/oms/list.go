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

// List answers a list-orders query. The caller validates paging and sort
// fields; List clamps what it must. It reads the account's index rows (and
// an order itself only for the text and marketing filters): statistics
// over every match, then the page's summaries alone.
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
	if rowKeys[q.OrderBy] == nil {
		q.OrderBy = OrderByCreationDate
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.CreatedFrom.IsZero() {
		from = q.CreatedFrom.UnixNano()
	}
	if !q.CreatedTo.IsZero() {
		to = q.CreatedTo.UnixNano()
	}
	deep := text != "" || q.ClientEmail != "" || q.UtmSource != "" || q.UtmMedium != "" || q.UtmCampaign != ""
	match := func(r *row) bool {
		return r.created >= from && r.created <= to &&
			(len(q.Statuses) == 0 || slices.Contains(q.Statuses, r.status)) &&
			(!deep || q.matchesMarketing(r.e) && matchesText(r.e, text))
	}

	a.mu.RLock()
	defer a.mu.RUnlock()
	rows := a.index.rows
	var value, items statAcc
	total := 0
	for i := range rows {
		if r := &rows[i]; match(r) {
			total++
			value.add(r.marketplace, r.value)
			items.add(r.marketplace, r.items)
		}
	}
	out := OrderList{List: []Summary{}, Facets: []string{},
		Paging: Paging{Total: total, CurrentPage: q.Page, PerPage: q.PerPage,
			Pages: (total + q.PerPage - 1) / q.PerPage}}
	out.Stats.Stats.TotalValue, out.Stats.Stats.TotalItems = value.stat(), items.stat()
	start := (q.Page - 1) * q.PerPage
	if start >= total {
		return out
	}
	for _, r := range a.page(q, match, start, q.PerPage) {
		o, err := r.e.view()
		if err != nil { // the sandbox's own document, unreadable: a bug
			panic(err)
		}
		out.List = append(out.List, summarize(o))
	}
	return out
}

// page returns the rows at [start, start+n) of the matches in the query's
// order. Ties keep the order in which the account took the orders, as a
// stable sort would; newest first by creation date walks the index from
// its end, any other order sorts the matches.
func (a *Account) page(q Query, match func(*row) bool, start, n int) []*row {
	rows := a.index.rows
	var out []*row
	skip := start
	take := func(r *row) bool {
		if !match(r) {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		out = append(out, r)
		return len(out) < n
	}
	switch {
	case q.OrderBy == OrderByCreationDate && !q.Desc:
		for i := range rows {
			if !take(&rows[i]) {
				return out
			}
		}
		return out
	case q.OrderBy == OrderByCreationDate:
		// Groups of equal creation dates, newest group first, each group
		// in arrival order.
		for end := len(rows); end > 0; {
			begin := end - 1
			for begin > 0 && rows[begin-1].created == rows[end-1].created {
				begin--
			}
			for i := begin; i < end; i++ {
				if !take(&rows[i]) {
					return out
				}
			}
			end = begin
		}
		return out
	}
	var matched []*row
	for i := range rows {
		if r := &rows[i]; match(r) {
			matched = append(matched, r)
		}
	}
	key := rowKeys[q.OrderBy]
	slices.SortFunc(matched, func(x, y *row) int {
		c := key(x, y)
		if q.Desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(x.arrival, y.arrival))
	})
	for _, r := range matched {
		if !take(r) {
			break
		}
	}
	return out
}

// rowKeys compares two rows by a sort field.
var rowKeys = map[OrderBy]func(x, y *row) int{
	OrderByOrderID:    func(x, y *row) int { return cmp.Compare(x.e.id, y.e.id) },
	OrderByItems:      func(x, y *row) int { return cmp.Compare(x.items, y.items) },
	OrderByTotalValue: func(x, y *row) int { return cmp.Compare(x.value, y.value) },
	OrderByOrigin:     func(x, y *row) int { return cmp.Compare(x.e.origin, y.e.origin) },
}

// statAcc adds up one statistic and its facets; stat() gives VTEX's block.
type statAcc struct{ all, fulfillment, marketplace acc }

func (s *statAcc) add(marketplace bool, v int64) {
	s.all.add(v)
	if marketplace {
		s.marketplace.add(v)
	} else {
		s.fulfillment.add(v)
	}
}

func (s *statAcc) stat() FacetedStat {
	f := FacetedStat{Stat: s.all.stat()}
	f.Facets.Origin.Fulfillment, f.Facets.Origin.Marketplace = s.fulfillment.stat(), s.marketplace.stat()
	f.Facets.CurrencyCode.BRL = f.Stat // every order is in reais
	return f
}

// acc is a running count, sum, sum of squares and range.
type acc struct{ count, sum, squares, min, max int64 }

func (a *acc) add(v int64) {
	if a.count == 0 || v > a.max {
		a.max = v
	}
	if a.count == 0 || v < a.min {
		a.min = v
	}
	a.count++
	a.sum += v
	a.squares += v * v
}

func (a *acc) stat() Stat {
	s := Stat{Count: a.count, Sum: a.sum, SumOfSquares: a.squares, Min: a.min, Max: a.max}
	if a.count == 0 {
		return s
	}
	n := float64(a.count)
	s.Mean = float64(a.sum) / n
	if a.count > 1 {
		variance := (float64(a.squares) - float64(a.sum)*float64(a.sum)/n) / (n - 1)
		s.StdDev = math.Sqrt(math.Max(variance, 0))
	}
	return s
}

// matchesText is the full-text q: order id, email, document or name.
func matchesText(e *entry, text string) bool {
	if text == "" {
		return true
	}
	for _, field := range []string{e.id, e.email, e.cpf, e.name} {
		if strings.Contains(strings.ToLower(field), text) {
			return true
		}
	}
	return false
}

// matchesMarketing applies the exact-match filters: the UTMs and the
// buyer's e-mail. An order without marketing data matches no UTM filter.
func (q *Query) matchesMarketing(e *entry) bool {
	if q.ClientEmail != "" && !strings.EqualFold(e.email, q.ClientEmail) {
		return false
	}
	if q.UtmSource == "" && q.UtmMedium == "" && q.UtmCampaign == "" {
		return true
	}
	return e.marketing && (q.UtmSource == "" || e.utmSource == q.UtmSource) &&
		(q.UtmMedium == "" || e.utmMedium == q.UtmMedium) && (q.UtmCampaign == "" || e.utmCampaign == q.UtmCampaign)
}

func summarize(o *Order) Summary {
	s := Summary{
		OrderID: o.OrderID, CreationDate: o.CreationDate,
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
	s.TotalItems = totalItems(o)
	if li := o.ShippingData.LogisticsInfo; len(li) > 0 {
		estimate := li[0].ShippingEstimateDate
		s.ShippingEstimatedDate = &estimate
		s.ShippingEstimatedDateMax, s.ShippingEstimatedDateMin = s.ShippingEstimatedDate, s.ShippingEstimatedDate
	}
	return s
}
