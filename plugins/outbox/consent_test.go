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
	m := w.queue(t, "2026-11-24 10:00", marketing("Ofertas"))
	w.expect(t, m, "refused", "refused: no marketing consent for email")
	p := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "profiling", "channel": "sms", "subject": "Pesquisa"})
	w.expect(t, p, "refused", "refused: no profiling consent for sms")

	// A consent for another purpose on the same channel is no consent.
	w.consent(t, w.contact, "research", "email", "granted")
	r := w.queue(t, "2026-11-24 10:00", marketing("Outra oferta"))
	w.expect(t, r, "refused", "no marketing consent for email")

	w.consent(t, w.contact, "marketing", "email", "granted")
	if res := w.deliver(t, "2026-11-24 10:05"); res.Sent != 0 {
		t.Errorf("a refused message was sent: %+v", res)
	}
	w.expect(t, m, "refused", "no marketing consent for email")
	if len(w.mails(t)) != 0 {
		t.Error("mail written for a refused message")
	}
}

// A consent withdrawn while a message waits refuses it when it comes due;
// queued after the withdrawal, it is refused at once.
func TestWithdrawnConsentIsRefused(t *testing.T) {
	w := newWorld(t)
	w.consent(t, w.contact, "marketing", "email", "granted")
	m := w.queue(t, "2026-11-24 14:00", marketing("Ofertas"))
	w.expect(t, m, "waiting", "the customer's hours")

	w.consent(t, w.contact, "marketing", "email", "withdrawn")
	if res := w.deliver(t, "2026-11-25 09:00"); res.Refused != 1 || res.Sent != 0 {
		t.Errorf("deliver: %+v, want one refused", res)
	}
	w.expect(t, m, "refused", "refused: marketing consent for email was withdrawn")

	n := w.queue(t, "2026-11-25 10:00", marketing("Mais ofertas"))
	w.expect(t, n, "refused", "marketing consent for email was withdrawn")
	if len(w.mails(t)) != 0 {
		t.Error("mail written without consent")
	}
}

// A message with no channel goes on the preferred one and needs consent
// there: no fallback to another consented channel. A marketing message on
// another channel must name it and have its consent.
func TestWrongChannel(t *testing.T) {
	w := newWorld(t)
	w.contact = w.update(t, w.contact, map[string]any{"preferred_channel": "whatsapp"})
	w.consent(t, w.contact, "marketing", "email", "granted")

	noChannel := w.queue(t, "2026-11-24 10:00", marketing("Sem canal"))
	w.expect(t, noChannel, "refused", "refused: no marketing consent for whatsapp")
	sms := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "sms", "subject": "SMS"})
	w.expect(t, sms, "refused", "refused: no marketing consent for sms")
	byEmail := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "email", "subject": "Por email"})
	w.expect(t, byEmail, "queued", "due")

	w.deliver(t, "2026-11-24 10:00")
	if m := w.expect(t, byEmail, "sent", "sent by email to ana@example.com"); m.GetString("sent_channel") != "email" {
		t.Errorf("sent on %q", m.GetString("sent_channel"))
	}
}

// Service messages: with no service consent at all, the preferred channel
// and email; with service consents, only the channels granted.
func TestServiceChannels(t *testing.T) {
	w := newWorld(t)
	w.contact = w.update(t, w.contact, map[string]any{"preferred_channel": "whatsapp"})

	sms := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "sms", "subject": "Aviso"})
	w.expect(t, sms, "refused", "refused: sms is neither the customer's preferred channel nor email")

	// WhatsApp has no sender yet: the service message goes by email instead.
	fallback := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Aviso"})
	w.deliver(t, "2026-11-24 10:00")
	if m := w.expect(t, fallback, "sent", "sent by email"); m.GetString("sent_channel") != "email" {
		t.Errorf("sent on %q, want email", m.GetString("sent_channel"))
	}

	whatsapp := &recorder{}
	useSender(t, "whatsapp", whatsapp)
	preferred := w.queue(t, "2026-11-24 10:01", map[string]any{"purpose": "service", "subject": "Aviso"})
	w.deliver(t, "2026-11-24 10:01")
	w.expect(t, preferred, "sent", "sent by whatsapp to +5511999990000")
	if got := whatsapp.messages(); len(got) != 1 || got[0].To != "+5511999990000" || got[0].Channel != "whatsapp" || got[0].Subject != "Aviso" {
		t.Errorf("whatsapp sender got %+v", got)
	}

	// Once the customer gives service consents, only those channels count.
	w.consent(t, w.contact, "service", "sms", "granted")
	w.consent(t, w.contact, "service", "whatsapp", "withdrawn")
	email := w.queue(t, "2026-11-24 10:02", map[string]any{"purpose": "service", "channel": "email", "subject": "Aviso"})
	w.expect(t, email, "refused", "refused: no service consent for email")
	wa := w.queue(t, "2026-11-24 10:02", map[string]any{"purpose": "service", "channel": "whatsapp", "subject": "Aviso"})
	w.expect(t, wa, "refused", "refused: service consent for whatsapp was withdrawn")
	none := w.queue(t, "2026-11-24 10:02", map[string]any{"purpose": "service", "subject": "Aviso"})
	w.expect(t, none, "failed", "no sender is registered for the sms channel") // the only service channel left
}

// A preferred channel of "none": only service messages go.
func TestPreferredChannelNone(t *testing.T) {
	w := newWorld(t)
	w.contact = w.update(t, w.contact, map[string]any{"preferred_channel": "none"})
	w.consent(t, w.contact, "marketing", "email", "granted")
	m := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "email", "subject": "Oferta"})
	w.expect(t, m, "refused", "preferred channel: none")
	s := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	w.deliver(t, "2026-11-24 10:00")
	w.expect(t, s, "sent", "sent by email")
}

// No contact point on the channel refuses with a reason; a channel that
// carries no messages too.
func TestMissingContactPoint(t *testing.T) {
	w := newWorld(t)
	noEmail := w.make(t, crm.Contacts, map[string]any{"name": "Bruno", "phone": "+551130000000"})
	m := w.queue(t, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "service", "subject": "Seu pedido"})
	w.expect(t, m, "refused", "refused: no email address for the email channel")

	w.consent(t, noEmail, "marketing", "portal", "granted")
	p := w.queue(t, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "marketing", "channel": "portal", "subject": "Oferta"})
	w.expect(t, p, "refused", "refused: no portal account for the portal channel")

	w.consent(t, noEmail, "service", "in_person", "granted")
	v := w.queue(t, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "service", "channel": "in_person", "subject": "Visita"})
	w.expect(t, v, "refused", "in_person can't carry a message")
}

// A channel nobody registered a sender for fails at once, with the reason.
func TestChannelWithoutSender(t *testing.T) {
	w := newWorld(t)
	w.consent(t, w.contact, "marketing", "sms", "granted")
	m := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "sms", "subject": "Oferta"})
	w.expect(t, m, "failed", "failed: no sender is registered for the sms channel")
	if res := w.deliver(t, "2026-11-24 10:00"); res != (outbox.Result{}) {
		t.Errorf("a failed message was picked again: %+v", res)
	}
}
