package access_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Restriction of processing (plugins/restriction): the history is the
// server's to write — nobody writes it through the record API, superusers
// included — staff read it, each customer their own. The portal's routes
// act on the signed-in customer's own contact; staff read a contact's
// state, writers record one asked by phone or letter. The routes' rows
// send bad input, so that every allowed actor gets the same answer and
// nothing changes.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return restrictionSpecs(false) })
	long := map[string]any{"text": strings.Repeat("x", 5001)}
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/restriction", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/restriction", long, customers3, http.StatusBadRequest},
		route{http.MethodDelete, "/api/crm/portal/restriction", long, customers3, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/marketing/objection", long, customers3, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/contacts/{ctA}/restriction", nil, staffAll, http.StatusOK},
		route{http.MethodPost, "/api/crm/contacts/{ctA}/restriction", long, writers, http.StatusBadRequest},
		route{http.MethodDelete, "/api/crm/contacts/{ctA}/restriction", map[string]any{"source": "pigeon"}, writers, http.StatusBadRequest},
	)
}

func restrictionRow(w *testkit.World, contact string) map[string]any {
	return map[string]any{crm.RestrictContact: w.ID(contact), crm.RestrictAction: crm.RestrictionOn,
		crm.RestrictAt: "2026-01-05 10:00:00.000Z", crm.RestrictSource: "phone", crm.RestrictNote: "by phone"}
}

func restrictionSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.ProcessingRestrictions, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any { return restrictionRow(w, "ctX") },
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			restrictionFixtures(w)
			return "prA", map[string]any{crm.RestrictAction: crm.RestrictionLifted}
		},
		remove: func(w *testkit.World) map[string]any { return restrictionRow(w, "ctC") },
	}
	if withLabels {
		s.labels = []string{"prA", "prC"}
		s.sees = with(with(staffOnly("prA", "prC"), custA, "prA"), custC, "prC")
	}
	return []spec{s}
}

// restrictionFixtures stores a history row for Ana and one for Carla, as
// the server would.
func restrictionFixtures(w *testkit.World) {
	if w.Has("prA") {
		// An earlier row of a shared world may have deleted Ana's contact,
		// and her history with it.
		if _, err := w.App.FindRecordById(crm.ProcessingRestrictions, w.ID("prA")); err == nil {
			return
		}
	}
	saveRecord(w, "prA", crm.ProcessingRestrictions, restrictionRow(w, "ctA"))
	saveRecord(w, "prC", crm.ProcessingRestrictions, restrictionRow(w, "ctC"))
}

// TestRestrictionReads: list, view and realtime of the history: staff all,
// each customer their own.
func TestRestrictionReads(t *testing.T) {
	w := newWorld(t)
	restrictionFixtures(w)
	for _, s := range restrictionSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
