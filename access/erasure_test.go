package access_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Erasure (plugins/erasure): erasure_requests are written by the server
// alone (the portal's and staff's routes set the state, the deadline and
// the receipt); managers read them all, a customer their own request and
// nobody else's, not even their company admin's. The routes: customers ask
// and follow in the portal, writers record a request made by phone or
// letter, managers list, preview, decide and verify; the public key is
// public.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return erasureSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/erasure", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/erasure", map[string]any{"confirm": false}, customers3, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/erasure", map[string]any{"contact": "{ctX}", "channel": "carrier pigeon"}, writers, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/erasure", nil, managers, http.StatusOK},
		route{http.MethodGet, "/api/crm/erasure?state=all", nil, managers, http.StatusOK},
		route{http.MethodGet, "/api/crm/erasure/nosuchrequest1", nil, managers, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/erasure/nosuchrequest1/receipt", nil, managers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/erasure/nosuchrequest1/decide", map[string]any{"decision": "approve"}, managers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/erasure/verify", map[string]any{"receipt": "not a receipt"}, managers, http.StatusOK},
		route{http.MethodGet, "/api/crm/erasure/key", nil, actors, http.StatusOK},
	)
}

func erasureRow(w *testkit.World, contact string) map[string]any {
	return map[string]any{crm.ErasureRef: fmt.Sprintf("ER-T%07d", w.Unique()), crm.FieldContact: w.ID(contact),
		crm.ErasureChannel: "phone", crm.ErasureState: crm.ErasureAsked,
		crm.ErasureAskedAt: "2026-11-24 10:00:00.000Z", crm.ErasureDueAt: "2026-12-09 10:00:00.000Z"}
}

func erasureSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.ErasureRequests,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return erasureRow(w, "ctX") },
		canCreate:  superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepErasures(w)
			return "erA", map[string]any{crm.ErasureState: crm.ErasureRefused, crm.ErasureReason: "no"}
		},
		canUpdate: superOnly,
		remove:    func(w *testkit.World) map[string]any { return erasureRow(w, "ctD") },
		canDelete: superOnly,
	}
	if withLabels {
		s.labels = []string{"erA", "erC"}
		s.sees = map[string][]string{manager: {"erA", "erC"}, superuser: {"erA", "erC"}, custA: {"erA"}, custC: {"erC"}}
	}
	return []spec{s}
}

// keepErasures labels a request of customer A (erA) and one of C (erC).
func keepErasures(w *testkit.World) {
	if w.Has("erA") {
		return
	}
	for label, contact := range map[string]string{"erA": "ctA", "erC": "ctC"} {
		c, err := w.App.FindCachedCollectionByNameOrId(crm.ErasureRequests)
		if err != nil {
			panic(err)
		}
		r := core.NewRecord(c)
		r.Load(erasureRow(w, contact))
		if err := w.App.Save(r); err != nil {
			panic(err)
		}
		w.Keep(label, r)
	}
}

// TestErasureReads: the list, view and realtime rows of erasure requests.
func TestErasureReads(t *testing.T) {
	w := newWorld(t)
	keepErasures(w)
	for _, s := range erasureSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// TestErasureStaffFieldsHidden: the staff's note of a request made by phone
// and who recorded and decided it are the business's own: the customer
// whose request it is never receives them (list, view, expand, realtime)
// nor filters or sorts on them; managers do.
func TestErasureStaffFieldsHidden(t *testing.T) {
	w := newWorld(t)
	keepErasures(w)
	const note = "rang twice, sounded upset about the invoice"
	r := w.Find(t, crm.ErasureRequests, w.ID("erA"))
	r.Set(crm.ErasureNote, note)
	r.Set(crm.ErasureRecordedBy, w.ID("stG"))
	r.Set(crm.ErasureDecidedBy, w.ID("stM"))
	if err := w.App.Save(r); err != nil {
		t.Fatal(err)
	}
	base := "/api/collections/" + crm.ErasureRequests + "/records"
	staffOnly := []string{note, w.ID("stG"), w.ID("stM"), `"` + crm.ErasureRecordedBy + `"`, `"` + crm.ErasureDecidedBy + `"`, `"` + crm.ErasureNote + `"`}
	for _, path := range []string{base, base + "/" + w.ID("erA"), base + "?fields=*,note,recorded_by,decided_by"} {
		res := w.Do(t, http.MethodGet, path, custA, nil)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), w.ID("erA")) {
			t.Fatalf("customer A %s: status %d: %s", path, res.Status, res.Body)
		}
		for _, s := range staffOnly {
			if strings.Contains(string(res.Body), s) {
				t.Errorf("customer A %s receives %q: %s", path, s, res.Body)
			}
		}
	}
	for _, q := range []string{"?filter=" + url.QueryEscape("note ~ 'upset'"), "?sort=note", "?expand=recorded_by", "?expand=decided_by"} {
		if res := w.Do(t, http.MethodGet, base+q, custA, nil); res.Status != http.StatusBadRequest {
			t.Errorf("customer A %s: status %d, want 400 (a hidden field): %s", q, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodGet, base+"/"+w.ID("erA"), manager, nil); !strings.Contains(string(res.Body), note) {
		t.Errorf("the manager does not read the note: %d %s", res.Status, res.Body)
	}
	// realtime: the change a manager makes reaches the customer without them
	c, status := w.Srv.Realtime(t, w.Token(t, custA), crm.ErasureRequests+"/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	r.Set(crm.ErasureReason, "touched")
	if err := w.App.Save(r); err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Drain(t, w.ID("erA")) {
		for _, s := range staffOnly {
			if strings.Contains(e.Raw, s) {
				t.Errorf("customer A hears %q in realtime: %s", s, e.Raw)
			}
		}
	}
}
