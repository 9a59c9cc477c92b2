package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime/debug"
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
	if out := stdout.String(); !strings.Contains(out, "dashboard: http://"+addr+"/_sandbox/ui\n") {
		t.Errorf("start-up banner lacks the dashboard's URL:\n%s", out)
	}
	page, err := http.Get("http://" + addr + "/_sandbox/ui")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("dashboard: %d %s", page.StatusCode, page.Header.Get("Content-Type"))
	}
	// A dashboard left open holds a live stream; shutting down ends it
	// rather than waiting out the grace period.
	stream, err := http.Get("http://" + addr + "/_sandbox/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	streamEnded := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stream.Body)
		close(streamEnded)
	}()
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
	<-streamEnded
	if strings.Contains(stderr.String(), "still in flight") {
		t.Fatalf("the open stream held the shutdown until its grace ran out:\n%s", stderr.String())
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

// startServe runs serve with args and returns its address, its stderr and
// a stop function that cancels it and returns serve's error.
func startServe(t *testing.T, args ...string) (addr string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	stderr = &syncBuffer{}
	go func() { done <- serve(ctx, args, io.Discard, stderr, ready) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not become ready within 10s")
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop within 20s")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return addr, stderr, stop
}

func TestHelpAndVersionSucceed(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"serve", "--help"}, {"contracts", "run", "-h"}, {"--version"}, {"help"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if out.Len()+errOut.Len() == 0 {
			t.Errorf("%v printed nothing", args)
		}
	}
}

func TestEnvironmentValuesThatDoNotParseAreRefused(t *testing.T) {
	for _, kv := range [][2]string{{"OMSBOX_STRICT", "yes"}, {"OMSBOX_SEED", "abc"}, {"OMSBOX_READ_TIMEOUT", "fast"}} {
		t.Run(kv[0], func(t *testing.T) {
			t.Setenv(kv[0], kv[1])
			err := serve(context.Background(), []string{"--addr", "127.0.0.1:0"}, io.Discard, io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), kv[0]) {
				t.Fatalf("%s=%s: %v", kv[0], kv[1], err)
			}
		})
	}
}

func TestWarnsWhenTheControlPlaneIsReachableWithoutAToken(t *testing.T) {
	_, stderr, stop := startServe(t, "--addr", "0.0.0.0:0")
	_ = stop()
	if !strings.Contains(stderr.String(), "WARNING") || !strings.Contains(stderr.String(), "--control-token") {
		t.Fatalf("no warning for 0.0.0.0 without a token:\n%s", stderr.String())
	}
	_, stderr, stop = startServe(t, "--addr", "0.0.0.0:0", "--control-token", "s3cret")
	_ = stop()
	if strings.Contains(stderr.String(), "WARNING") {
		t.Fatalf("a warning with a token:\n%s", stderr.String())
	}
	_, stderr, stop = startServe(t, "--addr", "127.0.0.1:0")
	_ = stop()
	if strings.Contains(stderr.String(), "WARNING") {
		t.Fatalf("a warning on loopback:\n%s", stderr.String())
	}
}

func TestControlPlaneOnItsOwnListenerWithAToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	controlAddr := ln.Addr().String()
	ln.Close()
	addr, _, _ := startServe(t, "--addr", "127.0.0.1:0", "--control-addr", controlAddr, "--control-token", "s3cret")
	get := func(url, token string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("http://"+addr+"/_sandbox/journal", "s3cret"); got != 404 {
		t.Errorf("control plane on the vendor listener: %d", got)
	}
	if got := get("http://"+controlAddr+"/_sandbox/journal", ""); got != 401 {
		t.Errorf("control plane without the token: %d", got)
	}
	if got := get("http://"+controlAddr+"/_sandbox/journal", "s3cret"); got != 200 {
		t.Errorf("control plane with the token: %d", got)
	}
	if got := get("http://"+controlAddr+"/_sandbox/health", ""); got != 200 {
		t.Errorf("health without the token: %d", got)
	}
}

func TestABodyNeverSentLosesItsConnectionAndShutdownIsClean(t *testing.T) {
	addr, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--read-timeout", "300ms", "--shutdown-timeout", "1s")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// No credentials, a body promised and never sent.
	_, _ = io.WriteString(conn, "POST /api/oms/pvt/orders/1-01/invoice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the server kept the connection of a body never sent: %v", err)
	}
	// A second one, still open as the sandbox stops: shutdown finishes.
	conn2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	_, _ = io.WriteString(conn2, "POST /api/oms/pvt/orders/1-01/invoice HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
	if err := stop(); err != nil {
		t.Fatalf("shutdown with a stalled request: %v", err)
	}
}

func TestShutdownLetsInFlightRequestsFinishOnEveryListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	skyhubAddr := ln.Addr().String()
	ln.Close()
	addr, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--skyhub-addr", skyhubAddr)
	// Hold SkyHub's answer for a moment with a latency fault.
	resp, err := http.Post("http://"+addr+"/_sandbox/faults", "application/json",
		strings.NewReader(`{"api":"skyhub","method":"GET","path":"/skyhub/orders","latencyMs":500}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("add fault: %v %v", resp, err)
	}
	resp.Body.Close()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+skyhubAddr+"/orders", nil)
		req.Header.Set("X-User-Email", "seller@demostore.com.br")
		req.Header.Set("X-Api-Key", "skyhub-sandbox-key")
		req.Header.Set("X-Accountmanager-Key", "sandbox-accountmanager")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	// Wait until the request holds the fault, then stop the sandbox.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		r, err := http.Get("http://" + addr + "/_sandbox/faults")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if strings.Contains(string(body), `"hits":1`) {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the SkyHub request never reached the fault: %s", body)
		case <-tick.C:
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if status := <-answered; status != 200 {
		t.Fatalf("the in-flight SkyHub request got %d (0: no reply) instead of its answer", status)
	}
}

// TestStartUpsPauseTheCollectorTogether: the collector is off while any
// start-up is under way, whichever ends first, and comes back as it was
// once the last one resumes it (twice resuming changes nothing).
func TestStartUpsPauseTheCollectorTogether(t *testing.T) {
	percent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	was := percent()
	if was < 0 {
		t.Fatalf("the collector is off before any start-up (%d)", was)
	}
	a, b := pauseGC(), pauseGC()
	if got := percent(); got != -1 {
		t.Fatalf("during two start-ups GC percent = %d, want -1 (off)", got)
	}
	a()
	a()
	if got := percent(); got != -1 {
		t.Fatalf("with one start-up still under way GC percent = %d, want -1 (off)", got)
	}
	b()
	if got := percent(); got != was {
		t.Fatalf("after both start-ups GC percent = %d, want %d as before", got, was)
	}
}
