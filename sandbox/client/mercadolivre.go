package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/omsbox/omsbox/sandbox/mercadolivre"
)

// MercadoLivreConsent is the seller's consent: an authorization code and
// the app that trades it at POST /mercadolivre/oauth/token.
type MercadoLivreConsent struct {
	Code          string `json:"code"`
	ClientID      string `json:"clientId"`
	ClientSecret  string `json:"clientSecret"`
	RedirectURI   string `json:"redirectUri"`
	SellerID      int64  `json:"sellerId"`
	Nickname      string `json:"nickname"`
	ApplicationID int64  `json:"applicationId"`
	ExpiresIn     int    `json:"expiresIn"`
}

// MercadoLivreAuthorize asks for an authorization code of the account's
// app (POST /_sandbox/mercadolivre/authorize).
func (c *Client) MercadoLivreAuthorize(ctx context.Context, account string) (MercadoLivreConsent, error) {
	var out MercadoLivreConsent
	return out, c.do(ctx, "POST", "/_sandbox/mercadolivre/authorize", nil, omitEmpty{"account": account}, &out)
}

// SetMercadoLivreCallback sets where the account's app gets
// notifications, and for which topics (nil: all).
func (c *Client) SetMercadoLivreCallback(ctx context.Context, account, callbackURL string, topics []string) (mercadolivre.App, error) {
	var out mercadolivre.App
	body := map[string]any{"callbackUrl": callbackURL}
	if account != "" {
		body["account"] = account
	}
	if topics != nil {
		body["topics"] = topics
	}
	return out, c.do(ctx, "POST", "/_sandbox/mercadolivre/app", nil, body, &out)
}

// MercadoLivreItem is a sale line or a listing's variation as the
// control plane takes them.
type MercadoLivreItem struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Price    int64  `json:"price"` // cents
	Quantity int    `json:"quantity"`
	// RefID names the listing's variation id, digits.
	RefID string `json:"refId,omitempty"`
}

// NewMercadoLivreOrder is a sale (POST /_sandbox/orders with channel
// mercadolivre).
type NewMercadoLivreOrder struct {
	Account  string             `json:"account,omitempty"`
	Status   string             `json:"status,omitempty"`
	Payment  string             `json:"payment,omitempty"`
	Customer map[string]string  `json:"customer,omitempty"`
	Items    []MercadoLivreItem `json:"items"`
}

// CreateMercadoLivreOrder records a sale for the account's seller.
func (c *Client) CreateMercadoLivreOrder(ctx context.Context, o NewMercadoLivreOrder) (mercadolivre.Created, error) {
	body := struct {
		Channel string `json:"channel"`
		NewMercadoLivreOrder
	}{"mercadolivre", o}
	var out struct {
		MercadoLivre mercadolivre.Created `json:"mercadolivre"`
	}
	return out.MercadoLivre, c.do(ctx, "POST", "/_sandbox/orders", nil, body, &out)
}

// NewMercadoLivreListing is a listing (POST /_sandbox/mercadolivre/items).
type NewMercadoLivreListing struct {
	Account           string `json:"account,omitempty"`
	Title             string `json:"title,omitempty"`
	SKU               string `json:"sku,omitempty"`
	Price             int64  `json:"price"` // cents
	AvailableQuantity int    `json:"availableQuantity"`
	Variations        []struct {
		Name              string `json:"name"`
		SKU               string `json:"sku,omitempty"`
		AvailableQuantity int    `json:"availableQuantity"`
	} `json:"variations,omitempty"`
}

// CreateMercadoLivreListing creates a listing and answers it as GET
// /items/{id} does.
func (c *Client) CreateMercadoLivreListing(ctx context.Context, l NewMercadoLivreListing) (map[string]any, error) {
	var out map[string]any
	return out, c.do(ctx, "POST", "/_sandbox/mercadolivre/items", nil, l, &out)
}

// AskMercadoLivreQuestion is a buyer's question on a listing.
func (c *Client) AskMercadoLivreQuestion(ctx context.Context, account, itemID, text string) (map[string]any, error) {
	var out map[string]any
	return out, c.do(ctx, "POST", "/_sandbox/mercadolivre/questions", nil, omitEmpty{"account": account, "itemId": itemID, "text": text}, &out)
}

// SendMercadoLivreBuyerMessage is the buyer writing on a pack (or an
// order without a pack).
func (c *Client) SendMercadoLivreBuyerMessage(ctx context.Context, account string, packID int64, text string) (map[string]any, error) {
	var out map[string]any
	body := map[string]any{"packId": packID, "text": text}
	if account != "" {
		body["account"] = account
	}
	return out, c.do(ctx, "POST", "/_sandbox/mercadolivre/messages", nil, body, &out)
}

// MercadoLivreOrderStep takes the platform's step on an order: pay,
// partial_refund (amount in cents), refund, cancel. It answers the
// order's new status.
func (c *Client) MercadoLivreOrderStep(ctx context.Context, account string, orderID int64, action string, amount int64) (string, error) {
	body := map[string]any{"action": action}
	if account != "" {
		body["account"] = account
	}
	if amount > 0 {
		body["amount"] = amount
	}
	var out struct {
		Status string `json:"status"`
	}
	err := c.do(ctx, "POST", "/_sandbox/mercadolivre/orders/"+url.PathEscape(strconv.FormatInt(orderID, 10))+"/step", nil, body, &out)
	return out.Status, err
}

// MercadoLivreShipmentStep takes the carrier's step on a shipment: ship,
// deliver, not_deliver. It answers the new status and substatus.
func (c *Client) MercadoLivreShipmentStep(ctx context.Context, account string, shipmentID int64, action string) (mercadolivre.State, error) {
	var out struct {
		Status    string `json:"status"`
		Substatus string `json:"substatus"`
	}
	err := c.do(ctx, "POST", "/_sandbox/mercadolivre/shipments/"+strconv.FormatInt(shipmentID, 10)+"/step", nil,
		omitEmpty{"account": account, "action": action}, &out)
	return mercadolivre.State{Status: out.Status, Substatus: out.Substatus}, err
}

// omitEmpty is a JSON object of strings without its empty ones.
type omitEmpty map[string]string

func (o omitEmpty) MarshalJSON() ([]byte, error) {
	m := map[string]string{}
	for k, v := range o {
		if v != "" {
			m[k] = v
		}
	}
	return json.Marshal(m)
}
