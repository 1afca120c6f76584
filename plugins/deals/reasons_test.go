package deals_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/deals"
	"vinculo/testkit"
)

// reasonNames is the list of lost reasons as managers see it, in order.
func reasonNames(t *testing.T, w *testkit.World) []string {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.LostReasons, "active = true", "position", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, r := range rows {
		names = append(names, r.GetString("name"))
	}
	return names
}

// A business starts with lost reasons in its own language, written once:
// deleting them all is for good, whatever language the next start has.
func TestFirstLostReasonsInTheBusinesssLanguage(t *testing.T) {
	for _, lang := range []string{"pt-BR", "en"} {
		w := testkit.NewWorld(t, testkit.Plugins(plugins.All),
			testkit.Configure(func(cfg *crm.Config) { cfg.Business.Language = lang }))
		got := reasonNames(t, w)
		if want := deals.FirstLostReasons(lang); !slices.Equal(got, want) || len(want) != 7 {
			t.Errorf("%s: the first reasons are %q, want %q", lang, got, want)
		}
		// A later start writes nothing more.
		if err := deals.SeedLostReasons(w.App, "en"); err != nil {
			t.Fatal(err)
		}
		if n := w.Count(t, crm.LostReasons, ""); n != 7 {
			t.Errorf("%s: %d reasons after a second start, want 7", lang, n)
		}
		// A manager deletes them all: they stay deleted.
		rows, _ := w.App.FindAllRecords(crm.LostReasons)
		for _, r := range rows {
			if err := w.App.Delete(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := deals.SeedLostReasons(w.App, lang); err != nil {
			t.Fatal(err)
		}
		if n := w.Count(t, crm.LostReasons, ""); n != 0 {
			t.Errorf("%s: deleted reasons came back: %d", lang, n)
		}
	}
	pt, en := deals.FirstLostReasons("pt-BR"), deals.FirstLostReasons("en")
	if slices.ContainsFunc(pt, func(s string) bool { return slices.Contains(en, s) }) {
		t.Errorf("the Portuguese list repeats English names: %q", pt)
	}
	if !slices.Equal(deals.FirstLostReasons("fr"), en) {
		t.Errorf("a language Vinculo does not speak gets English")
	}
}

// A business that had its reasons before the first list was marked keeps
// them as they are (no second list), and from then on is marked.
func TestReasonsKeptFromBeforeTheMarker(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	// As a database made before the marker: reasons, no marker.
	if _, err := w.App.DB().NewQuery("DELETE FROM _params WHERE id = 'vinculo_lost_reasons_seeded'").Execute(); err != nil {
		t.Fatal(err)
	}
	rows, _ := w.App.FindAllRecords(crm.LostReasons)
	for _, r := range rows[1:] {
		if err := w.App.Delete(r); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Save(t, w.App, crm.LostReasons, map[string]any{"name": "Old words", "position": 9, "active": true})
	for range 2 {
		if err := deals.SeedLostReasons(w.App, "en"); err != nil {
			t.Fatal(err)
		}
	}
	if got := reasonNames(t, w); !slices.Equal(got, []string{rows[0].GetString("name"), "Old words"}) {
		t.Errorf("reasons kept from before: %q", got)
	}
	marker := &core.Param{}
	if err := w.App.ModelQuery(marker).Model("vinculo_lost_reasons_seeded", marker); err != nil {
		t.Errorf("no marker after a start: %v", err)
	}
}
