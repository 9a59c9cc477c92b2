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
	e           *entry
}

// index keeps an account's rows sorted by (created, arrival). Each entry
// knows its row's position (entry.row). Its methods run under the
// account's lock.
type index struct {
	rows    []row
	arrived int64
}

func (x *index) reset() { *x = index{} }

// add places a new (hot) order. Orders mostly arrive in creation order, so
// the row goes at the end; a backdated order moves the later rows one place.
func (x *index) add(e *entry) {
	x.arrived++
	r := row{created: e.o.CreationDate.UnixNano(), arrival: x.arrived, e: e}
	i := len(x.rows)
	for i > 0 && x.rows[i-1].created > r.created {
		i--
	}
	x.rows = slices.Insert(x.rows, i, r)
	for j := i; j < len(x.rows); j++ {
		x.rows[j].e.row = j
	}
	x.refresh(e)
}

// refresh copies a hot order's listed fields into its row after a change.
func (x *index) refresh(e *entry) {
	o := e.o
	r := &x.rows[e.row]
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
// order's document. The documents of hot orders stay until the order
// changes or goes cold (the freeze compresses that very document rather
// than encoding the order again); those of cold orders, decompressed for
// a read, are kept up to docCacheSize, arbitrary ones forgotten beyond.
//
// put runs under the account's read lock, freeze and drop under its write
// lock, so an entry's hotness cannot change during a put.
type docCache struct {
	mu   sync.Mutex
	hot  map[*entry][]byte
	cold map[*entry][]byte
}

const docCacheSize = 1024

func (c *docCache) get(e *entry) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if doc, ok := c.hot[e]; ok {
		return doc
	}
	return c.cold[e]
}

func (c *docCache) put(e *entry, doc []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hot == nil {
		c.hot, c.cold = map[*entry][]byte{}, map[*entry][]byte{}
	}
	if e.o != nil {
		c.hot[e] = doc
		return
	}
	for k := range c.cold {
		if len(c.cold) < docCacheSize {
			break
		}
		delete(c.cold, k)
	}
	c.cold[e] = doc
}

// take drops the entry's document and returns it, if it had one.
func (c *docCache) take(e *entry) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	doc := c.hot[e]
	delete(c.hot, e)
	delete(c.cold, e)
	return doc
}

func (c *docCache) drop(e *entry) { c.take(e) }

func (c *docCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hot, c.cold = nil, nil
}
