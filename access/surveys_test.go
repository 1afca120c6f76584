package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Surveys (plugins/surveys): the answers customers gave. Staff read them;
// nobody writes them through the API (the server records an answer from
// the signed page or the portal); customers and anonymous see none.
//
// The settings of each survey (survey_settings): staff read, managers change
// them, nobody adds or removes one. The surveys sent (survey_requests): the
// server's alone, staff read. The survey page answers anybody holding a
// link (a wrong one: 404); the portal's surveys are the signed-in customer's.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return surveySpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/public/surveys/not-a-survey-token-0123456789", nil, actors, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/public/surveys/not-a-survey-token-0123456789", map[string]any{"score": 9}, actors, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/portal/surveys", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/surveys/nosuchsurvey", map[string]any{"score": 9}, customers3, http.StatusNotFound},
	)
}

func surveyRequestRow(w *testkit.World) map[string]any {
	return map[string]any{
		crm.SurveyRequestKind: crm.SurveyNPS, crm.SurveyRequestContact: w.ID("ctA"),
		crm.SurveyRequestTokenHash: fmt.Sprintf("%064d", w.Unique()),
		crm.SurveyRequestAskedAt:   "2026-11-20 10:00:00.000Z", crm.SurveyRequestExpiresAt: "2026-12-20 10:00:00.000Z",
	}
}

func surveyAnswerRow(w *testkit.World) map[string]any {
	return map[string]any{
		crm.AnswerKind: crm.SurveyNPS, crm.AnswerScore: 9, crm.AnswerContact: w.ID("ctA"),
		crm.AnswerComment: fmt.Sprintf("Good %d", w.Unique()), crm.AnswerAt: "2026-11-20 10:00:00.000Z",
	}
}

func surveySpecs(withLabels bool) []spec {
	answers := spec{
		collection: crm.SurveyAnswers,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return surveyAnswerRow(w) },
		canCreate:  nil,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepAnswer(w)
			return "saA", map[string]any{crm.AnswerScore: 3}
		},
		canUpdate: nil,
		remove:    func(w *testkit.World) map[string]any { return surveyAnswerRow(w) },
		canDelete: nil,
	}
	requests := spec{
		collection: crm.SurveyRequests,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return surveyRequestRow(w) },
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepAnswer(w)
			return "srA", map[string]any{crm.SurveyRequestKind: crm.SurveyCSAT}
		},
		remove: func(w *testkit.World) map[string]any { return surveyRequestRow(w) },
	}
	settings := spec{
		collection: crm.SurveySettings,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.SurveySettingKind: crm.SurveyNPS, crm.SurveySettingEveryDays: 30}
		},
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepAnswer(w)
			return "ssNPS", map[string]any{crm.SurveySettingEveryDays: 30 + w.Unique()%100}
		},
		canUpdate: managers,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{crm.SurveySettingKind: crm.SurveyCSAT}
		},
	}
	if withLabels {
		answers.labels, answers.sees = []string{"saA"}, staffOnly("saA")
		requests.labels, requests.sees = []string{"srA"}, staffOnly("srA")
		settings.labels, settings.sees = []string{"ssNPS", "ssCSAT"}, staffOnly("ssNPS", "ssCSAT")
	}
	return []spec{answers, requests, settings}
}

// keepAnswer labels one answer of customer A's contact, one survey sent
// (srA) and the two surveys' settings (ssNPS, ssCSAT).
func keepAnswer(w *testkit.World) {
	if w.Has("saA") {
		return
	}
	for label, kind := range map[string]string{"ssNPS": crm.SurveyNPS, "ssCSAT": crm.SurveyCSAT} {
		r, err := w.App.FindFirstRecordByData(crm.SurveySettings, crm.SurveySettingKind, kind)
		if err != nil {
			panic(err)
		}
		w.Keep(label, r)
	}
	reqs, err := w.App.FindCachedCollectionByNameOrId(crm.SurveyRequests)
	if err != nil {
		panic(err)
	}
	req := core.NewRecord(reqs)
	req.Load(surveyRequestRow(w))
	if err := w.App.Save(req); err != nil {
		panic(err)
	}
	w.Keep("srA", req)
	c, err := w.App.FindCachedCollectionByNameOrId(crm.SurveyAnswers)
	if err != nil {
		panic(err)
	}
	r := core.NewRecord(c)
	r.Load(surveyAnswerRow(w))
	if err := w.App.Save(r); err != nil {
		panic(err)
	}
	w.Keep("saA", r)
}

// TestSurveyReads: the list, view and realtime rows of the answers.
func TestSurveyReads(t *testing.T) {
	w := newWorld(t)
	keepAnswer(w)
	for _, s := range surveySpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
