package requests_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	ob "vinculo/plugins/outbox"
	"vinculo/testkit"
)

// A customer phoned: an agent opens the request for them with a file. The
// server does for it what it does for any request (status, label, reference,
// SLA, company, the "we received your request" message, decided by the
// outbox against the customer's consent and channel), records how the
// customer asked and who opened it, and the customer sees it, file
// included, in the portal.
func TestStaffOpensRequestForCustomerWhoPhoned(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(),
		testkit.Then(func(w *testkit.World) error { return ob.Configure(w.App, ob.Options{Manual: true}) }))
	w.Business(t)
	w.Update(t, w.R("tpSup"), map[string]any{"sla_first_response_hours": 4, "sla_resolution_hours": 16, "public": false})

	body, ctype := testkit.Form(map[string]string{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Oven cold since Monday",
		"description": "Phoned at 10:05", "channel": "phone", "priority": "high",
		"assignee": w.ID("agent2"), "opened_by": w.ID("manager"), // opened_by is the server's to write
	}, "attachments", "notes.txt", []byte("serial number 123"))
	res, raw := w.Request(t, http.MethodPost, "/api/collections/cases/records", "agent", body, map[string]string{"Content-Type": ctype})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("agent opens a request: %d %s", res.StatusCode, raw)
	}
	var created struct{ ID string }
	testkit.Response{Status: res.StatusCode, Body: raw}.JSON(t, &created)
	c := w.Find(t, crm.Cases, created.ID)

	want := map[string]string{
		"status": "new", "reference": "SUP-0001", "channel": "phone", "priority": "high",
		"assignee": w.ID("agent2"), "company": w.ID("coA"), "opened_by": w.ID("agent"),
	}
	for k, v := range want {
		if got := c.GetString(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if c.GetString("status_label") == "" || c.GetDateTime("first_response_due").IsZero() || c.GetDateTime("resolution_due").IsZero() {
		t.Errorf("status label or SLA missing: %q %v %v", c.GetString("status_label"), c.GetDateTime("first_response_due"), c.GetDateTime("resolution_due"))
	}
	if files := c.GetStringSlice("attachments"); len(files) != 1 {
		t.Fatalf("attachments: %v", files)
	}

	// Told as for any request: one "opened" message, decided by the outbox.
	msgs := w.Count(t, crm.Outbox, "[[case]] = {:c} AND template = {:tpl}", dbx.Params{"c": c.Id, "tpl": crm.TemplateCaseOpened})
	if msgs != 1 {
		t.Fatalf("opened messages: %d, want 1", msgs)
	}
	undecided := w.Count(t, crm.Outbox, "[[case]] = {:c} AND state = ''", dbx.Params{"c": c.Id})
	if undecided != 0 {
		t.Errorf("%d messages left undecided by the outbox", undecided)
	}

	// The timeline's "opened" entry names the agent; the request says by phone.
	entries := w.Count(t, crm.Activities, "[[case]] = {:c} AND event = 'case.opened' AND actor_type = 'staff' AND staff = {:s}", dbx.Params{"c": c.Id, "s": w.ID("agent")})
	if entries != 1 {
		t.Errorf("opened entries by the agent: %d, want 1", entries)
	}

	// The customer sees it, and downloads the file with a file token.
	view := w.Do(t, http.MethodGet, "/api/collections/cases/records/"+c.Id, "cuA", nil)
	if view.Status != http.StatusOK || !strings.Contains(string(view.Body), "Oven cold") {
		t.Fatalf("customer view: %d %s", view.Status, view.Body)
	}
	var ft struct{ Token string }
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/files/token", "cuA", nil), http.StatusOK, "file token").JSON(t, &ft)
	file := w.Do(t, http.MethodGet, "/api/files/cases/"+c.Id+"/"+c.GetStringSlice("attachments")[0]+"?token="+ft.Token, "", nil)
	if file.Status != http.StatusOK || !strings.Contains(string(file.Body), "serial number") {
		t.Errorf("customer download: %d", file.Status)
	}
	// Another company's customer sees neither.
	if res := w.Do(t, http.MethodGet, "/api/collections/cases/records/"+c.Id, "cuC", nil); res.Status == http.StatusOK {
		t.Error("another company's customer reads the request")
	}
}

// Who opened a request is the server's to write and stays as written.
func TestOpenedByIsTheServers(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "agent2", crm.Staff, map[string]any{"name": "Bia", "email": "bia@vinculo.example", "role": crm.RoleAgent})

	// A customer may not name one.
	before := w.Count(t, crm.Cases, "1=1")
	res, _ := create(t, w, w.Token(t, "customer"), map[string]any{
		"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Mine", "opened_by": w.ID("agent"),
	})
	if res.Status != http.StatusBadRequest || w.Count(t, crm.Cases, "1=1") != before {
		t.Fatalf("customer naming who opened it: %d %s", res.Status, res.Body)
	}
	// A customer's own request names nobody.
	res, own := create(t, w, w.Token(t, "customer"), map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Mine"})
	if res.Status != http.StatusOK || own["opened_by"] != "" {
		t.Fatalf("customer's request: %d opened_by %v", res.Status, own["opened_by"])
	}
	// Staff cannot rewrite it later.
	res, staffCase := create(t, w, w.Token(t, "agent"), map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Phoned", "channel": "phone"})
	if res.Status != http.StatusOK || staffCase["opened_by"] != w.ID("agent") {
		t.Fatalf("agent's request: %d opened_by %v", res.Status, staffCase["opened_by"])
	}
	id := staffCase["id"].(string)
	if res := patch(t, w, w.Token(t, "agent2"), id, map[string]any{"opened_by": w.ID("agent2"), "priority": "low"}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, id); got.GetString("opened_by") != w.ID("agent") || got.GetString("priority") != "low" {
		t.Errorf("after a colleague's edit: opened_by %q priority %q", got.GetString("opened_by"), got.GetString("priority"))
	}
}
