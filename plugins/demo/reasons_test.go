package demo_test

import (
	"slices"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/deals"
	"vinculo/plugins/demo"
)

// The demo's lost deals give a reason from the business's list, in the
// business's language; with none left, the first list's words.
func TestDemoLostDealsUseListedReasons(t *testing.T) {
	for _, lang := range []string{"", "en"} {
		// The deals plugin writes the first list in the business's language
		// when the app starts, as the binary does before `vinculo demo`.
		app, _ := newAppConfig(t, func(cfg *crm.Config) {
			if lang != "" {
				cfg.Business.Language = lang
			}
		})
		if _, err := demo.Generate(app, demo.Options{Contacts: 40, ActivitiesPerContact: 0, Now: now, Language: lang}); err != nil {
			t.Fatal(err)
		}
		speaks := lang
		if speaks == "" {
			speaks = "pt-BR" // the demo business's own
		}
		want := deals.FirstLostReasons(speaks)
		rows, err := app.FindAllRecords(crm.LostReasons)
		if err != nil {
			t.Fatal(err)
		}
		listed := []string{}
		for _, r := range rows {
			listed = append(listed, r.GetString("name"))
		}
		slices.Sort(listed)
		sorted := slices.Sorted(slices.Values(want))
		if !slices.Equal(listed, sorted) {
			t.Errorf("%q: the list is %q, want %q", lang, listed, sorted)
		}
		lost, err := app.FindAllRecords(crm.Deals)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range lost {
			if d.GetString("status") != crm.DealLost {
				continue
			}
			n++
			if !slices.Contains(want, d.GetString("lost_reason")) {
				t.Errorf("%q: deal %s lost for %q, not a listed reason", lang, d.Id, d.GetString("lost_reason"))
			}
		}
		if n == 0 {
			t.Errorf("%q: the demo lost no deal", lang)
		}
	}
}
