package webui_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/plugins/webui"
	"vinculo/testkit"
)

// The pages answer at / and /portal/ without hiding the API. (The dashboard at
// /_/ is added by `serve` itself; the command-line test checks it.)
func TestPagesBesideTheAPI(t *testing.T) {
	app := testkit.NewApp(t)
	if err := webui.Register(app, testkit.Config(t)); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Serve(t, app)
	for _, path := range []string{"/", "/portal/", "/portal/requests/123"} {
		res := srv.Do(t, http.MethodGet, path, "", nil)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Vinculo") {
			t.Errorf("GET %s: %d %.80s", path, res.Status, res.Body)
		}
	}
	if res := srv.Do(t, http.MethodGet, "/api/health", "", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "healthy") {
		t.Errorf("GET /api/health: %d %s", res.Status, res.Body)
	}
	if res := srv.Do(t, http.MethodGet, "/api/collections/contacts/records", "", nil); strings.Contains(string(res.Body), "<html") {
		t.Errorf("the API answered with a page: %d", res.Status)
	}
	if res := srv.Do(t, http.MethodGet, "/api/no/such/route", "", nil); res.Status != http.StatusNotFound || strings.Contains(string(res.Body), "<html") {
		t.Errorf("an unknown API path answered %d with %.60s, want a 404 error", res.Status, res.Body)
	}
}
