package predictions_test

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
	"vinculo/testkit"
)

var today = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func ago(n int) time.Time { return today.AddDate(0, 0, -n) }

func cycle(product string, days, times, lastAgo int) model.Cycle {
	return model.Cycle{Product: product, Days: days, Times: times, Last: ago(lastAgo).Format(time.DateOnly),
		Next: ago(lastAgo - days).Format(time.DateOnly)}
}

func kinds(ss []predictions.Suggestion) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Kind+":"+s.Subject)
	}
	return strings.Join(out, ",")
}

// The rules of each suggestion, on hand-made inputs as of a set day.
func TestSuggestRules(t *testing.T) {
	base := predictions.ScoreView{Purchases: 4, Last: ago(27), Total: 400, PActive: 0.9, CLV: 300, Class: crm.RFMClassLoyal}
	rules := []model.Rule{
		{If: "BREAD", Then: "BUTTER", Confidence: 0.6, Lift: 2.4, Count: 12},
		{If: "BREAD", Then: "JAM", Confidence: 0.5, Lift: 0.8, Count: 20}, // below chance: never
		{If: "MILK", Then: "COOKIES", Confidence: 0.9, Lift: 3, Count: 2}, // too few occasions: chance
	}
	for _, c := range []struct {
		name string
		in   func(in *predictions.Inputs)
		want string
	}{
		{"a 30-day cycle, last 27 days ago: due in 3 days", func(in *predictions.Inputs) {
			in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 27)}
		}, "reorder:F300"},
		{"due in 8 days is too early", func(in *predictions.Inputs) {
			in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 22)}
		}, ""},
		{"overdue by more than half a cycle is no reorder", func(in *predictions.Inputs) {
			in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 46)}
		}, ""},
		{"bought again since the fit: not due", func(in *predictions.Inputs) {
			in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 27)}
			in.Bought = map[string]time.Time{"F300": ago(2)}
			in.LastDay = ago(2)
		}, ""},
		{"P(active) 0.2, last bought 140 days ago: likely to lapse", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Last = 0.2, ago(140)
		}, "lapse:"},
		{"a single purchase is no lapse", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Last, in.Score.Purchases = 0.2, ago(140), 1
		}, ""},
		{"no purchase model: no lapse", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Last = math.NaN(), ago(140)
		}, ""},
		{"among the most valuable, at risk: value at risk (and not also lapse)", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Last, in.Score.Class, in.ValueLine = 0.2, ago(140), crm.RFMClassCannotLose, 250
		}, "value_at_risk:"},
		{"below the value line: a lapse only", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Last, in.Score.Class, in.ValueLine = 0.2, ago(140), crm.RFMClassAtRisk, 500
		}, "lapse:"},
		{"bought bread, never butter: butter", func(in *predictions.Inputs) {
			in.Bought = map[string]time.Time{"BREAD": ago(27), "MILK": ago(27)}
		}, "cross_sell:BUTTER"},
		{"has butter already", func(in *predictions.Inputs) {
			in.Bought = map[string]time.Time{"BREAD": ago(27), "BUTTER": ago(60)}
		}, ""},
		{"an open request holds every offer back", func(in *predictions.Inputs) {
			in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 27)}
			in.Bought = map[string]time.Time{"BREAD": ago(27)}
			in.Open = []predictions.OpenRequest{{ID: "c2", Reference: "SUP-0002", Opened: ago(1)}, {ID: "c1", Reference: "SUP-0001", Opened: ago(5)}}
		}, "open_request:c1"},
		{"an open request with nothing to hold back says nothing", func(in *predictions.Inputs) {
			in.Open = []predictions.OpenRequest{{ID: "c1", Opened: ago(5)}}
		}, ""},
		{"due on their own rhythm: a reorder, not slipping away; best first", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Class, in.ValueLine = 0.3, crm.RFMClassAtRisk, 250
			in.Score.Last = ago(40)
			in.Score.Cycles = []model.Cycle{cycle("F300", 45, 4, 40)}
			in.Bought = map[string]time.Time{"BREAD": ago(40)}
		}, "reorder:F300,cross_sell:BUTTER"},
		{"best first: value at risk, then cross-sell", func(in *predictions.Inputs) {
			in.Score.PActive, in.Score.Class, in.ValueLine = 0.3, crm.RFMClassAtRisk, 250
			in.Score.Last = ago(90)
			in.Bought = map[string]time.Time{"BREAD": ago(90)}
		}, "value_at_risk:,cross_sell:BUTTER"},
	} {
		in := predictions.Inputs{Today: today, Score: base, Rules: rules, Names: map[string]string{"F300": "Fibre 300"}, Currency: "BRL"}
		c.in(&in)
		if in.LastDay.IsZero() {
			in.LastDay = in.Score.Last
		}
		if got := kinds(predictions.Suggest(in)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}

	// The numbers behind each reason.
	in := predictions.Inputs{Today: today, Score: base, Names: map[string]string{"F300": "Fibre 300"}, LastDay: base.Last}
	in.Score.Cycles = []model.Cycle{cycle("F300", 30, 4, 27)}
	s := predictions.Suggest(in)[0]
	cyc, due := s.Reasons[0], s.Reasons[1]
	if cyc.Event != crm.ReasonCycle || cyc.Data["days"] != 30 || cyc.Data["since"] != 27 || cyc.Data["name"] != "Fibre 300" ||
		due.Event != crm.ReasonDue || due.Data["in_days"] != 3 || !s.Due.Equal(ago(-3)) || s.Key != "reorder|F300|"+ago(27).Format(time.DateOnly) {
		t.Errorf("reorder reasons: %+v due %s key %s", s.Reasons, s.Due, s.Key)
	}
	in.Score.Cycles, in.Score.PActive, in.Score.Last, in.LastDay = nil, 0.2, ago(140), ago(140)
	s = predictions.Suggest(in)[0]
	if s.Reasons[0].Data["p"] != 0.2 || s.Reasons[1].Data["days"] != 140 || s.Reasons[1].Data["purchases"] != 4 {
		t.Errorf("lapse reasons: %+v", s.Reasons)
	}
	if l := predictions.ValueLine([]float64{10, 50, 20, 40, 30, 60, 70, 80, 90, 100}); l != 80 {
		t.Errorf("the top fifth of ten values starts at the 3rd highest, 80: %v", l)
	}
	if predictions.ValueLine([]float64{1, 2, 3}) != 0 {
		t.Error("three customers: no value line")
	}
}

// handMadeWorld: the cast with a set clock; Ana (ctA) bought Fibre 300
// every 30 days, the last 27 days ago; Bruno (ctB) bought bread once; twelve
// more buyers bought bread with butter (eight) or alone (four), and four
// others milk.
func handMadeWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()).Business(t)
	predictions.SetClock(w.App, w.Clock.Now)
	now := w.Clock.Now()
	for _, d := range []int{117, 87, 57, 27} {
		order(t, w, w.ID("ctA"), now.AddDate(0, 0, -d), 80, "paid", "F300")
	}
	order(t, w, w.ID("ctB"), now.AddDate(0, 0, -10), 12, "delivered", "BREAD")
	for i := range 12 {
		c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Baker " + string(rune('A'+i)), "owner": w.ID("agent2")})
		products := []string{"BREAD", "BUTTER"}
		if i >= 8 {
			products = products[:1]
		}
		order(t, w, c.Id, now.AddDate(0, 0, -60-i), 20, "delivered", products...)
	}
	for i := range 4 {
		c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Milk buyer " + string(rune('A'+i))})
		order(t, w, c.Id, now.AddDate(0, 0, -70-i), 5, "delivered", "MILK")
	}
	return w
}

func fit(t *testing.T, w *testkit.World) {
	t.Helper()
	if _, err := predictions.Fit(w.App, w.Cfg, predictions.Request{Trigger: crm.FitNightly, Now: w.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

// suggestionsOf lists contact's suggestions as "kind:state", best first.
func suggestionsOf(t *testing.T, w *testkit.World, contact string) ([]*core.Record, string) {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Suggestions, "contact = {:c}", "-rank,state", 0, 0, dbx.Params{"c": contact})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.GetString(crm.SuggestKind)+":"+r.GetString(crm.SuggestState))
	}
	return rows, strings.Join(out, ",")
}

// After a fit: Ana's reorder, Bruno's butter; an open request holds Ana's
// back until it closes; a dismissed reorder stays dismissed until its
// reason changes (Ana bought again and is due again); accepting makes a
// task and a timeline entry; readonly staff cannot decide.
func TestSuggestionsAfterAFit(t *testing.T) {
	w := handMadeWorld(t)
	fit(t, w)
	rows, got := suggestionsOf(t, w, w.ID("ctA"))
	if got != "reorder:open" {
		t.Fatalf("Ana: %q", got)
	}
	reorder := rows[0]
	if reorder.GetString(crm.SuggestOwner) != w.ID("agent") || reorder.GetString(crm.SuggestSubject) != "F300" ||
		!strings.Contains(reorder.GetString(crm.SuggestReasons), `"in_days":3`) {
		t.Errorf("Ana's reorder: %v", reorder.PublicExport())
	}
	rows, got = suggestionsOf(t, w, w.ID("ctB"))
	if got != "cross_sell:open" || !strings.Contains(rows[0].GetString(crm.SuggestReasons), `"then":"BUTTER"`) {
		t.Fatalf("Bruno: %q %s", got, rows[0].GetString(crm.SuggestReasons))
	}

	// A request opens: offer nothing now; it closes: the reorder is back.
	cs := w.Make(t, "csOpen", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "No signal"})
	if rows, got = suggestionsOf(t, w, w.ID("ctA")); got != "open_request:open" || !strings.Contains(rows[0].GetString(crm.SuggestReasons), `"held":1`) {
		t.Errorf("with a request open: %q %v", got, rows)
	}
	w.Update(t, cs, map[string]any{"status": "done"})
	if _, got = suggestionsOf(t, w, w.ID("ctA")); got != "reorder:open" {
		t.Errorf("request closed: %q", got)
	}
	rows, _ = suggestionsOf(t, w, w.ID("ctA"))
	reorder = rows[0]

	// Readonly cannot; bad input names the field; the agent dismisses.
	path := "/api/crm/suggestions/" + reorder.Id
	testkit.Must(t, w.Do(t, http.MethodPost, path+"/dismiss", "readonly", map[string]any{}), http.StatusForbidden, "readonly")
	res := w.Do(t, http.MethodPost, path+"/accept", "agent", map[string]any{"task_title": "  "})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "task_title") {
		t.Errorf("accept without a title: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, path+"/accept", "agent", map[string]any{"task_title": "Call", "due": "tomorrow"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"due"`) {
		t.Errorf("accept with a bad day: %d %s", res.Status, res.Body)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, path+"/dismiss", "agent", map[string]any{"note": "She told me she is travelling"}), http.StatusOK, "dismiss")
	testkit.Must(t, w.Do(t, http.MethodPost, path+"/accept", "agent", map[string]any{"task_title": "Call"}), http.StatusConflict, "decided twice")
	d, _ := w.App.FindRecordById(crm.Suggestions, reorder.Id)
	if d.GetString(crm.SuggestState) != crm.SuggestionDismissed || d.GetString(crm.SuggestDecidedBy) != w.ID("agent") ||
		d.GetDateTime(crm.SuggestDecidedAt).IsZero() || d.GetString(crm.SuggestNote) != "She told me she is travelling" {
		t.Errorf("the dismissal is recorded: %v", d.PublicExport())
	}
	if n := w.Count(t, crm.Activities, "event = {:e} AND contact = {:c}", dbx.Params{"e": crm.EventSuggestionDismissed, "c": w.ID("ctA")}); n != 1 {
		t.Errorf("one timeline entry for the dismissal, got %d", n)
	}
	fit(t, w)
	if _, got = suggestionsOf(t, w, w.ID("ctA")); got != "reorder:dismissed" {
		t.Errorf("a refit does not bring the dismissed reorder back: %q", got)
	}

	// Ana buys again and, 27 days later, is due again: a new reason.
	order(t, w, w.ID("ctA"), w.Clock.Now().Add(-time.Hour), 80, "paid", "F300")
	w.Clock.Add(27 * 24 * time.Hour)
	fit(t, w)
	rows, got = suggestionsOf(t, w, w.ID("ctA"))
	if got != "reorder:open,reorder:dismissed" && got != "reorder:dismissed,reorder:open" {
		t.Fatalf("due again after buying again: %q", got)
	}
	for _, r := range rows {
		if r.GetString(crm.SuggestState) == crm.SuggestionOpen {
			reorder = r
		}
	}
	res = testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/suggestions/"+reorder.Id+"/accept", "agent",
		map[string]any{"task_title": "Offer Fibre 300 to Ana", "note": "Good timing"}), http.StatusOK, "accept")
	a, _ := w.App.FindRecordById(crm.Suggestions, reorder.Id)
	task, err := w.App.FindRecordById(crm.Tasks, a.GetString(crm.SuggestTask))
	if err != nil || a.GetString(crm.SuggestState) != crm.SuggestionAccepted || task.GetString("title") != "Offer Fibre 300 to Ana" ||
		task.GetString("assignee") != w.ID("agent") || task.GetString("contact") != w.ID("ctA") || task.GetDateTime("due").IsZero() {
		t.Errorf("accepting makes the agent's task: %v %v", a.PublicExport(), err)
	}
	if n := w.Count(t, crm.Activities, "event = {:e} AND contact = {:c}", dbx.Params{"e": crm.EventSuggestionAccepted, "c": w.ID("ctA")}); n != 1 {
		t.Errorf("one timeline entry for the acceptance, got %d", n)
	}
	// The suggestion's owner follows the contact's.
	ana, _ := w.App.FindRecordById(crm.Contacts, w.ID("ctA"))
	w.Update(t, ana, map[string]any{"owner": w.ID("agent2")})
	if n := w.Count(t, crm.Suggestions, "contact = {:c} AND owner = {:o}", dbx.Params{"c": w.ID("ctA"), "o": w.ID("agent2")}); n != 2 {
		t.Errorf("Ana's two suggestions are agent2's now: %d", n)
	}
}

// Nobody writes suggestions through the record API, superusers included.
func TestSuggestionsAreServerWritten(t *testing.T) {
	w := handMadeWorld(t)
	fit(t, w)
	rows, _ := suggestionsOf(t, w, w.ID("ctA"))
	res := w.Do(t, http.MethodPatch, "/api/collections/suggestions/records/"+rows[0].Id, "manager", map[string]any{"state": "accepted"})
	if res.Status < 400 {
		t.Errorf("a manager patched a suggestion: %d", res.Status)
	}
	if r, _ := w.App.FindRecordById(crm.Suggestions, rows[0].Id); r.GetString(crm.SuggestState) != crm.SuggestionOpen {
		t.Error("the suggestion changed")
	}
}
