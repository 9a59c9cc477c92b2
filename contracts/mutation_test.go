package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts"
	"github.com/omsbox/omsbox/contracts/reference"
)

// A mutant is the reference client with one deliberate defect, made by
// wrapping the transport of its VTEX calls. The suite has teeth when the
// scenarios that should catch each defect fail.
type mutant struct {
	name   string
	defect func(env contracts.Env, next http.RoundTripper) http.RoundTripper
	// configure, for a defect no transport can make, changes the client's
	// configuration instead.
	configure func(*reference.Config)
	// mustFail are scenarios that must catch the defect.
	mustFail []string
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body))}
}

// feedItems reads a feed lot out of a response, leaving it readable.
func feedItems(resp *http.Response) []struct{ OrderID, State string } {
	data, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	var lot []struct{ OrderID, State string }
	_ = json.Unmarshal(data, &lot)
	return lot
}

// call makes a side request with the integration's own credentials.
func call(next http.RoundTripper, like *http.Request, method, path, body string) (*http.Response, error) {
	u := *like.URL
	u.Path, u.RawPath = path, ""
	req, _ := http.NewRequestWithContext(like.Context(), method, u.String(), strings.NewReader(body))
	req.Header = like.Header.Clone()
	return next.RoundTrip(req)
}

// onReadyItems calls do for each ready-for-handling item of every feed lot
// the client reads, before the client sees the lot.
func onReadyItems(next http.RoundTripper, do func(r *http.Request, orderID string)) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err == nil && r.Method == "GET" && r.URL.Path == "/api/orders/feed" {
			for _, it := range feedItems(resp) {
				if it.State == "ready-for-handling" {
					do(r, it.OrderID)
				}
			}
		}
		return resp, err
	})
}

// sideCall makes a call the client does not know of, and drops the answer.
func sideCall(next http.RoundTripper, like *http.Request, method, path, body string) {
	if resp, err := call(next, like, method, path, body); err == nil {
		resp.Body.Close()
	}
}

var mutants = []mutant{
	{
		name: "never commits the feed",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				if r.Method == "POST" && r.URL.Path == "/api/orders/feed" {
					return answer(200, ""), nil // pretends to commit
				}
				return next.RoundTrip(r)
			})
		},
		mustFail: []string{"A paid order is downloaded and handled", "Several orders arrive in one lot"},
	},
	{
		name: "starts handling before reading the order",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return onReadyItems(next, func(r *http.Request, orderID string) {
				sideCall(next, r, "POST", "/api/oms/pvt/orders/"+orderID+"/start-handling", "")
			})
		},
		mustFail: []string{"A paid order is downloaded and handled"},
	},
	{
		name: "invoices before start-handling",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return onReadyItems(next, func(r *http.Request, orderID string) {
				sideCall(next, r, "POST", "/api/oms/pvt/orders/"+orderID+"/invoice",
					`{"type":"Output","issuanceDate":"2026-01-01","invoiceNumber":"EARLY","invoiceValue":1,"items":[{"id":"SKU-1","price":1,"quantity":1}]}`)
			})
		},
		mustFail: []string{"Full invoice", "Partial invoices of a multi-item order"},
	},
	{
		name: "retries 429 without waiting",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				for i := 0; err == nil && resp.StatusCode == http.StatusTooManyRequests && i < 3 && r.Body == nil; i++ {
					resp.Body.Close()
					resp, err = next.RoundTrip(r)
				}
				return resp, err
			})
		},
		mustFail: []string{"429 on order reads: the integration backs off and completes", "429 from the carrier: the integration waits as told"},
	},
	{
		name: "requests a pickup per invoiced item",
		defect: func(env contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				if err != nil || r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/invoice") || resp.StatusCode != 200 {
					return resp, err
				}
				id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/oms/pvt/orders/"), "/invoice")
				order, err := call(next, r, "GET", "/api/oms/pvt/orders/"+id, "")
				if err != nil {
					return resp, nil
				}
				var o struct{ MarketplaceOrderID string }
				_ = json.NewDecoder(order.Body).Decode(&o)
				order.Body.Close()
				if o.MarketplaceOrderID == "" {
					return resp, nil
				}
				remote := o.MarketplaceOrderID[strings.LastIndex(o.MarketplaceOrderID, "-")+1:]
				for _, step := range []struct{ path, body string }{
					{"/shipments/b2w", `{"order_remote_codes":["` + remote + `"]}`},
					{"/shipments/b2w/confirm_collection", `{"order_codes":["` + remote + `"]}`},
				} {
					req, _ := http.NewRequestWithContext(r.Context(), "POST", env.SkyHubURL+step.path, strings.NewReader(step.body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-User-Email", env.SkyHubEmail)
					req.Header.Set("X-Api-Key", env.SkyHubAPIKey)
					req.Header.Set("X-Accountmanager-Key", env.SkyHubAMKey)
					if side, err := next.RoundTrip(req); err == nil {
						side.Body.Close()
					}
				}
				return resp, nil
			})
		},
		mustFail: []string{"One item: pickup requested after its invoice",
			"Two items: no pickup until the last item is invoiced, then exactly one"},
	}, {
		name: "pushes the raw ERP balance ignoring the orders it handles",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			// It adds back the units of the acknowledged (handled)
			// reservations to every stock write: the ERP's raw balance.
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				m := stockWrite.FindStringSubmatch(r.URL.Path)
				if r.Method != "PUT" || m == nil || r.Body == nil {
					return next.RoundTrip(r)
				}
				var body map[string]any
				_ = json.NewDecoder(r.Body).Decode(&body)
				q, _ := body["quantity"].(float64)
				if resp, err := call(next, r, "GET", "/api/logistics/pvt/inventory/reservations/"+m[2]+"/"+m[1], ""); err == nil {
					var list []struct {
						State      string
						SlaRequest []struct {
							Item struct {
								ID       string `json:"id"`
								Quantity int    `json:"quantity"`
							} `json:"item"`
						}
					}
					_ = json.NewDecoder(resp.Body).Decode(&list)
					resp.Body.Close()
					for _, res := range list {
						for _, l := range res.SlaRequest {
							if res.State == "acknowledged" && l.Item.ID == m[1] {
								q += float64(l.Item.Quantity)
							}
						}
					}
				}
				body["quantity"] = q
				data, _ := json.Marshal(body)
				r2 := r.Clone(r.Context())
				r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
				return next.RoundTrip(r2)
			})
		},
		mustFail: []string{"An order reserves, and the next push does not oversell"},
	},
	{
		name: "never retries 423 and drops the locked stock write",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				if err == nil && resp.StatusCode == http.StatusLocked {
					resp.Body.Close()
					return answer(200, "true"), nil // takes the refusal for done
				}
				return resp, err
			})
		},
		mustFail: []string{"A stock write refused with 423 is retried"},
	},
	{
		// It acknowledges the queue item as soon as it reads it, then dies
		// before storing the order (its read fails): the order is lost.
		name: "deletes the SkyHub queue item before storing the order",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				if err != nil || r.Method != "GET" || !strings.HasSuffix(r.URL.Path, "/queues/orders") || resp.StatusCode != 200 {
					return resp, err
				}
				var o struct{ Code string }
				_ = json.NewDecoder(resp.Body).Decode(&o)
				resp.Body.Close()
				sideCall(next, r, "DELETE", r.URL.Path+"/"+o.Code, "")
				return answer(500, `{"error":"the connector died before storing the order"}`), nil
			})
		},
		mustFail: []string{"An order from the SkyHub queue is invoiced, shipped and delivered", "An order taken off the queue is never lost"},
	},
	{
		name: "sends promotional_price 0 to SkyHub for a product without a promotion",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				if r.Body == nil || !strings.Contains(r.URL.Path, "/products") || (r.Method != "POST" && r.Method != "PUT") {
					return next.RoundTrip(r)
				}
				var body struct {
					Product map[string]any `json:"product"`
				}
				data, _ := io.ReadAll(r.Body)
				if json.Unmarshal(data, &body) == nil && body.Product != nil {
					if _, ok := body.Product["promotional_price"]; !ok {
						body.Product["promotional_price"] = 0
						data, _ = json.Marshal(body)
					}
				}
				r = r.Clone(r.Context())
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
				return next.RoundTrip(r)
			})
		},
		mustFail: []string{"The ERP pushes products, stock and price, never a promotional price of 0"},
	},
	{
		name:     "marks delivered on out for delivery",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return deliveredOnOEC(next) },
		mustFail: []string{"The carrier's events reach VTEX until the parcel is delivered"},
	},
	{
		name:     "polls delivered parcels forever",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return pollsDeliveredForever(next) },
		mustFail: []string{"A delivered parcel is never polled again"},
	},
	{
		name:   "marks the SkyHub order delivered when it is out for delivery",
		defect: func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return skyhubDeliveredOnOEC(next) },
		mustFail: []string{"A seller-shipped SkyHub order becomes delivered when the carrier delivers it",
			"A failed delivery attempt does not deliver the SkyHub order"},
	},
	{
		name:     "sends a Mercado Livre refresh token twice",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return refreshesTwice(next) },
		mustFail: []string{"The ERP refreshes its token when it expires and never reuses a refresh token"},
	},
	{
		name:     "uploads an NF-e whose total differs from the order's",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return nfeTotalOff(next) },
		mustFail: []string{"The ERP authorizes, downloads a paid order and uploads its NF-e; the shipment becomes ready to ship"},
	},
	{
		// No receiver: Mercado Livre's notifications fail, and the orders
		// come in only with a poll, once a day.
		name: "ignores Mercado Livre's notifications and only polls once a day",
		configure: func(c *reference.Config) {
			c.MLNotifyAddr, c.PollInterval = "", 24*time.Hour
		},
		mustFail: []string{"The ERP fetches an order as soon as Mercado Livre notifies it"},
	},
	{
		name:     "trusts Mercado Livre's notifications alone and never catches up",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return neverCatchesUp(next) },
		mustFail: []string{"An order whose notification the ERP missed while it was down is recovered when it starts"},
	},
	{
		name:     "pushes the raw ERP balance to Mercado Livre, counting the units it still has to ship",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return mlRawBalance(next) },
		mustFail: []string{"The ERP updates a listing's stock and price, leaving out the units it still has to ship"},
	},
	{
		name:     "never reads Mercado Livre's questions",
		defect:   func(_ contracts.Env, next http.RoundTripper) http.RoundTripper { return ignoresQuestions(next) },
		mustFail: []string{"The ERP answers a buyer's question on a listing"},
	},
	{
		name:     "files every order under the first company it saw",
		defect:   filedUnderTheFirstCompany,
		mustFail: []string{"A company sees its own orders, web and telesales, and no other company's", "Another company's order is never shown"},
	},
}

// deliveredOnOEC takes "out for delivery" (OEC) for a delivery: a tracking
// push whose last event is the parcel leaving for delivery goes out as
// delivered.
func deliveredOnOEC(next http.RoundTripper) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method != "PUT" || !strings.HasSuffix(r.URL.Path, "/tracking") || r.Body == nil {
			return next.RoundTrip(r)
		}
		data, _ := io.ReadAll(r.Body)
		var body struct {
			IsDelivered   bool                `json:"isDelivered"`
			DeliveredDate *string             `json:"deliveredDate"`
			Events        []map[string]string `json:"events"`
		}
		if json.Unmarshal(data, &body) == nil && !body.IsDelivered && len(body.Events) > 0 &&
			strings.Contains(body.Events[len(body.Events)-1]["description"], "saiu para entrega") {
			when := body.Events[len(body.Events)-1]["date"] + " 12:00"
			body.IsDelivered, body.DeliveredDate = true, &when
			data, _ = json.Marshal(body)
		}
		r2 := r.Clone(r.Context())
		r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		return next.RoundTrip(r2)
	})
}

// deliveredEvent finds a delivery (BDE 01) in a tracking answer.
var deliveredEvent = regexp.MustCompile(`"codigo":"BDE"[^}]*"tipo":"01"`)

// pollsDeliveredForever keeps asking the carrier about every parcel it
// has seen delivered, once per feed read.
func pollsDeliveredForever(next http.RoundTripper) http.RoundTripper {
	var mu sync.Mutex
	delivered := map[string]*http.Request{} // tracking URL → a request for it
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		switch {
		case r.Method == "GET" && strings.Contains(r.URL.Path, "/srorastro/") && resp.StatusCode == 200:
			data, _ := io.ReadAll(resp.Body)
			resp.Body = io.NopCloser(bytes.NewReader(data))
			if deliveredEvent.Match(data) {
				mu.Lock()
				delivered[r.URL.String()] = r.Clone(context.Background())
				mu.Unlock()
			}
		case r.Method == "GET" && r.URL.Path == "/api/orders/feed":
			mu.Lock()
			again := make([]*http.Request, 0, len(delivered))
			for _, d := range delivered {
				again = append(again, d.Clone(r.Context()))
			}
			mu.Unlock()
			for _, d := range again {
				if side, err := next.RoundTrip(d); err == nil {
					side.Body.Close()
				}
			}
		}
		return resp, err
	})
}

// outForDelivery finds an out-for-delivery event (OEC) in a tracking answer.
var outForDelivery = regexp.MustCompile(`"codigo":"OEC"`)

// skyhubDeliveredOnOEC remembers the SkyHub shipments the client makes
// and, when the carrier shows one of their parcels out for delivery (and
// not yet delivered), tells SkyHub the order was delivered.
func skyhubDeliveredOnOEC(next http.RoundTripper) http.RoundTripper {
	var mu sync.Mutex
	shipments := map[string]*http.Request{} // track code → the shipment request
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/shipments") && r.Body != nil {
			data, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(data))
			var body struct {
				Shipment struct {
					Track struct{ Code string } `json:"track"`
				} `json:"shipment"`
			}
			if json.Unmarshal(data, &body) == nil && body.Shipment.Track.Code != "" {
				mu.Lock()
				shipments[body.Shipment.Track.Code] = r.Clone(context.Background())
				mu.Unlock()
			}
		}
		resp, err := next.RoundTrip(r)
		if err != nil || r.Method != "GET" || !strings.Contains(r.URL.Path, "/srorastro/") || resp.StatusCode != 200 {
			return resp, err
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(data))
		mu.Lock()
		ship := shipments[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]
		mu.Unlock()
		if ship != nil && outForDelivery.Match(data) && !deliveredEvent.Match(data) {
			sideCall(next, ship.Clone(r.Context()), "POST", strings.TrimSuffix(ship.URL.Path, "/shipments")+"/delivery", `{"status":"complete"}`)
		}
		return resp, err
	})
}

// stockWrite is Logistics' stock write: SKU id, warehouse id.
// filedUnderTheFirstCompany rewrites the order documents the client reads
// so that every corporate order names the first company it saw: an ERP
// that mixes its customers up, and so shows a company another's orders.
func filedUnderTheFirstCompany(_ contracts.Env, next http.RoundTripper) http.RoundTripper {
	var first string
	var mu sync.Mutex
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil || r.Method != "GET" || !orderRead.MatchString(r.URL.Path) || resp.StatusCode != 200 {
			return resp, err
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var doc map[string]any
		if json.Unmarshal(data, &doc) == nil {
			if p, ok := doc["clientProfileData"].(map[string]any); ok {
				if cnpj, ok := p["corporateDocument"].(string); ok {
					mu.Lock()
					if first == "" {
						first = cnpj
					}
					p["corporateDocument"] = first
					mu.Unlock()
					data, _ = json.Marshal(doc)
				}
			}
		}
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		resp.Header.Del("Content-Length")
		return resp, nil
	})
}

var orderRead = regexp.MustCompile(`^/api/oms/pvt/orders/[^/]+$`)

var stockWrite = regexp.MustCompile(`^/api/logistics/pvt/inventory/skus/([^/]+)/warehouses/([^/]+)$`)

// mutantClient is the reference client with a defect in its transport
// or its configuration.
type mutantClient struct {
	contracts.InProcess
	defect    func(contracts.Env, http.RoundTripper) http.RoundTripper
	configure func(*reference.Config)
}

func (m mutantClient) Start(ctx context.Context, env contracts.Env) (contracts.Running, error) {
	in := m.InProcess
	if m.defect != nil {
		in.Transport = m.defect(env, http.DefaultTransport)
	}
	in.Configure = m.configure
	return in.Start(ctx, env)
}

func TestMutantsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("mutation tests run the whole suite once per mutant")
	}
	for _, lang := range []string{"en", "pt"} {
		for _, m := range mutants {
			t.Run(lang+"/"+m.name, func(t *testing.T) {
				catches(t, m, lang)
			})
		}
	}
}

// catches runs the built-in features of one language against a mutant;
// the scenarios that must catch it fail.
func catches(t *testing.T, m mutant, lang string) {
	dir := t.TempDir()
	// Only the features that hold the scenarios meant to catch the defect
	// run (their Portuguese twins share the file names): the whole suite
	// once per mutant and language would be most of the package's time.
	var files []string
	for _, f := range featuresOf(t, m.mustFail) {
		files = append(files, filepath.Join("..", "features", lang, f))
	}
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: mutantClient{InProcess: contracts.InProcess{StateDir: dir}, defect: m.defect, configure: m.configure},
		Tags:        "~@hook", Lang: lang, Features: files, NoBuiltin: true, Concurrency: 4,
		Formats: "cucumber,html", OutDir: dir, Output: io.Discard,
		Wait: 4 * time.Second, // a mutant fails; no need to wait it out for long
	})
	if err != nil {
		t.Fatal(err)
	}
	if status == 0 {
		t.Fatalf("the suite passed against a client that %s", m.name)
	}
	failed := failedScenarios(t, filepath.Join(dir, "omsbox-contracts.cucumber.json"))
	page, err := os.ReadFile(filepath.Join(dir, "omsbox-contracts.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range m.mustFail {
		if lang == "pt" {
			want = contracts.PortugueseName(want)
		}
		if !slices.Contains(failed, want) {
			t.Errorf("scenario %q did not catch a client that %s (failed: %v)", want, m.name, failed)
		}
		// The reviewers' report shows it failed, open, with the failure.
		opened := regexp.MustCompile(`<details class="scenario failed" id="s\d+" data-status="failed" open>\s*<summary><span class="badge failed">[^<]+</span>` +
			regexp.QuoteMeta(html.EscapeString(want)))
		if !opened.Match(page) {
			t.Errorf("the HTML report does not show %q failed and open", want)
		}
	}
	if !strings.Contains(string(page), `<pre class="err">`) {
		t.Error("the HTML report shows no failure")
	}
	if lang == "pt" && (!strings.Contains(string(page), `<html lang="pt-BR">`) || !strings.Contains(string(page), "reprovado")) {
		t.Error("the report of the Portuguese features is not in Portuguese")
	}
}

// failedScenarios reads a cucumber JSON report.
func failedScenarios(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report []struct {
		Elements []struct {
			Name  string `json:"name"`
			Steps []struct {
				Result struct{ Status string } `json:"result"`
			} `json:"steps"`
			After []struct {
				Result struct{ Status string } `json:"result"`
			} `json:"after"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("cucumber report: %v", err)
	}
	var failed []string
	for _, f := range report {
		for _, e := range f.Elements {
			for _, s := range append(e.Steps, e.After...) {
				if s.Result.Status == "failed" {
					failed = append(failed, e.Name)
					break
				}
			}
		}
	}
	return failed
}

// featuresOf returns the English feature files that hold the named
// scenarios; a name no feature holds fails the test.
func featuresOf(t *testing.T, scenarios []string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "features", "en", "*.feature"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range scenarios {
		found := false
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "Scenario: "+name+"\n") {
				found = true
				if f := filepath.Base(p); !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
		if !found {
			t.Fatalf("no feature holds the scenario %q", name)
		}
	}
	return out
}

// refreshesTwice sends every Mercado Livre token refresh a second time
// (a retry of a call whose answer was "lost") and hands the client the
// second answer.
func refreshesTwice(next http.RoundTripper) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/oauth/token") {
			return next.RoundTrip(r)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !strings.Contains(string(body), "grant_type=refresh_token") {
			return next.RoundTrip(r)
		}
		if resp, err := next.RoundTrip(r); err == nil {
			resp.Body.Close()
		}
		again := r.Clone(r.Context())
		again.Body = io.NopCloser(bytes.NewReader(body))
		return next.RoundTrip(again)
	})
}

// nfeTotalOff adds a real to the vNF of every NF-e uploaded to Mercado
// Livre.
func nfeTotalOff(next http.RoundTripper) http.RoundTripper {
	vnf := regexp.MustCompile(`<vNF>(\d+)\.(\d{2})</vNF>`)
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/invoice_data") {
			return next.RoundTrip(r)
		}
		body, _ := io.ReadAll(r.Body)
		body = vnf.ReplaceAllFunc(body, func(m []byte) []byte {
			parts := vnf.FindSubmatch(m)
			var reais int
			for _, d := range parts[1] {
				reais = reais*10 + int(d-'0')
			}
			return []byte(fmt.Sprintf("<vNF>%d.%s</vNF>", reais+1, parts[2]))
		})
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		return next.RoundTrip(r)
	})
}

// neverCatchesUp answers every Mercado Livre catch-up read (missed
// notifications, order and question searches) with an empty page: a
// client that relies on notifications alone.
func neverCatchesUp(next http.RoundTripper) http.RoundTripper {
	empty := map[string]string{
		"/missed_feeds":     `{"messages":[],"paging":{"total":0,"offset":0,"limit":50}}`,
		"/orders/search":    `{"results":[],"paging":{"total":0,"offset":0,"limit":50}}`,
		"/questions/search": `{"total":0,"limit":50,"questions":[]}`,
	}
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		for suffix, body := range empty {
			if r.Method == "GET" && strings.HasSuffix(r.URL.Path, suffix) {
				return answer(200, body), nil
			}
		}
		return next.RoundTrip(r)
	})
}

// mlListingWrite is Mercado Livre's listing update.
var mlListingWrite = regexp.MustCompile(`/items/(MLB\d+)$`)

// mlRawBalance adds back, to every available_quantity it sends a
// listing, the units of the paid orders of that listing: the ERP's raw
// balance, which still counts the units sold and not shipped.
func mlRawBalance(next http.RoundTripper) http.RoundTripper {
	get := func(like *http.Request, path string, out any) {
		u := *like.URL
		u.Path, u.RawQuery, _ = strings.Cut(path, "?")
		u.RawPath = ""
		req, _ := http.NewRequestWithContext(like.Context(), "GET", u.String(), nil)
		req.Header = like.Header.Clone()
		if resp, err := next.RoundTrip(req); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
			resp.Body.Close()
		}
	}
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		m := mlListingWrite.FindStringSubmatch(r.URL.Path)
		if r.Method != "PUT" || m == nil || r.Body == nil {
			return next.RoundTrip(r)
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if q, ok := body["available_quantity"].(float64); ok {
			base := strings.TrimSuffix(r.URL.Path, "/items/"+m[1])
			var me struct {
				ID int64 `json:"id"`
			}
			get(r, base+"/users/me", &me)
			var page struct {
				Results []struct {
					OrderItems []struct {
						Item struct {
							ID string `json:"id"`
						} `json:"item"`
						Quantity int `json:"quantity"`
					} `json:"order_items"`
				} `json:"results"`
			}
			get(r, fmt.Sprintf("%s/orders/search?seller=%d&order.status=paid&limit=50", base, me.ID), &page)
			for _, o := range page.Results {
				for _, l := range o.OrderItems {
					if l.Item.ID == m[1] {
						q += float64(l.Quantity)
					}
				}
			}
			body["available_quantity"] = q
		}
		data, _ := json.Marshal(body)
		r2 := r.Clone(r.Context())
		r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		return next.RoundTrip(r2)
	})
}

// ignoresQuestions follows orders only: every read of Mercado Livre's
// questions (a notified one, the search) comes back empty.
func ignoresQuestions(next http.RoundTripper) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		switch {
		case r.Method != "GET" || !strings.Contains(r.URL.Path, "/questions/"):
			return next.RoundTrip(r)
		case strings.HasSuffix(r.URL.Path, "/questions/search"):
			return answer(200, `{"total":0,"limit":50,"questions":[]}`), nil
		}
		return answer(404, `{"message":"Question not found","error":"not_found","status":404,"cause":[]}`), nil
	})
}
