package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// APIError is a VTEX answer the connector will not retry: a 4xx other than
// 429, or a 5xx/429 that outlasted the retries.
type APIError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// StatusOf returns the HTTP status of an APIError, or 0.
func StatusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// vtexClient calls one VTEX account with the connector's retry policy.
type vtexClient struct {
	base    string
	account string
	key     string
	token   string
	http    *http.Client
	retries int
	scale   float64
	log     *slog.Logger
	sleep   func(context.Context, time.Duration) error
	// auth, if set, replaces VTEX's app key and token (the same client
	// calls SkyHub with its three headers).
	auth func(http.Header)
}

// Back-off: ~200 ms doubling to 30 s, with full jitter; 60 s after a 429
// that names no Retry-After (VTEX advises a minute). All scaled.
const (
	firstBackoff     = 200 * time.Millisecond
	maxBackoff       = 30 * time.Second
	rateLimitBackoff = 60 * time.Second
)

// do sends one call, retrying 5xx, 429 and network errors; out, if not
// nil, receives the JSON answer.
func (c *vtexClient) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	return c.doRaw(ctx, method, path, body, out)
}

// doRaw is do with a body already encoded (the auth function sets its
// Content-Type when it is not JSON).
func (c *vtexClient) doRaw(ctx context.Context, method, path string, body []byte, out any) error {
	return withRetries(ctx, c.retries, c.scale, c.sleep, func(attempt int, wait time.Duration, err error) {
		c.log.Warn("VTEX call failed; retrying", "method", method, "path", path, "attempt", attempt, "wait", wait, "error", err)
	}, func() (retry, error) { return c.once(ctx, method, path, body, out) })
}

// withRetries makes attempts until one succeeds, one advises against
// retrying, or retries run out. Between two it waits what the server said,
// in full, or else a fixed guess or a jittered exponential back-off, both
// scaled; warn hears of each retry.
func withRetries(ctx context.Context, retries int, scale float64, sleep func(context.Context, time.Duration) error,
	warn func(attempt int, wait time.Duration, err error), try func() (retry, error)) error {
	for attempt := 0; ; attempt++ {
		advice, err := try()
		if err == nil {
			return nil
		}
		if advice.never || attempt >= retries {
			return err
		}
		wait := advice.wait // the server's word is honoured in full
		if !advice.fromServer {
			if wait == 0 {
				// Full jitter: anywhere up to the exponential bound.
				bound := min(firstBackoff<<attempt, maxBackoff)
				wait = time.Duration(rand.Int64N(int64(bound)) + 1)
			}
			wait = time.Duration(float64(wait) * scale)
		}
		warn(attempt+1, wait, err)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// decodeAnswer reads a 2xx answer into out (if not nil); a body that is
// not what out expects is not worth asking for again.
func decodeAnswer(data []byte, method, path string, out any) (retry, error) {
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return noRetry, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return backoff, nil
}

// retry is what a failed attempt advises: never retry, wait what the
// server said, wait a fixed guess, or (zero) back off exponentially.
type retry struct {
	never      bool
	fromServer bool
	wait       time.Duration
}

var (
	noRetry = retry{never: true}
	backoff = retry{}
)

// once makes one attempt and says, on failure, whether and when to retry.
func (c *vtexClient) once(ctx context.Context, method, path string, body []byte, out any) (retry, error) {
	ctx, cancel := context.WithTimeout(ctx, c.httpTimeout())
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	u := c.base + path
	if c.account != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		u += sep + "an=" + url.QueryEscape(c.account)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return noRetry, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	if c.auth != nil { // after the defaults, so it may replace them
		c.auth(req.Header)
	} else {
		req.Header.Set("X-VTEX-API-AppKey", c.key)
		req.Header.Set("X-VTEX-API-AppToken", c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return noRetry, err
		}
		return backoff, fmt.Errorf("%s %s: %w", method, path, err) // network: retry
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return backoff, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 300 {
		return decodeAnswer(data, method, path, out)
	}
	apiErr := &APIError{Method: method, Path: path, Status: resp.StatusCode}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil {
		apiErr.Code, apiErr.Message = e.Error.Code, e.Error.Message
	} else if err := json.Unmarshal(data, &struct{ Error *string }{Error: &apiErr.Message}); err != nil { // SkyHub's {"error":"..."}
		apiErr.Message = string(data)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return retry{fromServer: true, wait: max(time.Duration(s)*time.Second, time.Millisecond)}, apiErr
		}
		return retry{wait: rateLimitBackoff}, apiErr // VTEX advises a minute
	case resp.StatusCode >= 500:
		return backoff, apiErr
	case resp.StatusCode == http.StatusLocked:
		// Logistics: another write of this SKU and warehouse holds the
		// lock for a moment (text/plain "Unable to acquire lock for
		// key: ..."); the write was discarded and is worth sending again.
		return backoff, apiErr
	}
	return noRetry, apiErr // 4xx: the request is wrong; retrying cannot help
}

func (c *vtexClient) httpTimeout() time.Duration {
	if c.http.Timeout > 0 {
		return c.http.Timeout
	}
	return DefaultTimeout
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
