package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The ERP's side of the seller's listings and of buyers' questions.
//
// Stock: Mercado Livre takes a paid order's units off the listing itself,
// while the units stay on the ERP's shelves until they leave with the
// NF-e. So the listing gets the ERP's balance minus the units of the paid
// orders the connector has downloaded and not invoiced: the raw balance
// would sell those units a second time.

// mlItem is the part of a listing the connector reads.
type mlItem struct {
	ID         string `json:"id"`
	Variations []struct {
		ID         int64 `json:"id"`
		Attributes []struct {
			ID        string `json:"id"`
			ValueName string `json:"value_name"`
		} `json:"attributes"`
	} `json:"variations"`
}

// mlListings returns the seller's listings that sell a seller SKU (as the
// listing's SELLER_SKU or one of its variations').
func (c *Connector) mlListings(ctx context.Context, sku string) ([]mlItem, error) {
	t, err := c.ml.token(ctx)
	if err != nil {
		return nil, err
	}
	var found struct {
		Results []string `json:"results"`
	}
	path := fmt.Sprintf("/users/%d/items/search?seller_sku=%s&limit=100", t.SellerID, url.QueryEscape(sku))
	if err := c.ml.do(ctx, "GET", path, "", nil, &found); err != nil {
		return nil, err
	}
	if len(found.Results) == 0 {
		return nil, fmt.Errorf("%w: no Mercado Livre listing sells SELLER_SKU %q", ErrBadAction, sku)
	}
	items := make([]mlItem, 0, len(found.Results))
	for _, id := range found.Results {
		var it mlItem
		if err := c.ml.do(ctx, "GET", "/items/"+url.PathEscape(id), "", nil, &it); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// mlHeldUnits counts the units of a seller SKU in the paid orders the
// connector has downloaded and not invoiced: sold, and still on the
// ERP's shelves.
func (c *Connector) mlHeldUnits(sku string) int {
	n := 0
	for _, o := range c.store.all() {
		if !strings.HasPrefix(o.OrderID, mlKey("")) || o.Status != mlPaid {
			continue
		}
		var doc mlOrder
		if json.Unmarshal(o.Order, &doc) != nil {
			continue
		}
		for _, line := range doc.OrderItems {
			if line.Item.SellerSKU == sku {
				n += line.Quantity
			}
		}
	}
	return n
}

// mlPushStock is set-stock with "channel":"mercadolivre": refId is the
// seller SKU, quantity the ERP's balance. Each listing of the SKU gets
// what may still be sold (Mercado Livre pauses one at 0 and reactivates
// it when stock comes back); a variation gets it in a PUT that names
// every variation, since Mercado Livre deletes the ones left out.
func (c *Connector) mlPushStock(ctx context.Context, a Action) error {
	if a.RefID == "" || a.Quantity == nil || *a.Quantity < 0 {
		return fmt.Errorf("%w: set-stock for Mercado Livre needs refId (the seller SKU) and a quantity ≥ 0", ErrBadAction)
	}
	items, err := c.mlListings(ctx, a.RefID)
	if err != nil {
		return err
	}
	available := max(*a.Quantity-c.mlHeldUnits(a.RefID), 0)
	for _, it := range items {
		body := map[string]any{"available_quantity": available}
		if len(it.Variations) > 0 {
			vars := make([]map[string]any, len(it.Variations))
			for i, v := range it.Variations {
				vars[i] = map[string]any{"id": v.ID}
				for _, at := range v.Attributes {
					if at.ID == "SELLER_SKU" && at.ValueName == a.RefID {
						vars[i]["available_quantity"] = available
					}
				}
			}
			body = map[string]any{"variations": vars}
		}
		data, _ := json.Marshal(body)
		if err := c.ml.do(ctx, "PUT", "/items/"+url.PathEscape(it.ID), "", data, nil); err != nil {
			return err
		}
		c.log.Info("Mercado Livre stock pushed", "item", it.ID, "sku", a.RefID, "balance", *a.Quantity, "available", available)
	}
	return nil
}

// mlPushPrice is set-price with "channel":"mercadolivre": the listings of
// the seller SKU get basePrice (reais; one price for all variations).
func (c *Connector) mlPushPrice(ctx context.Context, a Action) error {
	if a.RefID == "" || a.BasePrice == nil || *a.BasePrice <= 0 {
		return fmt.Errorf("%w: set-price for Mercado Livre needs refId (the seller SKU) and a basePrice", ErrBadAction)
	}
	items, err := c.mlListings(ctx, a.RefID)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(map[string]any{"price": *a.BasePrice})
	for _, it := range items {
		if err := c.ml.do(ctx, "PUT", "/items/"+url.PathEscape(it.ID), "", data, nil); err != nil {
			return err
		}
	}
	return nil
}

// mlAnswer is answer-question with "channel":"mercadolivre": the answer
// to a question the connector downloaded.
func (c *Connector) mlAnswer(ctx context.Context, a Action) error {
	id, err := strconv.ParseInt(a.Question, 10, 64)
	if err != nil || strings.TrimSpace(a.Answer) == "" {
		return fmt.Errorf("%w: answer-question for Mercado Livre needs question (its id) and answer", ErrBadAction)
	}
	if _, ok := c.store.get(mlQuestionKey(a.Question)); !ok {
		return fmt.Errorf("%w: Mercado Livre question %s was never downloaded", ErrBadAction, a.Question)
	}
	var doc json.RawMessage
	body, _ := json.Marshal(map[string]any{"question_id": id, "text": a.Answer})
	if err := c.ml.do(ctx, "POST", "/answers", "", body, &doc); err != nil {
		return err
	}
	return c.mlKeepQuestion(doc)
}
