package team_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/team"
	"vinculo/testkit"
)

// handedOver counts the hand-over notifications of the staff member under label.
func handedOver(t *testing.T, w *testkit.World, label string) int {
	t.Helper()
	return w.Count(t, crm.Notifications, "`to` = {:to} AND event = {:ev}", dbx.Params{"to": w.ID(label), "ev": crm.NotifyHandedOver})
}

func ownerOf(t *testing.T, w *testkit.World, collection, label string) string {
	t.Helper()
	return w.Find(t, collection, w.ID(label)).GetString(crm.FieldOwner)
}

// Three contacts handed over at once: each changes owner, each timeline
// says so with the note, and the new owner is told once, with the count.
func TestHandOverManyAtOnce(t *testing.T) {
	w := newWorld(t)
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/handover", "agent", map[string]any{
		"collection": crm.Contacts, "ids": w.IDs("ctA", "ctB", "ctC"), "to": w.ID("manager"), "note": "  Ana prefers mornings.  ",
	}), http.StatusOK, "hand over")
	var out struct {
		Moved int `json:"moved"`
	}
	res.JSON(t, &out)
	if out.Moved != 3 {
		t.Errorf("moved %d", out.Moved)
	}
	for _, label := range []string{"ctA", "ctB", "ctC"} {
		if got := ownerOf(t, w, crm.Contacts, label); got != w.ID("manager") {
			t.Errorf("%s is %s's", label, got)
		}
		entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "contact = {:c} && event = {:ev}", dbx.Params{"c": w.ID(label), "ev": team.EventHandedOver})
		if err != nil {
			t.Fatalf("no hand-over entry on %s's timeline", label)
		}
		data := map[string]any{}
		_ = entry.UnmarshalJSONField("data", &data)
		wantFrom := "Rafael Lima"
		if label == "ctC" {
			wantFrom = "Otávio Reis"
		}
		if entry.GetString("body") != "Ana prefers mornings." || data["to_name"] != "Marina Duarte" || data["from_name"] != wantFrom ||
			entry.GetString("staff") != w.ID("agent") || entry.GetBool("public") {
			t.Errorf("%s's entry: body %q, data %v, by %s, public %v", label, entry.GetString("body"), data, entry.GetString("staff"), entry.GetBool("public"))
		}
	}
	if got := handedOver(t, w, "manager"); got != 1 {
		t.Fatalf("the new owner told %d times", got)
	}
	n, err := w.App.FindFirstRecordByFilter(crm.Notifications, "event = {:ev}", dbx.Params{"ev": crm.NotifyHandedOver})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{}
	_ = n.UnmarshalJSONField("data", &data)
	if data["count"] != 3.0 || data["note"] != "Ana prefers mornings." || data["by_name"] != "Rafael Lima" || n.GetString("collection") != crm.Contacts {
		t.Errorf("the notification: %s %v", n.GetString("collection"), data)
	}

	// One deal: the notification opens it; what is already theirs is not moved again.
	deal := w.Make(t, "dl", crm.Deals, map[string]any{"title": "Forno novo", "pipeline": w.ID("pipeline"), "stage": w.ID("stQual"), "status": crm.DealOpen, "owner": w.ID("agent"), "contact": w.ID("ctA")})
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/handover", "manager", map[string]any{
		"collection": crm.Deals, "ids": []string{deal.Id}, "to": w.ID("agent2"),
	}), http.StatusOK, "hand over a deal")
	if got := w.Count(t, crm.Notifications, "`to` = {:to} AND event = {:ev} AND collection = {:c} AND record = {:r}",
		dbx.Params{"to": w.ID("agent2"), "ev": crm.NotifyHandedOver, "c": crm.Deals, "r": deal.Id}); got != 1 {
		t.Errorf("agent2 told %d times of the deal", got)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/handover", "manager", map[string]any{
		"collection": crm.Deals, "ids": []string{deal.Id}, "to": w.ID("agent2"),
	}), http.StatusOK, "hand over again").JSON(t, &out)
	if out.Moved != 0 || handedOver(t, w, "agent2") != 1 || w.Count(t, crm.Activities, "deal = {:d} AND event = {:ev}", dbx.Params{"d": deal.Id, "ev": team.EventHandedOver}) != 1 {
		t.Errorf("a deal handed to its owner: moved %d", out.Moved)
	}
}

// Bad input names its field and changes nothing.
func TestHandOverBadInput(t *testing.T) {
	w := newWorld(t)
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("agent2")+"/deactivate", "manager", map[string]any{"handover": w.ID("agent")}), http.StatusOK, "deactivate agent2")
	many := make([]string, team.MaxHandover+1)
	for i := range many {
		many[i] = w.ID("ctA")
	}
	ok := map[string]any{"collection": crm.Contacts, "ids": w.IDs("ctA", "ctB"), "to": w.ID("manager"), "note": "x"}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range ok {
			out[key] = val
		}
		out[k] = v
		return out
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{with("collection", crm.Tasks), "collection"},
		{with("collection", ""), "collection"},
		{with("ids", []string{}), "ids"},
		{with("ids", many), "ids"},
		{with("ids", w.IDs("ctA", "ctA")), "ids"},
		{with("ids", []string{w.ID("ctA"), "nosuchcontact00"}), "ids"},
		{with("ids", w.IDs("coA")), "ids"}, // a company's id as a contact's
		{with("to", ""), "to"},
		{with("to", "nosuchstaff0000"), "to"},
		{with("to", w.ID("readonly")), "to"},
		{with("to", w.ID("agent2")), "to"}, // deactivated
		{with("note", strings.Repeat("n", 2001)), "note"},
	} {
		mustRefuse(t, w.Do(t, http.MethodPost, "/api/crm/handover", "agent", c.body), c.field, "hand over with a bad "+c.field)
	}
	if ownerOf(t, w, crm.Contacts, "ctA") != w.ID("agent") || w.Count(t, crm.Activities, "event = {:ev}", dbx.Params{"ev": team.EventHandedOver}) != 0 {
		t.Error("a refused hand-over changed something")
	}
}

// Agents hand over only what the rules let them edit: with a rule that
// keeps contacts to their owners, another's contact is refused, and so is
// a list holding one, whole.
func TestHandOverFollowsTheRules(t *testing.T) {
	w := newWorld(t)
	contacts, err := w.App.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	own := "@request.auth.role = 'manager' || (@request.auth.role = 'agent' && owner = @request.auth.id)"
	contacts.UpdateRule = &own
	if err := w.App.Save(contacts); err != nil {
		t.Fatal(err)
	}
	if got := w.Do(t, http.MethodPost, "/api/crm/handover", "agent", map[string]any{
		"collection": crm.Contacts, "ids": w.IDs("ctA", "ctC"), "to": w.ID("agent2"),
	}).Status; got != http.StatusForbidden {
		t.Errorf("an agent handing over another's contact: %d", got)
	}
	if ownerOf(t, w, crm.Contacts, "ctA") != w.ID("agent") || handedOver(t, w, "agent2") != 0 {
		t.Error("a refused hand-over moved ctA")
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/handover", "agent", map[string]any{
		"collection": crm.Contacts, "ids": w.IDs("ctA", "ctB"), "to": w.ID("agent2"),
	}), http.StatusOK, "an agent hands over their own")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/handover", "manager", map[string]any{
		"collection": crm.Contacts, "ids": w.IDs("ctC"), "to": w.ID("agent"),
	}), http.StatusOK, "a manager hands over anyone's")
	if ownerOf(t, w, crm.Contacts, "ctA") != w.ID("agent2") || ownerOf(t, w, crm.Contacts, "ctC") != w.ID("agent") {
		t.Error("the allowed hand-overs did not happen")
	}
	for _, who := range []string{"readonly", "cuA"} {
		if got := w.Do(t, http.MethodPost, "/api/crm/handover", who, map[string]any{
			"collection": crm.Contacts, "ids": w.IDs("ctX"), "to": w.ID("agent"),
		}).Status; got != http.StatusForbidden {
			t.Errorf("%s hands over: %d", who, got)
		}
	}
}

// Deactivating: the manager names who takes each kind; a kind the member
// holds without a taker is refused and nothing moves; after, no open record
// keeps the inactive owner, and each taker is told once.
func TestDeactivatePerKind(t *testing.T) {
	w := newWorld(t)
	agent := w.R("agent")
	w.Make(t, "agent3", crm.Staff, map[string]any{"name": "Luísa Prado", "email": "agent3@staff.test", "role": crm.RoleAgent})
	w.Make(t, "dlOpen", crm.Deals, map[string]any{"title": "Open", "pipeline": w.ID("pipeline"), "stage": w.ID("stProp"), "status": crm.DealOpen, "owner": agent.Id})
	w.Make(t, "csOpen", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Open", "assignee": agent.Id})
	w.Make(t, "tkOpen", crm.Tasks, map[string]any{"title": "Call back", "status": crm.TaskOpen, "assignee": agent.Id})
	path := "/api/crm/team/" + agent.Id + "/deactivate"
	all := map[string]any{"contacts": w.ID("agent2"), "companies": w.ID("agent3"), "deals": w.ID("agent2"), "cases": w.ID("agent3"), "tasks": w.ID("agent3")}
	without := func(kind string) map[string]any {
		out := map[string]any{}
		for k, v := range all {
			if k != kind {
				out[k] = v
			}
		}
		return out
	}
	for _, kind := range []string{"contacts", "companies", "deals", "cases", "tasks"} {
		mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handovers": without(kind)}), "handovers."+kind, "no taker for "+kind)
	}
	bad := without("deals")
	bad["deals"] = w.ID("readonly")
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handovers": bad}), "handovers.deals", "a read-only taker")
	bad["deals"] = agent.Id
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handovers": bad}), "handovers.deals", "the leaver takes their own")
	bad = without("")
	bad["orders"] = w.ID("agent2")
	mustRefuse(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handovers": bad}), "handovers", "an unknown kind")
	if w.Find(t, crm.Staff, agent.Id).GetBool(crm.FieldDeactivated) || ownerOf(t, w, crm.Contacts, "ctA") != agent.Id {
		t.Fatal("a refused deactivation changed something")
	}

	var out struct {
		Moved map[string]int `json:"moved"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, path, "manager", map[string]any{"handovers": all}), http.StatusOK, "deactivate").JSON(t, &out)
	if out.Moved["contacts"] != 2 || out.Moved["companies"] != 1 || out.Moved["deals"] != 1 || out.Moved["cases"] != 1 || out.Moved["tasks"] != 1 {
		t.Errorf("moved %v", out.Moved)
	}
	for _, c := range []struct{ collection, label, field, want string }{
		{crm.Contacts, "ctA", "owner", "agent2"}, {crm.Contacts, "ctB", "owner", "agent2"}, {crm.Companies, "coA", "owner", "agent3"},
		{crm.Deals, "dlOpen", "owner", "agent2"}, {crm.Cases, "csOpen", "assignee", "agent3"}, {crm.Tasks, "tkOpen", "assignee", "agent3"},
	} {
		if got := w.Find(t, c.collection, w.ID(c.label)).GetString(c.field); got != w.ID(c.want) {
			t.Errorf("%s %s is %s's, want %s's", c.collection, c.label, got, c.want)
		}
	}
	var h map[string]int
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/team/"+agent.Id+"/holdings", "manager", nil), http.StatusOK, "holdings").JSON(t, &h)
	for kind, n := range h {
		if n != 0 {
			t.Errorf("the inactive member still holds %d %s", n, kind)
		}
	}
	if a2, a3 := handedOver(t, w, "agent2"), handedOver(t, w, "agent3"); a2 != 1 || a3 != 1 {
		t.Errorf("takers told: agent2 %d, agent3 %d; want once each", a2, a3)
	}
	n, err := w.App.FindFirstRecordByFilter(crm.Notifications, "to = {:to} && event = {:ev}", dbx.Params{"to": w.ID("agent3"), "ev": crm.NotifyHandedOver})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{}
	_ = n.UnmarshalJSONField("data", &data)
	if data["count"] != 3.0 || data["from_name"] != "Rafael Lima" || data["by_name"] != "Marina Duarte" {
		t.Errorf("agent3's notification: %v", data)
	}
}

// A member who holds nothing is deactivated without naming anyone.
func TestDeactivateEmptyHanded(t *testing.T) {
	w := newWorld(t)
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("readonly")+"/deactivate", "manager", map[string]any{}), http.StatusOK, "deactivate")
	if !w.Find(t, crm.Staff, w.ID("readonly")).GetBool(crm.FieldDeactivated) {
		t.Error("not deactivated")
	}
}
