package carrier

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/omsbox/omsbox/openapi"
)

// DefaultBase is where the carrier API is served on the main listener.
const DefaultBase = "/correios"

// MaxObjects is how many codes one tracking request may ask for.
const MaxObjects = 50

// Options configure the API.
type Options struct {
	Base    string
	Strict  bool
	OnDrift func(operationID, detail string)
	Logger  *slog.Logger
}

type api struct{ c *Carrier }

type contractKey struct{}

// Handler serves the carrier API of c under opts.Base.
func Handler(c *Carrier, opts Options) (http.Handler, error) {
	if opts.Base == "" {
		opts.Base = DefaultBase
	}
	spec, err := openapi.Load("correios.yaml")
	if err != nil {
		return nil, err
	}
	a := &api{c: c}
	root := mux.NewRouter().SkipClean(true)
	r := root.PathPrefix(opts.Base).Subrouter()
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "Recurso "+r.Method+" "+clipID(r.URL.Path)+" não encontrado.")
	})
	root.NotFoundHandler, r.NotFoundHandler = notFound, notFound
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusMethodNotAllowed, "Método "+clipID(r.Method)+" não permitido em "+clipID(r.URL.Path)+".")
	})
	err = spec.Mount(r, map[string]http.Handler{
		"TokenPorCartao": http.HandlerFunc(a.token),
		"RastroObjeto":   http.HandlerFunc(a.rastroOne),
		"RastroObjetos":  http.HandlerFunc(a.rastroMany),
	}, openapi.Options{Strict: opts.Strict, OnDrift: opts.OnDrift, Logger: opts.Logger, WriteError: WriteError})
	if err != nil {
		return nil, err
	}
	return a.authenticate(root), nil
}

// WriteError writes Correios' MessageResponse.
func WriteError(w http.ResponseWriter, r *http.Request, status int, message string) {
	body := map[string]any{"msgs": []string{message}}
	if r != nil {
		body["method"], body["path"] = r.Method, clipID(r.URL.Path)
	}
	writeJSON(w, status, body)
}

// WriteFault answers an injected fault in Correios' shape.
func WriteFault(w http.ResponseWriter, status int) {
	writeJSON(w, status, map[string]any{"msgs": []string{http.StatusText(status)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		WriteError(w, r, e.Status, e.Message)
		return
	}
	WriteError(w, r, http.StatusInternalServerError, "omsbox internal error: "+err.Error())
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate checks the Bearer token of the tracking routes before
// anything else (401); the token route checks its Basic credentials
// itself.
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/srorastro/") {
			next.ServeHTTP(w, r)
			return
		}
		ct, err := a.c.Check(bearer(r))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="correios"`)
			fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), contractKey{}, ct)))
	})
}

// AuthenticatedAccount is the account whose credentials r proves (a valid
// token, or a valid user and access code), or "".
func (c *Carrier) AuthenticatedAccount(r *http.Request) string {
	if ct, err := c.Check(bearer(r)); err == nil {
		return ct.Account
	}
	if user, code, ok := r.BasicAuth(); ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, k := range c.contracts {
			if k.User == user && k.AccessCode == code {
				return k.Account
			}
		}
	}
	return ""
}

// ClaimedAccount is the account r claims, proved or not, for faults.
func (c *Carrier) ClaimedAccount(r *http.Request) string {
	user, _, _ := r.BasicAuth()
	return c.Claimed(bearer(r), user)
}

func (a *api) token(w http.ResponseWriter, r *http.Request) {
	user, code, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="correios"`)
		WriteError(w, r, http.StatusUnauthorized, "Credenciais ausentes: envie Authorization: Basic usuário:código de acesso.")
		return
	}
	var req struct {
		Numero string `json:"numero"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil && err.Error() != "EOF" {
		WriteError(w, r, http.StatusBadRequest, "Corpo da requisição inválido: "+err.Error())
		return
	}
	t, err := a.c.Authenticate(user, code, strings.TrimSpace(req.Numero))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"ambiente": "HOMOLOGACAO", "id": t.Contract.User, "perfil": "PJ",
		"cartaoPostagem": map[string]any{"numero": t.Contract.PostingCard, "contrato": t.Contract.Contract, "dr": 74, "api": apis},
		"api":            apis, "emissao": Local(t.Issued), "expiraEm": Local(t.Expires), "zoneOffset": "-03:00", "token": t.Token,
	})
}

// apis are the API numbers a token opens (public clients show lists of
// numbers; which number is which is not confirmed).
var apis = []int{27, 34, 35, 36, 37, 41, 76, 78, 80, 83, 87, 93, 566, 587}

func (a *api) rastroOne(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(mux.Vars(r)["codigo"])
	if p := CorreiosProblem(code); p != "" {
		WriteError(w, r, http.StatusBadRequest, "SRO-019: Objeto inválido ("+clipID(code)+": "+p+").")
		return
	}
	a.answer(w, r, []string{code})
}

func (a *api) rastroMany(w http.ResponseWriter, r *http.Request) {
	var codes []string
	for _, v := range r.URL.Query()["codigosObjetos"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 || len(codes) > MaxObjects {
		WriteError(w, r, http.StatusBadRequest, "Informe de 1 a "+strconv.Itoa(MaxObjects)+" códigos de objeto em codigosObjetos.")
		return
	}
	a.answer(w, r, codes)
}

var resultados = map[string]string{"T": "Todos os Eventos", "U": "Último Evento", "P": "Primeiro e Último Eventos"}

func (a *api) answer(w http.ResponseWriter, r *http.Request, codes []string) {
	ct := r.Context().Value(contractKey{}).(Contract)
	res := r.URL.Query().Get("resultado")
	if res == "" {
		res = "T"
	}
	objs := make([]map[string]any, 0, len(codes))
	for _, code := range codes {
		if p := CorreiosProblem(code); p != "" {
			objs = append(objs, map[string]any{"codObjeto": clipID(code), "mensagem": "SRO-019: Objeto inválido"})
			continue
		}
		p, ok := a.c.Track(ct.Account, code)
		if !ok {
			objs = append(objs, map[string]any{"codObjeto": code, "mensagem": "SRO-020: Objeto não encontrado na base de dados dos Correios."})
			continue
		}
		objs = append(objs, objeto(p, ct, res))
	}
	writeJSON(w, http.StatusOK, map[string]any{"versao": "1.0.0", "quantidade": len(objs), "objetos": objs,
		"tipoResultado": resultados[res]})
}

// postal types by service letters; others read as a generic parcel.
var tiposPostais = map[string][2]string{
	"AA": {"ETIQUETA LOGICA SEDEX", "SEDEX"},
	"AB": {"ETIQUETA LOGICA SEDEX", "SEDEX"},
	"QN": {"ETIQUETA LOGICA PAC QN", "ENCOMENDA PAC"},
	"QQ": {"ETIQUETA LOGICA PAC", "ENCOMENDA PAC"},
	"OJ": {"ETIQUETA LOGICA SEDEX", "SEDEX"},
}

func objeto(p Parcel, ct Contract, res string) map[string]any {
	sigla := p.Code[:2]
	tp, ok := tiposPostais[sigla]
	if !ok {
		tp = [2]string{"ETIQUETA LOGICA", "ENCOMENDA"}
	}
	// The promised date is the normal walk's, whatever befalls the parcel.
	normal := Walk(Normal, p.Route, p.PostedAt, 0)
	evs := make([]map[string]any, 0, len(p.Events))
	for i := len(p.Events) - 1; i >= 0; i-- { // newest first, as Correios lists them
		evs = append(evs, evento(p.Events[i]))
	}
	switch {
	case res == "U" && len(evs) > 1:
		evs = evs[:1]
	case res == "P" && len(evs) > 2:
		evs = []map[string]any{evs[0], evs[len(evs)-1]}
	}
	return map[string]any{"codObjeto": p.Code, "tipoPostal": map[string]string{"sigla": sigla, "descricao": tp[0], "categoria": tp[1]},
		"dtPrevista": dayEnd(normal[len(normal)-1].At), "contrato": ct.Contract, "modalidade": "F", "eventos": evs}
}

// dayEnd is 23:59:59 São Paulo time of t's day, as dtPrevista reads.
func dayEnd(t time.Time) string {
	return t.In(saoPaulo).Format("2006-01-02") + "T23:59:59"
}

func evento(s Step) map[string]any {
	e := map[string]any{"codigo": s.Codigo, "tipo": s.Tipo, "dtHrCriado": Local(s.At), "descricao": s.Descricao, "unidade": unidade(s.Unidade)}
	if s.Detalhe != "" {
		e["detalhe"] = s.Detalhe
	}
	if s.Destino != nil {
		e["unidadeDestino"] = unidade(*s.Destino)
	}
	return e
}

func unidade(u Unit) map[string]any {
	return map[string]any{"codSro": u.CodSro, "tipo": u.Tipo, "nome": u.Nome, "endereco": map[string]string{"cidade": u.Cidade, "uf": u.UF}}
}
