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

// TestTheTokenPairIsNotAnOrder: the Mercado Livre tokens share the state
// file with the orders, but the driver's order list and counts leave them out.
func TestTheTokenPairIsNotAnOrder(t *testing.T) {
	s, err := openStore(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []StoredOrder{{OrderID: mlTokenKey, Status: "token", Order: json.RawMessage(`{}`)},
		{OrderID: "1-01", Status: "handling", Order: json.RawMessage(`{}`)}} {
		if err := s.put(o); err != nil {
			t.Fatal(err)
		}
	}
	if all := s.all(); len(all) != 1 || all[0].OrderID != "1-01" {
		t.Errorf("orders: %+v", all)
	}
	if n := s.count(func(StoredOrder) bool { return true }); n != 1 {
		t.Errorf("count: %d", n)
	}
	if _, ok := s.get(mlTokenKey); !ok {
		t.Error("the token pair is gone")
	}
}
