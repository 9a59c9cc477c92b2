package mercadolivre

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Customer service, essentials: buyers' questions on listings (answered
// with POST /answers) and post-sale messages per pack (the buyer writes
// first; the seller's are at most 350 characters).

// Question statuses.
const (
	QuestionUnanswered = "UNANSWERED"
	QuestionAnswered   = "ANSWERED"
)

// Limits of texts.
const (
	MaxAnswer        = 2000
	MaxSellerMessage = 350
	MaxBuyerMessage  = 3500
)

type question struct {
	id, sellerID, from int64
	account, itemID    string
	text, status       string
	created            time.Time
	answer             string
	answered           time.Time
}

type message struct {
	id       string
	from, to int64
	text     string
	created  time.Time
	read     *time.Time
}

type conversation struct {
	key, sellerID, buyerID int64
	account                string
	msgs                   []*message
}

func questionDoc(q *question) map[string]any {
	var ans any
	if q.status == QuestionAnswered {
		ans = map[string]any{"text": q.answer, "status": "ACTIVE", "date_created": Time(q.answered)}
	}
	return map[string]any{"id": q.id, "seller_id": q.sellerID, "item_id": q.itemID, "status": q.status, "text": q.text,
		"date_created": Time(q.created), "hold": false, "deleted_from_listing": false, "suspected_spam": false,
		"answer": ans, "from": map[string]any{"id": q.from}}
}

// Ask is a buyer's question on a listing (control plane).
func (m *Market) Ask(account, itemID, text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxAnswer {
		return nil, refuse(400, "invalid_question", "a question needs a text of 1 to %d characters", MaxAnswer)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[itemID]
	if !ok || it.account != account {
		return nil, refuse(404, "not_found", "item %s is not a listing of account %s", clipS(itemID), account)
	}
	q := &question{id: m.newID(10_000_000_000, 89_999_999_999), sellerID: it.sellerID, from: m.newID(1_000_000_000, 1_000_000_000),
		account: account, itemID: itemID, text: text, status: QuestionUnanswered, created: m.clock.Now()}
	m.questions[q.id] = q
	m.publish(account, EventQuestion, q.sellerID, fmt.Sprintf("/questions/%d", q.id), strconv.FormatInt(q.id, 10), map[string]any{"action": "asked"})
	return questionDoc(q), nil
}

// Questions is GET /questions/search (seller_id, item, status, paging).
func (m *Market) Questions(c Caller, seller int64, itemID, status string, offset, limit int) (map[string]any, error) {
	if seller != c.SellerID {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var qs []*question
	for _, q := range m.questions {
		if q.sellerID == seller && (itemID == "" || q.itemID == itemID) && (status == "" || q.status == status) {
			qs = append(qs, q)
		}
	}
	slices.SortFunc(qs, func(a, b *question) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return int(b.id - a.id)
	})
	out := []map[string]any{}
	for i := offset; i < len(qs) && i < offset+limit; i++ {
		out = append(out, questionDoc(qs[i]))
	}
	return map[string]any{"total": len(qs), "limit": limit, "questions": out, "filters": map[string]any{"limit": limit, "offset": offset},
		"available_filters": []any{}, "available_sorts": []string{"item_id", "from_id", "date_created", "seller_id"}}, nil
}

// Question is GET /questions/{id}.
func (m *Market) Question(c Caller, id int64) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, ok := m.questions[id]
	if err := ownerCheck(ok, sellerOf(ok, func() int64 { return q.sellerID }), c, refuse(404, "not_found", "Question %d not found", id)); err != nil {
		return nil, err
	}
	return questionDoc(q), nil
}

// Answer is POST /answers.
func (m *Market) Answer(c Caller, id int64, text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxAnswer {
		return nil, refuse(400, "invalid_post_body", "the answer needs a text of 1 to %d characters", MaxAnswer)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, ok := m.questions[id]
	if !ok {
		return nil, refuse(404, "invalid_question", "Question %d not found", id)
	}
	if q.sellerID != c.SellerID {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	if q.status != QuestionUnanswered {
		return nil, refuse(400, "invalid_question", "question %d is %s; only an unanswered question takes an answer", id, q.status)
	}
	q.status, q.answer, q.answered = QuestionAnswered, text, m.clock.Now()
	m.publish(q.account, EventQuestion, q.sellerID, fmt.Sprintf("/questions/%d", q.id), strconv.FormatInt(q.id, 10), map[string]any{"action": "answered"})
	return questionDoc(q), nil
}

// conversationOf finds the pack (or single order) a message key names;
// m.mu held.
func (m *Market) conversationOf(key int64) (*conversation, bool, error) {
	var seller, buyer int64
	var account string
	cancelled := false
	if p, ok := m.packs[key]; ok {
		seller, buyer, account = p.sellerID, p.buyerID, p.account
		cancelled = !slices.ContainsFunc(p.orders, func(id int64) bool { return m.orders[id].status != OrderCancelled })
	} else if o, ok := m.orders[key]; ok && o.packID == 0 {
		seller, buyer, account, cancelled = o.sellerID, o.buyerID, o.account, o.status == OrderCancelled
	} else {
		return nil, false, refuse(404, "not_found", "pack %d not found", key)
	}
	c := m.convs[key]
	if c == nil {
		c = &conversation{key: key, sellerID: seller, buyerID: buyer, account: account}
		m.convs[key] = c
	}
	return c, cancelled, nil
}

func messageDoc(x *message) map[string]any {
	var read any
	if x.read != nil {
		read = Time(*x.read)
	}
	return map[string]any{"id": x.id, "from": map[string]any{"user_id": x.from}, "to": map[string]any{"user_id": x.to},
		"status": "available", "text": x.text,
		"message_date": map[string]any{"created": Time(x.created), "received": Time(x.created), "available": Time(x.created),
			"notified": Time(x.created), "read": read},
		"message_moderation": map[string]any{"status": "clean", "reason": nil}, "message_attachments": nil, "message_resources": []any{}}
}

// BuyerMessage is the buyer writing on a pack (control plane).
func (m *Market) BuyerMessage(account string, key int64, text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxBuyerMessage {
		return nil, refuse(400, "invalid_text", "a buyer message needs 1 to %d characters", MaxBuyerMessage)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, _, err := m.conversationOf(key)
	if err != nil || c.account != account {
		return nil, refuse(404, "not_found", "pack or order %d is not account %s's", key, account)
	}
	return m.addMessage(c, c.buyerID, c.sellerID, text), nil
}

func (m *Market) addMessage(c *conversation, from, to int64, text string) map[string]any {
	x := &message{id: m.hex(16), from: from, to: to, text: text, created: m.clock.Now()}
	c.msgs = append(c.msgs, x)
	m.publish(c.account, EventMessage, c.sellerID, x.id, x.id, map[string]any{"actions": []string{"created"}, "packId": c.key})
	return messageDoc(x)
}

// Messages is GET /messages/packs/{pack}/sellers/{seller}: it marks the
// buyer's messages read unless markRead is false.
func (m *Market) Messages(c Caller, key, seller int64, markRead bool) (map[string]any, error) {
	if seller != c.SellerID {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	conv, cancelled, err := m.conversationOf(key)
	if err != nil {
		return nil, err
	}
	if conv.sellerID != seller {
		return nil, refuse(403, "forbidden", "The User ID must match the consultant's")
	}
	now := m.clock.Now()
	msgs := make([]map[string]any, 0, len(conv.msgs))
	for i := len(conv.msgs) - 1; i >= 0; i-- { // newest first
		x := conv.msgs[i]
		if markRead && x.to == seller && x.read == nil {
			x.read = &now
			m.publish(conv.account, EventMessage, conv.sellerID, x.id, x.id, map[string]any{"actions": []string{"read"}, "packId": key})
		}
		msgs = append(msgs, messageDoc(x))
	}
	status := "active"
	if cancelled {
		status = "blocked"
	}
	return map[string]any{"paging": map[string]any{"limit": 10, "offset": 0, "total": len(msgs)},
		"conversation_status": map[string]any{"path": fmt.Sprintf("/packs/%d/seller/%d", key, seller), "status": status, "substatus": nil},
		"messages":            msgs, "seller_max_message_length": MaxSellerMessage, "buyer_max_message_length": MaxBuyerMessage}, nil
}

// MessageRefusal is messaging's own error shape: status_code, code,
// message.
type MessageRefusal struct {
	StatusCode int
	Code       string
	Message    string
}

func (e *MessageRefusal) Error() string { return e.Message }

// SendMessage is the seller's POST on a pack's conversation: the buyer
// must have written first, at most 350 characters, not on a cancelled
// sale.
func (m *Market) SendMessage(c Caller, key, seller, to int64, text string) (map[string]any, error) {
	if seller != c.SellerID {
		return nil, &MessageRefusal{403, "forbidden", "The User ID must match the consultant's"}
	}
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxSellerMessage {
		return nil, &MessageRefusal{400, "bad_request", fmt.Sprintf("text must have 1 to %d characters", MaxSellerMessage)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	conv, cancelled, err := m.conversationOf(key)
	if err != nil {
		return nil, &MessageRefusal{404, "not_found", err.(*Error).Message}
	}
	switch {
	case conv.sellerID != seller:
		return nil, &MessageRefusal{403, "forbidden", "The User ID must match the consultant's"}
	case cancelled:
		return nil, &MessageRefusal{403, "forbidden", "blocked_conversation_send_message_forbidden"}
	case !slices.ContainsFunc(conv.msgs, func(x *message) bool { return x.from == conv.buyerID }):
		return nil, &MessageRefusal{403, "forbidden", "blocked_conversation_send_message_forbidden: the buyer must write first"}
	case to != conv.buyerID:
		return nil, &MessageRefusal{400, "bad_request", fmt.Sprintf("to.user_id must be the buyer %d", conv.buyerID)}
	}
	return m.addMessage(conv, seller, to, text), nil
}
