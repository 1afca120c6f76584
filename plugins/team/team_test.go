package team_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/testkit"
)

const password = "a-long-test-password"

func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	return testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()).Business(t)
}

// signIn signs in with a password; the status of the answer.
func signIn(t *testing.T, w *testkit.World, email, pw string) int {
	t.Helper()
	return w.Do(t, http.MethodPost, "/api/collections/staff/auth-with-password", "", map[string]any{"identity": email, "password": pw}).Status
}

// fieldsOf are the field names of a 400 answer's data.
func fieldsOf(t *testing.T, res testkit.Response) []string {
	t.Helper()
	var body struct {
		Data map[string]any `json:"data"`
	}
	res.JSON(t, &body)
	var out []string
	for k := range body.Data {
		out = append(out, k)
	}
	return out
}

func mustRefuse(t *testing.T, res testkit.Response, field, what string) {
	t.Helper()
	testkit.Must(t, res, http.StatusBadRequest, what)
	if got := fieldsOf(t, res); !slices.Contains(got, field) {
		t.Errorf("%s: the answer names %v, want %q: %s", what, got, field, res.Body)
	}
}

var linkToken = regexp.MustCompile(`/set-password#token=([A-Za-z0-9._-]+)`)

// A manager invites a colleague: the staff record is there, a mail in the
// colleague's language carries a link whose token sets their password
// through PocketBase's own confirm-password-reset, and they sign in.
func TestInviteSetPasswordSignIn(t *testing.T) {
	w := newWorld(t)
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/invite", "manager",
		map[string]any{"name": "Luísa Prado", "email": " Luisa@Staff.test ", "role": crm.RoleAgent, "language": "pt-BR"}), http.StatusCreated, "invite")
	var out map[string]any
	res.JSON(t, &out)
	if out["email"] != "luisa@staff.test" || out["mailed"] != true || out["role"] != crm.RoleAgent || out["verified"] != false {
		t.Fatalf("invite answered %v", out)
	}
	mails := w.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the invitation", len(mails))
	}
	mail := mails[0]
	for _, want := range []string{"luisa@staff.test", "Escolha sua senha", "Marina Duarte", "agente", "7 dias"} {
		if !strings.Contains(mail, want) {
			t.Errorf("the invitation does not say %q:\n%s", want, mail)
		}
	}
	m := linkToken.FindStringSubmatch(mail)
	if m == nil {
		t.Fatalf("no link in the invitation:\n%s", mail)
	}
	if got := signIn(t, w, "luisa@staff.test", "her-own-password-1"); got != http.StatusBadRequest {
		t.Fatalf("sign-in before setting a password: %d", got)
	}
	// A short password is refused beside its field, and the link still works after.
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/collections/staff/confirm-password-reset", "",
		map[string]any{"token": m[1], "password": "short", "passwordConfirm": "short"}), "password", "short password")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/staff/confirm-password-reset", "",
		map[string]any{"token": m[1], "password": "her-own-password-1", "passwordConfirm": "her-own-password-1"}), http.StatusNoContent, "set password")
	if got := signIn(t, w, "luisa@staff.test", "her-own-password-1"); got != http.StatusOK {
		t.Fatalf("sign-in with the password set: %d", got)
	}
	// The link sets a password once.
	if got := w.Do(t, http.MethodPost, "/api/collections/staff/confirm-password-reset", "",
		map[string]any{"token": m[1], "password": "another-password-2", "passwordConfirm": "another-password-2"}).Status; got != http.StatusBadRequest {
		t.Errorf("the link used twice: %d", got)
	}
	r, err := w.App.FindFirstRecordByData(crm.Staff, "email", "luisa@staff.test")
	if err != nil || !r.Verified() || r.GetString("language") != "pt-BR" || r.GetString(crm.FieldInvitedAt) == "" {
		t.Fatalf("the invited member: %v %v", r, err)
	}
}

// An English invitation is in English; bad input names its field and
// creates nobody.
func TestInviteBadInputAndLanguage(t *testing.T) {
	w := newWorld(t)
	before := w.Count(t, crm.Staff, "")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"email": "x@staff.test", "role": "agent"}, "name"},
		{map[string]any{"name": "X", "email": "not-an-email", "role": "agent"}, "email"},
		{map[string]any{"name": "X", "email": "x@staff.test", "role": "boss"}, "role"},
		{map[string]any{"name": "X", "email": "x@staff.test", "role": "agent", "language": "fr"}, "language"},
		{map[string]any{"name": "X", "email": "agent@staff.test", "role": "agent"}, "email"}, // already in the team
	} {
		mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/invite", "manager", c.body), c.field, "invite "+c.field)
	}
	if got := w.Count(t, crm.Staff, ""); got != before {
		t.Fatalf("bad invitations made %d members", got-before)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/invite", "manager",
		map[string]any{"name": "Sam Reed", "email": "sam@staff.test", "role": crm.RoleReadonly, "language": "en"}), http.StatusCreated, "invite")
	mail := w.Mails(t)[0]
	for _, want := range []string{"Choose your password", "a read-only member", "Vinculo Test"} {
		if !strings.Contains(mail, want) {
			t.Errorf("the invitation does not say %q:\n%s", want, mail)
		}
	}
	// Sent again: a second mail, a fresh link.
	sam, _ := w.App.FindFirstRecordByData(crm.Staff, "email", "sam@staff.test")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+sam.Id+"/invite", "manager", nil), http.StatusOK, "invite again")
	if n := len(w.Mails(t)); n != 2 {
		t.Errorf("%d mails after inviting again, want 2", n)
	}
}

// Roles change through the route and the record API alike, but the team
// always keeps an active manager.
func TestRolesKeepAManager(t *testing.T) {
	w := newWorld(t)
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("manager")+"/role", "manager", map[string]any{"role": crm.RoleAgent}), "role", "the last manager steps down")
	mustRefuse(t, w.Do(t, http.MethodPatch, "/api/collections/staff/records/"+w.ID("manager"), "manager", map[string]any{"role": crm.RoleAgent}), "role", "the last manager steps down through the record API")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("agent")+"/role", "manager", map[string]any{"role": "owner"}), "role", "no such role")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("agent")+"/role", "manager", map[string]any{"role": crm.RoleManager}), http.StatusOK, "promote")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("manager")+"/role", "manager", map[string]any{"role": crm.RoleAgent}), http.StatusOK, "step down, another manager left")
	if got := w.Find(t, crm.Staff, w.ID("agent")).GetString("role"); got != crm.RoleManager {
		t.Errorf("agent is %s", got)
	}
	// Nobody sets the team's own fields through the record API.
	for _, body := range []map[string]any{{crm.FieldDeactivated: true}, {crm.FieldInvitedAt: "2026-11-01 10:00:00.000Z"}} {
		if got := w.Do(t, http.MethodPatch, "/api/collections/staff/records/"+w.ID("agent2"), "agent", body).Status; got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("record API with %v: %d", body, got)
		}
		if got := w.Do(t, http.MethodPatch, "/api/collections/staff/records/"+w.ID("agent"), "agent", body).Status; got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("own record with %v: %d", body, got)
		}
	}
	if w.Find(t, crm.Staff, w.ID("agent2")).GetBool(crm.FieldDeactivated) {
		t.Error("agent2 deactivated through the record API")
	}
}

// Deactivating hands every open record to the colleague named, in one
// go; closed ones keep their owner; the member cannot sign in until
// reactivated.
func TestDeactivateHandsOver(t *testing.T) {
	w := newWorld(t)
	agent := w.R("agent")
	w.Make(t, "dlOpen", crm.Deals, map[string]any{"title": "Open", "pipeline": w.ID("pipeline"), "stage": w.ID("stProp"), "status": crm.DealOpen, "owner": agent.Id})
	w.Make(t, "dlWon", crm.Deals, map[string]any{"title": "Won", "pipeline": w.ID("pipeline"), "stage": w.ID("stWon"), "status": crm.DealWon, "owner": agent.Id})
	w.Make(t, "csOpen", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Open", "assignee": agent.Id})
	w.Make(t, "tkOpen", crm.Tasks, map[string]any{"title": "Call back", "status": crm.TaskOpen, "assignee": agent.Id})
	w.Make(t, "tkDone", crm.Tasks, map[string]any{"title": "Called", "status": crm.TaskDone, "assignee": agent.Id})
	agentToken := w.Token(t, "agent")

	var h map[string]int
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/team/"+agent.Id+"/holdings", "manager", nil), http.StatusOK, "holdings").JSON(t, &h)
	if h["contacts"] != 2 || h["companies"] != 1 || h["deals"] != 1 || h["cases"] != 1 || h["tasks"] != 1 {
		t.Fatalf("holdings %v", h)
	}
	path := "/api/crm/team/" + agent.Id + "/deactivate"
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{}), "handover", "nobody named")
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handover": "nosuchstaff0000"}), "handover", "unknown colleague")
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handover": agent.Id}), "handover", "to themselves")
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handover": w.ID("readonly")}), "handover", "to read-only")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("manager")+"/deactivate", "manager", map[string]any{"handover": agent.Id}), "id", "themselves")
	if w.Count(t, crm.Contacts, "owner = {:a}", dbx.Params{"a": agent.Id}) != 2 || w.Find(t, crm.Staff, agent.Id).GetBool(crm.FieldDeactivated) {
		t.Fatal("a refused deactivation changed something")
	}

	var out struct {
		Moved map[string]int `json:"moved"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handover": w.ID("agent2")}), http.StatusOK, "deactivate").JSON(t, &out)
	if out.Moved["contacts"] != 2 || out.Moved["deals"] != 1 || out.Moved["tasks"] != 1 {
		t.Errorf("moved %v", out.Moved)
	}
	for _, c := range []struct{ collection, label, field, want string }{
		{crm.Contacts, "ctA", "owner", w.ID("agent2")}, {crm.Contacts, "ctB", "owner", w.ID("agent2")},
		{crm.Companies, "coA", "owner", w.ID("agent2")}, {crm.Deals, "dlOpen", "owner", w.ID("agent2")},
		{crm.Cases, "csOpen", "assignee", w.ID("agent2")}, {crm.Tasks, "tkOpen", "assignee", w.ID("agent2")},
		{crm.Deals, "dlWon", "owner", agent.Id}, {crm.Tasks, "tkDone", "assignee", agent.Id},
	} {
		if got := w.Find(t, c.collection, w.ID(c.label)).GetString(c.field); got != c.want {
			t.Errorf("%s %s is %s's, want %s's", c.collection, c.label, got, c.want)
		}
	}
	// Their session ended and they cannot sign in again.
	if got := w.Serve(t).Do(t, http.MethodGet, "/api/crm/tags", agentToken, nil).Status; got != http.StatusUnauthorized {
		t.Errorf("the deactivated member's old session: %d", got)
	}
	if got := signIn(t, w, "agent@staff.test", password); got != http.StatusForbidden {
		t.Errorf("a deactivated member signs in: %d", got)
	}
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handover": w.ID("agent2")}), "deactivated", "twice")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("agent2")+"/deactivate", "manager", map[string]any{"handover": agent.Id}), "handover", "to a deactivated member")

	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+agent.Id+"/reactivate", "manager", nil), http.StatusOK, "reactivate")
	if got := signIn(t, w, "agent@staff.test", password); got != http.StatusOK {
		t.Errorf("a reactivated member signs in: %d", got)
	}
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/team/"+agent.Id+"/reactivate", "manager", nil), "deactivated", "reactivate an active member")
}

// A member who holds open records is not deleted (that would orphan them);
// one who holds none is.
func TestDeleteOnlyEmptyHanded(t *testing.T) {
	w := newWorld(t)
	mustRefuse(t, w.Do(t, http.MethodDelete, "/api/collections/staff/records/"+w.ID("agent2"), "manager", nil), "deactivated", "delete with records")
	testkit.Must(t, w.Do(t, http.MethodDelete, "/api/collections/staff/records/"+w.ID("readonly"), "manager", nil), http.StatusNoContent, "delete empty-handed")
}

func tagsOf(t *testing.T, w *testkit.World, collection, label string) []string {
	t.Helper()
	var tags []string
	if err := json.Unmarshal([]byte(w.Find(t, collection, w.ID(label)).GetString("tags")), &tags); err != nil {
		t.Fatal(err)
	}
	return tags
}

// Tags: listed with their counts for any staff; renamed, merged and deleted
// everywhere by managers, each record keeping its order and each tag once.
func TestTags(t *testing.T) {
	w := newWorld(t)
	w.Update(t, w.R("ctA"), map[string]any{"tags": []string{"vip", "b2b"}})
	w.Update(t, w.R("ctB"), map[string]any{"tags": []string{"cliente", "vip"}})
	w.Update(t, w.R("ctC"), map[string]any{"tags": []string{"b2b"}})
	w.Update(t, w.R("coA"), map[string]any{"tags": []string{"vip"}})

	var list struct {
		Items []struct {
			Tag    string         `json:"tag"`
			Counts map[string]int `json:"counts"`
			Total  int            `json:"total"`
		} `json:"items"`
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/tags", "readonly", nil), http.StatusOK, "list").JSON(t, &list)
	if len(list.Items) != 3 || list.Items[0].Tag != "vip" || list.Items[0].Total != 3 || list.Items[0].Counts[crm.Companies] != 1 {
		t.Fatalf("tags in use: %+v", list.Items)
	}

	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/tags/rename", "manager", map[string]any{"tag": "nosuch", "to": "x"}), "tag", "rename an unknown tag")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/tags/rename", "manager", map[string]any{"tag": "vip", "to": "  "}), "to", "rename to nothing")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/tags/rename", "manager", map[string]any{"tag": "vip", "to": strings.Repeat("x", 61)}), "to", "rename too long")
	mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/tags/merge", "manager", map[string]any{"tag": "vip", "into": "nosuch"}), "into", "merge into an unknown tag")
	if got := tagsOf(t, w, crm.Contacts, "ctA"); !slices.Equal(got, []string{"vip", "b2b"}) {
		t.Fatalf("a refused change changed ctA: %v", got)
	}

	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/tags/rename", "manager", map[string]any{"tag": "vip", "to": "Gold"}), http.StatusOK, "rename")
	if got := tagsOf(t, w, crm.Contacts, "ctA"); !slices.Equal(got, []string{"Gold", "b2b"}) {
		t.Errorf("ctA after rename: %v", got)
	}
	if got := tagsOf(t, w, crm.Companies, "coA"); !slices.Equal(got, []string{"Gold"}) {
		t.Errorf("coA after rename: %v", got)
	}
	// Merging cliente into Gold: ctB held both and keeps Gold once, in the first one's place.
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/tags/merge", "manager", map[string]any{"tag": "cliente", "into": "Gold"}), http.StatusOK, "merge")
	if got := tagsOf(t, w, crm.Contacts, "ctB"); !slices.Equal(got, []string{"Gold"}) {
		t.Errorf("ctB after merge: %v", got)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/tags/delete", "manager", map[string]any{"tag": "b2b"}), http.StatusOK, "delete")
	if got := tagsOf(t, w, crm.Contacts, "ctC"); len(got) != 0 {
		t.Errorf("ctC after delete: %v", got)
	}
	if got := tagsOf(t, w, crm.Contacts, "ctA"); !slices.Equal(got, []string{"Gold"}) {
		t.Errorf("ctA after delete: %v", got)
	}
	// The list follows at once, and search finds the new name.
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/tags", "agent", nil), http.StatusOK, "list").JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Tag != "Gold" || list.Items[0].Total != 3 {
		t.Errorf("tags after the changes: %+v", list.Items)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/search?q=Gold", "agent", nil); !strings.Contains(string(res.Body), w.ID("ctA")) {
		t.Errorf("search for the renamed tag: %s", res.Body)
	}
}

func stageIDs(t *testing.T, w *testkit.World) []string {
	t.Helper()
	var out []string
	records, err := w.App.FindRecordsByFilter(crm.PipelineStages, "pipeline = {:p}", "position", 0, 0, dbx.Params{"p": w.ID("pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		out = append(out, r.Id)
	}
	return out
}

// Reordering writes every position from the full list the manager saw; a
// list that no longer matches is a conflict. Deleting a stage that holds
// deals moves them to the stage named, or is refused.
func TestStagesOrderAndDelete(t *testing.T) {
	w := newWorld(t)
	ids := w.IDs("stProp", "stQual", "stWon", "stLost")
	path := "/api/crm/pipelines/" + w.ID("pipeline") + "/order"
	testkit.Must(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"stages": ids}), http.StatusOK, "order")
	if got := stageIDs(t, w); !slices.Equal(got, ids) {
		t.Errorf("order %v, want %v", got, ids)
	}
	// A colleague added a stage meanwhile: the old list is refused, nothing moves.
	w.Make(t, "stNew", crm.PipelineStages, map[string]any{"pipeline": w.ID("pipeline"), "name": "Demo", "kind": "open", "position": 5})
	if got := w.Do(t, http.MethodPost, path, "manager", map[string]any{"stages": w.IDs("stQual", "stProp", "stWon", "stLost")}).Status; got != http.StatusConflict {
		t.Errorf("an outdated order: %d", got)
	}
	if got := stageIDs(t, w); !slices.Equal(got, append(slices.Clone(ids), w.ID("stNew"))) {
		t.Errorf("after a refused order: %v", got)
	}
	if got := w.Do(t, http.MethodPost, path, "manager", map[string]any{"stages": w.IDs("stQual", "stQual", "stWon", "stLost", "stNew")}).Status; got != http.StatusConflict {
		t.Errorf("a stage twice: %d", got)
	}
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{}), "stages", "no list")

	deal := w.Make(t, "dl", crm.Deals, map[string]any{"title": "Bread", "pipeline": w.ID("pipeline"), "stage": w.ID("stQual"), "status": crm.DealOpen})
	del := "/api/crm/pipelines/stages/" + w.ID("stQual") + "/delete"
	mustRefuse(t, w.Do(t, http.MethodPost, del, "manager", map[string]any{}), "move_to", "deals inside")
	mustRefuse(t, w.Do(t, http.MethodPost, del, "manager", map[string]any{"move_to": w.ID("stQual")}), "move_to", "into itself")
	other := w.Make(t, "", crm.Pipelines, map[string]any{"name": "Other"})
	elsewhere := w.Make(t, "", crm.PipelineStages, map[string]any{"pipeline": other.Id, "name": "X", "kind": "open"})
	mustRefuse(t, w.Do(t, http.MethodPost, del, "manager", map[string]any{"move_to": elsewhere.Id}), "move_to", "another pipeline")
	testkit.Must(t, w.Do(t, http.MethodPost, del, "manager", map[string]any{"move_to": w.ID("stNew")}), http.StatusOK, "delete with move")
	if got := w.Find(t, crm.Deals, deal.Id).GetString("stage"); got != w.ID("stNew") {
		t.Errorf("the deal is in %s", got)
	}
	if _, err := w.App.FindRecordById(crm.PipelineStages, w.ID("stQual")); err == nil {
		t.Error("the stage is still there")
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/pipelines/stages/"+elsewhere.Id+"/delete", "manager", nil), http.StatusOK, "delete an empty stage")
}

// The dashboard of a fresh install shows Vinculo's collections only, each
// saying what it holds. (The test app starts from PocketBase's own test
// data, whose users collection holds records: that one is kept.)
func TestDashboardCollections(t *testing.T) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	if _, err := app.FindCollectionByNameOrId("users"); err == nil {
		t.Error("PocketBase's users collection is still there")
	}
	w := testkit.NewWorld(t)
	if _, err := w.App.FindCollectionByNameOrId("users"); err != nil {
		t.Error("a users collection holding records was dropped")
	}
	for _, name := range []string{crm.Contacts, crm.Staff, crm.Deals, crm.PipelineStages} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		if help := c.Fields.GetByName(core.FieldNameId).(*core.TextField).Help; len(help) < 20 {
			t.Errorf("%s says %q about itself", name, help)
		}
	}
}
