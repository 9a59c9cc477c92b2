package reference

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// StoredOrder is what the connector keeps of an order: the VTEX document
// as last read, and what it has done with it.
type StoredOrder struct {
	OrderID string          `json:"orderId"`
	Status  string          `json:"status"`
	Order   json.RawMessage `json:"order"`
	// HandlingStarted records a successful start-handling, so a restart
	// never starts handling twice.
	HandlingStarted bool `json:"handlingStarted"`
	// Telesales is an order the ERP took by phone: no VTEX document.
	Telesales *TelesalesOrder `json:"telesales,omitempty"`
}

// store is the connector's own database: a JSON file, rewritten whole and
// atomically (write a temporary file, sync, rename) on every change, so a
// crash leaves either the old or the new state, never half of one.
type store struct {
	path   string
	mu     sync.Mutex
	orders map[string]*StoredOrder
}

func openStore(path string) (*store, error) {
	s := &store{path: path, orders: map[string]*StoredOrder{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	var list []*StoredOrder
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("state file %s is damaged: %w", path, err)
	}
	for _, o := range list {
		s.orders[o.OrderID] = o
	}
	return s, nil
}

// get returns a copy of a stored order.
func (s *store) get(id string) (StoredOrder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return StoredOrder{}, false
	}
	return *o, true
}

// put saves an order and writes the file before returning. A document
// older than the one stored (by VTEX's lastChange) never replaces it: a
// download that read the order before an action changed it may finish
// after the action's own refresh.
func (s *store) put(o StoredOrder) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, had := s.orders[o.OrderID]
	if had && lastChange(prev.Order).After(lastChange(o.Order)) {
		o.Order, o.Status = prev.Order, prev.Status
	}
	s.orders[o.OrderID] = &o
	if err := s.writeLocked(); err != nil {
		if had {
			s.orders[o.OrderID] = prev
		} else {
			delete(s.orders, o.OrderID)
		}
		return err
	}
	return nil
}

// count returns how many stored orders keep holds for.
func (s *store) count(keep func(StoredOrder) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orders {
		if o.OrderID != mlTokenKey && keep(*o) {
			n++
		}
	}
	return n
}

// all returns the stored orders, by id; the Mercado Livre token pair,
// kept in the same file, is not an order.
func (s *store) all() []StoredOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredOrder, 0, len(s.orders))
	for _, o := range s.orders {
		if o.OrderID != mlTokenKey {
			out = append(out, *o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	return out
}

func (s *store) writeLocked() error {
	list := make([]*StoredOrder, 0, len(s.orders))
	for _, o := range s.orders {
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].OrderID < list[j].OrderID })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".refclient-state-*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// lastChange reads a VTEX order document's lastChange (zero when absent).
func lastChange(doc json.RawMessage) time.Time {
	var head struct {
		LastChange time.Time `json:"lastChange"`
	}
	_ = json.Unmarshal(doc, &head)
	return head.LastChange
}
