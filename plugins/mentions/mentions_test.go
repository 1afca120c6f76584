package mentions_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/mentions"
	"vinculo/testkit"
)

const (
	marina = "m0000000000000a"
	otavio = "o0000000000000b"
)

func TestParse(t *testing.T) {
	text := "Hi @[Marina Duarte](" + marina + "), see this with @[Otávio Reis](" + otavio + ") and @[Marina](" + marina + ") again. " +
		"Not mentions: @Marina, @[x](short), me@[y](" + strings.Repeat("Z", 15) + "), an email a@b.test"
	got := mentions.Parse(text)
	want := []mentions.Mention{{Name: "Marina Duarte", Staff: marina}, {Name: "Otávio Reis", Staff: otavio}}
	if !slices.Equal(got, want) {
		t.Fatalf("Parse: %+v, want %+v", got, want)
	}
	if got := mentions.Parse("nobody here"); len(got) != 0 {
		t.Errorf("Parse of plain text: %+v", got)
	}
}

func TestFlattenAndToken(t *testing.T) {
	text := "Ask @[Marina Duarte](" + marina + ") and\n@[Otávio Reis](" + otavio + ")."
	if got, want := mentions.Flatten(text), "Ask @Marina Duarte and\n@Otávio Reis."; got != want {
		t.Errorf("Flatten: %q, want %q", got, want)
	}
	// A name with brackets or a line break still makes one token that parses back.
	tok := mentions.Token(" Ana [Vendas]\nSul ", marina)
	if tok != "@[Ana (Vendas) Sul]("+marina+")" {
		t.Errorf("Token: %q", tok)
	}
	if got := mentions.Parse("x " + tok + " y"); len(got) != 1 || got[0].Staff != marina || got[0].Name != "Ana (Vendas) Sul" {
		t.Errorf("the token does not parse back: %+v", got)
	}
	if got := mentions.Excerpt("  Look  at\nthis @[Marina Duarte]("+marina+") "+strings.Repeat("long ", 50), 30); got != "Look at this @Marina Duarte l…" {
		t.Errorf("Excerpt: %q", got)
	}
}

func TestNewly(t *testing.T) {
	before := "cc @[Marina](" + marina + ")"
	now := "cc @[Marina](" + marina + ") and @[Otávio](" + otavio + ") and @[Otávio](" + otavio + ")"
	if got := mentions.Newly(before, now); len(got) != 1 || got[0].Staff != otavio {
		t.Errorf("Newly: %+v", got)
	}
	if got := mentions.Newly(now, before); len(got) != 0 {
		t.Errorf("a mention removed is nobody new: %+v", got)
	}
}

func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	return testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()).Business(t)
}

// told counts the mention notifications of the staff member under label.
func told(t *testing.T, w *testkit.World, label string) int {
	t.Helper()
	return w.Count(t, crm.Notifications, "`to` = {:to} AND event = {:ev}", dbx.Params{"to": w.ID(label), "ev": crm.NotifyMentioned})
}

func tok(w *testkit.World, label string) string {
	return mentions.Token(w.R(label).GetString("name"), w.ID(label))
}

// A note on a contact's timeline tells each colleague it mentions once,
// never its author; an edit tells only those newly mentioned.
func TestNoteMentionsNotifyOnce(t *testing.T) {
	w := newWorld(t)
	body := "Call Ana back, " + tok(w, "manager") + " and " + tok(w, "agent2") + " (" + tok(w, "manager") + " twice), " + tok(w, "agent") + " is me"
	var note struct {
		ID   string `json:"id"`
		Body string `json:"body"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "note", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("ctA"), "body": body,
	}), http.StatusOK, "note").JSON(t, &note)
	if note.Body != body {
		t.Errorf("a staff-only note keeps its tokens: %q", note.Body)
	}
	if m, a2, a := told(t, w, "manager"), told(t, w, "agent2"), told(t, w, "agent"); m != 1 || a2 != 1 || a != 0 {
		t.Fatalf("told: manager %d, agent2 %d, the author %d; want 1, 1, 0", m, a2, a)
	}
	n, err := w.App.FindFirstRecordByFilter(crm.Notifications, "to = {:to} && event = {:ev}", dbx.Params{"to": w.ID("manager"), "ev": crm.NotifyMentioned})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{}
	_ = n.UnmarshalJSONField("data", &data)
	if n.GetString("collection") != crm.Contacts || n.GetString("record") != w.ID("ctA") || n.GetString("by") != w.ID("agent") ||
		data["title"] != "Ana Souza" || data["by_name"] != "Rafael Lima" || data["note"] != note.ID ||
		!strings.Contains(data["excerpt"].(string), "@Marina Duarte") || strings.Contains(data["excerpt"].(string), w.ID("manager")) {
		t.Errorf("the notification: %s %s by %s, data %v", n.GetString("collection"), n.GetString("record"), n.GetString("by"), data)
	}

	// The author edits: the manager is still there (not told again), the read-only colleague is new.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/activities/records/"+note.ID, "agent", map[string]any{
		"body": body + " and " + tok(w, "readonly"),
	}), http.StatusOK, "edit")
	if m, r := told(t, w, "manager"), told(t, w, "readonly"); m != 1 || r != 1 {
		t.Errorf("after the edit: manager %d, readonly %d; want 1, 1", m, r)
	}
	// Saved again unchanged: nobody is told.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/activities/records/"+note.ID, "agent", map[string]any{"subject": "Ana"}), http.StatusOK, "edit the subject")
	if got := w.Count(t, crm.Notifications, "event = {:ev}", dbx.Params{"ev": crm.NotifyMentioned}); got != 3 {
		t.Errorf("%d mention notifications, want 3", got)
	}
}

// On a deal's note the notification opens the deal; on a request's internal
// note, the request.
func TestDealAndRequestNotes(t *testing.T) {
	w := newWorld(t)
	deal := w.Make(t, "dl", crm.Deals, map[string]any{"title": "Forno novo", "pipeline": w.ID("pipeline"), "stage": w.ID("stQual"), "status": crm.DealOpen, "owner": w.ID("agent"), "contact": w.ID("ctA")})
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/activities/records", "manager", map[string]any{
		"type": "note", "actor_type": "staff", "staff": w.ID("manager"), "deal": deal.Id, "contact": w.ID("ctA"), "body": "Price check " + tok(w, "agent"),
	}), http.StatusOK, "deal note")
	cs := w.Make(t, "cs", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Forno não liga", "assignee": w.ID("agent")})
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{
		"case": cs.Id, "internal": true, "author_staff": w.ID("agent"), "body": tok(w, "agent2") + " can you look?",
	}), http.StatusOK, "internal note")
	for _, c := range []struct{ who, collection, record string }{{"agent", crm.Deals, deal.Id}, {"agent2", crm.Cases, cs.Id}} {
		if got := w.Count(t, crm.Notifications, "`to` = {:to} AND event = {:ev} AND collection = {:c} AND record = {:r}",
			dbx.Params{"to": w.ID(c.who), "ev": crm.NotifyMentioned, "c": c.collection, "r": c.record}); got != 1 {
			t.Errorf("%s told %d times about %s %s", c.who, got, c.collection, c.record)
		}
	}
}

// What a customer may read never carries a staff id: a public reply and a
// public timeline entry keep the plain names, and nobody is told.
func TestPublicTextsKeepPlainNames(t *testing.T) {
	w := newWorld(t)
	cs := w.Make(t, "cs", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Forno", "assignee": w.ID("agent")})
	var reply struct {
		Body string `json:"body"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{
		"case": cs.Id, "internal": false, "author_staff": w.ID("agent"), "body": "My colleague " + tok(w, "manager") + " will call you.",
	}), http.StatusOK, "public reply").JSON(t, &reply)
	if reply.Body != "My colleague @Marina Duarte will call you." {
		t.Errorf("the public reply: %q", reply.Body)
	}
	var entry struct {
		ID   string `json:"id"`
		Body string `json:"body"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "note", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("ctA"), "public": true, "body": "Visit with " + tok(w, "manager"),
	}), http.StatusOK, "public note").JSON(t, &entry)
	if entry.Body != "Visit with @Marina Duarte" {
		t.Errorf("the public note: %q", entry.Body)
	}
	// A staff-only note made public later loses its tokens, its history's included.
	var private struct {
		ID string `json:"id"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "note", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("ctA"), "body": "First " + tok(w, "agent2"),
	}), http.StatusOK, "private note").JSON(t, &private)
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/activities/records/"+private.ID, "agent", map[string]any{
		"body": "Now for the customer " + tok(w, "agent2"), "public": true,
	}), http.StatusOK, "made public")
	saved := w.Find(t, crm.Activities, private.ID)
	for _, field := range []string{"body", "edits"} {
		if strings.Contains(saved.GetString(field), w.ID("agent2")) {
			t.Errorf("the public note's %s keeps a staff id: %s", field, saved.GetString(field))
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/case_messages/records", "cuA", nil); strings.Contains(string(res.Body), w.ID("manager")) {
		t.Errorf("the customer reads a staff id: %s", res.Body)
	}
	if got := told(t, w, "manager"); got != 0 {
		t.Errorf("public words told the manager %d times", got)
	}
	if got := told(t, w, "agent2"); got != 1 {
		t.Errorf("agent2 told %d times (once, by the private note)", got)
	}
}
