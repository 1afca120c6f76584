package outbox_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// Decide is Queue with nothing saved: for each situation its decision is
// the one Queue then records, and the campaign a message names is on its row.
func TestDecideIsQueueWithoutSaving(t *testing.T) {
	w := newWorld(t)
	contact := w.R("contact")
	for _, c := range []struct {
		name  string
		setup func()
		when  string
		state string
	}{
		{"no marketing consent", func() {}, "2026-11-24 10:00", outbox.StateRefused},
		{"consent, within the hours", func() { consent(t, w, contact, crm.PurposeMarketing, "email", "granted") }, "2026-11-24 10:00", outbox.StateQueued},
		{"consent, outside the hours", func() {}, "2026-11-24 13:00", outbox.StateWaiting},
		{"withdrawn", func() { consent(t, w, contact, crm.PurposeMarketing, "email", "withdrawn") }, "2026-11-24 10:00", outbox.StateRefused},
	} {
		c.setup()
		w.Clock.Set(testkit.Wall(t, c.when))
		q := outbox.Queued{Contact: contact.Id, Purpose: crm.PurposeMarketing, Subject: "Oferta", Body: "Promoção"}
		before := w.Count(t, crm.Outbox, "1=1")
		d, err := outbox.Decide(w.App, q)
		if err != nil {
			t.Fatal(err)
		}
		if n := w.Count(t, crm.Outbox, "1=1"); n != before {
			t.Fatalf("%s: Decide saved a message", c.name)
		}
		rec, err := outbox.Queue(w.App, q)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != c.state || d.State != rec.GetString("state") || d.Code != rec.GetString("reason_code") ||
			!d.NotBefore.Equal(rec.GetDateTime("not_before").Time()) {
			t.Errorf("%s: Decide %s %s %s; Queue recorded %s %s %s; want %s", c.name, d.State, d.Code, d.NotBefore,
				rec.GetString("state"), rec.GetString("reason_code"), rec.GetDateTime("not_before"), c.state)
		}
	}
}

// A campaign's message names its campaign on its row, once per contact.
func TestQueueCampaignOnTheRow(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "seg", crm.Segments, map[string]any{"name": "All", "filter": "id != ''"})
	camp := w.Make(t, "camp", crm.Campaigns, map[string]any{crm.CampName: "C", crm.CampSegment: w.ID("seg"), crm.CampBodyEN: "Hi", crm.CampState: crm.CampaignDraft})
	q := outbox.Queued{Contact: w.ID("contact"), Purpose: crm.PurposeMarketing, Body: "Hi", Campaign: camp.Id}
	rec, err := outbox.Queue(w.App, q)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetString(crm.OutboxCampaign) != camp.Id {
		t.Errorf("campaign on the row: %q", rec.GetString(crm.OutboxCampaign))
	}
	if _, err := outbox.Queue(w.App, q); err == nil {
		t.Error("a second message of one campaign to one contact was queued")
	}
}
