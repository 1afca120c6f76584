package outbox_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// choose saves Ana's choices of messages (and of news topics).
func choose(t *testing.T, w *testkit.World, messages, news map[string]crm.MessageChoice) {
	t.Helper()
	w.Make(t, "", crm.PersonalChoices, map[string]any{crm.PcContact: w.ID("contact"), crm.PcMessages: messages, crm.PcNews: news})
}

// decided is a message's state, reason code and data after its queue.
func decided(t *testing.T, w *testkit.World, m *core.Record) (string, string, map[string]any) {
	t.Helper()
	code, data := reasonOf(t, w, m)
	return w.Reload(t, m).GetString("state"), code, data
}

// Each kind the customer turned off is refused with the reason worded for
// people, whether the message names its kind or its template gives it; the
// kinds left on go as before; a message of no kind is not held back.
func TestEachKindTheCustomerTurnedOffIsNotSent(t *testing.T) {
	w := newWorld(t)
	offers := w.Make(t, "offers", crm.NewsTopics, map[string]any{crm.TopicName: "Offers", crm.TopicActive: true})
	product := w.Make(t, "product-news", crm.NewsTopics, map[string]any{crm.TopicName: "Product news", crm.TopicActive: true})
	consent(t, w, w.R("contact"), crm.PurposeMarketing, "email", "granted")
	off := crm.MessageChoice{On: false}
	choose(t, w, map[string]crm.MessageChoice{crm.KindRequests: off, crm.KindOrders: off, crm.KindInvoices: off},
		map[string]crm.MessageChoice{offers.Id: off})

	cases := []struct {
		name   string
		fields map[string]any
		kind   string
	}{
		{"request status (by its template)", map[string]any{"purpose": "service", "template": crm.TemplateCaseStatus,
			"data": map[string]any{"reference": "R-1", "status": "open"}}, crm.KindRequests},
		{"an answer on a request (by its template)", map[string]any{"purpose": "service", "template": crm.TemplateCaseReply,
			"data": map[string]any{"reference": "R-1", "message": "Oi"}}, crm.KindRequests},
		{"order status", map[string]any{"purpose": "service", "template": crm.TemplateOrderStatus,
			"data": map[string]any{"number": "ORD-1", "status": "shipped"}}, crm.KindOrders},
		{"payment failed", map[string]any{"purpose": "service", "template": crm.TemplatePaymentFailed,
			"data": map[string]any{"number": "ORD-1"}}, crm.KindOrders},
		{"invoice (kind named, no template)", map[string]any{"purpose": "service", crm.OutboxKind: crm.KindInvoices,
			"subject": "Sua fatura", "body": "Segue."}, crm.KindInvoices},
	}
	for _, c := range cases {
		m := queue(t, w, "2026-11-24 10:00", c.fields)
		state, code, data := decided(t, w, m)
		if state != crm.OutboxRefused || code != outbox.ReasonOptedOut || data["kind"] != c.kind {
			t.Errorf("%s: state %q code %q data %v; want refused, %s, kind %s", c.name, state, code, data, outbox.ReasonOptedOut, c.kind)
		}
	}

	// News on a topic turned off: refused, naming the topic.
	news := marketing("Promoção")
	news[crm.OutboxKind], news[crm.OutboxTopic] = crm.KindNews, offers.Id
	state, code, data := decided(t, w, queue(t, w, "2026-11-24 10:00", news))
	if state != crm.OutboxRefused || code != outbox.ReasonOptedOutTopic || data["topic_name"] != "Offers" || data["topic"] != offers.Id {
		t.Errorf("news on offers: %q %q %v", state, code, data)
	}
	// News on a topic left on goes (with its marketing consent).
	news = marketing("Novidade")
	news[crm.OutboxKind], news[crm.OutboxTopic] = crm.KindNews, product.Id
	if state, code, data := decided(t, w, queue(t, w, "2026-11-24 10:00", news)); state != crm.OutboxQueued || code != outbox.ReasonDue {
		t.Errorf("news on product news: %q %q %v; want due", state, code, data)
	}
	// A message of no kind (staff's own words) is not held back by them.
	if state, code, _ := decided(t, w, queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Oi", "body": "Tudo bem?"})); state != crm.OutboxQueued {
		t.Errorf("a message of no kind: %q %q; want due", state, code)
	}
	// outbox.Queue gives a templated message its kind.
	q, err := outbox.Queue(w.App, outbox.Queued{Contact: w.ID("contact"), Purpose: crm.PurposeService, Template: crm.TemplateInvoiceIssued,
		Data: map[string]any{"number": "INV-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if state, code, data := decided(t, w, q); q.GetString(crm.OutboxKind) != crm.KindInvoices || state != crm.OutboxRefused || data["kind"] != crm.KindInvoices {
		t.Errorf("queued invoice: kind %q state %q code %q data %v", q.GetString(crm.OutboxKind), state, code, data)
	}
}

// Marketing news still needs the marketing consent, whatever the choices:
// a topic left on does not make news go without it.
// News turned off altogether is off on every topic, even one the customer
// never turned off by itself.
func TestNewsTurnedOffIsOffOnEveryTopic(t *testing.T) {
	w := newWorld(t)
	topic := w.Make(t, "offers", crm.NewsTopics, map[string]any{crm.TopicName: "Offers", crm.TopicActive: true})
	consent(t, w, w.R("contact"), crm.PurposeMarketing, "email", "granted")
	choose(t, w, map[string]crm.MessageChoice{crm.KindNews: {On: false}}, map[string]crm.MessageChoice{topic.Id: {On: true}})
	news := marketing("Promoção")
	news[crm.OutboxKind], news[crm.OutboxTopic] = crm.KindNews, topic.Id
	if state, code, data := decided(t, w, queue(t, w, "2026-11-24 10:00", news)); state != crm.OutboxRefused || code != outbox.ReasonOptedOut || data["kind"] != crm.KindNews {
		t.Errorf("news on a topic with news turned off: %q %q %v; want refused, opted out of news", state, code, data)
	}
}

func TestNewsStillNeedsMarketingConsent(t *testing.T) {
	w := newWorld(t)
	topic := w.Make(t, "offers", crm.NewsTopics, map[string]any{crm.TopicName: "Offers", crm.TopicActive: true})
	choose(t, w, nil, map[string]crm.MessageChoice{topic.Id: {On: true, Channel: "email"}})
	news := marketing("Promoção")
	news[crm.OutboxKind], news[crm.OutboxTopic] = crm.KindNews, topic.Id
	if state, code, _ := decided(t, w, queue(t, w, "2026-11-24 10:00", news)); state != crm.OutboxRefused || code != outbox.ReasonNoConsent {
		t.Errorf("news without consent: %q %q; want refused for no consent", state, code)
	}
}

// The channel the customer chose for a kind is the one its messages go on;
// other kinds go on the preferred one; a chosen channel that cannot carry
// the message now (no sender) falls back to the usual one rather than
// leaving the customer untold; a channel the message names itself wins.
func TestChosenChannelIsHonoured(t *testing.T) {
	w := newWorld(t)
	whatsapp, email := &recorder{}, &recorder{}
	useSender(t, w, "whatsapp", whatsapp)
	useSender(t, w, "email", email)
	choose(t, w, map[string]crm.MessageChoice{crm.KindRequests: {On: true, Channel: "whatsapp"}, crm.KindInvoices: {On: true, Channel: "sms"}}, nil)

	status := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "template": crm.TemplateCaseStatus,
		"data": map[string]any{"reference": "R-7", "subject": "Internet", "status": "open"}})
	if state, code, data := decided(t, w, status); state != crm.OutboxQueued || code != outbox.ReasonDue || data["channel"] != "whatsapp" {
		t.Errorf("request update: %q %q %v; want due on whatsapp", state, code, data)
	}
	order := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "template": crm.TemplateOrderStatus,
		"data": map[string]any{"number": "ORD-9", "status": "paid"}})
	if _, _, data := decided(t, w, order); data["channel"] != "email" {
		t.Errorf("order status: %v; want email (no choice for orders)", data)
	}
	// sms has no sender here: the invoice goes by email instead.
	invoice := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", crm.OutboxKind: crm.KindInvoices, "subject": "Fatura", "body": "Segue."})
	if state, _, data := decided(t, w, invoice); state != crm.OutboxQueued || data["channel"] != "email" {
		t.Errorf("invoice on sms without a sender: %q %v; want due by email", state, data)
	}
	// staff who name the channel themselves are not overridden.
	named := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "template": crm.TemplateCaseStatus, "channel": "email",
		"data": map[string]any{"reference": "R-7", "status": "open"}})
	if _, _, data := decided(t, w, named); data["channel"] != "email" {
		t.Errorf("named channel: %v; want email", data)
	}

	deliver(t, w, "2026-11-24 10:01")
	if got := whatsapp.messages(); len(got) != 1 || got[0].Channel != "whatsapp" || got[0].ID != status.Id {
		t.Errorf("whatsapp sent %d messages: %+v", len(got), got)
	}
	if got := email.messages(); len(got) != 3 {
		t.Errorf("email sent %d messages, want 3 (order, invoice, named)", len(got))
	}
	if fresh := w.Reload(t, status); fresh.GetString("sent_channel") != "whatsapp" || fresh.GetString("state") != crm.OutboxSent {
		t.Errorf("request update: state %q sent on %q", fresh.GetString("state"), fresh.GetString("sent_channel"))
	}
}

// With service consents given, a chosen channel counts only where the
// service consent is granted: one withdrawn since falls back to a granted one.
func TestChosenChannelRespectsWithdrawnConsent(t *testing.T) {
	w := newWorld(t)
	useSender(t, w, "whatsapp", &recorder{})
	consent(t, w, w.R("contact"), crm.PurposeService, "email", "granted")
	consent(t, w, w.R("contact"), crm.PurposeService, "whatsapp", "withdrawn")
	choose(t, w, map[string]crm.MessageChoice{crm.KindOrders: {On: true, Channel: "whatsapp"}}, nil)
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "template": crm.TemplateOrderStatus,
		"data": map[string]any{"number": "ORD-2", "status": "shipped"}})
	if state, _, data := decided(t, w, m); state != crm.OutboxQueued || data["channel"] != "email" {
		t.Errorf("withdrawn whatsapp: %q %v; want due by email", state, data)
	}
}
