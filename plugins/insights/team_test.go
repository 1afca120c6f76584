package insights_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
)

// Requests of the dataset (type Support; hours mon-fri 09:00-18:00; 2026-11-02
// is a Monday), as stored after their life:
//
//	R1 agent   email  opened Mon 11-02 09:00, answered 11:00 (2 business hours), closed 11-03
//	R2 agent   email  opened Fri 11-06 17:00, answered Mon 11-09 10:00 (1 h Friday + 1 h Monday), open
//	R3 agent2  phone  opened Tue 11-10 09:00, answered 15:00 (6 h), open
//	R4 agent2  email  opened 10-20 09:00, answered 10:00, closed 10-25
//	R5 agent   email  opened 10-28, closed 11-03 then reopened: open, its close date cleared
//	R6 nobody  email  opened 11-05, open (no person: not on the Team board)
func (f *hFixture) requests(t *testing.T) {
	sp := f.sp
	r := func(label, assignee, channel string, opened, answered, closed time.Time) {
		c := f.Make(t, label, crm.Cases, map[string]any{"type": f.ID("tpSup"), "contact": f.ID("ctA"), "subject": "Request " + label})
		who := ""
		if assignee != "" {
			who = f.ID(assignee)
		}
		if _, err := f.App.DB().Update(crm.Cases, dbx.Params{"assignee": who, "channel": channel, "closed": !closed.IsZero()},
			dbx.HashExp{"id": c.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		f.setRaw(t, crm.Cases, c.Id, "created", opened)
		f.setRaw(t, crm.Cases, c.Id, "first_response_at", answered)
		f.setRaw(t, crm.Cases, c.Id, "closed_at", closed)
	}
	none := time.Time{}
	r("R1", "agent", "email", hAt(sp, 11, 2, 9), hAt(sp, 11, 2, 11), hAt(sp, 11, 3, 12))
	r("R2", "agent", "email", hAt(sp, 11, 6, 17), hAt(sp, 11, 9, 10), none)
	r("R3", "agent2", "phone", hAt(sp, 11, 10, 9), hAt(sp, 11, 10, 15), none)
	r("R4", "agent2", "email", hAt(sp, 10, 20, 9), hAt(sp, 10, 20, 10), hAt(sp, 10, 25, 9))
	r("R5", "agent", "email", hAt(sp, 10, 28, 9), none, none)
	r("R6", "", "email", hAt(sp, 11, 5, 9), none, none)
}

// Tasks of the dataset:
//
//	T1 agent   due 11-05, done 11-06
//	T2 agent   due 11-10, open           (overdue)
//	T3 agent2  due 11-30, open           (not yet due)
//	T4 agent2  due 10-10, done 10-12
//	T5 agent   due 11-01, cancelled      (never counts)
//	T6 agent2  due 11-20, open           (overdue)
func (f *hFixture) tasks(t *testing.T) {
	sp := f.sp
	task := func(label, assignee, status string, due, done time.Time) {
		k := f.Make(t, label, crm.Tasks, map[string]any{"title": "Task " + label, "assignee": f.ID(assignee), "status": status,
			"due": due, "contact": f.ID("ctA")})
		f.setRaw(t, crm.Tasks, k.Id, "done_at", done)
	}
	none := time.Time{}
	task("T1", "agent", crm.TaskDone, hAt(sp, 11, 5, 18), hAt(sp, 11, 6, 10))
	task("T2", "agent", crm.TaskOpen, hAt(sp, 11, 10, 18), none)
	task("T3", "agent2", crm.TaskOpen, hAt(sp, 11, 30, 18), none)
	task("T4", "agent2", crm.TaskDone, hAt(sp, 10, 10, 18), hAt(sp, 10, 12, 10))
	task("T5", "agent", "cancelled", hAt(sp, 11, 1, 18), none)
	task("T6", "agent2", crm.TaskOpen, hAt(sp, 11, 20, 18), none)
}

// Every Team hFigure for November, worked out by hand. The people are named:
// agent is Rafael Lima, agent2 Otávio Reis.
func TestTeamBoardByHand(t *testing.T) {
	f := newHandFixture(t)
	const rafael, otavio = "Rafael Lima", "Otávio Reis"
	_, figs := f.board(t, insights.BoardTeam, "agent", url.Values{"period": {"this_month"}})

	// Open at the end of the period (now, 11-24 10:00): R2, R5 (reopened)
	// Rafael's; R3 Otávio's. R6 has nobody. At the end of October: R4 was
	// closed 10-25, R5 (opened 10-28) open: 1.
	open := figs["requests_open"]
	hValue(t, open, 3)
	hSeries(t, open, rafael, 2, otavio, 1)
	if hShow(open.Previous) != 1.0 {
		t.Errorf("requests_open previous %v", hShow(open.Previous))
	}

	// Closed in November: R1 (Rafael). R5's close was undone by its reopening.
	hValue(t, figs["requests_closed"], 1)
	hSeries(t, figs["requests_closed"], rafael, 1)

	// Response time in business hours, first answers in November: R1 2,
	// R2 1 + 1 = 2, R3 6. Median {2, 2, 6} = 2; p90 = the 3rd = 6. Per
	// person: Rafael median {2, 2} = 2, Otávio 6 (largest first).
	rt := figs["response_time"]
	hValue(t, rt, 2)
	if rt.Extra["p90"] != 6 || rt.Count != 3 {
		t.Errorf("response_time %+v", rt)
	}
	hSeries(t, rt, otavio, 6, rafael, 2)

	// Deals won in November: Rafael D1 1000 (D3's 300 EUR apart), Otávio D2
	// 200 USD × 5 = 1000; three deals.
	dw := figs["deals_won"]
	hValue(t, dw, 2000)
	if dw.Extra["count"] != 3 || dw.Apart["EUR"] != 300 {
		t.Errorf("deals_won %+v", dw)
	}
	hSeries(t, dw, otavio, 1000, rafael, 1000)

	// Tasks done in November: T1. October: T4.
	hValue(t, figs["tasks_done"], 1)
	if hShow(figs["tasks_done"].Previous) != 1.0 {
		t.Errorf("tasks_done previous %v", hShow(figs["tasks_done"].Previous))
	}
	// Overdue now: T2 (due 11-10), T6 (due 11-20); T3 is due 11-30, T5 was
	// cancelled. At the end of October: none (T4 was done on 10-12).
	od := figs["tasks_overdue"]
	hValue(t, od, 2)
	hSeries(t, od, otavio, 1, rafael, 1)
	if hShow(od.Previous) != 0.0 {
		t.Errorf("tasks_overdue previous %v", hShow(od.Previous))
	}

	// The type and channel filters: phone requests are R3 alone.
	_, figs = f.board(t, insights.BoardTeam, "agent", url.Values{"channel": {"phone"}})
	hValue(t, figs["requests_open"], 1)
	hValue(t, figs["response_time"], 6)
	// The owner filter keeps one person.
	_, figs = f.board(t, insights.BoardTeam, "agent", url.Values{"owner": {f.ID("agent")}})
	hValue(t, figs["tasks_overdue"], 1)
	hValue(t, figs["deals_won"], 1000)
}

// The records behind a team hFigure name their person.
func TestTeamRecords(t *testing.T) {
	f := newHandFixture(t)
	res := f.Do(t, http.MethodGet, "/api/crm/insights/team/requests_open/records", "readonly", nil)
	var body struct{ Records []insights.Record }
	res.JSON(t, &body)
	var got []string
	for _, r := range body.Records {
		got = append(got, r.ID+"/"+r.Detail)
	}
	want := []string{f.ID("R2") + "/Rafael Lima", f.ID("R3") + "/Otávio Reis", f.ID("R5") + "/Rafael Lima"}
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("open request records %v, want %v", got, want)
	}
}

func hContains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
