package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Connector is one running reference integration.
type Connector struct {
	cfg   Config
	vtex  *vtexClient
	sky   *vtexClient // SkyHub, in SkyHub-direct mode (skyhub.go)
	ml    *mlClient   // Mercado Livre (mercadolivre.go)
	store *store
	erp   *erp
	log   *slog.Logger

	hookQueue chan string         // order ids from hook notifications
	mlQueue   chan mlNotification // Mercado Livre notifications (mlsync.go)

	// carrier tracking (tracking.go); carrier is nil without one.
	carrier *carrierClient
	parcels *parcels
	pollMu  sync.Mutex
}

// New opens the state file and prepares the VTEX client.
func New(cfg Config, log *slog.Logger) (*Connector, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	st, err := openStore(cfg.StateFile)
	if err != nil {
		return nil, err
	}
	catalog, err := openERP(cfg.CatalogFile)
	if err != nil {
		return nil, err
	}
	c := &Connector{cfg: cfg, store: st, erp: catalog, log: log, hookQueue: make(chan string, 1024), mlQueue: make(chan mlNotification, 1024),
		vtex: &vtexClient{base: strings.TrimRight(cfg.VTEXURL, "/"), account: cfg.Account, key: cfg.AppKey,
			token: cfg.AppToken, http: &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport}, retries: cfg.MaxRetries,
			scale: cfg.BackoffScale, log: log, sleep: sleepCtx},
		sky: newSkyHubClient(cfg, log)}
	c.ml = newMLClient(cfg, st, log)
	if cfg.CarrierURL != "" {
		if c.parcels, err = openParcels(cfg.StateFile + ".parcels"); err != nil {
			return nil, err
		}
		c.carrier = &carrierClient{base: strings.TrimRight(cfg.CarrierURL, "/"), user: cfg.CarrierUser, accessCode: cfg.CarrierAccessCode,
			card: cfg.CarrierPostingCard, http: &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport}, retries: cfg.MaxRetries,
			scale: cfg.BackoffScale, log: log, sleep: sleepCtx}
	}
	return c, nil
}

// Orders returns what the connector has stored.
func (c *Connector) Orders() []StoredOrder { return c.store.all() }

// feedConfig is the connector's feed: every status change the ERP cares
// about. VTEX advises committing every item, wanted or not; this filter
// keeps the unwanted ones out.
var feedConfig = map[string]any{
	"filter": map[string]any{"type": "FromWorkflow",
		"status": []string{"ready-for-handling", "handling", "cancellation-requested", "canceled", "invoiced"}},
	"queue": map[string]any{"visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 345600},
}

// EnsureFeed creates the feed configuration unless one exists: saving it
// again would be harmless, but reading first keeps a hand-tuned one. The
// feed holds only the changes made after it was set up, so when it had to
// create it (the first start, or a configuration lost since) it catches
// up on the orders already waiting: the initial load.
func (c *Connector) EnsureFeed(ctx context.Context) error {
	err := c.vtex.do(ctx, "GET", "/api/orders/feed/config", nil, nil)
	if StatusOf(err) != http.StatusNotFound {
		return err
	}
	c.log.Info("creating the feed configuration")
	if err := c.vtex.do(ctx, "POST", "/api/orders/feed/config", feedConfig, nil); err != nil {
		return err
	}
	if err := c.catchUp(ctx); err != nil {
		// The orders left over are still ready for handling; the next
		// start will not list them again, so say so loudly.
		c.log.Error("initial load incomplete: some orders paid before the feed was set up were not handled", "error", err)
	}
	return nil
}

// catchUpPageSize is how many orders the initial load lists per page
// (VTEX's maximum).
var catchUpPageSize = 100

// catchUp handles the orders that were ready for handling before the feed
// existed. It lists them all first (oldest first, page by page: handling
// them while paging would shift the pages under it), then downloads each;
// download is idempotent, so an order the feed also brings is handled once.
func (c *Connector) catchUp(ctx context.Context) error {
	perPage := catchUpPageSize
	var ids []string
	for page := 1; ; page++ {
		var list struct {
			List   []struct{ OrderID string } `json:"list"`
			Paging struct{ Pages int }        `json:"paging"`
		}
		path := fmt.Sprintf("/api/oms/pvt/orders?f_status=ready-for-handling&orderBy=creationDate,asc&per_page=%d&page=%d", perPage, page)
		if err := c.vtex.do(ctx, "GET", path, nil, &list); err != nil {
			return fmt.Errorf("list the orders ready for handling: %w", err)
		}
		for _, o := range list.List {
			ids = append(ids, o.OrderID)
		}
		if page >= list.Paging.Pages || len(list.List) == 0 {
			break
		}
	}
	n := 0
	for _, id := range ids {
		if err := c.download(ctx, id); err != nil {
			return fmt.Errorf("order %s: %w", id, err)
		}
		n++
	}
	c.log.Info("initial load done", "orders", n)
	return nil
}

// feedItem is the part of a feed item the connector reads.
type feedItem struct {
	Handle  string `json:"handle"`
	OrderID string `json:"orderId"`
	State   string `json:"state"`
}

// Once processes every pending feed item (and, in SkyHub-direct mode,
// every order in SkyHub's queue; with Mercado Livre, its catch-up) and
// returns (cron mode).
func (c *Connector) Once(ctx context.Context) error {
	if c.cfg.has(ChannelMercadoLivre) {
		if err := c.syncMercadoLivre(ctx); err != nil {
			return err
		}
	}
	if c.cfg.has(ChannelSkyHub) {
		for {
			n, err := c.pollSkyHubQueue(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
	}
	if !c.cfg.has(ChannelVTEX) {
		return nil
	}
	if err := c.EnsureFeed(ctx); err != nil {
		return err
	}
	for {
		n, err := c.pollFeed(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// Run serves until ctx ends: the feed loop, the driver endpoint and, in
// hook mode, the hook receiver.
func (c *Connector) Run(ctx context.Context) error {
	if c.cfg.has(ChannelVTEX) {
		if err := c.EnsureFeed(ctx); err != nil {
			return fmt.Errorf("feed configuration: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	serve := func(addr string, h http.Handler, what string) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		c.log.Info(what+" listening", "addr", ln.Addr().String())
		wg.Add(2)
		go func() { defer wg.Done(); <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
		go func() {
			defer wg.Done()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errs <- err
			}
		}()
		return nil
	}
	if c.cfg.has(ChannelMercadoLivre) {
		if c.cfg.MLNotifyAddr != "" {
			if err := serve(c.cfg.MLNotifyAddr, c.MLNotificationHandler(), "Mercado Livre notification receiver"); err != nil {
				return err
			}
		}
		// What happened while the connector was down is in the ERP
		// before its driver takes the first action.
		if err := c.syncMercadoLivre(ctx); err != nil {
			c.log.Error("Mercado Livre catch-up failed", "error", err)
		}
	}
	if c.cfg.DriverAddr != "" {
		if err := serve(c.cfg.DriverAddr, c.DriverHandler(), "driver"); err != nil {
			return err
		}
	}
	if c.cfg.B2BAddr != "" {
		if err := serve(c.cfg.B2BAddr, c.B2BHandler(), "B2B look-up API"); err != nil {
			return err
		}
	}
	if c.cfg.HookAddr != "" {
		if err := serve(c.cfg.HookAddr, http.HandlerFunc(c.receiveHook), "hook receiver"); err != nil {
			return err
		}
		if err := c.ensureHook(ctx); err != nil {
			return fmt.Errorf("hook configuration: %w", err)
		}
	}
	if err := c.PushCatalog(ctx); err != nil { // the ERP catalog file: VTEX catches up
		c.log.Error("catalog push incomplete", "error", err)
	}
	if c.carrier != nil {
		wg.Add(1)
		go func() { defer wg.Done(); c.trackLoop(ctx) }()
	}
	err := c.loops(ctx)
	cancel()
	wg.Wait()
	select {
	case e := <-errs:
		return e
	default:
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// loop polls the feed, pausing when it is empty; hook notifications are
// handled as they come.
func (c *Connector) loop(ctx context.Context) error {
	for {
		n, err := c.pollFeed(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.Error("feed read failed", "error", err)
			if StatusOf(err) == http.StatusUnauthorized || StatusOf(err) == http.StatusForbidden {
				return err // wrong credentials: never retried in a loop
			}
			if StatusOf(err) == http.StatusNotFound {
				// The feed configuration is gone (an account reset, someone
				// deleted it): set it up again, with an initial load.
				if err := c.EnsureFeed(ctx); err != nil {
					c.log.Error("feed configuration", "error", err)
				}
			}
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case id := <-c.hookQueue:
			if err := c.download(ctx, id); err != nil {
				c.log.Error("order from hook failed", "orderId", id, "error", err)
			}
		case <-time.After(c.cfg.PollInterval):
		}
	}
}

// pollFeed reads one lot and processes it: each order is fetched, stored
// and, if ready, handled; only then are the handles committed, so an item
// whose order is not safely stored comes back after the visibility
// timeout. It returns the number of items read.
func (c *Connector) pollFeed(ctx context.Context) (int, error) {
	var lot []feedItem
	if err := c.vtex.do(ctx, "GET", "/api/orders/feed?maxlot=10", nil, &lot); err != nil {
		return 0, err
	}
	var done []string
	for _, it := range lot {
		if err := c.download(ctx, it.OrderID); err != nil {
			c.log.Error("order download failed; its feed item will come back", "orderId", it.OrderID, "error", err)
			continue
		}
		done = append(done, it.Handle)
	}
	if len(done) > 0 {
		if err := c.vtex.do(ctx, "POST", "/api/orders/feed", map[string][]string{"handles": done}, nil); err != nil {
			return len(lot), fmt.Errorf("commit: %w", err)
		}
	}
	return len(lot), nil
}

// download reads the order as it is now (feed items may come duplicated
// or out of order; the order itself is the truth), stores it, and starts
// handling it when it is ready and not started yet.
func (c *Connector) download(ctx context.Context, orderID string) error {
	var doc json.RawMessage
	if err := c.vtex.do(ctx, "GET", "/api/oms/pvt/orders/"+orderID, nil, &doc); err != nil {
		return err
	}
	var head struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		return fmt.Errorf("order %s: %w", orderID, err)
	}
	prev, _ := c.store.get(orderID)
	rec := StoredOrder{OrderID: orderID, Status: head.Status, Order: doc, HandlingStarted: prev.HandlingStarted}
	if err := c.store.put(rec); err != nil {
		return err
	}
	c.orderMoved(ctx, prev, rec) // canceled or invoiced: its units no longer held
	if head.Status != "ready-for-handling" || rec.HandlingStarted {
		return nil
	}
	// No stock push between start-handling and its record: it would
	// count the units neither as reserved (VTEX zeroes the acknowledged
	// reservation) nor as handled.
	c.erp.mu.Lock()
	defer c.erp.mu.Unlock()
	err := c.vtex.do(ctx, "POST", "/api/oms/pvt/orders/"+orderID+"/start-handling", nil, nil)
	if StatusOf(err) == http.StatusConflict {
		// Someone else moved it on (or our earlier call did and we crashed
		// before recording it): read it again next time.
		c.log.Warn("start-handling refused; the order moved on", "orderId", orderID)
		return nil
	}
	if err != nil {
		return err
	}
	rec.HandlingStarted, rec.Status = true, "handling"
	c.log.Info("order downloaded and handling started", "orderId", orderID)
	return c.store.put(rec)
}
