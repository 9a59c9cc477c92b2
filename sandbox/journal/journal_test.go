package journal

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMiddlewareRecordsAndTruncatesBodies(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	j := New(2, func() time.Time { return now })
	var seen int
	h := j.Middleware("vtex", func(*http.Request) string { return "demostore" })(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			seen = len(b)
			w.WriteHeader(201)
			_, _ = io.WriteString(w, strings.Repeat("y", MaxBody))
			_, _ = io.WriteString(w, "tail")
		}))
	big := strings.Repeat("x", MaxBody+10)
	req := httptest.NewRequest("POST", "/api/thing?a=1", strings.NewReader(big))
	req.Header.Set("X-Request-Id", "r1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if seen != len(big) || rec.Body.Len() != MaxBody+4 {
		t.Fatalf("the handler or the client lost bytes: read %d, answered %d", seen, rec.Body.Len())
	}
	e := j.Entries(Filter{})[0]
	if e.Seq != 1 || !e.Time.Equal(now) || e.RequestID != "r1" || e.Account != "demostore" || e.API != "vtex" ||
		e.Method != "POST" || e.Path != "/api/thing" || e.Query != "a=1" || e.Status != 201 {
		t.Fatalf("entry %+v", e)
	}
	if len(e.RequestBody) != MaxBody || !e.RequestBodyTruncated || len(e.ResponseBody) != MaxBody || !e.ResponseBodyTruncated {
		t.Fatalf("bodies: %d %v %d %v", len(e.RequestBody), e.RequestBodyTruncated, len(e.ResponseBody), e.ResponseBodyTruncated)
	}
	// Bounded: the oldest entry goes.
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/other", nil))
	}
	if got := j.Entries(Filter{}); len(got) != 2 || got[0].Seq != 2 {
		t.Fatalf("ring of 2 holds %+v", got)
	}
}

func TestMatchPath(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/oms/pvt/orders/*", "/api/oms/pvt/orders/1-01", true},
		{"/api/oms/pvt/orders/*", "/api/oms/pvt/orders/1-01/start-handling", false},
		{"/api/oms/pvt/orders/*/start-handling", "/api/oms/pvt/orders/1-01/start-handling", true},
		{"/api/oms/**", "/api/oms/pvt/orders/1-01/start-handling", true},
		{"/api/oms/**", "/api/omsx", false},
		{"/[", "/[", false},
	} {
		if got := MatchPath(tt.pattern, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v", tt.pattern, tt.path, got)
		}
	}
}
