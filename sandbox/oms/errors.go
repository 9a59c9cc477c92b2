package oms

import (
	"errors"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
)

// Kind classifies a refusal; the API layer maps it to a status code.
type Kind int

const (
	// KindInvalid: the request breaks a business rule (400).
	KindInvalid Kind = iota + 1
	// KindNotFound: no such order in the account (404).
	KindNotFound
	// KindConflict: the order's status does not allow the action (409).
	KindConflict
)

// Error codes in VTEX's OMS error body. VTEX documents only OMS003; OMS007
// ("Order Not Found") is what VTEX's own clients parse. The others are the
// sandbox's choice (reference gap: VTEX publishes no other codes).
const (
	CodeIllegalTransition = "OMS003"
	CodeNotFound          = "OMS007"
	CodeInvalid           = "OMS001"
	CodeNoInvoice         = "OMS008" // no invoice with that number
	CodePrecondition      = "OMS009" // the order or invoice lacks what the call needs
)

// Error is a refusal by the domain. The order is left untouched.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Detail adds what the sandbox knows (the order's current status, the
	// field at fault); it goes to logs and the journal, not into VTEX's
	// message, so clients that match VTEX's wording keep working.
	Detail string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Message + " (" + e.Detail + ")"
	}
	return e.Message
}

// AsError returns err as a domain *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func notFound(id string) *Error {
	return &Error{Kind: KindNotFound, Code: CodeNotFound, Message: "Order Not Found", Detail: "order " + clip.ID(id)}
}

func invalid(format string, a ...any) *Error {
	return &Error{Kind: KindInvalid, Code: CodeInvalid, Message: fmt.Sprintf(format, a...)}
}
