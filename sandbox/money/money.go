// Package money owns the bounds on amounts of money and quantities that
// every channel accepts, and the checked arithmetic that sums them: no
// order, invoice, change or marketplace total can wrap around, and a value
// past a bound is refused naming its field.
package money

import (
	"fmt"
	"math"
)

// The bounds. MaxCents (R$ 10 billion) is far beyond any real order, and
// MaxCents × MaxQuantity still fits in an int64, so a bounded price times
// a bounded quantity never overflows before it is checked.
const (
	// MaxCents bounds every amount, in cents: a price, a total, an invoice.
	MaxCents int64 = 1_000_000_000_000
	// MaxQuantity bounds the units of one line.
	MaxQuantity = 1_000_000
	// MaxReais is MaxCents in reais, for channels that send decimals.
	MaxReais = float64(MaxCents) / 100
)

// Error names the field whose amount is out of bounds.
type Error struct{ Field, Reason string }

func (e *Error) Error() string { return e.Field + ": " + e.Reason }

// Cents checks one amount: 0 ≤ v ≤ MaxCents.
func Cents(field string, v int64) error {
	if v < 0 || v > MaxCents {
		return &Error{field, fmt.Sprintf("%d cents is outside 0 to %d", v, MaxCents)}
	}
	return nil
}

// Quantity checks a count of units: 0 ≤ q ≤ MaxQuantity.
func Quantity(field string, q int) error {
	if q < 0 || q > MaxQuantity {
		return &Error{field, fmt.Sprintf("%d units is outside 0 to %d", q, MaxQuantity)}
	}
	return nil
}

// Reais checks an amount in reais, as SkyHub sends them.
func Reais(field string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > MaxReais {
		return &Error{field, fmt.Sprintf("%v is outside 0 to %.0f", v, MaxReais)}
	}
	return nil
}

// Sum adds amounts, each a price times a quantity, and refuses a total
// past MaxCents, naming field. Call it with amounts already checked by
// Cents and Quantity.
type Sum struct {
	total int64
	err   error
}

// Add adds price × qty; the first line that takes the total past
// MaxCents is the one named.
func (s *Sum) Add(field string, price int64, qty int) {
	if s.err != nil {
		return
	}
	if err := Cents(field, price); err != nil {
		s.err = err
		return
	}
	if err := Quantity(field, qty); err != nil {
		s.err = err
		return
	}
	line := price * int64(qty) // ≤ MaxCents × MaxQuantity: no overflow
	if line > MaxCents || s.total+line > MaxCents {
		s.err = &Error{field, fmt.Sprintf("brings the total past %d cents", MaxCents)}
		return
	}
	s.total += line
}

// Total returns the sum, or the error of the first line out of bounds.
func (s *Sum) Total() (int64, error) { return s.total, s.err }
