package contracts_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts"
	"github.com/omsbox/omsbox/features"
)

// htmlReport runs the built-in features with the HTML report and returns
// its path.
func htmlReport(t *testing.T) (string, string) {
	t.Helper()
	out := t.TempDir()
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Concurrency: 4, Formats: "html", OutDir: out, Output: &strings.Builder{},
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite: status %d, %v", status, err)
	}
	path := filepath.Join(out, "omsbox-contracts.html")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(data)
}

// builtinScenarios counts the built-in English scenarios, so that a new
// feature does not have to touch this test.
func builtinScenarios(t *testing.T) int {
	t.Helper()
	fsys, err := features.Lang("en")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(fsys, "*.feature")
	n := 0
	for _, f := range files {
		data, _ := fs.ReadFile(fsys, f)
		n += strings.Count(string(data), "\n  Scenario:")
	}
	return n
}

// The report stands alone: no stylesheet, script, image or font is
// fetched from anywhere.
func TestHTMLReportIsSelfContained(t *testing.T) {
	_, page := htmlReport(t)
	external := regexp.MustCompile(`(?i)(<link\b|<img\b|\bsrc\s*=|@import|url\(\s*['"]?https?:|href\s*=\s*["']https?:)`)
	if m := external.FindString(page); m != "" {
		t.Errorf("the report fetches something: %q", m)
	}
	for _, want := range []string{strconv.Itoa(builtinScenarios(t)) + " passed", "0 failed", "Cancel before invoicing", "Two items: no pickup until the last item is invoiced, then exactly one",
		`<svg class="seq"`, "VTEX → SkyHub connector", "/skyhub/shipments/b2w/confirm_collection", "Response body"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestHTMLReportInABrowser opens the report in headless Chromium and
// checks that every scenario and every sequence diagram was laid out (the
// page records what it drew), saving a screenshot under reports/.
func TestHTMLReportInABrowser(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("HTML report browser check SKIPPED: no chromium here (apt-get install chromium; CI installs it)")
	}
	path, page := htmlReport(t)
	scenarios := strings.Count(page, `<details class="scenario `)
	diagrams := strings.Count(page, `<svg class="seq"`)
	if scenarios == 0 || diagrams == 0 {
		t.Fatalf("%d scenarios, %d diagrams in the report", scenarios, diagrams)
	}
	headless := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--disable-background-networking", "--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(ctx, browser, append(append(base, args...), "file://"+path)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", browser, err, stderr.String())
		}
		return string(out)
	}
	dom := headless("--dump-dom")
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	attr := func(name string) int {
		m := regexp.MustCompile(name + `="(\d+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the page did not record %s: %s", name, body)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if got := attr("data-scenarios-shown"); got != scenarios {
		t.Errorf("the browser showed %d scenarios of %d", got, scenarios)
	}
	if got := attr("data-diagrams-drawn"); got != diagrams {
		t.Errorf("the browser drew %d sequence diagrams of %d", got, diagrams)
	}
	dir := filepath.Join("..", "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot, _ := filepath.Abs(filepath.Join(dir, "omsbox-contracts-html.png"))
	_ = os.Remove(shot)
	headless("--window-size=1280,1600", "--screenshot="+shot)
	if info, err := os.Stat(shot); err != nil || info.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
	t.Logf("screenshot: %s", shot)
}
