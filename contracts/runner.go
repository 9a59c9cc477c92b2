package contracts

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/features"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Options configure a run of the features.
type Options struct {
	Integration Integration
	// SandboxURL is a running sandbox; empty starts one in-process.
	SandboxURL string
	// Shared is the account of an integration already running (with
	// AlreadyRunning); scenarios then run one at a time on it.
	Shared Env
	// Tags selects scenarios (godog's syntax, e.g. "@passive && ~@hook").
	Tags string
	// Formats: "pretty", "junit", "cucumber", "progress", comma-separated;
	// junit and cucumber are written to OutDir.
	Formats string
	OutDir  string
	Output  io.Writer
	// Concurrency runs scenarios in parallel (each has its own account).
	Concurrency int
	// TestingT runs each scenario as a subtest (go test).
	TestingT *testing.T
	// Wait bounds each Then step's wait (default 15 s).
	Wait time.Duration
}

// harness is one run's shared state.
type harness struct {
	integration Integration
	client      *client.Client
	sandboxURL  string
	shared      Env
	prefix      string
	retryAfter  int
	wait        time.Duration
}

// Run runs the features and returns godog's status: 0 when every selected
// scenario passed.
func Run(ctx context.Context, o Options) (int, error) {
	if o.Integration == nil {
		return 1, fmt.Errorf("contracts: no integration under test")
	}
	url := o.SandboxURL
	if url == "" {
		sb, err := sandbox.New()
		if err != nil {
			return 1, err
		}
		defer sb.Close()
		addr := "127.0.0.1:0"
		if img, ok := o.Integration.(Image); ok { // containers reach the host on Docker's bridge
			if addr, err = img.listenAddr(); err != nil {
				return 1, err
			}
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return 1, fmt.Errorf("contracts: listen for the sandbox: %w", err)
		}
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: sb.Handler()}}
		srv.Start()
		defer srv.Close()
		url = srv.URL
	}
	h := &harness{integration: o.Integration, client: client.New(url, nil), sandboxURL: strings.TrimRight(url, "/"),
		shared: o.Shared, prefix: fmt.Sprintf("contract-%04x", rand.IntN(0x10000)), retryAfter: 1, wait: o.Wait}
	if h.wait <= 0 {
		h.wait = DefaultWait
	}
	if _, err := h.client.Health(ctx); err != nil {
		return 1, fmt.Errorf("contracts: the sandbox at %s does not answer: %w", url, err)
	}
	if !o.Integration.PerScenario() {
		o.Concurrency = 1
		if h.shared.Account == "" {
			return 1, fmt.Errorf("contracts: an integration already running needs its account (--account)")
		}
	}
	format, err := formats(o.Formats, o.OutDir)
	if err != nil {
		return 1, err
	}
	out := o.Output
	if out == nil {
		out = os.Stdout
	}
	suite := godog.TestSuite{
		Name:                "omsbox-contracts",
		ScenarioInitializer: h.initialize,
		Options: &godog.Options{Format: format, FS: features.FS, Paths: []string{"."}, Tags: o.Tags,
			Concurrency: max(o.Concurrency, 1), Output: out, TestingT: o.TestingT, Strict: true, NoColors: true,
			DefaultContext: ctx},
	}
	return suite.Run(), nil
}

// formats turns "pretty,junit" into godog's "pretty,junit:DIR/junit.xml".
func formats(list, dir string) (string, error) {
	if list == "" {
		list = "pretty"
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		switch f = strings.TrimSpace(f); f {
		case "pretty", "progress":
			out = append(out, f)
		case "junit", "cucumber":
			if dir == "" {
				dir = "."
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", err
			}
			ext := map[string]string{"junit": "xml", "cucumber": "json"}[f]
			out = append(out, f+":"+filepath.Join(dir, "omsbox-contracts."+f+"."+ext))
		default:
			return "", fmt.Errorf("contracts: format %q is not pretty, progress, junit or cucumber", f)
		}
	}
	return strings.Join(out, ","), nil
}

type worldKey struct{}

func worldOf(ctx context.Context) *world { return ctx.Value(worldKey{}).(*world) }

// step adapts a world method to godog: the scenario's world comes from the
// context, so scenarios can run in parallel.
func step[F any](fn func(*world, context.Context) F) func(context.Context) F {
	return func(ctx context.Context) F { return fn(worldOf(ctx), ctx) }
}

var count = map[string]int{"a": 1, "an": 1, "one": 1}

func atoi(s string) int {
	if n, ok := count[s]; ok {
		return n
	}
	var n int
	fmt.Sscan(s, &n)
	return n
}

// initialize registers the steps. They speak the domain; each Then waits,
// bounded by Options.Wait, for the integration to get there.
func (h *harness) initialize(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		w, err := h.newWorld(ctx)
		if err != nil {
			return ctx, err
		}
		return context.WithValue(ctx, worldKey{}, w), nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		w, ok := ctx.Value(worldKey{}).(*world)
		if !ok {
			return ctx, err
		}
		logs := w.stop()
		if err != nil && logs != "" {
			return ctx, fmt.Errorf("%w\nthe integration's log:\n%s", err, tail(logs, 40))
		}
		return ctx, err
	})

	// Given
	sc.Step(`^(a|an|\d+) paid orders?(?: with (\d+) items?)?(?: arrives?)?$`, func(ctx context.Context, n, items string) error {
		return worldOf(ctx).paidOrders(ctx, atoi(n), oms.ChannelVTEX, "", max(atoi(items), 1))
	})
	sc.Step(`^a paid B2W (Direct|Correios) order with (\d+) items?(?: arrives)?$`, func(ctx context.Context, kind, items string) error {
		return worldOf(ctx).paidOrders(ctx, 1, oms.ChannelB2W, oms.Shipping(strings.ToLower(kind)), atoi(items))
	})
	sc.Step(`^a paid order in its window to cancel$`, func(ctx context.Context) error {
		return worldOf(ctx).paidOrdersIn(ctx, oms.StatusWindowToCancel)
	})
	sc.Step(`^the shopper cancels the order$`, step((*world).shopperCancels))
	sc.Step(`^the feed delivers every item twice$`, func(ctx context.Context) error {
		return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Feed: "duplicate", Times: 2})
	})
	sc.Step(`^the feed delivers items newest first$`, func(ctx context.Context) error {
		return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Feed: "reorder", Times: 3})
	})
	sc.Step(`^the sandbox answers 429 with Retry-After (\d+) to the next (\d+) order reads$`, func(ctx context.Context, after, n string) error {
		secs := atoi(after)
		h.retryAfter = secs
		return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/oms/pvt/orders/*", Status: 429, RetryAfter: &secs, Times: atoi(n)})
	})
	sc.Step(`^the sandbox answers (\d{3}) to the next (\d+) feed reads$`, func(ctx context.Context, status, n string) error {
		return worldOf(ctx).fault(ctx, faults.Rule{API: "vtex", Method: "GET", Path: "/api/orders/feed", Status: atoi(status), Times: atoi(n)})
	})
	sc.Step(`^the integration has a wrong app token$`, func(ctx context.Context) error {
		worldOf(ctx).wrong = true
		return nil
	})
	sc.Step(`^the integration (?:is running|runs)$`, func(ctx context.Context) error { return worldOf(ctx).start(ctx) })
	sc.Step(`^the integration is running in hook mode$`, func(ctx context.Context) error {
		w := worldOf(ctx)
		if _, ok := h.integration.(InProcess); !ok {
			return godog.ErrSkip // only the bundled client has a hook mode the harness can switch on
		}
		w.hook = true
		return w.start(ctx)
	})

	// When: the ERP's actions, through the driver.
	sc.Step(`^the ERP invoices the order as "([^"]*)"(?: with tracking number "([^"]*)")?$`, func(ctx context.Context, number, tracking string) error {
		return worldOf(ctx).invoice(ctx, number, 0, tracking)
	})
	sc.Step(`^the ERP invoices item (\d+) as "([^"]*)"$`, func(ctx context.Context, item, number string) error {
		return worldOf(ctx).invoice(ctx, number, atoi(item), "")
	})
	sc.Step(`^the ERP sends tracking number "([^"]*)" for invoice "([^"]*)"$`, func(ctx context.Context, tracking, number string) error {
		return worldOf(ctx).action(ctx, map[string]any{"action": "tracking", "invoiceNumber": number, "trackingNumber": tracking, "courier": "Correios"}, true)
	})
	sc.Step(`^the carrier delivers invoice "([^"]*)"$`, func(ctx context.Context, number string) error {
		return worldOf(ctx).action(ctx, map[string]any{"action": "delivered", "invoiceNumber": number, "city": "São Paulo", "state": "SP"}, true)
	})
	sc.Step(`^the ERP cancels the order$`, func(ctx context.Context) error {
		return worldOf(ctx).action(ctx, map[string]any{"action": "cancel", "reason": "cliente desistiu"}, true)
	})
	sc.Step(`^the ERP tries to cancel the order$`, func(ctx context.Context) error {
		return worldOf(ctx).action(ctx, map[string]any{"action": "cancel", "reason": "tarde demais"}, false)
	})

	// Then
	sc.Step(`^the order is "([^"]*)"$`, func(ctx context.Context, status string) error { return worldOf(ctx).orderIs(ctx, status) })
	sc.Step(`^every order is "([^"]*)"$`, func(ctx context.Context, status string) error {
		w := worldOf(ctx)
		return w.ordersAre(ctx, status, w.orders)
	})
	sc.Step(`^start-handling was called once for the order$`, func(ctx context.Context) error {
		w := worldOf(ctx)
		o, err := w.order()
		if err != nil {
			return err
		}
		return w.startHandlingCalls(ctx, 1, []*oms.Order{o})
	})
	sc.Step(`^start-handling was called once for every order$`, func(ctx context.Context) error {
		w := worldOf(ctx)
		return w.startHandlingCalls(ctx, 1, w.orders)
	})
	sc.Step(`^start-handling was never called for the order$`, func(ctx context.Context) error {
		w := worldOf(ctx)
		o, err := w.order()
		if err != nil {
			return err
		}
		return w.startHandlingCalls(ctx, 0, []*oms.Order{o})
	})
	sc.Step(`^the order was read before start-handling was called$`, step((*world).readBeforeStart))
	sc.Step(`^the feed has no pending items$`, step((*world).feedEmpty))
	sc.Step(`^no call of the integration was refused$`, step((*world).noneRefused))
	sc.Step(`^the order has (\d+) invoices$`, func(ctx context.Context, n string) error { return worldOf(ctx).invoiceCount(ctx, atoi(n)) })
	sc.Step(`^invoice "([^"]*)" has tracking number "([^"]*)"$`, func(ctx context.Context, number, tracking string) error {
		return worldOf(ctx).invoiceHas(ctx, number, func(p oms.Package) error {
			if p.TrackingNumber == nil || *p.TrackingNumber != tracking {
				return fmt.Errorf("invoice %s has tracking number %v, want %q", number, deref(p.TrackingNumber), tracking)
			}
			return nil
		})
	})
	sc.Step(`^invoice "([^"]*)" is delivered$`, func(ctx context.Context, number string) error {
		return worldOf(ctx).invoiceHas(ctx, number, func(p oms.Package) error {
			if p.CourierStatus == nil || !p.CourierStatus.Finished {
				return fmt.Errorf("invoice %s is not delivered (courierStatus %+v)", number, p.CourierStatus)
			}
			return nil
		})
	})
	sc.Step(`^the cancel was refused$`, func(ctx context.Context) error {
		w := worldOf(ctx)
		if w.driver.status == 200 {
			return fmt.Errorf("the cancel went through: %s", w.driver.body)
		}
		if !regexp.MustCompile(`"vtexStatus":\s*4\d\d`).MatchString(w.driver.body) {
			return fmt.Errorf("the driver did not report VTEX's refusal: %d %s", w.driver.status, w.driver.body)
		}
		return nil
	})
	sc.Step(`^SkyHub lists the order as collection requested$`, step((*world).collectionRequested))
	sc.Step(`^exactly one pickup was requested for the order$`, func(ctx context.Context) error { return worldOf(ctx).pickupCount(ctx, 1) })
	sc.Step(`^no pickup was requested for the order$`, func(ctx context.Context) error { return worldOf(ctx).pickupCount(ctx, 0) })
	sc.Step(`^SkyHub has the order invoiced$`, step((*world).skyhubInvoiced))
	sc.Step(`^the integration waited as Retry-After said between its order reads$`, step((*world).waitedAsTold))
	sc.Step(`^the integration made at most (\d+) calls refused with 403$`, func(ctx context.Context, n string) error {
		return worldOf(ctx).refusedAtMost(ctx, atoi(n))
	})
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(parts[max(0, len(parts)-lines):], "\n")
}
