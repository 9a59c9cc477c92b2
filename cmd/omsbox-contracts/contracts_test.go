package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omsbox/omsbox/contracts"
)

// The glossary comes from the step table: every step's example is there,
// in each language.
func TestContractsStepsPrintsTheGlossary(t *testing.T) {
	for _, lang := range []string{"en", "pt"} {
		var out, errOut strings.Builder
		if err := run(context.Background(), []string{"steps", "--lang", lang}, &out, &errOut); err != nil {
			t.Fatalf("contracts steps --lang %s: %v %s", lang, err, errOut.String())
		}
		for _, d := range contracts.Steps() {
			ex := d.Example
			if lang == "pt" {
				ex = d.ExamplePT
			}
			if !strings.Contains(out.String(), strings.SplitN(ex, "\n", 2)[0]) {
				t.Errorf("the %s glossary lacks %q", lang, ex)
			}
		}
	}
}

// A team's feature directory, alone, with the reports a CI and a reviewer
// read.
func TestContractsRunWithATeamsFeatures(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr strings.Builder
	err := run(context.Background(), []string{"run", "--features", "../../testdata/team-features", "--no-builtin",
		"--format", "progress,junit,html", "--out", out, "--concurrency", "2"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("contracts run --features: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	for _, f := range []string{"omsbox-contracts.junit.xml", "omsbox-contracts.html"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || !strings.Contains(string(data), "Loja Exemplo") {
			t.Errorf("%s: %v, or it lacks the team's feature", f, err)
		}
	}
}

// The documented mistakes stop at once, with one message.
func TestContractsRunFailsFast(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--integration-cmd", "./my-connector"}, "exited as soon as it started"},
		{[]string{"--integration-url", "http://127.0.0.1:9090", "--account", "demostore"}, "--integration-url needs --sandbox-url"},
		{[]string{"--tags", "@nosuchtag"}, "no scenario matches --tags"},
		{[]string{"--features", "../../testdata/team-features-typo", "--no-builtin"}, "did you mean"},
		{[]string{"--lang", "fr"}, "not \"fr\""},
	} {
		start := time.Now()
		var stdout, stderr strings.Builder
		err := run(context.Background(), append([]string{"run", "--format", "progress", "--out", t.TempDir()}, tc.args...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v took %s to fail", tc.args, d)
		}
	}
}
