package retention_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/retention"
	"vinculo/testkit"
)

// A lead someone is still working on is no lead to forget, however old the
// work: an open request, an open deal, an invoice (a fiscal record) keep
// the contact as it is.
func TestLeadsWithOpenWorkOrAnInvoiceStay(t *testing.T) {
	w := newWorld(t)
	old := monthsAgo(w, 30)
	due := lead(t, w, "Lia Lead", crm.LifecycleStages[0], old, nil)
	kept := []*core.Record{
		lead(t, w, "Olga OpenRequest", crm.LifecycleStages[0], old, func(c *core.Record) {
			w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("tpSup"), crm.FieldContact: c.Id, "subject": "Still open", "channel": "phone"})
		}),
		lead(t, w, "Davi OpenDeal", crm.LifecycleStages[1], old, func(c *core.Record) {
			w.Make(t, "", crm.Deals, map[string]any{"title": "Fibre", crm.FieldContact: c.Id, "pipeline": w.ID("pipeline"),
				"stage": w.ID("stQual"), "owner": w.ID("agent"), "amount": 100, "currency": "BRL"})
		}),
		lead(t, w, "Ivo Invoiced", crm.LifecycleStages[0], old, func(c *core.Record) {
			inv := w.Make(t, "", crm.Invoices, map[string]any{"number": "INV-2024-00077", "year": 2024, "seq": 77, crm.FieldContact: c.Id,
				"lines": []map[string]any{{"name": "Visit", "total": 90}}, "total": 90, "currency": "BRL", "issued_at": old.UTC(),
				"buyer": map[string]any{"name": "Ivo Invoiced"}, "seller": map[string]any{"name": "Vinculo Test"}})
			backdate(t, w, inv, old)
		}),
	}
	setRule(t, w, crm.RetentionLeads, true, 24)
	p := preview(t, w)[crm.RetentionLeads]
	_, results := runNow(t, w)
	if p.Count != 1 || results[crm.RetentionLeads].Changed != 1 {
		t.Errorf("previewed %d, changed %d: want only Lia", p.Count, results[crm.RetentionLeads].Changed)
	}
	if w.Reload(t, due).GetString("name") == "Lia Lead" {
		t.Error("Lia, a lead with nothing open, was not anonymised")
	}
	for _, c := range kept {
		if got := w.Reload(t, c); got.GetString("name") != c.GetString("name") {
			t.Errorf("%s was anonymised", c.GetString("name"))
		}
	}
}

// The preview at 23:30 in São Paulo (already tomorrow in UTC) names exactly
// what the night's run at 02:41 changes, though the business's midnight
// falls between them.
func TestThePreviewBeforeMidnightIsTheNightsRun(t *testing.T) {
	w := newWorld(t)
	sp := testkit.SaoPaulo()
	evening := time.Date(2026, 11, 24, 23, 30, 0, 0, sp)
	w.Clock.Set(evening)
	// Sent messages dated the day before the cut-off's, the cut-off's day
	// itself (one year before the evening's) and the day after it.
	for i, at := range []time.Time{
		time.Date(2025, 11, 23, 12, 0, 0, 0, sp),
		time.Date(2025, 11, 24, 12, 0, 0, 0, sp),
		time.Date(2025, 11, 25, 12, 0, 0, 0, sp),
	} {
		m := w.Make(t, "", crm.Outbox, map[string]any{crm.FieldContact: w.ID("ctA"), "purpose": crm.PurposeService, "channel": "email",
			"subject": "Message " + string(rune('A'+i)), "body": "Hello", "state": crm.OutboxSent})
		backdate(t, w, m, at)
	}
	setRule(t, w, crm.RetentionOutbox, true, 12)
	p := preview(t, w)[crm.RetentionOutbox]

	night := time.Date(2026, 11, 25, 2, 41, 0, 0, sp)
	w.Clock.Set(night)
	ran, err := retention.RunNightly(w.App, w.Cfg, night)
	if err != nil || !ran {
		t.Fatalf("the nightly run: ran %v, %v", ran, err)
	}
	run, err := w.App.FindFirstRecordByData(crm.RetentionRuns, crm.RetentionRunTrigger, crm.RetentionNightly)
	if err != nil {
		t.Fatal(err)
	}
	if got := run.GetInt(crm.RetentionRunChanged); got != p.Count || p.Count == 0 {
		t.Errorf("the evening's preview said %d, the night's run changed %d", p.Count, got)
	}
}
