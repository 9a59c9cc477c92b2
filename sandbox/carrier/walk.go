package carrier

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Scenario is the path a parcel takes.
type Scenario string

// The scenarios a test can ask for.
const (
	// Normal: posted, in transit, out for delivery, delivered (2 days 4 h).
	Normal Scenario = "normal"
	// Delayed: as Normal, with the leg to the destination unit Delay
	// longer (2 days unless the parcel says otherwise).
	Delayed Scenario = "delayed"
	// FailedAttempt: nobody home at the first attempt, delivered at the
	// second the next day.
	FailedAttempt Scenario = "failed-attempt"
	// Returned: two failed attempts, then back to the sender.
	Returned Scenario = "returned"
)

// Scenarios lists the scenarios, for messages and the spec.
var Scenarios = []Scenario{Normal, Delayed, FailedAttempt, Returned}

// DefaultDelay is the delay of the delayed scenario when none is given.
const DefaultDelay = 48 * time.Hour

// Status is where a parcel stands, for the control plane and events.
type Status string

// Statuses a parcel goes through.
const (
	Posted         Status = "posted"
	InTransit      Status = "in-transit"
	OutForDelivery Status = "out-for-delivery"
	AttemptFailed  Status = "delivery-failed"
	Delivered      Status = "delivered"
	Returning      Status = "returning"
	ReturnedStatus Status = "returned"
)

// Unit is a Correios unit (agency, sorting centre, delivery centre).
type Unit struct {
	CodSro string `json:"codSro"`
	Tipo   string `json:"tipo"`
	Nome   string `json:"nome,omitempty"`
	Cidade string `json:"cidade"`
	UF     string `json:"uf"`
}

// Unit types, as Correios' API names them.
const (
	Agencia      = "Agência dos Correios"
	Tratamento   = "Unidade de Tratamento"
	Distribuicao = "Unidade de Distribuição"
)

// places are cities with their sorting centre, for origins and for
// destinations an order's address does not give.
var places = []struct{ city, uf, cte string }{
	{"SAO PAULO", "SP", "CTE VILA MARIA"},
	{"RIO DE JANEIRO", "RJ", "CTE BENFICA"},
	{"BELO HORIZONTE", "MG", "CTE CONTAGEM"},
	{"CURITIBA", "PR", "CTE CURITIBA"},
	{"PORTO ALEGRE", "RS", "CTE PORTO ALEGRE"},
	{"SALVADOR", "BA", "CTE SALVADOR"},
	{"RECIFE", "PE", "CTE RECIFE"},
	{"BRASILIA", "DF", "CTE BRASILIA"},
	{"CAMPINAS", "SP", "CTE CAMPINAS"},
	{"GOIANIA", "GO", "CTE GOIANIA"},
}

func pick(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(places)))
}

func sroCode(key string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return fmt.Sprintf("%08d", h.Sum32()%100_000_000)
}

// Route is where a parcel goes: posted at an agency of the origin city,
// sorted there, sorted again near the destination and delivered by the
// destination's distribution centre.
type Route struct {
	Agency, OriginCTE, DestCTE, DestCDD Unit
}

// NewRoute builds a route from the seller's city (by the account) to the
// buyer's (city and uf, or a city picked by the code when unknown).
func NewRoute(account, code, city, uf string) Route {
	o := places[pick(account)]
	city, uf = strings.ToUpper(strings.TrimSpace(city)), strings.ToUpper(strings.TrimSpace(uf))
	if city == "" || len(uf) != 2 {
		d := places[pick(code)]
		city, uf = d.city, d.uf
	}
	destCTE := "CTE " + city
	for _, p := range places {
		if p.uf == uf {
			destCTE = p.cte
			break
		}
	}
	return Route{
		Agency:    Unit{CodSro: sroCode("AC " + o.city), Tipo: Agencia, Nome: "AC " + o.city, Cidade: o.city, UF: o.uf},
		OriginCTE: Unit{CodSro: sroCode(o.cte), Tipo: Tratamento, Nome: o.cte, Cidade: o.city, UF: o.uf},
		DestCTE:   Unit{CodSro: sroCode(destCTE + uf), Tipo: Tratamento, Nome: destCTE, Cidade: city, UF: uf},
		DestCDD:   Unit{CodSro: sroCode("CDD " + city + uf), Tipo: Distribuicao, Nome: "CDD " + city, Cidade: city, UF: uf},
	}
}

// Step is one tracking event of a walk.
type Step struct {
	// Kind names the step within the walk (posted, forwarded, arrived,
	// out-for-delivery, attempt-failed, ...): walks of two scenarios agree
	// as far as their kinds do.
	Kind string `json:"kind"`
	// Codigo and Tipo are Correios' event code and type (BDE 01:
	// delivered).
	Codigo    string    `json:"codigo"`
	Tipo      string    `json:"tipo"`
	Descricao string    `json:"descricao"`
	Detalhe   string    `json:"detalhe,omitempty"`
	At        time.Time `json:"at"`
	Unidade   Unit      `json:"unidade"`
	Destino   *Unit     `json:"unidadeDestino,omitempty"`
	Status    Status    `json:"status"`
	Final     bool      `json:"final,omitempty"`
}

// stepDef is a row of the walk table: its gap after the previous step.
type stepDef struct {
	kind          string
	gap           time.Duration
	codigo, tipo  string
	descricao     string
	detalhe       string
	unit, dest    func(Route) *Unit
	status        Status
	final, delays bool
}

func u(f func(Route) Unit) func(Route) *Unit {
	return func(r Route) *Unit { v := f(r); return &v }
}

var (
	atAgency = u(func(r Route) Unit { return r.Agency })
	atOrigin = u(func(r Route) Unit { return r.OriginCTE })
	atDest   = u(func(r Route) Unit { return r.DestCTE })
	atCDD    = u(func(r Route) Unit { return r.DestCDD })
)

const transit = "Objeto em trânsito - por favor aguarde"

// The walk's rows. Codes and descriptions follow Correios' SRO event
// table (docs/vendor-gaps.md says which are confirmed).
var (
	rowPosted    = stepDef{kind: "posted", codigo: "PO", tipo: "01", descricao: "Objeto postado", unit: atAgency, status: Posted}
	rowForwarded = stepDef{kind: "forwarded", gap: 6 * time.Hour, codigo: "RO", tipo: "01", descricao: transit,
		unit: atAgency, dest: atOrigin, status: InTransit}
	rowArrived = stepDef{kind: "arrived", gap: 18 * time.Hour, codigo: "RO", tipo: "01", descricao: transit,
		unit: atOrigin, dest: atCDD, status: InTransit, delays: true}
	rowOut = stepDef{kind: "out-for-delivery", gap: 24 * time.Hour, codigo: "OEC", tipo: "01",
		descricao: "Objeto saiu para entrega ao destinatário", unit: atCDD, status: OutForDelivery}
	rowDelivered = stepDef{kind: "delivered", gap: 4 * time.Hour, codigo: "BDE", tipo: "01",
		descricao: "Objeto entregue ao destinatário", unit: atCDD, status: Delivered, final: true}
	rowFailed = stepDef{kind: "attempt-failed", gap: 4 * time.Hour, codigo: "BDE", tipo: "20",
		descricao: "A entrega não pode ser efetuada - Carteiro não atendido", detalhe: "Será realizada nova tentativa de entrega",
		unit: atCDD, status: AttemptFailed}
	rowOutAgain = stepDef{kind: "out-again", gap: 20 * time.Hour, codigo: "OEC", tipo: "01",
		descricao: "Objeto saiu para entrega ao destinatário", unit: atCDD, status: OutForDelivery}
	rowGivenUp = stepDef{kind: "attempt-failed-again", gap: 4 * time.Hour, codigo: "BDE", tipo: "21",
		descricao: "A entrega não pode ser efetuada - Carteiro não atendido", detalhe: "Objeto será devolvido ao remetente",
		unit: atCDD, status: Returning}
	rowBack = stepDef{kind: "returning", gap: 20 * time.Hour, codigo: "RO", tipo: "01", descricao: transit,
		unit: atCDD, dest: atOrigin, status: Returning}
	rowReturned = stepDef{kind: "returned", gap: 48 * time.Hour, codigo: "BDE", tipo: "23",
		descricao: "Objeto devolvido ao remetente", unit: atAgency, status: ReturnedStatus, final: true}
)

// walks are the scenarios' tables.
var walks = map[Scenario][]stepDef{
	Normal:        {rowPosted, rowForwarded, rowArrived, rowOut, rowDelivered},
	Delayed:       {rowPosted, rowForwarded, rowArrived, rowOut, rowDelivered},
	FailedAttempt: {rowPosted, rowForwarded, rowArrived, rowOut, rowFailed, rowOutAgain, rowDelivered},
	Returned:      {rowPosted, rowForwarded, rowArrived, rowOut, rowFailed, rowOutAgain, rowGivenUp, rowBack, rowReturned},
}

// ValidScenario tells whether s is a known scenario.
func ValidScenario(s Scenario) bool { _, ok := walks[s]; return ok }

// Walk lays out a scenario's steps from posted, the arrival leg delay
// longer.
func Walk(s Scenario, route Route, posted time.Time, delay time.Duration) []Step {
	return rewalk(s, route, nil, posted, delay, time.Time{})
}

// rewalk keeps the steps already seen (which must agree with the
// scenario's table, kind by kind) and lays out the rest after them, none
// before notBefore.
func rewalk(s Scenario, route Route, seen []Step, posted time.Time, delay time.Duration, notBefore time.Time) []Step {
	defs := walks[s]
	out := make([]Step, 0, len(defs))
	at := posted
	for i, d := range defs {
		if i < len(seen) {
			out = append(out, seen[i])
			at = seen[i].At
			continue
		}
		at = at.Add(d.gap)
		if d.delays {
			at = at.Add(delay)
		}
		if at.Before(notBefore) {
			at = notBefore
		}
		st := Step{Kind: d.kind, Codigo: d.codigo, Tipo: d.tipo, Descricao: d.descricao, Detalhe: d.detalhe,
			At: at, Unidade: *d.unit(route), Status: d.status, Final: d.final}
		if d.dest != nil {
			st.Destino = d.dest(route)
		}
		out = append(out, st)
	}
	return out
}

// agrees tells whether the scenario's table starts with the kinds of seen.
func agrees(s Scenario, seen []Step) bool {
	defs := walks[s]
	if len(seen) > len(defs) {
		return false
	}
	for i, st := range seen {
		if defs[i].kind != st.Kind {
			return false
		}
	}
	return true
}
