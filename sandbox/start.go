package sandbox

import (
	"net/http/httptest"
	"time"

	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/clock"
)

// TB is the part of testing.TB that Start needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

// Server is a sandbox serving on a free local port.
type Server struct {
	*Sandbox
	// URL is the base URL of the VTEX API and of the control plane.
	URL string
	// The default account and its credentials.
	Account, AppKey, AppToken, UserToken string
	// Client drives the control plane.
	Client *client.Client

	srv *httptest.Server
}

// Start runs a sandbox for one test, in the spirit of miniredis.RunT: on a
// free port, with a frozen clock (advance it; never sleep) and strict
// response validation whose every finding fails the test. t.Cleanup stops
// it. Options given here override those defaults.
func Start(t TB, opts ...Option) *Server {
	t.Helper()
	defaults := []Option{
		WithClock(clock.Frozen(time.Now().UTC().Truncate(time.Second))),
		WithStrict(true, func(op, detail string) { t.Errorf("omsbox strict mode: %s: %s", op, detail) }),
	}
	sb, err := New(append(defaults, opts...)...)
	if err != nil {
		t.Fatalf("omsbox: %v", err)
	}
	srv := httptest.NewUnstartedServer(sb.Handler())
	srv.Listener = sb.WrapListener(srv.Listener, false)
	srv.Start()
	t.Cleanup(func() {
		sb.EndStreams() // a stream left open would hold srv.Close
		srv.Close()
		sb.Close()
	})
	s := &Server{Sandbox: sb, URL: srv.URL, Client: client.New(srv.URL, srv.Client()).WithToken(sb.token), srv: srv}
	s.Account = sb.cfg.DefaultAccount
	if a, ok := sb.cfg.Account(s.Account); ok {
		if len(a.AppKeys) > 0 {
			s.AppKey, s.AppToken = a.AppKeys[0].Key, a.AppKeys[0].Token
		}
		if len(a.UserTokens) > 0 {
			s.UserToken = a.UserTokens[0]
		}
	}
	return s
}

// Close stops the server before the test ends.
func (s *Server) Close() { s.srv.Close() }
