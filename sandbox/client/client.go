// Package client is the Go client of the sandbox's control plane: one
// method per route of openapi/sandbox.yaml, as toxiproxy's client mirrors
// its admin API. Tests, the contract harness and users' suites drive the
// sandbox through it, in-process or across a network.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Client talks to one sandbox.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// New returns a client of the sandbox at baseURL (e.g. http://127.0.0.1:8080).
// httpClient may be nil.
func New(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: httpClient}
}

// WithToken returns a client that sends the control plane's bearer token
// (the sandbox's --control-token); "" sends none.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Error is a control-plane refusal.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("omsbox control plane: %d %s: %s", e.Status, e.Code, e.Message)
}

// Health is the answer of GET /_sandbox/health.
type Health struct {
	Status   string    `json:"status"`
	Version  string    `json:"version"`
	Accounts []string  `json:"accounts"`
	Time     time.Time `json:"time"`
}

// Health reports whether the sandbox is up.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	return h, c.do(ctx, "GET", "/_sandbox/health", nil, nil, &h)
}

// Reset returns one account ("" for all) to its seeded state.
func (c *Client) Reset(ctx context.Context, account string) error {
	return c.do(ctx, "POST", "/_sandbox/reset", query("account", account), nil, nil)
}

// Account is a VTEX account and its credentials.
type Account struct {
	Name      string `json:"name"`
	AppKey    string `json:"appKey,omitempty"`
	AppToken  string `json:"appToken,omitempty"`
	UserToken string `json:"userToken,omitempty"`
	// Seed (on creation only) names a seed file, e.g. "demostore".
	Seed string `json:"seed,omitempty"`
	// The SkyHub seller linked to the account (in the answer).
	SkyHubEmail             string `json:"skyhubEmail,omitempty"`
	SkyHubAPIKey            string `json:"skyhubApiKey,omitempty"`
	SkyHubAccountManagerKey string `json:"skyhubAccountManagerKey,omitempty"`
	// The account's Correios contract (in the answer): HTTP Basic user
	// and access code, and the posting card tokens are issued for.
	CorreiosUser        string `json:"correiosUser,omitempty"`
	CorreiosAccessCode  string `json:"correiosAccessCode,omitempty"`
	CorreiosPostingCard string `json:"correiosPostingCard,omitempty"`
	// The account's Mercado Livre app and seller (in the answer).
	MercadoLivreClientID     string `json:"mercadolivreClientId,omitempty"`
	MercadoLivreClientSecret string `json:"mercadolivreClientSecret,omitempty"`
	MercadoLivreRedirectURI  string `json:"mercadolivreRedirectUri,omitempty"`
	MercadoLivreSellerID     int64  `json:"mercadolivreSellerId,omitempty"`
}

// Accounts lists the accounts the sandbox serves.
func (c *Client) Accounts(ctx context.Context) ([]string, error) {
	var names []string
	return names, c.do(ctx, "GET", "/_sandbox/accounts", nil, nil, &names)
}

// CreateAccount adds an account; empty credentials get the sandbox's
// defaults, which the answer carries.
func (c *Client) CreateAccount(ctx context.Context, a Account) (Account, error) {
	var out Account
	return out, c.do(ctx, "POST", "/_sandbox/accounts", nil, a, &out)
}

// NewOrder is the body of POST /_sandbox/orders.
type NewOrder struct {
	Account string `json:"account,omitempty"`
	// AllowOversell creates the order even when the stock of its catalog
	// SKUs cannot cover it (otherwise a 409 *Error).
	AllowOversell bool `json:"allowOversell,omitempty"`
	oms.NewOrder
}

// CreateOrder creates an order and returns its VTEX document.
func (c *Client) CreateOrder(ctx context.Context, n NewOrder) (*oms.Order, error) {
	var o oms.Order
	return &o, c.do(ctx, "POST", "/_sandbox/orders", nil, n, &o)
}

// CreatedOrder is one order CreateOrders made: its VTEX id and, for a
// b2w order, its SkyHub twin's code.
type CreatedOrder struct {
	OrderID    string `json:"orderId"`
	SkyHubCode string `json:"skyhubCode,omitempty"`
}

// CreateOrders seeds an account with count orders (1 to 10,000) made from
// the template n, all or none, and returns their ids in the order they
// were made: far faster than count calls to CreateOrder.
func (c *Client) CreateOrders(ctx context.Context, count int, n NewOrder) ([]CreatedOrder, error) {
	var out struct {
		Orders []CreatedOrder `json:"orders"`
	}
	body := struct {
		Count int      `json:"count"`
		Order NewOrder `json:"order"`
	}{count, n}
	err := c.do(ctx, "POST", "/_sandbox/orders/bulk", nil, body, &out)
	return out.Orders, err
}

// Advance drives an order's platform steps to status to.
func (c *Client) Advance(ctx context.Context, orderID string, to oms.Status) (*oms.Order, error) {
	var o oms.Order
	return &o, c.do(ctx, "POST", "/_sandbox/orders/"+url.PathEscape(orderID)+"/advance", nil,
		map[string]oms.Status{"to": to}, &o)
}

// SkyHubStep takes a step SkyHub's own side takes: "process-invoice",
// "pickup", "delivered" or "cancel".
func (c *Client) SkyHubStep(ctx context.Context, code, step string) error {
	return c.do(ctx, "POST", "/_sandbox/skyhub/orders/"+url.PathEscape(code)+"/"+step, nil, nil, nil)
}

// Ticket is a SkyHub after-sale ticket (SAC) as the control plane answers it.
type Ticket struct {
	Code      string `json:"code"`
	OrderCode string `json:"order_code"`
	Status    string `json:"status"`
}

// OpenTicket has a customer open a SkyHub ticket about an order, with its
// first message; status is "" (UNREAD) or another ticket status.
func (c *Client) OpenTicket(ctx context.Context, account, orderCode, message, status string) (Ticket, error) {
	var t Ticket
	body := map[string]string{"account": account, "orderCode": orderCode, "message": message}
	if status != "" {
		body["status"] = status
	}
	return t, c.do(ctx, "POST", "/_sandbox/skyhub/sac", nil, body, &t)
}

// CloseTicket has the marketplace close a ticket.
func (c *Client) CloseTicket(ctx context.Context, code string) error {
	return c.do(ctx, "POST", "/_sandbox/skyhub/sac/"+url.PathEscape(code)+"/close", nil, nil, nil)
}

// Question is a buyer's SkyHub question as the control plane answers it.
type Question struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	ProductSku string `json:"product_sku"`
}

// AskQuestion has a buyer ask about a SKU on a platform ("" for B2W).
func (c *Client) AskQuestion(ctx context.Context, account, sku, text, platform string) (Question, error) {
	var q Question
	body := map[string]string{"account": account, "sku": sku, "text": text}
	if platform != "" {
		body["platform"] = platform
	}
	return q, c.do(ctx, "POST", "/_sandbox/skyhub/questions", nil, body, &q)
}

// Feeds lists an account's feeds and how many items each holds.
func (c *Client) Feeds(ctx context.Context, account string) ([]feed.Summary, error) {
	var out []feed.Summary
	return out, c.do(ctx, "GET", "/_sandbox/feeds", query("account", account), nil, &out)
}

// Inventory is the answer of GET /_sandbox/inventory: an account's stock
// per SKU and the reservations that hold it.
type Inventory struct {
	Account string     `json:"account"`
	SKUs    []SKUStock `json:"skus"`
}

// SKUStock is one SKU's balance per warehouse and its reservations.
type SKUStock struct {
	SKU      string `json:"sku"`
	Balances []struct {
		WarehouseID       string `json:"warehouseId"`
		WarehouseName     string `json:"warehouseName"`
		TotalQuantity     int    `json:"totalQuantity"`
		ReservedQuantity  int    `json:"reservedQuantity"`
		AvailableQuantity int    `json:"availableQuantity"`
		UnlimitedQuantity bool   `json:"unlimitedQuantity"`
		LeadTime          string `json:"leadTime"`
	} `json:"balances"`
	Reservations []struct {
		ID       string    `json:"id"`
		OrderID  string    `json:"orderId"`
		State    string    `json:"state"` // authorized, confirmed, acknowledged, released, consumed
		Oversold bool      `json:"oversold"`
		Created  time.Time `json:"created"`
		Updated  time.Time `json:"updated"`
		Items    []struct {
			SKU         string `json:"sku"`
			WarehouseID string `json:"warehouseId"`
			Quantity    int    `json:"quantity"`
			Cleared     bool   `json:"cleared"`
		} `json:"items"`
	} `json:"reservations"`
}

// Inventory reads an account's stock ("" for the default account), of one
// SKU or ("") of every SKU with a balance.
func (c *Client) Inventory(ctx context.Context, account, sku string) (Inventory, error) {
	var out Inventory
	return out, c.do(ctx, "GET", "/_sandbox/inventory", query("account", account, "sku", sku), nil, &out)
}

// ClockState is the sandbox time.
type ClockState struct {
	Now           time.Time `json:"now"`
	Frozen        bool      `json:"frozen"`
	PendingTimers int       `json:"pendingTimers"`
}

// Clock reads the sandbox clock.
func (c *Client) Clock(ctx context.Context) (ClockState, error) {
	var s ClockState
	return s, c.do(ctx, "GET", "/_sandbox/clock", nil, nil, &s)
}

// AdvanceClock moves the sandbox clock forward by d, firing due timers.
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) (ClockState, error) {
	var s ClockState
	return s, c.do(ctx, "POST", "/_sandbox/clock", nil, map[string]string{"advance": d.String()}, &s)
}

// SetClock moves the sandbox clock to t, which must not be in its past.
func (c *Client) SetClock(ctx context.Context, t time.Time) (ClockState, error) {
	var s ClockState
	return s, c.do(ctx, "POST", "/_sandbox/clock", nil, map[string]string{"set": t.Format(time.RFC3339Nano)}, &s)
}

// JournalFilter selects journal entries; zero fields match everything.
type JournalFilter struct {
	Account, API, Method, Path string
	// Caller is the app key or SkyHub e-mail a request presented.
	Caller string
	// Status is a code ("404") or a class ("4xx").
	Status string
	Since  int64 // entries after this sequence number
	Limit  int   // the first Limit matches
	Last   int   // the last Last matches (oldest first)
}

// Journal returns recorded vendor-API requests, oldest first.
func (c *Client) Journal(ctx context.Context, f JournalFilter) ([]journal.Entry, error) {
	var out []journal.Entry
	q := query("account", f.Account, "api", f.API, "method", f.Method, "path", f.Path, "caller", f.Caller,
		"status", f.Status, "since", num(f.Since), "limit", num(int64(f.Limit)), "last", num(int64(f.Last)))
	return out, c.do(ctx, "GET", "/_sandbox/journal", q, nil, &out)
}

// EventFilter selects domain events; zero fields match everything.
type EventFilter struct {
	Account, OrderID, Type string
	Since                  int64 // events after this sequence number
	Limit                  int   // the first Limit matches
	Last                   int   // the last Last matches (oldest first)
}

// Events returns domain events, oldest first.
func (c *Client) Events(ctx context.Context, f EventFilter) ([]events.Event, error) {
	var out []events.Event
	q := query("account", f.Account, "orderId", f.OrderID, "type", f.Type,
		"since", num(f.Since), "limit", num(int64(f.Limit)), "last", num(int64(f.Last)))
	return out, c.do(ctx, "GET", "/_sandbox/events", q, nil, &out)
}

// AddFault injects a fault rule and returns it with its id.
func (c *Client) AddFault(ctx context.Context, r faults.Rule) (faults.Rule, error) {
	var out faults.Rule
	return out, c.do(ctx, "POST", "/_sandbox/faults", nil, faultRequest(r), &out)
}

// Faults lists the rules in force.
func (c *Client) Faults(ctx context.Context) ([]faults.Rule, error) {
	var out []faults.Rule
	return out, c.do(ctx, "GET", "/_sandbox/faults", nil, nil, &out)
}

// Fault reads one rule, with its hits so far.
func (c *Client) Fault(ctx context.Context, id string) (faults.Rule, error) {
	var out faults.Rule
	return out, c.do(ctx, "GET", "/_sandbox/faults/"+url.PathEscape(id), nil, nil, &out)
}

// DeleteFault removes one rule.
func (c *Client) DeleteFault(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/_sandbox/faults/"+url.PathEscape(id), nil, nil, nil)
}

// ClearFaults removes every rule, or one account's.
func (c *Client) ClearFaults(ctx context.Context, account string) error {
	return c.do(ctx, "DELETE", "/_sandbox/faults", query("account", account), nil, nil)
}

// faultRequest drops the fields the sandbox sets (id, hits, remaining).
func faultRequest(r faults.Rule) map[string]any {
	m := map[string]any{}
	set := func(k string, v any, ok bool) {
		if ok {
			m[k] = v
		}
	}
	set("api", r.API, r.API != "")
	set("account", r.Account, r.Account != "")
	set("method", r.Method, r.Method != "")
	set("path", r.Path, r.Path != "")
	set("status", r.Status, r.Status != 0)
	set("retryAfter", r.RetryAfter, r.RetryAfter != nil)
	set("latencyMs", r.LatencyMs, r.LatencyMs != 0)
	set("times", r.Times, r.Times != 0)
	set("probability", r.Probability, r.Probability != 0)
	set("feed", r.Feed, r.Feed != "")
	return m
}

func num(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// query builds a query from name/value pairs, leaving out empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
			e.Error.Message = strings.TrimSpace(string(data))
		}
		return &Error{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
