package team_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// A request type routed to a team gives each new request the team and one
// of its active members: in turn, or the least loaded. A request opened
// with an assignee keeps it; a deactivated member gets none.
func TestRouting(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "support", crm.Teams, map[string]any{crm.TeamName: "Support", crm.TeamManager: w.ID("manager"),
		crm.TeamMembers: []string{w.ID("agent"), w.ID("agent2"), w.ID("readonly")}})
	w.Update(t, w.R("readonly"), map[string]any{crm.FieldDeactivated: true})
	w.Update(t, w.R("tpSup"), map[string]any{crm.CaseTypeRouteTeam: w.ID("support"), crm.CaseTypeRouteMode: crm.RouteRoundRobin})

	open := func(by string, extra map[string]any) *testkitCase {
		body := map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Help"}
		for k, v := range extra {
			body[k] = v
		}
		res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", by, body), http.StatusOK, "open a request")
		var c testkitCase
		res.JSON(t, &c)
		return &c
	}
	var got []string
	for range 4 {
		c := open("manager", nil)
		if c.Team != w.ID("support") {
			t.Fatalf("a routed request has team %q", c.Team)
		}
		got = append(got, c.Assignee)
	}
	want := []string{w.ID("agent"), w.ID("agent2"), w.ID("agent"), w.ID("agent2")}
	if !equal(got, want) {
		t.Errorf("round robin gave %v, want %v (readonly is deactivated)", got, want)
	}
	// By hand: the assignee named stays, and the team is still the type's.
	if c := open("manager", map[string]any{"assignee": w.ID("manager")}); c.Assignee != w.ID("manager") || c.Team != "" {
		t.Errorf("a request opened for the manager went to %s, team %q", c.Assignee, c.Team)
	}
	// From the portal: routed too (the customer is not told to whom).
	var id struct {
		ID string `json:"id"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", "cuA",
		map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "From the portal"}), http.StatusOK, "portal request").JSON(t, &id)
	if c := w.Find(t, crm.Cases, id.ID); c.GetString(crm.CaseTeam) != w.ID("support") || c.GetString("assignee") != w.ID("agent") {
		t.Errorf("the portal's request went to %s, team %s", c.GetString("assignee"), c.GetString(crm.CaseTeam))
	}

	// Least loaded: agent2 has one open request fewer once one of theirs closes.
	w.Update(t, w.R("tpSup"), map[string]any{crm.CaseTypeRouteMode: crm.RouteLeastLoaded})
	recs, err := w.App.FindRecordsByFilter(crm.Cases, "assignee = {:a} && closed = false", "", 1, 0, map[string]any{"a": w.ID("agent2")})
	if err != nil || len(recs) == 0 {
		t.Fatal(err)
	}
	w.Update(t, recs[0], map[string]any{"status": "done"})
	if c := open("manager", nil); c.Assignee != w.ID("agent2") {
		t.Errorf("least loaded went to %s, want agent2", c.Assignee)
	}

	// The type's routing needs a mode; a partner joins no team.
	res := w.Do(t, http.MethodPatch, "/api/collections/case_types/records/"+w.ID("tpSup"), "manager", map[string]any{crm.CaseTypeRouteMode: ""})
	if res.Status != http.StatusBadRequest || !contains(fieldsOf(t, res), crm.CaseTypeRouteMode) {
		t.Errorf("routing without a mode: %d %s", res.Status, res.Body)
	}
	w.Make(t, "partner", crm.Staff, map[string]any{"name": "Paulo", "email": "p@partner.test", "role": crm.RolePartner})
	res = w.Do(t, http.MethodPatch, "/api/collections/teams/records/"+w.ID("support"), "manager", map[string]any{"members+": w.ID("partner")})
	if res.Status != http.StatusBadRequest || !contains(fieldsOf(t, res), crm.TeamMembers) {
		t.Errorf("a partner joined a team: %d %s", res.Status, res.Body)
	}
}

type testkitCase struct {
	Team     string `json:"team"`
	Assignee string `json:"assignee"`
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
