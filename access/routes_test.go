package access_test

import (
	"net/http"
	"slices"
	"testing"
)

// route is one row of the routes matrix: who may call it and the status
// they get. Capabilities kept in other files append to moreRoutes in init().
type route struct {
	method, path string
	body         map[string]any
	allowed      []string
	okStatus     int
}

var moreRoutes []route

// The /api/crm routes are in the matrix too: every route × the eight actors.
func TestRoutesMatrix(t *testing.T) {
	w := newWorld(t)
	routes := append([]route{
		{http.MethodGet, "/api/crm/contacts/{ctA}/360", nil, staffAll, http.StatusOK},
		{http.MethodGet, "/api/crm/contacts/{ctA}/timeline", nil, staffAll, http.StatusOK},
		{http.MethodGet, "/api/crm/search?q=Ana", nil, staffAll, http.StatusOK},
		{http.MethodPost, "/api/crm/contacts/{ctX}/invite", nil, writers, http.StatusOK},
	}, moreRoutes...)
	for _, r := range routes {
		path := fill(w, r.path)
		for _, actor := range actors {
			res := w.Do(t, r.method, path, actor, r.body)
			if slices.Contains(r.allowed, actor) {
				if res.Status != r.okStatus {
					t.Errorf("%s %s %s: status %d, want %d: %s", actor, r.method, r.path, res.Status, r.okStatus, res.Body)
				}
				continue
			}
			want := http.StatusForbidden
			if actor == anon {
				want = http.StatusUnauthorized
			}
			if res.Status != want {
				t.Errorf("%s %s %s: status %d, want %d: %s", actor, r.method, r.path, res.Status, want, res.Body)
			}
		}
	}
}
