package oms

import (
	"time"
)

// CancelRequest is the body of POST .../cancel.
type CancelRequest struct {
	Reason          *string `json:"reason"`
	RequestedByUser *bool   `json:"requestedByUser"`
}

// Cancel cancels the order through the transition table: at once before
// handling starts, as a cancellation request once the order is handled (the
// platform or a second cancel confirms it). Invoiced orders refuse (409),
// partly invoiced ones too (400).
func (a *Account) Cancel(id string, req CancelRequest) (Receipt, error) {
	var r Receipt
	err := a.mutate(id, func(o *Order, now time.Time) error {
		// Check on a copy first: the reason is recorded only if the
		// transition is taken.
		trial := *o
		if _, err := fire(&trial, ActionCancel, BySeller, now, nil); err != nil {
			return err
		}
		byUser := req.RequestedByUser != nil && *req.RequestedByUser
		if req.Reason != nil || o.CancelReason == nil {
			// A confirming cancel without a reason keeps the request's.
			o.CancelReason = req.Reason
		}
		o.CancellationData = &CancellationData{RequestedByUser: byUser, RequestedBySystem: ptr(false),
			RequestedBySellerNotification: ptr(!byUser), RequestedByPaymentNotification: ptr(false), Reason: o.CancelReason}
		_, _ = fire(o, ActionCancel, BySeller, now, a.emitter(o, now))
		r = a.receipt(o, now)
		return nil
	})
	return r, err
}
