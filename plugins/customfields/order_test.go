package customfields_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

func positions(t *testing.T, w *testkit.World, collection string) []string {
	t.Helper()
	var got struct{ Items []row }
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/fields?collection="+collection, "agent", nil), http.StatusOK, "list").JSON(t, &got)
	var out []string
	for _, r := range got.Items {
		out = append(out, r.Name)
	}
	return out
}

// The manager reorders a collection's fields in one call; a list that
// misses, repeats or invents a field is refused and nothing moves.
func TestReorderFields(t *testing.T) {
	w := world(t)
	a := add(t, w, map[string]any{"collection": "deals", "label": "Alpha", "kind": "text"})
	b := add(t, w, map[string]any{"collection": "deals", "label": "Beta", "kind": "number"})
	c := add(t, w, map[string]any{"collection": "deals", "label": "Gamma", "kind": "bool"})
	add(t, w, map[string]any{"collection": "contacts", "label": "Other", "kind": "text"})
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/fields/order", "manager", map[string]any{"collection": "deals", "ids": []string{c.ID, a.ID, b.ID}}), http.StatusOK, "reorder")
	if got := positions(t, w, "deals"); !slices.Equal(got, []string{"cf_gamma", "cf_alpha", "cf_beta"}) {
		t.Errorf("after the reorder: %v", got)
	}
	for _, ids := range [][]string{{c.ID, a.ID}, {c.ID, a.ID, a.ID}, {c.ID, a.ID, b.ID, "nosuchfield0001"}} {
		res := w.Do(t, http.MethodPost, "/api/crm/fields/order", "manager", map[string]any{"collection": "deals", "ids": ids})
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), `"ids"`) {
			t.Errorf("order %v: status %d, want 409 naming ids: %s", ids, res.Status, res.Body)
		}
	}
	if got := positions(t, w, "deals"); !slices.Equal(got, []string{"cf_gamma", "cf_alpha", "cf_beta"}) {
		t.Errorf("a refused reorder moved fields: %v", got)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/fields/order", "agent", map[string]any{"collection": "deals", "ids": []string{a.ID, b.ID, c.ID}}); res.Status != http.StatusForbidden {
		t.Errorf("an agent reordered: status %d", res.Status)
	}
}

// Renaming an option renames it in every record holding it; removing a
// held one asks for the count, then takes it out of those records only.
func TestOptionRenameAndRemove(t *testing.T) {
	w := world(t)
	tier := add(t, w, map[string]any{"collection": "companies", "label": "Tier", "kind": "multi_select", "options": []string{"Gold", "Silver", "Bronze"}})
	size := add(t, w, map[string]any{"collection": "companies", "label": "Size band", "kind": "select", "options": []string{"S", "M", "L"}})
	co := "/api/collections/companies/records/"
	testkit.Must(t, w.Do(t, http.MethodPatch, co+w.ID("coA"), "agent", map[string]any{"cf_tier": []string{"Gold", "Bronze"}, "cf_size_band": "M"}), http.StatusOK, "set A")
	testkit.Must(t, w.Do(t, http.MethodPatch, co+w.ID("coC"), "agent", map[string]any{"cf_tier": []string{"Silver"}, "cf_size_band": "S"}), http.StatusOK, "set C")

	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", map[string]any{
		"options": []string{"Ouro", "Silver", "Bronze"}, "renames": map[string]string{"Gold": "Ouro"}}), http.StatusOK, "rename Gold")
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+size.ID, "manager", map[string]any{
		"options": []string{"S", "Medium", "L"}, "renames": map[string]string{"M": "Medium"}}), http.StatusOK, "rename M")
	a := w.Find(t, crm.Companies, w.ID("coA"))
	if got := a.GetStringSlice("cf_tier"); !slices.Equal(got, []string{"Ouro", "Bronze"}) || a.GetString("cf_size_band") != "Medium" {
		t.Errorf("after the renames A holds %v and %q", got, a.GetString("cf_size_band"))
	}

	// Bronze (held by A) and Silver (held by C) go: two records, confirmed.
	body := map[string]any{"options": []string{"Ouro", "Platina"}}
	res := w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", body)
	var conflict struct {
		Count int            `json:"count"`
		Data  map[string]any `json:"data"`
	}
	json.Unmarshal(res.Body, &conflict)
	if res.Status != http.StatusConflict || conflict.Count != 2 || conflict.Data["options"] == nil {
		t.Fatalf("removing held options: status %d, want 409 with count 2: %s", res.Status, res.Body)
	}
	body["confirm"] = 1
	if res := w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", body); res.Status != http.StatusConflict {
		t.Errorf("a wrong count was taken: %d", res.Status)
	}
	if got := w.Find(t, crm.Companies, w.ID("coA")).GetStringSlice("cf_tier"); !slices.Equal(got, []string{"Ouro", "Bronze"}) {
		t.Errorf("an unconfirmed removal changed a record: %v", got)
	}
	body["confirm"] = 2
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/crm/fields/"+tier.ID, "manager", body), http.StatusOK, "remove confirmed")
	if got := w.Find(t, crm.Companies, w.ID("coA")).GetStringSlice("cf_tier"); !slices.Equal(got, []string{"Ouro"}) {
		t.Errorf("A holds %v, want [Ouro]", got)
	}
	if got := w.Find(t, crm.Companies, w.ID("coC")).GetStringSlice("cf_tier"); len(got) != 0 {
		t.Errorf("C holds %v, want nothing", got)
	}
	// The records stay valid for the record API's next save.
	testkit.Must(t, w.Do(t, http.MethodPatch, co+w.ID("coA"), "agent", map[string]any{"name": "Renamed A"}), http.StatusOK, "save A again")
}

// The portal reads the customer's fields only, with their labels and kinds.
func TestCustomerFieldsForThePortal(t *testing.T) {
	w := world(t)
	add(t, w, map[string]any{"collection": "contacts", "label": "Tamanho da camiseta", "labels": map[string]string{"en": "T-shirt size"},
		"kind": "select", "options": []string{"P", "M", "G"}, "customer": true})
	add(t, w, map[string]any{"collection": "contacts", "label": "Score interno", "kind": "number"})
	body := string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/fields/customer?collection=contacts", "cuA", nil), http.StatusOK, "customer fields").Body)
	if !strings.Contains(body, "cf_tamanho_da_camiseta") || !strings.Contains(body, "T-shirt size") || strings.Contains(body, "cf_score_interno") {
		t.Errorf("the customer's fields: %s", body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/fields/customer", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous read the customer's fields: %d", res.Status)
	}
}

// Without a mapping, columns named after a custom field (its name or a
// label in either language, accents and case ignored) fill it; the bad
// values of custom fields carry codes the workspace translates.
func TestImportGuessesCustomFields(t *testing.T) {
	w := world(t)
	add(t, w, map[string]any{"collection": "contacts", "label": "Região", "labels": map[string]string{"en": "Sales region"}, "kind": "select", "options": []string{"Norte", "Sul"}})
	add(t, w, map[string]any{"collection": "contacts", "label": "Budget", "kind": "money"})
	add(t, w, map[string]any{"collection": "contacts", "label": "Aniversário", "kind": "date"})
	file := "Name,Email,SALES REGION,cf_budget,aniversario,Other\n" +
		"Guess One,g1@imp.test,norte,10,31/03/2026,x\n" +
		"Guess Two,g2@imp.test,Leste,muito,ontem,y\n"
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(file), importer.Options{
		Kind: importer.KindContacts, Mode: importer.ModeValidOnly, OnDuplicate: importer.DupSkip})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SALES REGION": "cf_regiao", "cf_budget": "cf_budget", "aniversario": "cf_aniversario"}
	for col, field := range want {
		if res.Mapping[col] != field {
			t.Errorf("column %q guessed as %q, want %q (mapping %v)", col, res.Mapping[col], field, res.Mapping)
		}
	}
	if _, ok := res.Mapping["Other"]; ok {
		t.Errorf("a column named after nothing was mapped: %v", res.Mapping)
	}
	g1, err := w.App.FindFirstRecordByData(crm.Contacts, "email", "g1@imp.test")
	if err != nil || g1.GetString("cf_regiao") != "Norte" || g1.GetFloat("cf_budget") != 10 {
		t.Fatalf("the guessed columns were not imported: %v %v", err, g1)
	}
	codes := map[string]string{}
	for _, p := range res.Errors {
		codes[p.Field] = p.Code
	}
	if codes["cf_regiao"] != "not_option" || codes["cf_budget"] != "not_number" || codes["cf_aniversario"] != "not_date" {
		t.Errorf("codes of the bad custom values: %v (%+v)", codes, res.Errors)
	}
	for _, p := range res.Errors {
		if p.Field == "cf_regiao" && p.Params["options"] != "Norte, Sul" {
			t.Errorf("the option problem's params: %v", p.Params)
		}
	}
}
