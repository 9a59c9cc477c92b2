package contracts

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// report is the harness's own record of a run, from which it writes the
// JUnit and HTML reports: each scenario with its steps, their outcome and
// time, and (for the HTML report) the calls the scenario's account saw.
type report struct {
	withCalls bool
	lang      string            // the features' language, for the HTML report's words
	origins   map[string]string // feature file → the path a person knows

	mu       sync.Mutex
	features []parsedFeature
	byID     map[string]*scenarioRecord
	started  time.Time
	duration time.Duration
}

// scenarioRecord is one scenario's outcome.
type scenarioRecord struct {
	mu       sync.Mutex
	URI      string
	Name     string
	Tags     []string
	Account  string
	Skip     string // why it does not apply, when it does not
	Steps    []*stepRecord
	Started  time.Time
	Duration time.Duration
	Status   string // passed, failed, skipped
	Err      string
	Calls    []journal.Entry
}

type stepRecord struct {
	id       string
	Keyword  string
	Text     string
	Table    [][]string
	Status   string
	Err      string
	started  time.Time
	Duration time.Duration
}

func newReport(withCalls bool, origins map[string]string) *report {
	return &report{withCalls: withCalls, origins: origins, byID: map[string]*scenarioRecord{}}
}

func (r *report) start(fts []parsedFeature) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.features, r.started = fts, time.Now()
}

func (r *report) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.duration = time.Since(r.started)
}

// scenario opens the record of a scenario that starts.
func (r *report) scenario(s *godog.Scenario, keywords map[string]string, account, skip string) *scenarioRecord {
	rec := &scenarioRecord{URI: s.Uri, Name: s.Name, Account: account, Skip: skip, Started: time.Now(), Status: "skipped"}
	for _, t := range s.Tags {
		rec.Tags = append(rec.Tags, t.Name)
	}
	for _, st := range s.Steps {
		sr := &stepRecord{id: st.Id, Text: st.Text, Status: "skipped"}
		if len(st.AstNodeIds) > 0 {
			sr.Keyword = keywords[st.AstNodeIds[0]]
		}
		if st.Argument != nil && st.Argument.DataTable != nil {
			for _, row := range st.Argument.DataTable.Rows {
				var cells []string
				for _, c := range row.Cells {
					cells = append(cells, c.Value)
				}
				sr.Table = append(sr.Table, cells)
			}
		}
		rec.Steps = append(rec.Steps, sr)
	}
	r.mu.Lock()
	r.byID[s.Id] = rec
	r.mu.Unlock()
	return rec
}

func (rec *scenarioRecord) step(id string) *stepRecord {
	for _, s := range rec.Steps {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (rec *scenarioRecord) stepStarted(st *godog.Step) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if s := rec.step(st.Id); s != nil {
		s.started = time.Now()
	}
}

func (rec *scenarioRecord) stepDone(st *godog.Step, status godog.StepResultStatus, err error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.step(st.Id)
	if s == nil {
		return
	}
	s.Status = status.String()
	if !s.started.IsZero() {
		s.Duration = time.Since(s.started)
	}
	if err != nil && !errors.Is(err, godog.ErrSkip) {
		s.Err = err.Error()
	}
}

// done closes a scenario's record: failed when a step (or the scenario's
// end) failed, skipped when any step was skipped (it does not apply to
// this integration), passed only when every step passed.
func (r *report) done(ctx context.Context, w *world, err error) {
	rec := w.rec
	if rec == nil {
		return
	}
	var calls []journal.Entry
	if r.withCalls {
		all, _ := w.h.client.Journal(ctx, client.JournalFilter{Account: w.env.Account, Since: w.since})
		for _, e := range all {
			if e.Origin != journal.Observer {
				calls = append(calls, e)
			}
		}
		calls = calls[:min(len(calls), 300)]
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.Duration, rec.Calls = time.Since(rec.Started), calls
	status := "passed"
	for _, s := range rec.Steps {
		switch s.Status {
		case "failed", "undefined", "pending", "ambiguous":
			status = "failed"
		case "skipped":
			if status == "passed" {
				status = "skipped"
			}
		}
	}
	if err != nil && !errors.Is(err, godog.ErrSkip) {
		status, rec.Err = "failed", err.Error()
	}
	if status == "skipped" && rec.Skip == "" {
		rec.Skip = "a step does not apply to this integration"
	}
	rec.Status = status
}

// featureResult is a feature with its scenarios' records, in file order.
type featureResult struct {
	URI, Name, Description string
	Scenarios              []*scenarioRecord
}

// results lists the run's features and scenarios; a scenario that never
// started is failed.
func (r *report) results() []featureResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []featureResult
	for _, f := range r.features {
		fr := featureResult{URI: originOf(r.origins, f.Doc.Uri)}
		if f.Doc.Feature != nil {
			fr.Name, fr.Description = f.Doc.Feature.Name, strings.TrimSpace(f.Doc.Feature.Description)
		}
		for _, p := range f.Pickles {
			rec := r.byID[p.Id]
			if rec == nil {
				rec = &scenarioRecord{URI: p.Uri, Name: p.Name, Status: "failed", Err: "the scenario did not start (see the run's output)"}
				for _, t := range p.Tags {
					rec.Tags = append(rec.Tags, t.Name)
				}
			}
			fr.Scenarios = append(fr.Scenarios, rec)
		}
		out = append(out, fr)
	}
	return out
}

// Totals counts scenarios by status.
type Totals struct{ Passed, Failed, Skipped int }

func totals(fs []featureResult) Totals {
	var t Totals
	for _, f := range fs {
		for _, s := range f.Scenarios {
			switch s.Status {
			case "passed":
				t.Passed++
			case "skipped":
				t.Skipped++
			default:
				t.Failed++
			}
		}
	}
	return t
}

// summary writes the run's outcome as the harness counts it: a scenario
// that does not apply is skipped, with the reason, never passed.
func (r *report) summary(w io.Writer) {
	fs := r.results()
	t := totals(fs)
	fmt.Fprintf(w, "\nomsbox contracts: %d passed, %d failed, %d skipped\n", t.Passed, t.Failed, t.Skipped)
	for _, f := range fs {
		for _, s := range f.Scenarios {
			if s.Status == "skipped" {
				fmt.Fprintf(w, "  skipped: %s (%s)\n", s.Name, s.Skip)
			}
		}
	}
}

// JUnit ---------------------------------------------------------------

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// writeJUnit writes the JUnit XML report: a test case per scenario, a
// <skipped> for a scenario that does not apply to the integration.
func (r *report) writeJUnit(path string) error {
	fs := r.results()
	out := junitSuites{Name: "omsbox-contracts", Time: secs(r.duration)}
	for _, f := range fs {
		s := junitSuite{Name: f.Name}
		var d time.Duration
		for _, sc := range f.Scenarios {
			c := junitCase{Name: sc.Name, Classname: f.Name, Time: secs(sc.Duration)}
			d += sc.Duration
			switch sc.Status {
			case "failed":
				var failed string
				for _, st := range sc.Steps {
					if st.Status == "failed" {
						failed = st.Keyword + " " + st.Text
						break
					}
				}
				c.Failure = &junitMessage{Message: strings.TrimSpace("Step " + failed), Body: sc.Err}
				s.Failures++
			case "skipped":
				c.Skipped = &junitMessage{Message: sc.Skip}
				s.Skipped++
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
		s.Time = secs(d)
		out.Tests, out.Failures, out.Skipped = out.Tests+s.Tests, out.Failures+s.Failures, out.Skipped+s.Skipped
		out.Suites = append(out.Suites, s)
	}
	data, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(data, '\n')...), 0o644)
}

// Gherkin helpers -----------------------------------------------------

func childSteps(c *messages.FeatureChild) []*messages.Step {
	switch {
	case c == nil:
		return nil
	case c.Background != nil:
		return c.Background.Steps
	case c.Scenario != nil:
		return c.Scenario.Steps
	}
	return nil
}

func ruleChild(rc *messages.RuleChild) *messages.FeatureChild {
	return &messages.FeatureChild{Background: rc.Background, Scenario: rc.Scenario}
}
