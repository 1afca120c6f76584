package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/testkit"
)

// A deal's life (plugins/deals): the reasons for losing a deal (staff
// read, managers write) and the stage history (staff read; nobody writes it
// through the API, superusers included: the server alone appends to it).
// Customers and anonymous see neither.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return dealLifeSpecs(false) })
}

// dealLifeSpecs are the two collections' rows; withLabels adds the records
// the list, view and realtime checks look for (TestDealLifeReads keeps
// them under their labels first).
func dealLifeSpecs(withLabels bool) []spec {
	reasons := spec{
		collection: crm.LostReasons,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{"name": fmt.Sprintf("Reason %d", w.Unique()), "position": 20, "active": true}
		},
		canCreate: managers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepSeededReason(w)
			return "lrA", map[string]any{"position": 30 + w.Unique()}
		},
		canUpdate: managers,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{"name": fmt.Sprintf("Gone %d", w.Unique()), "active": true}
		},
		canDelete: managers,
	}
	history := spec{
		collection: crm.DealStageHistory,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{"deal": w.ID("dlA"), "to_stage": w.ID("ps1"), "at": "2026-11-24 10:00:00.000Z"}
		},
		canCreate: nil,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepHistory(w)
			return "hsA", map[string]any{"days_in_previous": 40 + w.Unique()}
		},
		canUpdate: nil,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{"deal": w.ID("dlC"), "to_stage": w.ID("ps1"), "at": "2026-11-24 10:00:00.000Z"}
		},
		canDelete: nil,
	}
	if withLabels {
		reasons.labels, reasons.sees = []string{"lrA"}, staffOnly("lrA")
		history.labels, history.sees = []string{"hsA", "hsC"}, staffOnly("hsA", "hsC")
	}
	return []spec{reasons, history}
}

// keepSeededReason labels one of the reasons every business starts with.
func keepSeededReason(w *testkit.World) {
	if w.Has("lrA") {
		return
	}
	// The first of the list, whatever the business's language worded it.
	rows, err := w.App.FindRecordsByFilter(crm.LostReasons, "position = 1", "", 1, 0)
	if err != nil || len(rows) == 0 {
		panic(fmt.Sprintf("no first lost reason: %v", err))
	}
	w.Keep("lrA", rows[0])
}

// keepHistory labels the first history rows of the fixture's deals (the
// server wrote them when the deals were made).
func keepHistory(w *testkit.World) {
	for label, deal := range map[string]string{"hsA": "dlA", "hsC": "dlC"} {
		if w.Has(label) {
			continue
		}
		r, err := w.App.FindFirstRecordByFilter(crm.DealStageHistory, "deal = {:d}", dbx.Params{"d": w.ID(deal)})
		if err != nil {
			panic(err)
		}
		w.Keep(label, r)
	}
}

// TestDealLifeReads: the list, view and realtime rows of both collections,
// on records kept under labels.
func TestDealLifeReads(t *testing.T) {
	w := newWorld(t)
	keepSeededReason(w)
	keepHistory(w)
	for _, s := range dealLifeSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// Staff send only the stage: the fields the server owns are refused with a
// 400 naming them, for every writer, on create and update.
func TestDealServerOwnedFields(t *testing.T) {
	w := newWorld(t)
	for _, actor := range []string{manager, agent} {
		for _, field := range []string{"status", "stage_changed_at", "closed_at"} {
			res := w.Do(t, http.MethodPatch, "/api/collections/deals/records/"+w.ID("dlA"), actor, map[string]any{field: ""})
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
				t.Errorf("%s sends %s: %d %s", actor, field, res.Status, res.Body)
			}
		}
	}
	if res := w.Do(t, http.MethodPatch, "/api/collections/deals/records/"+w.ID("dlA"), readonly, map[string]any{"stage": w.ID("ps1")}); res.Status < 400 || res.Status >= 500 {
		t.Errorf("readonly moves a deal: %d", res.Status)
	}
}
