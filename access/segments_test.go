package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Segments built in the workspace (plugins/segments): staff read them;
// writers create segments (theirs) and edit their own, managers all;
// customers never. Their daily snapshots are read by staff and written by
// the server alone. The count and members routes are staff's.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return segmentSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/segments/count", map[string]any{"definition": map[string]any{"match": "any", "conditions": []any{
			map[string]any{"kind": "bought", "op": "bought", "days": 90}}}}, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/segments/{sgG}/members", nil, staffAll, http.StatusOK},
	)
}

var segmentDefinition = map[string]any{"match": "all", "conditions": []any{
	map[string]any{"kind": "tag", "op": "has", "value": "vip"},
	map[string]any{"kind": "spent", "op": "gt", "value": 100, "days": 90},
}}

func segmentFixtures(w *testkit.World) {
	if w.Has("sdG") {
		return
	}
	w.Make(nil2(w), "sdG", crm.Segments, map[string]any{"name": "VIP spenders", crm.SegmentDefinition: segmentDefinition,
		crm.SegmentProposition: "Early access", "owner": w.ID("stG")})
	w.Make(nil2(w), "sdG2", crm.Segments, map[string]any{"name": "VIP spenders 2", crm.SegmentDefinition: segmentDefinition, "owner": w.ID("stG2")})
	w.Make(nil2(w), "ssG", crm.SegmentSnapshots, map[string]any{crm.SnapSegment: w.ID("sdG"), crm.SnapDay: "2026-11-01", crm.SnapMembers: 3, crm.SnapRevenue: 120})
}

func segmentSpecs(withLabels bool) []spec {
	built := spec{
		collection: crm.Segments, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{"name": fmt.Sprintf("Built %d", w.Unique()), crm.SegmentDefinition: segmentDefinition, crm.SegmentProposition: "Free delivery"}
		},
		canCreate: writers,
		// The agent's own segment: the agent and managers edit it.
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			segmentFixtures(w)
			return "sdG", map[string]any{crm.SegmentProposition: fmt.Sprintf("Offer %d", w.Unique())}
		},
		canUpdate: writers,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{"name": "Gone", crm.SegmentDefinition: segmentDefinition, "owner": w.ID("stG2")}
		},
		canDelete: managers,
	}
	snaps := spec{
		collection: crm.SegmentSnapshots, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			segmentFixtures(w)
			return map[string]any{crm.SnapSegment: w.ID("sdG"), crm.SnapDay: fmt.Sprintf("2026-10-%02d", 1+w.Unique()%28), crm.SnapMembers: 1}
		},
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			segmentFixtures(w)
			return "ssG", map[string]any{crm.SnapMembers: 10 + w.Unique()}
		},
		canUpdate: superOnly,
		remove: func(w *testkit.World) map[string]any {
			segmentFixtures(w)
			return map[string]any{crm.SnapSegment: w.ID("sdG2"), crm.SnapDay: fmt.Sprintf("2025-%02d-%02d", 1+w.Unique()%12, 1+w.Unique()%28)}
		},
		canDelete: superOnly,
	}
	if withLabels {
		built.labels, built.sees = []string{"sdG", "sdG2"}, staffOnly("sdG", "sdG2")
		snaps.labels, snaps.sees = []string{"ssG"}, staffOnly("ssG")
	}
	return []spec{built, snaps}
}

// TestSegmentsAccess: list, view and realtime of built segments and their
// snapshots; an agent cannot edit a colleague's segment.
func TestSegmentsAccess(t *testing.T) {
	w := newWorld(t)
	segmentFixtures(w)
	for _, s := range segmentSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	res := w.Do(t, http.MethodPatch, "/api/collections/segments/records/"+w.ID("sdG2"), agent, map[string]any{crm.SegmentProposition: "Mine now"})
	if res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
		t.Errorf("an agent edited a colleague's segment: %d %s", res.Status, res.Body)
	}
}
