package requests_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// A bad request type is refused with 400 naming the status, transition or
// field at fault (so the settings page shows it beside that input), and
// nothing is saved.
func TestTypeDefinitionErrorsNameTheirPlace(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	token := w.Token(t, "manager")
	two := []map[string]any{{"key": "new", "label": "Novo", "public_label": "Recebido"}, {"key": "done", "label": "Feito", "public_label": "Feito", "closed": true}}
	body := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "Tipo", "code": "TIP", "category": "support", "statuses": two}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	for _, c := range []struct {
		name, path, code string
		body             map[string]any
	}{
		{"a field without a name", "fields.0.name", "validation_type_field_no_name",
			body(map[string]any{"fields": []map[string]any{{"name": "", "label": "Cor", "type": "text"}}})},
		{"a select without options", "fields.1.options", "validation_type_field_options",
			body(map[string]any{"fields": []map[string]any{{"name": "cor", "type": "text"}, {"name": "plano", "type": "select", "options": []string{}}}})},
		{"an option twice", "fields.0.options", "validation_type_option_twice",
			body(map[string]any{"fields": []map[string]any{{"name": "plano", "type": "select", "options": []string{"a", "a"}}}})},
		{"a duplicate status", "statuses.1.key", "validation_type_status_twice",
			body(map[string]any{"statuses": []map[string]any{{"key": "new", "public_label": "A"}, {"key": "new", "public_label": "B"}}})},
		{"a status without its public label", "statuses.1.public_label", "validation_type_status_public_label",
			body(map[string]any{"statuses": []map[string]any{{"key": "new", "public_label": "A"}, {"key": "done", "label": "Feito"}}})},
		{"no status at all", "statuses", "validation_type_no_statuses", body(map[string]any{"statuses": []map[string]any{}})},
		{"a transition to an unknown status", "transitions.new", "validation_type_transition_unknown",
			body(map[string]any{"transitions": map[string]any{"new": []string{"gone"}}})},
		{"a transition to itself", "transitions.new", "validation_type_transition_self",
			body(map[string]any{"transitions": map[string]any{"new": []string{"new", "done"}}})},
		{"resolution before first response", "sla_resolution_hours", "validation_type_sla_order",
			body(map[string]any{"sla_first_response_hours": 8, "sla_resolution_hours": 2})},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := w.App.CountRecords(crm.CaseTypes)
			res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_types/records", token, c.body)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("%d, want 400: %s", res.Status, res.Body)
			}
			if got := codeAt(t, res.Body, c.path); got != c.code {
				t.Errorf("data.%s has code %q, want %q: %s", c.path, got, c.code, res.Body)
			}
			if after, _ := w.App.CountRecords(crm.CaseTypes); after != before {
				t.Errorf("saved anyway")
			}
		})
	}
}

// codeAt is the error code at a dotted path of a 400's data.
func codeAt(t *testing.T, body []byte, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	v = v.(map[string]any)["data"]
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[part]
	}
	m, _ := v.(map[string]any)
	code, _ := m["code"].(string)
	return code
}

// Two managers edit one type at once: each sends only what it changed with
// the value it started from. Changes to different fields both land; a
// change made against an older version of a field the other changed is
// refused with 409 naming it, and the other's change stays.
func TestTypeEditsConflictPerField(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "marina", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	w.Make(t, "paulo", crm.Staff, map[string]any{"name": "Paulo", "email": "paulo@vinculo.example", "role": crm.RoleManager})
	tp := w.R("support")
	url := "/api/collections/case_types/records/" + tp.Id
	opened := tp.GetString("name")
	openedStatuses := tp.Get("statuses")

	res := w.Srv.Do(t, http.MethodPatch, url, w.Token(t, "marina"), map[string]any{
		"name": "Suporte técnico", requests.BaseKey: map[string]any{"name": opened}})
	if res.Status != http.StatusOK {
		t.Fatalf("first edit: %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), requests.BaseKey) {
		t.Errorf("the answer carries the base back: %s", res.Body)
	}
	// Paulo opened the type before Marina saved: his rename is refused...
	res = w.Srv.Do(t, http.MethodPatch, url, w.Token(t, "paulo"), map[string]any{
		"name": "Assistência", "sla_first_response_hours": 2,
		requests.BaseKey: map[string]any{"name": opened, "sla_first_response_hours": 0}})
	if res.Status != http.StatusConflict || codeAt(t, res.Body, "name") != "validation_type_conflict" {
		t.Fatalf("stale rename: %d %s, want 409 naming name", res.Status, res.Body)
	}
	if codeAt(t, res.Body, "sla_first_response_hours") != "" {
		t.Errorf("a field nobody else changed is named too: %s", res.Body)
	}
	got := w.Find(t, crm.CaseTypes, tp.Id)
	if got.GetString("name") != "Suporte técnico" || got.GetFloat("sla_first_response_hours") != 0 {
		t.Errorf("the refused edit changed the type: %q, %v", got.GetString("name"), got.GetFloat("sla_first_response_hours"))
	}
	// ...while his change of another field, made from the same old version, lands.
	statuses := `[{"key":"new","label":"Novo","public_label":"Recebido"},{"key":"solved","label":"Resolvido","public_label":"Resolvido","closed":true}]`
	res = w.Srv.Do(t, http.MethodPatch, url, w.Token(t, "paulo"), map[string]any{
		"statuses": json.RawMessage(statuses), "transitions": map[string]any{},
		requests.BaseKey: map[string]any{"statuses": openedStatuses, "transitions": tp.Get("transitions")}})
	if res.Status != http.StatusOK {
		t.Fatalf("an edit of other fields: %d %s", res.Status, res.Body)
	}
	got = w.Find(t, crm.CaseTypes, tp.Id)
	if got.GetString("name") != "Suporte técnico" || !strings.Contains(got.GetString("statuses"), "solved") || strings.Contains(got.GetString("statuses"), "triage") {
		t.Errorf("both edits should be kept: %q %s", got.GetString("name"), got.GetString("statuses"))
	}
}
