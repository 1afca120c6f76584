package datarules_test

import (
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/datarules"
	"vinculo/testkit"
)

func TestEmailsAreKeptInOneSpelling(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(datarules.Register))
	r := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "João", "email": "  Joao.Conceicao@Example.COM "})
	if got := r.GetString("email"); got != "joao.conceicao@example.com" {
		t.Errorf("email saved as %q", got)
	}
}

func TestCheckNamesTheField(t *testing.T) {
	w := testkit.NewWorld(t)
	contacts, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	for _, c := range []struct {
		fields map[string]any
		field  string // "" when valid
	}{
		{map[string]any{"timezone": "America/Sao_Paulo", "preferred_hours_start": "09:00", "preferred_hours_end": "12:00"}, ""},
		{map[string]any{"timezone": "Atlantis/Capital"}, "timezone"},
		{map[string]any{"preferred_hours_start": "12:00", "preferred_hours_end": "12:00"}, "preferred_hours_end"},
	} {
		r := core.NewRecord(contacts)
		for k, v := range c.fields {
			r.Set(k, v)
		}
		err := datarules.Check(r)
		if c.field == "" {
			if err != nil {
				t.Errorf("%v: unexpected %v", c.fields, err)
			}
			continue
		}
		errs, ok := err.(validation.Errors)
		if !ok || errs[c.field] == nil {
			t.Errorf("%v: got %v, want an error on %s", c.fields, err, c.field)
		}
	}
}
