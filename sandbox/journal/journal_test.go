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

func TestJournalIsBoundedByBytesAndCutsLongTargets(t *testing.T) {
	j := NewBounded(10_000, 1<<20, time.Now)
	h := j.Middleware("vtex", func(*http.Request) string { return "demostore" })(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }))
	long := "/api/oms/pvt/orders/" + strings.Repeat("a", 1<<20)
	for range 50 {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path, req.URL.RawQuery = long, "q="+strings.Repeat("b", 1<<16)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if j.Bytes() > 1<<20 {
		t.Fatalf("the journal holds %d bytes, over its bound of 1 MiB", j.Bytes())
	}
	entries := j.Entries(Filter{})
	if len(entries) < 50 {
		t.Fatalf("kept %d of 50 entries: cut targets should all fit in 1 MiB", len(entries))
	}
	for _, e := range entries {
		if len(e.Path)+len(e.Query) > MaxTarget || !e.TargetTruncated {
			t.Fatalf("entry keeps a %d-byte path and a %d-byte query (truncated: %v)", len(e.Path), len(e.Query), e.TargetTruncated)
		}
	}
}

func TestJournalDropsTheOldestPastItsBytes(t *testing.T) {
	j := NewBounded(10_000, 4*MaxBody, time.Now)
	for i := range 20 {
		j.Record(Entry{Path: "/x", RequestBody: strings.Repeat("z", MaxBody), Status: i})
	}
	got := j.Entries(Filter{})
	if len(got) == 0 || len(got) >= 4 || got[len(got)-1].Status != 19 {
		t.Fatalf("kept %d entries (last status %d); want the newest few within 256 KiB", len(got), got[len(got)-1].Status)
	}
}

// TestSharedBodiesAreJournaledWhole: a body written with WriteShared reaches
// the client and the journal, cut at MaxBody like any other.
func TestSharedBodiesAreJournaledWhole(t *testing.T) {
	j := New(4, time.Now)
	for _, size := range []int{12, MaxBody + 5} {
		body := []byte(strings.Repeat("d", size))
		h := j.Middleware("vtex", func(*http.Request) string { return "demostore" })(http.HandlerFunc(
			func(w http.ResponseWriter, r *http.Request) { WriteShared(w, body) }))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/doc", nil))
		if rec.Body.Len() != size {
			t.Fatalf("the client got %d bytes of %d", rec.Body.Len(), size)
		}
		got := j.Entries(Filter{})
		e := got[len(got)-1]
		if want := min(size, MaxBody); len(e.ResponseBody) != want || e.ResponseBodyTruncated != (size > MaxBody) || e.Status != 200 {
			t.Errorf("%d bytes shared: journal kept %d (truncated %v, status %d)", size, len(e.ResponseBody), e.ResponseBodyTruncated, e.Status)
		}
	}
	// Outside the journal it is a plain write.
	rec := httptest.NewRecorder()
	WriteShared(rec, []byte("plain"))
	if rec.Body.String() != "plain" {
		t.Errorf("plain writer got %q", rec.Body.String())
	}
}

func TestStatusFilterTakesCodesAndClasses(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		status  int
		want    bool
	}{
		{"404", 404, true}, {"404", 409, false}, {"4xx", 429, true}, {"4xx", 503, false},
		{"2xx", 204, true}, {"6xx", 600, false}, {"40", 40, false}, {"4x4", 404, false}, {"abc", 200, false},
	} {
		if got := MatchStatus(tt.pattern, tt.status); got != tt.want {
			t.Errorf("MatchStatus(%q, %d) = %v, want %v", tt.pattern, tt.status, got, tt.want)
		}
	}
	j := New(10, time.Now)
	for _, st := range []int{200, 404, 429, 204, 503} {
		j.Record(Entry{Status: st, Path: "/x"})
	}
	var got []int
	for _, e := range j.Entries(Filter{Status: "4xx"}) {
		got = append(got, e.Status)
	}
	if len(got) != 2 || got[0] != 404 || got[1] != 429 {
		t.Fatalf("4xx kept %v, want [404 429]", got)
	}
	if last := j.Entries(Filter{Last: 2}); len(last) != 2 || last[0].Status != 204 || last[1].Status != 503 {
		t.Fatalf("the last 2 are %+v, want 204 then 503", last)
	}
}

func TestMiddlewareMarksTheEventsRaisedWhileServing(t *testing.T) {
	j := New(10, time.Now)
	var seq int64 = 7
	j.MarkEvents(func() int64 { return seq })
	h := j.Middleware("vtex", func(*http.Request) string { return "a" })(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		seq += 2 // two events raised by this request
		w.WriteHeader(204)
	}))
	ch := j.Changed()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", nil))
	select {
	case <-ch:
	default:
		t.Fatal("recording did not signal Changed")
	}
	e := j.Entries(Filter{})[0]
	if e.EventSeqStart != 7 || e.EventSeqEnd != 9 {
		t.Fatalf("marks %d..%d, want 7..9", e.EventSeqStart, e.EventSeqEnd)
	}
}
