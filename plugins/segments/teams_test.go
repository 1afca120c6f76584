package segments_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/testkit"
)

// teamsMode puts agent and readonly in team A, agent2 in team B, and the
// business in the teams mode.
func teamsMode(t *testing.T, w *testkit.World) {
	t.Helper()
	w.Make(t, "tmA", crm.Teams, map[string]any{crm.TeamName: "A", crm.TeamMembers: []string{w.ID("agent"), w.ID("readonly")}})
	w.Make(t, "tmB", crm.Teams, map[string]any{crm.TeamName: "B", crm.TeamMembers: []string{w.ID("agent2")}})
	if _, err := w.App.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: crm.VisibilityTeams}, nil).Execute(); err != nil {
		t.Fatal(err)
	}
}

// In the teams mode a segment's live count, its members and its Insights
// figure are, for an agent, the members their team sees (ctA, ctB of
// agent; ctC, ctX of agent2); the manager's are the whole segment; the
// daily snapshots (counted over every contact) are the manager's alone.
func TestSegmentFollowsTheReadersTeam(t *testing.T) {
	w := handMade(t)
	w.Serve(t)
	teamsMode(t, w)
	// Everyone who bought anything, ever: ctA, ctB, ctX (ctC's order was cancelled).
	def := json.RawMessage(`{"match":"all","conditions":[{"kind":"bought","op":"bought","days":0}]}`)
	seg := w.Make(t, "sgBuyers", crm.Segments, map[string]any{"name": "Buyers", crm.SegmentDefinition: string(def)})

	for who, want := range map[string]int{"manager": 3, "agent": 2, "readonly": 2, "agent2": 1} {
		var n struct{ Count int }
		testkit.Must(t, w.Do(t, "POST", "/api/crm/segments/count", who, map[string]any{"definition": def}), 200, who+" count").JSON(t, &n)
		if n.Count != want {
			t.Errorf("%s counts %d, want %d", who, n.Count, want)
		}
		var page struct {
			Items []struct{ ID string } `json:"items"`
			Total int                   `json:"totalItems"`
		}
		testkit.Must(t, w.Do(t, "GET", "/api/crm/segments/"+seg.Id+"/members", who, nil), 200, who+" members").JSON(t, &page)
		if page.Total != want || len(page.Items) != want {
			t.Errorf("%s lists %d of %d members, want %d", who, len(page.Items), page.Total, want)
		}
		for _, it := range page.Items {
			if who == "agent2" && it.ID != w.ID("ctX") {
				t.Errorf("agent2 lists %s, not their team's", it.ID)
			}
		}
		var board struct {
			Figures []struct {
				Key   string             `json:"key"`
				Value *float64           `json:"value"`
				Extra map[string]float64 `json:"extra"`
			} `json:"figures"`
		}
		testkit.Must(t, w.Do(t, "GET", "/api/crm/insights/customers?period=this_year&segment="+seg.Id, who, nil), 200, who+" board").JSON(t, &board)
		for _, f := range board.Figures {
			if f.Key == "segment_size" && (f.Value == nil || int(*f.Value) != want) {
				t.Errorf("%s's segment_size: %v, want %d", who, f.Value, want)
			}
		}
		res := w.Do(t, "GET", "/api/collections/segment_snapshots/records?filter=segment='"+seg.Id+"'", who, nil)
		var snaps struct{ TotalItems int }
		res.JSON(t, &snaps)
		if got := snaps.TotalItems > 0; got != (who == "manager") {
			t.Errorf("%s reads %d of the segment's snapshots", who, snaps.TotalItems)
		}
	}
}

// A bad condition's 400 keeps the English message for API clients and
// gives the workspace the fault's code and params to word.
func TestConditionErrorHasCodeAndParams(t *testing.T) {
	w := handMade(t)
	w.Serve(t)
	for _, c := range []struct {
		def, code, english string
		args               map[string]any
	}{
		{`{"match":"all","conditions":[{"kind":"tag","op":"has","value":"vip"},{"kind":"spent","op":"gt","value":"lots","days":30}]}`,
			segdef.CodeNumberMin0, "Condition 2: the value must be a number of 0 or more", map[string]any{}},
		{`{"match":"all","conditions":[{"kind":"field","field":"job_title","op":"eq","value":""}]}`,
			segdef.CodeText, "Condition 1: the value for job_title must be some text", map[string]any{"field": "job_title", "max": 500.0}},
		{`{"match":"all","conditions":[{"kind":"bought","op":"bought","product":"NOPE"}]}`,
			segdef.CodeProductUnknown, `Condition 1: there is no product with the code "NOPE"`, map[string]any{"code": "NOPE"}},
		{`{"match":"all","conditions":[{"kind":"group","match":"any","conditions":[{"kind":"owner","op":"eq","value":"nosuch"}]}]}`,
			"owner_unknown", `Condition 1.1: there is no staff member "nosuch"`, map[string]any{"id": "nosuch"}},
	} {
		res := w.Do(t, "POST", "/api/crm/segments/count", "agent", map[string]any{"definition": json.RawMessage(c.def)})
		var body struct {
			Message string `json:"message"`
			Data    map[string]struct {
				Code   string `json:"code"`
				Params struct {
					Code   string         `json:"code"`
					Args   map[string]any `json:"args"`
					Reason string         `json:"reason"`
				} `json:"params"`
			} `json:"data"`
		}
		res.JSON(t, &body)
		d := body.Data[crm.SegmentDefinition]
		if res.Status != 400 || !strings.Contains(body.Message, c.english) || d.Params.Code != c.code {
			t.Errorf("%s: %d %s", c.code, res.Status, res.Body)
			continue
		}
		for k, v := range c.args {
			if d.Params.Args[k] != v {
				t.Errorf("%s: args %v, want %v", c.code, d.Params.Args, c.args)
			}
		}
	}
}

// Every code a fault may have is worded in both languages of the workspace.
func TestEveryConditionCodeIsWorded(t *testing.T) {
	for _, lang := range []string{"en", "pt-BR"} {
		raw, err := os.ReadFile("../../ui/src/lib/messages/segments." + lang + ".js")
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range segdef.Codes {
			if !strings.Contains(string(raw), "'segments.error."+code+"':") {
				t.Errorf("segments.%s.js does not word the code %s", lang, code)
			}
		}
	}
}
