// Package hook owns VTEX's order hook: one push subscription per account
// and app key, with the feed's filters. Saving a hook pings its URL and
// fails unless the ping answers 200; each matching order change is then
// POSTed to the URL, asynchronously, with the configured headers; a
// redirect is never followed (a 3xx is a failed ping or delivery). A
// delivery that does not answer 200 within the timeout is retried at
// growing intervals on the sandbox clock: at least once, never lost while
// the hook exists. Deliveries are journaled (api "hook") and published as
// events (hook.delivered, hook.failed).
package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/feed"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// Event types of deliveries.
const (
	Delivered = "hook.delivered"
	Failed    = "hook.failed"
	Abandoned = "hook.abandoned"
	// FilterTimeout records a FromOrders evaluation the sandbox stopped
	// (see feed.FilterTimeout): the change notifies nobody.
	FilterTimeout = "hook.filter-timeout"
)

// Retry policy: VTEX retries with an "internal geometric progression" and
// drops an event after about 100 failures over 4 days; the sandbox doubles
// from 10 s up to an hour, and gives up past either bound.
const (
	FirstRetry  = 10 * time.Second
	MaxInterval = time.Hour
	MaxAttempts = 100
	GiveUpAfter = 4 * 24 * time.Hour
)

// MaxResponseBody is how much of a subscriber's answer the journal keeps:
// enough to see why a delivery failed, too little to turn the hook into a
// way of reading other services through the sandbox.
const MaxResponseBody = 4 << 10

// Config is a hook configuration.
type Config struct {
	Filter feed.Filter `json:"filter"`
	Hook   Target      `json:"hook"`
}

// Target is where and how notifications go.
type Target struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// Notification is what the hook POSTs for each matching change.
type Notification struct {
	Domain        string `json:"Domain"`
	OrderID       string `json:"OrderId"`
	State         string `json:"State"`
	LastState     string `json:"LastState"`
	LastChange    string `json:"LastChange"`
	CurrentChange string `json:"CurrentChange"`
	Origin        Origin `json:"Origin"`
}

// Origin names the account and the app key that own the hook.
type Origin struct {
	Account string `json:"Account"`
	Key     string `json:"Key"`
}

// ErrNoHook answers an app key without a hook configuration.
var ErrNoHook = errors.New("no hook configuration for this app key")

// PingError is a refused save: the URL did not answer the ping with 200.
type PingError struct{ msg string }

func (e *PingError) Error() string { return e.msg }

// Options tune the dispatcher.
type Options struct {
	// Timeout is how long a subscriber has to answer (VTEX: 5 s).
	Timeout time.Duration
	// Workers deliver in parallel (default 4).
	Workers int
	// Client sends the requests (default: one with Timeout). Whatever its
	// CheckRedirect, the hook never follows a redirect.
	Client *http.Client
}

// Hooks holds every hook of a sandbox and delivers their notifications.
type Hooks struct {
	clock   *clock.Clock
	bus     *events.Bus
	journal *journal.Journal
	client  *http.Client

	mu      sync.Mutex
	hooks   map[string]map[string]*hook // account -> app key -> hook
	pending []*delivery
	// retries are the deliveries waiting on the sandbox clock for their
	// next attempt.
	retries map[*delivery]bool
	wake    chan struct{}
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	beforeMatch func(account string) // tests: runs before each filter evaluates
}

// hook is an app key's hook. Saving it again updates it in place, so the
// notifications pending for it survive and go to its current URL; only
// Delete (or Forget) drops them.
type hook struct {
	cfg     Config // guarded by Hooks.mu
	matcher *feed.Matcher
}

type delivery struct {
	account, key string
	hook         *hook // the configuration it was made for
	body         []byte
	orderID      string
	attempt      int
	first        time.Time // when the change happened
	due          time.Time // when the next attempt is scheduled
}

// New starts the dispatcher's workers; Close stops them.
func New(c *clock.Clock, bus *events.Bus, j *journal.Journal, opts Options) *Hooks {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	// VTEX wants a 200 from the hook's URL itself. Following a redirect
	// would also let a hook reach (and, through the journal, read) any
	// address the sandbox can reach: a 3xx is a failed delivery.
	client := *opts.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	opts.Client = &client
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hooks{clock: c, bus: bus, journal: j, client: opts.Client, hooks: map[string]map[string]*hook{},
		retries: map[*delivery]bool{}, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
	bus.Subscribe(h.onEvent)
	for range opts.Workers {
		h.wg.Add(1)
		go h.work()
	}
	return h
}

// Close stops delivering; pending notifications are dropped.
func (h *Hooks) Close() {
	h.mu.Lock()
	h.closed = true
	h.pending = nil
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
}

// Configure validates a hook, pings its URL and saves it only if the ping
// answers 200. It replaces the app key's previous configuration; the
// notifications pending for it are kept and go to the new URL.
func (h *Hooks) Configure(ctx context.Context, account, key string, cfg Config) error {
	m, err := feed.NewMatcher(cfg.Filter)
	if err != nil {
		return err
	}
	u, err := url.Parse(cfg.Hook.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// VTEX accepts only https; the sandbox takes http too, so that a
		// subscriber on the developer's machine can be reached.
		return fmt.Errorf("hook.url %q must be an absolute http or https URL", cfg.Hook.URL)
	}
	if cfg.Hook.Headers == nil {
		cfg.Hook.Headers = map[string]string{}
	}
	status, err := h.post(ctx, account, cfg.Hook, []byte(`{"hookConfig":"ping"}`))
	if err != nil {
		return &PingError{fmt.Sprintf("the hook ping to %s failed: %v; VTEX saves a hook only when its URL answers the ping with 200", cfg.Hook.URL, err)}
	}
	if status != http.StatusOK {
		return &PingError{fmt.Sprintf("the hook ping to %s answered %d; VTEX saves a hook only when its URL answers the ping with 200", cfg.Hook.URL, status)}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks[account] == nil {
		h.hooks[account] = map[string]*hook{}
	}
	if hk := h.hooks[account][key]; hk != nil {
		hk.cfg, hk.matcher = cfg, m
		return nil
	}
	h.hooks[account][key] = &hook{cfg: cfg, matcher: m}
	return nil
}

// Get returns an app key's hook configuration.
func (h *Hooks) Get(account, key string) (Config, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hk := h.hooks[account][key]
	if hk == nil {
		return Config{}, ErrNoHook
	}
	return hk.cfg, nil
}

// Delete removes an app key's hook; its pending notifications are dropped.
func (h *Hooks) Delete(account, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks[account][key] == nil {
		return ErrNoHook
	}
	delete(h.hooks[account], key)
	return nil
}

// Forget drops the hooks of an account, or of all accounts for "".
func (h *Hooks) Forget(account string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if account == "" {
		h.hooks = map[string]map[string]*hook{}
		return
	}
	delete(h.hooks, account)
}

// onEvent queues a notification for each of the account's matching hooks.
// It runs while the domain holds the account's lock, so it only queues;
// the filters evaluate outside h.mu, so that an account's slow expression
// delays no other account.
func (h *Hooks) onEvent(e events.Event) {
	type candidate struct {
		key     string
		hk      *hook
		matcher *feed.Matcher
	}
	h.mu.Lock()
	var cands []candidate
	for key, hk := range h.hooks[e.Account] {
		cands = append(cands, candidate{key, hk, hk.matcher})
	}
	closed := h.closed
	h.mu.Unlock()
	if len(cands) == 0 || closed {
		return
	}
	slices.SortFunc(cands, func(a, b candidate) int { return strings.Compare(a.key, b.key) })
	doc := feed.DocumentOf(&e)
	var queued []*delivery
	for _, c := range cands {
		if h.beforeMatch != nil {
			h.beforeMatch(e.Account)
		}
		ok, err := c.matcher.Match(&e, doc)
		if err != nil {
			rec := events.Event{Time: h.clock.Now(), Account: e.Account, Type: FilterTimeout, OrderID: e.OrderID,
				Data: map[string]any{"key": c.key, "event": e.Type, "reason": err.Error()}}
			go h.bus.Publish(rec) // the bus is delivering e: publish after it
		}
		if !ok {
			continue
		}
		ch := feed.ChangeOf(&e)
		body, _ := json.Marshal(Notification{Domain: ch.Domain, OrderID: ch.OrderID, State: ch.State, LastState: ch.LastState,
			LastChange: ch.LastChange.UTC().Format(feed.TimeLayout), CurrentChange: ch.CurrentChange.UTC().Format(feed.TimeLayout),
			Origin: Origin{Account: e.Account, Key: c.key}})
		now := h.clock.Now()
		queued = append(queued, &delivery{account: e.Account, key: c.key, hook: c.hk, body: body, orderID: e.OrderID,
			first: now, due: now})
	}
	if len(queued) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.pending = append(h.pending, queued...)
	h.poke()
}

func (h *Hooks) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Hooks) work() {
	defer h.wg.Done()
	for {
		h.mu.Lock()
		var d *delivery
		if len(h.pending) > 0 {
			d = h.pending[0]
			h.pending = h.pending[1:]
		}
		more := len(h.pending) > 0
		h.mu.Unlock()
		if more {
			h.poke() // let another worker take the next one
		}
		if d == nil {
			select {
			case <-h.ctx.Done():
				return
			case <-h.wake:
			}
			continue
		}
		h.deliver(d)
	}
}

// deliver makes one attempt, and on failure schedules the next on the
// sandbox clock. Attempts follow their schedule, not the clock's jumps:
// the next is due an interval after this one was due, so when the clock
// leaps, every attempt it leapt over is made, in order, before the
// notification is abandoned past MaxAttempts or GiveUpAfter.
func (h *Hooks) deliver(d *delivery) {
	h.mu.Lock()
	current := h.hooks[d.account][d.key] == d.hook && !h.closed
	target := d.hook.cfg.Hook
	h.mu.Unlock()
	if !current {
		return // the hook was deleted
	}
	d.attempt++
	status, err := h.post(h.ctx, d.account, target, d.body)
	data := map[string]any{"url": target.URL, "key": d.key, "attempt": d.attempt, "status": status,
		"due": d.due.Format(time.RFC3339Nano)}
	if err == nil && status == http.StatusOK {
		h.publish(d, Delivered, data)
		return
	}
	if err != nil {
		data["error"] = err.Error()
	}
	if h.ctx.Err() != nil {
		return
	}
	// Shifting by more than 20 would overflow (10 s << 30 does) long
	// after the interval reached its cap.
	wait := min(FirstRetry<<min(d.attempt-1, 20), MaxInterval)
	next := d.due.Add(wait)
	if d.attempt >= MaxAttempts || next.Sub(d.first) >= GiveUpAfter {
		h.publish(d, Abandoned, data)
		return
	}
	data["retryIn"] = wait.String()
	d.due = next
	retry := func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.retries, d)
		if !h.closed {
			h.pending = append(h.pending, d)
			h.poke()
		}
	}
	if next.After(h.clock.Now()) {
		// Schedule first, then tell: whoever sees the failure sees the retry.
		h.mu.Lock()
		h.retries[d] = true
		h.mu.Unlock()
		h.clock.At(next, retry)
		h.publish(d, Failed, data)
		return
	}
	// The clock leapt past it: tell, then make it now, so that the
	// failures are recorded in the order of their attempts.
	h.publish(d, Failed, data)
	retry()
}

// Summary is one hook's state, for the control plane: where it posts (the
// names of its headers only, whose values may be secrets), its filter,
// and its notifications waiting for an attempt now or for a retry on the
// sandbox clock.
type Summary struct {
	AppKey   string      `json:"appKey"`
	URL      string      `json:"url"`
	Headers  []string    `json:"headers"`
	Filter   feed.Filter `json:"filter"`
	Pending  int         `json:"pending"`
	Retrying int         `json:"retrying"`
	// NextRetry is when the earliest retry is due.
	NextRetry *time.Time `json:"nextRetry,omitempty"`
}

// Summaries lists an account's hooks, by app key.
func (h *Hooks) Summaries(account string) []Summary {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []Summary{}
	for key, hk := range h.hooks[account] {
		sum := Summary{AppKey: key, URL: hk.cfg.Hook.URL, Headers: []string{}, Filter: hk.cfg.Filter}
		for name := range hk.cfg.Hook.Headers {
			sum.Headers = append(sum.Headers, name)
		}
		slices.Sort(sum.Headers)
		for _, d := range h.pending {
			if d.hook == hk {
				sum.Pending++
			}
		}
		for d := range h.retries {
			if d.hook == hk {
				sum.Retrying++
				if sum.NextRetry == nil || d.due.Before(*sum.NextRetry) {
					due := d.due
					sum.NextRetry = &due
				}
			}
		}
		out = append(out, sum)
	}
	slices.SortFunc(out, func(a, b Summary) int { return strings.Compare(a.AppKey, b.AppKey) })
	return out
}

func (h *Hooks) publish(d *delivery, kind string, data map[string]any) {
	h.bus.Publish(events.Event{Time: h.clock.Now(), Account: d.account, Type: kind, OrderID: d.orderID, Data: data})
}

// post sends one request and journals it.
func (h *Hooks) post(ctx context.Context, account string, t Target, body []byte) (int, error) {
	started := time.Now()
	at := h.clock.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range t.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	entry := journal.Entry{Time: at, ReceivedAt: started.UTC(), Account: account, API: "hook", Method: http.MethodPost,
		Path: req.URL.Path, Query: req.URL.RawQuery, RequestBody: string(body)}
	resp, err := h.client.Do(req)
	if err == nil {
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody+1))
		resp.Body.Close()
		entry.Status, entry.ResponseBody = resp.StatusCode, string(answer[:min(len(answer), MaxResponseBody)])
		entry.ResponseBodyTruncated = len(answer) > MaxResponseBody
	} else {
		entry.ResponseBody = err.Error()
	}
	entry.DurationMs = float64(time.Since(started).Microseconds()) / 1000
	h.journal.Record(entry)
	if err != nil {
		return 0, err
	}
	return entry.Status, nil
}
