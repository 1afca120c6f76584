package access_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Exports and merges: the routes in the routes matrix, the merges
// collection in the access matrix, and the merge's ownership rule.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/export/contacts", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/export/companies?format=json", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/export/deals?format=csv&filter=" + url.QueryEscape("status = 'open'"), nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/export/cases?q=shared", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/export/contacts?format=vcf&segment={sgG}", nil, staffAll, http.StatusOK},
		// Who may merge is checked before the body: a bad one is 400 for them only.
		route{http.MethodPost, "/api/crm/merge", map[string]any{"kind": "deals"}, writers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/merges/nosuchmerge1234/undo", nil, writers, http.StatusNotFound},
	)
	moreSpecFiles = append(moreSpecFiles, func() []spec {
		// A merges row exists only once someone merged: made on first use,
		// after the list checks (which then expect none), for the update row.
		one := func(w *testkit.World) string {
			if !w.Has("mgA") {
				w.Make(nil2(w), "mgA", crm.Merges, mergeRow(w))
			}
			return "mgA"
		}
		return []spec{{
			collection: crm.Merges,
			sees:       map[string][]string{},
			create:     func(w *testkit.World, _ string) map[string]any { return mergeRow(w) },
			canCreate:  superOnly,
			update: func(w *testkit.World, _ string) (string, map[string]any) {
				return one(w), map[string]any{"undone_at": "2026-11-24 10:00:00.000Z"}
			},
			canUpdate: superOnly,
			remove:    mergeRow,
			canDelete: superOnly,
		}}
	})
}

func mergeRow(w *testkit.World) map[string]any {
	return map[string]any{"kind": crm.Contacts, "survivor": w.ID("ctA"), "other_id": "gone00000000001",
		"snapshot": map[string]any{"other": map[string]any{"id": "gone00000000001"}}, "staff": w.ID("stG"),
		"expires": "2026-12-24 10:00:00.000Z"}
}

// An agent merges away only contacts they own (the delete rule) and only
// when no portal account or consent would be deleted; readonly staff and
// customers never; a merge is listed to staff only.
func TestMergeAccess(t *testing.T) {
	w := newWorld(t)
	try := func(actor, survivor, other string) int {
		return w.Do(t, http.MethodPost, "/api/crm/merge", actor,
			map[string]any{"kind": "contacts", "survivor": w.ID(survivor), "other": w.ID(other)}).Status
	}
	for _, c := range []struct {
		actor, survivor, other string
		status                 int
	}{
		{anon, "ctA", "ctB", 401}, {custA, "ctA", "ctB", 403}, {custB, "ctB", "ctA", 403}, {readonly, "ctA", "ctB", 403},
		{agent, "ctA", "ctX", 403}, // ctX is the other agent's
		{agent, "ctA", "ctD", 403}, // ctD is nobody's: managers only
	} {
		if got := try(c.actor, c.survivor, c.other); got != c.status {
			t.Errorf("%s merging %s into %s: status %d, want %d", c.actor, c.other, c.survivor, got, c.status)
		}
	}
	// ctA and ctB both have a portal account: the merge would close cuB,
	// which only a manager may delete.
	if got := try(agent, "ctA", "ctB"); got != http.StatusForbidden {
		t.Errorf("agent merging their own ctB into ctA, closing B's portal account: status %d, want 403", got)
	}
	if n := w.Count(t, crm.Merges, ""); n != 0 {
		t.Fatalf("refused merges wrote %d merges rows", n)
	}
	w.Make(t, "ctE", crm.Contacts, map[string]any{"name": "Ana A (duplicate)", "email": "a2@cust.test", "owner": w.ID("stG")})
	if got := try(agent, "ctA", "ctE"); got != http.StatusOK {
		t.Fatalf("agent merging their own ctE into ctA: status %d", got)
	}
	if got := try(manager, "ctA", "ctX"); got != http.StatusOK {
		t.Fatalf("manager merging ctX into ctA: status %d", got)
	}
	if got := try(manager, "ctA", "ctB"); got != http.StatusOK {
		t.Fatalf("manager merging ctB into ctA, closing B's portal account: status %d", got)
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/merges/records", actor, nil)
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if res.Status == http.StatusOK {
			res.JSON(t, &page)
		}
		if want := slices.Contains(staffAll, actor); want != (len(page.Items) == 3) {
			t.Errorf("%s lists %d merges (status %d), staff should see 3, others none", actor, len(page.Items), res.Status)
		}
		// The snapshot holds the merged portal account's row, password hash included.
		for _, it := range page.Items {
			if _, shown := it["snapshot"]; shown != (actor == superuser) || strings.Contains(string(res.Body), "password") != (actor == superuser) {
				t.Errorf("%s sees the merge snapshot: %v", actor, shown)
			}
		}
	}
}
