package oms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Seed is the set of orders an account starts with (testdata/seed/*.json).
type Seed struct {
	Orders []SeedOrder `json:"orders"`
}

// SeedOrder is a new order, backdated by Age.
type SeedOrder struct {
	NewOrder
	// Age is how long before the sandbox starts the order was placed.
	Age Duration `json:"age"`
}

// Duration is a time.Duration written as in Go ("2h30m").
type Duration struct{ time.Duration }

// UnmarshalJSON reads "90s", "2h30m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"2h30m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	d.Duration = v
	return nil
}

// ParseSeed decodes a seed file, refusing unknown fields.
func ParseSeed(data []byte) (*Seed, error) {
	var s Seed
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode seed: %w", err)
	}
	for i := range s.Orders {
		n := s.Orders[i].NewOrder
		n.applyDefaults()
		if err := n.Validate(); err != nil {
			return nil, fmt.Errorf("seed order %d: %w", i, err)
		}
	}
	return &s, nil
}
