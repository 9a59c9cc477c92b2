package oms

import "time"

// PlatformDelays are the platform's own timers, run on the sandbox clock.
// Zero turns a step off: the order passes it at once.
type PlatformDelays struct {
	// PaymentApproval: how long a new order waits for its payment (complete
	// flow) or the marketplace's authorization (seller flow).
	PaymentApproval time.Duration
	// WindowToCancel: how long a paid order stays in window-to-cancel.
	WindowToCancel time.Duration
}

// SetPlatformDelays sets the platform timers for orders created from now
// on. Call it before serving.
func (s *OMS) SetPlatformDelays(d PlatformDelays) { s.delays = d }

// awaitingApproval is where each flow waits for its approval step.
var awaitingApproval = map[Channel]Status{
	ChannelVTEX: StatusPaymentPending,
	ChannelB2W:  StatusWaitingFfmtAuthorization,
}

// timedStop returns where a new order bound for target stops to wait for
// the platform timers, if any apply: only orders bound for
// ready-for-handling wait, and only for the steps whose delay is set.
func (s *OMS) timedStop(n *NewOrder) (Status, bool) {
	d := s.delays
	if n.Status != StatusReadyForHandling || !n.CreatedAt.IsZero() || (d.PaymentApproval == 0 && d.WindowToCancel == 0) {
		return "", false
	}
	if d.PaymentApproval > 0 {
		return awaitingApproval[n.Channel], true
	}
	return StatusWindowToCancel, true
}

// schedulePlatform sets the timer of the (hot) order's next platform step,
// if its status waits for one.
func (a *Account) schedulePlatform(e *entry) {
	o := e.o
	d := a.oms.delays
	var wait time.Duration
	var next Status
	switch o.Status {
	case awaitingApproval[o.channel]:
		wait, next = d.PaymentApproval, StatusReadyForHandling
		if d.WindowToCancel > 0 {
			next = StatusWindowToCancel
		}
	case StatusWindowToCancel:
		wait, next = d.WindowToCancel, StatusReadyForHandling
	default:
		return
	}
	a.oms.clock.After(wait, func() { a.platformStep(e, next) })
}

// platformStep advances the order to next if it is still in this account
// (not replaced by a reset) and still waiting; a canceled order stays
// canceled.
func (a *Account) platformStep(e *entry, next Status) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.orders[e.id] != e {
		return
	}
	if _, err := a.lookupHot(e.id); err != nil {
		return
	}
	defer a.touched(e)
	o := e.o
	path, ok := PathTo(o.Status, next, ByPlatform)
	if !ok {
		return
	}
	now := a.oms.now()
	for _, act := range path {
		if _, err := fire(o, act, ByPlatform, now, a.emitter(o, now)); err != nil {
			return
		}
	}
	a.schedulePlatform(e)
}
