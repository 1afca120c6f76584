package webforms_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// A manager's form is checked at every save: a 400 names the field at
// fault and nothing is saved.
func TestFormChecks(t *testing.T) {
	w := world(t)
	required := makeForm(t, w, "", nil) // a good one
	tpAsks := w.Make(t, "", crm.CaseTypes, map[string]any{"name": "Visit", "code": "VIS", "category": "support", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}, {"key": "done", "label": "Done", "public_label": "Done", "closed": true}},
		"fields":   []map[string]any{{"name": "address", "label": "Address", "type": "text", "required": true}}})
	cases := []struct {
		field   string
		changes map[string]any
	}{
		{crm.FormFields, map[string]any{crm.FormFields: []map[string]any{{"key": "password"}}}},
		{crm.FormFields, map[string]any{crm.FormFields: []map[string]any{{"key": "email"}, {"key": "email"}}}},
		{crm.FormFields, map[string]any{crm.FormFields: []map[string]any{{"key": "cf_nothing"}}}},
		{crm.FormConsent, map[string]any{crm.FormConsent: map[string]string{"en": "Yes please"}}},
		{crm.FormConsent, map[string]any{crm.FormConsent: map[string]string{"en": "a", "pt-BR": "b", "fr": "c"}}},
		{crm.FormOrigins, map[string]any{crm.FormOrigins: []string{}}},
		{crm.FormOrigins, map[string]any{crm.FormOrigins: []string{"https://www.padaria.example/contato"}}},
		{crm.FormOrigins, map[string]any{crm.FormOrigins: []string{"javascript:alert(1)"}}},
		{crm.FormCaseType, map[string]any{crm.FormCreates: crm.FormCreatesRequest}},
		{crm.FormCaseType, map[string]any{crm.FormCreates: crm.FormCreatesRequest, crm.FormCaseType: tpAsks.Id}},
	}
	forms := w.Count(t, crm.WebForms, "")
	for _, c := range cases {
		body := map[string]any{crm.FormName: "Bad", crm.FormCreates: crm.FormCreatesLead, crm.FormActive: true,
			crm.FormOrigins: []string{site}, crm.FormPurposes: []string{crm.PurposeMarketing},
			crm.FormConsent: map[string]string{"en": "Yes", "pt-BR": "Sim"}}
		for k, v := range c.changes {
			body[k] = v
		}
		res := w.Do(t, http.MethodPost, "/api/collections/"+crm.WebForms+"/records", "manager", body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.changes, res.Status, res.Body)
		}
		res = w.Do(t, http.MethodPatch, "/api/collections/"+crm.WebForms+"/records/"+required, "manager", c.changes)
		if res.Status != http.StatusBadRequest {
			t.Errorf("change %v: %d %s", c.changes, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.WebForms, ""); n != forms {
		t.Errorf("forms %d → %d", forms, n)
	}
	if f := w.Find(t, crm.WebForms, required); !strings.Contains(f.GetString(crm.FormOrigins), site) {
		t.Errorf("the good form changed: %v", f.PublicExport())
	}
	// An agent reads the forms and changes none.
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/"+crm.WebForms+"/records/"+required, "agent", nil), http.StatusOK, "agent reads")
	if res := w.Do(t, http.MethodPatch, "/api/collections/"+crm.WebForms+"/records/"+required, "agent", map[string]any{crm.FormName: "Mine"}); res.Status == http.StatusOK {
		t.Errorf("an agent changed a form: %s", res.Body)
	}
}
