package oms

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/omsbox/omsbox/sandbox/clock"
	"github.com/omsbox/omsbox/sandbox/events"
)

// BenchmarkMemoryPerOrder stores 100,000 orders, a realistic mix of 1 to 5
// items with generated customers, and reports the live heap each order
// costs (heap in use after a GC, before and after, divided by the count).
func BenchmarkMemoryPerOrder(b *testing.B) {
	const orders = 100_000
	names := []string{"Camiseta Básica Algodão", "Tênis Esportivo Runner", "Fone de Ouvido Bluetooth",
		"Cafeteira Elétrica 110V", "Jogo de Panelas 5 Peças"}
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := New(clock.Frozen(start), &events.Bus{}, 1)
		a, _ := s.AddAccount("demostore", nil)
		for i := range orders {
			n := NewOrder{}
			for j := range 1 + i%5 {
				n.Items = append(n.Items, NewItem{ID: fmt.Sprintf("SKU-%d", j), Name: names[j], Price: int64(990 + 1000*j), Quantity: 1 + j%3})
			}
			if _, err := a.Create(n); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/orders, "heapB/order")
		runtime.KeepAlive(a)
	}
}
