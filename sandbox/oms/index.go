package oms

import (
	"slices"
	"sync"
)

// row is an order's line in its account's list index: the fields list
// orders filters, sorts and sums, side by side in one slice, so a query
// over 100,000 orders reads a few megabytes of rows and not the orders.
type row struct {
	created     int64 // creationDate, Unix nanoseconds
	arrival     int64 // the order in which the account took the orders
	value       int64
	items       int64
	status      Status
	marketplace bool // origin Marketplace (else Fulfillment)
	o           *Order
}

// index keeps an account's rows sorted by (created, arrival). Each order
// knows its row's position (Order.row). Its methods run under the
// account's lock.
type index struct {
	rows    []row
	arrived int64
}

func (x *index) reset() { *x = index{} }

// add places a new order. Orders mostly arrive in creation order, so the
// row goes at the end; a backdated order moves the later rows one place.
func (x *index) add(o *Order) {
	x.arrived++
	r := row{created: o.CreationDate.UnixNano(), arrival: x.arrived, o: o}
	i := len(x.rows)
	for i > 0 && x.rows[i-1].created > r.created {
		i--
	}
	x.rows = slices.Insert(x.rows, i, r)
	for j := i; j < len(x.rows); j++ {
		x.rows[j].o.row = j
	}
	x.refresh(o)
}

// refresh copies o's listed fields into its row after a change.
func (x *index) refresh(o *Order) {
	r := &x.rows[o.row]
	r.value, r.status, r.marketplace = o.Value, o.Status, o.Origin != "Fulfillment"
	r.items = int64(totalItems(o))
}

// totalItems is the units an order holds, list orders' totalItems.
func totalItems(o *Order) int {
	n := 0
	for _, it := range o.Items {
		n += it.Quantity
	}
	return n
}

// docCache keeps the encoded documents of the orders read lately, so a
// client that polls an order gets bytes already made. A change drops the
// order's document; the cache holds at most docCacheSize documents and
// forgets arbitrary ones beyond that.
type docCache struct {
	mu   sync.Mutex
	docs map[*Order][]byte
}

const docCacheSize = 1024

func (c *docCache) get(o *Order) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.docs[o]
}

func (c *docCache) put(o *Order, doc []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docs == nil {
		c.docs = map[*Order][]byte{}
	}
	for k := range c.docs {
		if len(c.docs) < docCacheSize {
			break
		}
		delete(c.docs, k)
	}
	c.docs[o] = doc
}

func (c *docCache) drop(o *Order) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.docs, o)
}

func (c *docCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.docs = nil
}
