package contracts_test

import (
	"context"
	"testing"

	"github.com/omsbox/omsbox/contracts"
)

// TestFeaturesAgainstTheReferenceClient runs every feature against the
// bundled reference client, each scenario a subtest in its own account.
func TestFeaturesAgainstTheReferenceClient(t *testing.T) {
	status, err := contracts.Run(context.Background(), contracts.Options{
		Integration: contracts.InProcess{StateDir: t.TempDir()},
		Concurrency: 4,
		Formats:     "progress",
		TestingT:    t,
	})
	if err != nil || status != 0 {
		t.Fatalf("contract suite: status %d, %v", status, err)
	}
}
