package timeline_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

func saoPaulo(t *testing.T, value string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *world) tasksOf(t *testing.T, activity string) []map[string]any {
	t.Helper()
	list, err := w.app.FindRecordsByFilter(crm.Tasks, "activity = {:a}", "", 0, 0, dbx.Params{"a": activity})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range list {
		out = append(out, map[string]any{
			"title": r.GetString("title"), "status": r.GetString("status"), "assignee": r.GetString("assignee"),
			"created_by": r.GetString("created_by"), "contact": r.GetString("contact"), "deal": r.GetString("deal"),
			"case": r.GetString("case"), "due": r.GetDateTime("due").Time(),
		})
	}
	return out
}

func TestFollowUps(t *testing.T) {
	w := newWorld(t)
	kase := w.make(t, crm.Cases, map[string]any{"type": w.caseType.Id, "contact": w.contact.Id, "subject": "Sem sinal"})
	deal := w.make(t, crm.Deals, map[string]any{"title": "Plano", "contact": w.contact.Id, "pipeline": w.pipeline.Id, "stage": w.stageQual.Id, "status": "open"})
	friday := saoPaulo(t, "2026-11-27 15:00") // Friday
	log := func(kind string, extra map[string]any) string {
		body := map[string]any{"type": kind, "channel": "phone", "direction": "outbound", "subject": "Proposta de renovação",
			"occurred_at": friday.UTC().Format("2006-01-02 15:04:05.000Z"), "actor_type": "staff", "staff": w.agent.Id,
			"contact": w.contact.Id, "deal": deal.Id, "case": kase.Id, "outcome": "interested", "duration_minutes": 12}
		for k, v := range extra {
			body[k] = v
		}
		return w.created(t, "agent", crm.Activities, body)
	}

	call := log("call", nil)
	tasks := w.tasksOf(t, call)
	if len(tasks) != 1 {
		t.Fatalf("%d follow-ups for a call, want 1", len(tasks))
	}
	// Two business days after Friday 15:00 is Tuesday 15:00 in São Paulo, not Sunday.
	want := map[string]any{"title": "Follow up: Proposta de renovação", "status": "open", "assignee": w.agent.Id, "created_by": w.agent.Id,
		"contact": w.contact.Id, "deal": deal.Id, "case": kase.Id, "due": saoPaulo(t, "2026-12-01 15:00").UTC()}
	for k, v := range want {
		if got := tasks[0][k]; got != v {
			t.Errorf("follow-up %s = %v, want %v", k, got, v)
		}
	}

	for _, kind := range []string{"meeting", "visit"} {
		if n := len(w.tasksOf(t, log(kind, nil))); n != 1 {
			t.Errorf("%s: %d follow-ups, want 1", kind, n)
		}
	}
	for _, kind := range []string{"note", "letter", "email"} {
		if n := len(w.tasksOf(t, log(kind, nil))); n != 0 {
			t.Errorf("%s: %d follow-ups, want none", kind, n)
		}
	}
	if n := len(w.tasksOf(t, log("call", map[string]any{"followup": false}))); n != 0 {
		t.Errorf("opted out: %d follow-ups", n)
	}
	due := saoPaulo(t, "2026-12-10 09:30")
	chosen := w.tasksOf(t, log("visit", map[string]any{"followup_due": due.UTC().Format("2006-01-02 15:04:05.000Z")}))
	if len(chosen) != 1 || chosen[0]["due"] != due.UTC() {
		t.Errorf("the caller's due time: %v, want %v", chosen, due.UTC())
	}

	// Bad options: 400 naming the field, nothing written.
	before := w.count(t, crm.Activities, "type = 'call'", nil)
	tasksBefore := w.count(t, crm.Tasks, "1=1", nil)
	for field, value := range map[string]any{"followup": "maybe", "followup_due": "next week"} {
		res := w.do(t, http.MethodPost, "/api/collections/activities/records", w.tokens["agent"], map[string]any{
			"type": "call", "actor_type": "staff", "staff": w.agent.Id, "contact": w.contact.Id, field: value})
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s %v: status %d, want 400", field, value, res.Status)
			continue
		}
		if data, _ := res.json(t)["data"].(map[string]any); data[field] == nil {
			t.Errorf("%s: the error does not name the field: %s", field, res.Body)
		}
	}
	if w.count(t, crm.Activities, "type = 'call'", nil) != before || w.count(t, crm.Tasks, "1=1", nil) != tasksBefore {
		t.Error("a refused call was saved")
	}

	// Saved by Go code: no follow-up unless asked.
	quiet := w.make(t, crm.Activities, map[string]any{"type": "call", "actor_type": "staff", "staff": w.agent.Id, "contact": w.contact.Id})
	if n := len(w.tasksOf(t, quiet.Id)); n != 0 {
		t.Errorf("a call saved by Go proposed %d follow-ups", n)
	}
	if quiet.GetDateTime("occurred_at").IsZero() {
		t.Error("an activity without a time did not get one")
	}
}

func TestNoFollowUpsWhenTurnedOff(t *testing.T) {
	w := newWorld(t, func(c *crm.Config) { c.FollowUps = false })
	call := w.created(t, "agent", crm.Activities, map[string]any{"type": "call", "subject": "Cobrança", "actor_type": "staff",
		"staff": w.agent.Id, "contact": w.contact.Id, "followup_due": "2026-12-10 12:00:00.000Z"})
	if n := len(w.tasksOf(t, call)); n != 0 {
		t.Errorf("%d follow-ups with follow-ups turned off", n)
	}
}

func TestAddBusinessDays(t *testing.T) {
	hours, _ := crm.ParseWeekHours("mon-fri 09:00-18:00")
	cal := crm.Business{Hours: hours, Timezone: "America/Sao_Paulo", Holidays: []string{"2026-11-20", "2026-12-25"}}.Calendar()
	for _, c := range []struct {
		from string
		days int
		want string
	}{
		{"2026-11-24 10:15", 2, "2026-11-26 10:15"}, // Tuesday to Thursday
		{"2026-11-27 15:00", 2, "2026-12-01 15:00"}, // Friday, over the weekend
		{"2026-11-28 11:00", 1, "2026-11-30 11:00"}, // a call on Saturday
		{"2026-11-19 17:00", 1, "2026-11-23 17:00"}, // over a holiday Friday and the weekend
		{"2026-12-24 20:30", 1, "2026-12-28 20:30"}, // evening calls keep their time
		{"2026-11-24 10:15", 0, "2026-11-24 10:15"},
	} {
		got := timeline.AddBusinessDays(cal, saoPaulo(t, c.from), c.days)
		if want := saoPaulo(t, c.want); !got.Equal(want) {
			t.Errorf("%s + %d business days = %s, want %s", c.from, c.days, got.In(cal.Location).Format("2006-01-02 15:04 Mon"), c.want)
		}
	}
}

// Notes keep their history; the rest of the timeline is immutable.
func TestNoteEditsKeepHistory(t *testing.T) {
	w := newWorld(t)
	note := w.created(t, "agent", crm.Activities, map[string]any{"type": "note", "subject": "Visita", "body": "Cliente satisfeito.",
		"actor_type": "staff", "staff": w.agent.Id, "contact": w.contact.Id})
	w.patched(t, "agent", crm.Activities, note, map[string]any{"body": "Cliente satisfeito; quer upgrade."})
	w.patched(t, "manager", crm.Activities, note, map[string]any{"subject": "Visita técnica", "body": "Upgrade em dezembro."})
	w.patched(t, "agent", crm.Activities, note, map[string]any{"outcome": "upgrade"}) // no change of words: no version

	var edits []timeline.Edit
	r := w.reload(t, crm.Activities, note)
	if err := r.UnmarshalJSONField("edits", &edits); err != nil {
		t.Fatal(err)
	}
	if len(edits) != 2 {
		t.Fatalf("%d edits, want 2: %+v", len(edits), edits)
	}
	wantEdits := []timeline.Edit{
		{Subject: "Visita", Body: "Cliente satisfeito.", Staff: w.agent.Id},
		{Subject: "Visita", Body: "Cliente satisfeito; quer upgrade.", Staff: w.manager.Id},
	}
	for i, e := range edits {
		at, err := time.Parse("2006-01-02 15:04:05.000Z", e.EditedAt)
		if err != nil || at.IsZero() {
			t.Errorf("edit %d: edited_at %q", i, e.EditedAt)
		}
		e.EditedAt = ""
		if e != wantEdits[i] {
			t.Errorf("edit %d = %+v, want %+v", i, e, wantEdits[i])
		}
	}
	if edits[1].EditedAt < edits[0].EditedAt {
		t.Errorf("edits out of order: %s before %s", edits[1].EditedAt, edits[0].EditedAt)
	}
	if r.GetString("subject") != "Visita técnica" || r.GetString("body") != "Upgrade em dezembro." || r.GetString("staff") != w.agent.Id {
		t.Errorf("the note now: %q %q by %s", r.GetString("subject"), r.GetString("body"), r.GetString("staff"))
	}

	// Refused, and nothing changes: history from outside, other kinds of
	// entries, someone else's note by an agent.
	call := w.created(t, "agent", crm.Activities, map[string]any{"type": "call", "subject": "Ligação", "actor_type": "staff",
		"staff": w.agent.Id, "contact": w.contact.Id, "followup": false})
	other := w.created(t, "manager", crm.Activities, map[string]any{"type": "note", "body": "Do gerente", "actor_type": "staff",
		"staff": w.manager.Id, "contact": w.contact.Id})
	system := w.entries(t, crm.Contacts, w.contact.Id) // contact.created, written by the system
	for _, c := range []struct {
		name, who, id string
		body          map[string]any
	}{
		{"history written by hand", "agent", note, map[string]any{"edits": []any{}}},
		{"history with an edit", "agent", note, map[string]any{"body": "x", "edits": []any{map[string]any{"body": "forged"}}}},
		{"a call rewritten", "agent", call, map[string]any{"subject": "Outra coisa"}},
		{"a call turned into a note", "agent", call, map[string]any{"type": "note"}},
		{"a system entry rewritten", "manager", system[0].Id, map[string]any{"subject": "nothing happened"}},
		{"a system entry's event", "manager", note, map[string]any{"event": "case.closed"}},
		{"someone else's note", "agent", other, map[string]any{"body": "mine now"}},
		{"a note by a reader", "readonly", note, map[string]any{"body": "read only"}},
	} {
		before := w.reload(t, crm.Activities, c.id)
		res := w.do(t, http.MethodPatch, "/api/collections/activities/records/"+c.id, w.tokens[c.who], c.body)
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s: status %d, want a refusal: %s", c.name, res.Status, res.Body)
		}
		after := w.reload(t, crm.Activities, c.id)
		for _, f := range []string{"type", "subject", "body", "edits", "event", "updated"} {
			if before.GetString(f) != after.GetString(f) {
				t.Errorf("%s: %s changed from %q to %q", c.name, f, before.GetString(f), after.GetString(f))
			}
		}
	}

	// Staff cannot log an entry that passes for the system's.
	res := w.do(t, http.MethodPost, "/api/collections/activities/records", w.tokens["agent"], map[string]any{"type": "system",
		"actor_type": "staff", "staff": w.agent.Id, "contact": w.contact.Id, "event": timeline.CaseClosed, "ref_collection": "cases"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("an entry with a system event: status %d: %s", res.Status, res.Body)
	}
}
