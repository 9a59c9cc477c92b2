package sandbox_test

import (
	"strings"
	"testing"
)

// A FromOrders expression past 4 KiB is refused at configuration, by the
// feed and by the hook, in VTEX's error shape, naming the field.
func TestLongFilterExpressionsAreRefusedThroughTheAPI(t *testing.T) {
	h := newSandbox(t).Handler()
	long := `status = \"` + strings.Repeat("x", 4<<10) + `\"`
	for _, tt := range []struct{ path, body string }{
		{"/api/orders/feed/config", `{"filter":{"type":"FromOrders","expression":"` + long +
			`"},"queue":{"visibilityTimeoutInSeconds":1,"MessageRetentionPeriodInSeconds":345600}}`},
		{"/api/orders/hook/config", `{"filter":{"type":"FromOrders","expression":"` + long +
			`"},"hook":{"url":"http://127.0.0.1:1/hook","headers":{}}}`},
	} {
		r := do(t, h, "POST", tt.path, tt.body, demoAuth...)
		if r.status != 400 {
			t.Errorf("%s: %d, want 400: %s", tt.path, r.status, r.body)
			continue
		}
		if _, msg := r.vtexError(t); !strings.Contains(msg, "filter.expression") || !strings.Contains(msg, "at most 4096") {
			t.Errorf("%s: %q does not name filter.expression and its limit", tt.path, msg)
		}
	}
}
