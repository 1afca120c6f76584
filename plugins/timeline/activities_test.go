package timeline_test

import (
	"net/http"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// The follow-up task after a call, meeting or visit is the shipped hook
// hooks/05_followup_task.pb.js, tested in plugins/hooksapi.

// A follow-up is due business days after the call, counted by the
// business's calendar (crm.Calendar.AddBusinessDays).
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
		got := cal.AddBusinessDays(testkit.Wall(t, c.from), c.days)
		if want := testkit.Wall(t, c.want); !got.Equal(want) {
			t.Errorf("%s + %d business days = %s, want %s", c.from, c.days, got.In(cal.Location).Format("2006-01-02 15:04 Mon"), c.want)
		}
	}
}

// Notes keep their history; the rest of the timeline is immutable.
func TestNoteEditsKeepHistory(t *testing.T) {
	w := newWorld(t)
	note := posted(t, w, "agent", crm.Activities, map[string]any{"type": "note", "subject": "Visita", "body": "Cliente satisfeito.",
		"actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact")})
	patched(t, w, "agent", crm.Activities, note, map[string]any{"body": "Cliente satisfeito; quer upgrade."})
	patched(t, w, "manager", crm.Activities, note, map[string]any{"subject": "Visita técnica", "body": "Upgrade em dezembro."})
	patched(t, w, "agent", crm.Activities, note, map[string]any{"outcome": "upgrade"}) // no change of words: no version

	var edits []timeline.Edit
	r := w.Find(t, crm.Activities, note)
	if err := r.UnmarshalJSONField("edits", &edits); err != nil {
		t.Fatal(err)
	}
	if len(edits) != 2 {
		t.Fatalf("%d edits, want 2: %+v", len(edits), edits)
	}
	wantEdits := []timeline.Edit{
		{Subject: "Visita", Body: "Cliente satisfeito.", Staff: w.ID("agent")},
		{Subject: "Visita", Body: "Cliente satisfeito; quer upgrade.", Staff: w.ID("manager")},
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
	if r.GetString("subject") != "Visita técnica" || r.GetString("body") != "Upgrade em dezembro." || r.GetString("staff") != w.ID("agent") {
		t.Errorf("the note now: %q %q by %s", r.GetString("subject"), r.GetString("body"), r.GetString("staff"))
	}

	// Refused, and nothing changes: history from outside, other kinds of
	// entries, someone else's note by an agent.
	call := posted(t, w, "agent", crm.Activities, map[string]any{"type": "call", "subject": "Ligação", "actor_type": "staff",
		"staff": w.ID("agent"), "contact": w.ID("contact"), "followup": false})
	other := posted(t, w, "manager", crm.Activities, map[string]any{"type": "note", "body": "Do gerente", "actor_type": "staff",
		"staff": w.ID("manager"), "contact": w.ID("contact")})
	system := entries(t, w, crm.Contacts, w.ID("contact")) // contact.created, written by the system
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
		before := w.Find(t, crm.Activities, c.id)
		res := w.Do(t, http.MethodPatch, "/api/collections/activities/records/"+c.id, c.who, c.body)
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s: status %d, want a refusal: %s", c.name, res.Status, res.Body)
		}
		after := w.Find(t, crm.Activities, c.id)
		for _, f := range []string{"type", "subject", "body", "edits", "event", "updated"} {
			if before.GetString(f) != after.GetString(f) {
				t.Errorf("%s: %s changed from %q to %q", c.name, f, before.GetString(f), after.GetString(f))
			}
		}
	}

	// Staff cannot log an entry that passes for the system's.
	res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{"type": "system",
		"actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact"), "event": timeline.CaseClosed, "ref_collection": "cases"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("an entry with a system event: status %d: %s", res.Status, res.Body)
	}
}
