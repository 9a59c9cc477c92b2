package mercadolivre

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// Notifications: each domain event of a topic the app subscribes to is
// POSTed to its callback URL. Anything but 200 within the timeout is a
// failure, retried on the sandbox clock (RetryAfter) for about an hour,
// then dropped; until delivered it is listed by GET /missed_feeds.
// Deliveries are journaled (api JournalAPI) and published as events. A
// redirect is never followed.

// Notification event types.
const (
	EventNotificationDelivered = "mercadolivre.notification-delivered"
	EventNotificationFailed    = "mercadolivre.notification-failed"
	EventNotificationAbandoned = "mercadolivre.notification-abandoned"
)

// JournalAPI names the notifications in the journal.
const JournalAPI = "mercadolivre-notification"

// RetryAfter is the wait after each failed attempt: 8 attempts, the last
// an hour after the first (ML: "after the eighth retry (1 hour)").
var RetryAfter = []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
	15 * time.Minute, 15 * time.Minute, 15 * time.Minute}

// DefaultTimeout is how long the receiver has to answer (ML: 500 ms).
const DefaultTimeout = 500 * time.Millisecond

// MaxMissed is how many missed notifications an app keeps.
const MaxMissed = 1000

// Notification is the body ML POSTs.
type Notification struct {
	ID            string   `json:"_id"`
	Resource      string   `json:"resource"`
	UserID        int64    `json:"user_id"`
	Topic         string   `json:"topic"`
	ApplicationID int64    `json:"application_id"`
	Attempts      int      `json:"attempts"`
	Sent          string   `json:"sent"`
	Received      string   `json:"received"`
	Actions       []string `json:"actions,omitempty"`
}

type pending struct {
	n        Notification
	account  string
	url      string
	due      time.Time
	lastCode int
	lastBody string
	done     bool
}

// Notifier delivers notifications.
type Notifier struct {
	m       *Market
	journal *journal.Journal
	client  *http.Client
	timeout time.Duration

	mu     sync.Mutex
	queue  []*pending
	missed map[string][]*pending // account → not delivered (yet)
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	unsub  func()
}

// NewNotifier starts delivering m's notifications with client (nil: a
// default one), each attempt bounded by timeout (0: DefaultTimeout).
func NewNotifier(m *Market, j *journal.Journal, client *http.Client, timeout time.Duration) *Notifier {
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{m: m, journal: j, client: &c, timeout: timeout, missed: map[string][]*pending{},
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
	n.unsub = m.bus.Subscribe(n.onEvent)
	n.wg.Add(1)
	go n.work()
	return n
}

// Close stops delivering.
func (n *Notifier) Close() {
	n.unsub()
	n.cancel()
	n.wg.Wait()
}

// Forget drops an account's ("" all) queued and missed notifications.
func (n *Notifier) Forget(account string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range n.queue {
		if account == "" || p.account == account {
			p.done = true
		}
	}
	// Those waiting on the clock for their retry are among the missed.
	for acct, ps := range n.missed {
		if account == "" || acct == account {
			for _, p := range ps {
				p.done = true
			}
		}
	}
	if account == "" {
		n.missed = map[string][]*pending{}
	} else {
		delete(n.missed, account)
	}
}

// onEvent queues a notification for a subscribed topic. It runs under
// the market's lock, reading the app from the event's own account (the
// market keeps apps under that lock, so it reads m.apps directly).
func (n *Notifier) onEvent(e events.Event) {
	topic, ok := topicOf[e.Type]
	if !ok {
		return
	}
	a := n.m.apps[e.Account] // the market's lock is held by the publisher
	if a == nil || a.CallbackURL == "" || !slices.Contains(a.Topics, topic) {
		return
	}
	resource, _ := e.Data["resource"].(string)
	now := e.Time
	note := Notification{ID: strconv.FormatInt(e.Seq, 16) + "-" + strconv.FormatInt(now.UnixMilli(), 16), Resource: resource,
		UserID: a.SellerID, Topic: topic, ApplicationID: a.ApplicationID(), Received: stamp(now)}
	if acts, ok := e.Data["actions"].([]string); ok {
		note.Actions = acts
	}
	p := &pending{n: note, account: e.Account, url: a.CallbackURL, due: now}
	n.mu.Lock()
	n.queue = append(n.queue, p)
	n.mu.Unlock()
	n.poke()
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (n *Notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *Notifier) work() {
	defer n.wg.Done()
	for {
		n.mu.Lock()
		var p *pending
		if len(n.queue) > 0 {
			p, n.queue = n.queue[0], n.queue[1:]
		}
		n.mu.Unlock()
		if p == nil {
			select {
			case <-n.ctx.Done():
				return
			case <-n.wake:
			}
			continue
		}
		n.deliver(p)
	}
}

func (n *Notifier) deliver(p *pending) {
	n.mu.Lock()
	if p.done {
		n.mu.Unlock()
		return
	}
	p.n.Attempts++
	p.n.Sent = stamp(n.m.clock.Now())
	body, _ := json.Marshal(p.n)
	n.mu.Unlock()
	status, answer, err := n.post(p, body)
	data := map[string]any{"url": p.url, "topic": p.n.Topic, "resource": p.n.Resource, "attempt": p.n.Attempts, "status": status, "id": p.n.ID}
	n.mu.Lock()
	p.lastCode, p.lastBody = status, answer
	if err == nil && status == http.StatusOK {
		p.done = true
		n.missed[p.account] = slices.DeleteFunc(n.missed[p.account], func(q *pending) bool { return q == p })
		n.mu.Unlock()
		n.publish(p, EventNotificationDelivered, data)
		return
	}
	if err != nil {
		data["error"] = err.Error()
	}
	if !slices.Contains(n.missed[p.account], p) {
		n.missed[p.account] = append(n.missed[p.account], p)
		if len(n.missed[p.account]) > MaxMissed {
			n.missed[p.account] = n.missed[p.account][1:]
		}
	}
	if p.n.Attempts > len(RetryAfter) || n.ctx.Err() != nil {
		p.done = true
		n.mu.Unlock()
		n.publish(p, EventNotificationAbandoned, data)
		return
	}
	wait := RetryAfter[p.n.Attempts-1]
	p.due = p.due.Add(wait)
	data["retryIn"] = wait.String()
	n.mu.Unlock()
	retry := func() {
		n.mu.Lock()
		if !p.done {
			n.queue = append(n.queue, p)
		}
		n.mu.Unlock()
		n.poke()
	}
	if p.due.After(n.m.clock.Now()) {
		n.m.clock.At(p.due, retry)
		n.publish(p, EventNotificationFailed, data)
		return
	}
	n.publish(p, EventNotificationFailed, data)
	retry()
}

func (n *Notifier) publish(p *pending, typ string, data map[string]any) {
	n.m.bus.Publish(events.Event{Time: n.m.clock.Now(), Account: p.account, Type: typ, Data: data})
}

func (n *Notifier) post(p *pending, body []byte) (int, string, error) {
	started := time.Now()
	ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
	defer cancel()
	entry := journal.Entry{Time: n.m.clock.Now(), ReceivedAt: started.UTC(), Account: p.account, API: JournalAPI,
		Method: http.MethodPost, RequestBody: string(body)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		entry.ResponseBody = err.Error()
		n.journal.Record(entry)
		return 0, "", err
	}
	entry.Path, entry.Query = req.URL.Path, req.URL.RawQuery
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "omsbox-mercadolivre-notifications")
	resp, err := n.client.Do(req)
	if err == nil {
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		entry.Status, entry.ResponseBody = resp.StatusCode, string(answer)
	} else {
		entry.ResponseBody = err.Error()
	}
	entry.DurationMs = float64(time.Since(started).Microseconds()) / 1000
	n.journal.Record(entry)
	if err != nil {
		return 0, "", err
	}
	return entry.Status, entry.ResponseBody, nil
}

// Missed is GET /missed_feeds: the app's notifications not delivered,
// oldest first, optionally of one topic.
func (n *Notifier) Missed(c Caller, appID int64, topic string, offset, limit int) (map[string]any, error) {
	a, ok := n.m.App(c.Account)
	if !ok || a.ApplicationID() != appID {
		return nil, refuse(403, "forbidden", "app_id %d is not the caller's application", appID)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var list []*pending
	for _, p := range n.missed[c.Account] {
		if topic == "" || p.n.Topic == topic {
			list = append(list, p)
		}
	}
	out := []map[string]any{}
	for i := offset; i < len(list) && i < offset+limit; i++ {
		p := list[i]
		body, _ := json.Marshal(p.n)
		out = append(out, map[string]any{"_id": p.n.ID, "resource": p.n.Resource, "user_id": p.n.UserID, "topic": p.n.Topic,
			"application_id": p.n.ApplicationID, "attempts": p.n.Attempts, "sent": p.n.Sent, "received": p.n.Received,
			"request":  map[string]any{"url": p.url, "headers": map[string]string{"Content-Type": "application/json"}, "data": string(body)},
			"response": map[string]any{"req_time": 0, "http_code": p.lastCode, "body": p.lastBody, "headers": map[string]string{}}})
	}
	return map[string]any{"messages": out, "paging": map[string]any{"total": len(list), "offset": offset, "limit": limit}}, nil
}
