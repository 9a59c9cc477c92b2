package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/dashboard"
)

// The dashboard in headless Chromium, one browser for every case: an order
// created through the form appears at the top of the list; handling it
// through the VTEX API updates its timeline without a reload; a fault
// added through the form is listed and removed; the clock advances; a
// guarded sandbox asks for its token and works once given it. Along the
// way: every control has a label, Tab reaches the controls, the main text
// colours keep 4.5:1, and the first load's size and render time are
// logged. Screenshots go to $OMSBOX_SCREENSHOTS, else reports/dashboard.
func TestDashboardInABrowser(t *testing.T) {
	browser := findChromium()
	if browser == "" {
		t.Skip("dashboard browser test SKIPPED: no chromium here (apt-get install chromium; CI installs it)")
	}
	shots := screenshotDir(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The whole file's budget: a deadline, never a sleep.
	ctx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", browser, err)
	}

	t.Run("orders, timeline, controls", func(t *testing.T) {
		srv := sandbox.Start(t)
		tab, closeTab := chromedp.NewContext(ctx)
		defer closeTab()
		page := &page{t: t, ctx: tab, shots: shots}

		// A running browser (as a person's is) that never saw the page:
		// warm it on another URL, then load the page for the first time.
		page.do(chromedp.Navigate(srv.URL + "/_sandbox/health"))
		page.do(chromedp.Navigate(srv.URL+dashboard.Prefix), chromedp.WaitVisible(chromedp.CSS("#orders-table")))
		page.logFirstLoad("first visit")
		page.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#orders-table")))
		page.logFirstLoad("reload")
		page.checkAccessibility("orders")

		// Create an order through the form: it appears first in the list.
		page.do(page.fill("#new-sku", "TEN-AZ-42"),
			page.fill("#new-name", "Tênis Corrida Azul 42"),
			page.fill("#new-price", "129,90"),
			page.fill("#new-qty", "2"),
			chromedp.Click(chromedp.CSS("#create-submit")))
		note := page.poll(`(t => /created/.test(t) && t)(document.getElementById('create-note').textContent)`)
		id := regexp.MustCompile(`\d+-\d+`).FindString(note)
		if id == "" {
			t.Fatalf("the form said %q, naming no order", note)
		}
		first := page.poll(`(r => r && r.dataset.order === ` + jsString(id) + ` && r.textContent)(document.querySelector('#orders-table tbody tr'))`)
		var order struct {
			Value  int64  `json:"value"`
			Status string `json:"status"`
			Items  []struct {
				ID       string `json:"id"`
				Name     string `json:"name"`
				Price    int64  `json:"price"`
				Quantity int    `json:"quantity"`
			} `json:"items"`
		}
		getJSON(t, srv, "/api/oms/pvt/orders/"+id, &order)
		if order.Status != "ready-for-handling" || len(order.Items) != 1 || order.Items[0].ID != "TEN-AZ-42" ||
			order.Items[0].Name != "Tênis Corrida Azul 42" || order.Items[0].Price != 12990 || order.Items[0].Quantity != 2 {
			t.Fatalf("the order the form created: %+v; want 2 × TEN-AZ-42 at 129.90, ready-for-handling", order)
		}
		if value := fmt.Sprintf("R$%d.%02d", order.Value/100, order.Value%100); !strings.Contains(first, value) {
			t.Errorf("the new order's row %q does not show its value %s", first, value)
		}
		page.shot("orders")

		// Its timeline, then start handling it through the VTEX API: the
		// timeline shows the call and the status change, with no reload.
		page.do(chromedp.Click(chromedp.CSS(`#orders-table a[href="#/order/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("#timeline li")))
		page.eval(`window.notReloaded = true`)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/oms/pvt/orders/"+id+"/start-handling", nil)
		req.Header.Set("X-VTEX-API-AppKey", srv.AppKey)
		req.Header.Set("X-VTEX-API-AppToken", srv.AppToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("start-handling: %d", resp.StatusCode)
		}
		page.poll(`[...document.querySelectorAll('#timeline li.call')].some(li =>
			li.querySelector('code').textContent.endsWith('/start-handling') &&
			[...li.querySelectorAll('.ev')].some(e => e.textContent.includes('start-handling → handling')))`)
		page.poll(`document.getElementById('order-status').textContent === 'handling'`)
		if ok := page.eval(`window.notReloaded === true`); ok != "true" {
			t.Fatal("the page reloaded to show the update")
		}
		page.do(chromedp.Click(chromedp.CSS("#timeline li.call:last-child summary")), chromedp.WaitVisible(chromedp.CSS("#timeline li.call pre")))
		page.shot("timeline")

		// The journal shows the call live, its response pretty-printed.
		page.do(chromedp.Click(chromedp.CSS("#nav-journal")), chromedp.WaitVisible(chromedp.CSS("#journal-rows tr")))
		page.checkAccessibility("journal")
		page.poll(`[...document.querySelectorAll('#journal-rows button.link')].some(b => b.textContent.endsWith('/start-handling'))`)
		page.shot("journal")

		// Add a fault through the form: it is listed, and in force.
		page.do(chromedp.Click(chromedp.CSS("#nav-controls")), chromedp.WaitVisible(chromedp.CSS("#fault-form")))
		page.checkAccessibility("controls")
		page.do(page.fill("#fault-path", "/api/oms/pvt/orders/*/invoice"),
			page.fill("#fault-status", "503"),
			chromedp.Click(chromedp.CSS("#fault-submit")))
		page.poll(`[...document.querySelectorAll('#faults-table tr[data-fault]')].some(r => r.textContent.includes('/api/oms/pvt/orders/*/invoice'))`)
		rules, err := srv.Client.Faults(context.Background())
		if err != nil || len(rules) != 1 || rules[0].Path != "/api/oms/pvt/orders/*/invoice" || rules[0].Status != 503 || rules[0].Account != srv.Account {
			t.Fatalf("faults after the form: %+v, %v", rules, err)
		}
		page.shot("controls")
		page.do(chromedp.Click(chromedp.CSS(`#faults-table button.danger`)), chromedp.WaitVisible(chromedp.CSS("#no-faults")))
		if rules, _ := srv.Client.Faults(context.Background()); len(rules) != 0 {
			t.Fatalf("the fault is still in force after Remove: %+v", rules)
		}

		// Advance the clock by two hours.
		before := srv.Clock.Now()
		page.do(page.fill("#clock-advance", "2h"),
			chromedp.Click(chromedp.CSS("#clock-submit")))
		page.poll(`document.getElementById('controls-note').textContent.startsWith('The clock is now')`)
		if got := srv.Clock.Now().Sub(before); got != 2*time.Hour {
			t.Fatalf("the clock moved %v, want 2h", got)
		}

		// Portuguese on the switch.
		page.eval(`(s => { s.value = 'pt'; s.dispatchEvent(new Event('change')); })(document.getElementById('lang'))`)
		page.poll(`document.getElementById('nav-orders').textContent === 'Pedidos' && document.documentElement.lang === 'pt-BR' &&
			document.querySelector('main h2').textContent === 'Controles'`)
	})

	t.Run("control token", func(t *testing.T) {
		const token = "s3cret-dashboard"
		srv := sandbox.Start(t, sandbox.WithControlToken(token))
		// Without the token the page loads, and the data does not.
		for path, want := range map[string]int{dashboard.Prefix: 200, dashboard.Prefix + "/app.js": 200, "/_sandbox/orders": 401, "/_sandbox/stream": 401} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s without the token: %d, want %d", path, resp.StatusCode, want)
			}
		}
		tab, closeTab := chromedp.NewContext(ctx)
		defer closeTab()
		page := &page{t: t, ctx: tab, shots: shots}
		page.do(chromedp.Navigate(srv.URL+dashboard.Prefix), chromedp.WaitVisible(chromedp.CSS("#token-dialog[open] #token")))
		page.checkAccessibility("token")
		if n := page.eval(`document.querySelectorAll('#orders-table').length`); n != "0" {
			t.Fatal("orders shown before the token was given")
		}
		page.shot("token")
		page.do(chromedp.SendKeys(chromedp.CSS("#token"), "wrong"), chromedp.Click(chromedp.CSS("#token-save")))
		page.poll(`document.getElementById('token-dialog').open && document.getElementById('token-error').textContent.includes('refused')`)
		page.do(chromedp.SendKeys(chromedp.CSS("#token"), token), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#orders-table")))
		if got := page.eval(`sessionStorage.getItem('omsbox.token')`); got != jsString(token) {
			t.Fatalf("sessionStorage keeps %s, want the token", got)
		}
		page.poll(`document.getElementById('live').classList.contains('on')`) // the stream took the token too
	})
}

// page drives one tab; every wait has the file's deadline.
type page struct {
	t     *testing.T
	ctx   context.Context
	shots string
}

// fill empties a field and types text into it.
func (p *page) fill(sel, text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](`(e => { e.value = ''; return true; })(document.querySelector(`+jsString(sel)+`))`)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.SendKeys(chromedp.CSS(sel), text)(ctx, t)
	}
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v\n%s", err, p.eval(`document.querySelector('main') ? document.querySelector('main').innerText.slice(0, 2000) : ''`))
	}
}

// eval runs an expression and answers its value as JSON.
func (p *page) eval(expr string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[json.RawMessage](expr))
	if err != nil {
		return "error: " + err.Error()
	}
	return string(v)
}

// poll waits for a truthy value and answers it as text.
func (p *page) poll(expr string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Poll[json.RawMessage](expr, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v\npage: %s", expr, err, p.eval(`document.querySelector('main').innerText.slice(0, 2000)`))
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

func (p *page) shot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(p.shots, "dashboard-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// logFirstLoad states what the first load cost: the page's own files as
// transferred (gzip), the control-plane data it read, and when it first
// painted and showed the orders (Performance API; logged, never asserted).
func (p *page) logFirstLoad(when string) {
	p.t.Helper()
	var m struct {
		Files, Data     int
		FCP, FirstView  float64
		Requests, Calls int
	}
	raw := p.eval(`(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const res = performance.getEntriesByType('resource');
		const files = res.filter(r => r.name.includes('/_sandbox/ui/'));
		const data = res.filter(r => !r.name.includes('/_sandbox/ui/'));
		const fcp = performance.getEntriesByName('first-contentful-paint')[0];
		const view = performance.getEntriesByName('omsbox:first-view')[0];
		return {Files: nav.transferSize + files.reduce((s, r) => s + r.transferSize, 0), Requests: 1 + files.length,
			Data: data.reduce((s, r) => s + r.transferSize, 0), Calls: data.length,
			FCP: fcp ? fcp.startTime : -1, FirstView: view ? view.startTime : -1};
	})()`)
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		p.t.Fatalf("performance figures: %s", raw)
	}
	gz, plain := dashboard.Size()
	p.t.Logf("first load (%s): page %d bytes transferred in %d requests (files: %d bytes gzipped, %d plain); data %d bytes in %d calls; first contentful paint %.0f ms, orders shown %.0f ms",
		when, m.Files, m.Requests, gz, plain, m.Data, m.Calls, m.FCP, m.FirstView)
}

// checkAccessibility: every form control has a label, Tab reaches the
// view's controls, and the main text colours keep 4.5:1.
func (p *page) checkAccessibility(view string) {
	p.t.Helper()
	if unlabelled := p.eval(`[...document.querySelectorAll('input, select, textarea')]
		.filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
		.map(e => e.id || e.outerHTML.slice(0, 80))`); unlabelled != "[]" {
		p.t.Errorf("%s: controls without a label: %s", view, unlabelled)
	}
	// Tab from the top until every visible control has had the focus.
	want := p.eval(`[...document.querySelectorAll(document.querySelector('dialog[open]') ? 'dialog[open] input, dialog[open] button'
		: 'main input, main select, main button, header select, nav a')]
		.filter(e => e.offsetParent !== null && !e.disabled).map(e => e.id || e.textContent.trim())`)
	var controls []string
	_ = json.Unmarshal([]byte(want), &controls)
	p.eval(`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`)
	reached := map[string]bool{}
	for range len(controls) + 40 {
		p.do(chromedp.KeyEvent(kb.Tab))
		var id string
		_ = json.Unmarshal([]byte(p.eval(`(e => e.id || e.textContent.trim())(document.activeElement)`)), &id)
		reached[id] = true
		if all(controls, reached) {
			break
		}
	}
	for _, c := range controls {
		if !reached[c] {
			p.t.Errorf("%s: Tab never reaches %q (reached %v)", view, c, keys(reached))
		}
	}
	// Contrast of each text colour in use against the background it sits on.
	raw := p.eval(`(() => {
		const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
		const seen = {};
		for (const e of document.querySelectorAll('h1, h2, h3, p, a, label, th, td, button, .badge, .muted, summary, code, li, output, caption, dd, dt')) {
			if (!e.offsetParent || !e.textContent.trim()) continue;
			const fg = rgb(getComputedStyle(e).color), b = bg(e);
			const [l1, l2] = [lum(fg), lum(b)].sort((x, y) => y - x);
			const key = getComputedStyle(e).color + ' on ' + 'rgb(' + b.slice(0, 3).join(', ') + ')';
			seen[key] = Math.round((l1 + 0.05) / (l2 + 0.05) * 100) / 100;
		}
		return seen;
	})()`)
	var ratios map[string]float64
	if err := json.Unmarshal([]byte(raw), &ratios); err != nil || len(ratios) == 0 {
		p.t.Fatalf("%s: contrast figures: %s", view, raw)
	}
	for pair, r := range ratios {
		if r < 4.5 {
			p.t.Errorf("%s: text %s has contrast %.2f:1, below 4.5:1", view, pair, r)
		}
	}
}

func all(want []string, got map[string]bool) bool {
	for _, w := range want {
		if !got[w] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func getJSON(t *testing.T, srv *sandbox.Server, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("X-VTEX-API-AppKey", srv.AppKey)
	req.Header.Set("X-VTEX-API-AppToken", srv.AppToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is $OMSBOX_SCREENSHOTS, else reports/dashboard at the
// repository's root (kept out of git), where reviewers find them.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("OMSBOX_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "reports", "dashboard")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}
