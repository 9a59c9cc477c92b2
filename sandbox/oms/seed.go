package oms

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/omsbox/omsbox/sandbox/clock"
)

// Seed is the set of orders an account starts with (testdata/seed/*.json).
type Seed struct {
	Orders []SeedOrder `json:"orders"`
}

// SeedOrder is a new order, backdated by Age.
type SeedOrder struct {
	NewOrder
	// Age is how long before the sandbox starts the order was placed.
	Age clock.Duration `json:"age"`
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
