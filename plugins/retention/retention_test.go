package retention_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"vinculo/crm"
	"vinculo/plugins/retention"
	"vinculo/testkit"
)

// fixture holds the records of every kind, due or not, that the tests check.
type fixture struct {
	sentOld, refusedOld, failedOld, waitingOld, queuedOld, sentNew *core.Record
	readOld, exportOld, updateOld, readNew                         *core.Record
	noteOld, noteNew                                               *core.Record
	file                                                           string // the stored name of the old sent message's attachment
}

func message(t *testing.T, w *testkit.World, state, subject string, at time.Time) *core.Record {
	t.Helper()
	r := w.Make(t, "", crm.Outbox, map[string]any{crm.FieldContact: w.ID("ctA"), "purpose": crm.PurposeService, "channel": "email",
		"state": state, "subject": subject, "body": "Dear Ana, your secret " + subject, crm.OutboxCc: "boss@a.test",
		crm.OutboxData: map[string]any{"name": "Ana"}, "not_before": at.UTC()})
	backdate(t, w, r, at)
	return w.Reload(t, r)
}

func audit(t *testing.T, w *testkit.World, action string, at time.Time) *core.Record {
	t.Helper()
	r := w.Make(t, "", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.ID("agent"), "action": action,
		"collection": crm.Contacts, "record": w.ID("ctA"), crm.FieldContact: w.ID("ctA"), crm.AuditActorName: "Rafael Lima",
		crm.AuditActorKind: crm.AccessByStaff, crm.AuditScreen: crm.ScreenCustomer360})
	backdate(t, w, r, at, crm.AuditAt)
	return r
}

func note(t *testing.T, w *testkit.World, at time.Time) *core.Record {
	t.Helper()
	r := w.Make(t, "", crm.Notifications, map[string]any{crm.NotifTo: w.ID("agent"), crm.NotifEvent: crm.NotifyAssigned,
		crm.NotifCollection: crm.Contacts, crm.NotifRecord: w.ID("ctA"), crm.NotifData: map[string]any{"name": "Ana Souza"}})
	backdate(t, w, r, at)
	return r
}

// records makes, for the outbox (12 months), the access log (60) and the
// notifications (12), rows past their rule's months and rows within them.
func records(t *testing.T, w *testkit.World) fixture {
	t.Helper()
	old12, old60, recent := monthsAgo(w, 12), monthsAgo(w, 60), w.Clock.Now().AddDate(0, -11, 0)
	var f fixture
	f.sentOld = message(t, w, crm.OutboxSent, "Invoice 1", old12)
	f.refusedOld = message(t, w, crm.OutboxRefused, "Offer 2", old12)
	f.failedOld = message(t, w, crm.OutboxFailed, "Reminder 3", old12)
	f.waitingOld = message(t, w, crm.OutboxWaiting, "Waiting 4", old12)
	f.queuedOld = message(t, w, crm.OutboxQueued, "Queued 5", old12)
	f.sentNew = message(t, w, crm.OutboxSent, "Invoice 6", recent)
	file, err := filesystem.NewFileFromBytes([]byte("Ana's invoice"), "invoice.txt")
	if err != nil {
		t.Fatal(err)
	}
	f.sentOld.Set(crm.OutboxFiles, []any{file})
	if err := w.App.SaveNoValidate(f.sentOld); err != nil {
		t.Fatal(err)
	}
	backdate(t, w, f.sentOld, old12)
	f.sentOld = w.Reload(t, f.sentOld)
	f.file = f.sentOld.GetStringSlice(crm.OutboxFiles)[0]

	f.readOld = audit(t, w, "read", old60)
	f.exportOld = audit(t, w, "export", old60)
	w.Make(t, "", crm.ExportMembers, map[string]any{crm.AuditExport: f.exportOld.Id, crm.FieldContact: w.ID("ctA")})
	w.Make(t, "", crm.ExportMembers, map[string]any{crm.AuditExport: f.exportOld.Id, crm.FieldContact: w.ID("ctB")})
	f.updateOld = audit(t, w, "update", old60)
	f.readNew = audit(t, w, "read", w.Clock.Now().AddDate(0, -59, 0))

	f.noteOld = note(t, w, old12)
	f.noteNew = note(t, w, recent)
	return f
}

func fileExists(t *testing.T, w *testkit.World, r *core.Record, name string) bool {
	t.Helper()
	fs, err := w.App.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	ok, err := fs.Exists(r.BaseFilesPath() + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// Each kind's preview counts exactly what the run then changes, and names
// the oldest; the run is recorded with its figures per rule; messages
// waiting or queued keep their content; the audit of changes stays; a
// second run changes nothing.
func TestPreviewIsWhatTheRunChanges(t *testing.T) {
	w := newWorld(t)
	f := records(t, w)
	setRule(t, w, crm.RetentionOutbox, true, 12)
	setRule(t, w, crm.RetentionAccessLog, true, 60)
	setRule(t, w, crm.RetentionNotifications, true, 12)

	named := func() int {
		return w.Count(t, crm.Activities, "ref_id = {:id} AND (subject LIKE '%Invoice 1%' OR data LIKE '%Invoice 1%')", dbx.Params{"id": f.sentOld.Id})
	}
	if named() == 0 {
		t.Fatal("the timeline has no entry naming the old message's subject: nothing to check")
	}

	p := preview(t, w)
	want := map[string]int{crm.RetentionOutbox: 3, crm.RetentionAccessLog: 2, crm.RetentionNotifications: 1}
	for kind, n := range want {
		if p[kind].Count != n || !p[kind].Enabled {
			t.Errorf("preview of %s: %+v, want %d due", kind, p[kind], n)
		}
	}
	if ex := p[crm.RetentionOutbox].Examples; len(ex) != 3 || !strings.Contains(ex[0].Label+ex[1].Label+ex[2].Label, "Offer 2") {
		t.Errorf("the outbox's examples: %+v", ex)
	}
	if ex := p[crm.RetentionAccessLog].Examples; len(ex) != 2 || !strings.Contains(ex[0].Label, "Rafael Lima") {
		t.Errorf("the access log's examples: %+v", ex)
	}
	if got := p[crm.RetentionOutbox].Action; got != crm.RetentionClear {
		t.Errorf("the outbox rule's action: %q", got)
	}

	run, results := runNow(t, w)
	if run.Trigger != crm.RetentionManual || run.By != w.ID("manager") || run.Finished == "" || run.Changed != 6 || run.Errors != 0 {
		t.Errorf("the run's record: %+v", run)
	}
	for kind, n := range want {
		if results[kind].Changed != p[kind].Count || results[kind].Changed != n {
			t.Errorf("%s: the run changed %d, the preview said %d", kind, results[kind].Changed, p[kind].Count)
		}
	}
	if _, ran := results[crm.RetentionLeads]; ran {
		t.Errorf("the leads' rule is off, yet it ran: %+v", run.Results)
	}

	for _, r := range []*core.Record{f.sentOld, f.refusedOld, f.failedOld} {
		r = w.Reload(t, r)
		for _, field := range []string{"subject", "body", crm.OutboxCc} {
			if r.GetString(field) != "" {
				t.Errorf("%s kept its %s: %q", r.GetString("state"), field, r.GetString(field))
			}
		}
		if raw := r.GetString(crm.OutboxData); raw != "" && raw != "null" {
			t.Errorf("%s kept its data: %s", r.GetString("state"), raw)
		}
		if r.GetDateTime(crm.OutboxClearedAt).IsZero() || r.GetString("state") == "" {
			t.Errorf("a cleared message keeps its state and says when it was cleared: %v", r)
		}
	}
	if n := named(); n != 0 {
		t.Errorf("%d timeline entries still name the cleared message's subject", n)
	}
	if n := w.Count(t, crm.Activities, "ref_id = {:id} AND subject LIKE '%Invoice 6%'", dbx.Params{"id": f.sentNew.Id}); n == 0 {
		t.Error("the recent message's timeline entry lost its subject")
	}
	if files := w.Reload(t, f.sentOld).GetStringSlice(crm.OutboxFiles); len(files) != 0 || fileExists(t, w, f.sentOld, f.file) {
		t.Errorf("the message's attachment is still there: %v", files)
	}
	for _, r := range []*core.Record{f.waitingOld, f.queuedOld, f.sentNew} {
		if got := w.Reload(t, r); got.GetString("body") == "" || got.GetString("subject") == "" || !got.GetDateTime(crm.OutboxClearedAt).IsZero() {
			t.Errorf("the %s message %q lost its content", got.GetString("state"), r.GetString("subject"))
		}
	}
	gone := func(r *core.Record) bool {
		_, err := w.App.FindRecordById(r.Collection().Name, r.Id)
		return err != nil
	}
	for name, r := range map[string]*core.Record{"old read": f.readOld, "old export": f.exportOld, "old note": f.noteOld} {
		if !gone(r) {
			t.Errorf("the %s is still there", name)
		}
	}
	for name, r := range map[string]*core.Record{"old update (audit of changes)": f.updateOld, "recent read": f.readNew, "recent note": f.noteNew} {
		if gone(r) {
			t.Errorf("the %s was deleted", name)
		}
	}
	if n := w.Count(t, crm.ExportMembers, "export = {:e}", dbx.Params{"e": f.exportOld.Id}); n != 0 {
		t.Errorf("the deleted export still lists %d customers", n)
	}

	after := preview(t, w)
	for kind := range want {
		if after[kind].Count != 0 {
			t.Errorf("after the run, %s still has %d due", kind, after[kind].Count)
		}
	}
	again, _ := runNow(t, w)
	if again.Changed != 0 || again.ID == run.ID {
		t.Errorf("a second run changed %d records (it is its own run: %v)", again.Changed, again.ID != run.ID)
	}
	if n := w.Count(t, crm.RetentionRuns, ""); n != 2 {
		t.Errorf("%d runs recorded, want 2", n)
	}
}

// Rules that are off change nothing, though their preview says what they
// would; the run is recorded with no rule in it.
func TestRulesOffChangeNothing(t *testing.T) {
	w := newWorld(t)
	f := records(t, w)
	setRule(t, w, crm.RetentionOutbox, false, 1)
	p := preview(t, w)
	if p[crm.RetentionOutbox].Count != 4 || p[crm.RetentionOutbox].Enabled {
		t.Errorf("the outbox rule, off, at one month: %+v", p[crm.RetentionOutbox])
	}
	run, _ := runNow(t, w)
	if run.Changed != 0 || len(run.Results) != 0 {
		t.Errorf("a run with every rule off: %+v", run)
	}
	if r := w.Reload(t, f.sentOld); r.GetString("body") == "" {
		t.Error("a rule that is off cleared a message")
	}
	for _, r := range []*core.Record{f.readOld, f.noteOld} {
		if _, err := w.App.FindRecordById(r.Collection().Name, r.Id); err != nil {
			t.Errorf("a rule that is off deleted %s", testkit.Label(r))
		}
	}
}

// The rules every business starts with: one per kind, off, with the
// suggested months and the action of their kind.
func TestSeededRules(t *testing.T) {
	w := newWorld(t)
	p := preview(t, w)
	for _, kind := range crm.RetentionKinds {
		r := p[kind]
		if r.Enabled || r.Months != crm.RetentionDefaultMonths[kind] || r.Action != crm.RetentionActionOf[kind] {
			t.Errorf("the seeded %s rule: %+v", kind, r)
		}
	}
	if p[crm.RetentionLeads].Months != 24 || p[crm.RetentionOutbox].Months != 12 || p[crm.RetentionAccessLog].Months != 60 {
		t.Errorf("the suggested months: %+v", p)
	}
}

// Bad input: a 400 naming the field, nothing changed. Agents and readonly
// staff can neither change rules, preview nor run them.
func TestRuleInput(t *testing.T) {
	w := newWorld(t)
	rule, err := w.App.FindFirstRecordByData(crm.RetentionRules, crm.RetentionKind, crm.RetentionOutbox)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/collections/" + crm.RetentionRules + "/records/" + rule.Id
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{crm.RetentionMonths: 0}, crm.RetentionMonths},
		{map[string]any{crm.RetentionMonths: -3, crm.RetentionEnabled: true}, crm.RetentionMonths},
		{map[string]any{crm.RetentionMonths: 601}, crm.RetentionMonths},
		{map[string]any{crm.RetentionMonths: 2.5}, crm.RetentionMonths},
		{map[string]any{crm.RetentionKind: "invoices"}, crm.RetentionKind},
		{map[string]any{crm.RetentionKind: crm.RetentionLeads}, crm.RetentionKind},
		{map[string]any{crm.RetentionAction: crm.RetentionDelete}, crm.RetentionAction},
	} {
		res := w.Do(t, http.MethodPatch, path, "manager", c.body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%v: %d %s, want a 400 naming %s", c.body, res.Status, res.Body, c.field)
		}
	}
	if got := w.Reload(t, rule); got.GetInt(crm.RetentionMonths) != 12 || got.GetBool(crm.RetentionEnabled) || got.GetString(crm.RetentionKind) != crm.RetentionOutbox {
		t.Errorf("bad input changed the rule: %v", got)
	}
	res := w.Do(t, http.MethodPatch, path, "manager", map[string]any{crm.RetentionMonths: 18})
	if res.Status != http.StatusOK || w.Reload(t, rule).GetInt(crm.RetentionMonths) != 18 {
		t.Errorf("a manager sets 18 months: %d %s", res.Status, res.Body)
	}

	for _, who := range []string{"agent", "readonly"} {
		if res := w.Do(t, http.MethodPatch, path, who, map[string]any{crm.RetentionEnabled: true}); res.Status < 400 {
			t.Errorf("%s changes a rule: %d", who, res.Status)
		}
		if res := w.Do(t, http.MethodPost, "/api/crm/retention/run", who, nil); res.Status != http.StatusForbidden {
			t.Errorf("%s runs the rules: %d", who, res.Status)
		}
		if res := w.Do(t, http.MethodGet, "/api/crm/retention/preview", who, nil); res.Status != http.StatusForbidden {
			t.Errorf("%s previews the rules: %d", who, res.Status)
		}
	}
	if w.Reload(t, rule).GetBool(crm.RetentionEnabled) || w.Count(t, crm.RetentionRuns, "") != 0 {
		t.Error("a refused request changed a rule or ran them")
	}
}

// A message whose content was cleared cannot be sent again: it would go
// out empty.
func TestClearedMessageIsNotSentAgain(t *testing.T) {
	w := newWorld(t)
	f := records(t, w)
	setRule(t, w, crm.RetentionOutbox, true, 12)
	runNow(t, w)
	res := w.Do(t, http.MethodPatch, "/api/collections/"+crm.Outbox+"/records/"+f.refusedOld.Id, "manager", map[string]any{"state": crm.OutboxQueued})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"state"`) {
		t.Errorf("re-queueing a cleared message: %d %s", res.Status, res.Body)
	}
	if w.Reload(t, f.refusedOld).GetString("state") != crm.OutboxRefused {
		t.Error("the cleared message was queued again")
	}
	res = w.Do(t, http.MethodPatch, "/api/collections/"+crm.Outbox+"/records/"+f.sentNew.Id, "manager", map[string]any{crm.OutboxClearedAt: "2020-01-01 00:00:00.000Z"})
	if res.Status < 400 || !w.Reload(t, f.sentNew).GetDateTime(crm.OutboxClearedAt).IsZero() {
		t.Errorf("a manager marks a message cleared through the API: %d", res.Status)
	}
}

// The nightly run starts in the business's nightly hour (02:00 in São
// Paulo, 05:00 UTC), once per business day, and only when a rule is on.
func TestNightly(t *testing.T) {
	w := newWorld(t)
	records(t, w)
	day := w.Clock.Now().In(testkit.SaoPaulo())
	at := func(days, hour, minute int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+days, hour, minute, 0, 0, testkit.SaoPaulo())
	}
	if ran, err := retention.RunNightly(w.App, w.Cfg, at(1, 2, 41)); ran || err != nil {
		t.Errorf("every rule off, the night ran: %v %v", ran, err)
	}
	setRule(t, w, crm.RetentionNotifications, true, 12)
	for _, c := range []struct {
		when time.Time
		runs bool
	}{
		{at(1, 1, 41), false}, // before the hour
		{at(1, 2, 41), true},
		{at(1, 2, 59), false}, // ran already this night
		{at(1, 3, 41), false},
		{at(2, 2, 41), true}, // the next night
	} {
		ran, err := retention.RunNightly(w.App, w.Cfg, c.when)
		if err != nil || ran != c.runs {
			t.Errorf("at %s: ran %v (%v), want %v", c.when, ran, err, c.runs)
		}
	}
	rows, err := w.App.FindRecordsByFilter(crm.RetentionRuns, "", "started", 0, 0)
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d nightly runs recorded (%v), want 2", len(rows), err)
	}
	if rows[0].GetString(crm.RetentionRunTrigger) != crm.RetentionNightly || rows[0].GetInt(crm.RetentionRunChanged) != 1 || rows[1].GetInt(crm.RetentionRunChanged) != 0 {
		t.Errorf("the nightly runs: %v / %v", rows[0], rows[1])
	}
}

// The cut-off is the start of the business's day, months back; a day the
// month lacks is its last.
func TestCutoff(t *testing.T) {
	sp := testkit.SaoPaulo()
	for _, c := range []struct {
		now    time.Time
		months int
		want   string
	}{
		{time.Date(2026, 11, 24, 10, 0, 0, 0, sp), 12, "2025-11-24 00:00"},
		{time.Date(2026, 3, 31, 23, 0, 0, 0, sp), 1, "2026-02-28 00:00"},
		{time.Date(2026, 1, 15, 8, 0, 0, 0, sp), 24, "2024-01-15 00:00"},
		// 23:30 in São Paulo is already tomorrow in UTC: the business's day counts.
		{time.Date(2026, 12, 8, 2, 30, 0, 0, time.UTC), 60, "2021-12-07 00:00"},
	} {
		if got := retention.Cutoff(c.now, sp, c.months).In(sp).Format("2006-01-02 15:04"); got != c.want {
			t.Errorf("cut-off %d months before %s: %s, want %s", c.months, c.now, got, c.want)
		}
	}
}

// A rule's rows go in batches, each its own transaction: more rows than a
// batch holds are all changed, and the preview counted them all.
func TestManyRowsGoInBatches(t *testing.T) {
	w := newWorld(t)
	old := monthsAgo(w, 12).UTC().Format("2006-01-02 15:04:05.000Z")
	const rows = 1234 // two full batches of 500 and a part
	for i := 0; i < rows; i++ {
		if _, err := w.App.DB().Insert(crm.Notifications, dbx.Params{"id": fmt.Sprintf("rtn%012d", i), crm.NotifTo: w.ID("agent"),
			crm.NotifEvent: crm.NotifyAssigned, "created": old, "updated": old}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	note(t, w, w.Clock.Now()) // a new one stays
	setRule(t, w, crm.RetentionNotifications, true, 12)
	if p := preview(t, w)[crm.RetentionNotifications]; p.Count != rows || len(p.Examples) != 5 {
		t.Fatalf("the preview of %d old notifications: %d due, %d examples", rows, p.Count, len(p.Examples))
	}
	_, results := runNow(t, w)
	if got := results[crm.RetentionNotifications]; got.Changed != rows || got.Errors != 0 {
		t.Errorf("the run: %+v, want %d deleted", got, rows)
	}
	if n := w.Count(t, crm.Notifications, ""); n != 1 {
		t.Errorf("%d notifications left, want the new one", n)
	}
}
