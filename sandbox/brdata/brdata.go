// Package brdata owns the sandbox's realistic Brazilian data: CPF and CNPJ
// numbers with valid check digits, people, phone numbers and addresses with
// real cities, states and CEP ranges. Everything is drawn from a caller's
// random source, so the same seed gives the same data.
package brdata

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Person is a shopper.
type Person struct {
	FirstName, LastName, Email, CPF, Phone string
}

// Address is a Brazilian street address.
type Address struct {
	Street, Number, Complement, Neighborhood, City, State, PostalCode string
	// Lon and Lat are the city's coordinates, as VTEX's geoCoordinates
	// lists them (longitude first).
	Lon, Lat float64
}

var firstNames = []string{"Ana", "João", "Maria", "Pedro", "Juliana", "Lucas", "Fernanda", "Rafael",
	"Beatriz", "Gabriel", "Camila", "Mateus", "Larissa", "Thiago", "Patrícia", "Bruno"}

var lastNames = []string{"Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Carvalho", "Ferreira",
	"Rodrigues", "Almeida", "Costa", "Gomes", "Ribeiro", "Martins", "Araújo", "Barbosa"}

// places are real streets with their neighbourhood, city, state, CEP prefix
// and city coordinates.
var places = []struct {
	street, neighborhood, city, state, cep string
	lon, lat                               float64
}{
	{"Rua Augusta", "Consolação", "São Paulo", "SP", "01304", -46.6584, -23.5558},
	{"Avenida Paulista", "Bela Vista", "São Paulo", "SP", "01310", -46.6566, -23.5613},
	{"Rua Voluntários da Pátria", "Botafogo", "Rio de Janeiro", "RJ", "22270", -43.1866, -22.9519},
	{"Avenida Afonso Pena", "Centro", "Belo Horizonte", "MG", "30130", -43.9378, -19.9191},
	{"Rua XV de Novembro", "Centro", "Curitiba", "PR", "80020", -49.2713, -25.4296},
	{"Avenida Sete de Setembro", "Centro", "Salvador", "BA", "40060", -38.5108, -12.9777},
	{"Rua da Aurora", "Boa Vista", "Recife", "PE", "50050", -34.8811, -8.0539},
	{"Avenida Ipiranga", "Praia de Belas", "Porto Alegre", "RS", "90160", -51.2287, -30.0346},
	{"Rua Barão do Rio Branco", "Centro", "Fortaleza", "CE", "60025", -38.5267, -3.7319},
	{"Avenida Goiás", "Setor Central", "Goiânia", "GO", "74005", -49.2648, -16.6869},
}

// CPF returns a valid CPF (11 digits, no punctuation).
func CPF(r *rand.Rand) string {
	d := make([]int, 11)
	for i := range 9 {
		d[i] = r.IntN(10)
	}
	d[9] = checkDigit(d[:9], 10)
	d[10] = checkDigit(d[:10], 11)
	return digits(d)
}

// ValidCPF tells whether s is a CPF with correct check digits.
func ValidCPF(s string) bool {
	if len(s) != 11 {
		return false
	}
	d := make([]int, 11)
	for i, c := range s {
		if c < '0' || c > '9' {
			return false
		}
		d[i] = int(c - '0')
	}
	return d[9] == checkDigit(d[:9], 10) && d[10] == checkDigit(d[:10], 11)
}

// CNPJ returns a valid CNPJ (14 digits, no punctuation) of a head office.
func CNPJ(r *rand.Rand) string {
	d := make([]int, 14)
	for i := range 8 {
		d[i] = r.IntN(10)
	}
	d[11] = 1 // 0001: head office
	d[12] = cnpjDigit(d[:12])
	d[13] = cnpjDigit(d[:13])
	return digits(d)
}

func checkDigit(d []int, weight int) int {
	sum := 0
	for i, v := range d {
		sum += v * (weight - i)
	}
	if r := sum * 10 % 11; r != 10 {
		return r
	}
	return 0
}

func cnpjDigit(d []int) int {
	sum := 0
	w := len(d) - 7
	for _, v := range d {
		sum += v * w
		w--
		if w < 2 {
			w = 9
		}
	}
	if r := sum % 11; r >= 2 {
		return 11 - r
	}
	return 0
}

func digits(d []int) string {
	var b strings.Builder
	for _, v := range d {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

// NewPerson returns a shopper with a valid CPF, a mobile phone and an email
// built from the name.
func NewPerson(r *rand.Rand) Person {
	first := firstNames[r.IntN(len(firstNames))]
	last := lastNames[r.IntN(len(lastNames))]
	return Person{
		FirstName: first,
		LastName:  last,
		Email:     fmt.Sprintf("%s.%s%d@example.com.br", ascii(first), ascii(last), r.IntN(100)),
		CPF:       CPF(r),
		Phone:     fmt.Sprintf("+55%d9%08d", 11+r.IntN(89), r.IntN(100_000_000)),
	}
}

// NewAddress returns an address on a real street.
func NewAddress(r *rand.Rand) Address {
	p := places[r.IntN(len(places))]
	a := Address{
		Street:       p.street,
		Number:       fmt.Sprint(1 + r.IntN(2500)),
		Neighborhood: p.neighborhood,
		City:         p.city,
		State:        p.state,
		PostalCode:   fmt.Sprintf("%s-%03d", p.cep, r.IntN(1000)),
		Lon:          p.lon,
		Lat:          p.lat,
	}
	if r.IntN(2) == 0 {
		a.Complement = fmt.Sprintf("Apto %d", 11+r.IntN(180))
	}
	return a
}

// ascii lower-cases s and drops its accents, for email local parts.
func ascii(s string) string {
	var b strings.Builder
	for _, c := range norm.NFD.String(s) {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			b.WriteRune(unicode.ToLower(c))
		}
	}
	return b.String()
}

// NFeKey returns a valid 44-digit NF-e access key for an invoice number
// issued on the given year and month by the CNPJ, in São Paulo (cUF 35),
// model 55, series 1, with its mod-11 check digit.
func NFeKey(r *rand.Rand, cnpj string, number, year, month int) string {
	body := fmt.Sprintf("35%02d%02d%014s55001%09d1%08d", year%100, month, cnpj, number%1_000_000_000, r.IntN(100_000_000))
	return body + fmt.Sprint(nfeDigit(body))
}

// nfeDigit is the mod-11 check digit of an NF-e key's first 43 digits:
// weights 2 to 9 from the right, 0 when 11 − remainder is 10 or 11.
func nfeDigit(body string) int {
	sum, w := 0, 2
	for i := len(body) - 1; i >= 0; i-- {
		sum += int(body[i]-'0') * w
		if w++; w > 9 {
			w = 2
		}
	}
	if dv := 11 - sum%11; dv < 10 {
		return dv
	}
	return 0
}

// NFeKeyProblem says what is wrong with an NF-e access key ("" when
// nothing): 44 digits, the issuer's CNPJ at positions 7–20 with its own
// check digits, and the key's mod-11 check digit.
func NFeKeyProblem(key string) string {
	if len(key) != 44 || strings.Trim(key, "0123456789") != "" {
		return "must be the 44 digits of an NF-e access key"
	}
	if !ValidCNPJ(key[6:20]) {
		return "names the issuer CNPJ " + key[6:20] + ", whose check digits are wrong"
	}
	if int(key[43]-'0') != nfeDigit(key[:43]) {
		return fmt.Sprintf("has the check digit %c, but its first 43 digits give %d", key[43], nfeDigit(key[:43]))
	}
	return ""
}

// NFeKeyCNPJ returns the issuer's CNPJ an NF-e key names.
func NFeKeyCNPJ(key string) string {
	if len(key) != 44 {
		return ""
	}
	return key[6:20]
}

// ValidCNPJ tells whether s is 14 digits with valid check digits.
func ValidCNPJ(s string) bool {
	if len(s) != 14 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	d := make([]int, 14)
	for i := range s {
		d[i] = int(s[i] - '0')
	}
	return cnpjDigit(d[:12]) == d[12] && cnpjDigit(d[:13]) == d[13]
}

// ValidEAN tells whether s is a GTIN (EAN-8, UPC-A, EAN-13 or GTIN-14)
// with its check digit: from the right, weights 3 and 1 alternate.
func ValidEAN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	for i := len(s) - 2; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		w := 1
		if (len(s)-2-i)%2 == 0 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	last := s[len(s)-1]
	return last >= '0' && last <= '9' && int(last-'0') == (10-sum%10)%10
}
