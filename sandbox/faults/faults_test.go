package faults

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func serve(s *Set, method, path string) *httptest.ResponseRecorder {
	h := s.Middleware("vtex", func(*http.Request) string { return "demostore" }, func(w http.ResponseWriter, status int) {
		w.WriteHeader(status)
	})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestRulesApplyInOrderAndRetire(t *testing.T) {
	s := NewSet(1)
	zero := 0
	a, _ := s.Add(Rule{Method: "get", Path: "/api/a/*", Status: 503, Times: 1, RetryAfter: &zero})
	s.Add(Rule{API: "skyhub", Status: 500})
	s.Add(Rule{Account: "other", Status: 500})
	rec := serve(s, "GET", "/api/a/1")
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "0" || rec.Header().Get("X-Omsbox-Fault") != a.ID {
		t.Fatalf("first: %d %v", rec.Code, rec.Header())
	}
	if rec := serve(s, "GET", "/api/a/1"); rec.Code != 200 {
		t.Fatalf("rule not retired after its times: %d", rec.Code)
	}
	if len(s.List()) != 2 {
		t.Fatalf("rules left: %+v", s.List())
	}
}

func TestProbabilityIsSeededAndBounded(t *testing.T) {
	count := func() int {
		s := NewSet(7)
		s.Add(Rule{Status: 500, Probability: 0.3})
		n := 0
		for range 1000 {
			if serve(s, "GET", "/x").Code == 500 {
				n++
			}
		}
		return n
	}
	n := count()
	if n < 230 || n > 370 {
		t.Fatalf("probability 0.3 hit %d of 1000", n)
	}
	if again := count(); again != n {
		t.Fatalf("same seed, %d then %d hits", n, again)
	}
}

func TestLatencyStopsWhenTheClientLeaves(t *testing.T) {
	s := NewSet(1)
	s.Add(Rule{LatencyMs: 60_000})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := s.Middleware("vtex", func(*http.Request) string { return "" }, nil)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the API answered a request whose client left during injected latency")
	}))
	started := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil).WithContext(ctx))
	if time.Since(started) > 10*time.Second {
		t.Fatal("latency ignored the canceled request")
	}
}

func TestValidate(t *testing.T) {
	for _, r := range []Rule{{}, {Status: 302}, {Status: 500, API: "shopee"}, {Status: 500, Path: "x"},
		{LatencyMs: 61_000}, {Status: 500, Probability: 1.5}, {Status: 500, Times: -1}} {
		if _, err := NewSet(1).Add(r); err == nil {
			t.Errorf("rule %+v accepted", r)
		}
	}
}

func TestObserversAreNeverFaulted(t *testing.T) {
	s := NewSet(1)
	s.Add(Rule{Status: 500})
	h := s.Middleware("vtex", func(*http.Request) string { return "" }, func(w http.ResponseWriter, status int) { w.WriteHeader(status) })(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("X-Omsbox-Origin", "observer")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || s.List()[0].Hits != 0 {
		t.Fatalf("an observer's request was faulted: %d", rec.Code)
	}
}
