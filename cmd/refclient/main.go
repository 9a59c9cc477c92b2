// Command refclient is omsbox's reference ERP integration: it downloads
// VTEX orders from the feed, starts handling them and carries out the ERP's
// actions. It is a readable example of the documented flow, and the
// integration the contract harness drives in omsbox's own CI.
//
//	refclient run      [flags]              the download loop and the driver endpoint
//	refclient once     [flags]              process what the feed holds, then exit
//	refclient invoice  [flags] ORDER NUMBER [SKU:QTY ...]
//	refclient tracking [flags] ORDER NUMBER TRACKING [COURIER]
//	refclient delivered [flags] ORDER NUMBER
//	refclient cancel   [flags] ORDER [REASON]
//	refclient change   [flags] ORDER REASON --discount CENTS
//	refclient poll-carrier [flags]          ask the carrier about the open parcels once
//
// Configuration comes from the harness's environment (OMSBOX_VTEX_URL,
// OMSBOX_VTEX_ACCOUNT, OMSBOX_VTEX_APPKEY, OMSBOX_VTEX_APPTOKEN,
// OMSBOX_DRIVER_ADDR, OMSBOX_CARRIER_URL, ...) and may be overridden by
// flags. OMSBOX_CHANNELS=skyhub (or --channels skyhub) switches on
// SkyHub-direct mode: the SkyHub order queue, SAC and questions, and the
// SkyHub actions on the driver endpoint (see contracts/reference/skyhub.go).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/omsbox/omsbox/contracts/reference"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "refclient:", err)
		os.Exit(1)
	}
}

const usage = `refclient — omsbox's reference VTEX ERP integration

  refclient run       [flags]                            download loop + driver endpoint
  refclient once      [flags]                            process the feed once, then exit
  refclient invoice   [flags] ORDER NUMBER [SKU:QTY ...]  invoice (default: all items left)
  refclient tracking  [flags] ORDER NUMBER TRACKING [COURIER]
  refclient delivered [flags] ORDER NUMBER
  refclient cancel    [flags] ORDER [REASON]
  refclient change    [flags] ORDER REASON               with --discount, --increment
  refclient orders    [flags]                            what the state file holds
  refclient poll-carrier [flags]                         ask the carrier about the open parcels once

Flags (each defaults to its environment variable):
`

// commands are refclient's subcommands.
var commands = map[string]bool{"run": true, "once": true, "orders": true, "invoice": true, "tracking": true,
	"delivered": true, "cancel": true, "change": true, "poll-carrier": true}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nrefclient COMMAND -h lists the flags.")
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	cmd := args[0]
	if !commands[cmd] {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	args = args[1:]
	if err := checkEnv(); err != nil {
		return err
	}
	cfg := reference.FromEnv()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&cfg.VTEXURL, "vtex-url", cfg.VTEXURL, "VTEX base URL (OMSBOX_VTEX_URL)")
	fs.StringVar(&cfg.Account, "account", cfg.Account, "VTEX account (OMSBOX_VTEX_ACCOUNT)")
	fs.StringVar(&cfg.AppKey, "app-key", cfg.AppKey, "app key (OMSBOX_VTEX_APPKEY)")
	fs.StringVar(&cfg.AppToken, "app-token", cfg.AppToken, "app token (OMSBOX_VTEX_APPTOKEN)")
	fs.StringVar(&cfg.DriverAddr, "driver-addr", cfg.DriverAddr, "driver endpoint address (OMSBOX_DRIVER_ADDR)")
	fs.StringVar(&cfg.StateFile, "state", cfg.StateFile, "state file (REFCLIENT_STATE_FILE; default refclient-state.json)")
	fs.StringVar(&cfg.CatalogFile, "catalog", cfg.CatalogFile, "ERP catalog JSON, pushed at start and kept by the catalog actions (REFCLIENT_CATALOG)")
	fs.DurationVar(&cfg.PollInterval, "poll", cfg.PollInterval, "pause between empty feed reads (REFCLIENT_POLL_INTERVAL; default 2s)")
	fs.StringVar(&cfg.HookAddr, "hook-addr", "", "hook mode: receive notifications on this address")
	fs.StringVar(&cfg.HookURL, "hook-url", "", "hook mode: the URL VTEX posts to")
	fs.Float64Var(&cfg.BackoffScale, "backoff-scale", cfg.BackoffScale, "multiply every back-off wait (REFCLIENT_BACKOFF_SCALE; tests use 0.001)")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "per-request timeout (default 20s)")
	fs.StringVar(&cfg.CarrierURL, "carrier-url", cfg.CarrierURL, "Correios-style carrier base URL; switches tracking on (OMSBOX_CARRIER_URL)")
	fs.StringVar(&cfg.CarrierUser, "carrier-user", cfg.CarrierUser, "carrier user (OMSBOX_CARRIER_USER)")
	fs.StringVar(&cfg.CarrierAccessCode, "carrier-access-code", cfg.CarrierAccessCode, "carrier access code (OMSBOX_CARRIER_ACCESS_CODE)")
	fs.StringVar(&cfg.CarrierPostingCard, "carrier-posting-card", cfg.CarrierPostingCard, "carrier posting card (OMSBOX_CARRIER_POSTING_CARD)")
	fs.DurationVar(&cfg.TrackInterval, "track", cfg.TrackInterval, "pause between carrier polls (REFCLIENT_TRACK_INTERVAL; default 15m)")
	fs.StringVar(&cfg.MLNotifyAddr, "ml-notifications-addr", cfg.MLNotifyAddr, "Mercado Livre notification receiver; the app's callback URL is http://ADDR/notifications (OMSBOX_ML_NOTIFICATIONS_ADDR)")
	fs.DurationVar(&cfg.MLSyncInterval, "ml-sync", cfg.MLSyncInterval, "pause between Mercado Livre catch-ups when notifications come (REFCLIENT_ML_SYNC_INTERVAL; default 10m)")
	discount := fs.Int64("discount", 0, "change: discount in cents")
	increment := fs.Int64("increment", 0, "change: increment in cents")
	logJSON := fs.Bool("log-json", false, "log as JSON")
	fs.Func("channels", "channels to integrate directly, comma-separated: vtex, skyhub, mercadolivre (OMSBOX_CHANNELS; default vtex)", func(v string) error {
		cfg.Channels = reference.ParseChannels(v)
		return nil
	})
	fs.StringVar(&cfg.SellerCNPJ, "cnpj", cfg.SellerCNPJ, "the seller's CNPJ, named by its NF-e keys (OMSBOX_SKYHUB_CNPJ; SkyHub-direct)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // -h printed the usage, as asked
	} else if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	c, err := reference.New(cfg, slog.New(handler))
	if err != nil {
		return err
	}
	rest := fs.Args()
	need := func(n int) error {
		if len(rest) < n {
			return fmt.Errorf("%s needs %d arguments; see refclient -h", cmd, n)
		}
		return nil
	}
	var a reference.Action
	switch cmd {
	case "run":
		return c.Run(ctx)
	case "once":
		return c.Once(ctx)
	case "orders":
		return json.NewEncoder(stdout).Encode(c.Orders())
	case "poll-carrier":
		if err := c.PollCarrier(ctx); err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(c.Parcels())
	case "invoice":
		if err := need(2); err != nil {
			return err
		}
		a = reference.Action{Action: "invoice", OrderID: rest[0], InvoiceNumber: rest[1]}
		for _, spec := range rest[2:] {
			sku, qty, ok := strings.Cut(spec, ":")
			n, err := strconv.Atoi(qty)
			if !ok || err != nil || n < 1 {
				return fmt.Errorf("item %q: want SKU:QUANTITY", spec)
			}
			a.Items = append(a.Items, reference.ActionItem{ID: sku, Quantity: n})
		}
	case "tracking":
		if err := need(3); err != nil {
			return err
		}
		a = reference.Action{Action: "tracking", OrderID: rest[0], InvoiceNumber: rest[1], TrackingNumber: rest[2]}
		if len(rest) > 3 {
			a.Courier = rest[3]
		}
	case "delivered":
		if err := need(2); err != nil {
			return err
		}
		a = reference.Action{Action: "delivered", OrderID: rest[0], InvoiceNumber: rest[1]}
	case "cancel":
		if err := need(1); err != nil {
			return err
		}
		a = reference.Action{Action: "cancel", OrderID: rest[0], Reason: strings.Join(rest[1:], " ")}
	case "change":
		if err := need(2); err != nil {
			return err
		}
		a = reference.Action{Action: "change", OrderID: rest[0], Reason: rest[1], DiscountValue: *discount, IncrementValue: *increment}
	default:
		fs.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	receipt, err := c.Do(ctx, a)
	if err != nil {
		var apiErr *reference.APIError
		if errors.As(err, &apiErr) {
			return fmt.Errorf("VTEX refused %s: %w", cmd, err)
		}
		return err
	}
	return json.NewEncoder(stdout).Encode(receipt)
}

// checkEnv refuses environment values that do not parse: a setting that
// is silently ignored is worse than none.
func checkEnv() error {
	for name, parse := range map[string]func(string) error{
		"REFCLIENT_POLL_INTERVAL":    func(v string) error { _, err := time.ParseDuration(v); return err },
		"REFCLIENT_TRACK_INTERVAL":   func(v string) error { _, err := time.ParseDuration(v); return err },
		"REFCLIENT_ML_SYNC_INTERVAL": func(v string) error { _, err := time.ParseDuration(v); return err },
		"REFCLIENT_BACKOFF_SCALE": func(v string) error {
			if f, err := strconv.ParseFloat(v, 64); err != nil || f <= 0 {
				return errors.New("want a positive number")
			}
			return nil
		},
	} {
		if v := os.Getenv(name); v != "" {
			if err := parse(v); err != nil {
				return fmt.Errorf("environment variable %s=%q does not parse: %w", name, v, err)
			}
		}
	}
	return nil
}
