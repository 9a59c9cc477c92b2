package oms

import (
	"fmt"
	"strings"
	"time"
)

// Action names what makes an order change status.
type Action string

// Actions. Platform actions are the steps VTEX itself takes (checkout,
// payment, the window to cancel); the control plane and the sandbox's timers
// drive them. Seller actions come through the OMS API from the ERP.
// Automatic actions follow at once when an order enters a transient status.
const (
	ActionCompleteOrder                   Action = "complete-order"
	ActionRequestAuthorization            Action = "request-authorization"
	ActionRequestPayment                  Action = "request-payment"
	ActionApprovePayment                  Action = "approve-payment"
	ActionDenyPayment                     Action = "deny-payment"
	ActionOpenWindowToCancel              Action = "open-window-to-cancel"
	ActionCloseWindowToCancel             Action = "close-window-to-cancel"
	ActionRequestFulfillmentAuthorization Action = "request-fulfillment-authorization"
	ActionRequestManualAuthorization      Action = "request-manual-authorization"
	ActionAuthorizeFulfillment            Action = "authorize-fulfillment"
	ActionStartHandling                   Action = "start-handling"
	ActionInvoice                         Action = "invoice"
	ActionCancel                          Action = "cancel"
	ActionHandle                          Action = "handle"
	ActionSettleInvoice                   Action = "settle-invoice"
	ActionConfirmCancel                   Action = "confirm-cancel"
)

// Actor says who may take a transition.
type Actor uint8

const (
	// ByPlatform is VTEX itself: checkout, payments, timers; in the sandbox,
	// the control plane and the sandbox's clock.
	ByPlatform Actor = 1 << iota
	// BySeller is the store's ERP, through the OMS API.
	BySeller
	byAnyone = ByPlatform | BySeller
)

// Guard is a rule an order must satisfy for a transition to happen.
type Guard struct {
	Name  string
	Check func(*Order) error
}

// Transition is one row of the transition table.
type Transition struct {
	From   Status
	Action Action
	To     Status
	By     Actor
	// Auto transitions fire as soon as the order enters From.
	Auto  bool
	Guard *Guard
}

var (
	// guardFullyInvoiced: "the order is invoiced only when the sum of the
	// Output invoices equals the order value" (VTEX invoice guide).
	guardFullyInvoiced = &Guard{Name: "output invoices cover the order value", Check: func(o *Order) error {
		if got := o.OutputInvoicedValue(); got < o.Value {
			return fmt.Errorf("output invoices total %d of the order value %d", got, o.Value)
		}
		return nil
	}}
	// guardNotInvoiced: invoiced and partly invoiced orders cannot be
	// canceled (VTEX canceling guide; partly invoiced answers 400).
	guardNotInvoiced = &Guard{Name: "no output invoice", Check: func(o *Order) error {
		if o.OutputInvoicedValue() > 0 {
			return &Error{Kind: KindInvalid, Code: CodeInvalid,
				Message: "Order is partially invoiced and cannot be canceled"}
		}
		return nil
	}}
)

// transitions is the one table every status change goes through. Tests,
// error messages and the control plane's path finder read it; nothing else
// decides whether an order may change status.
//
// The complete flow (the store is marketplace and seller) starts at
// order-created; the seller flow (orders from a marketplace such as B2W)
// starts at order-accepted. Both meet at window-to-cancel.
var transitions = []Transition{
	// Complete flow, platform side.
	{From: StatusOrderCreated, Action: ActionCompleteOrder, To: StatusOnOrderCompleted, By: ByPlatform, Auto: true},
	{From: StatusOnOrderCompleted, Action: ActionRequestAuthorization, To: StatusWaitingForAuthorization, By: ByPlatform},
	{From: StatusWaitingForAuthorization, Action: ActionRequestPayment, To: StatusPaymentPending, By: ByPlatform},
	{From: StatusPaymentPending, Action: ActionApprovePayment, To: StatusPaymentApproved, By: ByPlatform},
	{From: StatusPaymentPending, Action: ActionDenyPayment, To: StatusCancel, By: ByPlatform},
	{From: StatusPaymentApproved, Action: ActionOpenWindowToCancel, To: StatusWindowToCancel, By: ByPlatform},

	// Seller flow, platform side.
	{From: StatusOrderAccepted, Action: ActionRequestFulfillmentAuthorization, To: StatusWaitingFfmtAuthorization, By: ByPlatform},
	{From: StatusOrderAccepted, Action: ActionRequestManualAuthorization, To: StatusWaitingForManualAuthorization, By: ByPlatform},
	{From: StatusWaitingFfmtAuthorization, Action: ActionAuthorizeFulfillment, To: StatusAuthorizeFulfillment, By: ByPlatform},
	{From: StatusWaitingForManualAuthorization, Action: ActionAuthorizeFulfillment, To: StatusAuthorizeFulfillment, By: ByPlatform},
	{From: StatusAuthorizeFulfillment, Action: ActionOpenWindowToCancel, To: StatusWindowToCancel, By: ByPlatform},

	// Both flows: the window to cancel closes and the seller takes over.
	{From: StatusWindowToCancel, Action: ActionCloseWindowToCancel, To: StatusReadyForHandling, By: ByPlatform},
	{From: StatusReadyForHandling, Action: ActionStartHandling, To: StatusStartHandling, By: BySeller},
	{From: StatusStartHandling, Action: ActionHandle, To: StatusHandling, By: ByPlatform, Auto: true},
	{From: StatusHandling, Action: ActionInvoice, To: StatusInvoice, By: BySeller, Guard: guardFullyInvoiced},
	{From: StatusCancellationRequested, Action: ActionInvoice, To: StatusInvoice, By: BySeller, Guard: guardFullyInvoiced},
	{From: StatusInvoice, Action: ActionSettleInvoice, To: StatusInvoiced, By: ByPlatform, Auto: true},

	// Cancellation. Before the seller starts handling, a cancel goes through
	// at once; once handling, it becomes a request the platform (or a second
	// cancel) confirms. Whether an API cancel at ready-for-handling asks
	// first is undocumented (reference gap); the sandbox cancels at once.
	{From: StatusOnOrderCompleted, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusWaitingForAuthorization, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusPaymentPending, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusPaymentApproved, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusOrderAccepted, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusWaitingFfmtAuthorization, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusWaitingForManualAuthorization, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusAuthorizeFulfillment, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusWindowToCancel, Action: ActionCancel, To: StatusCancel, By: byAnyone},
	{From: StatusReadyForHandling, Action: ActionCancel, To: StatusCancel, By: byAnyone, Guard: guardNotInvoiced},
	{From: StatusHandling, Action: ActionCancel, To: StatusCancellationRequested, By: byAnyone, Guard: guardNotInvoiced},
	{From: StatusCancellationRequested, Action: ActionCancel, To: StatusCancel, By: byAnyone, Guard: guardNotInvoiced},
	{From: StatusCancel, Action: ActionConfirmCancel, To: StatusCanceled, By: ByPlatform, Auto: true},
}

// Change is one accepted status change.
type Change struct {
	From, To Status
	Action   Action
	// Since is when the order entered From.
	Since time.Time
}

// Allowed returns the statuses from which by may take action, in table order.
func Allowed(action Action, by Actor) []Status {
	var out []Status
	for _, t := range transitions {
		if t.Action == action && t.By&by != 0 {
			out = append(out, t.From)
		}
	}
	return out
}

func find(from Status, action Action, by Actor) (Transition, bool) {
	for _, t := range transitions {
		if t.From == from && t.Action == action && t.By&by != 0 {
			return t, true
		}
	}
	return Transition{}, false
}

func autoFrom(s Status) (Transition, bool) {
	for _, t := range transitions {
		if t.From == s && t.Auto {
			return t, true
		}
	}
	return Transition{}, false
}

// illegal builds VTEX's OMS003 refusal from the table: the message names
// the statuses the action needs, as VTEX's own start-handling message does.
func illegal(o *Order, action Action, by Actor) *Error {
	allowed := Allowed(action, by)
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = string(s)
	}
	msg := fmt.Sprintf("Order status should be %s to perform this action", strings.Join(names, " or "))
	if len(names) == 0 {
		msg = fmt.Sprintf("Action %s is not available", action)
	}
	return &Error{Kind: KindConflict, Code: CodeIllegalTransition, Message: msg,
		Detail: fmt.Sprintf("order %s is %s", o.OrderID, o.Status)}
}

// fire takes action on o through the table, then follows automatic
// transitions. It returns the changes in order; on refusal o is untouched.
// emit, if not nil, hears each change as soon as the order stands in its
// new status, so that whoever reads the order then sees that status.
func fire(o *Order, action Action, by Actor, now time.Time, emit func(Change)) ([]Change, error) {
	t, ok := find(o.Status, action, by)
	if !ok {
		return nil, illegal(o, action, by)
	}
	if t.Guard != nil {
		if err := t.Guard.Check(o); err != nil {
			if e, ok := err.(*Error); ok {
				return nil, e
			}
			return nil, &Error{Kind: KindConflict, Code: CodeIllegalTransition,
				Message: fmt.Sprintf("Cannot %s: the rule %q does not hold: %v", action, t.Guard.Name, err)}
		}
	}
	changes := []Change{step(o, t, now, emit)}
	return append(changes, settle(o, now, emit)...), nil
}

// settle follows the automatic transitions out of o's status.
func settle(o *Order, now time.Time, emit func(Change)) []Change {
	var changes []Change
	for {
		next, ok := autoFrom(o.Status)
		if !ok || (next.Guard != nil && next.Guard.Check(o) != nil) {
			return changes
		}
		changes = append(changes, step(o, next, now, emit))
	}
}

// step moves o along one row and tells emit.
func step(o *Order, t Transition, now time.Time, emit func(Change)) Change {
	c := Change{From: o.Status, To: t.To, Action: t.Action, Since: o.LastChange.Time}
	enter(o, t.To, now)
	if emit != nil {
		emit(c)
	}
	return c
}

// enter sets s on o with the fields VTEX keeps in step with the status.
func enter(o *Order, s Status, now time.Time) {
	o.Status = s
	o.StatusDescription = s.Description()
	o.LastChange = Time{now}
	_, o.AllowCancellation = find(s, ActionCancel, BySeller)
	o.IsCompleted = s != StatusOrderCreated
	switch s {
	case StatusPaymentApproved, StatusAuthorizeFulfillment:
		if o.AuthorizedDate == nil {
			o.AuthorizedDate = &Time{now}
		}
	case StatusInvoiced:
		o.InvoicedDate = &Time{now}
	case StatusCanceled:
		// A fresh copy: fire may run on a shallow trial copy of the order.
		cd := CancellationData{RequestedBySystem: ptr(true)}
		if o.CancellationData != nil {
			cd = *o.CancellationData
		}
		cd.CancellationDate = ptr(Time{now}.String())
		o.CancellationData = &cd
	}
}

// PathTo returns the shortest sequence of actions by which by can move an
// order from one status to another, following the table (guards are checked
// when the actions are taken, not here). ok is false when to cannot be
// reached.
func PathTo(from, to Status, by Actor) (path []Action, ok bool) {
	if from == to {
		return nil, true
	}
	type step struct {
		prev   Status
		action Action
	}
	seen := map[Status]step{from: {}}
	queue := []Status{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, t := range transitions {
			if t.From != cur || (t.By&by == 0 && !t.Auto) {
				continue
			}
			if _, done := seen[t.To]; done {
				continue
			}
			seen[t.To] = step{cur, t.Action}
			if t.To == to {
				for s := to; s != from; s = seen[s].prev {
					if !isAuto(seen[s].prev, seen[s].action) {
						path = append([]Action{seen[s].action}, path...)
					}
				}
				return path, true
			}
			queue = append(queue, t.To)
		}
	}
	return nil, false
}

func isAuto(from Status, action Action) bool {
	t, ok := autoFrom(from)
	return ok && t.Action == action
}

func ptr[T any](v T) *T { return &v }
