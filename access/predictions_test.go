package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// The customer value model (plugins/predictions): its fits (what the model
// was fitted on, its parameters and evaluation) are read by managers, the
// contacts' scores by all staff; nobody writes either through the API,
// superusers included — the fit alone does. Customers and anonymous see
// neither. The model's routes are for managers.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return predictionSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/insights/model", nil, managers, http.StatusOK},
		route{http.MethodPost, "/api/crm/insights/model/fit", map[string]any{"calibration_end": "not a day"}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/insights/model/fit", map[string]any{}, managers, http.StatusOK},
	)
}

func fitRow() map[string]any {
	return map[string]any{crm.FitFittedAt: "2026-11-24 06:30:00.000Z", crm.FitTrigger: crm.FitNightly, crm.FitScored: 1}
}

func scoreRow(w *testkit.World, contact string) map[string]any {
	modelFixtures(w)
	return map[string]any{crm.ScoreContact: w.ID(contact), crm.ScoreFit: w.ID("fitA"), crm.ScoreRecency: 3,
		crm.ScoreFrequency: 2, crm.ScoreMonetary: 4, crm.ScoreRFMClass: crm.RFMClassPotential, crm.ScorePActive: 0.7}
}

func predictionSpecs(withLabels bool) []spec {
	fits := spec{
		collection: crm.PredictionFits, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any { return fitRow() },
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			modelFixtures(w)
			return "fitA", map[string]any{crm.FitScored: 2 + w.Unique()}
		},
		remove: func(w *testkit.World) map[string]any { return fitRow() },
	}
	scores := spec{
		collection: crm.CustomerScores, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any { return scoreRow(w, "ctX") },
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			modelFixtures(w)
			return "scA", map[string]any{crm.ScorePActive: 0.99, crm.ScoreRFMClass: crm.RFMClassChampions}
		},
		remove: func(w *testkit.World) map[string]any {
			label := fmt.Sprintf("scored%d", w.Unique())
			saveRecord(w, label, crm.Contacts, map[string]any{"name": "Scored " + label})
			return scoreRow(w, label)
		},
	}
	if withLabels {
		fits.labels, fits.sees = []string{"fitA"}, map[string][]string{manager: {"fitA"}, superuser: {"fitA"}}
		scores.labels, scores.sees = []string{"scA", "scC"}, staffOnly("scA", "scC")
	}
	return []spec{fits, scores}
}

// modelFixtures stores a fit and two contacts' scores as the fit would.
func modelFixtures(w *testkit.World) {
	if w.Has("fitA") {
		return
	}
	saveRecord(w, "fitA", crm.PredictionFits, fitRow())
	saveRecord(w, "scA", crm.CustomerScores, scoreRow(w, "ctA"))
	saveRecord(w, "scC", crm.CustomerScores, scoreRow(w, "ctC"))
}

// saveRecord saves a record as the server would (no API rules) under a label.
func saveRecord(w *testkit.World, label, collection string, fields map[string]any) {
	c, err := w.App.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		panic(err)
	}
	r := core.NewRecord(c)
	r.Load(fields)
	if err := w.App.Save(r); err != nil {
		panic(fmt.Sprintf("%s: %v", label, err))
	}
	w.Keep(label, r)
}

// TestPredictionsReads: the list, view and realtime rows of both collections.
func TestPredictionsReads(t *testing.T) {
	w := newWorld(t)
	modelFixtures(w)
	for _, s := range predictionSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
