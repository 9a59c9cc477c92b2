package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"os"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/bridge"
	"github.com/omsbox/omsbox/sandbox/journal"
)

// The HTML report is for reviewers: one self-contained file (no network,
// no external asset, no library) with the summary, each feature and
// scenario with its steps, outcome and time, the failure with its diff,
// and each scenario's calls drawn as a sequence diagram. The diagram is
// inline SVG drawn here: a sequence of arrows between four lifelines
// needs no layout engine, and a library (mermaid is ~3 MB of script)
// would weigh more than every report it draws. Bodies expand with
// <details>, so the page needs no script either; the only script is a
// few lines that record, once the page is laid out, what the browser
// rendered (the headless-browser test reads them).

// labels are the report's words in a language; Portuguese for Brazilian
// reviewers (--lang pt).
type labels struct {
	Lang, Title, ScenariosIn, Passed, Failed, Skipped, SkippedBecause, Calls string
	Request, Response, InARow, Account, Fault                                string
	// Lanes are the diagram's participants, left to right.
	Lanes []string
	// Status names a scenario's or step's outcome.
	Status map[string]string
}

var reportLabels = map[string]labels{
	"en": {Lang: "en", Title: "omsbox contract report", ScenariosIn: "scenarios in", Passed: "passed", Failed: "failed",
		Skipped: "skipped", SkippedBecause: "Skipped", Calls: "Calls", Request: "Request body", Response: "Response body",
		InARow: "in a row", Account: "account", Fault: "fault",
		Lanes:  []string{"Integration", "VTEX OMS", "VTEX → SkyHub connector", "SkyHub"},
		Status: map[string]string{"passed": "passed", "failed": "failed", "skipped": "skipped"}},
	"pt": {Lang: "pt-BR", Title: "Relatório dos contratos do omsbox", ScenariosIn: "cenários em", Passed: "aprovados",
		Failed: "reprovados", Skipped: "não se aplicam", SkippedBecause: "Não se aplica", Calls: "Chamadas",
		Request: "Corpo da requisição", Response: "Corpo da resposta", InARow: "seguidas", Account: "conta", Fault: "falha",
		Lanes:  []string{"Integração", "VTEX OMS", "Conector VTEX → SkyHub", "SkyHub"},
		Status: map[string]string{"passed": "aprovado", "failed": "reprovado", "skipped": "não se aplica"}},
}

func labelsFor(lang string) labels {
	if l, ok := reportLabels[lang]; ok {
		return l
	}
	return reportLabels["en"]
}

const (
	laneIntegration = iota
	laneVTEX
	laneBridge
	laneSkyHub
)

type htmlReport struct {
	L         labels
	Title     string
	Generated string
	Duration  string
	Totals    Totals
	Total     int
	Features  []htmlFeature
}

type htmlFeature struct {
	Name, Description, URI string
	Scenarios              []htmlScenario
}

type htmlScenario struct {
	ID, Name, Status, Duration, Skip, Err, Account string
	Open                                           bool // failed ones, or the first when none failed
	Tags                                           []string
	Steps                                          []htmlStep
	Diagram                                        template.HTML
	Calls                                          []htmlCall
}

type htmlStep struct {
	Keyword, Text, Status, Duration, Err string
	Table                                [][]string
}

type htmlCall struct {
	N                                  int
	Anchor, From, To, Method, Path     string
	Query, Time, Fault, ReqBody, RBody string
	Status                             int
	Ms                                 string
	Times                              int // identical calls in a row, drawn once
}

func (r *report) writeHTML(path string) error {
	fs := r.results()
	t := totals(fs)
	l := labelsFor(r.lang)
	data := htmlReport{L: l, Title: l.Title, Generated: time.Now().Format("2006-01-02 15:04:05 MST"),
		Duration: r.duration.Round(time.Millisecond).String(), Totals: t, Total: t.Passed + t.Failed + t.Skipped}
	n := 0
	for _, f := range fs {
		hf := htmlFeature{Name: f.Name, Description: f.Description, URI: f.URI}
		for _, s := range f.Scenarios {
			n++
			s.mu.Lock()
			hs := htmlScenario{ID: fmt.Sprintf("s%d", n), Name: s.Name, Status: s.Status, Duration: s.Duration.Round(time.Millisecond).String(),
				Skip: s.Skip, Err: s.Err, Tags: s.Tags, Account: s.Account}
			for _, st := range s.Steps {
				hs.Steps = append(hs.Steps, htmlStep{Keyword: st.Keyword, Text: st.Text, Status: st.Status,
					Duration: st.Duration.Round(time.Millisecond).String(), Err: st.Err, Table: st.Table})
			}
			hs.Calls = calls(hs.ID, s.Calls, l.Lanes)
			hs.Diagram = diagram(hs.ID, hs.Calls, l.Lanes)
			s.mu.Unlock()
			hf.Scenarios = append(hf.Scenarios, hs)
		}
		data.Features = append(data.Features, hf)
	}
	for i := range data.Features {
		for j := range data.Features[i].Scenarios {
			s := &data.Features[i].Scenarios[j]
			s.Open = s.Status == "failed" || (t.Failed == 0 && i == 0 && j == 0)
		}
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, data); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// calls turns journal entries into the diagram's calls: who called whom.
// Identical calls in a row with identical answers (an idle feed's polls)
// are drawn once, with their count.
func calls(id string, entries []journal.Entry, lanes []string) []htmlCall {
	var out []htmlCall
	for _, e := range entries {
		from, to := lanes[laneIntegration], lanes[laneVTEX]
		switch {
		case e.API == "hook": // the journal records VTEX's hook notifications to the integration
			from, to = lanes[laneVTEX], lanes[laneIntegration]
		case e.API == "skyhub":
			to = lanes[laneSkyHub]
		}
		if e.Origin == bridge.Origin {
			from = lanes[laneBridge]
		}
		c := htmlCall{From: from, To: to, Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status, Fault: e.Fault,
			Time: e.ReceivedAt.Format("15:04:05.000"), ReqBody: pretty(e.RequestBody), RBody: pretty(e.ResponseBody),
			Ms: fmt.Sprintf("%.1f ms", e.DurationMs), Times: 1}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.From == c.From && last.To == c.To && last.Method == c.Method && last.Path == c.Path && last.Query == c.Query &&
				last.Status == c.Status && last.Fault == c.Fault && last.ReqBody == c.ReqBody && last.RBody == c.RBody {
				last.Times++
				continue
			}
		}
		c.N = len(out) + 1
		c.Anchor = fmt.Sprintf("%s-c%d", id, c.N)
		out = append(out, c)
	}
	return out
}

// maxBody is how much of a body the report shows: enough for any order
// document, while a suite's report stays a file a browser opens at once.
const maxBody = 24 << 10

func pretty(body string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(body), "", "  ") == nil {
		body = b.String()
	}
	if len(body) > maxBody {
		body = body[:maxBody] + "\n… (cut at 24 KiB)"
	}
	return body
}

func laneOf(name string, lanes []string) int {
	for i, l := range lanes {
		if l == name {
			return i
		}
	}
	return laneIntegration
}

// diagram draws a scenario's calls as an SVG sequence diagram: a lifeline
// per participant, a solid arrow per request (numbered, linking to its
// bodies below), a dashed arrow back with the status.
func diagram(id string, cs []htmlCall, lanes []string) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	const (
		laneW, left, top, row = 200, 100, 46, 44
	)
	width := left*2 + laneW*(len(lanes)-1)
	height := top + row*len(cs) + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="seq" id="%s-seq" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="the scenario's calls">`,
		id, width, height, width, height)
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#334"/></marker></defs>`, id)
	for i, l := range lanes {
		x := left + i*laneW
		fmt.Fprintf(&b, `<line class="lifeline" x1="%d" y1="%d" x2="%d" y2="%d"/>`, x, top-10, x, height-6)
		fmt.Fprintf(&b, `<rect class="actor" x="%d" y="4" width="%d" height="26" rx="4"/><text class="actor-name" x="%d" y="22" text-anchor="middle">%s</text>`,
			x-laneW/2+8, laneW-16, x, html.EscapeString(l))
	}
	for i, c := range cs {
		y := top + i*row + 14
		x1, x2 := left+laneOf(c.From, lanes)*laneW, left+laneOf(c.To, lanes)*laneW
		mid, start := (x1+x2)/2, min(x1, x2)+8
		label := fmt.Sprintf("%d. %s %s", c.N, c.Method, c.Path) // read left to right from the arrow's start
		if c.Times > 1 {
			label = fmt.Sprintf("%d. %s %s ×%d", c.N, c.Method, c.Path, c.Times)
		}
		full := label
		if r := []rune(label); len(r) > 64 {
			label = string(r[:63]) + "…"
		}
		class := "call"
		if c.Status >= 400 {
			class += " refused"
		}
		if c.Fault != "" {
			class += " fault"
		}
		fmt.Fprintf(&b, `<a href="#%s"><g class="%s"><title>%s → %d</title>`, c.Anchor, class, html.EscapeString(full), c.Status)
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d">%s</text>`, start, y-5, html.EscapeString(label))
		fmt.Fprintf(&b, `<line class="req" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#%s-arrow)"/>`, x1, y, x2, y, id)
		fmt.Fprintf(&b, `<line class="resp" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#%s-arrow)"/>`, x2, y+14, x1, y+14, id)
		status := fmt.Sprint(c.Status)
		if c.Fault != "" {
			status += " (fault " + c.Fault + ")"
		}
		fmt.Fprintf(&b, `<text class="status" x="%d" y="%d" text-anchor="middle">%s</text></g></a>`, mid, y+26, html.EscapeString(status))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="{{.L.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 16px 28px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
main { padding: 16px 28px; max-width: 1180px; }
.summary span { display: inline-block; margin-right: 14px; padding: 2px 10px; border-radius: 12px; font-weight: 600; }
.summary .passed { color: #0a6b2d; } .summary .failed { color: #b3261e; } .summary .skipped { color: #8a6d00; }
p.skipped { color: #8a6d00; }
.summary .passed { background: #d8f3e0; } .summary .failed { background: #fbdad7; } .summary .skipped { background: #fbf0c9; }
section.feature { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 18px 0; padding: 8px 18px 14px; }
section.feature > h2 { font-size: 17px; margin: 8px 0 2px; }
.desc { color: #555; white-space: pre-line; margin: 2px 0 8px; }
.uri, .meta { color: #777; font-size: 12px; }
details.scenario { border-top: 1px solid #eceef2; padding: 6px 0; }
details.scenario > summary { cursor: pointer; font-weight: 600; }
.badge { display: inline-block; min-width: 58px; text-align: center; font-size: 12px; border-radius: 10px; padding: 0 6px; margin-right: 6px; }
.badge.passed { background: #d8f3e0; } .badge.failed { background: #fbdad7; } .badge.skipped { background: #fbf0c9; }
.tag { font-size: 12px; color: #4b5bb5; margin-left: 4px; font-weight: normal; }
ol.steps { list-style: none; padding-left: 8px; margin: 6px 0; }
ol.steps li { padding: 1px 0; }
ol.steps .kw { font-weight: 700; color: #4b5bb5; }
ol.steps .dur { color: #999; font-size: 12px; margin-left: 6px; }
ol.steps li.skipped { color: #999; }
pre { background: #f3f4f7; border: 1px solid #e1e4ea; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 420px; }
pre.err { background: #fff3f2; border-color: #f2c4bf; color: #7d1d16; }
table.data { border-collapse: collapse; margin: 4px 0 4px 24px; font-size: 12px; }
table.data td { border: 1px solid #dde1e7; padding: 1px 6px; }
.diagram { overflow-x: auto; margin: 8px 0; }
svg.seq { background: #fff; font: 11px ui-monospace, SFMono-Regular, Menlo, monospace; }
svg.seq .lifeline { stroke: #b8bfcc; stroke-dasharray: 4 4; }
svg.seq .actor { fill: #e8ecf6; stroke: #7e8bb0; }
svg.seq .actor-name { font: 600 12px system-ui, sans-serif; fill: #1d2330; }
svg.seq .req { stroke: #334; stroke-width: 1.3; }
svg.seq .resp { stroke: #778; stroke-dasharray: 5 3; }
svg.seq .label { fill: #1d2330; }
svg.seq .status { fill: #0a6b2d; }
svg.seq .refused .status, svg.seq .refused .label { fill: #b3261e; }
svg.seq .fault .req { stroke: #b3261e; }
svg.seq a:hover .label { text-decoration: underline; }
details.call { margin: 2px 0 2px 8px; font-size: 13px; }
details.call summary { cursor: pointer; font-family: ui-monospace, monospace; }
details.call:target { background: #fff8d6; }
</style>
</head>
<body>
<header><h1>{{.Title}}</h1><div>{{.Generated}} · {{.Total}} {{.L.ScenariosIn}} {{.Duration}}</div></header>
<main>
<p class="summary" id="summary"><span class="passed">{{.Totals.Passed}} {{.L.Passed}}</span><span class="failed">{{.Totals.Failed}} {{.L.Failed}}</span><span class="skipped">{{.Totals.Skipped}} {{.L.Skipped}}</span></p>
{{$L := .L}}{{range .Features}}<section class="feature">
<h2>{{.Name}}</h2><div class="uri">{{.URI}}</div>{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
{{range .Scenarios}}<details class="scenario {{.Status}}" id="{{.ID}}" data-status="{{.Status}}"{{if .Open}} open{{end}}>
<summary><span class="badge {{.Status}}">{{index $L.Status .Status}}</span>{{.Name}}{{range .Tags}}<span class="tag">{{.}}</span>{{end}} <span class="meta">{{.Duration}}{{if .Account}} · {{$L.Account}} {{.Account}}{{end}}</span></summary>
{{if .Skip}}<p class="skipped">{{$L.SkippedBecause}}: {{.Skip}}</p>{{end}}
<ol class="steps">{{range .Steps}}<li class="{{.Status}}"><span class="badge {{.Status}}">{{or (index $L.Status .Status) .Status}}</span><span class="kw">{{.Keyword}}</span> {{.Text}}<span class="dur">{{.Duration}}</span>
{{if .Table}}<table class="data">{{range .Table}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>{{end}}
{{if .Err}}<pre class="err">{{.Err}}</pre>{{end}}</li>
{{end}}</ol>
{{if .Err}}<pre class="err">{{.Err}}</pre>{{end}}
{{if .Calls}}<h4>{{$L.Calls}} ({{len .Calls}})</h4>
<div class="diagram">{{.Diagram}}</div>
{{range .Calls}}<details class="call" id="{{.Anchor}}"><summary>{{.N}}. {{.Time}} {{.From}} → {{.To}}: {{.Method}} {{.Path}}{{if .Query}}?{{.Query}}{{end}} → {{.Status}}{{if .Fault}} ({{$L.Fault}} {{.Fault}}){{end}}{{if gt .Times 1}} · ×{{.Times}} {{$L.InARow}}{{end}} · {{.Ms}}</summary>
{{if .ReqBody}}<div>{{$L.Request}}</div><pre>{{.ReqBody}}</pre>{{end}}{{if .RBody}}<div>{{$L.Response}}</div><pre>{{.RBody}}</pre>{{end}}
</details>
{{end}}{{end}}
</details>
{{end}}</section>
{{end}}</main>
<script>
// Records what the browser laid out, for the report's own browser test.
window.addEventListener("load", function () {
  var shown = 0, drawn = 0;
  document.querySelectorAll("details.scenario").forEach(function (d) { if (d.getBoundingClientRect().height > 0) shown++; });
  document.querySelectorAll("details.scenario").forEach(function (d) {
    var was = d.open;
    d.open = true; // a closed scenario's diagram is not laid out
    d.querySelectorAll("svg.seq").forEach(function (s) { var b = s.getBBox(); if (b.width > 0 && b.height > 0) drawn++; });
    d.open = was;
  });
  document.body.setAttribute("data-scenarios-shown", shown);
  document.body.setAttribute("data-diagrams-drawn", drawn);
});
</script>
</body>
</html>
`))
