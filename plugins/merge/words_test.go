package merge_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/merge"
	"vinculo/testkit"
)

// The merge's own timeline entries are an event and the names its wording
// needs, which each reader's screen words in their language: no English
// sentence is stored.
func TestMergeEntriesAreWordedByTheReader(t *testing.T) {
	w := newWorld(t)
	res := w.Do(t, http.MethodPost, "/api/crm/merge", "stM", map[string]any{"kind": "companies", "survivor": w.ID("coS"), "other": w.ID("coO")})
	if res.Status != http.StatusOK {
		t.Fatalf("merge companies: status %d: %s", res.Status, res.Body)
	}
	var result struct {
		Merge string `json:"merge"`
	}
	res.JSON(t, &result)
	merged := oneEntry(t, w, merge.CompanyMerged)
	data := entryData(t, merged)
	if data["merged"] != "ACME Ltda" || data["kept"] != "Acme" || data["merged_domain"] != "acme.test" {
		t.Errorf("company merged: data %v", data)
	}
	if merged.GetString("subject") != "ACME Ltda" || merged.GetString("body") != "" || merged.GetString("company") != w.ID("coS") {
		t.Errorf("company merged: subject %q body %q company %q", merged.GetString("subject"), merged.GetString("body"), merged.GetString("company"))
	}

	res = w.Do(t, http.MethodPost, "/api/crm/merges/"+result.Merge+"/undo", "stM", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	undone := oneEntry(t, w, merge.CompanyUnmerged)
	if d := entryData(t, undone); d["name"] != "ACME Ltda" || undone.GetString("subject") != "ACME Ltda" || undone.GetString("body") != "" {
		t.Errorf("merge undone: data %v subject %q body %q", d, undone.GetString("subject"), undone.GetString("body"))
	}
	for _, e := range []*core.Record{merged, undone} {
		if s := e.GetString("subject"); strings.Contains(s, "merged") || strings.Contains(s, "undone") {
			t.Errorf("an English sentence is stored: %q", s)
		}
	}
}

func oneEntry(t *testing.T, w *testkit.World, event string) *core.Record {
	t.Helper()
	list, err := w.App.FindAllRecords(crm.Activities, dbx.HashExp{"event": event})
	if err != nil || len(list) != 1 {
		t.Fatalf("%s: %d entries (%v), want 1", event, len(list), err)
	}
	return list[0]
}

func entryData(t *testing.T, e *core.Record) map[string]any {
	t.Helper()
	var d map[string]any
	if err := e.UnmarshalJSONField("data", &d); err != nil {
		t.Fatalf("data of %s: %v", e.GetString("event"), err)
	}
	return d
}
