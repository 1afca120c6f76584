package portal_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
)

// Tracking by code and email is for requests made through the public form:
// a request made in the portal (or by staff) is not followed there, even
// with its right code and email.
func TestPortalTrackOnlyPublicRequests(t *testing.T) {
	w := newWorld(t)
	var made struct {
		Reference string `json:"reference"`
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "SUP", "name": "Ana", "email": "ana@a.test", "subject": "From the form"}), http.StatusOK, "public request").JSON(t, &made)
	must(t, w.do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": made.Reference, "email": "ANA@a.test"}), http.StatusOK, "track the form's request")

	var opened struct {
		ID string `json:"id"`
	}
	must(t, w.do(t, http.MethodPost, "/api/collections/cases/records", "A", map[string]any{"type": w.id("tpSup"), "contact": w.id("ctA"), "subject": "In the portal", "channel": "portal"}), http.StatusOK, "portal request").JSON(t, &opened)
	portalRef := w.reload(t, crm.Cases, opened.ID).GetString("reference")
	res := w.do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": portalRef, "email": "ana@a.test"})
	unknown := w.do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": "SUP-999999", "email": "ana@a.test"})
	if res.Status != http.StatusNotFound || string(res.Body) != string(unknown.Body) {
		t.Errorf("a portal request tracked publicly: %d %s", res.Status, res.Body)
	}
}
