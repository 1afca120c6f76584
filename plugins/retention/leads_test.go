package retention_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// lead makes a contact at stage whose whole history (the contact, its
// timeline, its requests and deals) dates from at.
func lead(t *testing.T, w *testkit.World, name, stage string, at time.Time, more func(c *core.Record)) *core.Record {
	t.Helper()
	c := w.Make(t, "", crm.Contacts, map[string]any{"name": name, "email": strings.ToLower(strings.Fields(name)[0]) + "@lead.test",
		"phone": "+55 11 3333-0000", "stage": stage})
	if more != nil {
		more(c)
	}
	when := at.UTC().Format("2006-01-02 15:04:05.000Z")
	for _, table := range []string{crm.Activities, crm.Orders, crm.Deals, crm.Cases} {
		set := dbx.Params{"created": when, "updated": when}
		if table == crm.Activities {
			set["occurred_at"] = when
		}
		if _, err := w.App.DB().Update(table, set, dbx.HashExp{crm.FieldContact: c.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	backdate(t, w, c, at)
	return c
}

// Leads and prospects who never bought and of whom nothing happened for
// the rule's months are anonymised through the erasure's Anonymise; the
// preview names them; customers, buyers and leads with a recent note stay.
func TestLeadsAreAnonymised(t *testing.T) {
	w := newWorld(t)
	old, recent := monthsAgo(w, 24), w.Clock.Now().AddDate(0, -23, 0)
	due := []*core.Record{
		lead(t, w, "Lia Lead", crm.LifecycleStages[0], old, nil),
		lead(t, w, "Paulo Prospect", crm.LifecycleStages[1], old, nil),
	}
	kept := []*core.Record{
		lead(t, w, "Cida Customer", crm.LifecycleStages[2], old, nil),
		lead(t, w, "Lucas Recent", crm.LifecycleStages[0], recent, nil),
		lead(t, w, "Bia Buyer", crm.LifecycleStages[0], old, func(c *core.Record) {
			w.Make(t, "", crm.Orders, map[string]any{"number": "O-77", crm.FieldContact: c.Id, "items": []any{map[string]any{"name": "x"}},
				"currency": "BRL", "status": "placed", "placed_at": old.UTC()})
		}),
		lead(t, w, "Nina Noted", crm.LifecycleStages[0], old, nil),
	}
	// A note written this year about Nina: she is active.
	w.Make(t, "", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.ID("agent"),
		crm.FieldContact: kept[3].Id, "body": "Called, interested again", "occurred_at": w.Clock.Now().UTC()})
	setRule(t, w, crm.RetentionLeads, true, 24)

	p := preview(t, w)[crm.RetentionLeads]
	names := ""
	for _, e := range p.Examples {
		names += e.Label + ";"
	}
	if p.Count != 2 || p.Action != crm.RetentionAnonymise || !strings.Contains(names, "Lia Lead") || !strings.Contains(names, "Paulo Prospect") {
		t.Fatalf("the leads' preview: %+v", p)
	}

	run, results := runNow(t, w)
	res := results[crm.RetentionLeads]
	if res.Changed != p.Count || res.Errors != 0 || run.Changed != 2 {
		t.Fatalf("the leads' run: %+v", res)
	}
	for _, c := range due {
		got := w.Reload(t, c)
		for _, field := range []string{"name", "email", "phone"} {
			if v := got.GetString(field); v != "" && v == c.GetString(field) {
				t.Errorf("%s kept its %s: %q", c.GetString("name"), field, v)
			}
		}
	}
	for _, c := range kept {
		if got := w.Reload(t, c); got.GetString("name") != c.GetString("name") || got.GetString("email") != c.GetString("email") {
			t.Errorf("%s was anonymised", c.GetString("name"))
		}
	}
	if after := preview(t, w)[crm.RetentionLeads]; after.Count != 0 {
		t.Errorf("after the run %d leads are still due: %+v", after.Count, after.Examples)
	}
	if again, _ := runNow(t, w); again.Changed != 0 {
		t.Errorf("a second run anonymised %d more", again.Changed)
	}
}
