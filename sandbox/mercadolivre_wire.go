package sandbox

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/omsbox/omsbox/sandbox/mercadolivre"
)

// newMercadoLivre builds the Mercado Livre channel: its market with the
// configured apps, the notifier, and the API behind the journal and
// faults, served under its base (default /mercadolivre).
func (s *Sandbox) newMercadoLivre(st settings) error {
	c := st.cfg.MercadoLivre
	t := mercadolivre.DefaultTimings
	if c.ShipAfter.Duration != 0 {
		t.ShipAfter = max(c.ShipAfter.Duration, 0)
	}
	if c.DeliverAfter.Duration != 0 {
		t.DeliverAfter = max(c.DeliverAfter.Duration, 0)
	}
	s.MercadoLivre = mercadolivre.New(s.Clock, s.Events, st.seed, t)
	for _, a := range c.Apps {
		if _, err := s.MercadoLivre.AddApp(mercadolivre.App(a)); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	s.MLNotifier = mercadolivre.NewNotifier(s.MercadoLivre, s.Journal, st.hooks.Client, c.NotificationTimeout.Duration)
	s.mlBase = cmp.Or(c.Base, mercadolivre.DefaultBase)
	api, err := mercadolivre.Handler(s.MercadoLivre, s.MLNotifier, mercadolivre.Options{Base: s.mlBase, Strict: st.strict,
		OnDrift: st.onDrift, Logger: st.logger})
	if err != nil {
		s.MLNotifier.Close()
		return err
	}
	s.mlAPI = s.Journal.Middleware("mercadolivre", s.MercadoLivre.AuthenticatedAccount)(
		s.Faults.Middleware("mercadolivre", s.MercadoLivre.ClaimedAccount, mercadolivre.WriteFault)(api))
	s.ml = withRequestID(prefixed(s.mlBase, s.mlAPI))
	return nil
}

// MercadoLivreHandler serves the Mercado Livre API at the root
// ("/oauth/token", "/orders/search", ...), for a listener of its own
// (omsbox serve --mercadolivre-addr).
func (s *Sandbox) MercadoLivreHandler() http.Handler { return s.ml }
