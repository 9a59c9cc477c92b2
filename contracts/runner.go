package contracts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"
	"github.com/omsbox/omsbox/features"
	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/client"
)

// Options configure a run of the features.
type Options struct {
	Integration Integration
	// SandboxURL is a running sandbox; empty starts one in-process. An
	// integration already running (AlreadyRunning) needs it: the sandbox
	// it is configured with.
	SandboxURL string
	// ControlToken is the running sandbox's control token (its
	// --control-token), sent on every control-plane call.
	ControlToken string
	// Shared is the account of an integration already running (with
	// AlreadyRunning); scenarios then run one at a time on it.
	Shared Env
	// Tags selects scenarios (godog's syntax, e.g. "@passive && ~@hook").
	// Tags that select nothing are an error.
	Tags string
	// Lang picks the built-in features' language: "en" (default) or "pt".
	Lang string
	// Features are directories (or files) of a team's own .feature files,
	// run with the step library beside the built-in ones.
	Features []string
	// NoBuiltin leaves the built-in features out.
	NoBuiltin bool
	// Formats: "pretty", "progress", "junit", "cucumber", "html",
	// comma-separated; junit, cucumber and html are written to OutDir.
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

// Unsupported is implemented by integrations to which some scenarios do
// not apply: those carrying one of the returned tags are reported as
// skipped, with the reason.
type Unsupported interface {
	Unsupported() map[string]string // tag → why it does not apply
}

// harness is one run's shared state.
type harness struct {
	integration Integration
	client      *client.Client
	sandboxURL  string
	shared      Env
	prefix      string
	wait        time.Duration
	unsupported map[string]string
	// driverOptional: no selected scenario needs the driver.
	driverOptional bool
	keywords       map[string]string // gherkin step id → its keyword
	report         *report

	mu                     sync.Mutex
	journalMark, eventMark int64
	// clock is held shared by every scenario and exclusively by one that
	// sets or advances the sandbox's clock, which all accounts share.
	clock sync.RWMutex
}

// Run runs the features and returns godog's status: 0 when every selected
// scenario passed (or was skipped as not applying). Before any scenario it
// checks the features (unknown steps, tags that select nothing) and that
// the integration starts; those problems come back as an error.
func Run(ctx context.Context, o Options) (int, error) {
	if o.Integration == nil {
		return 1, fmt.Errorf("contracts: no integration under test")
	}
	_, already := o.Integration.(AlreadyRunning)
	if already && o.SandboxURL == "" {
		return 1, errors.New("contracts: an integration already running (--integration-url) needs the sandbox it is configured with (--sandbox-url)")
	}
	if !o.Integration.PerScenario() && o.Shared.Account == "" {
		return 1, fmt.Errorf("contracts: an integration already running needs its account (--account)")
	}
	gf, format, err := formats(o.Formats, o.OutDir)
	if err != nil {
		return 1, err
	}
	fsys, origins, err := featureFS(o.Lang, o.Features, o.NoBuiltin)
	if err != nil {
		return 1, err
	}
	all, err := parse(fsys, "")
	if err != nil {
		return 1, err
	}
	selected, err := parse(fsys, o.Tags)
	if err != nil {
		return 1, err
	}
	if err := checkSteps(selected, o.Lang, origins); err != nil {
		return 1, err
	}
	if pickles(selected) == 0 {
		return 1, fmt.Errorf("contracts: no scenario matches --tags %q (the features' tags: %s)", o.Tags, strings.Join(tagsOf(all), ", "))
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
	h := &harness{integration: o.Integration, client: client.New(url, nil).WithToken(o.ControlToken), sandboxURL: strings.TrimRight(url, "/"),
		shared: o.Shared, prefix: fmt.Sprintf("contract-%04x", rand.IntN(0x10000)), wait: o.Wait,
		keywords: stepKeywords(all), report: newReport(format.html != "", origins)}
	h.report.lang = o.Lang
	if u, ok := o.Integration.(Unsupported); ok {
		h.unsupported = u.Unsupported()
	}
	if h.wait <= 0 {
		h.wait = DefaultWait
	}
	if _, err := h.client.Health(ctx); err != nil {
		return 1, fmt.Errorf("contracts: the sandbox at %s does not answer: %w", url, err)
	}
	if !o.Integration.PerScenario() {
		o.Concurrency = 1
	}
	h.driverOptional = !needsDriver(selected)
	if err := h.preflight(ctx, !h.driverOptional); err != nil {
		return 1, err
	}
	out := o.Output
	if out == nil {
		out = os.Stdout
	}
	if gf == "" { // only our own reports: godog still needs a formatter
		gf, out = "progress", io.Discard
	}
	suite := godog.TestSuite{
		Name:                "omsbox-contracts",
		ScenarioInitializer: h.initialize,
		Options: &godog.Options{Format: gf, FS: fsys, Paths: []string{"."}, Tags: o.Tags,
			Concurrency: max(o.Concurrency, 1), Output: out, TestingT: o.TestingT, Strict: true, NoColors: true,
			DefaultContext: ctx},
	}
	h.report.start(selected)
	status := suite.Run()
	h.report.finish()
	if out != io.Discard {
		h.report.summary(out) // godog counts a skipped scenario as passed; ours does not
	}
	if format.junit != "" {
		if err := h.report.writeJUnit(format.junit); err != nil {
			return 1, err
		}
	}
	if format.html != "" {
		if err := h.report.writeHTML(format.html); err != nil {
			return 1, err
		}
	}
	return status, nil
}

// ourFormats are the reports the harness writes itself from its own
// record of the run (godog's JUnit never marks a scenario skipped).
type ourFormats struct{ junit, html string }

// formats splits "pretty,junit,html" into godog's part ("pretty") and the
// harness's own reports' paths.
func formats(list, dir string) (string, ourFormats, error) {
	if list == "" {
		list = "pretty"
	}
	if dir == "" {
		dir = "."
	}
	var out []string
	var own ourFormats
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		switch f {
		case "pretty", "progress":
			out = append(out, f)
			continue
		case "junit", "cucumber", "html":
		default:
			return "", own, fmt.Errorf("contracts: format %q is not pretty, progress, junit, cucumber or html", f)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", own, err
		}
		file := filepath.Join(dir, "omsbox-contracts."+map[string]string{"junit": "junit.xml", "cucumber": "cucumber.json", "html": "html"}[f])
		switch f {
		case "junit":
			own.junit = file
		case "html":
			own.html = file
		case "cucumber":
			out = append(out, f+":"+file)
		}
	}
	return strings.Join(out, ","), own, nil
}

// featureFS gathers the features to run into one file system: the
// built-in ones of the language under builtin/, each --features directory
// under features-N/. origins maps each file there to the path a person
// knows it by (features/pt/coleta.feature, ./team/x.feature), for messages
// and reports.
func featureFS(lang string, dirs []string, noBuiltin bool) (fs.FS, map[string]string, error) {
	m := fstest.MapFS{}
	origins := map[string]string{}
	add := func(src fs.FS, root, under string, origin func(rel string) string) error {
		return fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".feature") {
				return nil
			}
			data, err := fs.ReadFile(src, p)
			if err != nil {
				return err
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
			if rel == "" {
				rel = path.Base(p)
			}
			m[path.Join(under, rel)] = &fstest.MapFile{Data: data, Mode: 0o644}
			origins[path.Join(under, rel)] = origin(rel)
			return nil
		})
	}
	if !noBuiltin {
		sub, err := features.Lang(lang)
		if err != nil {
			return nil, nil, fmt.Errorf("contracts: %w", err)
		}
		builtin := func(rel string) string { return path.Join("features", cmp.Or(lang, "en"), rel) }
		if err := add(sub, ".", "builtin", builtin); err != nil {
			return nil, nil, err
		}
	}
	for i, d := range dirs {
		info, err := os.Stat(d)
		if err != nil {
			return nil, nil, fmt.Errorf("contracts: --features %s: %w", d, err)
		}
		root, src := ".", fs.FS(os.DirFS(d))
		origin := func(rel string) string { return filepath.Join(d, filepath.FromSlash(rel)) }
		if !info.IsDir() {
			root, src = filepath.Base(d), os.DirFS(filepath.Dir(d))
			origin = func(string) string { return d }
		}
		before := len(m)
		if err := add(src, root, fmt.Sprintf("features-%d", i+1), origin); err != nil {
			return nil, nil, fmt.Errorf("contracts: --features %s: %w", d, err)
		}
		if len(m) == before {
			return nil, nil, fmt.Errorf("contracts: --features %s holds no .feature file", d)
		}
	}
	if len(m) == 0 {
		return nil, nil, errors.New("contracts: no features to run (--no-builtin without --features)")
	}
	return m, origins, nil
}

// parsedFeature is a feature as godog parses it: its document and its
// scenarios (pickles) after the tag filter.
type parsedFeature struct {
	Doc     *messages.GherkinDocument
	Pickles []*messages.Pickle
}

// parse reads the features as godog will run them, filtered by tags.
func parse(fsys fs.FS, tags string) ([]parsedFeature, error) {
	suite := godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: []string{"."}, Tags: tags}}
	fts, err := suite.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("contracts: %w", err)
	}
	out := make([]parsedFeature, 0, len(fts))
	for _, f := range fts {
		out = append(out, parsedFeature{Doc: f.GherkinDocument, Pickles: f.Pickles})
	}
	return out, nil
}

func pickles(fts []parsedFeature) int {
	n := 0
	for _, f := range fts {
		n += len(f.Pickles)
	}
	return n
}

func tagsOf(fts []parsedFeature) []string {
	var tags []string
	for _, f := range fts {
		for _, p := range f.Pickles {
			for _, t := range p.Tags {
				if !slices.Contains(tags, t.Name) {
					tags = append(tags, t.Name)
				}
			}
		}
	}
	slices.Sort(tags)
	return tags
}

func needsDriver(fts []parsedFeature) bool {
	for _, f := range fts {
		for _, p := range f.Pickles {
			for _, t := range p.Tags {
				if t.Name == "@driver" {
					return true
				}
			}
		}
	}
	return false
}

// checkSteps fails on a step no definition matches, naming the closest
// known one.
func checkSteps(fts []parsedFeature, lang string, origins map[string]string) error {
	var errs []error
	seen := map[string]bool{}
	for _, f := range fts {
		for _, p := range f.Pickles {
			for _, st := range p.Steps {
				if d, _ := Match(st.Text); d != nil || seen[p.Uri+st.Text] {
					continue
				}
				seen[p.Uri+st.Text] = true
				l := lang
				if f.Doc.Feature != nil && f.Doc.Feature.Language == "pt" {
					l = "pt"
				}
				errs = append(errs, fmt.Errorf("%s: unknown step: %s\n  did you mean: %s\n  ('omsbox contracts steps' lists every step)",
					originOf(origins, p.Uri), st.Text, Closest(st.Text, l)))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("contracts: %w", errors.Join(errs...))
	}
	return nil
}

// originOf is the path a person knows a feature file by.
func originOf(origins map[string]string, uri string) string {
	uri = strings.TrimPrefix(uri, "./")
	return cmp.Or(origins[uri], uri)
}

// stepKeywords maps each gherkin step's id to its keyword (Given, Dado,
// ...), which pickles leave out, for the reports.
func stepKeywords(fts []parsedFeature) map[string]string {
	out := map[string]string{}
	for _, f := range fts {
		if f.Doc.Feature == nil {
			continue
		}
		for _, c := range f.Doc.Feature.Children {
			for _, st := range childSteps(c) {
				out[st.Id] = strings.TrimSpace(st.Keyword)
			}
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					for _, st := range childSteps(ruleChild(rc)) {
						out[st.Id] = strings.TrimSpace(st.Keyword)
					}
				}
			}
		}
	}
	return out
}

type worldKey struct{}

func worldOf(ctx context.Context) *world { return ctx.Value(worldKey{}).(*world) }

// initialize registers the steps and the hooks that give each scenario
// its world and record it for the reports.
func (h *harness) initialize(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		unlock := h.lockClock(s)
		w, err := h.newWorld(ctx)
		if err != nil {
			unlock()
			return ctx, err
		}
		w.unlock = unlock
		for _, t := range s.Tags {
			if why, ok := h.unsupported[t.Name]; ok {
				w.skip = fmt.Sprintf("%s: %s", t.Name, why)
			}
		}
		w.rec = h.report.scenario(s, h.keywords, w.env.Account, w.skip)
		return context.WithValue(ctx, worldKey{}, w), nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		if w, ok := ctx.Value(worldKey{}).(*world); ok {
			w.rec.stepStarted(st)
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		if w, ok := ctx.Value(worldKey{}).(*world); ok {
			w.rec.stepDone(st, status, err)
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		w, ok := ctx.Value(worldKey{}).(*world)
		if !ok {
			return ctx, err
		}
		logs := w.stop()
		if !h.integration.PerScenario() {
			_ = h.client.ClearFaults(ctx, w.env.Account) // what the scenario set up must not outlive it
		}
		if err != nil && logs != "" {
			err = fmt.Errorf("%w\nthe integration's log:\n%s", err, tail(logs, 40))
		}
		h.report.done(ctx, w, err)
		w.unlock()
		return ctx, err
	})
	register(sc)
}

// lockClock keeps a scenario that moves the sandbox's clock from running
// beside others, whose feeds, windows and retries follow that clock.
func (h *harness) lockClock(s *godog.Scenario) (unlock func()) {
	for _, st := range s.Steps {
		if d, _ := Match(st.Text); d != nil && d.Area == "clock" {
			h.clock.Lock()
			return sync.OnceFunc(h.clock.Unlock)
		}
	}
	h.clock.RLock()
	return sync.OnceFunc(h.clock.RUnlock)
}

// preflight checks, before any scenario, that the integration starts and,
// when the selected scenarios need it, that its driver answers: a wrong
// command or URL stops the run with one message rather than failing every
// scenario slowly.
func (h *harness) preflight(ctx context.Context, driver bool) error {
	w, err := h.newWorld(ctx)
	if err != nil {
		return err
	}
	env := w.env
	env.DriverOptional = !driver
	r, err := h.integration.Start(ctx, env)
	if err != nil {
		return fmt.Errorf("contracts: the integration does not start: %w", err)
	}
	defer r.Stop()
	if ex, ok := r.(interface{ exited() (bool, error) }); ok {
		if gone, why := ex.exited(); gone {
			logs, _ := r.Stop()
			return fmt.Errorf("contracts: the integration exited as soon as it started (%v); nothing was run. Its output:\n%s", why, tail(logs, 20))
		}
	}
	if !driver {
		return nil
	}
	if r.DriverURL() == "" {
		return errors.New("contracts: the selected scenarios (@driver) need the integration's driver endpoint, and it has none; --tags '~@driver' runs the others")
	}
	var last error
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, "GET", r.DriverURL()+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("contracts: the integration's driver does not answer at %s (%v); the @driver scenarios need it ('--tags ~@driver' runs the others)", r.DriverURL(), last)
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
