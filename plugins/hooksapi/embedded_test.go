package hooksapi

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/hooks"
	"vinculo/plugins/notifications"
	"vinculo/testkit"
)

// logCall logs a call on the world's contact as the agent and returns the
// follow-up tasks the shipped hook made for it.
func logCall(t *testing.T, w *testkit.World) []string {
	t.Helper()
	res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "call", "channel": "phone", "direction": "outbound", "subject": "Renovação", "actor_type": "staff",
		"staff": w.ID("agent"), "contact": w.ID("contact"), "outcome": "interested"})
	if res.Status != http.StatusOK {
		t.Fatalf("log a call: %d %s", res.Status, res.Body)
	}
	var out struct{ ID string }
	res.JSON(t, &out)
	list, err := w.App.FindRecordsByFilter(crm.Tasks, "activity = {:a}", "", 0, 0, dbx.Params{"a": out.ID})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range list {
		titles = append(titles, r.GetString("title"))
	}
	return titles
}

// The shipped hooks are in the binary: with an empty hooks folder the
// automations run, lib.js is required and the rating page renders its
// views.
func TestShippedHooksRunFromTheBinary(t *testing.T) {
	empty := t.TempDir()
	w := newWorldWith(t, empty, true)

	if titles := logCall(t, w); len(titles) != 1 || !strings.Contains(titles[0], "Renovação") {
		t.Errorf("follow-up tasks with an empty hooks folder: %v, want one", titles)
	}
	// The rating page: lib.js (require) and views/ (templates) from the binary.
	code, body := sendRaw(t, w, http.MethodGet, "/rate/nosuchcase?t=forged", nil, nil)
	if code != http.StatusForbidden || !strings.Contains(body, "<html") {
		t.Errorf("GET /rate/... with an empty hooks folder: %d %.200s", code, body)
	}

	var names []string
	for _, s := range Loaded(w.App) {
		if s.From != Embedded {
			t.Errorf("%s loaded from %q, want %q", s.Name, s.From, Embedded)
		}
		names = append(names, s.Name)
	}
	shipped, _ := fs.Glob(hooks.FS, "*.pb.js")
	if !slices.Equal(names, shipped) || len(names) < 5 {
		t.Errorf("loaded %v, want the shipped %v", names, shipped)
	}
	if msg := LoadedMessage(w.App); !strings.Contains(msg, "05_followup_task.pb.js") || !strings.Contains(msg, Embedded) {
		t.Errorf("the start-up lines do not list the hooks: %q", msg)
	}
}

// A file of the hooks folder replaces the shipped one of the same name (an
// empty one switches it off); any other file adds to them; lib.js of the
// folder replaces the shipped one for every hook that requires it.
func TestHooksFolderReplacesAndAdds(t *testing.T) {
	dir := fixture(t, map[string]string{
		"05_followup_task.pb.js": "// switched off by the business\n",
		"60_mine.pb.js": `onRecordCreate((e) => {
  e.record.set("job_title", "added by 60_mine")
  e.next()
}, "contacts")
`,
	})
	w := newWorldWith(t, dir, true)

	if titles := logCall(t, w); len(titles) != 0 {
		t.Errorf("the replaced follow-up hook still ran: %v", titles)
	}
	c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Nova Cliente"})
	if got := c.GetString("job_title"); got != "added by 60_mine" {
		t.Errorf("the added hook did not run: job_title %q", got)
	}
	from := map[string]string{}
	for _, s := range Loaded(w.App) {
		from[s.Name] = s.From
	}
	if from["05_followup_task.pb.js"] != dir || from["60_mine.pb.js"] != dir || from["10_notify_owner.pb.js"] != Embedded {
		t.Errorf("origins: %v", from)
	}
	msg := LoadedMessage(w.App)
	if !strings.Contains(msg, "60_mine.pb.js") || !strings.Contains(msg, dir) {
		t.Errorf("the start-up lines do not say where the folder's hooks come from: %q", msg)
	}
}

// The folder's lib.js and views replace the shipped ones, by path.
func TestHooksFolderLibAndViewsWin(t *testing.T) {
	layout, err := fs.ReadFile(hooks.FS, "views/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "views"), 0o755); err != nil {
		t.Fatal(err)
	}
	mine := strings.Replace(string(layout), "<body>", "<body><p>the business's own layout</p>", 1) // (html/template drops comments)
	if err := os.WriteFile(filepath.Join(dir, "views", "layout.html"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newWorldWith(t, dir, true)
	code, body := sendRaw(t, w, http.MethodGet, "/rate/nosuchcase?t=forged", nil, nil)
	if code != http.StatusForbidden || !strings.Contains(body, "the business's own layout") {
		t.Errorf("the folder's views/layout.html was not used: %d %.300s", code, body)
	}
}

// setLanguage sets the language a staff member of w reads.
func setLanguage(t *testing.T, w *testkit.World, label, lang string) {
	t.Helper()
	r := w.Find(t, crm.Staff, w.ID(label))
	r.Set("language", lang)
	if err := w.App.Save(r); err != nil {
		t.Fatal(err)
	}
}

// hooks/10_notify_owner.pb.js writes to the owner in the owner's language.
func TestOwnerNoticeInTheOwnersLanguage(t *testing.T) {
	w := newWorld(t, shippedHooks(t))
	ownerMails := func() []string {
		notifications.Wait(w.App) // the owner is told as a notification, mailed after its commit
		var out []string
		for _, m := range w.Mails(t) {
			if strings.Contains(m, "rafael@vinculo.test") {
				out = append(out, m)
			}
		}
		return out
	}
	openCase(t, w, "Sem sinal")
	// The notice is mailed after its commit, in the language the owner
	// reads when it goes: it has gone before he changes his.
	if n := len(ownerMails()); n != 1 {
		t.Fatalf("%d mails to the owner after the first request, want 1", n)
	}
	setLanguage(t, w, "agent", "en")
	openCase(t, w, "Fatura errada")
	mails := ownerMails()
	if len(mails) != 2 {
		t.Fatalf("%d mails to the owner, want 2", len(mails))
	}
	if !strings.Contains(mails[0], "abriu a solicitação") || strings.Contains(mails[0], "opened request") {
		t.Errorf("the owner with no language of his own reads the business's (Portuguese):\n%s", mails[0])
	}
	if !strings.Contains(mails[1], "opened request") || !strings.Contains(mails[1], "Fatura errada") {
		t.Errorf("the owner who reads English:\n%s", mails[1])
	}
}
