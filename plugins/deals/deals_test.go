package deals_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// Through the record API, as the board and the deal page send it: only the
// stage (and a reason to lose). The server sets the rest and keeps the
// history, with the days spent in each stage on the deals' clock.
func TestAPIMovesKeepTheDealsLife(t *testing.T) {
	w := newWorld(t)
	start := utc(w)
	id := postDeal(t, w, "agent", map[string]any{"title": "Padaria: forno novo", "stage": w.ID("stQual"), "amount": 1200, "contact": w.ID("ctA")})
	d := w.Find(t, crm.Deals, id)
	if d.GetString(crm.FieldPipeline) != w.ID("pipeline") {
		t.Errorf("pipeline %q, want the stage's", d.GetString(crm.FieldPipeline))
	}
	checkDeal(t, "created", d, crm.DealOpen, start, time.Time{}, "")
	rows := history(t, w, id)
	if len(rows) != 1 {
		t.Fatalf("%d history rows after create, want 1", len(rows))
	}
	checkRow(t, "created", rows[0], row{to: w.ID("stQual"), status: crm.DealOpen, by: w.ID("agent"), at: start})

	w.Clock.Add(84 * time.Hour) // three and a half days in Qualification
	movedAt := utc(w)
	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"stage": w.ID("stProp")}), http.StatusOK, "move to proposal")
	checkDeal(t, "in proposal", w.Find(t, crm.Deals, id), crm.DealOpen, movedAt, time.Time{}, "")

	w.Clock.Add(24 * time.Hour)
	wonAt := utc(w)
	testkit.Must(t, patchDeal(t, w, "manager", id, map[string]any{"stage": w.ID("stWon")}), http.StatusOK, "win")
	checkDeal(t, "won", w.Find(t, crm.Deals, id), crm.DealWon, wonAt, wonAt, "")

	w.Clock.Add(6 * time.Hour)
	lostAt := utc(w)
	// The business speaks Portuguese: its first reasons are in Portuguese.
	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"stage": w.ID("stLost"), "lost_reason": "Sem orçamento"}), http.StatusOK, "lose")
	checkDeal(t, "lost", w.Find(t, crm.Deals, id), crm.DealLost, lostAt, lostAt, "Sem orçamento")

	// A change of something else moves nothing.
	w.Clock.Add(time.Hour)
	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"amount": 900}), http.StatusOK, "amount")
	checkDeal(t, "amount changed", w.Find(t, crm.Deals, id), crm.DealLost, lostAt, lostAt, "Sem orçamento")

	w.Clock.Add(47 * time.Hour)
	reopenedAt := utc(w)
	testkit.Must(t, patchDeal(t, w, "manager", id, map[string]any{"stage": w.ID("stProp")}), http.StatusOK, "reopen")
	checkDeal(t, "reopened", w.Find(t, crm.Deals, id), crm.DealOpen, reopenedAt, time.Time{}, "")

	rows = history(t, w, id)
	if len(rows) != 5 {
		t.Fatalf("%d history rows, want 5", len(rows))
	}
	checkRow(t, "to proposal", rows[1], row{from: w.ID("stQual"), to: w.ID("stProp"), status: crm.DealOpen, by: w.ID("agent"), at: movedAt, days: 3.5})
	checkRow(t, "won", rows[2], row{from: w.ID("stProp"), to: w.ID("stWon"), status: crm.DealWon, by: w.ID("manager"), at: wonAt, days: 1})
	checkRow(t, "lost", rows[3], row{from: w.ID("stWon"), to: w.ID("stLost"), status: crm.DealLost, by: w.ID("agent"), at: lostAt, days: 0.25})
	checkRow(t, "reopened", rows[4], row{from: w.ID("stLost"), to: w.ID("stProp"), status: crm.DealOpen, by: w.ID("manager"), at: reopenedAt, days: 2})
}

// Staff never send what the server owns: 400 naming the field, nothing
// changed, on create and on update, even with the value the server would
// set. A superuser's dashboard sends every field back: accepted, and the
// server's values win.
func TestServerOwnedFieldsAreRefused(t *testing.T) {
	w := newWorld(t)
	id := postDeal(t, w, "agent", map[string]any{"title": "Oficina", "stage": w.ID("stQual")})
	before := w.Find(t, crm.Deals, id)
	for _, field := range []string{"status", "stage_changed_at", "closed_at"} {
		value := map[string]any{"status": "open", "stage_changed_at": "2026-01-01 10:00:00.000Z", "closed_at": ""}[field]
		for _, who := range []string{"manager", "agent"} {
			res := patchDeal(t, w, who, id, map[string]any{"stage": w.ID("stProp"), field: value})
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
				t.Errorf("%s sends %s: %d %s, want 400 naming it", who, field, res.Status, res.Body)
			}
		}
		n := w.Count(t, crm.Deals, "")
		res := w.Do(t, http.MethodPost, "/api/collections/deals/records", "agent", map[string]any{"title": "X", "stage": w.ID("stQual"), field: value})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) || w.Count(t, crm.Deals, "") != n {
			t.Errorf("create with %s: %d %s, want 400 naming it and no deal", field, res.Status, res.Body)
		}
	}
	after := w.Find(t, crm.Deals, id)
	if after.GetString("stage") != before.GetString("stage") || after.GetString("updated") != before.GetString("updated") || len(history(t, w, id)) != 1 {
		t.Errorf("a refused change changed the deal: stage %q, %d history rows", after.GetString("stage"), len(history(t, w, id)))
	}

	res := patchDeal(t, w, "superuser", id, map[string]any{"stage": w.ID("stProp"), "status": "won", "closed_at": "2020-01-01 00:00:00.000Z"})
	testkit.Must(t, res, http.StatusOK, "superuser saves the dashboard's form")
	checkDeal(t, "superuser", w.Find(t, crm.Deals, id), crm.DealOpen, utc(w), time.Time{}, "")
}

// Losing needs a reason from the manager's list (active ones) through the
// API; a save by code needs a reason too, in its own words (past deals
// brought in keep theirs).
func TestLosingNeedsAReason(t *testing.T) {
	w := newWorld(t)
	id := postDeal(t, w, "agent", map[string]any{"title": "Oficina", "stage": w.ID("stProp")})
	w.Make(t, "retired", crm.LostReasons, map[string]any{"name": "Old reason", "position": 50, "active": false})
	for _, c := range []struct {
		what string
		body map[string]any
	}{
		{"no reason", map[string]any{"stage": w.ID("stLost")}},
		{"a blank reason", map[string]any{"stage": w.ID("stLost"), "lost_reason": "  "}},
		{"a reason not on the list", map[string]any{"stage": w.ID("stLost"), "lost_reason": "The moon was full"}},
		{"a retired reason", map[string]any{"stage": w.ID("stLost"), "lost_reason": "Old reason"}},
	} {
		res := patchDeal(t, w, "agent", id, c.body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"lost_reason"`) {
			t.Errorf("%s: %d %s, want 400 naming lost_reason", c.what, res.Status, res.Body)
		}
	}
	if d := w.Find(t, crm.Deals, id); d.GetString("status") != crm.DealOpen || len(history(t, w, id)) != 1 {
		t.Errorf("a refused loss changed the deal: %s", d.GetString("status"))
	}
	n := w.Count(t, crm.Deals, "")
	res := w.Do(t, http.MethodPost, "/api/collections/deals/records", "agent", map[string]any{"title": "Lost at once", "stage": w.ID("stLost")})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"lost_reason"`) || w.Count(t, crm.Deals, "") != n {
		t.Errorf("create lost without a reason: %d %s", res.Status, res.Body)
	}

	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"stage": w.ID("stLost"), "lost_reason": "Escolheu um concorrente"}), http.StatusOK, "lose with a listed reason")
	// Once lost, the reason may change only to another listed one.
	if res := patchDeal(t, w, "agent", id, map[string]any{"lost_reason": "Something else"}); res.Status != http.StatusBadRequest {
		t.Errorf("change to an unlisted reason: %d %s", res.Status, res.Body)
	}
	// A reason later retired stays on the deals lost for it.
	w.Update(t, w.Find(t, crm.LostReasons, reasonID(t, w, "Escolheu um concorrente")), map[string]any{"active": false})
	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"amount": 10}), http.StatusOK, "edit a deal lost for a retired reason")

	// Code: a reason is needed, in its own words.
	deal := w.Find(t, crm.Deals, postDeal(t, w, "agent", map[string]any{"title": "Via code", "stage": w.ID("stQual")}))
	deal.Set("stage", w.ID("stLost"))
	if err := w.App.Save(deal); err == nil || !strings.Contains(err.Error(), "lost_reason") {
		t.Errorf("code loses a deal without a reason: %v", err)
	}
	w.Update(t, deal, map[string]any{"stage": w.ID("stLost"), "lost_reason": "Preço acima do orçamento"})
}

func reasonID(t *testing.T, w *testkit.World, name string) string {
	t.Helper()
	r, err := w.App.FindFirstRecordByData(crm.LostReasons, "name", name)
	if err != nil {
		t.Fatalf("reason %q: %v", name, err)
	}
	return r.Id
}

// A stage of another pipeline is refused, from the API and from code; a
// deal moves to another pipeline with its pipeline and one of its stages.
func TestStageOfAnotherPipeline(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "renewals", crm.Pipelines, map[string]any{"name": "Renewals"})
	w.Make(t, "rnOpen", crm.PipelineStages, map[string]any{"pipeline": w.ID("renewals"), "name": "Due", "kind": "open", "position": 1})
	id := postDeal(t, w, "agent", map[string]any{"title": "Oficina", "stage": w.ID("stQual")})

	res := patchDeal(t, w, "agent", id, map[string]any{"stage": w.ID("rnOpen")})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"stage"`) {
		t.Errorf("stage of another pipeline: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, "/api/collections/deals/records", "agent", map[string]any{"title": "X", "pipeline": w.ID("pipeline"), "stage": w.ID("rnOpen")})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"stage"`) {
		t.Errorf("create in a stage of another pipeline: %d %s", res.Status, res.Body)
	}
	deal := w.Find(t, crm.Deals, id)
	deal.Set("pipeline", w.ID("renewals"))
	if err := w.App.Save(deal); err == nil || !strings.Contains(err.Error(), "stage") {
		t.Errorf("code moves the pipeline without the stage: %v", err)
	}
	if len(history(t, w, id)) != 1 {
		t.Error("a refused move wrote history")
	}

	testkit.Must(t, patchDeal(t, w, "agent", id, map[string]any{"pipeline": w.ID("renewals"), "stage": w.ID("rnOpen")}), http.StatusOK, "move to the other pipeline")
	rows := history(t, w, id)
	if len(rows) != 2 || rows[1].GetString(crm.HistoryPipeline) != w.ID("renewals") {
		t.Errorf("history after a pipeline change: %d rows", len(rows))
	}
}
