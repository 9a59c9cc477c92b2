package sandbox_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// FuzzMercadoLivreRequests sends arbitrary NF-e XML to the invoice upload
// and arbitrary bodies to the token, item and answer decoders: never a
// 5xx (strict mode on), every refusal in Mercado Livre's error shape, and
// a refused upload leaves the shipment waiting for its invoice.
func FuzzMercadoLivreRequests(f *testing.F) {
	f.Add(uint8(0), nfeXML("119.80", false))
	f.Add(uint8(0), nfeXML("119.80", true))
	f.Add(uint8(0), `<?xml version="1.0" encoding="ISO-8859-1"?><nfeProc><NFe><infNFe Id="NFe1"/></NFe></nfeProc>`)
	f.Add(uint8(0), `<!DOCTYPE a [<!ENTITY b "c">]><NFe>&b;</NFe>`)
	f.Add(uint8(1), "grant_type=refresh_token&client_id=5503910054141466&client_secret=x&refresh_token=TG-1")
	f.Add(uint8(2), `{"available_quantity":-1,"price":1e309,"variations":[{"id":1}]}`)
	f.Add(uint8(3), `{"question_id":1e30,"text":""}`)
	sb := newMLSandbox(f) // one sandbox: building one per input is slow
	h := sb.Handler()
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		tok := mlLogin(t, h).AccessToken
		c := mlOrder(t, h, `{"channel":"mercadolivre","items":[{"id":"X","name":"Camiseta","price":5990,"quantity":2}]}`)
		var r response
		switch route % 4 {
		case 0:
			r = do(t, h, "POST", fmt.Sprintf("/mercadolivre/shipments/%d/invoice_data?siteId=MLB", c.ShipmentID), body,
				"Authorization: Bearer "+tok, "Content-Type: application/xml")
		case 1:
			if _, err := url.ParseQuery(body); err != nil {
				return
			}
			r = do(t, h, "POST", "/mercadolivre/oauth/token", body, "Content-Type: application/x-www-form-urlencoded")
		case 2:
			r = do(t, h, "PUT", "/mercadolivre/items/MLB1", body, "Authorization: Bearer "+tok, "Content-Type: application/json")
		case 3:
			r = do(t, h, "POST", "/mercadolivre/answers", body, "Authorization: Bearer "+tok, "Content-Type: application/json")
		}
		if r.status >= 500 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r.status >= 400 {
			mlError(t, r)
			if st, _ := sb.MercadoLivre.ShipmentState(c.ShipmentID); route%4 == 0 && st.Substatus != "invoice_pending" {
				t.Fatalf("a refused upload moved the shipment to %s", st)
			}
		}
		if route%4 == 0 && r.status == 200 && !strings.Contains(string(r.body), `"fiscal_key"`) {
			t.Fatalf("upload: %s", r.body)
		}
	})
}
