package client

import (
	"context"
	"net/url"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/hook"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// OrderList is GET /_sandbox/orders: an account's orders in every
// channel, newest first.
type OrderList struct {
	Account string     `json:"account"`
	Total   int        `json:"total"`
	Orders  []OrderRow `json:"orders"`
}

// OrderRow is one order of any channel (vtex, b2w, skyhub, mercadolivre).
type OrderRow struct {
	Channel            string       `json:"channel"`
	ID                 string       `json:"id"`
	Status             string       `json:"status"`
	Value              int64        `json:"value"` // cents
	Created            time.Time    `json:"created"`
	Customer           string       `json:"customer"`
	Units              int          `json:"units"`
	Sequence           string       `json:"sequence"`
	MarketplaceOrderID string       `json:"marketplaceOrderId"`
	Shipment           string       `json:"shipment"`
	Invoices           []InvoiceRow `json:"invoices"`
}

// InvoiceRow is an order's invoice and tracking.
type InvoiceRow struct {
	Number         string `json:"number"`
	Key            string `json:"key"`
	Value          int64  `json:"value"`
	Type           string `json:"type"`
	TrackingNumber string `json:"trackingNumber"`
	Courier        string `json:"courier"`
	Delivered      bool   `json:"delivered"`
}

// Orders lists an account's orders in every channel ("" for the default
// account), at most limit (0: the server's default, 100).
func (c *Client) Orders(ctx context.Context, account string, limit int) (OrderList, error) {
	var out OrderList
	return out, c.do(ctx, "GET", "/_sandbox/orders", query("account", account, "limit", num(int64(limit))), nil, &out)
}

// Timeline is GET /_sandbox/orders/{id}/timeline.
type Timeline struct {
	Account string         `json:"account"`
	OrderID string         `json:"orderId"`
	Channel string         `json:"channel"`
	IDs     []string       `json:"ids"`
	Steps   []TimelineStep `json:"steps"`
}

// TimelineStep is a recorded call with the order's events raised while it
// was served, or (Call nil) events no recorded call caused.
type TimelineStep struct {
	Call   *journal.Entry `json:"call"`
	Events []events.Event `json:"events"`
}

// Timeline reads an order's timeline by any id it goes by (VTEX id,
// SkyHub code, Mercado Livre order id); account may be "".
func (c *Client) Timeline(ctx context.Context, account, orderID string) (Timeline, error) {
	var out Timeline
	return out, c.do(ctx, "GET", "/_sandbox/orders/"+url.PathEscape(orderID)+"/timeline", query("account", account), nil, &out)
}

// Catalog is GET /_sandbox/catalog: what an account sells in each channel.
type Catalog struct {
	Account string `json:"account"`
	VTEX    struct {
		Products []struct {
			ID       int64  `json:"id"`
			Name     string `json:"name"`
			RefID    string `json:"refId"`
			Brand    string `json:"brand"`
			Category string `json:"category"`
			Active   bool   `json:"active"`
			SKUs     []struct {
				ID     int64    `json:"id"`
				Name   string   `json:"name"`
				RefID  string   `json:"refId"`
				Active bool     `json:"active"`
				EANs   []string `json:"eans"`
				Price  *struct {
					BasePrice   float64  `json:"basePrice"`
					ListPrice   *float64 `json:"listPrice"`
					CostPrice   float64  `json:"costPrice"`
					FixedPrices int      `json:"fixedPrices"`
				} `json:"price"`
				Stock *struct {
					Total     int  `json:"totalQuantity"`
					Reserved  int  `json:"reservedQuantity"`
					Available int  `json:"availableQuantity"`
					Unlimited bool `json:"unlimitedQuantity"`
				} `json:"stock"`
			} `json:"skus"`
		} `json:"products"`
	} `json:"vtex"`
	SkyHub struct {
		Products []struct {
			SKU              string   `json:"sku"`
			Name             string   `json:"name"`
			Status           string   `json:"status"`
			Qty              int      `json:"qty"`
			Price            float64  `json:"price"`
			PromotionalPrice *float64 `json:"promotionalPrice"`
		} `json:"products"`
	} `json:"skyhub"`
	MercadoLivre struct {
		Items []struct {
			ID        string `json:"id"`
			Title     string `json:"title"`
			SKU       string `json:"sku"`
			Price     int64  `json:"price"` // cents
			Available int    `json:"availableQuantity"`
			Sold      int    `json:"soldQuantity"`
			Status    string `json:"status"`
		} `json:"items"`
	} `json:"mercadolivre"`
}

// Catalog reads what an account sells ("" for the default account).
func (c *Client) Catalog(ctx context.Context, account string) (Catalog, error) {
	var out Catalog
	return out, c.do(ctx, "GET", "/_sandbox/catalog", query("account", account), nil, &out)
}

// Hooks lists an account's hooks and the notifications waiting.
func (c *Client) Hooks(ctx context.Context, account string) ([]hook.Summary, error) {
	var out []hook.Summary
	return out, c.do(ctx, "GET", "/_sandbox/hooks", query("account", account), nil, &out)
}
