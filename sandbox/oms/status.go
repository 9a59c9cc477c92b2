package oms

// Status is a VTEX order status code, as in the order's "status" field.
type Status string

// The statuses VTEX documents (Help Center "Order flow and status" and the
// feed filter list). Statuses marked transient in the statuses table are set
// by the platform and left at once.
const (
	StatusOrderCreated                  Status = "order-created"
	StatusOnOrderCompleted              Status = "on-order-completed"
	StatusOnOrderCompletedFfm           Status = "on-order-completed-ffm"
	StatusOrderAccepted                 Status = "order-accepted"
	StatusWaitingForAuthorization       Status = "waiting-for-authorization"
	StatusWaitingForSellersConfirmation Status = "waiting-for-sellers-confirmation"
	StatusPaymentPending                Status = "payment-pending"
	StatusApprovePayment                Status = "approve-payment"
	StatusPaymentApproved               Status = "payment-approved"
	StatusWindowToChangePayment         Status = "window-to-change-payment"
	StatusWindowToChangeSeller          Status = "window-to-change-seller"
	StatusWaitingFfmtAuthorization      Status = "waiting-ffmt-authorization"
	StatusWaitingForManualAuthorization Status = "waiting-for-manual-authorization"
	StatusAuthorizeFulfillment          Status = "authorize-fulfillment"
	StatusWaitingForMktAuthorization    Status = "waiting-for-mkt-authorization"
	StatusWaitingSellerHandling         Status = "waiting-seller-handling"
	StatusWindowToCancel                Status = "window-to-cancel"
	StatusReadyForHandling              Status = "ready-for-handling"
	StatusStartHandling                 Status = "start-handling"
	StatusHandling                      Status = "handling"
	StatusWaitingForFulfillment         Status = "waiting-for-fulfillment"
	StatusReadyForInvoicing             Status = "ready-for-invoicing"
	StatusInvoice                       Status = "invoice"
	StatusInvoiced                      Status = "invoiced"
	StatusRequestCancel                 Status = "request-cancel"
	StatusWaitingForSellerDecision      Status = "waiting-for-seller-decision"
	StatusCancellationRequested         Status = "cancellation-requested"
	StatusCancel                        Status = "cancel"
	StatusCanceled                      Status = "canceled"
	StatusReplaced                      Status = "replaced"
	StatusInvoiceAfterCancellationDeny  Status = "invoice-after-cancellation-deny"
	StatusOrderCreateError              Status = "order-create-error"
	StatusOrderCreationError            Status = "order-creation-error"
	StatusCancellationRequestDenied     Status = "cancellation-request-denied"
)

// StatusInfo describes one status.
type StatusInfo struct {
	Status Status
	// Description is the Admin's Portuguese label, which VTEX still sends
	// as the obsolete statusDescription field.
	Description string
	// Transient statuses are set by the platform and left at once by an
	// automatic transition; users cannot act on them.
	Transient bool
	// Final statuses accept no further status change.
	Final bool
	// Modelled is false for statuses VTEX documents but no flow the sandbox
	// carries reaches (WMS and pick-and-pack steps, marketplace-view cancel
	// negotiation, replacement and error statuses). They are kept so that
	// filters and tests know every documented code; Why says what is missing.
	Modelled bool
	Why      string
}

// statuses is the status table. Descriptions follow the Portuguese Admin
// labels where VTEX publishes them (statusDescription is obsolete and may
// be empty in VTEX itself).
var statuses = []StatusInfo{
	{StatusOrderCreated, "Processando", true, false, true, ""},
	{StatusOnOrderCompleted, "Processando", false, false, true, ""},
	{StatusOnOrderCompletedFfm, "Processando", false, false, false, "seller-flow twin of on-order-completed; the seller flow starts at order-accepted"},
	{StatusOrderAccepted, "Processando", false, false, true, ""},
	{StatusWaitingForAuthorization, "Aguardando autorização para despachar", false, false, true, ""},
	{StatusWaitingForSellersConfirmation, "Aguardando confirmação do seller", false, false, false, "multi-seller marketplace confirmation is not simulated"},
	{StatusPaymentPending, "Pagamento Pendente", false, false, true, ""},
	{StatusApprovePayment, "Preparando Entrega", true, false, false, "internal step the documented flow passes over"},
	{StatusPaymentApproved, "Pagamento Aprovado", false, false, true, ""},
	{StatusWindowToChangePayment, "Janela para alterar pagamento", false, false, false, "payment change window is not simulated"},
	{StatusWindowToChangeSeller, "Janela para alterar seller", false, false, false, "seller change window is not simulated"},
	{StatusWaitingFfmtAuthorization, "Aguardando autorização do marketplace", false, false, true, ""},
	{StatusWaitingForManualAuthorization, "Aguardando autorização do fulfillment", false, false, true, ""},
	{StatusAuthorizeFulfillment, "Aguardando decisão do seller", false, false, true, ""},
	{StatusWaitingForMktAuthorization, "Aguardando autorização do marketplace", false, false, false, "chain flow is not simulated"},
	{StatusWaitingSellerHandling, "Aguardando seller", false, false, false, "multilevel omnichannel inventory is not simulated"},
	{StatusWindowToCancel, "Carência para Cancelamento", false, false, true, ""},
	{StatusReadyForHandling, "Pronto para o manuseio", false, false, true, ""},
	{StatusStartHandling, "Iniciar Manuseio", true, false, true, ""},
	{StatusHandling, "Preparando Entrega", false, false, true, ""},
	{StatusWaitingForFulfillment, "Aguardando fulfillment", false, false, false, "WMS flow is not simulated"},
	{StatusReadyForInvoicing, "Pronto para faturamento", false, false, false, "pick-and-pack flow is not simulated"},
	{StatusInvoice, "Verificando Fatura", true, false, true, ""},
	{StatusInvoiced, "Faturado", false, true, true, ""},
	{StatusRequestCancel, "Solicitar cancelamento", false, false, false, "marketplace-view cancel negotiation is not simulated"},
	{StatusWaitingForSellerDecision, "Aguardando decisão do seller", false, false, false, "marketplace-view cancel negotiation is not simulated"},
	{StatusCancellationRequested, "Cancelamento solicitado", false, false, true, ""},
	{StatusCancel, "Cancelando", true, false, true, ""},
	{StatusCanceled, "Cancelado", false, true, true, ""},
	{StatusReplaced, "Substituído", false, true, false, "order replacement is not simulated"},
	{StatusInvoiceAfterCancellationDeny, "Faturado após negar cancelamento", false, false, false, "cancel denial is not simulated"},
	{StatusOrderCreateError, "Erro na criação do pedido", false, true, false, "creation errors are not simulated"},
	{StatusOrderCreationError, "Erro na criação do pedido", false, true, false, "creation errors are not simulated"},
	{StatusCancellationRequestDenied, "Cancelamento negado", false, false, false, "cancel denial is not simulated"},
}

var statusIndex = func() map[Status]*StatusInfo {
	m := make(map[Status]*StatusInfo, len(statuses))
	for i := range statuses {
		m[statuses[i].Status] = &statuses[i]
	}
	return m
}()

// Info returns the table row of s.
func (s Status) Info() (StatusInfo, bool) {
	i, ok := statusIndex[s]
	if !ok {
		return StatusInfo{}, false
	}
	return *i, true
}

// Known tells whether s is a documented VTEX status.
func (s Status) Known() bool { _, ok := statusIndex[s]; return ok }

// Description is the Admin label sent as statusDescription.
func (s Status) Description() string {
	if i, ok := statusIndex[s]; ok {
		return i.Description
	}
	return ""
}

// Final tells whether no status change may follow s.
func (s Status) Final() bool {
	i, ok := statusIndex[s]
	return ok && i.Final
}
