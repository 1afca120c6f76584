package insights_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
)

// The hand dataset in the teams mode: team A is agent and readonly (ctA,
// ctB are agent's), team B is agent2 (ctC, ctX). Every figure an agent
// reads counts only what they may see; the manager's stay the business's.
//
// Added for the customers board, orders of November (all paid, the first
// of each customer):
//
//	O1 ctA 100 BRL 11-05 · O2 ctC 300 BRL 11-06 · O3 ctX 50 BRL 11-07
func teamsFixture(t *testing.T) *hFixture {
	f := newHandFixture(t)
	f.Make(t, "tmA", crm.Teams, map[string]any{crm.TeamName: "A", crm.TeamMembers: []string{f.ID("agent"), f.ID("readonly")}})
	f.Make(t, "tmB", crm.Teams, map[string]any{crm.TeamName: "B", crm.TeamMembers: []string{f.ID("agent2")}})
	for _, o := range []struct {
		label, contact string
		total          float64
		day            int
	}{{"O1", "ctA", 100, 5}, {"O2", "ctC", 300, 6}, {"O3", "ctX", 50, 7}} {
		f.Make(t, o.label, crm.Orders, map[string]any{"contact": f.ID(o.contact), "currency": "BRL", "status": "paid",
			"placed_at": hAt(f.sp, 11, o.day, 12), "items": []map[string]any{{"name": "Router", "quantity": 1, "unit_price": o.total}}})
	}
	if _, err := f.App.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: crm.VisibilityTeams}, nil).Execute(); err != nil {
		t.Fatal(err)
	}
	return f
}

// Each figure by hand, per reader, for November:
//
//	sales     won_revenue: manager D1 1000 + D2 200 USD (1000) = 2000 (D3 EUR apart);
//	          agent (team A: D1, D3, D5-D7, D9) 1000; agent2 (D2, D4, D8) 1000
//	service   requests about ctA (team A's) are agent's to see; agent2 sees
//	          R3 (theirs), R4 (theirs, October) and R6 (nobody's: the pool).
//	          opened: manager R1 R2 R3 R6 = 4, agent 4, agent2 R3 R6 = 2;
//	          backlog at the end: manager R2 R3 R5 R6 = 4, agent 4, agent2 2;
//	          closed: manager R1 = 1, agent 1, agent2 0
//	customers new: manager 3, agent 1 (ctA), agent2 2 (ctC, ctX);
//	          revenue per customer: manager 450/3 = 150, agent 100, agent2 350/2 = 175
func TestBoardsOfAnAgentInTheTeamsMode(t *testing.T) {
	f := teamsFixture(t)
	month := url.Values{"period": {"this_month"}}
	want := map[string]map[string]map[string]float64{
		"sales": {
			"manager": {"won_revenue": 2000}, "agent": {"won_revenue": 1000}, "agent2": {"won_revenue": 1000},
		},
		"service": {
			"manager":  {"requests_opened": 4, "backlog_age": 4, "requests_closed": 1},
			"agent":    {"requests_opened": 4, "backlog_age": 4, "requests_closed": 1},
			"readonly": {"requests_opened": 4, "backlog_age": 4, "requests_closed": 1},
			"agent2":   {"requests_opened": 2, "backlog_age": 2, "requests_closed": 0},
		},
		"customers": {
			"manager":  {"new_customers": 3, "revenue_per_customer": 150},
			"agent":    {"new_customers": 1, "revenue_per_customer": 100},
			"readonly": {"new_customers": 1, "revenue_per_customer": 100},
			"agent2":   {"new_customers": 2, "revenue_per_customer": 175},
		},
	}
	for board, byWho := range want {
		for who, figures := range byWho {
			_, figs := f.board(t, board, who, month)
			for key, v := range figures {
				fig, ok := figs[key]
				if !ok {
					t.Fatalf("no figure %s/%s", board, key)
				}
				if v == 0 && (fig.Value == nil || *fig.Value == 0) {
					continue
				}
				if fig.Value == nil || !hNear(*fig.Value, v) {
					t.Errorf("%s's %s/%s = %v, want %v", who, board, key, hShow(fig.Value), v)
				}
			}
		}
	}

	// The records behind a figure are those the reader sees.
	records := func(who, path string) string {
		res := f.Do(t, http.MethodGet, "/api/crm/insights/"+path+"?period=this_month", who, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", who, path, res.Status, res.Body)
		}
		return string(res.Body)
	}
	body := records("agent2", "service/requests_opened/records")
	for label, seen := range map[string]bool{"R1": false, "R2": false, "R3": true, "R6": true} {
		if strings.Contains(body, f.ID(label)) != seen {
			t.Errorf("agent2's opened requests: %s seen %v: %s", label, !seen, body)
		}
	}
	body = records("agent", "customers/new_customers/records")
	if !strings.Contains(body, f.ID("ctA")) || strings.Contains(body, f.ID("ctC")) || strings.Contains(body, f.ID("ctX")) {
		t.Errorf("agent's new customers: %s", body)
	}

	// Back in the "everyone" mode, the agents read the business's figures.
	if _, err := f.App.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: crm.VisibilityEveryone}, nil).Execute(); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"agent", "agent2"} {
		_, figs := f.board(t, "customers", who, month)
		if v := figs["revenue_per_customer"].Value; v == nil || !hNear(*v, 150) {
			t.Errorf("%s in the everyone mode: revenue per customer %v, want 150", who, hShow(v))
		}
		_, figs = f.board(t, "service", who, month)
		if v := figs["requests_opened"].Value; v == nil || *v != 4 {
			t.Errorf("%s in the everyone mode: %v requests opened, want 4", who, hShow(v))
		}
	}
}
