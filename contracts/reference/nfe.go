package reference

import (
	"fmt"
	"time"
)

// The NF-e access key (chave de acesso) an invoice sent to SkyHub carries.
// The issuer composes it; SEFAZ authorises it. Its 44 digits:
//
//	cUF(2) AAMM(2+2) CNPJ(14) mod(2) série(3) nNF(9) tpEmis(1) cNF(8) cDV(1)
//
// cUF 35 is São Paulo, model 55 the NF-e, tpEmis 1 a normal issue; cNF is
// a number the issuer picks so keys cannot be guessed, and cDV a mod-11
// check digit over the other 43. SkyHub refuses a key whose check digit is
// wrong or whose CNPJ is not the seller's.

// nfeKey returns the access key of the seller's NF-e number (series 1,
// issued in SP at the given time). cNF is derived from the number, so the
// same invoice always gets the same key: a retried call sends the same
// key.
func nfeKey(cnpj string, number int, issued time.Time) (string, error) {
	if len(cnpj) != 14 || !digitsOnly(cnpj) {
		return "", fmt.Errorf("the seller's CNPJ %q is not 14 digits", cnpj)
	}
	if number <= 0 || number > 999_999_999 {
		return "", fmt.Errorf("NF-e number %d is out of range (1 to 999999999)", number)
	}
	cnf := (number*7919 + 13) % 100_000_000 // never the number itself, as the manual asks
	body := fmt.Sprintf("35%02d%02d%s55%03d%09d1%08d", issued.Year()%100, int(issued.Month()), cnpj, 1, number, cnf)
	return body + fmt.Sprint(mod11(body)), nil
}

// mod11 is the NF-e check digit: the digits weighted 2, 3, ..., 9, 2, ...
// from the right; 11 minus the remainder of the sum by 11, or 0 when that
// is 10 or 11.
func mod11(digits string) int {
	sum, weight := 0, 2
	for i := len(digits) - 1; i >= 0; i-- {
		sum += int(digits[i]-'0') * weight
		if weight++; weight > 9 {
			weight = 2
		}
	}
	if dv := 11 - sum%11; dv < 10 {
		return dv
	}
	return 0
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
