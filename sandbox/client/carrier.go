package client

import (
	"context"
	"net/url"
	"time"

	"github.com/omsbox/omsbox/sandbox/carrier"
)

// NewParcel asks for a carrier parcel; zero fields take the defaults (a
// generated code, the normal scenario, posted now).
type NewParcel struct {
	Account  string     `json:"account,omitempty"`
	Code     string     `json:"code,omitempty"`
	Scenario string     `json:"scenario,omitempty"`
	Delay    string     `json:"delay,omitempty"` // a Go duration, e.g. "72h"
	PostedAt *time.Time `json:"postedAt,omitempty"`
	OrderID  string     `json:"orderId,omitempty"`
	City     string     `json:"city,omitempty"`
	State    string     `json:"state,omitempty"`
}

// CreateParcel creates a carrier parcel (POST /_sandbox/carrier/parcels).
func (c *Client) CreateParcel(ctx context.Context, p NewParcel) (carrier.Parcel, error) {
	var out carrier.Parcel
	return out, c.do(ctx, "POST", "/_sandbox/carrier/parcels", nil, p, &out)
}

// Parcels lists the carrier's parcels of an account ("" for all).
func (c *Client) Parcels(ctx context.Context, account string) ([]carrier.Parcel, error) {
	var out struct {
		Parcels []carrier.Parcel `json:"parcels"`
	}
	return out.Parcels, c.do(ctx, "GET", "/_sandbox/carrier/parcels", query("account", account), nil, &out)
}

// SetParcelScenario changes a parcel's path ("normal", "delayed",
// "failed-attempt", "returned"); delay ("" for the default) lengthens the
// leg to the destination.
func (c *Client) SetParcelScenario(ctx context.Context, account, code, scenario, delay string) (carrier.Parcel, error) {
	var out carrier.Parcel
	body := map[string]string{"scenario": scenario}
	if account != "" {
		body["account"] = account
	}
	if delay != "" {
		body["delay"] = delay
	}
	return out, c.do(ctx, "POST", "/_sandbox/carrier/parcels/"+url.PathEscape(code)+"/scenario", nil, body, &out)
}
