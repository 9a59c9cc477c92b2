// Package accounts owns the per-account registry the channel domains
// share: each account's state made on first use, read without contention,
// and reset one account at a time or all at once. Accounts never see each
// other's state: each has its own value, with its own lock.
package accounts

import "sync"

// Set holds one *A per account name.
type Set[A any] struct {
	mu   sync.RWMutex
	acc  map[string]*A
	make func(name string) *A
}

// New returns an empty set; make builds an account's state on first use.
func New[A any](make func(name string) *A) *Set[A] {
	return &Set[A]{acc: map[string]*A{}, make: make}
}

// Get returns the account's state, made on first use.
func (s *Set[A]) Get(name string) *A {
	s.mu.RLock()
	a := s.acc[name]
	s.mu.RUnlock()
	if a != nil {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a = s.acc[name]; a == nil {
		a = s.make(name)
		s.acc[name] = a
	}
	return a
}

// Each calls fn with the state of one account, or of every account for
// "", among those made so far. fn takes the account's own lock.
func (s *Set[A]) Each(account string, fn func(*A)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for name, a := range s.acc {
		if account == "" || name == account {
			fn(a)
		}
	}
}
