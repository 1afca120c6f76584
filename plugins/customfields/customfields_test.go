package customfields_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/customfields"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

func world(t *testing.T) *testkit.World {
	t.Helper()
	return testkit.NewWorld(t, testkit.Plugins(plugins.All)).Business(t)
}

type row struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	FieldID  string   `json:"field_id"`
	Kind     string   `json:"kind"`
	Options  []string `json:"options"`
	Position int      `json:"position"`
}

func add(t *testing.T, w *testkit.World, body map[string]any) row {
	t.Helper()
	var r row
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/fields", "manager", body), http.StatusOK, "add field").JSON(t, &r)
	return r
}

func search(t *testing.T, w *testkit.World, q string) string {
	t.Helper()
	return string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/search?q="+url.QueryEscape(q), "agent", nil), http.StatusOK, "search").Body)
}

// A field is a real field of its collection: the record API takes and
// checks its values, search finds its words, the export has its column, the
// 360 answer has its value; a rename keeps the values and the words; a
// delete asks for the count of records that hold a value, then forgets
// them everywhere.
func TestCustomFieldLife(t *testing.T) {
	w := world(t)
	region := add(t, w, map[string]any{"collection": "contacts", "label": "Região", "labels": map[string]string{"en": "Region"},
		"kind": "select", "options": []string{"Norte", "Sul"}})
	if region.Name != "cf_regiao" || region.Position != 1 {
		t.Fatalf("the field is %+v, want cf_regiao at position 1", region)
	}
	note := add(t, w, map[string]any{"collection": "contacts", "label": "Apelido", "kind": "text"})
	c, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	if c.Fields.GetByName("cf_regiao") == nil || c.Fields.GetByName("cf_apelido") == nil {
		t.Fatal("the fields are not in the contacts collection")
	}
	if c.GetIndex("idx_contacts_"+region.FieldID) == "" {
		t.Error("the select field has no index for the lists' filters")
	}

	ct := "/api/collections/contacts/records/" + w.ID("ctA")
	if res := w.Do(t, http.MethodPatch, ct, "agent", map[string]any{"cf_regiao": "Leste"}); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "cf_regiao") {
		t.Errorf("a value that is not an option: status %d, want 400 naming the field: %s", res.Status, res.Body)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, ct, "agent", map[string]any{"cf_regiao": "Norte", "cf_apelido": "Aninha padeira"}), http.StatusOK, "set values")
	if !strings.Contains(search(t, w, "aninha"), w.ID("ctA")) {
		t.Error("search does not find the custom text field's words")
	}
	filter := "/api/collections/contacts/records?filter=" + url.QueryEscape("cf_regiao = 'Norte'")
	if body := string(testkit.Must(t, w.Do(t, http.MethodGet, filter, "agent", nil), http.StatusOK, "filter").Body); !strings.Contains(body, w.ID("ctA")) || strings.Contains(body, w.ID("ctB")) {
		t.Errorf("the filter on the field: %s", body)
	}
	export := string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/export/contacts?format=csv", "agent", nil), http.StatusOK, "export").Body)
	if head, _, _ := strings.Cut(export, "\n"); !strings.Contains(head, "cf_regiao") || !strings.Contains(export, "Norte") {
		t.Errorf("the export lacks the field: %s", head)
	}
	view := string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctA")+"/360", "agent", nil), http.StatusOK, "360").Body)
	if !strings.Contains(view, `"cf_regiao":"Norte"`) {
		t.Error("the 360 answer lacks the field's value")
	}

	// Rename: same field id, the values and the search words stay.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+note.ID, "manager", map[string]any{"label": "Nickname", "name": "nickname"}), http.StatusOK, "rename")
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("cf_nickname"); got != "Aninha padeira" {
		t.Errorf("after the rename the value is %q", got)
	}
	if !strings.Contains(search(t, w, "aninha"), w.ID("ctA")) {
		t.Error("after the rename search no longer finds the words")
	}

	// Delete: refused until the count is confirmed.
	var u struct{ Count int }
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/fields/"+note.ID+"/usage", "manager", nil), http.StatusOK, "usage").JSON(t, &u)
	if u.Count != 1 {
		t.Errorf("usage count %d, want 1", u.Count)
	}
	for _, q := range []string{"", "?confirm=2"} {
		res := w.Do(t, http.MethodDelete, "/api/crm/fields/"+note.ID+q, "manager", nil)
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), `"count":1`) {
			t.Errorf("delete%s: status %d, want 409 with the count: %s", q, res.Status, res.Body)
		}
	}
	if c, _ := w.App.FindCollectionByNameOrId(crm.Contacts); c.Fields.GetByName("cf_nickname") == nil {
		t.Fatal("an unconfirmed delete removed the field")
	}
	testkit.Must(t, w.Do(t, http.MethodDelete, "/api/crm/fields/"+note.ID+"?confirm=1", "manager", nil), http.StatusNoContent, "delete")
	if c, _ := w.App.FindCollectionByNameOrId(crm.Contacts); c.Fields.GetByName("cf_nickname") != nil {
		t.Error("the field is still in the collection")
	}
	if strings.Contains(search(t, w, "aninha"), w.ID("ctA")) {
		t.Error("search still finds the deleted field's words")
	}
	if w.Count(t, crm.CustomFields, "") != 1 {
		t.Error("the deleted field's row is still there")
	}
}

// Bad settings are refused with the field at fault, and nothing changes.
func TestCustomFieldBadInput(t *testing.T) {
	w := world(t)
	add(t, w, map[string]any{"collection": "deals", "label": "Source", "kind": "text"})
	before, _ := w.App.FindCollectionByNameOrId(crm.Deals)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"collection": "orders", "label": "X", "kind": "text"}, "collection"},
		{map[string]any{"collection": "deals", "label": "X", "kind": "colour"}, "kind"},
		{map[string]any{"collection": "deals", "label": "  ", "kind": "text"}, "label"},
		{map[string]any{"collection": "deals", "label": "X", "kind": "select"}, "options"},
		{map[string]any{"collection": "deals", "label": "X", "kind": "multi_select", "options": []string{"a"}}, "options"},
		{map[string]any{"collection": "deals", "label": "X", "kind": "select", "options": []string{"a", "a"}}, "options"},
		{map[string]any{"collection": "deals", "label": "Source", "kind": "text"}, "name"},
		{map[string]any{"collection": "deals", "label": "X", "name": "Bad Name!", "kind": "text"}, "name"},
		{map[string]any{"collection": "deals", "label": "X", "labels": map[string]string{"fr": "x"}, "kind": "text"}, "labels"},
	} {
		res := w.Do(t, http.MethodPost, "/api/crm/fields", "manager", c.body)
		var answer struct {
			Data map[string]any `json:"data"`
		}
		json.Unmarshal(res.Body, &answer)
		if res.Status != http.StatusBadRequest || answer.Data[c.field] == nil {
			t.Errorf("%v: status %d, want 400 naming %s: %s", c.body, res.Status, c.field, res.Body)
		}
	}
	after, _ := w.App.FindCollectionByNameOrId(crm.Deals)
	if len(after.Fields) != len(before.Fields) || w.Count(t, crm.CustomFields, "") != 1 {
		t.Error("a refused field changed the schema or the rows")
	}
	// An option records hold is not taken away.
	tier := add(t, w, map[string]any{"collection": "companies", "label": "Tier", "kind": "multi_select", "options": []string{"Gold", "Silver", "Bronze"}})
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/companies/records/"+w.ID("coA"), "agent", map[string]any{"cf_tier": []string{"Gold"}}), http.StatusOK, "set tier")
	if res := w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", map[string]any{"options": []string{"Silver", "Bronze"}}); res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "Gold") || !strings.Contains(string(res.Body), `"count":1`) {
		t.Errorf("removing a held option unconfirmed: status %d, want 409 with the count: %s", res.Status, res.Body)
	}
	for _, bad := range []map[string]any{
		{"options": []string{"Gold", "Silver", "Bronze"}, "renames": map[string]string{"Tin": "Gold"}},
		{"options": []string{"Gold", "Silver", "Bronze"}, "renames": map[string]string{"Gold": "Silver"}},
	} {
		res := w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", bad)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"options"`) {
			t.Errorf("a bad rename %v: status %d, want 400 naming options: %s", bad, res.Status, res.Body)
		}
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", map[string]any{"options": []string{"Gold", "Bronze", "Platinum"}}), http.StatusOK, "change options")
	if res := w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", map[string]any{"kind": "text"}); res.Status != http.StatusBadRequest {
		t.Errorf("changing the kind: status %d", res.Status)
	}
}

// An import maps file columns to custom fields and reads their values as
// the kind says; a bad value is a problem of its row.
func TestCustomFieldImport(t *testing.T) {
	w := world(t)
	add(t, w, map[string]any{"collection": "contacts", "label": "Region", "kind": "select", "options": []string{"North", "South"}})
	add(t, w, map[string]any{"collection": "contacts", "label": "Budget", "kind": "money"})
	add(t, w, map[string]any{"collection": "contacts", "label": "VIP", "kind": "bool"})
	add(t, w, map[string]any{"collection": "contacts", "label": "Since", "kind": "date"})
	file := "Nome,Email,Regiao,Orcamento,VIP,Desde\n" +
		"Zé Import,ze@imp.test,north,\"R$ 1.234,50\",sim,31/03/2026\n" +
		"Bad Row,bad@imp.test,West,abc,talvez,yesterday\n"
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(file), importer.Options{
		Kind: importer.KindContacts, Mode: importer.ModeValidOnly, OnDuplicate: importer.DupSkip,
		Mapping: map[string]string{"Nome": "name", "Email": "email", "Regiao": "cf_region", "Orcamento": "cf_budget", "VIP": "cf_vip", "Desde": "cf_since"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 1 || res.Counts.Errors != 1 {
		t.Fatalf("created %d, errors %d: %+v", res.Created, res.Counts.Errors, res.Errors)
	}
	fields := map[string]bool{}
	for _, p := range res.Errors {
		fields[p.Field] = true
	}
	for _, f := range []string{"cf_region", "cf_budget", "cf_vip", "cf_since"} {
		if !fields[f] {
			t.Errorf("no problem reported for %s: %+v", f, res.Errors)
		}
	}
	ze, err := w.App.FindFirstRecordByData(crm.Contacts, "email", "ze@imp.test")
	if err != nil {
		t.Fatal(err)
	}
	if ze.GetString("cf_region") != "North" || ze.GetFloat("cf_budget") != 1234.5 || !ze.GetBool("cf_vip") || ze.GetDateTime("cf_since").Time().Format("2006-01-02") != "2026-03-31" {
		t.Errorf("imported values: %v %v %v %v", ze.Get("cf_region"), ze.Get("cf_budget"), ze.Get("cf_vip"), ze.Get("cf_since"))
	}
	_, err = importer.Run(context.Background(), w.App, strings.NewReader(file), importer.Options{
		Kind: importer.KindContacts, Mode: importer.ModeDryRun, OnDuplicate: importer.DupSkip,
		Mapping: map[string]string{"Nome": "name", "Regiao": "cf_nowhere"}})
	if err == nil || !strings.Contains(err.Error(), "cf_nowhere") {
		t.Errorf("a mapping to a missing custom field: %v", err)
	}
}

// The customers' clause is kept at the end of the rules, rewritten, never
// stacked, and SyncRules saves nothing when the rules fit already.
func TestRulesStayInStep(t *testing.T) {
	w := world(t)
	add(t, w, map[string]any{"collection": "contacts", "label": "A", "kind": "text"})
	add(t, w, map[string]any{"collection": "contacts", "label": "B", "kind": "text", "customer": true})
	c, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	rule := *c.UpdateRule
	if strings.Count(rule, "@request.body.cf_a:isset = false") != 1 || strings.Contains(rule, "cf_b") {
		t.Errorf("update rule: %s", rule)
	}
	if err := customfields.SyncRules(w.App); err != nil {
		t.Fatal(err)
	}
	c, _ = w.App.FindCollectionByNameOrId(crm.Contacts)
	if *c.UpdateRule != rule {
		t.Errorf("SyncRules changed a rule in step:\n%s\n%s", rule, *c.UpdateRule)
	}
}
