package oms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
)

// An entry is one order in its account. While the order is hot (created,
// changed or handled lately) the entry holds it as the Order struct; once
// hotOrders more recent ones have pushed it out, the entry keeps only its
// document, compressed: about 500 bytes in place of about 8 KB, so an
// account of 100,000 orders fits in a few hundred megabytes. A cold order
// is served from its document as it is, and turned back into the struct
// (thawed) when something changes it.
//
// The entry also keeps, hot or cold, what list orders and the look-ups
// read without the order: its ids, origin and the buyer fields the text
// and marketing filters match.
type entry struct {
	o    *Order // while hot
	cold []byte // while cold: the document, compressed with the codec

	id, marketplaceOrderID, origin    string
	email, cpf, name                  string
	marketing                         bool // has marketing data
	utmSource, utmMedium, utmCampaign string

	// The order's unexported fields, which its document does not carry.
	channel  Channel
	shipping Shipping
	hidden   *hidden // while cold, when the order has any

	row        int    // position in the account's index
	prev, next *entry // the hot list, most recent first
}

// hotOrders is how many orders an account keeps as structs. Past it, the
// least recently touched order goes cold.
const hotOrders = 1024

// refresh copies the order's look-up fields into the entry after a change.
func (e *entry) refresh(o *Order) {
	c := &o.ClientProfileData
	e.id, e.marketplaceOrderID, e.origin = o.OrderID, o.MarketplaceOrderID, o.Origin
	e.email, e.cpf, e.name = c.Email, c.Document, c.FirstName+" "+c.LastName
	e.utmSource, e.utmMedium, e.utmCampaign = "", "", ""
	e.marketing = o.MarketingData != nil
	if m := o.MarketingData; m != nil {
		e.utmSource, e.utmMedium, e.utmCampaign = m.UtmSource, m.UtmMedium, m.UtmCampaign
	}
	e.channel, e.shipping = o.channel, o.shipping
}

// hotList orders an account's hot entries, most recently touched first.
// Its methods run under the account's lock.
type hotList struct {
	head, tail *entry
	n          int
}

func (l *hotList) remove(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
	l.n--
}

func (l *hotList) pushFront(e *entry) {
	e.prev, e.next = nil, l.head
	if l.head != nil {
		l.head.prev = e
	} else {
		l.tail = e
	}
	l.head = e
	l.n++
}

// touch moves a hot entry to the front (adding it if new).
func (l *hotList) touch(e *entry) {
	if l.head == e {
		return
	}
	if e.prev != nil || e.next != nil || l.tail == e {
		l.remove(e)
	}
	l.pushFront(e)
}

// hidden is what a cold order's document leaves out of its nested
// parts: the request id of each change (for idempotency) and the dispatch
// date each invoice was sent with. TestFreezingKeepsEveryField fails when
// the Order gains an unexported field this does not carry.
type hidden struct {
	changeRequests []string
	dispatched     []*string
}

func hiddenOf(o *Order) *hidden {
	var h hidden
	keep := false
	if c := o.ChangesAttachment; c != nil {
		for _, d := range c.ChangesData {
			h.changeRequests = append(h.changeRequests, d.requestID)
			keep = keep || d.requestID != ""
		}
	}
	for _, p := range o.PackageAttachment.Packages {
		h.dispatched = append(h.dispatched, p.dispatchedDate)
		keep = keep || p.dispatchedDate != nil
	}
	if !keep {
		return nil
	}
	return &h
}

func (h *hidden) restore(o *Order) {
	if h == nil {
		return
	}
	if c := o.ChangesAttachment; c != nil {
		for i := range min(len(c.ChangesData), len(h.changeRequests)) {
			c.ChangesData[i].requestID = h.changeRequests[i]
		}
	}
	pk := o.PackageAttachment.Packages
	for i := range min(len(pk), len(h.dispatched)) {
		pk[i].dispatchedDate = h.dispatched[i]
	}
}

// freeze makes a hot entry cold: its document (doc, when the account has
// it encoded already) compressed, the struct let go.
func (e *entry) freeze(doc []byte) error {
	if doc == nil {
		var err error
		if doc, err = encodeDocument(e.o); err != nil {
			return err
		}
	}
	scratch := scratches.Get().(*[]byte)
	*scratch = codec().enc.EncodeAll(doc, (*scratch)[:0])
	e.cold = bytes.Clone(*scratch) // the compressed size exactly
	scratches.Put(scratch)
	e.hidden = hiddenOf(e.o)
	e.o = nil
	return nil
}

// document is a cold entry's document, as Get order answers it.
func (e *entry) document() ([]byte, error) {
	doc, err := codec().dec.DecodeAll(e.cold, nil)
	if err != nil {
		return nil, fmt.Errorf("order %s: cold document: %w", e.id, err)
	}
	return doc, nil
}

// thawed decodes a cold entry's order. The document round-trips: encoding
// the thawed order gives the same bytes (timestamps keep VTEX's seven
// fractional digits, the finest the sandbox's documents show).
func (e *entry) thawed() (*Order, error) {
	doc, err := e.document()
	if err != nil {
		return nil, err
	}
	o := new(Order)
	if err := json.Unmarshal(doc, o); err != nil {
		return nil, fmt.Errorf("order %s: cold document: %w", e.id, err)
	}
	o.channel, o.shipping = e.channel, e.shipping
	e.hidden.restore(o)
	return o, nil
}

// view is the order to read: the hot struct, or a cold order decoded for
// the reader (which must not keep or change it).
func (e *entry) view() (*Order, error) {
	if e.o != nil {
		return e.o, nil
	}
	return e.thawed()
}

// encodeDocument is the order's document: JSON with a final newline.
func encodeDocument(o *Order) ([]byte, error) {
	buf := encoders.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); encoders.Put(buf) }()
	if err := json.NewEncoder(buf).Encode(o); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil // one allocation, the document's size
}

// scratches hold the buffers documents are compressed into.
var scratches = sync.Pool{New: func() any { return new([]byte) }}

// encoders hold the buffers documents are encoded into.
var encoders = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// documentCodec compresses cold documents with zstd against a dictionary
// that is itself an order document: most of a document (field names,
// the store's constants, the sandbox's fixed values) is then a reference
// into the dictionary, and only what is the order's own takes room. The
// dictionary is made once per process; cold bytes never leave it.
type documentCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

var codec = sync.OnceValue(func() *documentCodec {
	dict, err := dictionary()
	if err != nil {
		panic(fmt.Sprintf("oms: the cold documents' dictionary: %v", err))
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderDictRaw(1, dict),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(fmt.Sprintf("oms: the cold documents' encoder: %v", err))
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(1, dict), zstd.WithDecoderConcurrency(0))
	if err != nil {
		panic(fmt.Sprintf("oms: the cold documents' decoder: %v", err))
	}
	return &documentCodec{enc: enc, dec: dec}
})

// dictionary is the document of a typical order: two items, a generated
// buyer, handled and invoiced, so package fields are in it too.
func dictionary() ([]byte, error) {
	n := NewOrder{Items: []NewItem{
		{ID: "SKU-1", Name: "Camiseta Básica", Price: 4990, Quantity: 2},
		{ID: "SKU-2", Name: "Meia", Price: 990, Quantity: 1},
	}}
	n.applyDefaults()
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	o := build("dictionary", &n, newIDSource("dictionary", 1), at)
	settle(o, at, nil)
	o.PackageAttachment.Packages = append(o.PackageAttachment.Packages, Package{Type: "Output",
		InvoiceNumber: "12345", InvoiceValue: o.Value, IssuanceDate: at.Format(time.RFC3339),
		Courier: ptr("Correios"), TrackingNumber: ptr("BR123456789BR"), Items: []PackageItem{{ItemIndex: 0, Quantity: 2, Price: 4990}}})
	return encodeDocument(o)
}
