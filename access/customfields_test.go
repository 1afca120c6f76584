package access_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Custom fields: custom_fields is read by staff and written by superusers
// only through the record API (managers write through /api/crm/fields,
// which changes the schema with the row); the routes are for managers
// (the list for staff).
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return customFieldSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/fields", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/fields?collection=deals", nil, staffAll, http.StatusOK},
		route{http.MethodPost, "/api/crm/fields", map[string]any{"collection": "contacts", "kind": "nope"}, managers, http.StatusBadRequest},
		route{http.MethodPatch, "/api/crm/fields/nosuchfield0001", map[string]any{"label": "X"}, managers, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/fields/nosuchfield0001/usage", nil, managers, http.StatusNotFound},
		route{http.MethodDelete, "/api/crm/fields/nosuchfield0001", nil, managers, http.StatusNotFound},
	)
}

// customFieldRow is a row as a superuser could write it through the record
// API (it describes no real field: the matrix checks the rules only).
func customFieldRow(w *testkit.World) map[string]any {
	n := w.Unique()
	return map[string]any{"collection": crm.Deals, "name": fmt.Sprintf("cf_matrix_%d", n),
		"field_id": fmt.Sprintf("matrix%d", n), "label": "Matrix", "kind": crm.CustomText}
}

func customFieldFixtures(w *testkit.World) {
	if !w.Has("cfM") {
		w.Make(nil2(w), "cfM", crm.CustomFields, customFieldRow(w))
	}
}

func customFieldSpecs(withLabels bool) []spec {
	var labels []string
	if withLabels {
		labels = []string{"cfM"}
	}
	return []spec{{
		collection: crm.CustomFields, labels: labels, sees: staffOnly(labels...),
		create:    func(w *testkit.World, _ string) map[string]any { return customFieldRow(w) },
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			customFieldFixtures(w)
			return "cfM", map[string]any{"customer": true}
		},
		canUpdate: superOnly,
		remove:    customFieldRow,
		canDelete: superOnly,
	}}
}

// The rows of custom_fields, listed, viewed and heard about by staff only.
func TestCustomFieldsRows(t *testing.T) {
	w := newWorld(t)
	customFieldFixtures(w)
	for _, s := range customFieldSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
}

// addField adds a custom field as the manager and returns its row's id.
func addField(t *testing.T, w *testkit.World, body map[string]any) string {
	t.Helper()
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/fields", manager, body), http.StatusOK, "add field")
	var row struct {
		ID string `json:"id"`
	}
	res.JSON(t, &row)
	return row.ID
}

// A customer neither reads nor writes an internal custom field of their own
// contact (nor of their requests), by REST, expand, filter or realtime; a
// field marked as the customer's they read and write.
func TestCustomFieldsCustomerAccess(t *testing.T) {
	w := newWorld(t)
	addField(t, w, map[string]any{"collection": "contacts", "label": "Credit note", "kind": "text"})
	theirs := addField(t, w, map[string]any{"collection": "contacts", "label": "Shoe size", "kind": "number", "customer": true})
	addField(t, w, map[string]any{"collection": "cases", "label": "Internal code", "kind": "text"})
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("ctA"), agent,
		map[string]any{"cf_credit_note": "pays late", "cf_shoe_size": 41}), http.StatusOK, "staff sets the values")

	own := "/api/collections/contacts/records/" + w.ID("ctA")
	for what, path := range map[string]string{
		"view":   own,
		"list":   "/api/collections/contacts/records",
		"expand": "/api/collections/customers/records/" + w.ID("cuA") + "?expand=contact",
	} {
		res := testkit.Must(t, w.Do(t, http.MethodGet, path, custA, nil), http.StatusOK, what)
		body := string(res.Body)
		if strings.Contains(body, "cf_credit_note") || strings.Contains(body, "pays late") {
			t.Errorf("customer %s: the internal field is in the answer: %s", what, body)
		}
		if !strings.Contains(body, `"cf_shoe_size":41`) {
			t.Errorf("customer %s: the customer's field is missing: %s", what, body)
		}
	}
	staff := string(w.Do(t, http.MethodGet, own, agent, nil).Body)
	if !strings.Contains(staff, "pays late") {
		t.Errorf("staff do not see the internal field: %s", staff)
	}

	// Writing: the internal field is refused and unchanged; the customer's is saved.
	if res := w.Do(t, http.MethodPatch, own, custA, map[string]any{"cf_credit_note": "pays on time"}); res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer writes an internal field: status %d: %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("cf_credit_note"); got != "pays late" {
		t.Errorf("the internal field changed to %q", got)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, own, custA, map[string]any{"cf_shoe_size": 42, "phone": "+5511900000009"}), http.StatusOK, "customer writes their field")
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetFloat("cf_shoe_size"); got != 42 {
		t.Errorf("the customer's field is %v, want 42", got)
	}

	// Finding the value out by filtering or sorting on it, directly or
	// through a relation, is refused.
	for _, q := range []string{
		"filter=" + url.QueryEscape("cf_credit_note = 'pays late'"),
		"filter=" + url.QueryEscape("CF_CREDIT_NOTE ~ 'late'"),
		"sort=-cf_credit_note",
	} {
		if res := w.Do(t, http.MethodGet, "/api/collections/contacts/records?"+q, custA, nil); res.Status != http.StatusBadRequest {
			t.Errorf("customer %s: status %d, want 400: %s", q, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/cases/records?filter="+url.QueryEscape("contact.cf_credit_note != ''"), custA, nil); res.Status != http.StatusBadRequest {
		t.Errorf("customer filtering through a relation: status %d, want 400", res.Status)
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/contacts/records?filter="+url.QueryEscape("cf_shoe_size > 40"), custA, nil); res.Status != http.StatusOK {
		t.Errorf("customer filtering on their own field: status %d: %s", res.Status, res.Body)
	}
	opts := url.QueryEscape(`{"query":{"filter":"cf_credit_note ~ 'late'"}}`)
	if _, status := w.Srv.Realtime(t, w.Token(t, custA), "contacts/*?options="+opts); status != http.StatusBadRequest {
		t.Errorf("customer realtime filter on an internal field: status %d, want 400", status)
	}

	// A request opened by the customer may not carry an internal field.
	res := w.Do(t, http.MethodPost, "/api/collections/cases/records", custA, map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Hello", "cf_internal_code": "X1"})
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer opens a request with an internal field: status %d: %s", res.Status, res.Body)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", custA, map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Hello"}), http.StatusOK, "the same request without it")

	// Marking a field internal again takes it away from the customer at once.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+theirs, manager, map[string]any{"customer": false}), http.StatusOK, "make internal")
	if body := string(w.Do(t, http.MethodGet, own, custA, nil).Body); strings.Contains(body, "cf_shoe_size") {
		t.Errorf("a field made internal is still shown to the customer: %s", body)
	}
	if res := w.Do(t, http.MethodPatch, own, custA, map[string]any{"cf_shoe_size": 43}); res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer writes a field made internal: status %d", res.Status)
	}
}
