package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omsbox/omsbox/sandbox"
	"github.com/omsbox/omsbox/sandbox/oms"
)

func TestSubcommandsAgainstTheSandbox(t *testing.T) {
	s := sandbox.Start(t)
	state := filepath.Join(t.TempDir(), "state.json")
	flags := []string{"--vtex-url", s.URL, "--account", s.Account, "--app-key", s.AppKey, "--app-token", s.AppToken,
		"--state", state, "--backoff-scale", "0.001"}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"once"}, flags...), &out, &errOut); err != nil {
		t.Fatalf("once: %v\n%s", err, errOut.String())
	}
	// The seeded ready-for-handling orders are now handled; invoice one.
	id := ""
	acct, _ := s.OMS.Account(s.Account)
	for _, o := range acct.List(oms.Query{PerPage: 100}).List {
		if o.Status == "handling" {
			id = o.OrderID
			break
		}
	}
	if id == "" {
		t.Fatal("no handled order after once")
	}
	out.Reset()
	if err := run(context.Background(), append(append([]string{"invoice"}, flags...), id, "NF-9"), &out, &errOut); err != nil {
		t.Fatalf("invoice: %v", err)
	}
	if !strings.Contains(out.String(), `"receipt"`) {
		t.Fatalf("invoice printed %q", out.String())
	}
	err := run(context.Background(), append(append([]string{"cancel"}, flags...), id, "tarde", "demais"), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "VTEX refused cancel") {
		t.Fatalf("cancel of an invoiced order: %v", err)
	}
	if err := run(context.Background(), []string{"once", "--state", state}, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "OMSBOX_VTEX_URL") {
		t.Fatalf("missing configuration: %v", err)
	}
	if err := run(context.Background(), append([]string{"invoice"}, flags...), &out, &errOut); err == nil {
		t.Fatal("invoice without arguments accepted")
	}
}

func TestUsageHelpAndBadEnvironment(t *testing.T) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, nil, &out, &errOut); err == nil || !strings.Contains(out.String(), "refclient run") {
		t.Errorf("no command: %v, printed %q", err, out.String())
	}
	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "refclient run") {
		t.Errorf("unknown command: %v, printed %q", err, errOut.String())
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"run", "-h"}, {"invoice", "--help"}} {
		if err := run(ctx, args, &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	t.Setenv("REFCLIENT_POLL_INTERVAL", "fast")
	if err := run(ctx, []string{"once"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "REFCLIENT_POLL_INTERVAL") {
		t.Errorf("REFCLIENT_POLL_INTERVAL=fast: %v", err)
	}
}
