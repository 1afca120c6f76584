package outbox_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// Marketing, profiling and research need a granted consent for that exact
// purpose and channel: without one the message is refused when queued, and
// stays refused (refused is final).
func TestNoConsentIsRefused(t *testing.T) {
	w := newWorld(t)
	m := queue(t, w, "2026-11-24 10:00", marketing("Ofertas"))
	expect(t, w, m, crm.OutboxRefused, "refused: no marketing consent for email")
	p := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "profiling", "channel": "sms", "subject": "Pesquisa"})
	expect(t, w, p, crm.OutboxRefused, "refused: no profiling consent for sms")

	// A consent for another purpose on the same channel is no consent.
	consent(t, w, w.R("contact"), "research", "email", "granted")
	r := queue(t, w, "2026-11-24 10:00", marketing("Outra oferta"))
	expect(t, w, r, crm.OutboxRefused, "no marketing consent for email")

	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	if res := deliver(t, w, "2026-11-24 10:05"); res.Sent != 0 {
		t.Errorf("a refused message was sent: %+v", res)
	}
	expect(t, w, m, crm.OutboxRefused, "no marketing consent for email")
	if len(w.Mails(t)) != 0 {
		t.Error("mail written for a refused message")
	}
}

// A consent withdrawn while a message waits refuses it when it comes due;
// queued after the withdrawal, it is refused at once.
func TestWithdrawnConsentIsRefused(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	m := queue(t, w, "2026-11-24 14:00", marketing("Ofertas"))
	expect(t, w, m, crm.OutboxWaiting, "the customer's hours")

	consent(t, w, w.R("contact"), "marketing", "email", "withdrawn")
	if res := deliver(t, w, "2026-11-25 09:00"); res.Refused != 1 || res.Sent != 0 {
		t.Errorf("deliver: %+v, want one refused", res)
	}
	expect(t, w, m, crm.OutboxRefused, "refused: marketing consent for email was withdrawn")

	n := queue(t, w, "2026-11-25 10:00", marketing("Mais ofertas"))
	expect(t, w, n, crm.OutboxRefused, "marketing consent for email was withdrawn")
	if len(w.Mails(t)) != 0 {
		t.Error("mail written without consent")
	}
}

// A message with no channel goes on the preferred one and needs consent
// there: no fallback to another consented channel. A marketing message on
// another channel must name it and have its consent.
func TestWrongChannel(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("contact"), map[string]any{"preferred_channel": "whatsapp"})
	consent(t, w, w.R("contact"), "marketing", "email", "granted")

	noChannel := queue(t, w, "2026-11-24 10:00", marketing("Sem canal"))
	expect(t, w, noChannel, crm.OutboxRefused, "refused: no marketing consent for whatsapp")
	sms := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "sms", "subject": "SMS"})
	expect(t, w, sms, crm.OutboxRefused, "refused: no marketing consent for sms")
	byEmail := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "email", "subject": "Por email"})
	expect(t, w, byEmail, crm.OutboxQueued, "due")

	deliver(t, w, "2026-11-24 10:00")
	if m := expect(t, w, byEmail, crm.OutboxSent, "sent by email to ana@example.com"); m.GetString("sent_channel") != "email" {
		t.Errorf("sent on %q", m.GetString("sent_channel"))
	}
}

// Service messages: with no service consent at all, the preferred channel
// and email; with service consents, only the channels granted.
func TestServiceChannels(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("contact"), map[string]any{"preferred_channel": "whatsapp"})

	sms := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "sms", "subject": "Aviso"})
	expect(t, w, sms, crm.OutboxRefused, "refused: sms is neither the customer's preferred channel nor email")

	// WhatsApp has no sender yet: the service message goes by email instead.
	fallback := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Aviso"})
	deliver(t, w, "2026-11-24 10:00")
	if m := expect(t, w, fallback, crm.OutboxSent, "sent by email"); m.GetString("sent_channel") != "email" {
		t.Errorf("sent on %q, want email", m.GetString("sent_channel"))
	}

	whatsapp := &recorder{}
	useSender(t, w, "whatsapp", whatsapp)
	preferred := queue(t, w, "2026-11-24 10:01", map[string]any{"purpose": "service", "subject": "Aviso"})
	deliver(t, w, "2026-11-24 10:01")
	expect(t, w, preferred, crm.OutboxSent, "sent by whatsapp to +5511999990000")
	if got := whatsapp.messages(); len(got) != 1 || got[0].To != "+5511999990000" || got[0].Channel != "whatsapp" || got[0].Subject != "Aviso" {
		t.Errorf("whatsapp sender got %+v", got)
	}

	// Once the customer gives service consents, only those channels count.
	consent(t, w, w.R("contact"), "service", "sms", "granted")
	consent(t, w, w.R("contact"), "service", "whatsapp", "withdrawn")
	email := queue(t, w, "2026-11-24 10:02", map[string]any{"purpose": "service", "channel": "email", "subject": "Aviso"})
	expect(t, w, email, crm.OutboxRefused, "refused: no service consent for email")
	wa := queue(t, w, "2026-11-24 10:02", map[string]any{"purpose": "service", "channel": "whatsapp", "subject": "Aviso"})
	expect(t, w, wa, crm.OutboxRefused, "refused: service consent for whatsapp was withdrawn")
	none := queue(t, w, "2026-11-24 10:02", map[string]any{"purpose": "service", "subject": "Aviso"})
	expect(t, w, none, crm.OutboxFailed, "no sender is registered for the sms channel") // the only service channel left
}

// A preferred channel of "none": only service messages go.
func TestPreferredChannelNone(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("contact"), map[string]any{"preferred_channel": "none"})
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "email", "subject": "Oferta"})
	expect(t, w, m, crm.OutboxRefused, "preferred channel: none")
	s := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	deliver(t, w, "2026-11-24 10:00")
	expect(t, w, s, crm.OutboxSent, "sent by email")
}

// No contact point on the channel refuses with a reason; a channel that
// carries no messages too.
func TestMissingContactPoint(t *testing.T) {
	w := newWorld(t)
	noEmail := w.Make(t, "", crm.Contacts, map[string]any{"name": "Bruno", "phone": "+551130000000"})
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "service", "subject": "Seu pedido"})
	expect(t, w, m, crm.OutboxRefused, "refused: no email address for the email channel")

	consent(t, w, noEmail, "marketing", "portal", "granted")
	p := queue(t, w, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "marketing", "channel": "portal", "subject": "Oferta"})
	expect(t, w, p, crm.OutboxRefused, "refused: no portal account for the portal channel")

	consent(t, w, noEmail, "service", "in_person", "granted")
	v := queue(t, w, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "service", "channel": "in_person", "subject": "Visita"})
	expect(t, w, v, crm.OutboxRefused, "in_person can't carry a message")
}

// A channel nobody registered a sender for fails at once, with the reason.
func TestChannelWithoutSender(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "marketing", "sms", "granted")
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "sms", "subject": "Oferta"})
	expect(t, w, m, crm.OutboxFailed, "failed: no sender is registered for the sms channel")
	if res := deliver(t, w, "2026-11-24 10:00"); res != (outbox.Result{}) {
		t.Errorf("a failed message was picked again: %+v", res)
	}
}
