package contracts

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/omsbox/omsbox/contracts/reference"
	"github.com/omsbox/omsbox/openapi"
	"github.com/omsbox/omsbox/sandbox/client"
	"github.com/omsbox/omsbox/sandbox/oms"
)

// The harness plays VTEX's B2B Orders app (vtex.omnichannel-order-status
// 0.2.0) against the integration's B2B look-up API: it calls the three
// endpoints the way the shipped app does (the detail and documents URLs
// with a slash before the query, the documents path capitalised, number
// searches sent to the detail route, periods as yyyy-MM-dd, Bearer
// {token}), checks every exchange against openapi/b2b-erp.yaml, and
// compares the answers with what the sandbox knows of the company's
// orders. A company (the app's revendaId) is the root of its CNPJ.

// company is one buyer company of a scenario and what it should see.
type company struct {
	name, cnpj string
	orders     []b2bExpected
}

// b2bExpected is an order as the company should see it.
type b2bExpected struct {
	webID, po string
	total     float64
}

// b2bState is a scenario's B2B side: its companies and the last call's
// request and answer.
type b2bState struct {
	companies map[string]*company
	last      struct {
		method, target, body string
		status               int
		answer               map[string]any
		raw                  string
	}
	wrongToken bool
	// tag makes the scenario's purchase order numbers its own: on an
	// account shared by every scenario, the companies' earlier orders stay.
	tag string
}

var b2bSpec = func() *openapi.Spec {
	s, err := openapi.Load("b2b-erp.yaml")
	if err != nil {
		panic(err) // embedded and tested: cannot happen
	}
	return s
}()

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (w *world) company(name string) (*company, error) {
	if c := w.b2b.companies[name]; c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("the scenario has no company %q (a Given step places its orders first)", name)
}

// companyPlaced creates n paid B2B orders of a company: a corporate buyer
// with the company's CNPJ, its organization as utmCampaign, and a
// purchase order number each.
func (w *world) companyPlaced(ctx context.Context, name, cnpj string, n int) error {
	if reference.Company(cnpj) == 0 {
		return fmt.Errorf("company %q: %q is not a 14-digit CNPJ", name, cnpj)
	}
	if w.b2b.companies == nil {
		w.b2b.companies, w.b2b.tag = map[string]*company{}, strings.ToUpper(newToken()[:4])
	}
	c := w.b2b.companies[name]
	if c == nil {
		c = &company{name: name, cnpj: cnpj}
		w.b2b.companies[name] = c
	}
	for range n {
		po := fmt.Sprintf("PO-%s-%s-%d", cnpj[:8], w.b2b.tag, len(c.orders)+1)
		no := oms.NewOrder{PurchaseOrder: po,
			Customer:      &oms.Customer{CorporateDocument: cnpj, CorporateName: name, Email: "compras@" + cnpj[:8] + ".com.br"},
			MarketingData: &oms.NewMarketing{UtmCampaign: "org-" + cnpj[:8], UtmMedium: "cc-compras"},
			Items: []oms.NewItem{{ID: "PARAF-10", Name: "Parafuso 10 mm (cento)", Price: 1290, Quantity: 10 * (len(c.orders) + 1)},
				{ID: "BROCA-8", Name: "Broca 8 mm", Price: 2450, Quantity: 2}}}
		o, err := w.h.client.CreateOrder(ctx, client.NewOrder{Account: w.env.Account, NewOrder: no})
		if err != nil {
			return fmt.Errorf("create company %q's order: %w", name, err)
		}
		w.orders = append(w.orders, o)
		c.orders = append(c.orders, b2bExpected{webID: o.OrderID, po: po, total: float64(o.Value) / 100})
	}
	return nil
}

// telesales has the ERP register an order taken by phone for a company.
func (w *world) telesales(ctx context.Context, name, po string) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	if err := w.start(ctx); err != nil {
		return err
	}
	if w.run.DriverURL() == "" {
		return godog.ErrSkip // no driver: the @driver scenarios do not apply
	}
	body, _ := json.Marshal(map[string]any{"action": "telesales-order", "cnpj": c.cnpj, "corporateName": c.name,
		"purchaseOrder": po, "items": []map[string]any{{"id": "SERRA-CIRC", "quantity": 2, "price": 45900}}})
	resp, err := http.Post(w.run.DriverURL()+"/actions", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the driver answered %d to %s: %s", resp.StatusCode, body, answer)
	}
	c.orders = append(c.orders, b2bExpected{po: po, total: 918})
	return nil
}

// b2bBase is the integration's B2B API, or a reason to skip: an
// integration without one does not take part in @b2b scenarios.
func (w *world) b2bBase(ctx context.Context) (string, error) {
	if err := w.start(ctx); err != nil {
		return "", err
	}
	if w.env.B2BURL != "" {
		return strings.TrimRight(w.env.B2BURL, "/"), nil
	}
	if w.env.B2BAddr == "" {
		return "", w.skipBecause("the integration has no B2B look-up API (give its URL with --b2b-url)")
	}
	deadline := time.Now().Add(min(w.h.wait, 5*time.Second))
	for {
		conn, err := net.DialTimeout("tcp", w.env.B2BAddr, time.Second)
		if err == nil {
			conn.Close()
			return "http://" + w.env.B2BAddr, nil
		}
		if time.Now().After(deadline) {
			return "", w.skipBecause("the integration serves no B2B look-up API at OMSBOX_B2B_ADDR (" + w.env.B2BAddr + ")")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond): // a poll interval, with the deadline above
		}
	}
}

// skipBecause marks the scenario as not applying to this integration, with
// the reason the reports show.
func (w *world) skipBecause(why string) error {
	w.skip = why
	if w.rec != nil {
		w.rec.mu.Lock()
		w.rec.Skip = why
		w.rec.mu.Unlock()
	}
	return godog.ErrSkip
}

// b2bCall makes one call as the app, checks the exchange against the
// contract, and keeps the answer for the Then steps.
func (w *world) b2bCall(ctx context.Context, method, target, body string) error {
	base, err := w.b2bBase(ctx)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, method, base+target, strings.NewReader(body))
	token := w.env.B2BToken
	if w.b2b.wrongToken {
		token = "wrong-" + token
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req) // the app's own timeout
	if err != nil {
		return fmt.Errorf("the B2B app's call %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	l := &w.b2b.last
	l.method, l.target, l.body, l.status, l.raw, l.answer = method, target, body, resp.StatusCode, string(raw), nil
	_ = json.Unmarshal(raw, &l.answer)
	if resp.StatusCode == http.StatusUnauthorized {
		return nil // a refusal's body is the ERP's own
	}
	check, _ := http.NewRequestWithContext(ctx, method, target, nil)
	check.Header = req.Header.Clone()
	if err := b2bSpec.CheckExchange(check, []byte(body), resp.StatusCode, resp.Header, raw); err != nil {
		return fmt.Errorf("the integration's B2B API breaks its contract (openapi/b2b-erp.yaml): %w", err)
	}
	return nil
}

// revenda is a company's id as the app sends it: its CNPJ root.
func revenda(c *company) int { return reference.Company(c.cnpj) }

// today is the sandbox's date in Brasília, as the app's date picker gives it.
func (w *world) today(ctx context.Context) (string, error) {
	st, err := w.h.client.Clock(ctx)
	if err != nil {
		return "", err
	}
	return st.Now.In(time.FixedZone("BRT", -3*3600)).Format("2006-01-02"), nil
}

func (w *world) searchPeriod(ctx context.Context, name string) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	day, err := w.today(ctx)
	if err != nil {
		return err
	}
	return w.b2bCall(ctx, "POST", "/api/v1/pedido/pesquisa",
		fmt.Sprintf(`{"revendaId":%d,"porPeriodo":{"dataInicial":%q,"dataFim":%q}}`, revenda(c), day, day))
}

func (w *world) searchPO(ctx context.Context, name string) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	o, err := w.order()
	if err != nil {
		return err
	}
	return w.b2bCall(ctx, "POST", "/api/v1/pedido/pesquisa",
		fmt.Sprintf(`{"revendaId":%d,"porCodigo":{"codigo":%q,"tipo":1}}`, revenda(c), deref(poOf(o))))
}

func poOf(o *oms.Order) *string {
	if o.OpenTextField == nil {
		return nil
	}
	return &o.OpenTextField.Value
}

// lookUpWebNumber is the app's number search: what was typed goes to the
// detail route as pedidoErpId, with the slash the app writes.
func (w *world) lookUpWebNumber(ctx context.Context, name string) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	o, err := w.order()
	if err != nil {
		return err
	}
	return w.b2bCall(ctx, "GET", "/api/v1/pedido/?"+url.Values{"pedidoErpId": {o.OrderID},
		"revendaId": {strconv.Itoa(revenda(c))}}.Encode(), "")
}

// documents asks for the documents of the order the last detail showed,
// by its ERP number, on the path as the app spells it.
func (w *world) documents(ctx context.Context, name string) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	id, _ := w.b2b.last.answer["pedidoErpId"].(string)
	if id == "" {
		return errors.New("no order detail to take the ERP's number from: look the order up first")
	}
	return w.b2bCall(ctx, "GET", "/api/v1/ArquivosPedido/?"+url.Values{"pedidoErpId": {id},
		"revendaId": {strconv.Itoa(revenda(c))}}.Encode(), "")
}

// eventually repeats a call until check passes or the wait runs out: the
// integration may not have downloaded the orders yet.
func (w *world) eventually(ctx context.Context, again func(context.Context) error, check func() error) error {
	deadline := time.Now().Add(w.h.wait)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // a poll interval, with the deadline above
		}
		if err := again(ctx); err != nil {
			return err
		}
	}
}

// listsExactly checks the last search's answer: the company's orders (by
// the buyer's number and total), and nothing of another company's.
func (w *world) listsExactly(ctx context.Context, name string, only *b2bExpected) error {
	c, err := w.company(name)
	if err != nil {
		return err
	}
	want := c.orders
	if only != nil {
		want = []b2bExpected{*only}
	}
	l := w.b2b.last
	again := func(ctx context.Context) error { return w.b2bCall(ctx, l.method, l.target, l.body) }
	return w.eventually(ctx, again, func() error {
		a := w.b2b.last
		if a.status != http.StatusOK {
			return fmt.Errorf("the B2B search answered %d: %s", a.status, a.raw)
		}
		items, _ := a.answer["itens"].([]any)
		var got, exp []string
		for _, it := range items {
			m, _ := it.(map[string]any)
			total, _ := m["totalPedido"].(float64)
			got = append(got, fmt.Sprintf("%v R$ %.2f", m["pedidoClienteId"], total))
		}
		for _, o := range want {
			exp = append(exp, fmt.Sprintf("%s R$ %.2f", o.po, o.total))
		}
		slices.Sort(got)
		slices.Sort(exp)
		if w.h.integration.PerScenario() {
			if !slices.Equal(got, exp) {
				return fmt.Errorf("company %q's search lists %v, want exactly %v (another company's order, or one missing)", name, got, exp)
			}
			return nil
		}
		// On a shared account the company's orders of earlier scenarios are
		// listed too: this scenario's must all be there, and no order of
		// another company of this scenario.
		for _, e := range exp {
			if !slices.Contains(got, e) {
				return fmt.Errorf("company %q's search lists %v, without %s", name, got, e)
			}
		}
		for other, oc := range w.b2b.companies {
			for _, o := range oc.orders {
				if other != name && o.webID != "" && slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, o.po+" ") }) {
					return fmt.Errorf("company %q's search lists %s, an order of %q", name, o.po, other)
				}
			}
		}
		return nil
	})
}

// detailMatches checks the last detail against the order in the sandbox.
func (w *world) detailMatches(ctx context.Context, invoice string) error {
	o, err := w.order()
	if err != nil {
		return err
	}
	l := w.b2b.last
	again := func(ctx context.Context) error { return w.b2bCall(ctx, l.method, l.target, l.body) }
	return w.eventually(ctx, again, func() error {
		a := w.b2b.last
		if a.status != http.StatusOK {
			return fmt.Errorf("the order's detail answered %d: %s", a.status, a.raw)
		}
		d := a.answer
		total, _ := d["valorTotalPedido"].(float64)
		items, _ := d["itens"].([]any)
		var problems []string
		if math.Abs(total-float64(o.Value)/100) > 0.005 {
			problems = append(problems, fmt.Sprintf("valorTotalPedido %.2f, the order is worth %.2f", total, float64(o.Value)/100))
		}
		if len(items) != len(o.Items) {
			problems = append(problems, fmt.Sprintf("%d items, the order has %d", len(items), len(o.Items)))
		}
		if cnpj := o.ClientProfileData.CorporateDocument; cnpj != nil && d["clienteFinalCnpj"] != *cnpj {
			problems = append(problems, fmt.Sprintf("clienteFinalCnpj %v, the buyer's company is %s", d["clienteFinalCnpj"], *cnpj))
		}
		if invoice != "" && d["notaFiscal"] != invoice {
			problems = append(problems, fmt.Sprintf("notaFiscal %v, want %s", d["notaFiscal"], invoice))
		}
		if invoice != "" && d["status"] != float64(4) && d["status"] != float64(5) {
			problems = append(problems, fmt.Sprintf("status %v for an invoiced order, want 4 (Despachado) or 5 (Entregue)", d["status"]))
		}
		if len(problems) > 0 {
			return fmt.Errorf("the order's detail does not match the order: %s", strings.Join(problems, "; "))
		}
		return nil
	})
}

// documentsInclude checks the last documents' answer holds the DANFE
// (tipoArquivo 3) of an invoice.
func (w *world) documentsInclude(invoice string) error {
	a := w.b2b.last
	if a.status != http.StatusOK {
		return fmt.Errorf("the order's documents answered %d: %s", a.status, a.raw)
	}
	items, _ := a.answer["itens"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["tipoArquivo"] == float64(3) && strings.Contains(fmt.Sprint(m["descricao"], m["url"]), invoice) && m["url"] != "" {
			return nil
		}
	}
	return fmt.Errorf("no DANFE (tipoArquivo 3) of invoice %s among the order's documents: %s", invoice, a.raw)
}

// showsNoOrder checks the ERP refused to show the order (404, or a
// detail without it): never another company's order.
func (w *world) showsNoOrder() error {
	a := w.b2b.last
	if a.status == http.StatusNotFound {
		return nil
	}
	if a.status == http.StatusOK && a.answer["pedidoErpId"] != nil {
		return fmt.Errorf("the ERP showed another company's order: %s", a.raw)
	}
	return fmt.Errorf("the ERP answered %d, want 404 for an order of another company: %s", a.status, a.raw)
}

// refusedEveryCall calls each route with a wrong and with no token: the
// ERP must answer 401 to all.
func (w *world) refusedEveryCall(ctx context.Context) error {
	base, err := w.b2bBase(ctx)
	if err != nil {
		return err
	}
	var problems []string
	for _, call := range []struct{ method, target, body string }{
		{"POST", "/api/v1/pedido/pesquisa", `{"revendaId":11222333,"porPeriodo":{"dataInicial":"2026-01-01","dataFim":"2026-12-31"}}`},
		{"GET", "/api/v1/pedido/?pedidoErpId=1&revendaId=11222333", ""},
		{"GET", "/api/v1/ArquivosPedido/?pedidoErpId=1&revendaId=11222333", ""},
	} {
		for _, auth := range []string{"", "Bearer wrong-" + w.env.B2BToken} {
			req, _ := http.NewRequestWithContext(ctx, call.method, base+call.target, strings.NewReader(call.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if call.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				problems = append(problems, fmt.Sprintf("%s %s with %q: %d", call.method, call.target, auth, resp.StatusCode))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the ERP answered calls without its token, want 401: %s", strings.Join(problems, "; "))
	}
	return nil
}

// lastOrderExpected is the scenario's last order as its company sees it.
func (w *world) lastOrderExpected(name string) (*b2bExpected, error) {
	c, err := w.company(name)
	if err != nil {
		return nil, err
	}
	o, err := w.order()
	if err != nil {
		return nil, err
	}
	for _, e := range c.orders {
		if e.webID == o.OrderID {
			return &e, nil
		}
	}
	return nil, fmt.Errorf("the scenario's last order is not company %q's", name)
}
