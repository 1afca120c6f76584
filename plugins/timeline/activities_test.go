package timeline_test

import (
	"net/http"
	"testing"
	"time"

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

// The follow-up task after a call, meeting or visit is the shipped hook
// hooks/05_followup_task.pb.js, tested in plugins/hooksapi.

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
