package hooksapi

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Hook files load in byte order of their names, whatever order the file
// system or a map would give: handlers of one event and priority run in
// that order. Files not named *.pb.js / *.pb.ts, and files in
// subfolders, are not loaded.
func TestHookFilesLoadInNameOrder(t *testing.T) {
	names := []string{"b.pb.js", "a.pb.js", "10_x.pb.js", "9_y.pb.js", "_z.pb.js", "A.pb.js", "2.pb.ts"}
	files := map[string]string{
		"lib.js":        `module.exports = { never: true }`,
		"sub/c.pb.js":   `throw new Error("a file in a subfolder was loaded")`,
		"notes.txt":     `not a hook`,
		"types/x.d.ts":  `declare const x: number`,
		"disabled.js":   `throw new Error("a .js file that is not .pb.js was loaded")`,
		"README.pb.md":  `# no`,
		"order.pb.json": `{}`,
	}
	for _, name := range names {
		tag := strings.TrimSuffix(strings.TrimSuffix(name, ".pb.js"), ".pb.ts")
		files[name] = fmt.Sprintf(`onRecordCreate((e) => {
  e.record.set("job_title", e.record.getString("job_title") + %q + ";")
  e.next()
}, "contacts")
`, tag)
	}
	want := []string{"10_x", "2", "9_y", "A", "_z", "a", "b"} // bytes: digits < upper case < _ < lower case
	dir := fixture(t, files)

	listed, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var listedTags []string
	for _, n := range listed {
		listedTags = append(listedTags, strings.TrimSuffix(strings.TrimSuffix(n, ".pb.js"), ".pb.ts"))
	}
	if !slices.Equal(listedTags, want) {
		t.Errorf("Files = %v, want %v", listed, want)
	}

	// Seven files: a map's order would be right once in 5040 loads.
	app := testkit.NewApp(t)
	WithoutShipped(app)
	if err := Register(app, testConfig(t, dir)); err != nil {
		t.Fatal(err)
	}
	c, _ := app.FindCollectionByNameOrId(crm.Contacts)
	for i := range 3 {
		r := core.NewRecord(c)
		r.Set("name", fmt.Sprintf("Ordem %d", i))
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
		if got := r.GetString("job_title"); got != strings.Join(want, ";")+";" {
			t.Fatalf("save %d: handlers ran in the order %q, want %q", i, got, strings.Join(want, ";")+";")
		}
	}
}

// A file that fails to load stops Register with its name and line; the
// guide's recipes load.
func TestBrokenHookFileStopsStart(t *testing.T) {
	app := testkit.NewApp(t)
	t.Run("the guide's recipes load", func(t *testing.T) {
		raw, err := os.ReadFile("../../docs/hooks.md")
		if err != nil {
			t.Fatal(err)
		}
		_, recipes, _ := strings.Cut(string(raw), "\n## Recipes")
		files := map[string]string{}
		for i, block := range strings.Split(recipes, "```js\n")[1:] {
			code, _, _ := strings.Cut(block, "```")
			if strings.Contains(code, `require("crypto")`) {
				continue // the receiver's side, in Node.js
			}
			files[fmt.Sprintf("%02d_recipe.pb.js", i)] = code
		}
		if len(files) < 5 {
			t.Fatalf("found %d recipes", len(files))
		}
		WithoutShipped(app)
		if err := newEngine(app, testConfig(t, fixture(t, files))).load(); err != nil {
			t.Errorf("a recipe of docs/hooks.md does not load: %v", err)
		}
	})
	for name, content := range map[string]string{
		"syntax":    "onRecordCreate((e) => {\n  e.next(\n}, \"contacts\")\n",
		"top-level": "// fine\n\nnosuchfunction()\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := fixture(t, map[string]string{"10_ok.pb.js": "// nothing\n", "20_broken.pb.js": content})
			WithoutShipped(app)
			err := newEngine(app, testConfig(t, dir)).load()
			if err == nil {
				t.Fatal("a broken hook file loaded")
			}
			if !strings.Contains(err.Error(), "20_broken.pb.js") {
				t.Errorf("the error does not name the file: %v", err)
			}
			if name == "top-level" && !strings.Contains(err.Error(), "20_broken.pb.js:3") {
				t.Errorf("the error does not name the line: %v", err)
			}
		})
	}
}

// A hook that throws is logged with its file and line and rolls back its
// transaction: the record, the task and the timeline entry it wrote before
// throwing, the contact.created entry — nothing remains. The same for a
// route that writes in $crm.transaction, and for an error thrown inside a
// required module (logged at the module's line).
func TestThrowingHookLeavesNothing(t *testing.T) {
	dir := fixture(t, map[string]string{
		"10_throws.pb.js": `onRecordCreate((e) => {
  e.next()
  $crm.createTask({ title: "written before the throw", contact: e.record.id })
  $crm.addToTimeline({ type: "note", subject: "also before the throw", contact: e.record.id })
  if (e.record.getString("name") === "Boom") {
    throw new Error("boom in a hook")
  }
}, "contacts")

routerAdd("POST", "/t/route", (e) => {
  $crm.transaction(() => {
    const c = $crm.createContact({ name: "Half Written" })
    $crm.createTask({ title: "half", contact: c.id })
    require(` + "`${__hooks}/lib.js`" + `).fail()
  })
  return e.json(200, {})
})
`,
		"lib.js": "module.exports = {\n  fail() {\n    throw new TypeError(\"boom in a module\")\n  },\n}\n",
	})
	w := newWorld(t, dir)
	keepLogs(w)

	// The hook works when it does not throw.
	res := w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{"name": "Calm"})
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.Tasks, "title = 'written before the throw' AND contact IN (SELECT id FROM contacts WHERE name = 'Calm')"); n != 1 {
		t.Fatalf("the hook wrote %d tasks, want 1", n)
	}

	before := counts(t, w)
	res = w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{"name": "Boom"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("create through a throwing hook: %d %s", res.Status, res.Body)
	}
	sameCounts(t, "a throwing record hook", before, counts(t, w))
	if n := w.Count(t, crm.Contacts, "name = 'Boom'"); n != 0 {
		t.Error("the contact was saved")
	}

	// Go code saving the same way fails the same way.
	c, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	r := core.NewRecord(c)
	r.Set("name", "Boom")
	if err := w.App.Save(r); err == nil || !strings.Contains(err.Error(), "boom in a hook") {
		t.Errorf("a Go save through the hook: %v", err)
	}
	sameCounts(t, "a throwing record hook under a Go save", before, counts(t, w))

	logged := logs(t, w, "boom in a hook")
	if len(logged) == 0 {
		t.Fatal("the failure is not in the logs")
	}
	for _, l := range logged {
		if l.Level != 8 || l.Data["file"] != "10_throws.pb.js" || fmt.Sprint(l.Data["line"]) != "6" || l.Data["hook"] != "onRecordCreate" {
			t.Errorf("log entry %q level %d data %v: want level 8 (error), file 10_throws.pb.js, line 6, hook onRecordCreate", l.Message, l.Level, l.Data)
		}
		if !strings.Contains(l.Message, "10_throws.pb.js:6:") {
			t.Errorf("the message does not say where: %q", l.Message)
		}
	}

	// A route: everything in its transaction is undone.
	before = counts(t, w)
	code, body := sendRaw(t, w, http.MethodPost, "/t/route", nil, nil)
	if code < 400 {
		t.Errorf("a throwing route answered %d %s", code, body)
	}
	sameCounts(t, "a throwing route", before, counts(t, w))
	logged = logs(t, w, "boom in a module")
	if len(logged) != 1 {
		t.Fatalf("%d log entries for the route's failure, want 1", len(logged))
	}
	if l := logged[0]; l.Data["file"] != "lib.js" || fmt.Sprint(l.Data["line"]) != "3" || l.Data["defined_at"] != "10_throws.pb.js:10" {
		t.Errorf("the module's failure is logged with %v, want lib.js line 3 in the handler of 10_throws.pb.js:10", l.Data)
	}
}

// A deliberate refusal (an ApiError under 500) answers with its status and
// is not logged as a failure; neither is an error that only passed through
// a hook's e.next() (the rest of the chain failed, not the hook). A Go call
// of the hook's own that fails ($app.save of a bad record) is.
func TestRefusalsAreNotFailuresAndThePool(t *testing.T) {
	dir := fixture(t, map[string]string{
		"10_refuse.pb.js": `onRecordCreateRequest((e) => {
  if (e.record.getString("name") === "Refused") {
    throw new BadRequestError("names like that are refused", { name: new ValidationError("refused", "Pick another.") })
  }
  e.next()
}, "contacts")

onRecordCreate((e) => {
  e.next()
}, "tasks")

onRecordCreate((e) => {
  e.next()
  if (e.record.getString("name") === "Outer") {
    $crm.createContact({ name: "Inner" })
  }
}, "contacts")

routerAdd("POST", "/t/save-bad", (e) => {
  const task = new Record($app.findCollectionByNameOrId("tasks"))
  task.set("status", "bogus")
  $app.save(task)
})
`,
	})
	w := newWorld(t, dir, func(c *crm.Config) { c.HooksPoolSize = 1 })
	keepLogs(w)
	res := w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{"name": "Refused"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "Pick another.") {
		t.Errorf("refusal: %d %s", res.Status, res.Body)
	}
	// The save's own validation error passes through the request hook's e.next().
	res = w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{"name": "Bad Zone", "timezone": "Mars/Olympus"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("invalid contact: %d %s", res.Status, res.Body)
	}
	// ... and through a model hook's e.next().
	c, _ := w.App.FindCollectionByNameOrId(crm.Tasks)
	task := core.NewRecord(c)
	task.Set("status", "bogus")
	if err := w.App.Save(task); err == nil {
		t.Fatal("an invalid task was saved")
	}
	if logged := logs(t, w, "JavaScript hook failed"); len(logged) != 0 {
		t.Errorf("logged as failures: %v", logged[0].Message)
	}

	if code, _ := sendRaw(t, w, http.MethodPost, "/t/save-bad", nil, nil); code != http.StatusBadRequest {
		t.Errorf("a route whose save fails: %d", code)
	}
	logged := logs(t, w, "JavaScript hook failed")
	if len(logged) != 1 || logged[0].Level != 8 || logged[0].Data["file"] != "10_refuse.pb.js" || fmt.Sprint(logged[0].Data["line"]) != "22" {
		for _, l := range logged {
			t.Logf("%d %s %v", l.Level, l.Message, l.Data)
		}
		t.Errorf("%d log entries for the failed save, want 1 at error level, 10_refuse.pb.js line 22", len(logged))
	}

	// The pool has hooks.pool_size runtimes; a call that finds them all busy
	// (a hook whose save runs another hook, with a pool of one) builds a
	// throw-away runtime and is counted.
	s := Stats(w.App)
	if s.Size != 1 || s.Idle != 1 {
		t.Fatalf("stats at rest: %+v", s)
	}
	w.Make(t, "", crm.Contacts, map[string]any{"name": "Outer"})
	if w.Count(t, crm.Contacts, "name = 'Inner'") != 1 {
		t.Fatal("the nested hook did not run")
	}
	if after := Stats(w.App); after.Overflow != s.Overflow+1 || after.Idle != 1 {
		t.Errorf("stats after a nested call: %+v, want one more overflow than %+v and the runtime back", after, s)
	}
}

// A pooled runtime keeps each handler's function between calls; every call
// still sees its own event, `$app` is the event's app meanwhile (the
// transaction's inside one) and the app itself again afterwards, and a
// handler may name the event `e` without declaring it, as under
// PocketBase's loader.
func TestHandlersKeptByARuntimeSeeTheirOwnCall(t *testing.T) {
	dir := fixture(t, map[string]string{
		"10_scope.pb.js": `onRecordCreate(() => {
  e.record.set("title", e.record.getString("title") + ($app.isTransactional() ? " [tx]" : " [app]"))
  e.next()
}, "tasks")
`,
	})
	w := newWorld(t, dir, func(c *crm.Config) { c.HooksPoolSize = 1 })
	tasks, err := w.App.FindCollectionByNameOrId(crm.Tasks)
	if err != nil {
		t.Fatal(err)
	}
	save := func(app core.App, title string) *core.Record {
		t.Helper()
		r := core.NewRecord(tasks)
		r.Set("title", title)
		r.Set("contact", w.ID("contact"))
		r.Set("status", crm.TaskOpen)
		if err := app.Save(r); err != nil {
			t.Fatalf("save %q: %v", title, err)
		}
		return r
	}
	var inTx *core.Record
	for i := range 3 { // the same runtime, three times, in and out of transactions
		if got := save(w.App, fmt.Sprintf("plain %d", i)).GetString("title"); got != fmt.Sprintf("plain %d [app]", i) {
			t.Errorf("a plain save's hook saw %q", got)
		}
		if err := w.App.RunInTransaction(func(tx core.App) error {
			inTx = save(tx, fmt.Sprintf("in a transaction %d", i))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := inTx.GetString("title"); got != fmt.Sprintf("in a transaction %d [tx]", i) {
			t.Errorf("a transaction's hook saw %q", got)
		}
		if tx := mustJS(t, w, `$app.isTransactional()`); tx != false {
			t.Errorf("after the hooks, the runtime's $app is transactional: %v", tx)
		}
	}
	if s := Stats(w.App); s.Overflow != 0 {
		t.Errorf("the calls did not all run on the pooled runtime: %+v", s)
	}
}

// A pool starts with one runtime and builds the others the first time calls
// overlap, keeping them: a nested hook call with a pool of three builds a
// second runtime (not a throw-away one), and the next nested call reuses
// both. Fill builds the rest.
func TestThePoolGrowsAsCallsOverlap(t *testing.T) {
	dir := fixture(t, map[string]string{
		"10_nest.pb.js": `onRecordCreate((e) => {
  e.next()
  if (e.record.getString("name").startsWith("Outer")) {
    $crm.createContact({ name: "Inner of " + e.record.getString("name") })
  }
}, "contacts")
`,
	})
	w := newWorld(t, dir, func(c *crm.Config) { c.HooksPoolSize = 3 })
	if s := Stats(w.App); s.Size != 3 || s.Built != 1 || s.Idle != 1 {
		t.Fatalf("stats at the start: %+v, want 1 of 3 built and idle", s)
	}
	for i, want := range []int{2, 2} {
		name := fmt.Sprintf("Outer %d", i)
		w.Make(t, "", crm.Contacts, map[string]any{"name": name})
		if w.Count(t, crm.Contacts, "name = 'Inner of "+name+"'") != 1 {
			t.Fatalf("the nested hook of %q did not run", name)
		}
		if s := Stats(w.App); s.Built != want || s.Idle != want || s.Overflow != 0 {
			t.Errorf("after nested call %d: %+v, want %d built, all idle, no throw-away runtime", i, s, want)
		}
	}
	Fill(w.App)
	if s := Stats(w.App); s.Built != 3 || s.Idle != 3 || s.Overflow != 0 {
		t.Errorf("after Fill: %+v, want 3 built and idle", s)
	}
}
