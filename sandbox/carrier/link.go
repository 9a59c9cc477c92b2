package carrier

import (
	"strings"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/oms"
	"github.com/omsbox/omsbox/sandbox/skyhub"
)

// onEvent creates a parcel for each Correios code a channel carries: a
// VTEX invoice (added, posted again, or its tracking patched) with a
// tracking number, and a SkyHub shipment with a track code. A code that
// is no Correios code is ignored, with an event that says why. It runs
// within the publisher's delivery, so its own events go out afterwards.
func (c *Carrier) onEvent(e events.Event) {
	switch e.Type {
	case events.InvoiceAdded, events.InvoiceUpdated, events.TrackingUpdated:
		code, _ := e.Data["trackingNumber"].(string)
		var city, uf string
		if o, ok := e.Subject.(*oms.Order); ok {
			city, uf = o.ShippingData.Address.City, o.ShippingData.Address.State
		}
		c.link(SourceVTEX, e, e.OrderID, code, city, uf)
	case skyhub.EventStatusChanged:
		if e.To != string(skyhub.Shipped) {
			return
		}
		code, _ := e.Data["trackCode"].(string)
		order, _ := e.Data["code"].(string)
		city, _ := e.Data["city"].(string)
		uf, _ := e.Data["region"].(string)
		c.link(SourceSkyHub, e, order, code, city, uf)
	}
}

func (c *Carrier) link(source string, e events.Event, orderID, code, city, uf string) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return
	}
	if p := CorreiosProblem(code); p != "" {
		c.later(events.Event{Time: e.Time, Account: e.Account, Type: EventCodeIgnored, OrderID: orderID,
			Data: map[string]any{"code": clipID(code), "source": source, "reason": p}})
		return
	}
	c.mu.Lock()
	_, exists := c.parcels[e.Account][code]
	c.mu.Unlock()
	if exists {
		return // the same invoice posted again, or its tracking patched with the same code
	}
	evs, _, err := c.create(NewParcel{Account: e.Account, Code: code, Source: source, OrderID: orderID,
		City: plain(city), UF: uf, PostedAt: e.Time})
	if err != nil {
		c.later(events.Event{Time: e.Time, Account: e.Account, Type: EventCodeIgnored, OrderID: orderID,
			Data: map[string]any{"code": code, "source": source, "reason": err.Error()}})
		return
	}
	c.later(evs...)
}

// plain writes a city as Correios does: upper case, no accents.
func plain(s string) string {
	return strings.ToUpper(accents.Replace(s))
}

var accents = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o",
	"õ", "o", "ú", "u", "ü", "u", "ç", "c", "Á", "A", "À", "A", "Â", "A", "Ã", "A", "É", "E", "Ê", "E", "Í", "I",
	"Ó", "O", "Ô", "O", "Õ", "O", "Ú", "U", "Ç", "C")
