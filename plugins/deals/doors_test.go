package deals_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// A JavaScript hook's $app.save and Go's app.Save are doors like the API:
// the server sets the fields and appends the history, naming the staff
// member a hook marks as the actor, nobody otherwise.
func TestEveryDoorKeepsTheDealsLife(t *testing.T) {
	w := newWorld(t)
	id := postDeal(t, w, "agent", map[string]any{"title": "Padaria", "stage": w.ID("stQual")})

	w.Clock.Add(48 * time.Hour)
	hookAt := utc(w)
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/test/deals/"+id+"/move", "", map[string]any{"stage": w.ID("stWon")}), http.StatusOK, "hook wins the deal")
	if !strings.Contains(string(res.Body), `"won"`) {
		t.Errorf("the hook saw status %s, want won", res.Body)
	}
	checkDeal(t, "won by a hook", w.Find(t, crm.Deals, id), crm.DealWon, hookAt, hookAt, "")

	w.Clock.Add(12 * time.Hour)
	markedAt := utc(w)
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/test/deals/"+id+"/move", "", map[string]any{"stage": w.ID("stLost"), "lost_reason": "Bad timing", "staff": w.ID("agent2")}), http.StatusOK, "hook for a staff member")
	checkDeal(t, "lost by a hook", w.Find(t, crm.Deals, id), crm.DealLost, markedAt, markedAt, "Bad timing")
	if res := w.Do(t, http.MethodPost, "/api/test/deals/"+id+"/move", "", map[string]any{"stage": w.ID("stWon")}); res.Status != http.StatusOK {
		t.Fatalf("hook wins again: %d %s", res.Status, res.Body)
	}

	w.Clock.Add(24 * time.Hour)
	codeAt := utc(w)
	w.Update(t, w.Find(t, crm.Deals, id), map[string]any{"stage": w.ID("stProp")})
	checkDeal(t, "reopened by code", w.Find(t, crm.Deals, id), crm.DealOpen, codeAt, time.Time{}, "")

	rows := history(t, w, id)
	if len(rows) != 5 {
		t.Fatalf("%d history rows, want 5", len(rows))
	}
	checkRow(t, "hook", rows[1], row{from: w.ID("stQual"), to: w.ID("stWon"), status: crm.DealWon, at: hookAt, days: 2})
	checkRow(t, "hook as agent2", rows[2], row{from: w.ID("stWon"), to: w.ID("stLost"), status: crm.DealLost, by: w.ID("agent2"), at: markedAt, days: 0.5})
	checkRow(t, "code", rows[4], row{from: w.ID("stWon"), to: w.ID("stProp"), status: crm.DealOpen, at: codeAt, days: 1})

	// Code creating a deal: the pipeline from the stage, the status from its
	// kind whatever it was told, the history's first row.
	made := w.Make(t, "", crm.Deals, map[string]any{"title": "Won at once", "stage": w.ID("stWon"), "status": "open", "lost_reason": "stray"})
	checkDeal(t, "made won", made, crm.DealWon, utc(w), utc(w), "")
	if made.GetString("pipeline") != w.ID("pipeline") || len(history(t, w, made.Id)) != 1 {
		t.Errorf("made: pipeline %q, %d history rows", made.GetString("pipeline"), len(history(t, w, made.Id)))
	}
	// A past deal brought in by code keeps its dates.
	past := w.Make(t, "", crm.Deals, map[string]any{"title": "Old", "stage": w.ID("stLost"), "lost_reason": "Preço",
		"stage_changed_at": "2025-03-01 12:00:00.000Z", "closed_at": "2025-03-02 12:00:00.000Z"})
	checkDeal(t, "past", past, crm.DealLost, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC), "Preço")
}

// The history is the server's: staff read it, nobody writes it through the
// API (superusers included), customers and anonymous see nothing.
func TestHistoryIsWrittenOnlyByTheServer(t *testing.T) {
	w := newWorld(t)
	id := postDeal(t, w, "agent", map[string]any{"title": "Padaria", "stage": w.ID("stQual")})
	row := history(t, w, id)[0]
	for _, who := range []string{"manager", "superuser"} {
		if res := w.Do(t, http.MethodPost, "/api/collections/deal_stage_history/records", who, map[string]any{"deal": id, "to_stage": w.ID("stWon"), "at": "2026-11-24 10:00:00.000Z"}); res.Status != http.StatusForbidden {
			t.Errorf("%s creates history: %d %s", who, res.Status, res.Body)
		}
		if res := w.Do(t, http.MethodPatch, "/api/collections/deal_stage_history/records/"+row.Id, who, map[string]any{"days_in_previous": 99}); res.Status != http.StatusForbidden {
			t.Errorf("%s changes history: %d %s", who, res.Status, res.Body)
		}
		if res := w.Do(t, http.MethodDelete, "/api/collections/deal_stage_history/records/"+row.Id, who, nil); res.Status != http.StatusForbidden {
			t.Errorf("%s deletes history: %d %s", who, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.DealStageHistory, ""); n != 1 || w.Reload(t, row).GetFloat(crm.HistoryDaysIn) != 0 {
		t.Errorf("history changed: %d rows", n)
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/deal_stage_history/records?filter=deal='"+id+"'", "readonly", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), row.Id) {
		t.Errorf("readonly reads history: %d %s", res.Status, res.Body)
	}
	// A deal deleted takes its history with it.
	testkit.Must(t, w.Do(t, http.MethodDelete, "/api/collections/deals/records/"+id, "manager", nil), http.StatusNoContent, "delete deal")
	if n := w.Count(t, crm.DealStageHistory, ""); n != 0 {
		t.Errorf("%d history rows left after the deal went", n)
	}
}
