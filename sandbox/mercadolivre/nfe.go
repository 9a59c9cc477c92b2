package mercadolivre

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/brdata"
	"github.com/omsbox/omsbox/sandbox/money"
)

// NFe is what the sandbox reads of an uploaded NF-e XML.
type NFe struct {
	Key    string
	Model  string
	Series string
	Number string
	Total  float64
	Issued string
	// DestCPF or DestCNPJ is the receiver's document, when the note names it.
	DestCPF, DestCNPJ string
}

// nfeDoc is the part of an nfeProc (or a bare NFe) the sandbox reads;
// names are matched whatever their namespace.
type nfeDoc struct {
	XMLName xml.Name
	NFe     *nfeBody `xml:"NFe"`
	InfNFe  *infNFe  `xml:"infNFe"` // a bare <NFe> root
	Prot    struct {
		ChNFe string `xml:"infProt>chNFe"`
		CStat string `xml:"infProt>cStat"`
	} `xml:"protNFe"`
}

type nfeBody struct {
	InfNFe *infNFe `xml:"infNFe"`
}

type infNFe struct {
	ID  string `xml:"Id,attr"`
	Ide struct {
		Mod   string `xml:"mod"`
		Serie string `xml:"serie"`
		NNF   string `xml:"nNF"`
		DhEmi string `xml:"dhEmi"`
	} `xml:"ide"`
	VNF  string `xml:"total>ICMSTot>vNF"`
	Dest struct {
		CPF  string `xml:"CPF"`
		CNPJ string `xml:"CNPJ"`
	} `xml:"dest"`
}

// MaxNFeBytes bounds an uploaded XML.
const MaxNFeBytes = 1 << 20

// ParseNFe reads an NF-e XML: it must be well-formed, an nfeProc or NFe
// root with infNFe, an access key (infNFe Id="NFe<44 digits>" or
// protNFe's chNFe, the two agreeing) whose check digit holds, model 55,
// and a vNF total. The error is the cause to answer.
func ParseNFe(data []byte) (NFe, error) {
	if len(data) > MaxNFeBytes {
		return NFe{}, fmt.Errorf("the XML is larger than %d bytes", MaxNFeBytes)
	}
	// Well-formed: every token up to the end, not only the root element.
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if l := strings.ToLower(label); l == "utf-8" || l == "iso-8859-1" || l == "us-ascii" {
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q is not supported", label)
	}
	roots := 0
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return NFe{}, fmt.Errorf("the XML is not well-formed: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return NFe{}, errors.New("the XML is not well-formed: text outside the root element")
			}
		}
	}
	if roots != 1 {
		return NFe{}, fmt.Errorf("the XML is not well-formed: %d root elements", roots)
	}
	var doc nfeDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return NFe{}, fmt.Errorf("the XML is not well-formed: %v", err)
	}
	var inf *infNFe
	switch doc.XMLName.Local {
	case "nfeProc":
		if doc.NFe != nil {
			inf = doc.NFe.InfNFe
		}
	case "NFe":
		inf = doc.InfNFe
	case "enviNFe":
		return NFe{}, errors.New("a batch (enviNFe) is not supported: send one nfeProc")
	default:
		return NFe{}, fmt.Errorf("the root element is <%s>, not <nfeProc> or <NFe>", doc.XMLName.Local)
	}
	if inf == nil {
		return NFe{}, errors.New("the XML has no NFe/infNFe")
	}
	key := strings.TrimPrefix(strings.TrimSpace(inf.ID), "NFe")
	ch := strings.TrimSpace(doc.Prot.ChNFe)
	switch {
	case key == "" && ch == "":
		return NFe{}, errors.New(`the XML has no access key (infNFe Id="NFe…" or protNFe/infProt/chNFe)`)
	case key == "":
		key = ch
	case ch != "" && ch != key:
		return NFe{}, fmt.Errorf("infNFe Id names the key %s but protNFe's chNFe is %s", clipS(key), clipS(ch))
	}
	if p := brdata.NFeKeyProblem(key); p != "" {
		return NFe{}, &KeyError{fmt.Sprintf("the access key %s %s", clipS(key), p)}
	}
	n := NFe{Key: key, Model: strings.TrimSpace(inf.Ide.Mod), Series: strings.TrimSpace(inf.Ide.Serie),
		Number: strings.TrimSpace(inf.Ide.NNF), Issued: strings.TrimSpace(inf.Ide.DhEmi),
		DestCPF: strings.TrimSpace(inf.Dest.CPF), DestCNPJ: strings.TrimSpace(inf.Dest.CNPJ)}
	if n.Model == "" {
		n.Model = key[20:22]
	}
	if n.Model != "55" || key[20:22] != "55" {
		return NFe{}, &LayoutError{fmt.Sprintf("the note is model %s; Mercado Livre imports model 55 (NF-e) only", clipS(n.Model))}
	}
	v := strings.TrimSpace(inf.VNF)
	if v == "" {
		return NFe{}, errors.New("the XML has no total (total/ICMSTot/vNF)")
	}
	total, err := strconv.ParseFloat(v, 64)
	if err != nil || money.Reais("vNF", total) != nil || math.IsInf(total, 0) {
		return NFe{}, fmt.Errorf("vNF %q is not an amount", clipS(v))
	}
	n.Total = total
	n.Series = strings.TrimLeft(cmpOr(n.Series, strings.TrimLeft(key[22:25], "0")), " ")
	n.Number = cmpOr(n.Number, strings.TrimLeft(key[25:34], "0"))
	return n, nil
}

// KeyError is an access key whose digits are wrong.
type KeyError struct{ msg string }

func (e *KeyError) Error() string { return e.msg }

// LayoutError is a note Mercado Livre does not import (not model 55).
type LayoutError struct{ msg string }

func (e *LayoutError) Error() string { return e.msg }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clipS(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Invoice is an imported NF-e as GET invoice_data answers it.
type Invoice struct {
	ID            int64   `json:"id"`
	SenderID      int64   `json:"sender_id"`
	ShipmentID    int64   `json:"shipment_id"`
	FiscalKey     string  `json:"fiscal_key"`
	InvoiceSerie  string  `json:"invoice_serie"`
	InvoiceNumber string  `json:"invoice_number"`
	InvoiceAmount float64 `json:"invoice_amount"`
	Status        string  `json:"status"`
	InvoiceDate   string  `json:"invoice_date"`
	DateCreated   Time    `json:"date_created"`
	LastUpdated   Time    `json:"last_updated"`
	SiteID        string  `json:"site_id"`
}

func invalidNFe(code, msg string) *Error {
	return &Error{Status: 400, Code: code, Message: msg,
		Cause: []Cause{{Department: "shipments", Type: "error", Code: code, References: []string{"invoice_data"}, Message: msg}}}
}

// UploadInvoice is POST /shipments/{id}/invoice_data: the NF-e of a
// shipment waiting in invoice_pending. It must be well-formed, carry a
// valid key issued by the seller's CNPJ, never used before, with a total
// equal to the shipment's orders' (to the cent).
func (m *Market) UploadInvoice(c Caller, id int64, xmlBody []byte) (Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return s.sellerID }), c, refuse(404, "not_found", "Missing a valid shipment id value")); err != nil {
		return Invoice{}, err
	}
	if s.invoice != nil {
		return Invoice{}, &Error{Status: 409, Code: "shipment_invoice_already_saved", Message: "the shipment already has an invoice"}
	}
	to, err := NextShipmentState(s.state, ShipActInvoice)
	if err != nil {
		return Invoice{}, invalidNFe("invalid_shipment", fmt.Sprintf("the shipment is %s; an NF-e is imported only in invoice_pending", s.state))
	}
	n, err := ParseNFe(xmlBody)
	var ke *KeyError
	var le *LayoutError
	switch {
	case errors.As(err, &ke):
		return Invoice{}, invalidNFe("invalid_fiscal_key", err.Error())
	case errors.As(err, &le):
		return Invoice{}, invalidNFe("nfe_layout_not_supported", err.Error())
	case err != nil:
		return Invoice{}, invalidNFe("malformed_XML", err.Error())
	}
	a := m.apps[s.account]
	if issuer := brdata.NFeKeyCNPJ(n.Key); a != nil && issuer != a.CNPJ {
		return Invoice{}, invalidNFe("invalid_sender_cnpj", fmt.Sprintf("the key names the issuer CNPJ %s, not the seller's %s", issuer, a.CNPJ))
	}
	if other, dup := m.fiscal[n.Key]; dup {
		return Invoice{}, &Error{Status: 409, Code: "duplicated_fiscal_key", Message: fmt.Sprintf("the key %s was already imported for shipment %d", n.Key, other)}
	}
	if math.Abs(math.Round(n.Total*100)-float64(s.totalCents)) > 1 {
		return Invoice{}, invalidNFe("nfe_order_value_divergence",
			fmt.Sprintf("the NF-e total (vNF) is %.2f but the shipment's orders total %.2f", n.Total, reais(s.totalCents)))
	}
	if p := m.receiverProblem(s, n); p != nil {
		return Invoice{}, p
	}
	now := m.clock.Now()
	inv := Invoice{ID: m.newID(100_000_000, 899_999_999), SenderID: s.sellerID, ShipmentID: s.id, FiscalKey: n.Key,
		InvoiceSerie: n.Series, InvoiceNumber: n.Number, InvoiceAmount: n.Total, Status: "approved",
		InvoiceDate: cmpOr(n.Issued, now.In(brt).Format(TimeLayout)), DateCreated: Time(now), LastUpdated: Time(now), SiteID: SiteID}
	s.invoice = &inv
	m.fiscal[n.Key] = s.id
	m.step(s, ShipActInvoice, to, now)
	return inv, nil
}

// InvoiceData is GET /shipments/{id}/invoice_data.
func (m *Market) InvoiceData(c Caller, id int64) (Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shipments[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return s.sellerID }), c, refuse(404, "not_found", "Missing a valid shipment id value")); err != nil {
		return Invoice{}, err
	}
	if s.invoice == nil {
		return Invoice{}, refuse(404, "invoice_not_found", "the shipment %d has no invoice", id)
	}
	return *s.invoice, nil
}

// MaxLabels is how many shipments one label call may ask for.
const MaxLabels = 50

// LabelData is one shipment's label.
type LabelData struct {
	ShipmentID int64
	Tracking   string
	Receiver   string
	Address    string
	Invoice    string
}

// PrintLabels is GET /shipment_labels: every shipment must be the
// caller's and ready_to_print or printed; the first print sets printed.
func (m *Market) PrintLabels(c Caller, ids []int64) ([]LabelData, time.Time, error) {
	if len(ids) == 0 {
		return nil, time.Time{}, refuse(404, "not_found", "Missing a valid shipment id value")
	}
	if len(ids) > MaxLabels {
		return nil, time.Time{}, refuse(400, "shipment_ids", "at most %d shipment ids per call", MaxLabels)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ships []*shipment
	for _, id := range ids {
		s, ok := m.shipments[id]
		if !ok {
			return nil, time.Time{}, refuse(404, "not_found", "Missing a valid shipment id value")
		}
		if s.sellerID != c.SellerID {
			return nil, time.Time{}, refuse(400, "invalid_shipment_caller", "shipment %d is not the caller's", id)
		}
		if _, err := NextShipmentState(s.state, ShipActPrint); err != nil {
			return nil, time.Time{}, refuse(400, "not_printable_status", "shipment %d is %s; labels print in ready_to_ship/ready_to_print or printed", id, s.state)
		}
		ships = append(ships, s)
	}
	now := m.clock.Now()
	out := make([]LabelData, len(ships))
	for i, s := range ships {
		if s.tracking == "" {
			s.tracking = fmt.Sprintf("MEL%dFMDOF01", s.id)
		}
		first := s.firstPrinted == nil
		if first {
			s.firstPrinted = &now
		}
		if first || s.state.Substatus != SubPrinted {
			to, _ := NextShipmentState(s.state, ShipActPrint)
			m.step(s, ShipActPrint, to, now)
		}
		inv := ""
		if s.invoice != nil {
			inv = s.invoice.InvoiceSerie + "-" + s.invoice.InvoiceNumber
		}
		out[i] = LabelData{ShipmentID: s.id, Tracking: s.tracking, Receiver: s.receiver, Invoice: inv,
			Address: fmt.Sprintf("%s, %s · %s · %s - %s · CEP %s", s.address.Street, s.address.Number, s.address.Neighborhood,
				s.address.City, s.address.State, s.address.PostalCode)}
	}
	return out, now, nil
}

// receiverProblem checks what the note says of the sale, when it says
// it: the receiver's CPF or CNPJ must be the buyer's billing document,
// and the issue date may not precede the sale. m.mu held.
func (m *Market) receiverProblem(s *shipment, n NFe) *Error {
	o := m.orders[s.orders[0]]
	if o == nil {
		return nil
	}
	switch {
	case n.DestCNPJ != "" && n.DestCNPJ != o.cnpj:
		return invalidNFe("wrong_receiver_cnpj", fmt.Sprintf("the receiver's CNPJ %s is not the buyer's billing document", clipS(n.DestCNPJ)))
	case n.DestCPF != "" && (o.cnpj != "" || n.DestCPF != o.buyer.CPF):
		return invalidNFe("wrong_receiver_cpf", fmt.Sprintf("the receiver's CPF %s is not the buyer's billing document", clipS(n.DestCPF)))
	}
	if n.Issued != "" {
		at, err := time.Parse(time.RFC3339, n.Issued)
		if err != nil {
			return invalidNFe("malformed_XML", fmt.Sprintf("dhEmi %q is not an ISO-8601 date with offset", clipS(n.Issued)))
		}
		if at.Before(o.created.Truncate(time.Second)) {
			return invalidNFe("wrong_invoice_date", fmt.Sprintf("the note was issued at %s, before the sale (%s)", n.Issued,
				o.created.In(brt).Format(time.RFC3339)))
		}
	}
	return nil
}
