package dashboard

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// The page's colours keep a contrast of at least 4.5:1 (WCAG AA for body
// text) for every text colour on the background it is used on. The
// browser test measures the rendered page too; this one runs everywhere.
func TestPaletteContrast(t *testing.T) {
	css, err := static.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	vars["white"] = "#ffffff"
	pairs := [][2]string{
		{"fg", "bg"}, {"fg", "card"}, {"muted", "bg"}, {"muted", "card"}, {"accent", "bg"}, {"accent", "card"},
		{"good-fg", "good-bg"}, {"bad-fg", "bad-bg"}, {"wait-fg", "wait-bg"}, {"bad-fg", "bg"},
		{"head-fg", "head-bg"}, {"head-muted", "head-bg"}, {"white", "accent"}, {"white", "bad-fg"},
	}
	for _, p := range pairs {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Fatalf("app.css lacks --%s or --%s", p[0], p[1])
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s (%s) on --%s (%s): %.2f:1, below 4.5:1", p[0], fg, p[1], bg, r)
		}
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "GZIP": true, "br": false} {
		r := &http.Request{Header: http.Header{"Accept-Encoding": {header}}}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", header, got, want)
		}
	}
}
