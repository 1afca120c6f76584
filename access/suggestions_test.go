package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Next best action (plugins/predictions, suggest*.go): staff read the
// suggestions; nobody writes them through the record API, superusers
// included — writers accept or dismiss through the routes, readonly staff
// and customers cannot. Customers never list the collection: they read
// their own suggestions' reasons through the portal's profiling route,
// and object to profiling there.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return suggestionSpecs(false) })
	long := map[string]any{"note": strings.Repeat("n", 2001)}
	moreRoutes = append(moreRoutes,
		// bad input, so that every allowed actor gets the same answer and nothing changes
		route{http.MethodPost, "/api/crm/suggestions/anysuggestion1/accept", map[string]any{"task_title": ""}, writers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/suggestions/anysuggestion1/dismiss", long, writers, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/portal/profiling", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/profiling/objection", map[string]any{"text": strings.Repeat("x", 5001)}, customers3, http.StatusBadRequest},
		route{http.MethodDelete, "/api/crm/portal/profiling/objection", map[string]any{"text": strings.Repeat("x", 5001)}, customers3, http.StatusBadRequest},
	)
}

func suggestionRow(w *testkit.World, contact string) map[string]any {
	return map[string]any{crm.SuggestContact: w.ID(contact), crm.SuggestKind: crm.SuggestReorder, crm.SuggestSubject: "F300",
		crm.SuggestKey: fmt.Sprintf("reorder|F300|%d", w.Unique()), crm.SuggestState: crm.SuggestionOpen,
		crm.SuggestReasons: []map[string]any{{"event": crm.ReasonDue, "data": map[string]any{"in_days": 3}}}}
}

func suggestionSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.Suggestions, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any { return suggestionRow(w, "ctX") },
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			suggestionFixtures(w)
			return "sgA", map[string]any{crm.SuggestState: crm.SuggestionAccepted, crm.SuggestNote: "by the API"}
		},
		remove: func(w *testkit.World) map[string]any { return suggestionRow(w, "ctC") },
	}
	if withLabels {
		s.labels, s.sees = []string{"sgA", "sgC"}, staffOnly("sgA", "sgC")
	}
	return []spec{s}
}

// suggestionFixtures stores two suggestions as a fit would.
func suggestionFixtures(w *testkit.World) {
	if w.Has("sgA") {
		return
	}
	saveRecord(w, "sgA", crm.Suggestions, suggestionRow(w, "ctA"))
	saveRecord(w, "sgC", crm.Suggestions, suggestionRow(w, "ctC"))
}

// TestSuggestionsReads: list, view and realtime of suggestions: staff
// only, never a customer (not even their own).
func TestSuggestionsReads(t *testing.T) {
	w := newWorld(t)
	suggestionFixtures(w)
	for _, s := range suggestionSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
