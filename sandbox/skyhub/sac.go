package skyhub

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/omsbox/omsbox/sandbox/events"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
)

// SAC and question events.
const (
	EventTicketOpened     = "skyhub.sac-opened"
	EventTicketReplied    = "skyhub.sac-replied"
	EventTicketStatus     = "skyhub.sac-status-changed"
	EventQuestionAsked    = "skyhub.question-asked"
	EventQuestionAnswered = "skyhub.question-answered"
)

// Ticket statuses: the seller reads and archives; the marketplace closes.
// A closed ticket takes no more replies.
const (
	TicketUnread   = "UNREAD"
	TicketRead     = "READ"
	TicketArchived = "ARCHIVED"
	TicketClosed   = "CLOSED"
)

// ticketMoves says which statuses a seller may set from which: a closed
// ticket is closed for good.
var ticketMoves = map[string][]string{
	TicketUnread:   {TicketRead, TicketArchived},
	TicketRead:     {TicketUnread, TicketArchived},
	TicketArchived: {TicketUnread, TicketRead},
	TicketClosed:   {},
}

// SACPageSize is how many tickets a cursor page holds.
const SACPageSize = 20

// Ticket is an after-sale ticket (SAC) about an order.
type Ticket struct {
	Code      string        `json:"code"`
	OrderCode string        `json:"order_code"`
	Platform  string        `json:"platform"`
	Status    string        `json:"status"`
	Mediation bool          `json:"mediation"`
	Warehouse string        `json:"warehouse"`
	CreatedAt string        `json:"created_at"`
	UpdatedAt string        `json:"updated_at"`
	Messages  []ChatMessage `json:"-"`
}

// ChatMessage is one message of a ticket's chat.
type ChatMessage struct {
	Content   string   `json:"content"`
	CreatedAt string   `json:"created_at"`
	RepliedAt *string  `json:"replyed_at"` // sic, SkyHub's spelling
	Part      ChatPart `json:"part"`
}

// ChatPart is who wrote a message.
type ChatPart struct {
	Role  string `json:"role"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Code  string `json:"code"`
}

// chatTime is how SkyHub writes a message's date: no offset.
func chatTime(t time.Time) string { return t.In(saoPaulo).Format("2006-01-02T15:04:05") }

// OpenTicket opens a ticket about an order with the customer's first
// message (the control plane, standing in for the customer).
func (s *Store) OpenTicket(orderCode, message, status string) (Ticket, error) {
	if strings.TrimSpace(message) == "" {
		return Ticket{}, &Error{Status: 400, Message: "message is required"}
	}
	if status == "" {
		status = TicketUnread
	}
	if _, ok := ticketMoves[status]; !ok {
		return Ticket{}, &Error{Status: 400, Message: fmt.Sprintf("status %q is not UNREAD, READ, ARCHIVED or CLOSED", clip.ID(status))}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(orderCode)
	if err != nil {
		return Ticket{}, err
	}
	now := s.hub.clock.Now()
	t := &Ticket{Code: fmt.Sprintf("%s-%s%03d", o.Channel, o.remote, len(s.tickets)+1), OrderCode: o.Code, Platform: "B2w",
		Status: status, Warehouse: "98", CreatedAt: skyhubTime(now), UpdatedAt: skyhubTime(now)}
	t.Messages = []ChatMessage{{Content: message, CreatedAt: chatTime(now),
		Part: ChatPart{Role: "CUSTOMER", Name: o.Customer.Name, Email: o.Customer.Email, Code: "customer"}}}
	s.tickets = append(s.tickets, t)
	s.publishSAC(EventTicketOpened, t, nil)
	return *t, nil
}

// Tickets lists the tickets from position from (a cursor), filtered by
// status and platform, and says where the next page starts (-1 at the end).
func (s *Store) Tickets(status, platform string, from int) ([]Ticket, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Ticket{}
	for i := from; i < len(s.tickets); i++ {
		t := s.tickets[i]
		if (status != "" && !strings.EqualFold(t.Status, status)) || (platform != "" && !strings.EqualFold(t.Platform, platform)) {
			continue
		}
		if len(out) == SACPageSize {
			return out, i
		}
		out = append(out, *t)
	}
	return out, -1
}

// Chat returns a ticket's chat.
func (s *Store) Chat(code string) (Ticket, []ChatMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.ticket(code)
	if err != nil {
		return Ticket{}, nil, err
	}
	return *t, slices.Clone(t.Messages), nil
}

// Reply adds the seller's message to a ticket's chat; a closed ticket is
// refused (422).
func (s *Store) Reply(code, message string) error {
	if strings.TrimSpace(message) == "" {
		return &Error{Status: 400, Message: "message is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.ticket(code)
	if err != nil {
		return err
	}
	if t.Status == TicketClosed {
		return invalid("o SAC %s está encerrado e não aceita respostas", t.Code)
	}
	now := s.hub.clock.Now()
	at := chatTime(now)
	for i := range t.Messages {
		if t.Messages[i].Part.Role == "CUSTOMER" && t.Messages[i].RepliedAt == nil {
			t.Messages[i].RepliedAt = &at
		}
	}
	t.Messages = append(t.Messages, ChatMessage{Content: message, CreatedAt: at,
		Part: ChatPart{Role: "SELLER", Name: s.seller.Email, Email: s.seller.Email, Code: "seller"}})
	t.Status, t.UpdatedAt = TicketRead, skyhubTime(now)
	s.publishSAC(EventTicketReplied, t, map[string]any{"message": message})
	return nil
}

// SetTicketStatus moves a ticket by the seller's hand (ticketMoves), or
// closes it by the marketplace's (byMarketplace).
func (s *Store) SetTicketStatus(code, status string, byMarketplace bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.ticket(code)
	if err != nil {
		return err
	}
	_, known := ticketMoves[status]
	switch {
	case !known:
		return &Error{Status: 400, Message: fmt.Sprintf("status %q is not UNREAD, READ, ARCHIVED or CLOSED", clip.ID(status))}
	case byMarketplace && status == TicketClosed:
	case status == TicketClosed:
		return invalid("only the marketplace closes a SAC")
	case !slices.Contains(ticketMoves[t.Status], status) && t.Status != status:
		return invalid("o SAC %s está %s e não pode ir para %s", t.Code, t.Status, status)
	}
	from := t.Status
	t.Status, t.UpdatedAt = status, skyhubTime(s.hub.clock.Now())
	s.publishSAC(EventTicketStatus, t, map[string]any{"from": from})
	return nil
}

func (s *Store) ticket(code string) (*Ticket, error) {
	for _, t := range s.tickets {
		if t.Code == code {
			return t, nil
		}
	}
	return nil, &Error{Status: 404, Message: fmt.Sprintf("SAC %s não encontrado", clip.ID(code))}
}

func (s *Store) publishSAC(typ string, t *Ticket, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["code"], data["orderCode"], data["status"] = t.Code, t.OrderCode, t.Status
	s.hub.bus.Publish(events.Event{Time: s.hub.clock.Now(), Account: s.seller.Account, Type: typ, Data: data})
}

// Question statuses.
const (
	QuestionUnanswered = "UNANSWERED"
	QuestionAnswered   = "ANSWERED"
	QuestionFinished   = "FINISHED"
)

// QuestionsPageSize is how many questions a cursor page holds.
const QuestionsPageSize = 20

// Question is a buyer's question about a product.
type Question struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	ProductSku  string  `json:"product_sku"`
	PlatformSku string  `json:"platform_sku"`
	Platform    string  `json:"platform"`
	Text        string  `json:"text"`
	CreatedAt   string  `json:"created_at"`
	Answer      *string `json:"answer"`
	AnsweredAt  *string `json:"answered_at"`
}

// Ask records a buyer's question about a SKU (the control plane).
func (s *Store) Ask(sku, text, platform string) (Question, error) {
	if strings.TrimSpace(sku) == "" || strings.TrimSpace(text) == "" {
		return Question{}, &Error{Status: 400, Message: "sku and text are required"}
	}
	if platform == "" {
		platform = "B2W"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.hub.clock.Now()
	q := &Question{ID: strconv.Itoa(9_000_000 + len(s.questions) + 1), Status: QuestionUnanswered, ProductSku: sku,
		PlatformSku: "MKT-" + sku, Platform: platform, Text: text, CreatedAt: skyhubTime(now)}
	s.questions = append(s.questions, q)
	s.hub.bus.Publish(events.Event{Time: now, Account: s.seller.Account, Type: EventQuestionAsked,
		Data: map[string]any{"id": q.ID, "sku": sku, "platform": platform}})
	return *q, nil
}

// Questions lists the questions of one platform from position from,
// filtered by status, and says where the next page starts (-1 at the end).
func (s *Store) Questions(platform, status string, from int) ([]Question, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Question{}
	for i := from; i < len(s.questions); i++ {
		q := s.questions[i]
		if !strings.EqualFold(q.Platform, platform) || (status != "" && !strings.EqualFold(q.Status, status)) {
			continue
		}
		if len(out) == QuestionsPageSize {
			return out, i
		}
		out = append(out, *q)
	}
	return out, -1
}

// Question returns one question.
func (s *Store) Question(id string) (Question, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.question(id)
	if err != nil {
		return Question{}, err
	}
	return *q, nil
}

// AnswerQuestion answers an unanswered question; a second answer is a 422.
func (s *Store) AnswerQuestion(id, text string) error {
	if strings.TrimSpace(text) == "" {
		return &Error{Status: 400, Message: "the answer is empty"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.question(id)
	if err != nil {
		return err
	}
	if q.Status != QuestionUnanswered {
		return invalid("a pergunta %s já está %s", q.ID, q.Status)
	}
	now := skyhubTime(s.hub.clock.Now())
	q.Status, q.Answer, q.AnsweredAt = QuestionAnswered, &text, &now
	s.hub.bus.Publish(events.Event{Time: s.hub.clock.Now(), Account: s.seller.Account, Type: EventQuestionAnswered,
		Data: map[string]any{"id": q.ID, "sku": q.ProductSku, "answer": text}})
	return nil
}

func (s *Store) question(id string) (*Question, error) {
	for _, q := range s.questions {
		if q.ID == id {
			return q, nil
		}
	}
	return nil, &Error{Status: 404, Message: fmt.Sprintf("Pergunta %s não encontrada", clip.ID(id))}
}

// LocateTicket finds the seller that holds a ticket.
func (h *Hub) LocateTicket(code string) (*Store, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, s := range h.sellers {
		s.mu.Lock()
		_, err := s.ticket(code)
		s.mu.Unlock()
		if err == nil {
			return s, true
		}
	}
	return nil, false
}
