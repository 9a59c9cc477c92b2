package reference

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

func TestAStaleDocumentNeverReplacesANewerOne(t *testing.T) {
	s, err := openStore(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	newer := json.RawMessage(`{"status":"invoiced","lastChange":"2026-03-10T12:05:00.0000000+00:00"}`)
	older := json.RawMessage(`{"status":"ready-for-handling","lastChange":"2026-03-10T12:00:00.0000000+00:00"}`)
	if err := s.put(StoredOrder{OrderID: "1-01", Status: "invoiced", Order: newer}); err != nil {
		t.Fatal(err)
	}
	// A download that read the order before it was invoiced finishes last.
	if err := s.put(StoredOrder{OrderID: "1-01", Status: "handling", Order: older, HandlingStarted: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.get("1-01")
	if got.Status != "invoiced" || string(got.Order) != string(newer) || !got.HandlingStarted {
		t.Fatalf("stored %s %s handling=%v", got.Status, got.Order, got.HandlingStarted)
	}
}
