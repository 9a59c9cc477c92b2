// Package skyhub owns the SkyHub (B2W / Americanas marketplace hub) side of
// the sandbox: sellers and their credentials, SkyHub orders with their own
// status model and transition table, the one-order-at-a-time integration
// queue, and B2W Entrega's PLP grouping and Coleta (pickup) requests. It
// knows nothing of VTEX; the bridge package links the two.
package skyhub

import (
	"fmt"
	"slices"
	"strings"
)

// Type is a SkyHub status type, the standard meaning of a status code.
type Type string

// Status types.
const (
	New               Type = "NEW"
	Approved          Type = "APPROVED"
	Invoiced          Type = "INVOICED"
	Shipped           Type = "SHIPPED"
	Delivered         Type = "DELIVERED"
	ShipmentException Type = "SHIPMENT_EXCEPTION"
	Canceled          Type = "CANCELED"
)

// Status is one status of the account: the code clients send and filter
// on, its label and its type.
type Status struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Type  Type   `json:"type"`
}

// statuses are SkyHub's default status codes.
var statuses = []Status{
	{"book_product", "Pagamento Pendente (SkyHub)", New},
	{"payment_received", "Aprovado (SkyHub)", Approved},
	{"order_invoiced", "Pagamento Faturado (SkyHub)", Invoiced},
	{"order_shipped", "Pedido Enviado (SkyHub)", Shipped},
	{"complete", "Completo (entregue) (SkyHub)", Delivered},
	{"shipment_exception", "Exceção de Entrega (SkyHub)", ShipmentException},
	{"order_canceled", "Cancelado (SkyHub)", Canceled},
}

func statusByCode(code string) (Status, bool) {
	i := slices.IndexFunc(statuses, func(s Status) bool { return s.Code == code })
	if i < 0 {
		return Status{}, false
	}
	return statuses[i], true
}

func statusOfType(t Type) Status {
	i := slices.IndexFunc(statuses, func(s Status) bool { return s.Type == t })
	return statuses[i]
}

// Actor says who moves an order.
type Actor uint8

const (
	// BySeller is the seller's ERP, through the API.
	BySeller Actor = 1 << iota
	// ByMarketplace is B2W itself: approval, and for B2W Entrega orders
	// shipping and delivery; in the sandbox, the control plane and the
	// test-order routes.
	ByMarketplace
)

// Transition is one row of SkyHub's transition table. Only "422 on an
// invalid transition" is documented; the rows follow the reference's
// reading of the status model.
type Transition struct {
	From   []Type
	Action string // the route: approval, invoice, shipments, delivery, shipment_exception, cancel
	To     Type
	By     Actor
	// Guard names a rule; check enforces it.
	Guard string
	check func(*Order) error
}

// sellerShipsItself: for B2W Entrega orders B2W moves the order to SHIPPED
// and DELIVERED; the seller updates only up to INVOICED.
func sellerShipsItself(o *Order) error {
	if o.b2wEntrega() {
		return fmt.Errorf("order %s ships with B2W Entrega (%s): B2W moves it to SHIPPED and DELIVERED itself", o.Code, o.calc())
	}
	return nil
}

var transitions = []Transition{
	{From: []Type{New}, Action: "approval", To: Approved, By: ByMarketplace},
	{From: []Type{Approved}, Action: "invoice", To: Invoiced, By: BySeller},
	{From: []Type{Invoiced}, Action: "shipments", To: Shipped, By: BySeller, Guard: "seller ships itself", check: sellerShipsItself},
	{From: []Type{Invoiced}, Action: "shipments", To: Shipped, By: ByMarketplace},
	{From: []Type{Shipped, ShipmentException}, Action: "delivery", To: Delivered, By: BySeller, Guard: "seller ships itself", check: sellerShipsItself},
	{From: []Type{Shipped, ShipmentException}, Action: "delivery", To: Delivered, By: ByMarketplace},
	{From: []Type{Shipped}, Action: "shipment_exception", To: ShipmentException, By: BySeller},
	{From: []Type{New, Approved, Invoiced}, Action: "cancel", To: Canceled, By: BySeller | ByMarketplace},
}

// move applies an action to the order's status through the table.
func move(o *Order, action string, by Actor) (Type, error) {
	cur := o.Status.Type
	var refusals []string
	var from []string
	for _, t := range transitions {
		if t.Action != action || t.By&by == 0 {
			continue
		}
		for _, f := range t.From {
			from = append(from, string(f))
		}
		if !slices.Contains(t.From, cur) {
			continue
		}
		if t.check != nil {
			if err := t.check(o); err != nil {
				refusals = append(refusals, err.Error())
				continue
			}
		}
		return t.To, nil
	}
	if len(refusals) > 0 {
		return "", &Error{Status: 422, Message: refusals[0]}
	}
	if len(from) == 0 {
		return "", &Error{Status: 422, Message: fmt.Sprintf("%s is not allowed", action)}
	}
	slices.Sort(from)
	from = slices.Compact(from)
	return "", &Error{Status: 422, Message: fmt.Sprintf("Order %s is %s; %s needs it %s",
		o.Code, cur, action, strings.Join(from, " or "))}
}

// Error is a refusal with SkyHub's status code.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }
