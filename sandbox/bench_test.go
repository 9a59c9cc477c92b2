package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/oms"
)

func benchGetOrder(b *testing.B, strict bool) {
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(testStart)), sandbox.WithStrict(strict, nil))
	if err != nil {
		b.Fatal(err)
	}
	id := orderIn(b, sb, oms.StatusReadyForHandling)
	benchRequest(b, sb.Handler(), newRequest("GET", "/api/oms/pvt/orders/"+id, "", demoAuth...))
}

// BenchmarkGetOrder is the in-process handler with request validation on
// and strict (response) validation off: the integrator's dev-server path.
func BenchmarkGetOrder(b *testing.B) { benchGetOrder(b, false) }

// BenchmarkGetOrderStrict adds response validation, as our tests run.
func BenchmarkGetOrderStrict(b *testing.B) { benchGetOrder(b, true) }

// BenchmarkOrderJSON is the order document's encoding alone.
func BenchmarkOrderJSON(b *testing.B) {
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(testStart)))
	if err != nil {
		b.Fatal(err)
	}
	acct, _ := sb.OMS.Account("demostore")
	id := orderIn(b, sb, oms.StatusReadyForHandling)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		if err := acct.Read(id, func(o *oms.Order) error { return jsonEncode(w, o) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.Body.Len()), "bytes/order")
}

// BenchmarkListOrders lists a page of 15 out of 1,000 orders.
func BenchmarkListOrders(b *testing.B) { benchList(b, 1000) }

// BenchmarkListOrders100k lists a page of 15 out of 100,000 orders.
func BenchmarkListOrders100k(b *testing.B) { benchList(b, 100_000) }

func benchList(b *testing.B, orders int) {
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(testStart)))
	if err != nil {
		b.Fatal(err)
	}
	acct, _ := sb.OMS.Account("demostore")
	for range orders {
		if _, err := acct.Create(oms.NewOrder{Items: []oms.NewItem{{ID: "SKU", Name: "Meia", Price: 990, Quantity: 2}}}); err != nil {
			b.Fatal(err)
		}
	}
	benchRequest(b, sb.Handler(), newRequest("GET", "/api/oms/pvt/orders?f_status=ready-for-handling", "", demoAuth...))
}

// benchRequest serves req over and over, failing on anything but 200. The
// response goes to a writer that only counts, as a connection would take
// it: the figure is the handler's, not an in-memory recorder's.
func benchRequest(b *testing.B, h http.Handler, req *http.Request) {
	b.ReportAllocs()
	w := &countingWriter{header: http.Header{}}
	for b.Loop() {
		clear(w.header)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(s int)   { w.status = s }
func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

// BenchmarkStartup measures New to the first healthy answer: the three
// specs loaded and checked, the demo account seeded, the routers built.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sb, err := sandbox.New()
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		sb.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/_sandbox/health", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("health %d", rec.Code)
		}
		sb.Close()
	}
}

// BenchmarkCreateOrderControlPlane is POST /_sandbox/orders in process,
// request validation and the journal on: the control plane's creation
// path without the network.
func BenchmarkCreateOrderControlPlane(b *testing.B) {
	sb, err := sandbox.New(sandbox.WithClock(clock.Frozen(testStart)))
	if err != nil {
		b.Fatal(err)
	}
	h := sb.Handler()
	const body = `{"items":[{"id":"CAMISETA-P","name":"Camiseta Básica","price":4990,"quantity":2},{"id":"MEIA","name":"Meia","price":990,"quantity":1}]}`
	b.ReportAllocs()
	w := &countingWriter{header: http.Header{}}
	for b.Loop() {
		clear(w.header)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, newRequest("POST", "/_sandbox/orders", body))
		if w.status != http.StatusCreated {
			b.Fatalf("status %d", w.status)
		}
	}
}
