package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// How the connector learns what happens on Mercado Livre: notifications
// first, a catch-up for what they missed. A notification is only a
// pointer (topic and resource); the connector reads the resource itself,
// so duplicates, reordering and a lost notification all end the same way.

// Statuses the connector keeps beside Mercado Livre's own.
const (
	mlPaid       = "paid"
	mlInvoiced   = "invoiced" // the ERP's step: its NF-e was accepted
	mlUnanswered = "UNANSWERED"
	mlAnswered   = "ANSWERED"
)

// mlNotification is the part of Mercado Livre's notification the
// connector reads.
type mlNotification struct {
	ID            string `json:"_id"`
	Resource      string `json:"resource"`
	UserID        int64  `json:"user_id"`
	Topic         string `json:"topic"`
	ApplicationID int64  `json:"application_id"`
}

func mlQuestionKey(id string) string { return "mercadolivre-question:" + id }

// MLNotificationHandler is the notification receiver: POST /notifications
// queues a notification and answers 200 at once (Mercado Livre counts
// anything slower than 500 ms as a failure and sends it again); a body
// that is not a notification of the connector's own app is refused with
// 400, a full queue with 503 (Mercado Livre retries).
func (c *Connector) MLNotificationHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /notifications", func(w http.ResponseWriter, r *http.Request) {
		var n mlNotification
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&n); err != nil || n.Topic == "" || n.Resource == "" {
			http.Error(w, "not a Mercado Livre notification", http.StatusBadRequest)
			return
		}
		if strconv.FormatInt(n.ApplicationID, 10) != c.cfg.MLClientID {
			http.Error(w, "a notification of another application", http.StatusBadRequest)
			return
		}
		select {
		case c.mlQueue <- n:
			w.WriteHeader(http.StatusOK)
		default:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	})
	return mux
}

// mercadoLivreLoop handles the queued notifications as they come and
// catches up every MLSyncInterval (every PollInterval without a
// receiver). The first catch-up ran before the driver answered (Run).
func (c *Connector) mercadoLivreLoop(ctx context.Context) error {
	every := c.cfg.PollInterval
	if c.cfg.MLNotifyAddr != "" {
		every = c.cfg.MLSyncInterval
	}
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case n := <-c.mlQueue:
			if err := c.mlNotified(ctx, n.Topic, n.Resource); err != nil && ctx.Err() == nil {
				// The catch-up reads it again; nothing is lost.
				c.log.Error("Mercado Livre notification not handled", "topic", n.Topic, "resource", n.Resource, "error", err)
			}
		case <-timer.C:
			if err := c.syncMercadoLivre(ctx); err != nil && ctx.Err() == nil {
				c.log.Error("Mercado Livre catch-up failed", "error", err)
			}
			timer.Reset(every)
		}
	}
}

// mlNotified reads the resource a notification (or a missed one) points
// at; topics the ERP does not follow are ignored.
func (c *Connector) mlNotified(ctx context.Context, topic, resource string) error {
	if topic != "orders_v2" && topic != "questions" {
		return nil // items, shipments, messages: the listings' ids are not numbers
	}
	id := resource[strings.LastIndex(resource, "/")+1:]
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return fmt.Errorf("resource %q does not end in an id", resource)
	}
	switch {
	case topic == "orders_v2" && resource == "/orders/"+id:
		var doc json.RawMessage
		if err := c.ml.do(ctx, "GET", "/orders/"+id, "", nil, &doc); err != nil {
			return err
		}
		return c.mlKeepOrder(doc)
	case topic == "questions" && resource == "/questions/"+id:
		var doc json.RawMessage
		if err := c.ml.do(ctx, "GET", "/questions/"+id+"?api_version=4", "", nil, &doc); err != nil {
			return err
		}
		return c.mlKeepQuestion(doc)
	}
	return nil
}

// syncMercadoLivre catches up: the missed notifications, then every paid
// order and unanswered question not stored yet.
func (c *Connector) syncMercadoLivre(ctx context.Context) error {
	t, err := c.ml.token(ctx)
	if err != nil {
		return err
	}
	var errs []error
	missed := "/missed_feeds?app_id=" + url.QueryEscape(c.cfg.MLClientID) + "&limit=50"
	if err := c.mlPages(ctx, missed, "messages", func(doc json.RawMessage) error {
		var m struct{ Topic, Resource string }
		if err := json.Unmarshal(doc, &m); err != nil {
			return err
		}
		if err := c.mlNotified(ctx, m.Topic, m.Resource); err != nil {
			errs = append(errs, err) // the others are still worth reading
		}
		return nil
	}); err != nil {
		errs = append(errs, fmt.Errorf("missed notifications: %w", err))
	}
	paid := fmt.Sprintf("/orders/search?seller=%d&order.status=paid&sort=date_asc&limit=50", t.SellerID)
	if err := c.mlPages(ctx, paid, "results", c.mlKeepOrder); err != nil {
		errs = append(errs, fmt.Errorf("paid orders: %w", err))
	}
	open := fmt.Sprintf("/questions/search?seller_id=%d&status=UNANSWERED&api_version=4&limit=50", t.SellerID)
	if err := c.mlPages(ctx, open, "questions", c.mlKeepQuestion); err != nil {
		errs = append(errs, fmt.Errorf("unanswered questions: %w", err))
	}
	return errors.Join(errs...)
}

// mlPages reads a paged Mercado Livre list from offset 0 to its total
// (paging.total, or total for questions), handing each entry of the
// array named list to each.
func (c *Connector) mlPages(ctx context.Context, path, list string, each func(json.RawMessage) error) error {
	for offset := 0; ; {
		var page map[string]json.RawMessage
		if err := c.ml.do(ctx, "GET", fmt.Sprintf("%s&offset=%d", path, offset), "", nil, &page); err != nil {
			return err
		}
		var entries []json.RawMessage
		var paging struct {
			Total int `json:"total"`
		}
		if err := json.Unmarshal(page[list], &entries); err != nil {
			return fmt.Errorf("GET %s: no %s list: %w", path, list, err)
		}
		if p, ok := page["paging"]; ok {
			_ = json.Unmarshal(p, &paging)
		} else {
			_ = json.Unmarshal(page["total"], &paging.Total)
		}
		for _, e := range entries {
			if err := each(e); err != nil {
				return err
			}
		}
		offset += len(entries)
		if len(entries) == 0 || offset >= paging.Total {
			return nil
		}
	}
}

// mlKeepOrder stores an order document as read: a paid order enters the
// ERP; one already stored follows Mercado Livre's status (cancelled,
// refunded), except that an invoiced one stays invoiced while paid.
func (c *Connector) mlKeepOrder(doc json.RawMessage) error {
	var o mlOrder
	if err := json.Unmarshal(doc, &o); err != nil || o.ID == 0 {
		return fmt.Errorf("an unreadable Mercado Livre order: %v", err)
	}
	id := strconv.FormatInt(o.ID, 10)
	prev, seen := c.store.get(mlKey(id))
	status := o.Status
	switch {
	case !seen && status != mlPaid:
		return nil // not sold yet (or never paid): not the ERP's business
	case seen && prev.Status == mlInvoiced && status == mlPaid:
		status = mlInvoiced
	}
	if seen && prev.Status == status {
		return nil
	}
	if err := c.store.put(StoredOrder{OrderID: mlKey(id), Status: status, Order: doc}); err != nil {
		return err
	}
	if !seen {
		c.log.Info("Mercado Livre order downloaded", "orderId", id)
	} else {
		c.log.Info("Mercado Livre order moved", "orderId", id, "from", prev.Status, "to", status)
	}
	return nil
}

// mlKeepQuestion stores a question the seller has not answered yet, and
// records the answer of one stored.
func (c *Connector) mlKeepQuestion(doc json.RawMessage) error {
	var q struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(doc, &q); err != nil || q.ID == 0 {
		return fmt.Errorf("an unreadable Mercado Livre question: %v", err)
	}
	key := mlQuestionKey(strconv.FormatInt(q.ID, 10))
	prev, seen := c.store.get(key)
	if (!seen && q.Status != mlUnanswered) || (seen && prev.Status == q.Status) {
		return nil
	}
	if !seen {
		c.log.Info("Mercado Livre question downloaded", "questionId", q.ID)
	}
	return c.store.put(StoredOrder{OrderID: key, Status: q.Status, Order: doc})
}
