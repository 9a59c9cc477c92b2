package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// ensureHook points the account's hook at the receiver unless it already
// is; VTEX pings the receiver before saving.
func (c *Connector) ensureHook(ctx context.Context) error {
	var current struct {
		Hook struct {
			URL string `json:"url"`
		} `json:"hook"`
	}
	err := c.vtex.do(ctx, "GET", "/api/orders/hook/config", nil, &current)
	if err == nil && current.Hook.URL == c.cfg.HookURL {
		return nil
	}
	if err != nil && StatusOf(err) != http.StatusNotFound {
		return err
	}
	c.log.Info("saving the hook configuration", "url", c.cfg.HookURL)
	return c.vtex.do(ctx, "POST", "/api/orders/hook/config", map[string]any{
		"filter": feedConfig["filter"],
		"hook":   map[string]any{"url": c.cfg.HookURL, "headers": map[string]string{"X-Refclient": "hook"}},
	}, nil)
}

// receiveHook answers VTEX's ping and queues each notified order; the
// order is fetched by the main loop, so the notification is acknowledged
// within VTEX's 5 seconds. A full queue answers 503 and VTEX retries.
func (c *Connector) receiveHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	var n struct {
		HookConfig string `json:"hookConfig"`
		OrderID    string `json:"OrderId"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		http.Error(w, "not a VTEX hook notification", http.StatusBadRequest)
		return
	}
	if n.HookConfig == "ping" || n.OrderID == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	select {
	case c.hookQueue <- n.OrderID:
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}
}
