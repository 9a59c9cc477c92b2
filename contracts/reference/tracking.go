package reference

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Carrier tracking: the last sync of the order flow. Every invoice the
// ERP sends with a Correios tracking number (an S10 code) becomes an open
// parcel; the connector asks the carrier for each open parcel's events on
// an interval (and on the driver's poll-carrier action), pushes the
// events to VTEX whenever a new one appears, marks the invoice delivered
// only on a delivered event (BDE, BDI or BDR of type 01) with the
// carrier's date, and closes the parcel then, or when it is returned to
// the sender: a closed parcel is never asked about again.
//
// In SkyHub-direct mode a seller-shipped SkyHub order shipped with a
// Correios code is followed the same way, through the same parcels and
// polls. SkyHub takes no tracking events, so the connector tells it only
// the delivery: POST /orders/{code}/delivery on the delivered event,
// never on out for delivery or a failed attempt.

// Parcel is a parcel the connector follows.
type Parcel struct {
	Code string `json:"code"`
	// Channel is the order's channel: "" for VTEX, "skyhub" for a SkyHub
	// order (OrderID is then its SkyHub code, and there is no invoice
	// number).
	Channel       string `json:"channel,omitempty"`
	OrderID       string `json:"orderId"`
	InvoiceNumber string `json:"invoiceNumber"`
	// Pushed is how many carrier events the channel has been given (for
	// SkyHub: how many the connector has seen).
	Pushed int `json:"pushed"`
	// Closed: delivered or returned; never polled again.
	Closed    bool   `json:"closed"`
	Delivered string `json:"delivered,omitempty"` // the carrier's date, yyyy-mm-dd hh:mm
}

// parcels keeps the followed parcels in a JSON file next to the state
// file, written whole and atomically like the order store.
type parcels struct {
	path string
	mu   sync.Mutex
	byID map[string]*Parcel
}

func openParcels(path string) (*parcels, error) {
	p := &parcels{path: path, byID: map[string]*Parcel{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read parcels: %w", err)
	}
	var list []*Parcel
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("parcels file %s is damaged: %w", path, err)
	}
	for _, x := range list {
		p.byID[x.Code] = x
	}
	return p, nil
}

func (p *parcels) open() []Parcel {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Parcel
	for _, x := range p.byID {
		if !x.Closed {
			out = append(out, *x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func (p *parcels) all() []Parcel {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Parcel, 0, len(p.byID))
	for _, x := range p.byID {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// put saves a parcel; one already followed keeps what was pushed.
func (p *parcels) put(x Parcel) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.byID[x.Code]; ok && old.Channel == x.Channel && old.OrderID == x.OrderID && old.InvoiceNumber == x.InvoiceNumber && x.Pushed == 0 && !x.Closed {
		return nil
	}
	p.byID[x.Code] = &x
	list := make([]*Parcel, 0, len(p.byID))
	for _, v := range p.byID {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(p.path, data)
}

// writeAtomic writes a file through a synced temporary one and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".refclient-parcels-*")
	if err != nil {
		return fmt.Errorf("write parcels: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write parcels: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write parcels: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write parcels: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// CorreiosCode tells whether code is a Correios S10 code: two letters,
// an eight-digit serial, its check digit (weights 8 6 4 2 3 5 9 7; 11
// minus the sum modulo 11, 10 → 0, 11 → 5) and BR. Other tracking
// numbers are not the carrier's to answer.
func CorreiosCode(code string) bool {
	if len(code) != 13 || !strings.HasSuffix(code, "BR") {
		return false
	}
	for i, c := range []byte(code) {
		if (i < 2 && (c < 'A' || c > 'Z')) || (i >= 2 && i <= 10 && (c < '0' || c > '9')) {
			return false
		}
	}
	sum := 0
	for i, w := range [8]int{8, 6, 4, 2, 3, 5, 9, 7} {
		sum += int(code[2+i]-'0') * w
	}
	d := 11 - sum%11
	switch d {
	case 10:
		d = 0
	case 11:
		d = 5
	}
	return int(code[10]-'0') == d
}

// follow starts following a parcel (a VTEX invoice's, or a SkyHub
// order's shipment), when its tracking number is a Correios code and the
// connector has a carrier.
func (c *Connector) follow(p Parcel) {
	p.Code = strings.ToUpper(strings.TrimSpace(p.Code))
	if c.carrier == nil || !CorreiosCode(p.Code) {
		return
	}
	if err := c.parcels.put(p); err != nil {
		c.log.Error("could not record the parcel to follow", "code", p.Code, "error", err)
	}
}

// Parcels returns the parcels the connector follows or followed.
func (c *Connector) Parcels() []Parcel {
	if c.parcels == nil {
		return nil
	}
	return c.parcels.all()
}

// trackLoop polls the carrier every TrackInterval until ctx ends.
func (c *Connector) trackLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.TrackInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.PollCarrier(ctx); err != nil && ctx.Err() == nil {
				c.log.Error("carrier poll failed", "error", err)
			}
		}
	}
}

// PollCarrier asks the carrier about every open parcel once and carries
// what is new to VTEX. One poll runs at a time.
func (c *Connector) PollCarrier(ctx context.Context) error {
	if c.carrier == nil {
		return fmt.Errorf("%w: no carrier configured (OMSBOX_CARRIER_URL and its credentials)", ErrBadAction)
	}
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	var errs []error
	for _, p := range c.parcels.open() {
		if err := c.trackOne(ctx, p); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("parcel %s: %w", p.Code, err))
		}
	}
	return errors.Join(errs...)
}

// sroEvent is one event of Correios' tracking answer.
type sroEvent struct {
	Codigo     string `json:"codigo"`
	Tipo       string `json:"tipo"`
	DtHrCriado string `json:"dtHrCriado"`
	Descricao  string `json:"descricao"`
	Unidade    struct {
		Endereco struct {
			Cidade string `json:"cidade"`
			UF     string `json:"uf"`
		} `json:"endereco"`
	} `json:"unidade"`
}

// delivered: BDE, BDI and BDR are the "baixa" events; type 01 is the
// delivery to the addressee. Other types of them are failed attempts or
// returns.
func (e sroEvent) delivered() bool {
	return (e.Codigo == "BDE" || e.Codigo == "BDI" || e.Codigo == "BDR") && e.Tipo == "01"
}

// returned: the parcel went back to the sender (BDE/BDI/BDR 23).
func (e sroEvent) returned() bool {
	return (e.Codigo == "BDE" || e.Codigo == "BDI" || e.Codigo == "BDR") && e.Tipo == "23"
}

// vtexDate writes Correios' local time (2026-03-12T10:00:00) as VTEX's
// "yyyy-mm-dd hh:mm".
func vtexDate(s string) string {
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t.Format("2006-01-02 15:04")
	}
	return strings.Replace(s, "T", " ", 1)
}

// trackOne asks the carrier about one parcel and, when it shows a new
// event, tells the parcel's channel.
func (c *Connector) trackOne(ctx context.Context, p Parcel) error {
	evs, err := c.carrierEvents(ctx, p.Code)
	if err != nil {
		return err
	}
	if len(evs) <= p.Pushed {
		return nil // nothing new (or not posted yet)
	}
	if p.Channel == ChannelSkyHub {
		err = c.tellSkyHub(ctx, &p, evs)
	} else {
		err = c.tellVTEX(ctx, &p, evs)
	}
	if err != nil {
		return err
	}
	p.Pushed = len(evs)
	c.log.Info("carrier events pushed", "code", p.Code, "channel", cmp.Or(p.Channel, ChannelVTEX), "orderId", p.OrderID,
		"events", len(evs), "delivered", p.Delivered != "", "closed", p.Closed)
	return c.parcels.put(p)
}

// carrierEvents reads a parcel's events, oldest first; none when the
// carrier does not have it yet (SRO-020: not posted, ask later).
func (c *Connector) carrierEvents(ctx context.Context, code string) ([]sroEvent, error) {
	var answer struct {
		Objetos []struct {
			CodObjeto string     `json:"codObjeto"`
			Mensagem  string     `json:"mensagem"`
			Eventos   []sroEvent `json:"eventos"`
		} `json:"objetos"`
	}
	if err := c.carrier.do(ctx, "GET", "/srorastro/v1/objetos/"+url.PathEscape(code)+"?resultado=T", nil, &answer); err != nil {
		return nil, err
	}
	if len(answer.Objetos) == 0 || answer.Objetos[0].Mensagem != "" {
		return nil, nil
	}
	evs := answer.Objetos[0].Eventos
	chrono := make([]sroEvent, len(evs))
	for i, e := range evs { // Correios lists them newest first
		chrono[len(evs)-1-i] = e
	}
	return chrono, nil
}

// tellVTEX pushes all the events to the invoice's tracking, delivered
// only on a delivery event, and closes the parcel on a delivery or a
// return.
func (c *Connector) tellVTEX(ctx context.Context, p *Parcel, chrono []sroEvent) error {
	body := map[string]any{"isDelivered": false, "deliveredDate": nil}
	var list []map[string]string
	closed := false
	for _, e := range chrono {
		when := vtexDate(e.DtHrCriado)
		list = append(list, map[string]string{"city": e.Unidade.Endereco.Cidade, "state": e.Unidade.Endereco.UF,
			"description": e.Descricao, "date": when[:min(10, len(when))]})
		if e.delivered() {
			body["isDelivered"], body["deliveredDate"] = true, when
			p.Delivered, closed = when, true
		}
		if e.returned() {
			closed = true
		}
	}
	body["events"] = list
	path := "/api/oms/pvt/orders/" + p.OrderID + "/invoice/" + url.PathEscape(p.InvoiceNumber) + "/tracking"
	if err := c.vtex.do(ctx, "PUT", path, body, nil); err != nil {
		return err
	}
	p.Closed = closed
	return nil
}

// tellSkyHub marks the SkyHub order delivered on a delivery event (its
// delivery route takes no date; the parcel keeps the carrier's), and
// closes the parcel then or on a return. Out for delivery, a failed
// attempt and transit events tell SkyHub nothing.
func (c *Connector) tellSkyHub(ctx context.Context, p *Parcel, chrono []sroEvent) error {
	for _, e := range chrono {
		switch {
		case e.delivered():
			base := "/orders/" + url.PathEscape(p.OrderID)
			if err := c.sky.do(ctx, "POST", base+"/delivery", map[string]string{"status": "complete"}, nil); err != nil {
				return err
			}
			c.refreshSkyHub(ctx, p.OrderID)
			p.Delivered, p.Closed = vtexDate(e.DtHrCriado), true
			return nil
		case e.returned():
			p.Closed = true
			return nil
		}
	}
	return nil
}

// carrierClient calls the Correios-style API with a bearer token for the
// posting card, asked for again when the carrier says it expired, and
// the connector's retry policy: 429 and 503 wait what Retry-After says.
type carrierClient struct {
	base, user, accessCode, card string
	http                         *http.Client
	retries                      int
	scale                        float64
	log                          interface {
		Warn(msg string, args ...any)
	}
	sleep func(context.Context, time.Duration) error

	mu    sync.Mutex
	token string
}

// authenticate asks for a token (POST /token/v1/autentica/cartaopostagem).
func (c *carrierClient) authenticate(ctx context.Context) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	body, _ := json.Marshal(map[string]string{"numero": c.card})
	err := c.retrying(ctx, "POST", "/token/v1/autentica/cartaopostagem", func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/token/v1/autentica/cartaopostagem", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(c.user, c.accessCode)
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	}, &out)
	if err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", errors.New("the carrier's token answer has no token")
	}
	c.mu.Lock()
	c.token = out.Token
	c.mu.Unlock()
	return out.Token, nil
}

// do calls a tracking route with the token, asking for a new token once
// when the carrier refuses the one it has (expired, or never had one).
func (c *carrierClient) do(ctx context.Context, method, path string, in, out any) error {
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	for fresh := false; ; fresh = true {
		if tok == "" {
			var err error
			if tok, err = c.authenticate(ctx); err != nil {
				return err
			}
			fresh = true
		}
		err := c.retrying(ctx, method, path, func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Accept", "application/json")
			return req, nil
		}, out)
		if StatusOf(err) == http.StatusUnauthorized && !fresh {
			tok = "" // expired on the carrier's clock: a new one, once
			continue
		}
		return err
	}
}

// retrying sends a request made by mk, retrying 5xx, 429 and network
// errors: the carrier's Retry-After honoured in full, else a jittered
// exponential back-off.
func (c *carrierClient) retrying(ctx context.Context, method, path string, mk func(context.Context) (*http.Request, error), out any) error {
	return withRetries(ctx, c.retries, c.scale, c.sleep, func(attempt int, wait time.Duration, err error) {
		c.log.Warn("carrier call failed; retrying", "method", method, "path", path, "attempt", attempt, "wait", wait, "error", err)
	}, func() (retry, error) { return c.once(ctx, mk, method, path, out) })
}

func (c *carrierClient) once(ctx context.Context, mk func(context.Context) (*http.Request, error), method, path string, out any) (retry, error) {
	ctx, cancel := context.WithTimeout(ctx, c.http.Timeout)
	defer cancel()
	req, err := mk(ctx)
	if err != nil {
		return noRetry, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return noRetry, err
		}
		return backoff, fmt.Errorf("%s %s: %w", method, path, err)
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
		Msgs []string `json:"msgs"`
	}
	if json.Unmarshal(data, &e) == nil {
		apiErr.Message = strings.Join(e.Msgs, "; ")
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return retry{fromServer: true, wait: max(time.Duration(s)*time.Second, time.Millisecond)}, apiErr
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return backoff, apiErr
	}
	return noRetry, apiErr
}
