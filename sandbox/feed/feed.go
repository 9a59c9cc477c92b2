package feed

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// Queue limits. Retention: VTEX accepts 4 to 14 days; visibility: up to
// 12 hours (the SQS limit behind Feed v3).
const (
	MinRetention     = 345_600
	MaxRetention     = 1_209_600
	MaxVisibility    = 43_200
	MaxLot           = 10
	DefaultRetention = MinRetention
)

// QueueConfig is the queue part of a feed configuration. JSON names are
// matched without regard to case, so VTEX's two spellings of the retention
// field (schema: capital M; examples: lower-case m) both decode.
type QueueConfig struct {
	VisibilityTimeoutInSeconds      *int `json:"visibilityTimeoutInSeconds"`
	MessageRetentionPeriodInSeconds *int `json:"messageRetentionPeriodInSeconds"`
}

// Config is a feed configuration.
type Config struct {
	Filter Filter      `json:"filter"`
	Queue  QueueConfig `json:"queue"`
}

// View is a feed configuration as GET config answers it: the configuration
// with both spellings of the retention field, the number of messages (the
// invisible included) and the age of the oldest.
type View struct {
	Filter Filter `json:"filter"`
	Queue  struct {
		VisibilityTimeoutInSeconds      int `json:"visibilityTimeoutInSeconds"`
		MessageRetentionPeriodInSeconds int `json:"MessageRetentionPeriodInSeconds"`
		LowerCaseRetention              int `json:"messageRetentionPeriodInSeconds"`
	} `json:"queue"`
	Quantity                               int     `json:"quantity"`
	ApproximateAgeOfOldestMessageInSeconds float64 `json:"approximateAgeOfOldestMessageInSeconds"`
}

// Item is one feed item as VTEX sends it.
type Item struct {
	EventID       string `json:"eventId"`
	Handle        string `json:"handle"`
	Domain        string `json:"domain"`
	State         string `json:"state"`
	LastState     string `json:"lastState"`
	OrderID       string `json:"orderId"`
	LastChange    string `json:"lastChange"`
	CurrentChange string `json:"currentChange"`
}

// Delivery is how a lot is handed out; the control plane's faults choose
// the unusual ones, which VTEX's queue also shows now and then.
type Delivery string

// Delivery modes.
const (
	InOrder    Delivery = ""
	Duplicated Delivery = "duplicate" // each item handed out comes again as a second message
	Reordered  Delivery = "reorder"   // newest first
)

// ErrNoFeed answers an app key without a feed configuration (VTEX: 404).
var ErrNoFeed = errors.New("no feed configuration for this app key")

// Feeds holds every feed of a sandbox, one per account and app key.
type Feeds struct {
	clock *clock.Clock
	bus   *events.Bus
	// mu guards the queues of every account: never hold it while a filter
	// evaluates, or one account's expression stalls all the others.
	mu    sync.Mutex
	feeds map[string]map[string]*queue // account -> app key -> queue
	rng   *rand.Rand

	beforeMatch func(account string) // tests: runs before each filter evaluates
}

// New returns the feeds of a sandbox, fed by bus.
func New(c *clock.Clock, bus *events.Bus, seed uint64) *Feeds {
	f := &Feeds{clock: c, bus: bus, feeds: map[string]map[string]*queue{}, rng: rand.New(rand.NewPCG(seed, 0xfeed))}
	bus.Subscribe(f.onEvent)
	return f
}

type queue struct {
	matcher    *Matcher
	visibility time.Duration
	retention  time.Duration
	entries    []*entry // in arrival order
	handles    map[string]*entry
	lastEvent  time.Time // or the configuration time
}

type entry struct {
	Item
	arrived   time.Time
	visibleAt time.Time
}

// Configure creates or replaces the feed of (account, key). The queue
// keeps the items it holds; only changes from now on use the new filter.
func (f *Feeds) Configure(account, key string, c Config) error {
	m, err := NewMatcher(c.Filter)
	if err != nil {
		return err
	}
	vis, ret, err := c.Queue.durations()
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	q := f.queueLocked(account, key, now)
	if q == nil {
		q = &queue{handles: map[string]*entry{}}
		if f.feeds[account] == nil {
			f.feeds[account] = map[string]*queue{}
		}
		f.feeds[account][key] = q
	}
	q.matcher, q.visibility, q.retention, q.lastEvent = m, vis, ret, now
	return nil
}

func (c QueueConfig) durations() (visibility, retention time.Duration, err error) {
	if c.VisibilityTimeoutInSeconds == nil {
		return 0, 0, fmt.Errorf("queue.visibilityTimeoutInSeconds is required")
	}
	if v := *c.VisibilityTimeoutInSeconds; v < 0 || v > MaxVisibility {
		return 0, 0, fmt.Errorf("queue.visibilityTimeoutInSeconds must be between 0 and %d, not %d", MaxVisibility, v)
	}
	if c.MessageRetentionPeriodInSeconds == nil {
		return 0, 0, fmt.Errorf("queue.MessageRetentionPeriodInSeconds is required")
	}
	if r := *c.MessageRetentionPeriodInSeconds; r < MinRetention || r > MaxRetention {
		return 0, 0, fmt.Errorf("queue.MessageRetentionPeriodInSeconds must be between %d (4 days) and %d (14 days), not %d", MinRetention, MaxRetention, r)
	}
	return time.Duration(*c.VisibilityTimeoutInSeconds) * time.Second,
		time.Duration(*c.MessageRetentionPeriodInSeconds) * time.Second, nil
}

// View returns the configuration and state of a feed.
func (f *Feeds) View(account, key string) (View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	q := f.queueLocked(account, key, now)
	if q == nil {
		return View{}, ErrNoFeed
	}
	var v View
	v.Filter = q.matcher.Filter()
	v.Queue.VisibilityTimeoutInSeconds = int(q.visibility / time.Second)
	v.Queue.MessageRetentionPeriodInSeconds = int(q.retention / time.Second)
	v.Queue.LowerCaseRetention = v.Queue.MessageRetentionPeriodInSeconds
	v.Quantity = len(q.entries)
	if len(q.entries) > 0 {
		v.ApproximateAgeOfOldestMessageInSeconds = now.Sub(q.entries[0].arrived).Seconds()
	}
	return v, nil
}

// Summary is one feed's state, for the control plane.
type Summary struct {
	AppKey                                 string  `json:"appKey"`
	Quantity                               int     `json:"quantity"`
	ApproximateAgeOfOldestMessageInSeconds float64 `json:"approximateAgeOfOldestMessageInSeconds"`
	// Visible items wait to be read; InFlight ones were read and are
	// hidden until committed or their visibility timeout ends.
	Visible                    int    `json:"visible"`
	InFlight                   int    `json:"inFlight"`
	Filter                     Filter `json:"filter"`
	VisibilityTimeoutInSeconds int    `json:"visibilityTimeoutInSeconds"`
	RetentionInSeconds         int    `json:"messageRetentionPeriodInSeconds"`
}

// Summaries lists an account's feeds, by app key.
func (f *Feeds) Summaries(account string) []Summary {
	f.mu.Lock()
	keys := make([]string, 0, len(f.feeds[account]))
	for k := range f.feeds[account] {
		keys = append(keys, k)
	}
	f.mu.Unlock()
	slices.Sort(keys)
	out := []Summary{}
	for _, k := range keys {
		v, err := f.View(account, k)
		if err != nil {
			continue
		}
		sum := Summary{AppKey: k, Quantity: v.Quantity, ApproximateAgeOfOldestMessageInSeconds: v.ApproximateAgeOfOldestMessageInSeconds,
			Filter: v.Filter, VisibilityTimeoutInSeconds: v.Queue.VisibilityTimeoutInSeconds,
			RetentionInSeconds: v.Queue.MessageRetentionPeriodInSeconds}
		sum.Visible, sum.InFlight = f.counts(account, k)
		out = append(out, sum)
	}
	return out
}

// counts tells how many of a feed's items are visible and how many are
// in flight (handed out, hidden until committed or visible again).
func (f *Feeds) counts(account, key string) (visible, inFlight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	q := f.queueLocked(account, key, now)
	if q == nil {
		return 0, 0
	}
	for _, e := range q.entries {
		if e.visibleAt.After(now) {
			inFlight++
		} else {
			visible++
		}
	}
	return visible, inFlight
}

// Delete removes a feed and its items.
func (f *Feeds) Delete(account, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queueLocked(account, key, f.clock.Now()) == nil {
		return ErrNoFeed
	}
	delete(f.feeds[account], key)
	return nil
}

// Forget drops every feed of an account, or of all accounts for "".
func (f *Feeds) Forget(account string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if account == "" {
		f.feeds = map[string]map[string]*queue{}
		return
	}
	delete(f.feeds, account)
}

// Receive hands out up to maxlot visible items and hides them for the
// visibility timeout; each gets a new handle, and the old one stops
// working.
func (f *Feeds) Receive(account, key string, maxlot int, mode Delivery) ([]Item, error) {
	if maxlot < 1 || maxlot > MaxLot {
		return nil, fmt.Errorf("maxlot must be between 1 and %d, not %d", MaxLot, maxlot)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	q := f.queueLocked(account, key, now)
	if q == nil {
		return nil, ErrNoFeed
	}
	order := q.entries
	if mode == Reordered {
		order = slices.Clone(q.entries)
		slices.Reverse(order)
	}
	lot := []Item{}
	var picked []*entry
	for _, e := range order {
		if len(lot) == maxlot {
			break
		}
		if e.visibleAt.After(now) {
			continue
		}
		delete(q.handles, e.Handle)
		e.Handle = f.handle()
		q.handles[e.Handle] = e
		e.visibleAt = now.Add(q.visibility)
		lot = append(lot, e.Item)
		picked = append(picked, e)
	}
	if mode == Duplicated {
		// SQS delivers at least once: each message comes again as a copy
		// that needs its own commit.
		for _, e := range picked {
			dup := &entry{Item: e.Item, arrived: e.arrived, visibleAt: now}
			dup.Handle = f.handle()
			q.handles[dup.Handle] = dup
			q.entries = append(q.entries, dup)
			if len(lot) < maxlot {
				dup.visibleAt = now.Add(q.visibility)
				lot = append(lot, dup.Item)
			}
		}
	}
	return lot, nil
}

// Commit deletes the items whose current handles are given. A handle the
// feed does not know, or one an item no longer answers to because it was
// handed out again, deletes nothing (reference gap: VTEX documents no
// error; the sandbox ignores them, as an SQS queue may, and the item comes
// back). It returns how many items were deleted.
func (f *Feeds) Commit(account, key string, handles []string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queueLocked(account, key, f.clock.Now())
	if q == nil {
		return 0, ErrNoFeed
	}
	deleted := 0
	for _, h := range handles {
		e, ok := q.handles[h]
		if !ok {
			continue
		}
		delete(q.handles, h)
		if i := slices.Index(q.entries, e); i >= 0 {
			q.entries = slices.Delete(q.entries, i, i+1)
			deleted++
		}
	}
	return deleted, nil
}

// queueLocked returns a live queue, first dropping expired items, and the
// configuration itself when no event arrived within the retention period.
func (f *Feeds) queueLocked(account, key string, now time.Time) *queue {
	q := f.feeds[account][key]
	if q == nil {
		return nil
	}
	if now.Sub(q.lastEvent) >= q.retention {
		delete(f.feeds[account], key)
		return nil
	}
	q.entries = slices.DeleteFunc(q.entries, func(e *entry) bool {
		if now.Sub(e.arrived) >= q.retention {
			delete(q.handles, e.Handle)
			return true
		}
		return false
	})
	return q
}

// onEvent turns a domain event into items of the account's matching feeds.
// The filters evaluate outside f.mu: an account's slow expression delays
// only that account's changes, whose publisher waits for it.
func (f *Feeds) onEvent(e events.Event) {
	type candidate struct {
		key     string
		q       *queue
		matcher *Matcher
	}
	f.mu.Lock()
	var cands []candidate
	for key, q := range f.feeds[e.Account] {
		cands = append(cands, candidate{key, q, q.matcher})
	}
	f.mu.Unlock()
	if len(cands) == 0 {
		return
	}
	slices.SortFunc(cands, func(a, b candidate) int { return strings.Compare(a.key, b.key) })
	doc := DocumentOf(&e)
	var matched []candidate
	for _, c := range cands {
		if f.beforeMatch != nil {
			f.beforeMatch(e.Account)
		}
		ok, err := c.matcher.Match(&e, doc)
		if err != nil {
			f.stopped(e, c.key, err)
		}
		if ok {
			matched = append(matched, c)
		}
	}
	if len(matched) == 0 {
		return
	}
	ch := ChangeOf(&e)
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now() // seed orders' events carry older times
	for _, c := range matched {
		q := c.q
		if f.feeds[e.Account][c.key] != q {
			continue // deleted while the filter evaluated
		}
		it := &entry{Item: Item{EventID: f.hex(32), Domain: ch.Domain, State: ch.State, LastState: ch.LastState,
			OrderID: ch.OrderID, LastChange: ch.LastChange.UTC().Format(TimeLayout),
			CurrentChange: ch.CurrentChange.UTC().Format(TimeLayout)}, arrived: now, visibleAt: now}
		it.Handle = f.handle()
		q.handles[it.Handle] = it
		q.entries = append(q.entries, it)
		q.lastEvent = now
	}
}

// stopped records a filter evaluation the sandbox stopped. The bus is
// delivering e right now, so the record is published from another
// goroutine, after it.
func (f *Feeds) stopped(e events.Event, key string, err error) {
	rec := events.Event{Time: f.clock.Now(), Account: e.Account, Type: FilterTimeout, OrderID: e.OrderID,
		Data: map[string]any{"appKey": key, "event": e.Type, "reason": err.Error()}}
	go f.bus.Publish(rec)
}

func (f *Feeds) handle() string { return "omsbox." + f.hex(64) }

func (f *Feeds) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[f.rng.IntN(16)]
	}
	return string(b)
}
