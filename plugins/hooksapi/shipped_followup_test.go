package hooksapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// hooks/05_followup_task.pb.js: a call, meeting or visit logged through the
// API gets an open follow-up task in the same transaction.
func TestShippedFollowUpTask(t *testing.T) {
	w := newWorld(t, shippedHooks(t))
	kase := w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Sem sinal"})
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, sp)
	log := func(kind string, extra map[string]any) (int, string) {
		body := map[string]any{"type": kind, "channel": "phone", "direction": "outbound", "subject": "Proposta de renovação",
			"occurred_at": friday.UTC().Format("2006-01-02 15:04:05.000Z"), "actor_type": "staff", "staff": w.ID("agent"),
			"contact": w.ID("contact"), "case": kase.Id, "outcome": "interested", "duration_minutes": 12}
		for k, v := range extra {
			body[k] = v
		}
		res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", body)
		var out struct{ ID string }
		if res.Status == http.StatusOK {
			res.JSON(t, &out)
		}
		return res.Status, out.ID
	}
	tasksOf := func(activity string) []map[string]any {
		list, err := w.App.FindRecordsByFilter(crm.Tasks, "activity = {:a}", "", 0, 0, dbx.Params{"a": activity})
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, r := range list {
			out = append(out, map[string]any{"title": r.GetString("title"), "status": r.GetString("status"),
				"assignee": r.GetString("assignee"), "created_by": r.GetString("created_by"), "contact": r.GetString("contact"),
				"case": r.GetString("case"), "due": r.GetDateTime("due").Time()})
		}
		return out
	}

	_, call := log("call", nil)
	tasks := tasksOf(call)
	if len(tasks) != 1 {
		t.Fatalf("%d follow-ups for a call, want 1", len(tasks))
	}
	// Two business days after Friday 15:00 is Tuesday 15:00 in São Paulo.
	// Rafael keeps no language of his own: the business's (Portuguese).
	want := map[string]any{"title": "Retorno: Proposta de renovação", "status": "open", "assignee": w.ID("agent"),
		"created_by": w.ID("agent"), "contact": w.ID("contact"), "case": kase.Id, "due": time.Date(2026, 12, 1, 15, 0, 0, 0, sp).UTC()}
	for k, v := range want {
		if got := tasks[0][k]; got != v {
			t.Errorf("follow-up %s = %v, want %v", k, got, v)
		}
	}
	if a := w.Find(t, crm.Tasks, firstID(t, w, crm.Tasks, "activity = {:a}", call)); a.GetString("created_by") != w.ID("agent") {
		t.Errorf("the task's author: %q", a.GetString("created_by"))
	}
	for _, kind := range []string{"meeting", "visit"} {
		if _, id := log(kind, nil); len(tasksOf(id)) != 1 {
			t.Errorf("%s: no follow-up", kind)
		}
	}
	// The title is in the staff member's language, the topic theirs too when
	// the call has no subject.
	if _, id := log("call", map[string]any{"subject": ""}); len(tasksOf(id)) != 1 || tasksOf(id)[0]["title"] != "Retorno: ligação com João Conceição" {
		t.Errorf("a call without subject: %v", tasksOf(id))
	}
	setLanguage(t, w, "agent", "en")
	if _, id := log("call", nil); len(tasksOf(id)) != 1 || tasksOf(id)[0]["title"] != "Follow up: Proposta de renovação" {
		t.Errorf("an English-speaking agent's follow-up: %v", tasksOf(id))
	}
	if _, id := log("visit", map[string]any{"subject": ""}); len(tasksOf(id)) != 1 || tasksOf(id)[0]["title"] != "Follow up: visit with João Conceição" {
		t.Errorf("an English-speaking agent's visit without subject: %v", tasksOf(id))
	}
	for _, kind := range []string{"note", "email"} {
		if _, id := log(kind, nil); len(tasksOf(id)) != 0 {
			t.Errorf("%s: a follow-up, want none", kind)
		}
	}
	if _, id := log("call", map[string]any{"followup": false}); len(tasksOf(id)) != 0 {
		t.Error("opted out, still a follow-up")
	}
	due := time.Date(2026, 12, 10, 9, 30, 0, 0, sp)
	if _, id := log("visit", map[string]any{"followup_due": due.UTC().Format("2006-01-02 15:04:05.000Z")}); len(tasksOf(id)) != 1 || tasksOf(id)[0]["due"] != due.UTC() {
		t.Errorf("the caller's due time: %v, want %v", tasksOf(id), due.UTC())
	}

	// Bad options: 400 naming the field, nothing written.
	before := counts(t, w)
	for field, value := range map[string]any{"followup": "maybe", "followup_due": "next week"} {
		res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
			"type": "call", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact"), field: value})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("%s %v: %d %s, want 400 naming the field", field, value, res.Status, res.Body)
		}
	}
	sameCounts(t, "refused follow-ups", before, counts(t, w))

	// Saved by Go code: no follow-up unless asked.
	quiet := w.Make(t, "", crm.Activities, map[string]any{"type": "call", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact")})
	if len(tasksOf(quiet.Id)) != 0 {
		t.Error("a call saved by Go got a follow-up")
	}
}

// hooks/15_hold_marketing.pb.js: marketing waits while the contact has an
// open request whose type holds marketing; closing it lets the message go.
func TestShippedHoldMarketing(t *testing.T) {
	w := newWorld(t, shippedHooks(t))
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("other"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})

	kase := openCase(t, w, "Internet caindo")
	queue := func(contact, purpose, subject string) string {
		res := w.Do(t, http.MethodPost, "/api/collections/outbox/records", "agent", map[string]any{
			"contact": contact, "purpose": purpose, "channel": "email", "subject": subject, "body": "Promoção de novembro.", "state": "queued"})
		if res.Status != http.StatusOK {
			t.Fatalf("queue %s: %d %s", subject, res.Status, res.Body)
		}
		var out struct{ ID string }
		res.JSON(t, &out)
		return out.ID
	}
	held := w.Find(t, crm.Outbox, queue(w.ID("contact"), "marketing", "Ofertas"))
	wantReason := "waiting while request " + kase.GetString("reference") + " is open (its type holds marketing)"
	if held.GetString("state") != crm.OutboxWaiting || held.GetString("reason") != wantReason {
		t.Fatalf("marketing during an open request: %s %q, want waiting %q", held.GetString("state"), held.GetString("reason"), wantReason)
	}
	if got, want := held.GetDateTime("not_before").Time(), monday10.Add(24*time.Hour); !got.Equal(want) {
		t.Errorf("looked at again at %v, want %v", got, want)
	}
	// Service to the same contact, marketing to another: not held.
	if r := w.Find(t, crm.Outbox, queue(w.ID("contact"), "service", "Sua fatura")); r.GetString("state") != crm.OutboxQueued {
		t.Errorf("service: %s %q", r.GetString("state"), r.GetString("reason"))
	}
	if r := w.Find(t, crm.Outbox, queue(w.ID("other"), "marketing", "Ofertas")); r.GetString("state") != crm.OutboxQueued {
		t.Errorf("another contact's marketing: %s %q", r.GetString("state"), r.GetString("reason"))
	}

	// The request closes: the message is decided again at once and goes.
	if res := w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	if r := w.Find(t, crm.Outbox, held.Id); !r.GetDateTime("not_before").Time().Equal(monday10) {
		t.Errorf("after the request closed: not_before %v, want now (%v)", r.GetDateTime("not_before"), monday10)
	}
	if _, err := outbox.Deliver(w.App, monday10); err != nil {
		t.Fatal(err)
	}
	if r := w.Find(t, crm.Outbox, held.Id); r.GetString("state") != crm.OutboxSent {
		t.Errorf("after the request closed: %s %q, want sent", r.GetString("state"), r.GetString("reason"))
	}
}

// With automations.hold_marketing off the hold is not added.
func TestShippedHoldMarketingSwitchedOff(t *testing.T) {
	w := newWorld(t, shippedHooks(t), func(c *crm.Config) { c.Automations.HoldMarketing = false })
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	openCase(t, w, "Internet caindo")
	res := w.Do(t, http.MethodPost, "/api/collections/outbox/records", "agent", map[string]any{
		"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "subject": "Ofertas", "body": "x", "state": "queued"})
	var out struct{ ID string }
	res.JSON(t, &out)
	if r := w.Find(t, crm.Outbox, out.ID); r.GetString("state") != crm.OutboxQueued {
		t.Errorf("hold switched off: %s %q", r.GetString("state"), r.GetString("reason"))
	}
}

func firstID(t *testing.T, w *testkit.World, collection, filter, value string) string {
	t.Helper()
	r, err := w.App.FindFirstRecordByFilter(collection, filter, dbx.Params{"a": value})
	if err != nil {
		t.Fatal(err)
	}
	return r.Id
}
