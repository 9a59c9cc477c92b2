package reference

import (
	"context"
	"time"
)

// PollSkyHubQueue takes one order from SkyHub's queue.
func (c *Connector) PollSkyHubQueue(ctx context.Context) (int, error) { return c.pollSkyHubQueue(ctx) }

// NFeKey composes the seller's NF-e access key.
func NFeKey(cnpj string, number int, issued time.Time) (string, error) {
	return nfeKey(cnpj, number, issued)
}

// Mod11 is the NF-e check digit.
func Mod11(digits string) int { return mod11(digits) }
