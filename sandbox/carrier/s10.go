package carrier

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// UPU S10 item identifiers, the tracking codes Correios prints on its
// labels: two service letters, an eight-digit serial, a check digit and
// the issuing country (BR for Correios), e.g. AA123456785BR.

// s10Weights weigh the serial's eight digits for the check digit.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// CheckDigit returns the S10 check digit of an eight-digit serial: 11
// minus the weighted sum modulo 11, where 10 becomes 0 and 11 becomes 5.
func CheckDigit(serial string) (byte, error) {
	if len(serial) != 8 {
		return 0, fmt.Errorf("serial %q: needs 8 digits", serial)
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := serial[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("serial %q: needs 8 digits", serial)
		}
		sum += int(c-'0') * s10Weights[i]
	}
	switch d := 11 - sum%11; d {
	case 10:
		return '0', nil
	case 11:
		return '5', nil
	default:
		return byte('0' + d), nil
	}
}

// S10Problem says what is wrong with an S10 code ("" for a valid one of
// any country).
func S10Problem(code string) string {
	if len(code) != 13 {
		return fmt.Sprintf("%d characters, not the 13 of an S10 code (two letters, nine digits, two letters)", len(code))
	}
	for i, c := range []byte(code) {
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if (i < 2 || i > 10) && !letter {
			return "an S10 code starts and ends with two upper-case letters"
		}
		if i >= 2 && i <= 10 && !digit {
			return "an S10 code has nine digits between its letters"
		}
	}
	want, _ := CheckDigit(code[2:10])
	if code[10] != want {
		return fmt.Sprintf("check digit %c is wrong: serial %s gives %c", code[10], code[2:10], want)
	}
	return ""
}

// CorreiosProblem says why code is not a Correios tracking code: not S10,
// a wrong check digit, or issued by another country's post.
func CorreiosProblem(code string) string {
	if p := S10Problem(code); p != "" {
		return p
	}
	if code[11:] != "BR" {
		return "issued by the post of " + code[11:] + ", not by Correios (BR)"
	}
	return ""
}

// ValidCorreiosCode tells whether code is a Correios S10 code with its
// check digit right.
func ValidCorreiosCode(code string) bool { return CorreiosProblem(code) == "" }

// NewCode returns a Correios code of the service prefix with a serial
// drawn from r.
func NewCode(r *rand.Rand, prefix string) string {
	serial := fmt.Sprintf("%08d", r.IntN(100_000_000))
	d, _ := CheckDigit(serial)
	return prefix + serial + strconv.Itoa(int(d-'0')) + "BR"
}
