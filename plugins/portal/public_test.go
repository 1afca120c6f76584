package portal_test

import (
	"net/http"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// Tracking by code and email is for requests made through the public form:
// a request made in the portal (or by staff) is not followed there, even
// with its right code and email.
func TestPortalTrackOnlyPublicRequests(t *testing.T) {
	w := portalWorld(t)
	var made struct {
		Reference string `json:"reference"`
	}
	made.Reference = confirmPublic(t, w, sendPublic(t, w, map[string]any{"type": "SUP", "name": "Ana", "email": "ana@a.test", "subject": "From the form"})).Reference
	must(t, w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": made.Reference, "email": "ANA@a.test"}), http.StatusOK, "track the form's request")

	var opened struct {
		ID string `json:"id"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", "cuA", map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "In the portal", "channel": "portal"}), http.StatusOK, "portal request").JSON(t, &opened)
	portalRef := w.Find(t, crm.Cases, opened.ID).GetString("reference")
	res := w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": portalRef, "email": "ana@a.test"})
	unknown := w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": "SUP-999999", "email": "ana@a.test"})
	if res.Status != http.StatusNotFound || string(res.Body) != string(unknown.Body) {
		t.Errorf("a portal request tracked publicly: %d %s", res.Status, res.Body)
	}
}

// A request from the public form goes to the oldest contact with its email,
// whatever the order of their ids.
func TestPortalPublicRequestGoesToTheOldestContact(t *testing.T) {
	w := portalWorld(t)
	morning := testkit.Wall(t, "2026-11-20 09:00")
	w.MakeCreated(t, "newer", crm.Contacts, "aaaaaaaaaaaaaaa", morning.Add(time.Hour), map[string]any{"name": "Newer", "email": "twice@x.test"})
	w.MakeCreated(t, "older", crm.Contacts, "zzzzzzzzzzzzzzz", morning, map[string]any{"name": "Older", "email": "twice@x.test"})
	var made struct {
		Reference string `json:"reference"`
	}
	made.Reference = confirmPublic(t, w, sendPublic(t, w, map[string]any{"type": "SUP", "name": "Someone", "email": "twice@x.test", "subject": "Hello"})).Reference
	kase, err := w.App.FindFirstRecordByData(crm.Cases, "reference", made.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got := kase.GetString(crm.FieldContact); got != w.ID("older") {
		t.Errorf("the request went to contact %s, want the older %s", got, w.ID("older"))
	}
}
