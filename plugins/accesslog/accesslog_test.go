package accesslog_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/accesslog"
	"vinculo/testkit"
)

// world is the app as it ships with the access log, served, with the demo
// cast and, for Ana (ctA), one record of each kind whose opening is a look.
func world(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All, accesslog.Register), testkit.Served())
	w.Business(t)
	w.Make(t, "csA", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "No signal"})
	w.Make(t, "cmA", crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "Since Monday.", "author_customer": w.ID("cuA")})
	w.Make(t, "orA", crm.Orders, map[string]any{"number": "O-1", "contact": w.ID("ctA"), "total": 100, "currency": "BRL", "status": "placed",
		"items": []map[string]any{{"name": "Router", "quantity": 1}}})
	w.Make(t, "suA", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"), "status": "active", "currency": "BRL", "price": 100,
		"started_at": "2026-01-01 00:00:00.000Z"})
	w.Make(t, "coA1", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": "marketing", "channel": "email", "state": "granted"})
	w.Make(t, "su", core.CollectionNameSuperusers, map[string]any{"email": "root@vinculo.test"})
	return w
}

// looks are the audit_log read rows about contact, as the log has them.
func looks(t *testing.T, w *testkit.World, contact string) []*core.Record {
	t.Helper()
	accesslog.Flush(w.App)
	list, err := w.App.FindRecordsByFilter(crm.AuditLog, "contact = {:c} && action = 'read'", "at", 0, 0, map[string]any{"c": contact})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// oneMore checks that do wrote exactly one look at Ana's data, with what
// and screen, and returns it.
func oneMore(t *testing.T, w *testkit.World, door string, do func() testkit.Response) *core.Record {
	t.Helper()
	before := len(looks(t, w, w.ID("ctA")))
	if res := do(); res.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", door, res.Status, res.Body)
	}
	after := looks(t, w, w.ID("ctA"))
	if len(after) != before+1 {
		t.Fatalf("%s wrote %d looks, want 1", door, len(after)-before)
	}
	return after[len(after)-1]
}

func TestEachDoorWritesOneLook(t *testing.T) {
	w := world(t)
	ana := w.ID("ctA")

	l := oneMore(t, w, "360", func() testkit.Response { return w.Do(t, "GET", "/api/crm/contacts/"+ana+"/360", "agent", nil) })
	for k, v := range map[string]string{crm.AuditActorKind: crm.AccessByStaff, crm.AuditActorName: "Rafael Lima", crm.AuditActorRole: crm.RoleAgent,
		crm.AuditScreen: crm.ScreenCustomer360, "collection": crm.Contacts, "staff": w.ID("agent")} {
		if l.GetString(k) != v {
			t.Errorf("360 look: %s = %q, want %q", k, l.GetString(k), v)
		}
	}
	if l.GetDateTime(crm.AuditAt).IsZero() {
		t.Error("the look has no time")
	}

	l = oneMore(t, w, "search result opened", func() testkit.Response {
		return w.Do(t, "GET", "/api/crm/contacts/"+ana+"/360?via=search", "manager", nil)
	})
	if l.GetString(crm.AuditScreen) != crm.ScreenSearch || l.GetString(crm.AuditActorName) != "Marina Duarte" {
		t.Errorf("search look: screen %q by %q", l.GetString(crm.AuditScreen), l.GetString(crm.AuditActorName))
	}

	for label, collection := range map[string]string{"ctA": crm.Contacts, "csA": crm.Cases, "cmA": crm.CaseMessages,
		"orA": crm.Orders, "suA": crm.Subscriptions, "coA1": crm.Consents} {
		l := oneMore(t, w, "view "+collection, func() testkit.Response {
			return w.Do(t, "GET", "/api/collections/"+collection+"/records/"+w.ID(label), "readonly", nil)
		})
		if l.GetString("collection") != collection || l.GetString("record") != w.ID(label) || l.GetString(crm.AuditScreen) != crm.ScreenRecord {
			t.Errorf("view %s: look at %s/%s through %s", collection, l.GetString("collection"), l.GetString("record"), l.GetString(crm.AuditScreen))
		}
	}

	// One request's messages, listed: a look at Ana's data.
	filter := url.QueryEscape("case = '" + w.ID("csA") + "'")
	l = oneMore(t, w, "list of a request's messages", func() testkit.Response {
		return w.Do(t, "GET", "/api/collections/case_messages/records?filter="+filter, "agent", nil)
	})
	if l.GetString(crm.AuditScreen) != crm.ScreenList || l.GetString("collection") != crm.CaseMessages {
		t.Errorf("list look: %s through %s", l.GetString("collection"), l.GetString(crm.AuditScreen))
	}

	// A superuser's token: an automation, "API".
	l = oneMore(t, w, "superuser view", func() testkit.Response {
		return w.Do(t, "GET", "/api/collections/contacts/records/"+ana, "su", nil)
	})
	if l.GetString(crm.AuditActorKind) != crm.AccessByAutomation || l.GetString(crm.AuditActorName) != accesslog.AutomationAPI {
		t.Errorf("superuser look: %s %q", l.GetString(crm.AuditActorKind), l.GetString(crm.AuditActorName))
	}

	// A list of many customers is nobody's look; the search results neither.
	before := w.Count(t, crm.AuditLog, "")
	for _, path := range []string{"/api/collections/contacts/records", "/api/crm/search?q=Souza", "/api/collections/orders/records?perPage=1&filter=" + url.QueryEscape("number = 'none'")} {
		if res := w.Do(t, "GET", path, "manager", nil); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.Status, res.Body)
		}
	}
	accesslog.Flush(w.App)
	if n := w.Count(t, crm.AuditLog, ""); n != before {
		t.Errorf("lists of many wrote %d looks", n-before)
	}
}

// A partner opening a request assigned to them is a partner's look.
func TestPartnerLook(t *testing.T) {
	w := world(t)
	w.Make(t, "partner", crm.Staff, map[string]any{"name": "Téo Campos", "email": "teo@partner.test", "role": crm.RolePartner})
	w.Update(t, w.R("csA"), map[string]any{"assignee": w.ID("partner")})
	l := oneMore(t, w, "partner view", func() testkit.Response {
		return w.Do(t, "GET", "/api/collections/cases/records/"+w.ID("csA"), "partner", nil)
	})
	if l.GetString(crm.AuditActorKind) != crm.AccessByPartner || l.GetString(crm.AuditActorName) != "Téo Campos" {
		t.Errorf("partner look: %s %q", l.GetString(crm.AuditActorKind), l.GetString(crm.AuditActorName))
	}
}

func TestCustomersOwnReadsAreNotLooks(t *testing.T) {
	w := world(t)
	before := w.Count(t, crm.AuditLog, "")
	for _, path := range []string{
		"/api/collections/contacts/records/" + w.ID("ctA"),
		"/api/collections/cases/records/" + w.ID("csA"),
		"/api/collections/case_messages/records?filter=" + url.QueryEscape("case = '"+w.ID("csA")+"'"),
		"/api/collections/consents/records",
		"/api/collections/orders/records/" + w.ID("orA"),
		"/api/crm/portal/access",
	} {
		if res := w.Do(t, "GET", path, "cuA", nil); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.Status, res.Body)
		}
	}
	accesslog.Flush(w.App)
	if n := w.Count(t, crm.AuditLog, ""); n != before {
		t.Errorf("the customer's own reads wrote %d looks", n-before)
	}
}

func TestExportIsOneRowAndItsMembers(t *testing.T) {
	w := world(t)
	if res := w.Do(t, "GET", "/api/crm/export/contacts?format=csv&filter="+url.QueryEscape("email ~ 'a.test'"), "manager", nil); res.Status != http.StatusOK {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	accesslog.Flush(w.App)
	exports, err := w.App.FindRecordsByFilter(crm.AuditLog, "action = 'export'", "", 0, 0)
	if err != nil || len(exports) != 1 {
		t.Fatalf("%d export rows (%v), want 1", len(exports), err)
	}
	ex := exports[0]
	if ex.GetInt(crm.AuditCount) != 2 || ex.GetString(crm.AuditScreen) != crm.ScreenExport || ex.GetString("reason") == "" {
		t.Errorf("export row: count %d, screen %q, filter %q", ex.GetInt(crm.AuditCount), ex.GetString(crm.AuditScreen), ex.GetString("reason"))
	}
	if n := w.Count(t, crm.ExportMembers, "export = {:e}", map[string]any{"e": ex.Id}); n != 2 {
		t.Errorf("%d members, want Ana and Bruno", n)
	}
	// Ana's log lists it, without the filter; Carla's does not.
	var page accesslog.Page
	w.Do(t, "GET", "/api/crm/portal/access", "cuA", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Screen != crm.ScreenExport || page.Items[0].Count != 2 || page.Items[0].Filter != "" ||
		page.Items[0].Name != "Marina Duarte" {
		t.Errorf("Ana's log: %+v", page.Items)
	}
	w.Do(t, "GET", "/api/crm/portal/access", "cuC", nil).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("Carla's log holds another's export: %+v", page.Items)
	}
	// Managers see the filter on the record.
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/access", "manager", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Filter == "" {
		t.Errorf("the manager's view of Ana's log: %+v", page.Items)
	}
}

func TestTheCustomerSeesOnlyTheirLogNewestFirstPaged(t *testing.T) {
	w := world(t)
	for i := 0; i < 3; i++ {
		w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", "agent", nil)
	}
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctC")+"/360", "agent", nil)
	w.Do(t, "GET", "/api/collections/orders/records/"+w.ID("orA"), "manager", nil)
	accesslog.Flush(w.App)

	var page accesslog.Page
	w.Do(t, "GET", "/api/crm/portal/access?perPage=2", "cuA", nil).JSON(t, &page)
	if len(page.Items) != 2 || !page.HasMore || page.Items[0].Collection != crm.Orders || page.Items[0].At < page.Items[1].At {
		t.Fatalf("first page: %+v (more: %v)", page.Items, page.HasMore)
	}
	w.Do(t, "GET", "/api/crm/portal/access?perPage=2&page=2", "cuA", nil).JSON(t, &page)
	if len(page.Items) != 2 || page.HasMore {
		t.Errorf("second page: %+v (more: %v)", page.Items, page.HasMore)
	}
	w.Do(t, "GET", "/api/crm/portal/access", "cuC", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "Rafael Lima" || page.Items[0].Role != crm.RoleAgent {
		t.Errorf("Carla's log: %+v", page.Items)
	}
	// Bad paging is a 400 naming the field.
	res := w.Do(t, "GET", "/api/crm/portal/access?perPage=1000", "cuA", nil)
	var bad struct{ Data map[string]any }
	res.JSON(t, &bad)
	if res.Status != http.StatusBadRequest || bad.Data["perPage"] == nil {
		t.Errorf("perPage=1000: %d %s", res.Status, res.Body)
	}
	// Agents do not read a customer's log; managers do.
	if res := w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/access", "agent", nil); res.Status != http.StatusForbidden {
		t.Errorf("an agent read the log: %d", res.Status)
	}
}

// A reader of the log sees every look made before their request, their own
// included, whether or not the queue has written it yet.
func TestTheLogHoldsEveryLookBeforeItsRead(t *testing.T) {
	before := accesslog.FlushEvery
	accesslog.FlushEvery = time.Hour // the queue's own turns never come in this test
	defer func() { accesslog.FlushEvery = before }()
	w := world(t)
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", "manager", nil)
	var page accesslog.Page
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/access", "manager", nil).JSON(t, &page)
	if len(page.Items) == 0 || page.Items[0].Name != "Marina Duarte" {
		t.Errorf("the manager's own look, just made: %+v", page.Items)
	}
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", "agent", nil)
	w.Do(t, "GET", "/api/crm/portal/access", "cuA", nil).JSON(t, &page)
	if len(page.Items) == 0 || page.Items[0].Name != "Rafael Lima" {
		t.Errorf("the customer's log right after the agent's look: %+v", page.Items)
	}
}

// Looks queued when the app ends are written on the way out; looks left
// by a process killed before writing them are written at the next start.
func TestRestartLosesNoLook(t *testing.T) {
	accesslog.FlushEvery = 1 << 40 // only the termination and the next start write
	defer func() { accesslog.FlushEvery = accesslog.DefaultFlush }()
	w := world(t)
	w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", "agent", nil)
	if n := w.Count(t, crm.AuditLog, ""); n != 0 {
		t.Fatalf("%d looks written before the end; the test needs them waiting", n)
	}
	dir := w.Stop(t)
	app := w.Reopen(t, dir, plugins.All, accesslog.Register)
	if n := w.Count(t, crm.AuditLog, ""); n != 1 {
		t.Errorf("after a restart: %d looks, want 1", n)
	}

	// kill -9: the queue is gone, the spool file is not.
	srv := testkit.Serve(t, app)
	res := srv.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", testkit.Token(t, w.Find(t, crm.Staff, w.ID("agent"))), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("360 after the restart: %d %s", res.Status, res.Body)
	}
	accesslog.Crash(app)
	if n := w.Count(t, crm.AuditLog, ""); n != 1 {
		t.Fatalf("%d looks before the next start, want the first only", n)
	}
	w.Reopen(t, dir, plugins.All, accesslog.Register)
	if n := w.Count(t, crm.AuditLog, ""); n != 2 {
		t.Errorf("after a kill and a start: %d looks, want 2", n)
	}
}
