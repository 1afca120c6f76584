package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Objectives (plugins/insights/objectives.go): managers set them, staff
// read them and their daily snapshots; the snapshots are the server's
// alone (nobody writes one through the API); customers and anonymous see
// nothing. The routes give staff each objective with its status.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return objectiveSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/objectives", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/objectives?scope=mine", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/objectives/nosuchobjective", nil, staffAll, http.StatusNotFound},
	)
}

func objectiveRow(w *testkit.World) map[string]any {
	return map[string]any{
		crm.ObjectiveName: fmt.Sprintf("Objective %d", w.Unique()), crm.ObjectiveFigure: "sales/won_revenue",
		crm.ObjectiveTarget: 1000, crm.ObjectiveDirection: crm.ObjectiveAtLeast, crm.ObjectivePeriod: crm.MeasureMonthToDate,
		crm.ObjectiveStart: "2026-11-01 03:00:00.000Z", crm.ObjectiveDue: "2026-12-31 03:00:00.000Z",
	}
}

func snapshotRow(w *testkit.World) map[string]any {
	keepObjective(w)
	return map[string]any{
		crm.SnapshotObjective: w.ID("objA"), crm.SnapshotDay: fmt.Sprintf("2026-%02d-%02d", 1+w.Unique()%12, 1+w.Unique()%28),
		crm.SnapshotValue: 10, crm.SnapshotTarget: 1000, crm.SnapshotMeasuredAt: "2026-11-20 10:00:00.000Z",
	}
}

func objectiveSpecs(withLabels bool) []spec {
	objectives := spec{
		collection: crm.Objectives,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return objectiveRow(w) },
		canCreate:  managers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepObjective(w)
			return "objA", map[string]any{crm.ObjectiveTarget: 1000 + w.Unique()}
		},
		canUpdate: managers,
		remove:    func(w *testkit.World) map[string]any { return objectiveRow(w) },
		canDelete: managers,
	}
	snapshots := spec{
		collection: crm.ObjectiveSnapshots,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return snapshotRow(w) },
		canCreate:  nil,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepObjective(w)
			return "objSnapA", map[string]any{crm.SnapshotValue: 3}
		},
		canUpdate: nil,
		remove:    func(w *testkit.World) map[string]any { return snapshotRow(w) },
		canDelete: nil,
	}
	if withLabels {
		objectives.labels, objectives.sees = []string{"objA"}, staffOnly("objA")
		snapshots.labels, snapshots.sees = []string{"objSnapA"}, staffOnly("objSnapA")
	}
	return []spec{objectives, snapshots}
}

// keepObjective labels one objective (obA) and one of its snapshots (osA).
func keepObjective(w *testkit.World) {
	if w.Has("objA") {
		return
	}
	save := func(label, collection string, row map[string]any) {
		c, err := w.App.FindCachedCollectionByNameOrId(collection)
		if err != nil {
			panic(err)
		}
		r := core.NewRecord(c)
		r.Load(row)
		if err := w.App.Save(r); err != nil {
			panic(err)
		}
		w.Keep(label, r)
	}
	save("objA", crm.Objectives, objectiveRow(w))
	save("objSnapA", crm.ObjectiveSnapshots, map[string]any{
		crm.SnapshotObjective: w.ID("objA"), crm.SnapshotDay: "2026-11-19", crm.SnapshotValue: 10,
		crm.SnapshotTarget: 1000, crm.SnapshotMeasuredAt: "2026-11-20 10:00:00.000Z",
	})
}

// TestObjectiveReads: the list, view and realtime rows.
func TestObjectiveReads(t *testing.T) {
	w := newWorld(t)
	keepObjective(w)
	for _, s := range objectiveSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
