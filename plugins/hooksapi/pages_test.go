package hooksapi

import (
	"net/http"
	"strings"
	"testing"
)

// A business's own page at a portal path answers before the portal app
// (README: "Pages of your own"), and the rest of /portal/ is still the portal.
func TestHookPageAtAPortalPath(t *testing.T) {
	dir := fixture(t, map[string]string{
		"60_help.pb.js": `routerAdd("GET", "/portal/help", (e) => e.html(200, "<h1>Como podemos ajudar?</h1>"))` + "\n",
	})
	w := newWorld(t, dir)
	code, body := sendRaw(t, w, http.MethodGet, "/portal/help", nil, nil)
	if code != http.StatusOK || !strings.Contains(body, "Como podemos ajudar?") {
		t.Errorf("GET /portal/help: %d %.120s", code, body)
	}
	code, body = sendRaw(t, w, http.MethodGet, "/portal/requests", nil, nil)
	if code != http.StatusOK || strings.Contains(body, "Como podemos ajudar?") {
		t.Errorf("GET /portal/requests: %d %.120s", code, body)
	}
}
