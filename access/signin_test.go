package access_test

import (
	"net/http"
	"testing"

	"vinculo/plugins/signin"
)

// The sign-in counts and the made-up codes are plain tables, not
// collections: no actor, superusers included, reaches them through the API.
func TestSigninTablesAreReachableByNoOne(t *testing.T) {
	w := newWorld(t)
	for _, table := range []string{signin.FailuresTable, signin.DecoysTable} {
		if _, err := w.App.FindCollectionByNameOrId(table); err == nil {
			t.Errorf("%s is a collection", table)
		}
		for _, actor := range actors {
			path := "/api/collections/" + table + "/records"
			if res := w.Do(t, http.MethodGet, path, actor, nil); res.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d %s, want 404", actor, path, res.Status, res.Body)
			}
		}
		if res := w.Do(t, http.MethodGet, "/api/collections/"+table, superuser, nil); res.Status != http.StatusNotFound {
			t.Errorf("superuser GET the collection %s: %d %s, want 404", table, res.Status, res.Body)
		}
	}
}
