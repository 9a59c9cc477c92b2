// Package journal owns the record of vendor-API traffic: every request the
// VTEX (and SkyHub) APIs answer, with its account, status, bodies
// (truncated) and duration, in a bounded ring. Tests and the contract
// harness read it to check what an integration called, and in which order.
// Control-plane requests are never recorded.
package journal

import (
	"bytes"
	"cmp"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/omsbox/omsbox/sandbox/internal/ring"
)

// Bounds of what the journal keeps, so that no client can make it grow
// without limit: each body's head, each path and query's head, and the
// whole journal by count and by bytes (the oldest entries go first).
const (
	// MaxBody is how much of each request and response body is kept.
	MaxBody = 64 << 10
	// MaxTarget is how much of a path and its query, together, is kept.
	MaxTarget = 8 << 10
	// DefaultSize is how many entries a journal keeps unless told otherwise.
	DefaultSize = 10_000
	// DefaultBytes bounds the whole journal unless told otherwise.
	DefaultBytes = 64 << 20
	// entryOverhead is what an entry costs beside its strings, roughly.
	entryOverhead = 256
)

// Entry is one recorded request.
type Entry struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// ReceivedAt is the wall-clock arrival, for checks of real waits (did
	// a client honour Retry-After?); Time is sandbox time.
	ReceivedAt time.Time `json:"receivedAt"`
	RequestID  string    `json:"requestId"`
	// Account is the account the request's credentials proved; "" for a
	// refused request.
	Account string `json:"account"`
	// Caller is the identity the request presented, never a secret: its
	// VTEX app key or SkyHub seller e-mail. A refused request keeps it
	// while belonging to no account, so a suite finds its own refusals.
	Caller string `json:"caller,omitempty"`
	API    string `json:"api"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	// TargetTruncated says the path or query was longer than MaxTarget.
	TargetTruncated       bool    `json:"targetTruncated,omitempty"`
	Status                int     `json:"status"`
	RequestBody           string  `json:"requestBody"`
	RequestBodyTruncated  bool    `json:"requestBodyTruncated,omitempty"`
	ResponseBody          string  `json:"responseBody"`
	ResponseBodyTruncated bool    `json:"responseBodyTruncated,omitempty"`
	DurationMs            float64 `json:"durationMs"`
	// Fault is the id of the fault rule that answered instead of the API.
	Fault string `json:"fault,omitempty"`
	// Origin names a caller inside the sandbox (the VTEX-SkyHub bridge);
	// empty for the integration's own requests.
	Origin string `json:"origin,omitempty"`
	// EventSeqStart and EventSeqEnd are the event log's last sequence
	// number when the request arrived and when it was answered: the
	// events numbered after the first, up to the second, were raised while
	// it was served (an order's timeline puts them under the call).
	EventSeqStart int64 `json:"eventSeqStart,omitempty"`
	EventSeqEnd   int64 `json:"eventSeqEnd,omitempty"`
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	Account, API, Method, Caller string
	// Status is a status code ("404") or a class ("4xx").
	Status string
	// Path is a glob (path.Match: * stays within one segment), or a
	// prefix when it ends in "/**".
	Path string
	// SinceSeq keeps entries after that sequence number; SinceTime those
	// at or after that sandbox time.
	SinceSeq  int64
	SinceTime time.Time
	// Limit keeps the first Limit matches; Last the last Last matches
	// (both oldest first).
	Limit, Last int
}

// Journal is a bounded record of requests, safe for concurrent use.
type Journal struct {
	ring *ring.Ring[Entry]
	now  func() time.Time
	// eventSeq reads the event log's last sequence number (nil: none).
	eventSeq func() int64
}

// MarkEvents has every recorded request note the event sequence numbers
// around it (Entry.EventSeqStart, EventSeqEnd), read from seq. Call it
// before the journal records anything.
func (j *Journal) MarkEvents(seq func() int64) { j.eventSeq = seq }

func (j *Journal) markEvents() int64 {
	if j.eventSeq == nil {
		return 0
	}
	return j.eventSeq()
}

// Changed returns a channel closed when the next entry is recorded.
func (j *Journal) Changed() <-chan struct{} { return j.ring.Changed() }

// New returns a journal keeping the last size entries (0: DefaultSize),
// and no more than DefaultBytes of them, stamped with now (the sandbox
// clock).
func New(size int, now func() time.Time) *Journal { return NewBounded(size, 0, now) }

// NewBounded is New with a bound on bytes too (0: DefaultBytes).
func NewBounded(size, maxBytes int, now func() time.Time) *Journal {
	if size <= 0 {
		size = DefaultSize
	}
	if maxBytes <= 0 {
		maxBytes = DefaultBytes
	}
	return &Journal{ring: ring.NewSized(size, maxBytes, (*Entry).size), now: now}
}

// size is roughly what an entry holds in memory.
func (e *Entry) size() int {
	return entryOverhead + len(e.RequestID) + len(e.Account) + len(e.Caller) + len(e.Path) + len(e.Query) +
		len(e.RequestBody) + len(e.ResponseBody) + len(e.Fault) + len(e.Origin)
}

// Record adds an entry, its path, query and bodies cut to the journal's
// bounds, and returns it with its sequence number.
func (j *Journal) Record(e Entry) Entry {
	e.bound()
	if e.EventSeqStart == 0 && e.EventSeqEnd == 0 {
		// Recorded after the fact (an outgoing delivery): it follows the
		// events raised so far.
		e.EventSeqStart = j.markEvents()
		e.EventSeqEnd = e.EventSeqStart
	}
	return j.ring.Add(e, func(e *Entry, seq int64) { e.Seq = seq })
}

// Bytes returns roughly how much the journal holds.
func (j *Journal) Bytes() int { return j.ring.Bytes() }

// bound cuts what a client controls to the journal's limits.
func (e *Entry) bound() {
	if len(e.Path) > MaxTarget {
		e.Path, e.TargetTruncated = e.Path[:MaxTarget], true
	}
	if room := MaxTarget - len(e.Path); len(e.Query) > room {
		e.Query, e.TargetTruncated = e.Query[:room], true
	}
	if len(e.RequestBody) > MaxBody {
		e.RequestBody, e.RequestBodyTruncated = e.RequestBody[:MaxBody], true
	}
	if len(e.ResponseBody) > MaxBody {
		e.ResponseBody, e.ResponseBodyTruncated = e.ResponseBody[:MaxBody], true
	}
	for _, s := range []*string{&e.RequestID, &e.Origin, &e.Account, &e.Caller} {
		if len(*s) > 256 {
			*s = (*s)[:256]
		}
	}
}

// Entries returns the matching entries, oldest first.
func (j *Journal) Entries(f Filter) []Entry {
	if f.Last > 0 {
		return j.ring.SelectLast(f.matches, f.Last)
	}
	return j.ring.Select(f.matches, f.Limit)
}

// Select returns, oldest first, the entries for which keep is true.
func (j *Journal) Select(keep func(*Entry) bool) []Entry { return j.ring.Select(keep, 0) }

// Forget drops the entries of one account, or all entries for "".
func (j *Journal) Forget(account string) {
	j.ring.Remove(func(e *Entry) bool { return account == "" || e.Account == account })
}

func (f *Filter) matches(e *Entry) bool {
	switch {
	case f.Account != "" && e.Account != f.Account,
		f.API != "" && e.API != f.API,
		f.Method != "" && !strings.EqualFold(e.Method, f.Method),
		f.Caller != "" && e.Caller != f.Caller,
		f.SinceSeq > 0 && e.Seq <= f.SinceSeq,
		!f.SinceTime.IsZero() && e.Time.Before(f.SinceTime),
		f.Status != "" && !MatchStatus(f.Status, e.Status):
		return false
	}
	return f.Path == "" || MatchPath(f.Path, e.Path)
}

// MatchStatus tells whether status matches pattern: a code ("404") or a
// class ("4xx"). A malformed pattern matches nothing.
func MatchStatus(pattern string, status int) bool {
	if !ValidStatus(pattern) {
		return false
	}
	code := strconv.Itoa(status)
	if strings.HasSuffix(pattern, "xx") {
		return len(code) == 3 && code[0] == pattern[0]
	}
	return code == pattern
}

// ValidStatus tells whether pattern is a status code or class, 100–599
// or 1xx–5xx.
func ValidStatus(pattern string) bool {
	if len(pattern) != 3 || pattern[0] < '1' || pattern[0] > '5' {
		return false
	}
	if pattern[1:] == "xx" {
		return true
	}
	return pattern[1] >= '0' && pattern[1] <= '9' && pattern[2] >= '0' && pattern[2] <= '9'
}

// MatchPath tells whether p matches the glob pattern: path.Match, plus a
// trailing "/**" for "this prefix and anything below it". A malformed
// pattern matches nothing.
func MatchPath(pattern, p string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/**"); ok {
		return p == prefix || strings.HasPrefix(p, prefix+"/")
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}

// ValidPattern tells whether pattern is a well-formed path glob.
func ValidPattern(pattern string) bool {
	_, err := path.Match(strings.TrimSuffix(pattern, "/**"), "/")
	return err == nil && strings.HasPrefix(pattern, "/")
}

// Middleware records every request that passes through it as traffic of
// api, for the account that account(r) names.
func (j *Journal) Middleware(api string, account func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			started := time.Now()
			at := j.now()
			mark := j.markEvents()
			var reqBody []byte
			reqTruncated := false
			if r.Body != nil && r.Body != http.NoBody {
				// Keep a copy of the head for the journal; the handler still
				// reads the whole body.
				head, _ := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
				reqTruncated = len(head) > MaxBody
				reqBody = head[:min(len(head), MaxBody)]
				r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
			}
			rec := &capture{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			j.Record(Entry{
				Time: at, ReceivedAt: started.UTC(), RequestID: r.Header.Get("X-Request-Id"), Account: account(r), API: api,
				Caller: cmp.Or(r.Header.Get("X-Vtex-Api-Appkey"), r.Header.Get("X-User-Email")), // X-VTEX-API-AppKey, canonical
				Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
				RequestBody: string(reqBody), RequestBodyTruncated: reqTruncated,
				ResponseBody: rec.kept(), ResponseBodyTruncated: rec.truncated,
				DurationMs:    float64(time.Since(started).Microseconds()) / 1000,
				Fault:         rec.Header().Get(FaultHeader),
				Origin:        r.Header.Get(OriginHeader),
				EventSeqStart: mark, EventSeqEnd: j.markEvents(),
			})
		})
	}
}

// OriginHeader marks requests the sandbox makes to itself, and those of
// an observer such as the contract harness reading state.
const OriginHeader = "X-Omsbox-Origin"

// Observer is the origin of requests that only look (the contract
// harness's reads): journaled, never faulted.
const Observer = "observer"

// FaultHeader is set on responses a fault rule wrote, naming the rule.
const FaultHeader = "X-Omsbox-Fault"

type readCloser struct {
	io.Reader
	io.Closer
}

// capture passes a response through and keeps its status and body head.
// The head goes into a strings.Builder sized from Content-Length when the
// handler sets it: one allocation, and no copy when the journal keeps it.
type capture struct {
	http.ResponseWriter
	status    int
	wrote     bool
	body      strings.Builder
	shared    string // the body, when the handler shared it (WriteShared)
	truncated bool
}

func (c *capture) kept() string {
	if c.shared != "" {
		return c.shared
	}
	return c.body.String()
}

// WriteShared writes b as a response body that never changes (an order's
// cached document): the journal keeps b itself rather than a copy. Through
// any other writer it is a plain Write.
func WriteShared(w http.ResponseWriter, b []byte) {
	c, ok := w.(*capture)
	if !ok || c.body.Len() > 0 || c.shared != "" || len(b) == 0 {
		_, _ = w.Write(b)
		return
	}
	c.wrote = true
	c.shared = unsafe.String(&b[0], min(len(b), MaxBody))
	c.truncated = len(b) > MaxBody
	_, _ = c.ResponseWriter.Write(b)
}

func (c *capture) WriteHeader(status int) {
	if !c.wrote {
		c.status, c.wrote = status, true
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(b []byte) (int, error) {
	if !c.wrote || c.body.Cap() == 0 {
		if n, err := strconv.Atoi(c.Header().Get("Content-Length")); err == nil && n > 0 {
			c.body.Grow(min(n, MaxBody))
		}
	}
	c.wrote = true
	if c.shared != "" { // more after a shared body: kept no further
		c.truncated = c.truncated || len(b) > 0
	} else if room := MaxBody - c.body.Len(); room > 0 {
		c.body.Write(b[:min(len(b), room)])
		c.truncated = c.truncated || len(b) > room
	} else if len(b) > 0 {
		c.truncated = true
	}
	return c.ResponseWriter.Write(b)
}
