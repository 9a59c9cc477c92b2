package events

import (
	"testing"
)

func TestBusDeliversInOrderAndUnsubscribes(t *testing.T) {
	var b Bus
	var got []int64
	stop := b.Subscribe(func(e Event) { got = append(got, e.Seq) })
	var second int
	b.Subscribe(func(Event) { second++ })
	for range 3 {
		b.Publish(Event{Type: OrderCreated})
	}
	stop()
	b.Publish(Event{Type: OrderCreated})
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("first subscriber saw %v, want [1 2 3]", got)
	}
	if second != 4 {
		t.Fatalf("second subscriber saw %d events, want 4", second)
	}
}
