package vtex

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/omsbox/omsbox/sandbox/oms"
)

// errorBody is VTEX's OMS error: {"error":{"code","message","exception"}}.
type errorBody struct {
	Error struct {
		Code      string  `json:"code"`
		Message   string  `json:"message"`
		Exception *string `json:"exception"`
	} `json:"error"`
}

// Codes for refusals the domain does not make. VTEX documents "1" for
// unauthorized access; the rest are the sandbox's choice (reference gap).
const (
	codeUnauthorized = "1"
	codeForbidden    = "2"
	codeBadRequest   = "OMS001"
	codeNoAccount    = "OMS010"
	codeNoRoute      = "OMS404"
	codeInternal     = "OMS500"
)

// DetailHeader carries what the sandbox knows beyond VTEX's own message
// (for instance the order's current status on an OMS003), so clients that
// match VTEX's wording keep working and people still see why.
const DetailHeader = "X-Omsbox-Detail"

// WriteError writes VTEX's error body with status.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, message
	body, _ := json.Marshal(b)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// validationError is the openapi.ErrorWriter for the VTEX API.
func validationError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	code := codeBadRequest
	if status >= 500 {
		code = codeInternal
	}
	WriteError(w, status, code, message)
}

// statusOf maps domain refusals to VTEX's status codes.
var statusOf = map[oms.Kind]int{
	oms.KindInvalid:  http.StatusBadRequest,
	oms.KindNotFound: http.StatusNotFound,
	oms.KindConflict: http.StatusConflict,
}

// fail answers a domain error; anything else is the sandbox's own fault.
func fail(w http.ResponseWriter, err error) {
	if e, ok := oms.AsError(err); ok {
		if e.Detail != "" {
			w.Header().Set(DetailHeader, e.Detail)
		}
		WriteError(w, statusOf[e.Kind], e.Code, e.Message)
		return
	}
	WriteError(w, http.StatusInternalServerError, codeInternal, "omsbox internal error: "+err.Error())
}

// WriteFault answers for an injected fault: VTEX's error body with the
// status's code and text, e.g. 429 "Too Many Requests".
func WriteFault(w http.ResponseWriter, status int) {
	WriteError(w, status, strconv.Itoa(status), http.StatusText(status))
}
