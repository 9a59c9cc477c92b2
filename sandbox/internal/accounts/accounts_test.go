package accounts

import (
	"sync"
	"testing"
)

func TestEachAccountIsMadeOnceAndResetAlone(t *testing.T) {
	made := 0
	var mu sync.Mutex
	s := New(func(name string) *[]string {
		mu.Lock()
		made++
		mu.Unlock()
		v := []string{name}
		return &v
	})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { s.Get("a") })
	}
	wg.Wait()
	if made != 1 || (*s.Get("a"))[0] != "a" {
		t.Fatalf("made %d times", made)
	}
	s.Get("b")
	var seen []string
	s.Each("b", func(v *[]string) { seen = append(seen, (*v)[0]) })
	if len(seen) != 1 || seen[0] != "b" {
		t.Fatalf("Each(b) saw %v", seen)
	}
	n := 0
	s.Each("", func(*[]string) { n++ })
	if n != 2 {
		t.Fatalf("Each(all) saw %d", n)
	}
}
