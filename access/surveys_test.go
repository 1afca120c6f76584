package access_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Surveys (plugins/surveys): the answers customers gave. Staff read them;
// nobody writes them through the API (the server records an answer from
// the signed page or the portal); customers and anonymous see none.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return surveySpecs(false) })
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
	if withLabels {
		answers.labels, answers.sees = []string{"saA"}, staffOnly("saA")
	}
	return []spec{answers}
}

// keepAnswer labels one answer of customer A's contact.
func keepAnswer(w *testkit.World) {
	if w.Has("saA") {
		return
	}
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
