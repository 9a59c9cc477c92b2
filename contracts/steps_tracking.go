package contracts

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/carrier"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/faults"
	"github.com/omsbox/omsbox/sandbox/journal"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// Carrier tracking (@tracking): the ERP invoices with a Correios code, the
// carrier's parcel walks its events on the sandbox clock, and the
// integration carries them to VTEX until the parcel is delivered or
// returned, never asking about it again after that.

// trackingPath is where the integration reads the carrier's tracking.
const trackingPath = "/correios/srorastro/**"

// invoiceByCorreios invoices the order with a fresh Correios code (a
// valid S10 code; each scenario's own, so an account shared by scenarios
// never sees one twice).
func (w *world) invoiceByCorreios(ctx context.Context, number string) error {
	w.parcel = carrier.NewCode(rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), carrier.DefaultPrefix)
	return w.action(ctx, map[string]any{"action": "invoice", "invoiceNumber": number, "trackingNumber": w.parcel,
		"courier": "Correios"}, true)
}

// theParcel waits for the carrier to have the scenario's parcel (it is
// created when the invoice carrying its code is accepted).
func (w *world) theParcel(ctx context.Context) (carrier.Parcel, error) {
	if w.parcel == "" {
		return carrier.Parcel{}, errors.New("the scenario has no parcel: invoice the order by Correios first")
	}
	var found carrier.Parcel
	err := eventually(ctx, func() error {
		ps, err := w.h.client.Parcels(ctx, w.env.Account)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Code == w.parcel {
				found = p
				return nil
			}
		}
		return fmt.Errorf("the carrier has no parcel %s: was the invoice sent with it as its tracking number?", w.parcel)
	})
	return found, err
}

func (w *world) parcelTakes(ctx context.Context, scenario string) error {
	if _, err := w.theParcel(ctx); err != nil {
		return err
	}
	_, err := w.h.client.SetParcelScenario(ctx, w.env.Account, w.parcel, scenario, "")
	return err
}

func (w *world) pollCarrier(ctx context.Context) error {
	return w.action(ctx, map[string]any{"action": "poll-carrier"}, true)
}

// descriptions are the parcel's events as VTEX shows them, oldest first.
func descriptions(evs []oms.TrackingEvent) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Description)
	}
	return out
}

// carriesEvents checks that the invoice shows every event the carrier has
// shown so far, in order, with its city and state.
func (w *world) carriesEvents(ctx context.Context, number string) error {
	return w.invoiceHas(ctx, number, func(p oms.Package) error {
		parcel, err := w.theParcel(ctx)
		if err != nil {
			return err
		}
		var want []string
		for _, st := range parcel.Events {
			want = append(want, st.Descricao)
		}
		if p.CourierStatus == nil {
			return fmt.Errorf("invoice %s has no tracking events; the carrier shows %d for %s: %q", number, len(want), w.parcel, want)
		}
		got := descriptions(p.CourierStatus.Data)
		if !slices.Equal(got, want) {
			return fmt.Errorf("invoice %s shows the events %q; the carrier shows %q for %s (oldest first)", number, got, want, w.parcel)
		}
		for i, e := range p.CourierStatus.Data {
			u := parcel.Events[i].Unidade
			if !strings.EqualFold(e.City, u.Cidade) || e.State != u.UF {
				return fmt.Errorf("invoice %s: event %d %q is in %s/%s, the carrier says %s/%s", number, i+1, e.Description, e.City, e.State, u.Cidade, u.UF)
			}
		}
		return nil
	})
}

// deliveredStep is the parcel's delivery to the addressee, if seen.
func deliveredStep(p carrier.Parcel) (carrier.Step, bool) {
	for _, st := range p.Events {
		if st.Status == carrier.Delivered {
			return st, true
		}
	}
	return carrier.Step{}, false
}

// deliveredOnCarriersDate checks the invoice is finished with the date of
// the carrier's delivery event (São Paulo time, as Correios gives it).
func (w *world) deliveredOnCarriersDate(ctx context.Context, number string) error {
	return w.invoiceHas(ctx, number, func(p oms.Package) error {
		parcel, err := w.theParcel(ctx)
		if err != nil {
			return err
		}
		st, ok := deliveredStep(parcel)
		if !ok {
			return fmt.Errorf("the carrier has not delivered %s yet (it is %s)", w.parcel, parcel.Status)
		}
		want := strings.Replace(carrier.Local(st.At), "T", " ", 1)[:16]
		switch {
		case p.CourierStatus == nil || !p.CourierStatus.Finished:
			return fmt.Errorf("invoice %s is not delivered (courierStatus %+v); the carrier delivered %s at %s", number, p.CourierStatus, w.parcel, want)
		case p.CourierStatus.DeliveredDate != want:
			return fmt.Errorf("invoice %s was delivered on %q; the carrier delivered %s on %q", number, p.CourierStatus.DeliveredDate, w.parcel, want)
		}
		return nil
	})
}

// notDelivered checks the invoice carries the carrier's events and is not
// finished.
func (w *world) notDelivered(ctx context.Context, number string) error {
	if err := w.carriesEvents(ctx, number); err != nil {
		return err
	}
	return w.invoiceHas(ctx, number, func(p oms.Package) error {
		if p.CourierStatus != nil && p.CourierStatus.Finished {
			parcel, _ := w.theParcel(ctx)
			return fmt.Errorf("invoice %s is marked delivered (on %q), but the carrier's parcel %s is %s", number,
				p.CourierStatus.DeliveredDate, w.parcel, parcel.Status)
		}
		return nil
	})
}

// trackingReads are the integration's reads of the scenario's parcel.
// They are found by the parcel's code, which is the scenario's own, not by
// account: a read with an expired token (the clock moved on) belongs to
// no account in the journal, though it is the integration's.
func (w *world) trackingReads(ctx context.Context) ([]journal.Entry, error) {
	all, err := w.h.client.Journal(ctx, client.JournalFilter{Method: "GET", Path: trackingPath, Since: w.since})
	if err != nil {
		return nil, err
	}
	var out []journal.Entry
	for _, e := range all {
		if e.Origin == "" && (strings.HasSuffix(e.Path, "/"+w.parcel) || strings.Contains(e.Query, w.parcel)) {
			out = append(out, e)
		}
	}
	return out, nil
}

// neverAskedAfterDelivery watches the integration for a second (its polls
// take real time) and checks that, of its reads of the parcel made once
// it was delivered, there is only the one that found the delivery.
func (w *world) neverAskedAfterDelivery(ctx context.Context) error {
	parcel, err := w.theParcel(ctx)
	if err != nil {
		return err
	}
	st, ok := deliveredStep(parcel)
	if !ok {
		return fmt.Errorf("the carrier has not delivered %s (it is %s)", w.parcel, parcel.Status)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Second): // an observation window, not a synchronisation
	}
	reads, err := w.trackingReads(ctx)
	if err != nil {
		return err
	}
	var after []journal.Entry
	for _, e := range reads {
		if e.Status == http.StatusOK && !e.Time.Before(st.At) {
			after = append(after, e)
		}
	}
	if len(after) > 1 {
		return w.explain(ctx, fmt.Sprintf("the integration read parcel %s %d times after it was delivered (at %s), want once: a delivered parcel is never polled again",
			w.parcel, len(after), carrier.Local(st.At)), journal.Filter{Path: trackingPath})
	}
	return nil
}

// waitedAsToldTracking checks, from wall-clock arrivals, that after each
// 429 or 503 with a Retry-After the integration's next tracking read came
// no sooner than it was told.
func (w *world) waitedAsToldTracking(ctx context.Context) error {
	entries, err := w.trackingReads(ctx)
	if err != nil {
		return err
	}
	told := time.Duration(w.retryAfter) * time.Second
	refused := 0
	for i, e := range entries {
		if e.Status != http.StatusTooManyRequests && e.Status != http.StatusServiceUnavailable {
			continue
		}
		refused++
		if i+1 >= len(entries) {
			return w.explain(ctx, fmt.Sprintf("after a %d the integration never read the carrier again", e.Status), journal.Filter{Path: trackingPath})
		}
		if gap := entries[i+1].ReceivedAt.Sub(e.ReceivedAt); gap < told-50*time.Millisecond {
			return w.explain(ctx, fmt.Sprintf("after a %d with Retry-After: %d the integration read the carrier again %s later",
				e.Status, w.retryAfter, gap.Round(time.Millisecond)), journal.Filter{Path: trackingPath})
		}
	}
	if refused == 0 {
		return errors.New("the carrier refused no read: the scenario's fault did not apply")
	}
	return nil
}

func (w *world) carrierFault(ctx context.Context, status, after, n int) error {
	w.retryAfter = after
	return w.fault(ctx, faults.Rule{API: "carrier", Method: "GET", Path: trackingPath, Status: status, RetryAfter: &after, Times: n})
}
