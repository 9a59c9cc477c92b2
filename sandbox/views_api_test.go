package sandbox_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// The control-plane views the dashboard reads (and anyone may): every
// channel's orders, an order's timeline, catalog, feeds and hooks, the
// live stream, and the page's own files.

func TestOrdersListsEveryChannelNewestFirst(t *testing.T) {
	s := startSandbox(t)
	c := s.Client
	created := func(n client.NewOrder) string {
		t.Helper()
		o, err := c.CreateOrder(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdvanceClock(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
		return o.OrderID
	}
	vtexID := created(camiseta(""))
	b2w := camiseta("")
	b2w.Channel = oms.ChannelB2W
	b2wID := created(b2w)
	// A SkyHub test order that B2W never approved: in SkyHub only.
	r := do(t, s.Handler(), "POST", "/skyhub/orders", `{"order":{"channel":"Lojas Americanas","calculation_type":"b2wentregadirect",
		"items":[{"id":"CAM","name":"Camiseta","qty":3,"original_price":49.9,"special_price":49.9}],
		"customer":{"name":"Ana Souza","email":"ana@example.com.br","vat_number":"52998224725"}}}`, sellerAuth...)
	if r.status != http.StatusCreated {
		t.Fatalf("SkyHub test order: %d %s", r.status, r.body)
	}
	var sky struct{ Code string }
	r.json(t, &sky)
	if _, err := c.AdvanceClock(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	r = do(t, s.Handler(), "POST", "/_sandbox/orders", `{"channel":"mercadolivre","items":[{"id":"X","name":"Caneca","price":3000,"quantity":1}]}`)
	var mlOrder struct {
		Mercadolivre struct{ OrderID int64 } `json:"mercadolivre"`
	}
	r.json(t, &mlOrder)

	list, err := c.Orders(ctx, "", 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list.Orders {
		got = append(got, o.Channel+" "+o.ID)
	}
	want := []string{"mercadolivre " + itoa(mlOrder.Mercadolivre.OrderID), "skyhub " + sky.Code, "b2w " + b2wID, "vtex " + vtexID}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("newest four orders:\n got %v\nwant %v", got, want)
	}
	if list.Total != 8+4 || list.Account != "demostore" {
		t.Fatalf("total %d in %q, want the 8 seeded and 4 new in demostore", list.Total, list.Account)
	}
	if b := list.Orders[2]; b.MarketplaceOrderID == "" || b.Value < 2*4990 || b.Units != 2 {
		t.Fatalf("the B2W row: %+v", b)
	}
	if sk := list.Orders[1]; sk.Status != "NEW" || sk.Units != 3 || sk.Value != 14970 {
		t.Fatalf("the SkyHub-only row: %+v, want NEW, 3 units, 14970 cents", sk)
	}
	// A B2W order is listed once, as b2w, never again as its SkyHub twin.
	all, _ := c.Orders(ctx, "", 500)
	for _, o := range all.Orders {
		if o.ID == list.Orders[2].MarketplaceOrderID {
			t.Fatalf("the B2W order's SkyHub twin is listed on its own: %+v", o)
		}
	}
	// Invoices and tracking show on the row.
	r = do(t, s.Handler(), "POST", "/api/oms/pvt/orders/"+vtexID+"/start-handling", "", demoAuth...)
	r = do(t, s.Handler(), "POST", "/api/oms/pvt/orders/"+vtexID+"/invoice", `{"type":"Output","invoiceNumber":"NF-77","invoiceValue":"`+
		itoa(list.Orders[3].Value)+`","issuanceDate":"2026-03-10","trackingNumber":"TRK-1","courier":"Transportadora",
		"items":[{"id":"SKU-1","price":4990,"quantity":2}]}`, demoAuth...)
	if r.status != http.StatusOK {
		t.Fatalf("invoice: %d %s", r.status, r.body)
	}
	list, _ = c.Orders(ctx, "", 500)
	for _, o := range list.Orders {
		if o.ID == vtexID && (o.Status != "invoiced" || len(o.Invoices) != 1 || o.Invoices[0].Number != "NF-77" ||
			o.Invoices[0].TrackingNumber != "TRK-1" || o.Invoices[0].Courier != "Transportadora") {
			t.Fatalf("the invoiced row: %+v", o)
		}
	}
	for _, bad := range []struct {
		query  string
		status int
	}{{"?account=nosuch", 404}, {"?limit=0", 400}, {"?limit=501", 400}} {
		r := do(t, s.Handler(), "GET", "/_sandbox/orders"+bad.query, "")
		wantControlError(t, r, bad.status)
	}
}

func TestTimelinePutsEventsBesideTheCallsThatRaisedThem(t *testing.T) {
	s := startSandbox(t)
	o, err := s.Client.CreateOrder(ctx, camiseta(""))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	do(t, h, "GET", "/api/oms/pvt/orders/"+o.OrderID, "", demoAuth...)
	do(t, h, "POST", "/api/oms/pvt/orders/"+o.OrderID+"/start-handling", "", demoAuth...)
	do(t, h, "POST", "/api/oms/pvt/orders/"+o.OrderID+"/start-handling", "", demoAuth...) // refused: 409, no event
	other := orderIn(t, s.Sandbox, oms.StatusReadyForHandling)
	do(t, h, "POST", "/api/oms/pvt/orders/"+other+"/start-handling", "", demoAuth...) // another order: not in this timeline

	tl, err := s.Client.Timeline(ctx, "", o.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, st := range tl.Steps {
		line := "-"
		if st.Call != nil {
			line = st.Call.Method + " " + strings.TrimPrefix(st.Call.Path, "/api/oms/pvt/orders/"+o.OrderID) + " " + itoa(int64(st.Call.Status))
		}
		for _, e := range st.Events {
			line += " [" + e.Type + " " + e.To + "]"
		}
		lines = append(lines, line)
	}
	got := strings.Join(lines, "\n")
	wantTail := "GET  200\nPOST /start-handling 204 [order.status-changed start-handling] [order.status-changed handling]\nPOST /start-handling 409"
	if !strings.HasPrefix(got, "- [order.created order-created]") || !strings.HasSuffix(got, wantTail) {
		t.Fatalf("timeline:\n%s\nwant it to open with the creation and end with:\n%s", got, wantTail)
	}
	if tl.Account != "demostore" || tl.Channel != "vtex" || len(tl.IDs) != 1 {
		t.Fatalf("timeline header: %+v", tl)
	}

	// A B2W order goes by its SkyHub code too, and shows the bridge's calls.
	b2w := camiseta("")
	b2w.Channel = oms.ChannelB2W
	bo, err := s.Client.CreateOrder(ctx, b2w)
	if err != nil {
		t.Fatal(err)
	}
	do(t, h, "POST", "/api/oms/pvt/orders/"+bo.OrderID+"/start-handling", "", demoAuth...)
	r := do(t, h, "POST", "/api/oms/pvt/orders/"+bo.OrderID+"/invoice", `{"type":"Output","invoiceNumber":"1001","invoiceValue":`+
		itoa(bo.Value)+`,"issuanceDate":"2026-03-10","invoiceKey":"35260311222333000181550010000010011000010019",
		"items":[{"id":"SKU-1","price":4990,"quantity":2}]}`, demoAuth...)
	if r.status != http.StatusOK {
		t.Fatalf("invoice the B2W order: %d %s", r.status, r.body)
	}
	var bt client.Timeline
	eventually(t, "the bridge's forwarded invoice in the B2W order's timeline", func() bool {
		bt, err = s.Client.Timeline(ctx, "", bo.MarketplaceOrderID)
		for _, st := range bt.Steps {
			if st.Call != nil && st.Call.Origin == "vtex-skyhub-connector" && strings.HasSuffix(st.Call.Path, "/invoice") {
				return err == nil
			}
		}
		return false
	})
	if bt.Channel != "b2w" || len(bt.IDs) != 2 || bt.IDs[0] != bo.MarketplaceOrderID || bt.IDs[1] != bo.OrderID {
		t.Fatalf("the B2W timeline by its SkyHub code: channel %q ids %v", bt.Channel, bt.IDs)
	}
	wantControlError(t, do(t, h, "GET", "/_sandbox/orders/nosuch-01/timeline", ""), http.StatusNotFound)
	wantControlError(t, do(t, h, "GET", "/_sandbox/orders/"+o.OrderID+"/timeline?account=otherstore", ""), http.StatusNotFound)
}

func TestStreamSendsCallsAndEventsAsTheyHappen(t *testing.T) {
	s := startSandbox(t)
	spec, err := openapi.Load("sandbox.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.Doc()
	if err != nil {
		t.Fatal(err)
	}
	type sse struct{ kind, data string }
	open := func(query string) (<-chan sse, func()) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"/_sandbox/stream"+query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		out := make(chan sse, 100)
		go func() {
			defer close(out)
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			var cur sse
			for sc.Scan() {
				switch line := sc.Text(); {
				case strings.HasPrefix(line, "event: "):
					cur.kind = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: "):
					cur.data = strings.TrimPrefix(line, "data: ")
				case line == "" && cur.kind != "":
					out <- cur
					cur = sse{}
				}
			}
		}()
		return out, func() { resp.Body.Close() }
	}
	next := func(ch <-chan sse) sse {
		t.Helper()
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatal("the stream ended")
			}
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("nothing on the stream for 10s")
		}
		return sse{}
	}
	all, closeAll := open("?account=demostore")
	defer closeAll()
	refused, closeRefused := open("?account=demostore&status=4xx")
	defer closeRefused()
	for _, ch := range []<-chan sse{all, refused} {
		if m := next(ch); m.kind != "ready" {
			t.Fatalf("the stream opens with %q, want ready", m.kind)
		}
	}
	id := orderIn(t, s.Sandbox, oms.StatusReadyForHandling)
	do(t, s.Handler(), "POST", "/api/oms/pvt/orders/"+id+"/start-handling", "", demoAuth...)
	do(t, s.Handler(), "POST", "/api/oms/pvt/orders/"+id+"/start-handling", "", demoAuth...)

	// Every call and event, each conforming to the spec's schema (calls
	// and events are two tails: their order between them may vary).
	var seen []string
	for len(seen) < 4 {
		m := next(all)
		schema := map[string]string{"journal": "JournalEntry", "event": "Event"}[m.kind]
		var v any
		if err := json.Unmarshal([]byte(m.data), &v); err != nil || schema == "" {
			t.Fatalf("%s: %s", m.kind, m.data)
		}
		if err := doc.Components.Schemas[schema].Value.VisitJSON(v); err != nil {
			t.Fatalf("a streamed %s breaks the spec: %v\n%s", m.kind, err, m.data)
		}
		f := v.(map[string]any)
		seen = append(seen, m.kind+" "+str(f["type"])+str(f["to"])+str(f["method"])+" "+str(f["status"]))
	}
	slices.Sort(seen)
	want := "event order.status-changedhandling |event order.status-changedstart-handling |journal POST 204|journal POST 409"
	if strings.Join(seen, "|") != want {
		t.Fatalf("streamed:\n%s\nwant\n%s", strings.Join(seen, "|"), want)
	}
	// The filtered stream's calls: only the refusal (its events are the
	// account's, unfiltered).
	m := next(refused)
	for m.kind == "event" {
		m = next(refused)
	}
	if m.kind != "journal" || !strings.Contains(m.data, `"status":409`) {
		t.Fatalf("status=4xx stream sent %s %s", m.kind, m.data)
	}
	// Resuming from 0 replays what was recorded.
	replay, closeReplay := open("?account=demostore&journalSince=0&eventsSince=0")
	defer closeReplay()
	if m := next(replay); m.kind != "ready" || !strings.Contains(m.data, `"journalSince":0`) {
		t.Fatalf("resume: %s %s", m.kind, m.data)
	}
	if m := next(replay); m.kind != "journal" && m.kind != "event" {
		t.Fatalf("resume sent %s", m.kind)
	}
	wantControlError(t, do(t, s.Handler(), "GET", "/_sandbox/stream?status=4x", ""), http.StatusBadRequest)
	wantControlError(t, do(t, s.Handler(), "GET", "/_sandbox/stream?journalSince=-1", ""), http.StatusBadRequest)

	// Shutting down ends the streams.
	s.EndStreams()
	for range all {
	}
}

func TestCatalogViewShowsEachChannelsOffer(t *testing.T) {
	s := startSandbox(t)
	h := s.Handler()
	for _, call := range []struct{ method, path, body string }{
		{"POST", "/api/catalog/pvt/product", `{"Id":10,"Name":"Tênis Corrida","CategoryPath":"Calçados/Tênis","BrandName":"Olympikus","RefId":"TEN"}`},
		{"POST", "/api/catalog/pvt/stockkeepingunit", `{"Id":100,"ProductId":10,"Name":"Azul 42","RefId":"TEN-AZ-42","PackagedHeight":12,"PackagedLength":32,"PackagedWidth":20,"PackagedWeightKg":1}`},
		{"POST", "/api/catalog/pvt/stockkeepingunit/100/ean/7891234567895", ""},
		{"PUT", "/api/logistics/pvt/inventory/skus/100/warehouses/estoque-sp", `{"quantity":3}`},
		{"PUT", "/api/pricing/prices/100", `{"basePrice":199.9,"listPrice":249.9}`},
	} {
		if r := do(t, h, call.method, call.path, call.body, demoAuth...); r.status >= 300 {
			t.Fatalf("%s %s: %d %s", call.method, call.path, r.status, r.body)
		}
	}
	if _, err := s.Client.CreateOrder(ctx, client.NewOrder{NewOrder: oms.NewOrder{Items: []oms.NewItem{{ID: "100", Name: "Tênis", Price: 19990, Quantity: 2}}}}); err != nil {
		t.Fatal(err)
	}
	do(t, h, "POST", "/_sandbox/mercadolivre/items", `{"sku":"CAN-1","title":"Caneca","price":3000,"availableQuantity":5}`)
	cat, err := s.Client.Catalog(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.VTEX.Products) != 1 || len(cat.VTEX.Products[0].SKUs) != 1 {
		t.Fatalf("VTEX catalog: %+v", cat.VTEX)
	}
	p, sku := cat.VTEX.Products[0], cat.VTEX.Products[0].SKUs[0]
	if p.Brand != "Olympikus" || p.Category != "Tênis" || sku.RefID != "TEN-AZ-42" || len(sku.EANs) != 1 || sku.EANs[0] != "7891234567895" {
		t.Fatalf("product %+v, SKU %+v", p, sku)
	}
	if sku.Price == nil || sku.Price.BasePrice != 199.9 || sku.Stock == nil || sku.Stock.Total != 3 || sku.Stock.Reserved != 2 || sku.Stock.Available != 1 {
		t.Fatalf("SKU price %+v, stock %+v: want 199.90, 3 total, 2 reserved by the order, 1 available", sku.Price, sku.Stock)
	}
	if len(cat.MercadoLivre.Items) != 1 || cat.MercadoLivre.Items[0].SKU != "CAN-1" || cat.MercadoLivre.Items[0].Price != 3000 {
		t.Fatalf("Mercado Livre listings: %+v", cat.MercadoLivre.Items)
	}
	wantControlError(t, do(t, h, "GET", "/_sandbox/catalog?account=nosuch", ""), http.StatusNotFound)
}

func TestFeedsAndHooksViews(t *testing.T) {
	s := startSandbox(t)
	h := s.Handler()
	r := do(t, h, "POST", "/api/orders/feed/config", `{"filter":{"type":"FromWorkflow","status":["ready-for-handling"]},"queue":{"visibilityTimeoutInSeconds":60,"MessageRetentionPeriodInSeconds":345600}}`, demoAuth...)
	if r.status != 200 {
		t.Fatalf("feed config: %d %s", r.status, r.body)
	}
	var refuse atomic.Bool
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if refuse.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer sub.Close()
	r = do(t, h, "POST", "/api/orders/hook/config", `{"filter":{"type":"FromWorkflow","status":["ready-for-handling"]},"hook":{"url":"`+sub.URL+`/hook","headers":{"X-Secret":"do-not-show"}}}`, demoAuth...)
	if r.status != 200 {
		t.Fatalf("hook config: %d %s", r.status, r.body)
	}
	refuse.Store(true)
	for range 2 {
		if _, err := s.Client.CreateOrder(ctx, camiseta("")); err != nil {
			t.Fatal(err)
		}
	}
	do(t, h, "GET", "/api/orders/feed?maxlot=1", "", demoAuth...)
	feeds, err := s.Client.Feeds(ctx, "demostore")
	if err != nil || len(feeds) != 1 {
		t.Fatalf("feeds: %+v %v", feeds, err)
	}
	if f := feeds[0]; f.Visible != 1 || f.InFlight != 1 || f.Filter.Type != "FromWorkflow" || f.VisibilityTimeoutInSeconds != 60 {
		t.Fatalf("feed view %+v: want 1 waiting, 1 in flight, FromWorkflow, 60 s", f)
	}
	eventually(t, "both notifications waiting for a retry", func() bool {
		hooks, err := s.Client.Hooks(ctx, "demostore")
		return err == nil && len(hooks) == 1 && hooks[0].Retrying == 2 && hooks[0].NextRetry != nil
	})
	r = do(t, h, "GET", "/_sandbox/hooks?account=demostore", "")
	if strings.Contains(string(r.body), "do-not-show") || !strings.Contains(string(r.body), `"headers":["X-Secret"]`) {
		t.Fatalf("the hook view must name headers, never show their values: %s", r.body)
	}
	if !strings.Contains(string(r.body), sub.URL+"/hook") {
		t.Fatalf("the hook view lacks the URL: %s", r.body)
	}
	// Once the subscriber answers, the retries go through.
	refuse.Store(false)
	if _, err := s.Client.AdvanceClock(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the retries delivered", func() bool {
		hooks, err := s.Client.Hooks(ctx, "demostore")
		return err == nil && len(hooks) == 1 && hooks[0].Retrying == 0 && hooks[0].Pending == 0
	})
	failures, err := s.Client.Journal(ctx, client.JournalFilter{Account: "demostore", API: "hook", Status: "5xx", Last: 1})
	if err != nil || len(failures) != 1 || failures[0].Status != 500 {
		t.Fatalf("the journal's last failed delivery: %+v %v", failures, err)
	}
}

func TestDashboardFilesNeedNoTokenTheirDataDoes(t *testing.T) {
	s := startSandbox(t, sandbox.WithControlToken("tok"))
	get := func(path string, headers ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		for _, hv := range headers {
			k, v, _ := strings.Cut(hv, ": ")
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no automatic gzip
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	page := get("/_sandbox/ui")
	body, _ := io.ReadAll(page.Body)
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.Header.Get("Content-Security-Policy"), "script-src 'self'") || !strings.Contains(string(body), "app.js") {
		t.Fatalf("GET /_sandbox/ui: %d %v", page.StatusCode, page.Header)
	}
	zipped := get("/_sandbox/ui/app.js", "Accept-Encoding: gzip, deflate")
	if zipped.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(zipped.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("app.js: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(zr)
	plain, _ := io.ReadAll(get("/_sandbox/ui/app.js", "Accept-Encoding: gzip;q=0").Body)
	if len(js) == 0 || string(js) != string(plain) {
		t.Fatalf("gzipped app.js (%d bytes) differs from the plain one (%d)", len(js), len(plain))
	}
	if r := get("/_sandbox/ui/app.js", "If-None-Match: "+zipped.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
		t.Fatalf("a matching ETag answered %d, want 304", r.StatusCode)
	}
	for path, want := range map[string]int{"/_sandbox/ui/nosuch.js": 404, "/_sandbox/ui/../orders": 404, "/_sandbox/orders": 401, "/_sandbox/stream": 401} {
		if r := get(path); r.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, want)
		}
	}
	r := do(t, s.Handler(), "POST", "/_sandbox/ui", "")
	wantControlError(t, r, http.StatusMethodNotAllowed)
	// Where the control plane has its own listener, so has the page.
	if r := do(t, s.VendorHandler(), "GET", "/_sandbox/ui", ""); r.status != http.StatusNotFound {
		t.Fatalf("the vendor listener serves the dashboard: %d", r.status)
	}
}

// wantControlError checks a control-plane refusal's status and shape.
func wantControlError(t *testing.T, r response, status int) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if r.status != status || json.Unmarshal(r.body, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("got %d %s, want %d in the control plane's error shape", r.status, r.body, status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// str reads a decoded JSON string or number as text.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return itoa(int64(v))
	}
	return ""
}
