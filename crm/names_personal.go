package crm

// Active personalisation (plugins/portal: personal*.go; plugins/outbox:
// decide.go): the customer chooses, per kind of message, whether they are
// told and on which channel, and which of their things the portal's home
// shows first, in their order.
const (
	// PersonalChoices holds one row per contact: their choices of messages
	// and their pinned things. Written by the server alone (the portal's
	// route, for the signed-in customer's own contact); staff read them, the
	// customer reads their own.
	PersonalChoices = "personal_choices"
	// NewsTopics are the topics of the news the business sends ("product
	// news", "offers"): managers write, staff and customers read the active
	// ones. News is marketing: it still needs the marketing consent.
	NewsTopics = "news_topics"
)

// Fields of personal_choices.
const (
	PcContact  = "contact"
	PcMessages = "messages" // {kind: {on: bool, channel: ""}}: the kinds the customer changed
	PcNews     = "news"     // {topic id: {on: bool, channel: ""}}
	PcPins     = "pins"     // [{type, id}] in the customer's order
)

// Fields of news_topics.
const (
	TopicName        = "name"
	TopicDescription = "description"
	TopicActive      = "active"
	TopicPosition    = "position"
)

// Fields of the outbox that say what kind of message it is, for the
// customer's choices.
const (
	OutboxKind  = "kind"       // one of MessageKinds; "" for a message of no kind (staff's own words)
	OutboxTopic = "news_topic" // relation news_topics: the news's topic (kind news)
)

// Kinds of the messages a customer chooses about.
const (
	KindRequests = "requests" // updates on their requests: received, status, answers
	KindOrders   = "orders"   // an order's status and its payment's
	KindInvoices = "invoices" // an invoice issued
	KindNews     = "news"     // news on a topic (marketing)
)

// MessageKinds in the order the portal lists them.
var MessageKinds = []string{KindRequests, KindOrders, KindInvoices, KindNews}

// What a customer pins to the portal's home.
const (
	PinService = "service" // a subscription
	PinRequest = "request" // a case
	PinOrder   = "order"
	PinInvoice = "invoice"
	MaxPins    = 12
)

// PinTypes in the order the portal offers them.
var PinTypes = []string{PinService, PinRequest, PinOrder, PinInvoice}

// PinCollection is the collection each pin type names a record of.
var PinCollection = map[string]string{PinService: Subscriptions, PinRequest: Cases, PinOrder: Orders, PinInvoice: Invoices}

func init() { AllCollections = append(AllCollections, PersonalChoices, NewsTopics) }

// MessageChoice is a customer's choice for one kind of message (or one news
// topic): told or not, and on which channel ("" for their preferred one).
// A kind with no choice is told on the preferred channel.
type MessageChoice struct {
	On      bool   `json:"on"`
	Channel string `json:"channel,omitempty"`
}

// Pin is one thing on the portal's home: a type of PinTypes and its id.
type Pin struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Templates of the messages about orders and invoices (plugins/portal's
// personal_messages.go queues them; plugins/outbox words them).
const (
	TemplateOrderStatus   = "order_status"   // data: number, status
	TemplatePaymentFailed = "payment_failed" // data: number, reason
	TemplateInvoiceIssued = "invoice_issued" // data: number, total, currency
)

// TemplateKinds: the kind of the messages Vinculo writes itself, for a
// message queued without one.
var TemplateKinds = map[string]string{
	TemplateCaseOpened: KindRequests, TemplateCaseStatus: KindRequests, TemplateCaseReply: KindRequests,
	TemplateOrderStatus: KindOrders, TemplatePaymentFailed: KindOrders, TemplateInvoiceIssued: KindInvoices,
}
