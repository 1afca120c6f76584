package insights_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// svcFigure is one figure of a board's answer.
type svcFigure struct {
	Key      string             `json:"key"`
	Applied  []string           `json:"applied"`
	Value    *float64           `json:"value"`
	Count    int                `json:"count"`
	Previous *float64           `json:"previous"`
	Series   []insights.Point   `json:"series"`
	Table    *insights.Table    `json:"table"`
	Apart    map[string]float64 `json:"apart"`
	Extra    map[string]float64 `json:"extra"`
}

type svcAnswer struct {
	Empty   bool        `json:"empty"`
	Figures []svcFigure `json:"figures"`
}

// board asks the API for a board as staff and indexes its figures by key.
func askBoard(t *testing.T, w *testkit.World, name, query string) (map[string]svcFigure, bool) {
	t.Helper()
	res := testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/insights/"+name+"?"+query, "readonly", nil), http.StatusOK, name)
	var a svcAnswer
	res.JSON(t, &a)
	out := map[string]svcFigure{}
	for _, f := range a.Figures {
		out[f.Key] = f
	}
	return out, a.Empty
}

func svcNear(a, b float64) bool { return math.Abs(a-b) < 0.005 }

// want checks a figure's value (nil: none) and its previous one.
func wantFig(t *testing.T, figs map[string]svcFigure, key string, value, previous *float64) {
	t.Helper()
	f, ok := figs[key]
	if !ok {
		t.Fatalf("no figure %s", key)
	}
	same := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && svcNear(*a, *b) }
	if !same(f.Value, value) || !same(f.Previous, previous) {
		t.Errorf("%s = %s (previous %s), want %s (previous %s)", key, svcShow(f.Value), svcShow(f.Previous), svcShow(value), svcShow(previous))
	}
}

func svcShow(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprint(*v)
}

func svcNum(v float64) *float64 { return &v }

// wantSeries checks a series' labels, values and parts.
func wantSeries(t *testing.T, key string, got []insights.Point, want []insights.Point) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s series %+v, want %+v", key, got, want)
	}
	for i := range want {
		if got[i].Label != want[i].Label || !svcNear(got[i].Value, want[i].Value) {
			t.Errorf("%s series[%d] = %s %v, want %s %v", key, i, got[i].Label, got[i].Value, want[i].Label, want[i].Value)
		}
		for k, v := range want[i].Parts {
			if !svcNear(got[i].Parts[k], v) {
				t.Errorf("%s series %s part %s = %v, want %v (%v)", key, want[i].Label, k, got[i].Parts[k], v, got[i].Parts)
			}
		}
	}
}

// insightsWorld is the demo business with a holiday (Monday 2026-10-12,
// Nossa Senhora Aparecida), hours mon-fri 09:00-18:00 in São Paulo, and the
// boards' clock at Tuesday 2026-11-24 10:00.
func insightsWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Configure(func(c *crm.Config) {
		c.Business.Holidays = []string{"2026-10-12"}
	})).Business(t)
	insights.Configure(insights.Options{Now: w.Clock.Now})
	t.Cleanup(func() { insights.Configure(insights.Options{}) })
	return w
}

// exec runs a statement on the test database (re-dating what the server
// stamped with the wall clock, to the day the story says).
func exec(t *testing.T, w *testkit.World, sql string, params dbx.Params) {
	t.Helper()
	if _, err := w.App.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
		t.Fatal(err)
	}
}

func dbAt(t *testing.T, wall string) string { return insights.DBTime(testkit.Wall(t, wall)) }

// serviceStory: the requests of September and October 2026. Business
// hours: mon-fri 09:00-18:00 (9 h a day), 2026-10-12 closed. Support: first
// answer 4 h, resolved 40 h; Billing: 2 h and 9 h.
func serviceStory(t *testing.T, w *testkit.World) {
	w.Make(t, "tpBill", crm.CaseTypes, map[string]any{"name": "Billing", "code": "BIL", "category": "support",
		"active": true, "sla_first_response_hours": 2, "sla_resolution_hours": 9,
		"statuses": []map[string]any{
			{"key": "new", "label": "New", "public_label": "Received"},
			{"key": "triage", "label": "Triage", "public_label": "Being looked at"},
			{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
		}})
	n := 0
	request := func(label, kind, channel, assignee, opened string, fields map[string]any) {
		n++
		f := map[string]any{"type": w.ID(kind), "contact": w.ID("ctA"), "subject": label, "channel": channel, "status": "new"}
		if assignee != "" {
			f["assignee"] = w.ID(assignee)
		}
		for k, v := range fields {
			f[k] = v
		}
		w.MakeCreated(t, label, crm.Cases, fmt.Sprintf("request%08d", n), testkit.Wall(t, opened), f)
	}
	done := func(closed string) map[string]any {
		return map[string]any{"status": "done", "closed_at": testkit.Wall(t, closed)}
	}
	with := func(a, b map[string]any) map[string]any {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	// R0: September. Answered in 2 h, solved in 9 h (Tue 09:00 to Wed 09:00).
	request("R0", "tpSup", "email", "agent", "2026-09-15 09:00", with(done("2026-09-16 09:00"),
		map[string]any{"first_response_at": testkit.Wall(t, "2026-09-15 11:00"), "rating": 5}))
	// R1: opened Friday 17:00 before the holiday weekend. Answered Tuesday
	// 10:00: Fri 17-18 (1 h) + Tue 09-10 (1 h) = 2 h. Solved Tuesday 15:00:
	// 1 h + 6 h = 7 h. Due: first answer 4 h = Fri 1 h + Tue 3 h → Tue
	// 12:00; solved 40 h = Fri 1 + Tue..Fri 36 → Mon 19th + 3 h = 12:00.
	request("R1", "tpSup", "email", "agent", "2026-10-09 17:00", with(done("2026-10-13 15:00"),
		map[string]any{"first_response_at": testkit.Wall(t, "2026-10-13 10:00"), "rating": 5}))
	// R2: answered after 6 h (due 13:00: late); solved Fri 12:00 = 9 + 3 = 12 h.
	request("R2", "tpSup", "phone", "agent2", "2026-10-01 09:00", with(done("2026-10-02 12:00"),
		map[string]any{"first_response_at": testkit.Wall(t, "2026-10-01 15:00"), "rating": 2}))
	// R3 (Billing), reopened: opened Mon 5th 09:00, answered 10:00 (1 h, due
	// 11:00), closed 12:00, reopened, closed again Wed 7th 11:00. Its
	// resolution time runs to the last close: Mon 9 + Tue 9 + Wed 2 = 20 h.
	request("R3", "tpBill", "email", "agent", "2026-10-05 09:00", with(done("2026-10-05 12:00"),
		map[string]any{"first_response_at": testkit.Wall(t, "2026-10-05 10:00")}))
	// R4: opened Mon 28 Sep 10:00, answered Thu 1 Oct 10:00: 8 + 9 + 9 + 1 = 27 h; open.
	request("R4", "tpSup", "chat", "", "2026-09-28 10:00", map[string]any{"status": "triage",
		"first_response_at": testkit.Wall(t, "2026-10-01 10:00")})
	// R5: opened Tue 20 Oct 14:00, unanswered, open.
	request("R5", "tpSup", "email", "agent", "2026-10-20 14:00", nil)
	// R6: opened Fri 30 Oct 16:00, answered and closed in November.
	request("R6", "tpSup", "portal", "agent2", "2026-10-30 16:00", with(done("2026-11-03 10:00"),
		map[string]any{"first_response_at": testkit.Wall(t, "2026-11-02 09:30")}))

	// The due times the server counted in business hours, checked by hand.
	for label, due := range map[string][2]string{
		"R1": {"2026-10-13 12:00", "2026-10-19 12:00"},
		"R2": {"2026-10-01 13:00", "2026-10-07 13:00"}, // 40 h = Thu 9 + Fri 9 + Mon 9 + Tue 9 + Wed 4
		"R3": {"2026-10-05 11:00", "2026-10-05 18:00"},
	} {
		r := w.Reload(t, w.R(label))
		if !r.GetDateTime("first_response_due").Time().Equal(testkit.Wall(t, due[0])) ||
			!r.GetDateTime("resolution_due").Time().Equal(testkit.Wall(t, due[1])) {
			t.Fatalf("%s due %v / %v, want %s / %s", label, r.GetDateTime("first_response_due"), r.GetDateTime("resolution_due"), due[0], due[1])
		}
	}
	// R3 reopens (closed_at goes), then closes again on Wed 7th 11:00. The
	// resolution clock had 6 h left (12:00 to 18:00 on Monday): reopened on
	// Tue 6th 09:00 it is due Tue 15:00; closed Wed 11:00 it is late.
	w.Update(t, w.R("R3"), map[string]any{"status": "triage"})
	if r := w.Reload(t, w.R("R3")); !r.GetDateTime("closed_at").IsZero() || r.GetBool("closed") {
		t.Fatalf("R3 reopened keeps closed_at %v", r.GetDateTime("closed_at"))
	}
	w.Update(t, w.R("R3"), map[string]any{"status": "done", "closed_at": testkit.Wall(t, "2026-10-07 11:00"),
		"resolution_due": testkit.Wall(t, "2026-10-06 15:00"), "rating": 3})

	// Ratings: each writes its CSAT answer (plugins/surveys); the day they
	// were given is set back to the story's. R3's rating is from before
	// surveys existed: it has no answer row and counts through cases.rating.
	for label, day := range map[string]string{"R0": "2026-09-16 10:00", "R1": "2026-10-14 10:00", "R2": "2026-10-03 10:00", "R3": "2026-10-08 10:00"} {
		p := dbx.Params{"id": w.ID(label), "at": dbAt(t, day)}
		exec(t, w, "UPDATE cases SET rated_at = {:at} WHERE id = {:id}", p)
		exec(t, w, "UPDATE survey_answers SET answered_at = {:at} WHERE [[case]] = {:id}", p)
	}
	exec(t, w, "DELETE FROM survey_answers WHERE [[case]] = {:id}", dbx.Params{"id": w.ID("R3")})
	if n := w.Count(t, crm.SurveyAnswers, "kind = 'csat'"); n != 3 {
		t.Fatalf("%d CSAT answers, want 3 (R0, R1, R2)", n)
	}
}

func TestServiceBoardByHand(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)

	// October 2026 (last month from Tuesday 24 November); previous: September.
	figs, empty := askBoard(t, w, insights.BoardService, "period=last_month")
	if empty {
		t.Fatal("October has requests: not empty")
	}
	// Opened in October: R1, R2, R3, R5, R6 = 5 (Billing 1, Support 4); September: R0, R4 = 2.
	wantFig(t, figs, "requests_opened", svcNum(5), svcNum(2))
	wantSeries(t, "requests_opened", figs["requests_opened"].Series, []insights.Point{{Label: "Billing", Value: 1}, {Label: "Support", Value: 4}})
	// Closed in October (at their last close): R1, R2, R3 (once) = 3; R6 closed
	// in November. September: R0.
	wantFig(t, figs, "requests_closed", svcNum(3), svcNum(1))
	// Open at 1 Nov 00:00: R4 (33 days 14 h: 30+), R5 (11 days 10 h: 7-30),
	// R6 (1 day 8 h: 1-3) = 3. At 1 Oct 00:00: R4 (2 days 14 h: 1-3) = 1.
	wantFig(t, figs, "backlog_age", svcNum(3), svcNum(1))
	wantSeries(t, "backlog_age", figs["backlog_age"].Series, []insights.Point{
		{Label: "0-1", Value: 0}, {Label: "1-3", Value: 1}, {Label: "3-7", Value: 0}, {Label: "7-30", Value: 1}, {Label: "30+", Value: 1}})
	// First answers in October: R3 1, R1 2, R2 6, R4 27 h. Median (2+6)/2 =
	// 4; p90 at rank ⌈0.9·4⌉ = 4: 27. Two targets (4 and 2): none overall.
	// September: R0 2 h (target 4).
	fr := figs["first_response_time"]
	wantFig(t, figs, "first_response_time", svcNum(4), svcNum(2))
	if fr.Extra["p90"] != 27 || fr.Count != 4 {
		t.Errorf("first response p90 %v count %d, want 27 and 4 (%v)", fr.Extra["p90"], fr.Count, fr.Extra)
	}
	if _, ok := fr.Extra["target"]; ok {
		t.Errorf("first response target %v with two types' targets", fr.Extra["target"])
	}
	// Support: 2, 6, 27 → median 6, p90 rank 3 = 27, target 4; Billing: 1, target 2.
	wantSeries(t, "first_response_time", fr.Series, []insights.Point{
		{Label: "Billing", Value: 1, Parts: map[string]float64{"p90": 1, "target": 2}},
		{Label: "Support", Value: 6, Parts: map[string]float64{"p90": 27, "target": 4}}})
	// Resolution, closed in October: R1 7, R2 12, R3 20 h (to its last
	// close) → median 12, p90 rank 3 = 20. September: R0 9 h.
	rt := figs["resolution_time"]
	wantFig(t, figs, "resolution_time", svcNum(12), svcNum(9))
	if rt.Extra["p90"] != 20 {
		t.Errorf("resolution p90 %v, want 20", rt.Extra["p90"])
	}
	wantSeries(t, "resolution_time", rt.Series, []insights.Point{
		{Label: "Billing", Value: 20, Parts: map[string]float64{"p90": 20, "target": 9}},
		{Label: "Support", Value: 9.5, Parts: map[string]float64{"p90": 12, "target": 40}}}) // (7+12)/2; rank ⌈1.8⌉ = 2
	// Within SLA: R1 kept both; R2 answered late; R3 closed after its due
	// time → 1 of 3 = 33.33 %. September: R0 kept both → 100 %.
	sla := figs["within_sla"]
	wantFig(t, figs, "within_sla", svcNum(100.0/3), svcNum(100))
	wantSeries(t, "within_sla", sla.Series, []insights.Point{{Label: "Billing", Value: 0}, {Label: "Support", Value: 50}})
	wantRows := [][]any{
		{"type", "Billing", 0, 1, 0}, {"type", "Support", 1, 2, 50},
		{"channel", "email", 1, 2, 50}, {"channel", "phone", 0, 1, 0},
		{"assignee", "Otávio Reis", 0, 1, 0}, {"assignee", "Rafael Lima", 1, 2, 50},
	}
	if sla.Table == nil || fmt.Sprint(sla.Table.Rows) != fmt.Sprint(wantRows) {
		t.Errorf("within SLA table %+v, want rows %v", sla.Table, wantRows)
	}
	// CSAT in October: answers R1 5 and R2 2, and R3's rating 3 without an
	// answer; R1's rating is its answer, counted once → 10 / 3 = 3.33.
	// September: R0 5.
	wantFig(t, figs, "csat", svcNum(10.0/3), svcNum(5))
	if c := figs["csat"]; c.Count != 3 || c.Extra["surveys"] != 2 || c.Extra["ratings"] != 1 {
		t.Errorf("csat count %d extra %v, want 3 (2 surveys, 1 rating)", c.Count, c.Extra)
	}

	// Filters: Billing only; email only; Otávio's only.
	figs, _ = askBoard(t, w, insights.BoardService, "period=last_month&type="+w.ID("tpBill"))
	wantFig(t, figs, "requests_closed", svcNum(1), svcNum(0))
	wantFig(t, figs, "within_sla", svcNum(0), nil)
	wantFig(t, figs, "resolution_time", svcNum(20), nil)
	if a := figs["requests_closed"].Applied; len(a) != 1 || a[0] != "type" {
		t.Errorf("applied %v, want [type]", a)
	}
	figs, _ = askBoard(t, w, insights.BoardService, "period=last_month&channel=email")
	wantFig(t, figs, "requests_opened", svcNum(3), svcNum(1)) // R1, R3, R5; September R0
	wantFig(t, figs, "csat", svcNum(4), svcNum(5))            // R1 5, R3 3
	figs, _ = askBoard(t, w, insights.BoardService, "period=last_month&owner="+w.ID("agent2"))
	wantFig(t, figs, "requests_opened", svcNum(2), svcNum(0)) // R2, R6
	wantFig(t, figs, "backlog_age", svcNum(1), svcNum(0))     // R6

	// A period with no data: zeros, no value, and says so.
	figs, empty = askBoard(t, w, insights.BoardService, "period=custom&from=2020-01-01&to=2020-01-31")
	if !empty {
		t.Error("January 2020 is not empty")
	}
	wantFig(t, figs, "requests_opened", svcNum(0), svcNum(0))
	wantFig(t, figs, "backlog_age", svcNum(0), svcNum(0))
	for _, k := range []string{"first_response_time", "resolution_time", "within_sla", "csat"} {
		wantFig(t, figs, k, nil, nil)
		if figs[k].Count != 0 {
			t.Errorf("%s counts %d in 2020", k, figs[k].Count)
		}
	}

	// The records behind a figure: the requests closed in October, last first.
	var recs struct {
		Records []insights.Record `json:"records"`
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/insights/service/resolution_time/records?period=last_month", "readonly", nil), http.StatusOK, "records").JSON(t, &recs)
	if len(recs.Records) != 3 || recs.Records[0].ID != w.ID("R1") || *recs.Records[0].Value != 7 || *recs.Records[1].Value != 20 || *recs.Records[2].Value != 12 {
		t.Errorf("records %+v, want R1 7 h, R3 20 h, R2 12 h", recs.Records)
	}
}
