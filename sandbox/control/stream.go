package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// The live tail: journal entries and domain events as server-sent events,
// so that a page (or curl -N) sees calls and their effects as they happen.

// KeepAlive is how often an idle stream sends a comment, so that proxies
// and browsers keep the connection open.
const KeepAlive = 15 * time.Second

// streamBatch bounds how many entries of each kind one write carries; the
// rest follow in the next.
const streamBatch = 500

// journalFilter reads GET /_sandbox/journal's filter parameters (the
// stream takes the same ones).
func journalFilter(w http.ResponseWriter, r *http.Request) (journal.Filter, bool) {
	q := r.URL.Query()
	if pat := q.Get("path"); pat != "" && !journal.ValidPattern(pat) {
		fail(w, http.StatusBadRequest, "parameter \"path\" in query: %q is not a glob starting with /", clip.ID(pat))
		return journal.Filter{}, false
	}
	return journal.Filter{Account: q.Get("account"), API: q.Get("api"), Caller: q.Get("caller"),
		Method: q.Get("method"), Path: q.Get("path"), Status: q.Get("status")}, true
}

// seqParam reads a sequence-number parameter; absent, it is def.
func seqParam(w http.ResponseWriter, r *http.Request, name string, def int64) (int64, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		fail(w, http.StatusBadRequest, "parameter %q in query: %q is not a sequence number", name, clip.ID(s))
		return 0, false
	}
	return n, true
}

// stream writes, as server-sent events, every journal entry matching the
// journal filters (event "journal") and every event of the account
// (event "event") after the given sequence numbers — by default from
// now on — until the client goes or the sandbox shuts down. It opens with
// an event "ready" naming where each tail starts.
func (p *plane) stream(w http.ResponseWriter, r *http.Request) {
	f, ok := journalFilter(w, r)
	if !ok {
		return
	}
	jLast := p.Journal.Entries(journal.Filter{Last: 1})
	eLast := p.Events.Events(events.Filter{Last: 1})
	var jNow, eNow int64
	if len(jLast) > 0 {
		jNow = jLast[0].Seq
	}
	if len(eLast) > 0 {
		eNow = eLast[0].Seq
	}
	jSeq, ok := seqParam(w, r, "journalSince", jNow)
	if !ok {
		return
	}
	eSeq, ok := seqParam(w, r, "eventsSince", eNow)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(kind string, id string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "event: %s\nid: %s\ndata: %s\n\n", kind, id, data)
		return err
	}
	if send("ready", "0", map[string]int64{"journalSince": jSeq, "eventsSince": eSeq}) != nil || rc.Flush() != nil {
		return
	}
	keepAlive := time.NewTicker(KeepAlive)
	defer keepAlive.Stop()
	for {
		// Take the signals before reading: whatever is added after the
		// read closes them.
		jChanged, eChanged := p.Journal.Changed(), p.Events.Changed()
		jf := f
		jf.SinceSeq, jf.Limit = jSeq, streamBatch
		entries := p.Journal.Entries(jf)
		for _, e := range entries {
			if send("journal", "j"+strconv.FormatInt(e.Seq, 10), e) != nil {
				return
			}
			jSeq = e.Seq
		}
		evs := p.Events.Events(events.Filter{Account: f.Account, SinceSeq: eSeq, Limit: streamBatch})
		for _, e := range evs {
			if send("event", "e"+strconv.FormatInt(e.Seq, 10), e) != nil {
				return
			}
			eSeq = e.Seq
		}
		if rc.Flush() != nil {
			return
		}
		if len(entries) == streamBatch || len(evs) == streamBatch {
			continue // more are waiting
		}
		select {
		case <-r.Context().Done():
			return
		case <-p.done:
			return
		case <-jChanged:
		case <-eChanged:
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
