package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeOnAFreePortAnswersAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr syncBuffer
	go func() { done <- serve(ctx, []string{"--addr", "127.0.0.1:0"}, &stdout, &stderr, ready) }()

	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not become ready within 10s")
	}
	if out := stdout.String(); !strings.Contains(out, "listening on http://"+addr) ||
		!strings.Contains(out, "vtexappkey-demostore-sandbox") || !strings.Contains(out, "sandbox-token-demostore") {
		t.Errorf("start-up banner lacks the address or demo credentials:\n%s", out)
	}
	resp, err := http.Get("http://" + addr + "/_sandbox/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/oms/pvt/orders?an=demostore", nil)
	req.Header.Set("X-VTEX-API-AppKey", "vtexappkey-demostore-sandbox")
	req.Header.Set("X-VTEX-API-AppToken", "sandbox-token-demostore")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("list orders on the seeded account: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("graceful shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down within 15s")
	}
}

func TestRunRefusesBadInvocations(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err == nil {
		t.Error("no command accepted")
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("unknown command: %v", err)
	}
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "omsbox ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	ctx := context.Background()
	for _, args := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}, {"--config", "/nonexistent.json"}, {"--addr", "256.0.0.1:1"}} {
		if err := serve(ctx, args, io.Discard, io.Discard, nil); err == nil {
			t.Errorf("serve %v accepted", args)
		}
	}
}
