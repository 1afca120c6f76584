package access_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Retention (plugins/retention): the rules are managers' to read and to
// change (months and switch); one per kind, seeded by the server, so nobody
// adds one through the API (a superuser's second rule of a kind is refused
// by the unique kind) and only superusers remove one (it comes back, off).
// The runs are managers' to read; the server writes them. The preview and
// the run on demand are managers' routes.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return retentionSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/retention/preview", nil, managers, http.StatusOK},
		route{http.MethodPost, "/api/crm/retention/run", nil, managers, http.StatusOK},
	)
}

// keepRetention labels the outbox's seeded rule (rrOut) and one run (rnA).
func keepRetention(w *testkit.World) {
	if w.Has("rrOut") {
		return
	}
	r, err := w.App.FindFirstRecordByData(crm.RetentionRules, crm.RetentionKind, crm.RetentionOutbox)
	if err != nil {
		panic(err)
	}
	w.Keep("rrOut", r)
	runs, err := w.App.FindCachedCollectionByNameOrId(crm.RetentionRuns)
	if err != nil {
		panic(err)
	}
	run := core.NewRecord(runs)
	run.Load(map[string]any{crm.RetentionRunTrigger: crm.RetentionNightly, crm.RetentionRunStarted: "2026-11-24 05:41:00.000Z", crm.RetentionRunChanged: 3})
	if err := w.App.Save(run); err != nil {
		panic(err)
	}
	w.Keep("rnA", run)
}

func retentionSpecs(withLabels bool) []spec {
	rules := spec{
		collection: crm.RetentionRules,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.RetentionKind: crm.RetentionLeads, crm.RetentionMonths: 3, crm.RetentionAction: crm.RetentionAnonymise, crm.RetentionEnabled: true}
		},
		canCreate: nil,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepRetention(w)
			return "rrOut", map[string]any{crm.RetentionMonths: 13 + w.Unique()%100}
		},
		canUpdate: managers,
		// The notifications' rule, removed first, made again to be removed.
		remove: func(w *testkit.World) map[string]any {
			if _, err := w.App.DB().Delete(crm.RetentionRules, dbx.HashExp{crm.RetentionKind: crm.RetentionNotifications}).Execute(); err != nil {
				panic(err)
			}
			return map[string]any{crm.RetentionKind: crm.RetentionNotifications, crm.RetentionMonths: 12, crm.RetentionAction: crm.RetentionDelete}
		},
		canDelete: superOnly,
	}
	runs := spec{
		collection: crm.RetentionRuns,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.RetentionRunTrigger: crm.RetentionManual, crm.RetentionRunStarted: "2026-11-24 10:00:00.000Z"}
		},
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepRetention(w)
			return "rnA", map[string]any{crm.RetentionRunChanged: 40 + w.Unique()}
		},
		canUpdate: superOnly,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{crm.RetentionRunTrigger: crm.RetentionManual, crm.RetentionRunStarted: "2026-11-24 10:00:00.000Z"}
		},
		canDelete: superOnly,
	}
	if withLabels {
		only := map[string][]string{manager: {"rrOut"}, superuser: {"rrOut"}}
		rules.labels, rules.sees = []string{"rrOut"}, only
		runs.labels, runs.sees = []string{"rnA"}, map[string][]string{manager: {"rnA"}, superuser: {"rnA"}}
	}
	return []spec{rules, runs}
}

// TestRetentionReads: the list, view and realtime rows of both collections.
func TestRetentionReads(t *testing.T) {
	w := newWorld(t)
	keepRetention(w)
	for _, s := range retentionSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
