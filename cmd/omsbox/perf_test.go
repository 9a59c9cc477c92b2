package main

// The figures the README's performance table states, measured as a person
// would measure them: the omsbox binary in its own process on loopback,
// next to a bare net/http server (testdata/bare) serving the same bytes,
// with 32 keep-alive connections from this process. `make bench` runs them.

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	benchConns   = 32
	demoAppKey   = "vtexappkey-demostore-sandbox"
	demoAppToken = "sandbox-token-demostore"
)

// buildBinary builds a command of this module into dir.
func buildBinary(b *testing.B, dir, pkg string) string {
	b.Helper()
	name := filepath.Base(pkg)
	if pkg == "." {
		name = "omsbox"
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// process is a server started for a benchmark.
type process struct {
	cmd  *exec.Cmd
	base string
}

func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// rssKiB reads the process's resident set from /proc.
func (p *process) rssKiB(b *testing.B) int64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Skipf("memory figure SKIPPED: no /proc here (%v)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}

func freePort(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// start runs bin with args (where "ADDR" stands for a free address) and
// returns once GET /_sandbox/health answers 200, with the time that took.
func start(b *testing.B, bin string, args ...string) (*process, time.Duration) {
	b.Helper()
	addr := freePort(b)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "ADDR", addr)
	}
	cmd := exec.Command(bin, args...)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := t0.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(p.base + "/_sandbox/health"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(t0)
			}
		}
		time.Sleep(200 * time.Microsecond) // the poll's interval
	}
	p.stop()
	b.Fatalf("%s did not answer health within 30 s", bin)
	return nil, 0
}

// median sorts xs and returns its middle value.
func median[T cmp.Ordered](xs []T) T {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkStartToHealthy is process start to the first healthy answer:
// `omsbox serve` on its embedded defaults as `go build` makes it, and the
// bare server, started in turn. x-bare is the ratio of the medians.
func BenchmarkStartToHealthy(b *testing.B) {
	dir := b.TempDir()
	omsbox, bare := buildBinary(b, dir, "."), buildBinary(b, dir, "./testdata/bare")
	var ours, anchor []time.Duration
	run := func(into *[]time.Duration, bin string, args ...string) {
		p, d := start(b, bin, args...)
		p.stop()
		*into = append(*into, d)
	}
	for b.Loop() {
		run(&ours, omsbox, "serve", "--addr", "ADDR", "--log-level", "warn")
		run(&anchor, bare, "ADDR")
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	o, a := median(ours), median(anchor)
	b.ReportMetric(ms(o), "ms-omsbox")
	b.ReportMetric(ms(a), "ms-bare")
	b.ReportMetric(float64(o)/float64(a), "x-bare")
}

// hammer sends n copies of req over benchConns keep-alive connections and
// answers the rate. Each must answer 200 or 201. Like wrk, it writes the
// request's bytes as prepared once and reads each answer with no more
// than HTTP/1.1 asks, so that the figure is the server's: net/http's
// client, with its pool and per-request goroutines, cost as much CPU as
// a small server on these two cores.
func hammer(b *testing.B, n int, req *http.Request) float64 {
	b.Helper()
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	t0 := time.Now()
	for range benchConns {
		wg.Go(func() {
			conn, err := net.Dial("tcp", req.URL.Host)
			if err != nil {
				failed.Store(err.Error())
				return
			}
			defer conn.Close()
			br := bufio.NewReaderSize(conn, 32<<10)
			for next.Add(1) <= int64(n) {
				if _, err := conn.Write(raw.Bytes()); err != nil {
					failed.Store(err.Error())
					return
				}
				resp, err := http.ReadResponse(br, req)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
					failed.Store(resp.Status)
					return
				}
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f != nil {
		b.Fatalf("a request failed: %v", f)
	}
	return float64(n) / time.Since(t0).Seconds()
}

func mustDo(b *testing.B, req *http.Request, want int) []byte {
	b.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %s %s", req.Method, req.URL, resp.Status, body)
	}
	return body
}

func vtexGet(url string) *http.Request {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-VTEX-API-AppKey", demoAppKey)
	req.Header.Set("X-VTEX-API-AppToken", demoAppToken)
	return req
}

const newOrderBody = `{"items":[{"id":"CAMISETA-P","name":"Camiseta Básica","price":4990,"quantity":2},{"id":"MEIA","name":"Meia","price":990,"quantity":1}]}`

func createOrderReq(base string) *http.Request {
	req, _ := http.NewRequest("POST", base+"/_sandbox/orders", strings.NewReader(newOrderBody))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// BenchmarkGetOrderWire is GET /api/oms/pvt/orders/{id} on `omsbox serve`
// as it runs by default (request validation and the journal on), against
// the bare server serving the very bytes omsbox answered. One op is five
// rounds of 4,000 requests to each, one right after the other; x-bare is
// the median of the rounds' ratios, so that a change in the machine's
// load between rounds weighs on both sides of a ratio.
func BenchmarkGetOrderWire(b *testing.B) {
	dir := b.TempDir()
	omsbox, bare := buildBinary(b, dir, "."), buildBinary(b, dir, "./testdata/bare")
	p, _ := start(b, omsbox, "serve", "--addr", "ADDR", "--log-level", "warn")
	defer p.stop()
	var created struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(mustDo(b, createOrderReq(p.base), http.StatusCreated), &created); err != nil {
		b.Fatal(err)
	}
	url := p.base + "/api/oms/pvt/orders/" + created.OrderID
	body := mustDo(b, vtexGet(url), http.StatusOK)
	file := filepath.Join(dir, "order.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		b.Fatal(err)
	}
	q, _ := start(b, bare, "ADDR", file)
	defer q.stop()
	bareURL := q.base + "/api/oms/pvt/orders/" + created.OrderID
	const n, rounds = 4000, 5
	var ours, anchor, ratios []float64
	for b.Loop() {
		for range rounds {
			o, a := hammer(b, n, vtexGet(url)), hammer(b, n, vtexGet(bareURL))
			ours, anchor, ratios = append(ours, o), append(anchor, a), append(ratios, o/a)
		}
	}
	b.ReportMetric(median(ours), "req/s")
	b.ReportMetric(median(anchor), "bare-req/s")
	b.ReportMetric(median(ratios), "x-bare")
	b.ReportMetric(float64(len(body)), "bytes/order")
}

// BenchmarkScale100k fills the default account with 100,000 orders through
// the control plane (32 connections) and reports the creation rate, the
// process's resident memory per order (RSS after minus RSS before, with
// the journal and event log as they run by default), and then the time of
// list orders, a page of 15 newest first, over one connection (ns/op).
// bare-orders/s is the anchor of the creation rate: the bare server
// loaded the same way, answering each creation with the bytes omsbox
// answers one with, and creating nothing.
func BenchmarkScale100k(b *testing.B) {
	const orders = 100_000
	dir := b.TempDir()
	omsbox, bare := buildBinary(b, dir, "."), buildBinary(b, dir, "./testdata/bare")
	p, _ := start(b, omsbox, "serve", "--addr", "ADDR", "--log-level", "warn")
	defer p.stop()
	before := p.rssKiB(b)
	rate := hammer(b, orders, createOrderReq(p.base))
	after := p.rssKiB(b)
	list := vtexGet(p.base + "/api/oms/pvt/orders?per_page=15&page=1")
	var page struct {
		List   []json.RawMessage   `json:"list"`
		Paging struct{ Total int } `json:"paging"`
	}
	if err := json.Unmarshal(mustDo(b, list, http.StatusOK), &page); err != nil {
		b.Fatal(err)
	}
	if len(page.List) != 15 || page.Paging.Total < orders {
		b.Fatalf("list: %d orders on the page, %d in all", len(page.List), page.Paging.Total)
	}
	client := &http.Client{}
	var buf bytes.Buffer
	for b.Loop() {
		resp, err := client.Do(vtexGet(list.URL.String()))
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("list: %s", resp.Status)
		}
	}
	file := filepath.Join(dir, "created.json")
	if err := os.WriteFile(file, mustDo(b, createOrderReq(p.base), http.StatusCreated), 0o600); err != nil {
		b.Fatal(err)
	}
	q, _ := start(b, bare, "ADDR", file)
	defer q.stop()
	b.ReportMetric(hammer(b, orders/5, createOrderReq(q.base)), "bare-orders/s")
	b.ReportMetric(rate, "orders/s")
	b.ReportMetric(float64(after)/1024, "MiB-RSS")
	b.ReportMetric(float64(after-before)*1024/orders, "B-RSS/order")
}

// BenchmarkCreateOrdersBulk seeds the default account with 100,000 orders
// as a script would with Create orders (POST /_sandbox/orders/bulk): one
// op is ten calls of 10,000 orders, one after the other on one connection.
// orders/s is the creation rate.
func BenchmarkCreateOrdersBulk(b *testing.B) {
	const calls, count = 10, 10_000
	omsbox := buildBinary(b, b.TempDir(), ".")
	p, _ := start(b, omsbox, "serve", "--addr", "ADDR", "--log-level", "warn")
	defer p.stop()
	body := `{"count":` + strconv.Itoa(count) + `,"order":` + newOrderBody + `}`
	for b.Loop() {
		for range calls {
			req, _ := http.NewRequest("POST", p.base+"/_sandbox/orders/bulk", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			var made struct{ Orders []struct{ OrderID string } }
			if err := json.Unmarshal(mustDo(b, req, http.StatusCreated), &made); err != nil || len(made.Orders) != count {
				b.Fatalf("a call made %d orders: %v", len(made.Orders), err)
			}
		}
	}
	b.ReportMetric(float64(calls*count*b.N)/b.Elapsed().Seconds(), "orders/s")
}
