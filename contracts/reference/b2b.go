package reference

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The ERP's B2B look-up API: the three endpoints VTEX's B2B Orders app
// calls so that a company's buyers see its orders, those placed on VTEX
// and those taken by phone in the ERP (telesales), with their invoices.
// The contract is openapi/b2b-erp.yaml. The connector answers from its own
// store, as an ERP answers from its database: VTEX is never asked.
//
// A company (the app's revendaId) is the root of its CNPJ, the first 8
// digits, as an integer: every branch of a company sees its orders. An
// order belongs to the company whose CNPJ its corporate buyer gave.

// b2bStatus maps a VTEX status to the app's status ints: -1 Cancelado,
// 0 Recebido, 1 Liberação Comercial, 2 Liberação Financeira, 3 Em
// Separação, 4 Despachado, 5 Entregue (delivered is an invoiced order
// whose packages are all delivered).
var b2bStatus = map[string]int{
	"order-created": 0, "order-accepted": 0, "payment-pending": 0,
	"waiting-for-seller-confirmation": 1, "window-to-cancel": 1,
	"payment-approved": 2, "ready-for-handling": 2,
	"start-handling": 3, "handling": 3, "cancellation-requested": 3,
	"invoiced": 4,
	"canceled": -1,
}

// b2bDoc is the part of VTEX's order document the B2B look-up reads.
type b2bDoc struct {
	OrderID      string `json:"orderId"`
	Sequence     string `json:"sequence"`
	Status       string `json:"status"`
	Value        int64  `json:"value"`
	CreationDate string `json:"creationDate"`
	Items        []struct {
		ID       string `json:"id"`
		RefID    string `json:"refId"`
		Name     string `json:"name"`
		Quantity int    `json:"quantity"`
		Price    int64  `json:"price"`
	} `json:"items"`
	Totals []struct {
		ID    string `json:"id"`
		Value int64  `json:"value"`
	} `json:"totals"`
	ClientProfileData struct {
		Email             string  `json:"email"`
		FirstName         string  `json:"firstName"`
		LastName          string  `json:"lastName"`
		Document          string  `json:"document"`
		CorporateName     *string `json:"corporateName"`
		CorporateDocument *string `json:"corporateDocument"`
	} `json:"clientProfileData"`
	OpenTextField *struct {
		Value string `json:"value"`
	} `json:"openTextField"`
	ShippingData struct {
		Address struct {
			Street, Number, Neighborhood, City, State, PostalCode string
		} `json:"address"`
		LogisticsInfo []struct {
			DeliveryCompany      string `json:"deliveryCompany"`
			ShippingEstimateDate string `json:"shippingEstimateDate"`
		} `json:"logisticsInfo"`
	} `json:"shippingData"`
	PaymentData struct {
		Transactions []struct {
			Payments []struct {
				PaymentSystemName string `json:"paymentSystemName"`
				Group             string `json:"group"`
				Installments      int    `json:"installments"`
			} `json:"payments"`
		} `json:"transactions"`
	} `json:"paymentData"`
	PackageAttachment struct {
		Packages []struct {
			Type          string  `json:"type"`
			InvoiceNumber string  `json:"invoiceNumber"`
			InvoiceKey    *string `json:"invoiceKey"`
			InvoiceURL    *string `json:"invoiceUrl"`
			TrackingURL   *string `json:"trackingUrl"`
			CourierStatus *struct {
				Finished bool `json:"finished"`
			} `json:"courierStatus"`
		} `json:"packages"`
	} `json:"packageAttachment"`
}

// b2bOrder is one order as the B2B look-up shows it: a VTEX order or a
// telesales order.
type b2bOrder struct {
	erpID, webID, po string
	company          int
	cnpj, cpf, name  string
	status           int
	created          time.Time
	total, freight   float64
	items            []b2bItem
	invoice          string // the last Output invoice's number
	invoiceKey       string
	invoiceURL       string
	payment, group   string
	installments     int
	courier          string
	trackingURL      string
	address          string
	city, state, cep string
	estimate         string
}

type b2bItem struct {
	PartNumber  string  `json:"partNumber"`
	Description string  `json:"descricaoDoProduto"`
	Quantity    float64 `json:"quantidade"`
	Unit        float64 `json:"valorUnitario"`
	Total       float64 `json:"valorTotal"`
	Commission  float64 `json:"comissao"`
}

// Company returns the company id (the app's revendaId) of a CNPJ: its
// root, the first 8 digits.
func Company(cnpj string) int {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, cnpj)
	if len(digits) != 14 {
		return 0
	}
	n, _ := strconv.Atoi(digits[:8])
	return n
}

// b2bView turns a stored order into its B2B view; ok is false for an
// order of no company (a consumer's).
func b2bView(o StoredOrder) (b2bOrder, bool) {
	if o.Telesales != nil {
		return o.Telesales.view(), true
	}
	var d b2bDoc
	if json.Unmarshal(o.Order, &d) != nil || d.ClientProfileData.CorporateDocument == nil {
		return b2bOrder{}, false
	}
	c := d.ClientProfileData
	v := b2bOrder{erpID: ERPNumber(d.Sequence), webID: d.OrderID, company: Company(*c.CorporateDocument),
		cnpj: *c.CorporateDocument, cpf: c.Document, name: strings.TrimSpace(c.FirstName + " " + c.LastName),
		total: reais(d.Value), address: d.ShippingData.Address.Street + ", " + d.ShippingData.Address.Number + " - " + d.ShippingData.Address.Neighborhood,
		city: d.ShippingData.Address.City, state: d.ShippingData.Address.State, cep: d.ShippingData.Address.PostalCode}
	if c.CorporateName != nil {
		v.name = *c.CorporateName
	}
	if d.OpenTextField != nil {
		v.po = d.OpenTextField.Value
	}
	v.status = b2bStatus[d.Status] // an unknown status reads as 0, Recebido
	v.created, _ = time.Parse(time.RFC3339Nano, d.CreationDate)
	for _, t := range d.Totals {
		if t.ID == "Shipping" {
			v.freight = reais(t.Value)
		}
	}
	for _, it := range d.Items {
		v.items = append(v.items, b2bItem{PartNumber: cmp.Or(it.RefID, it.ID), Description: it.Name, Quantity: float64(it.Quantity),
			Unit: reais(it.Price), Total: reais(it.Price * int64(it.Quantity))})
	}
	delivered := len(d.PackageAttachment.Packages) > 0
	for _, p := range d.PackageAttachment.Packages {
		if p.Type != "Output" {
			continue
		}
		v.invoice = p.InvoiceNumber
		v.invoiceKey, v.invoiceURL, v.trackingURL = deref(p.InvoiceKey), deref(p.InvoiceURL), deref(p.TrackingURL)
		delivered = delivered && p.CourierStatus != nil && p.CourierStatus.Finished
	}
	if d.Status == "invoiced" && delivered {
		v.status = 5
	}
	for _, t := range d.PaymentData.Transactions {
		for _, p := range t.Payments {
			v.payment, v.group, v.installments = p.PaymentSystemName, p.Group, p.Installments
		}
	}
	if li := d.ShippingData.LogisticsInfo; len(li) > 0 {
		v.courier, v.estimate = li[0].DeliveryCompany, li[0].ShippingEstimateDate
	}
	return v, true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ERPNumber is the ERP's own number of a VTEX order: "PV" and the order's
// sequence, so that it is stable across restarts and readable on a phone
// call.
func ERPNumber(sequence string) string { return "PV" + sequence }

func (v b2bOrder) summary() map[string]any {
	return map[string]any{"pedidoErpId": v.erpID, "pedidoClienteId": v.po, "totalPedido": v.total, "status": v.status,
		"dataPedido": v.created.Format(time.RFC3339), "observacao": "", "notaFiscal": v.invoice, "serieNotaFiscal": v.series()}
}

// series is the invoice's series, from its NF-e key (positions 23–25).
func (v b2bOrder) series() string {
	if len(v.invoiceKey) == 44 {
		return strings.TrimLeft(v.invoiceKey[22:25], "0")
	}
	if v.invoice != "" {
		return "1"
	}
	return ""
}

func (v b2bOrder) detail() map[string]any {
	items := v.items
	if items == nil {
		items = []b2bItem{}
	}
	return map[string]any{
		"pedidoErpId": v.erpID, "status": v.status, "itens": items, "revendaId": v.company,
		"clienteFinalId": v.cnpj, "clienteFinalCnpj": v.cnpj, "clienteFinalCpf": v.cpf, "clienteFinalNome": v.name,
		"valorFrete": v.freight, "valorTotalPedido": v.total, "dataPedido": v.created.Format(time.RFC3339),
		"dataPrevisaoEntrega": v.estimate, "observacao": "", "notaFiscal": v.invoice, "serieNotaFiscal": v.series(),
		"paymentMethod": v.payment, "paymentOptions": fmt.Sprintf("%dx", max(v.installments, 1)),
		"linkTransportadora": v.trackingURL, "deliveryMethod": v.courier,
		"billingAddressCorpname": v.name, "billingAddressFormattedAddres": v.address, "billingAddressCity": v.city,
		"billingAddressState": v.state, "billingAddresszipcode": v.cep,
		"deliveryAddressCorpname": v.name, "deliveryAddressformattedAddres": v.address, "deliveryAddressCity": v.city,
		"deliveryAddressState": v.state, "deliveryAddresszipcode": v.cep,
		"centrosDeDistribuicao": []map[string]any{{"distributionCenterPrefix": "CD1", "itens": items,
			"valorFrete": v.freight, "valorTotalCD": v.total}},
	}
}

// files are the order's documents: the DANFE and the NF-e XML once
// invoiced, and the boleto's copy for a boleto payment not yet invoiced.
func (v b2bOrder) files(base string) []map[string]any {
	out := []map[string]any{}
	if v.group == "bankInvoice" && v.invoice == "" {
		out = append(out, map[string]any{"tipoArquivo": 0, "descricao": "Segunda via do boleto",
			"url": base + "/arquivos/" + v.erpID + "/boleto.pdf"})
	}
	if v.invoice != "" {
		danfe := cmp.Or(v.invoiceURL, base+"/arquivos/"+v.erpID+"/danfe-"+v.invoice+".pdf")
		out = append(out,
			map[string]any{"tipoArquivo": 3, "descricao": "DANFE da nota " + v.invoice, "url": danfe},
			map[string]any{"tipoArquivo": 2, "descricao": "XML da NF-e " + v.invoice, "url": base + "/arquivos/" + v.erpID + "/nfe-" + v.invoice + ".xml"})
	}
	return out
}

// B2BHandler serves the ERP's B2B look-up API, every spelling the app and
// its README use (a slash before the query or not, any case), behind the
// bearer token.
func (c *Connector) B2BHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.b2bAuthorized(r) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"mensagem": "token inválido ou ausente"})
			return
		}
		path := strings.TrimSuffix(strings.ToLower(r.URL.Path), "/")
		switch {
		case r.Method == http.MethodPost && path == "/api/v1/pedido/pesquisa":
			c.b2bSearch(w, r)
		case r.Method == http.MethodGet && path == "/api/v1/pedido":
			c.b2bOne(w, r, func(v b2bOrder) any { return v.detail() })
		case r.Method == http.MethodGet && path == "/api/v1/arquivospedido":
			base := "http://" + r.Host
			c.b2bOne(w, r, func(v b2bOrder) any { return map[string]any{"pedidoErpId": v.erpID, "itens": v.files(base)} })
		default:
			writeJSON(w, http.StatusNotFound, map[string]string{"mensagem": "rota " + r.Method + " " + r.URL.Path + " não existe"})
		}
	})
}

func (c *Connector) b2bAuthorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && c.cfg.B2BToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(c.cfg.B2BToken)) == 1
}

// companyOrders returns the B2B views of one company's orders, oldest
// first. Never another company's: the company is the first filter.
func (c *Connector) companyOrders(company int) []b2bOrder {
	var out []b2bOrder
	for _, o := range c.store.all() {
		if v, ok := b2bView(o); ok && v.company == company && company != 0 {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b b2bOrder) int { return a.created.Compare(b.created) })
	return out
}

// b2bOne answers the detail or the documents of one order of the company:
// pedidoErpId is the ERP's number, or (as the app's number searches send
// whatever was typed) the web order number.
func (c *Connector) b2bOne(w http.ResponseWriter, r *http.Request, show func(b2bOrder) any) {
	q := r.URL.Query()
	company, err := strconv.Atoi(q.Get("revendaId"))
	id := strings.TrimSpace(q.Get("pedidoErpId"))
	if err != nil || id == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"mensagem": "pedidoErpId e revendaId (número) são obrigatórios"})
		return
	}
	for _, v := range c.companyOrders(company) {
		if strings.EqualFold(v.erpID, id) || v.webID == id {
			writeJSON(w, http.StatusOK, show(v))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"mensagem": "pedido " + id + " não encontrado para a revenda " + q.Get("revendaId")})
}

// b2bSearch answers a search by code (web number, the buyer's PO, the
// ERP's number), by period (yyyy-MM-dd, inclusive, in Brasília) or by
// invoice.
func (c *Connector) b2bSearch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RevendaID *int `json:"revendaId"`
		PorCodigo *struct {
			Codigo string `json:"codigo"`
			Tipo   int    `json:"tipo"`
		} `json:"porCodigo"`
		PorPeriodo *struct {
			DataInicial string `json:"dataInicial"`
			DataFim     string `json:"dataFim"`
		} `json:"porPeriodo"`
		PorNotaFiscal *struct {
			NotaFiscal      string `json:"notaFiscal"`
			SerieNotaFiscal string `json:"serieNotaFiscal"`
		} `json:"porNotaFiscal"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil || req.RevendaID == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"mensagem": "corpo inválido: revendaId e um critério são obrigatórios"})
		return
	}
	match, err := b2bCriterion(req.PorCodigo != nil, req.PorPeriodo != nil, req.PorNotaFiscal != nil)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"mensagem": err.Error()})
		return
	}
	var keep func(b2bOrder) bool
	switch match {
	case "codigo":
		code, kind := strings.TrimSpace(req.PorCodigo.Codigo), req.PorCodigo.Tipo
		keep = func(v b2bOrder) bool {
			return (kind == 0 && v.webID == code) || (kind == 1 && strings.EqualFold(v.po, code)) ||
				(kind == 2 && strings.EqualFold(v.erpID, code))
		}
	case "periodo":
		from, err1 := time.ParseInLocation("2006-01-02", req.PorPeriodo.DataInicial[:min(10, len(req.PorPeriodo.DataInicial))], brasilia)
		to, err2 := time.ParseInLocation("2006-01-02", req.PorPeriodo.DataFim[:min(10, len(req.PorPeriodo.DataFim))], brasilia)
		if err1 != nil || err2 != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"mensagem": "datas no formato yyyy-MM-dd"})
			return
		}
		to = to.AddDate(0, 0, 1)
		keep = func(v b2bOrder) bool { return !v.created.Before(from) && v.created.Before(to) }
	default:
		nf := strings.TrimLeft(req.PorNotaFiscal.NotaFiscal, "0")
		keep = func(v b2bOrder) bool { return v.invoice != "" && strings.TrimLeft(v.invoice, "0") == nf }
	}
	items := []map[string]any{}
	for _, v := range c.companyOrders(*req.RevendaID) {
		if keep(v) {
			items = append(items, v.summary())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"itens": items})
}

// b2bCriterion says which one criterion a search has.
func b2bCriterion(code, period, invoice bool) (string, error) {
	n := 0
	for _, b := range []bool{code, period, invoice} {
		if b {
			n++
		}
	}
	switch {
	case n != 1:
		return "", fmt.Errorf("envie exatamente um critério: porCodigo, porPeriodo ou porNotaFiscal")
	case code:
		return "codigo", nil
	case period:
		return "periodo", nil
	}
	return "notafiscal", nil
}

var brasilia = time.FixedZone("BRT", -3*60*60)

// TelesalesOrder is an order the ERP took by phone: it exists only in the
// ERP, and its company sees it in the B2B look-up beside its web orders.
type TelesalesOrder struct {
	Number        string     `json:"number"`
	CNPJ          string     `json:"cnpj"`
	CorporateName string     `json:"corporateName"`
	PurchaseOrder string     `json:"purchaseOrder"`
	Created       time.Time  `json:"created"`
	Items         []b2bItem  `json:"items"`
	Freight       float64    `json:"freight"`
	Status        int        `json:"status"`
	Canceled      *time.Time `json:"canceled,omitempty"`
}

func (t *TelesalesOrder) view() b2bOrder {
	v := b2bOrder{erpID: t.Number, po: t.PurchaseOrder, company: Company(t.CNPJ), cnpj: t.CNPJ, name: t.CorporateName,
		status: t.Status, created: t.Created, freight: t.Freight, items: t.Items, payment: "Boleto Bancário",
		group: "bankInvoice", installments: 1, courier: "Transportadora"}
	for _, it := range t.Items {
		v.total += it.Total
	}
	v.total += t.Freight
	return v
}

// telesales registers an order taken by phone (the driver's
// telesales-order action).
func (c *Connector) telesales(a Action) (Receipt, error) {
	if Company(a.CNPJ) == 0 || len(a.Items) == 0 {
		return Receipt{}, fmt.Errorf("%w: telesales-order needs cnpj (14 digits) and items", ErrBadAction)
	}
	t := &TelesalesOrder{CNPJ: a.CNPJ, CorporateName: a.CorporateName, PurchaseOrder: a.PurchaseOrder, Created: time.Now().UTC()}
	for _, it := range a.Items {
		price := float64(0)
		if it.Price != nil {
			price = reais(*it.Price)
		}
		t.Items = append(t.Items, b2bItem{PartNumber: it.ID, Description: it.ID, Quantity: float64(it.Quantity),
			Unit: price, Total: price * float64(it.Quantity)})
	}
	t.Number = "TV" + strconv.Itoa(1000+c.store.count(func(o StoredOrder) bool { return o.Telesales != nil })+1)
	if err := c.store.put(StoredOrder{OrderID: t.Number, Status: "telesales", Telesales: t}); err != nil {
		return Receipt{}, err
	}
	return Receipt{Date: t.Created.Format(time.RFC3339), OrderID: t.Number, Receipt: t.Number}, nil
}
