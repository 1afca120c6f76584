package outbox_test

import (
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

type parsedMail struct{ from, to, subject, body string }

func parseMail(t *testing.T, raw string) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(m.Body)
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return parsedMail{from: m.Header.Get("From"), to: m.Header.Get("To"), subject: subject, body: string(body)}
}

// Outside the customer's days and hours a message waits with not_before at
// the first allowed minute, and is sent then, not a minute before.
func TestOutsideHoursWaitsForTheFirstAllowedMinute(t *testing.T) {
	w := newWorld(t)
	w.consent(t, w.contact, "marketing", "email", "granted")
	m := w.queue(t, "2026-11-24 14:00", marketing("Ofertas de novembro"))
	m = w.expect(t, m, "waiting", "waiting for the customer's hours: weekdays 09:00–12:00 America/Sao_Paulo")
	expectAt(t, m, "not_before", "2026-11-25 09:00")
	friday := w.queue(t, "2026-11-27 12:00", marketing("Fim de semana"))
	expectAt(t, w.expect(t, friday, "waiting", "hours"), "not_before", "2026-11-30 09:00")

	if res := w.deliver(t, "2026-11-25 08:59"); res.Sent != 0 {
		t.Fatalf("sent before the customer's hours: %+v", res)
	}
	w.expect(t, m, "waiting", "the customer's hours")
	if n := len(w.mails(t)); n != 0 {
		t.Fatalf("%d mails before the customer's hours", n)
	}

	if res := w.deliver(t, "2026-11-25 09:00"); res.Sent != 1 {
		t.Fatalf("at the first allowed minute: %+v, want one sent", res)
	}
	m = w.expect(t, m, "sent", "sent by email to ana@example.com")
	expectAt(t, m, "sent_at", "2026-11-25 09:00")
	if m.GetString("sent_channel") != "email" || m.GetInt("attempts") != 1 {
		t.Errorf("sent_channel %q attempts %d", m.GetString("sent_channel"), m.GetInt("attempts"))
	}
	mails := w.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	got := parseMail(t, mails[0])
	if !strings.Contains(got.to, "ana@example.com") || got.subject != "Ofertas de novembro" || !strings.Contains(got.body, "Promoção de novembro.") ||
		!strings.Contains(got.from, w.app.Settings().Meta.SenderAddress) {
		t.Errorf("mail: %+v", got)
	}
	w.expect(t, friday, "waiting", "hours")
}

// When the customer changes their hours, what waits for them is decided
// again at once.
func TestChangedPreferencesReleaseWaitingMessages(t *testing.T) {
	w := newWorld(t)
	w.consent(t, w.contact, "marketing", "email", "granted")
	m := w.queue(t, "2026-11-24 14:00", marketing("Ofertas"))
	w.expect(t, m, "waiting", "09:00–12:00")

	w.clock.Set(at(t, "2026-11-24 14:05"))
	w.contact = w.update(t, w.contact, map[string]any{"preferred_hours_start": "13:00", "preferred_hours_end": "18:00"})
	expectAt(t, w.reload(t, m), "not_before", "2026-11-24 14:05")
	if res := w.deliver(t, "2026-11-24 14:05"); res.Sent != 1 {
		t.Fatalf("after the change: %+v", res)
	}
	w.expect(t, m, "sent", "")
}

// Service messages respect the customer's hours too, unless urgent.
// Templates are written in the customer's language.
func TestServiceOutsideHoursWaitsUnlessUrgent(t *testing.T) {
	w := newWorld(t)
	data := map[string]any{"reference": "SUP-0007", "subject": "Internet caindo", "status": "triage", "status_label": "Em análise", "type": "Suporte"}
	normal := w.queue(t, "2026-11-24 14:00", map[string]any{"purpose": "service", "template": "case_status", "data": data})
	urgent := w.queue(t, "2026-11-24 14:00", map[string]any{"purpose": "service", "template": "case_status", "data": data, "urgent": true})
	w.expect(t, normal, "waiting", "the customer's hours")
	w.expect(t, urgent, "queued", "due")

	if res := w.deliver(t, "2026-11-24 14:00"); res.Sent != 1 {
		t.Fatalf("deliver: %+v, want the urgent one sent", res)
	}
	w.expect(t, urgent, "sent", "")
	w.expect(t, normal, "waiting", "")
	mails := w.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	got := parseMail(t, mails[0])
	if got.subject != "Sua solicitação SUP-0007: Em análise" || !strings.Contains(got.body, "agora está: Em análise") ||
		!strings.Contains(got.body, "http://127.0.0.1:8090/portal/") || !strings.Contains(got.body, "Olá, Ana Souza.") {
		t.Errorf("pt-BR mail: %+v", got)
	}

	w.deliver(t, "2026-11-25 09:00")
	w.expect(t, normal, "sent", "")

	// In English for an English speaker, with no hours: at once.
	bob := w.make(t, crm.Contacts, map[string]any{"name": "Bob", "email": "bob@example.com", "language": "en"})
	opened := w.queue(t, "2026-11-25 23:00", map[string]any{"contact": bob.Id, "purpose": "service", "template": "case_opened",
		"data": map[string]any{"reference": "SUP-0008", "subject": "Router", "type": "Support"}})
	w.deliver(t, "2026-11-25 23:00")
	w.expect(t, opened, "sent", "bob@example.com")
	mails = w.mails(t)
	if got := parseMail(t, mails[len(mails)-1]); got.subject != "We received your request SUP-0008" || !strings.Contains(got.body, "Its reference is SUP-0008") {
		t.Errorf("en mail: %+v", got)
	}
}

// max_contacts_per_week counts the non-service messages sent in the last 7
// days; over it a message waits until the oldest one leaves the window.
func TestFrequencyCap(t *testing.T) {
	w := newWorld(t)
	w.contact = w.update(t, w.contact, map[string]any{"preferred_days": []string{}, "preferred_hours_start": "", "preferred_hours_end": "", "max_contacts_per_week": 2})
	w.consent(t, w.contact, "marketing", "email", "granted")

	a := w.queue(t, "2026-11-23 10:00", marketing("A"))
	w.deliver(t, "2026-11-23 10:00")
	b := w.queue(t, "2026-11-25 10:00", marketing("B"))
	w.deliver(t, "2026-11-25 10:00")
	w.expect(t, a, "sent", "")
	w.expect(t, b, "sent", "")

	c := w.queue(t, "2026-11-26 10:00", marketing("C"))
	c = w.expect(t, c, "waiting", "waiting for the weekly limit: 2 messages in the last 7 days, 2 allowed")
	expectAt(t, c, "not_before", "2026-11-30 10:00") // when A leaves the window
	service := w.queue(t, "2026-11-26 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	w.deliver(t, "2026-11-26 10:00")
	w.expect(t, service, "sent", "") // service is neither counted nor capped

	w.deliver(t, "2026-11-30 09:59")
	w.expect(t, c, "waiting", "weekly limit")
	w.deliver(t, "2026-11-30 10:00")
	w.expect(t, c, "sent", "")

	d := w.queue(t, "2026-11-30 10:00", marketing("D"))
	expectAt(t, w.expect(t, d, "waiting", "weekly limit"), "not_before", "2026-12-02 10:00") // when B leaves
}

// paused_until holds every non-service message until then (and then the
// customer's hours apply); service messages go.
func TestPausedUntil(t *testing.T) {
	w := newWorld(t)
	w.contact = w.update(t, w.contact, map[string]any{"paused_until": at(t, "2026-11-27 00:00").UTC()})
	w.consent(t, w.contact, "marketing", "email", "granted")
	m := w.queue(t, "2026-11-24 10:00", marketing("Ofertas"))
	m = w.expect(t, m, "waiting", "waiting for the end of the customer's pause on 2026-11-27 00:00 America/Sao_Paulo, then the customer's hours: weekdays 09:00–12:00")
	expectAt(t, m, "not_before", "2026-11-27 09:00")
	s := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})

	w.deliver(t, "2026-11-24 10:00")
	w.expect(t, s, "sent", "")
	w.deliver(t, "2026-11-27 08:59")
	w.expect(t, m, "waiting", "pause")
	w.deliver(t, "2026-11-27 09:00")
	w.expect(t, m, "sent", "")
}

// A hold (SetHold) keeps non-service messages waiting until the time it
// names; closing the request a hold looks at releases them at once. The
// hold here is the shape of the shipped hooks/15_hold_marketing.pb.js,
// whose own test is in plugins/hooksapi.
func TestHoldsKeepMessagesWaiting(t *testing.T) {
	w := newWorld(t)
	asked := 0
	outbox.SetHold(w.app, "open_request", func(tx core.App, m, contact *core.Record, now time.Time) (time.Time, string, error) {
		asked++
		if m.GetString("purpose") != "marketing" {
			return time.Time{}, "", nil
		}
		k, err := tx.FindFirstRecordByFilter(crm.Cases, "contact = {:c} && closed = false && type.hold_marketing = true", dbx.Params{"c": contact.Id})
		if err != nil {
			return time.Time{}, "", nil
		}
		return now.Add(24 * time.Hour), "while request " + k.GetString("reference") + " is open (its type holds marketing)", nil
	})
	statuses := []map[string]any{
		{"key": "new", "label": "Novo", "public_label": "Recebido"},
		{"key": "done", "label": "Concluído", "public_label": "Concluído", "closed": true},
	}
	holds := w.make(t, crm.CaseTypes, map[string]any{"name": "Suporte", "code": "SUP", "category": "support", "active": true, "hold_marketing": true, "statuses": statuses})
	plain := w.make(t, crm.CaseTypes, map[string]any{"name": "Informação", "code": "INF", "category": "information", "active": true, "statuses": statuses})
	w.consent(t, w.contact, "marketing", "email", "granted")

	w.clock.Set(at(t, "2026-11-24 10:00"))
	kase := w.make(t, crm.Cases, map[string]any{"type": holds.Id, "contact": w.contact.Id, "subject": "Internet caindo"})
	kase = w.reload(t, kase)
	m := w.queue(t, "2026-11-24 10:00", marketing("Ofertas"))
	m = w.expect(t, m, "waiting", "waiting while request "+kase.GetString("reference")+" is open (its type holds marketing)")
	expectAt(t, m, "not_before", "2026-11-25 10:00") // looked at again daily whatever happens

	// A request of a type that does not hold marketing holds nothing.
	other := w.make(t, crm.Contacts, map[string]any{"name": "Caio", "email": "caio@example.com"})
	w.make(t, crm.Cases, map[string]any{"type": plain.Id, "contact": other.Id, "subject": "Dúvida"})
	w.consent(t, other, "marketing", "email", "granted")
	free := w.queue(t, "2026-11-24 10:00", map[string]any{"contact": other.Id, "purpose": "marketing", "subject": "Ofertas"})

	w.deliver(t, "2026-11-24 10:00")
	w.expect(t, free, "sent", "")
	w.expect(t, m, "waiting", "is open")

	// Service messages are never asked about.
	before := asked
	service := w.queue(t, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Sua fatura"})
	w.expect(t, service, "queued", "")
	if asked != before {
		t.Errorf("a service message was put to the holds")
	}

	w.clock.Set(at(t, "2026-11-24 10:30"))
	w.update(t, kase, map[string]any{"status": "done"})
	if !w.reload(t, kase).GetBool("closed") {
		t.Fatal("the request did not close")
	}
	expectAt(t, w.reload(t, m), "not_before", "2026-11-24 10:30")
	w.deliver(t, "2026-11-24 10:30")
	w.expect(t, m, "sent", "sent by email")
}
