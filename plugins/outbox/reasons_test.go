package outbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// reasonOf reads the reason the screens word: its code and data.
func reasonOf(t *testing.T, w *testkit.World, m *core.Record) (string, map[string]any) {
	t.Helper()
	fresh := w.Reload(t, m)
	var data map[string]any
	if raw := fresh.GetString("reason_data"); raw != "" && raw != "null" {
		if err := json.Unmarshal([]byte(raw), &data); err != nil {
			t.Fatalf("reason_data %q: %v", raw, err)
		}
	}
	return fresh.GetString("reason_code"), data
}

// entryOf is the message's timeline entry of event.
func entryOf(t *testing.T, w *testkit.World, m *core.Record, event string) *core.Record {
	t.Helper()
	e, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:id} && event = {:ev}", dbx.Params{"id": m.Id, "ev": event})
	if err != nil {
		t.Fatalf("no %s entry for %s: %v", event, m.Id, err)
	}
	return e
}

// Why a message waits or was refused is kept as a code and its data, which
// each reader's screen words in their language; the timeline entry carries
// them and no English sentence.
func TestReasonsAreCodesForTheReader(t *testing.T) {
	w := newWorld(t)

	// Outside Ana's hours (weekdays 09:00-12:00 São Paulo): waits for them.
	s := queue(t, w, "2026-11-24 14:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	expect(t, w, s, crm.OutboxWaiting, "the customer's hours")
	code, data := reasonOf(t, w, s)
	if code != outbox.ReasonWaiting || data["until"] == "" {
		t.Fatalf("waiting: code %q data %v", code, data)
	}
	waits, _ := data["for"].([]any)
	if len(waits) != 1 {
		t.Fatalf("waits: %v", data["for"])
	}
	wait := waits[0].(map[string]any)
	if wait["code"] != outbox.WaitHours || wait["timezone"] != saoPaulo || wait["preferred_hours_start"] != "09:00" || wait["preferred_hours_end"] != "12:00" {
		t.Errorf("the hours wait: %v", wait)
	}
	held := entryOf(t, w, s, timeline.MessageHeld)
	if body := held.GetString("body"); body != "" {
		t.Errorf("the held entry stores an English sentence: %q", body)
	}
	var entryData map[string]any
	if err := held.UnmarshalJSONField("data", &entryData); err != nil || entryData["reason_code"] != outbox.ReasonWaiting || entryData["reason"] == nil {
		t.Errorf("the held entry's data: %v (%v)", entryData, err)
	}

	// No marketing consent: refused, with the purpose and the channel.
	m := queue(t, w, "2026-11-24 10:00", marketing("Oferta"))
	expect(t, w, m, crm.OutboxRefused, "no marketing consent for email")
	if code, data := reasonOf(t, w, m); code != outbox.ReasonNoConsent || data["purpose"] != "marketing" || data["channel"] != "email" {
		t.Errorf("refused: code %q data %v", code, data)
	}
	refused := entryOf(t, w, m, timeline.MessageRefused)
	if refused.GetString("body") != "" || !strings.Contains(refused.GetString("data"), `"reason_code":"no_consent"`) {
		t.Errorf("the refused entry: body %q data %s", refused.GetString("body"), refused.GetString("data"))
	}

	// No email address: refused, naming what is missing.
	noEmail := w.Make(t, "", crm.Contacts, map[string]any{"name": "Bruno", "phone": "+551130000000"})
	n := queue(t, w, "2026-11-24 10:00", map[string]any{"contact": noEmail.Id, "purpose": "service", "subject": "Seu pedido"})
	if code, data := reasonOf(t, w, n); code != outbox.ReasonNoContactPoint || data["missing"] != "email" || data["channel"] != "email" {
		t.Errorf("no email: code %q data %v", code, data)
	}

	// A message with no subject is named by its template in the entry's data.
	c := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "template": outbox.TemplateCaseOpened})
	entry := entryOf(t, w, c, timeline.MessageRefused)
	var cd map[string]any
	_ = entry.UnmarshalJSONField("data", &cd)
	if cd["template"] != outbox.TemplateCaseOpened || cd["subject"] != "" {
		t.Errorf("a template's message: data %v", cd)
	}

	// Sent: the code says by which channel.
	ok := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Seu pedido"})
	deliver(t, w, "2026-11-24 10:00")
	if code, data := reasonOf(t, w, ok); code != outbox.ReasonSent || data["channel"] != "email" {
		t.Errorf("sent: code %q data %v", code, data)
	}
}

// Staff who queue a message through the API cannot write its reason.
func TestReasonIsTheSystemsToWrite(t *testing.T) {
	w := newWorld(t)
	srv := w.Serve(t)
	agent := w.Make(t, "", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.example", "role": crm.RoleAgent})
	staff := testkit.Token(t, agent)
	forged := map[string]any{"reason_code": outbox.ReasonSent, "reason_data": map[string]any{"channel": "email"}}
	for field, value := range forged {
		body := map[string]any{"contact": w.ID("contact"), "purpose": "service", "subject": "x", "state": crm.OutboxQueued, field: value}
		if res := srv.Do(t, http.MethodPost, "/api/collections/outbox/records", staff, body); res.Status < 400 {
			t.Errorf("an agent set %s: %d %s", field, res.Status, res.Body)
		}
	}
	if n, _ := w.App.CountRecords(crm.Outbox); n != 0 {
		t.Errorf("%d messages written", n)
	}
}
