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
	"vinculo/testkit"
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
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	m := queue(t, w, "2026-11-24 14:00", marketing("Ofertas de novembro"))
	m = expect(t, w, m, crm.OutboxWaiting, "waiting for the customer's hours: weekdays 09:00–12:00 America/Sao_Paulo")
	expectAt(t, m, "not_before", "2026-11-25 09:00")
	friday := queue(t, w, "2026-11-27 12:00", marketing("Fim de semana"))
	expectAt(t, expect(t, w, friday, crm.OutboxWaiting, "hours"), "not_before", "2026-11-30 09:00")

	if res := deliver(t, w, "2026-11-25 08:59"); res.Sent != 0 {
		t.Fatalf("sent before the customer's hours: %+v", res)
	}
	expect(t, w, m, crm.OutboxWaiting, "the customer's hours")
	if n := len(w.Mails(t)); n != 0 {
		t.Fatalf("%d mails before the customer's hours", n)
	}

	if res := deliver(t, w, "2026-11-25 09:00"); res.Sent != 1 {
		t.Fatalf("at the first allowed minute: %+v, want one sent", res)
	}
	m = expect(t, w, m, crm.OutboxSent, "sent by email to ana@example.com")
	expectAt(t, m, "sent_at", "2026-11-25 09:00")
	if m.GetString("sent_channel") != "email" || m.GetInt("attempts") != 1 {
		t.Errorf("sent_channel %q attempts %d", m.GetString("sent_channel"), m.GetInt("attempts"))
	}
	mails := w.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	got := parseMail(t, mails[0])
	if !strings.Contains(got.to, "ana@example.com") || got.subject != "Ofertas de novembro" || !strings.Contains(got.body, "Promoção de novembro.") ||
		!strings.Contains(got.from, w.App.Settings().Meta.SenderAddress) {
		t.Errorf("mail: %+v", got)
	}
	expect(t, w, friday, crm.OutboxWaiting, "hours")
}

// When the customer changes their hours, what waits for them is decided
// again at once.
func TestChangedPreferencesReleaseWaitingMessages(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	m := queue(t, w, "2026-11-24 14:00", marketing("Ofertas"))
	expect(t, w, m, crm.OutboxWaiting, "09:00–12:00")

	w.Clock.Set(testkit.Wall(t, "2026-11-24 14:05"))
	w.Update(t, w.R("contact"), map[string]any{"preferred_hours_start": "13:00", "preferred_hours_end": "18:00"})
	expectAt(t, w.Reload(t, m), "not_before", "2026-11-24 14:05")
	if res := deliver(t, w, "2026-11-24 14:05"); res.Sent != 1 {
		t.Fatalf("after the change: %+v", res)
	}
	expect(t, w, m, crm.OutboxSent, "")
}

// Service messages respect the customer's hours too, unless urgent.
// Templates are written in the customer's language.
func TestServiceOutsideHoursWaitsUnlessUrgent(t *testing.T) {
	w := newWorld(t)
	data := map[string]any{"reference": "SUP-0007", "subject": "Internet caindo", "status": "triage", "status_label": "Em análise", "type": "Suporte"}
	normal := queue(t, w, "2026-11-24 14:00", map[string]any{"purpose": "service", "template": crm.TemplateCaseStatus, "data": data})
	urgent := queue(t, w, "2026-11-24 14:00", map[string]any{"purpose": "service", "template": crm.TemplateCaseStatus, "data": data, "urgent": true})
	expect(t, w, normal, crm.OutboxWaiting, "the customer's hours")
	expect(t, w, urgent, crm.OutboxQueued, "due")

	if res := deliver(t, w, "2026-11-24 14:00"); res.Sent != 1 {
		t.Fatalf("deliver: %+v, want the urgent one sent", res)
	}
	expect(t, w, urgent, crm.OutboxSent, "")
	expect(t, w, normal, crm.OutboxWaiting, "")
	mails := w.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	got := parseMail(t, mails[0])
	if got.subject != "Sua solicitação [SUP-0007]: Em análise" || !strings.Contains(got.body, "agora está: Em análise") ||
		!strings.Contains(got.body, "http://127.0.0.1:8090/portal/") || !strings.Contains(got.body, "Olá, Ana Souza.") {
		t.Errorf("pt-BR mail: %+v", got)
	}

	deliver(t, w, "2026-11-25 09:00")
	expect(t, w, normal, crm.OutboxSent, "")

	// In English for an English speaker, with no hours: at once.
	bob := w.Make(t, "", crm.Contacts, map[string]any{"name": "Bob", "email": "bob@example.com", "language": "en"})
	opened := queue(t, w, "2026-11-25 23:00", map[string]any{"contact": bob.Id, "purpose": "service", "template": crm.TemplateCaseOpened,
		"data": map[string]any{"reference": "SUP-0008", "subject": "Router", "type": "Support"}})
	deliver(t, w, "2026-11-25 23:00")
	expect(t, w, opened, crm.OutboxSent, "bob@example.com")
	mails = w.Mails(t)
	if got := parseMail(t, mails[len(mails)-1]); got.subject != "We received your request [SUP-0008]" || !strings.Contains(got.body, "Its reference is SUP-0008") {
		t.Errorf("en mail: %+v", got)
	}
}

// max_contacts_per_week counts the non-service messages sent in the last 7
// days; over it a message waits until the oldest one leaves the window.
func TestFrequencyCap(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("contact"), map[string]any{"preferred_days": []string{}, "preferred_hours_start": "", "preferred_hours_end": "", "max_contacts_per_week": 2})
	consent(t, w, w.R("contact"), "marketing", "email", "granted")

	a := queue(t, w, "2026-11-23 10:00", marketing("A"))
	deliver(t, w, "2026-11-23 10:00")
	b := queue(t, w, "2026-11-25 10:00", marketing("B"))
	deliver(t, w, "2026-11-25 10:00")
	expect(t, w, a, crm.OutboxSent, "")
	expect(t, w, b, crm.OutboxSent, "")

	c := queue(t, w, "2026-11-26 10:00", marketing("C"))
	c = expect(t, w, c, crm.OutboxWaiting, "waiting for the weekly limit: 2 messages in the last 7 days, 2 allowed")
	expectAt(t, c, "not_before", "2026-11-30 10:00") // when A leaves the window
	service := queue(t, w, "2026-11-26 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	deliver(t, w, "2026-11-26 10:00")
	expect(t, w, service, crm.OutboxSent, "") // service is neither counted nor capped

	deliver(t, w, "2026-11-30 09:59")
	expect(t, w, c, crm.OutboxWaiting, "weekly limit")
	deliver(t, w, "2026-11-30 10:00")
	expect(t, w, c, crm.OutboxSent, "")

	d := queue(t, w, "2026-11-30 10:00", marketing("D"))
	expectAt(t, expect(t, w, d, crm.OutboxWaiting, "weekly limit"), "not_before", "2026-12-02 10:00") // when B leaves
}

// paused_until holds every non-service message until then (and then the
// customer's hours apply); service messages go.
func TestPausedUntil(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("contact"), map[string]any{"paused_until": testkit.Wall(t, "2026-11-27 00:00").UTC()})
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	m := queue(t, w, "2026-11-24 10:00", marketing("Ofertas"))
	m = expect(t, w, m, crm.OutboxWaiting, "waiting for the end of the customer's pause on 2026-11-27 00:00 America/Sao_Paulo, then the customer's hours: weekdays 09:00–12:00")
	expectAt(t, m, "not_before", "2026-11-27 09:00")
	s := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})

	deliver(t, w, "2026-11-24 10:00")
	expect(t, w, s, crm.OutboxSent, "")
	deliver(t, w, "2026-11-27 08:59")
	expect(t, w, m, crm.OutboxWaiting, "pause")
	deliver(t, w, "2026-11-27 09:00")
	expect(t, w, m, crm.OutboxSent, "")
}

// A hold (SetHold) keeps non-service messages waiting until the time it
// names; closing the request a hold looks at releases them at once (the
// requests plugin calls Release). The hold here is the shape of the shipped
// hooks/15_hold_marketing.pb.js, whose own test is in plugins/hooksapi.
func TestHoldsKeepMessagesWaiting(t *testing.T) {
	w := newWorld(t)
	asked := 0
	outbox.SetHold(w.App, "open_request", func(tx core.App, m, contact *core.Record, now time.Time) (time.Time, string, error) {
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
	holds := w.Make(t, "", crm.CaseTypes, map[string]any{"name": "Suporte", "code": "SUP", "category": "support", "active": true, "hold_marketing": true, "statuses": statuses})
	plain := w.Make(t, "", crm.CaseTypes, map[string]any{"name": "Informação", "code": "INF", "category": "information", "active": true, "statuses": statuses})
	consent(t, w, w.R("contact"), "marketing", "email", "granted")

	w.Clock.Set(testkit.Wall(t, "2026-11-24 10:00"))
	kase := w.Make(t, "", crm.Cases, map[string]any{"type": holds.Id, "contact": w.ID("contact"), "subject": "Internet caindo"})
	kase = w.Reload(t, kase)
	m := queue(t, w, "2026-11-24 10:00", marketing("Ofertas"))
	m = expect(t, w, m, crm.OutboxWaiting, "waiting while request "+kase.GetString("reference")+" is open (its type holds marketing)")
	expectAt(t, m, "not_before", "2026-11-25 10:00") // looked at again daily whatever happens

	// A request of a type that does not hold marketing holds nothing.
	other := w.Make(t, "", crm.Contacts, map[string]any{"name": "Caio", "email": "caio@example.com"})
	w.Make(t, "", crm.Cases, map[string]any{"type": plain.Id, "contact": other.Id, "subject": "Dúvida"})
	consent(t, w, other, "marketing", "email", "granted")
	free := queue(t, w, "2026-11-24 10:00", map[string]any{"contact": other.Id, "purpose": "marketing", "subject": "Ofertas"})

	deliver(t, w, "2026-11-24 10:00")
	expect(t, w, free, crm.OutboxSent, "")
	expect(t, w, m, crm.OutboxWaiting, "is open")

	// Service messages are never asked about.
	before := asked
	service := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Sua fatura"})
	expect(t, w, service, crm.OutboxQueued, "")
	if asked != before {
		t.Errorf("a service message was put to the holds")
	}

	w.Clock.Set(testkit.Wall(t, "2026-11-24 10:30"))
	w.Update(t, kase, map[string]any{"status": "done"})
	if !w.Reload(t, kase).GetBool("closed") {
		t.Fatal("the request did not close")
	}
	expectAt(t, w.Reload(t, m), "not_before", "2026-11-24 10:30")
	deliver(t, w, "2026-11-24 10:30")
	expect(t, w, m, crm.OutboxSent, "sent by email")
}

// Release makes the contact's waiting messages of one purpose due now, to
// be decided again; the others keep waiting. On an app without the outbox
// it does nothing.
func TestReleaseDecidesAgainAtOnce(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), crm.PurposeMarketing, "email", "granted")
	m := queue(t, w, "2026-11-24 14:00", marketing("Ofertas"))
	s := queue(t, w, "2026-11-24 14:00", map[string]any{"purpose": crm.PurposeService, "subject": "Seu pedido"})
	expectAt(t, expect(t, w, m, crm.OutboxWaiting, "the customer's hours"), "not_before", "2026-11-25 09:00")

	w.Clock.Set(testkit.Wall(t, "2026-11-24 14:05"))
	if err := outbox.Release(w.App, crm.PurposeMarketing, w.ID("contact"), ""); err != nil {
		t.Fatal(err)
	}
	expectAt(t, w.Reload(t, m), "not_before", "2026-11-24 14:05")
	expectAt(t, w.Reload(t, s), "not_before", "2026-11-25 09:00")
	deliver(t, w, "2026-11-24 14:05")
	expectAt(t, expect(t, w, m, crm.OutboxWaiting, "the customer's hours"), "not_before", "2026-11-25 09:00") // decided again

	bare := testkit.NewApp(t)
	if err := outbox.Release(bare, crm.PurposeMarketing, w.ID("contact")); err != nil {
		t.Errorf("release without the outbox: %v", err)
	}
}
