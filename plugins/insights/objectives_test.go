package insights_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// A figure of the test's own: how many survey answers were given in the
// period. Its board is none of the workspace's, so no board lists it.
func init() {
	insights.Add(insights.Def{Board: "objtest", Key: "answers", Unit: insights.UnitCount, Better: "up",
		Compute: func(app core.App, q insights.Query) (insights.Result, error) {
			var n int
			err := app.DB().NewQuery("SELECT COUNT(*) FROM survey_answers WHERE answered_at >= {:f} AND answered_at < {:t}").
				Bind(dbx.Params{"f": utc(q.From), "t": utc(q.To)}).Row(&n)
			return insights.Result{Value: insights.Float(float64(n)), Count: n}, err
		}})
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

type objectiveAnswer struct {
	ID     string `json:"id"`
	Series []struct {
		Day    string   `json:"day"`
		Value  *float64 `json:"value"`
		Target float64  `json:"target"`
	} `json:"series"`
	Status insights.Status `json:"status"`
}

// objectivesWorld: the business, served, with the insights clock on the
// world's clock.
func objectivesWorld(t *testing.T, start time.Time) *testkit.World {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.At(start), testkit.Served()).Business(t)
	insights.Configure(insights.Options{Now: w.Clock.Now})
	t.Cleanup(func() { insights.Configure(insights.Options{}) })
	return w
}

// 61 days of changing data (2026-03-01 .. 2026-04-30) under a set clock:
// each morning at 08:00 the daily job measures the day before, then that
// day's answers arrive (2 a day in March; 1 a day for April's first half,
// 4 a day after). The objective "at least 50 answers a month by 04-30",
// measured month to date, is on track in March, at risk in early April
// and on track again once the new pace is seen, then achieved.
func TestObjectivesOverSixtyDays(t *testing.T) {
	loc := testkit.SaoPaulo()
	day0 := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
	w := objectivesWorld(t, day0.Add(8*time.Hour))
	if w.Cfg.BusinessNow().Location().String() != loc.String() {
		t.Fatalf("the business is in %s", w.Cfg.BusinessNow().Location())
	}
	create := func(who string, fields map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/collections/"+crm.Objectives+"/records", who, fields)
	}
	res := testkit.Must(t, create("manager", map[string]any{
		"name": "50 answers a month", "figure": "objtest/answers", "target": 50, "direction": crm.ObjectiveAtLeast,
		"period": crm.MeasureMonthToDate, "start_date": "2026-03-01 03:00:00.000Z", "due_date": "2026-04-30 03:00:00.000Z",
		"owner": w.ID("agent"), "cost": 1200,
	}), http.StatusOK, "create the objective")
	var made struct{ ID string }
	res.JSON(t, &made)
	objA := made.ID
	res = testkit.Must(t, create("manager", map[string]any{
		"name": "At most 20 in 30 days", "figure": "objtest/answers", "target": 20, "direction": crm.ObjectiveAtMost,
		"period": crm.MeasureRolling30, "start_date": "2026-03-01 03:00:00.000Z", "due_date": "2026-04-30 03:00:00.000Z",
	}), http.StatusOK, "create the second objective")
	res.JSON(t, &made)
	objB := made.ID

	answers, err := w.App.FindCollectionByNameOrId(crm.SurveyAnswers)
	if err != nil {
		t.Fatal(err)
	}
	perDay := func(d time.Time) int {
		switch {
		case d.Month() == time.March:
			return 2
		case d.Day() <= 15:
			return 1
		}
		return 4
	}
	status := func(id string) objectiveAnswer {
		var o objectiveAnswer
		testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/objectives/"+id, "readonly", nil), http.StatusOK, "objective").JSON(t, &o)
		return o
	}
	snapshots := func(id string) int {
		return w.Count(t, crm.ObjectiveSnapshots, "objective = {:o}", dbx.Params{"o": id})
	}
	checks := map[string]struct {
		state     string
		projected float64 // worked out by hand (least squares over the month's days so far)
	}{
		"2026-03-01": {insights.StateAtRisk, 2},       // one value: it stands for the projection
		"2026-03-03": {insights.StateOnTrack, 62},     // 2, 4, 6: 2 a day, 62 by 03-31
		"2026-03-20": {insights.StateOnTrack, 62},     // still exactly 2 a day
		"2026-04-10": {insights.StateAtRisk, 30},      // 1..10: 30 by 04-30
		"2026-04-22": {insights.StateAtRisk, 48.7352}, // 1..15 then 19, 23, ... 43
		"2026-04-23": {insights.StateOnTrack, 51.3439},
	}
	for d := day0; d.Before(time.Date(2026, 5, 1, 0, 0, 0, 0, loc)); d = d.AddDate(0, 0, 1) {
		w.Clock.Set(d.Add(8 * time.Hour))
		key := d.Format(time.DateOnly)
		// The server was down from 03-06 to 03-08: the job did not run.
		if d.Month() != time.March || d.Day() < 6 || d.Day() > 8 {
			before := snapshots(objA)
			if _, err := insights.Snapshot(w.App, w.Cfg, w.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			got := snapshots(objA) - before
			want := 1
			switch {
			case d.Equal(day0):
				want = 0 // nothing has ended yet
			case key == "2026-03-09":
				want = 4 // 03-05 .. 03-08, caught up
			}
			if got != want {
				t.Errorf("%s: %d snapshots written, want %d", key, got, want)
			}
			// Running again the same day writes nothing.
			if n, err := insights.Snapshot(w.App, w.Cfg, w.Clock.Now()); err != nil || n != 0 {
				t.Errorf("%s: a second run wrote %d (%v)", key, n, err)
			}
		}
		for i := 0; i < perDay(d); i++ {
			r := core.NewRecord(answers)
			r.Load(map[string]any{crm.AnswerKind: crm.SurveyNPS, crm.AnswerScore: 9, crm.AnswerContact: w.ID("ctA"),
				crm.AnswerAt: d.Add(time.Duration(30+i) * time.Minute)})
			if err := w.App.Save(r); err != nil {
				t.Fatal(err)
			}
		}
		if want, ok := checks[key]; ok {
			got := status(objA).Status
			if got.State != want.state || got.Projected == nil || math.Abs(*got.Projected-want.projected) > 0.0001 {
				t.Errorf("%s: %+v (projected %v), want %s projected %v", key, got, deref(got.Projected), want.state, want.projected)
			}
		}
		if key == "2026-03-05" {
			// Rolling 30 days, at most 20: 2, 4, ..., 10 and rising.
			if got := status(objB).Status; got.State != insights.StateAtRisk || *got.Value != 10 {
				t.Errorf("at most 20 on 03-05: %+v", got)
			}
		}
	}

	// 05-02: the last day measured is the due date; it met the target.
	w.Clock.Set(time.Date(2026, 5, 2, 8, 0, 0, 0, loc))
	if _, err := insights.Snapshot(w.App, w.Cfg, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	a := status(objA)
	if n := snapshots(objA); n != 61 {
		t.Errorf("%d snapshots, want 61 (03-01 .. 04-30)", n)
	}
	byDay := map[string]float64{}
	for _, s := range a.Series {
		if s.Value == nil || s.Target != 50 {
			t.Fatalf("snapshot %s: %v target %v", s.Day, s.Value, s.Target)
		}
		byDay[s.Day] = *s.Value
	}
	for day, want := range map[string]float64{"2026-03-01": 2, "2026-03-06": 12, "2026-03-31": 62, "2026-04-01": 1, "2026-04-15": 15, "2026-04-30": 75} {
		if byDay[day] != want {
			t.Errorf("snapshot of %s: %v, want %v", day, byDay[day], want)
		}
	}
	if a.Status.State != insights.StateAchieved || *a.Status.Value != 75 || a.Status.JudgedOn != "2026-04-30" {
		t.Errorf("after the due date: %+v", a.Status)
	}
	if got := status(objB).Status; got.State != insights.StateMissed {
		t.Errorf("at most 20 in 30 days, after the due date: %+v", got)
	}

	// History survives later edits: March's answers deleted, the target
	// raised; the snapshots keep what was measured then.
	if _, err := w.App.DB().NewQuery("DELETE FROM survey_answers WHERE answered_at < '2026-04-01'").Execute(); err != nil {
		t.Fatal(err)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/"+crm.Objectives+"/records/"+objA, "manager", map[string]any{"target": 60}), http.StatusOK, "raise the target")
	a = status(objA)
	for _, s := range a.Series {
		if s.Day == "2026-03-31" && (*s.Value != 62 || s.Target != 50) {
			t.Errorf("03-31 after the edits: %v target %v", *s.Value, s.Target)
		}
	}
	if a.Status.State != insights.StateAchieved {
		t.Errorf("75 is at least 60: %+v", a.Status)
	}
	// Measured objectives keep their figure, filters and period.
	res = w.Do(t, http.MethodPatch, "/api/collections/"+crm.Objectives+"/records/"+objA, "manager", map[string]any{"period": crm.MeasureRolling30})
	if res.Status != http.StatusBadRequest || !hasField(t, res, "period") {
		t.Errorf("changing how a measured objective is measured: %d %s", res.Status, res.Body)
	}
}

// A missed day more than 31 days back is a gap, never filled in: an
// objective set on 04-20 that started on 03-01 is measured from 03-21.
func TestObjectiveCatchUpIsBounded(t *testing.T) {
	loc := testkit.SaoPaulo()
	w := objectivesWorld(t, time.Date(2026, 4, 21, 8, 0, 0, 0, loc))
	obj := w.Make(t, "", crm.Objectives, map[string]any{
		"name": "Since March", "figure": "objtest/answers", "target": 5, "direction": crm.ObjectiveAtLeast,
		"period": crm.MeasureSinceStart, "start_date": "2026-03-01 03:00:00.000Z", "due_date": "2026-12-31 03:00:00.000Z",
	})
	n, err := insights.Snapshot(w.App, w.Cfg, w.Clock.Now())
	if err != nil || n != 31 {
		t.Fatalf("%d snapshots (%v), want 31", n, err)
	}
	var min string
	_ = w.App.DB().NewQuery("SELECT MIN(day) FROM objective_snapshots WHERE objective = {:o}").Bind(dbx.Params{"o": obj.Id}).Row(&min)
	if min != "2026-03-21" {
		t.Errorf("first day measured %s", min)
	}
}

// Bad input names the field and changes nothing; only managers write.
func TestObjectiveBadInput(t *testing.T) {
	w := objectivesWorld(t, time.Date(2026, 4, 21, 8, 0, 0, 0, testkit.SaoPaulo()))
	good := func() map[string]any {
		return map[string]any{"name": "Win rate", "figure": "objtest/answers", "target": 30, "direction": crm.ObjectiveAtLeast,
			"period": crm.MeasureQuarterToDate, "start_date": "2026-04-01 03:00:00.000Z", "due_date": "2026-06-30 03:00:00.000Z"}
	}
	for field, change := range map[string]map[string]any{
		"figure":    {"figure": "sales/nope"},
		"filters":   {"filters": map[string]any{"pipeline": "nope"}},
		"due_date":  {"due_date": "2026-03-01 03:00:00.000Z"},
		"direction": {"direction": "sideways"},
		"period":    {"period": "fortnight"},
	} {
		body := good()
		for k, v := range change {
			body[k] = v
		}
		res := w.Do(t, http.MethodPost, "/api/collections/"+crm.Objectives+"/records", "manager", body)
		if res.Status != http.StatusBadRequest || !hasField(t, res, field) {
			t.Errorf("bad %s: %d %s", field, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.Objectives, ""); n != 0 {
		t.Errorf("%d objectives saved from bad input", n)
	}
	for _, who := range []string{"agent", "readonly"} {
		if res := w.Do(t, http.MethodPost, "/api/collections/"+crm.Objectives+"/records", who, good()); res.Status == http.StatusOK {
			t.Errorf("%s set an objective", who)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/objectives?scope=everyone", "manager", nil); res.Status != http.StatusBadRequest || !hasField(t, res, "scope") {
		t.Errorf("unknown scope: %d %s", res.Status, res.Body)
	}
}

// The home page's card: an agent sees the objectives they own, a manager all.
func TestObjectivesOfTheReader(t *testing.T) {
	w := objectivesWorld(t, time.Date(2026, 4, 21, 8, 0, 0, 0, testkit.SaoPaulo()))
	for i, owner := range []string{"agent", "agent2", ""} {
		fields := map[string]any{"name": fmt.Sprintf("Objective %d", i), "figure": "objtest/answers", "target": 10, "direction": crm.ObjectiveAtLeast,
			"period": crm.MeasureMonthToDate, "start_date": "2026-04-01 03:00:00.000Z", "due_date": "2026-04-30 03:00:00.000Z"}
		if owner != "" {
			fields["owner"] = w.ID(owner)
		}
		w.Make(t, "", crm.Objectives, fields)
	}
	count := func(who, scope string) int {
		var out struct{ Items []objectiveAnswer }
		testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/objectives"+scope, who, nil), http.StatusOK, who).JSON(t, &out)
		return len(out.Items)
	}
	for _, c := range []struct {
		who, scope string
		want       int
	}{{"agent", "?scope=mine", 1}, {"agent2", "?scope=mine", 1}, {"readonly", "?scope=mine", 0}, {"manager", "?scope=mine", 3}, {"agent", "", 3}} {
		if got := count(c.who, c.scope); got != c.want {
			t.Errorf("%s %s: %d objectives, want %d", c.who, c.scope, got, c.want)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/objectives", "", nil); res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
		t.Errorf("anonymous: %d", res.Status)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func hasField(t *testing.T, res testkit.Response, field string) bool {
	var body struct {
		Data map[string]any `json:"data"`
	}
	res.JSON(t, &body)
	_, ok := body.Data[field]
	return ok
}
