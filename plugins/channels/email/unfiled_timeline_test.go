package email_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

// entriesOf are the timeline entries about one outbox row.
func entriesOf(t *testing.T, w *testkit.World, outboxID string) []*core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Activities, "ref_collection = {:c} && ref_id = {:id}", "created", 0, 0,
		dbx.Params{"c": crm.Outbox, "id": outboxID})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func stateOf(t *testing.T, entry *core.Record) map[string]any {
	t.Helper()
	var d map[string]any
	if err := entry.UnmarshalJSONField("data", &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// One email, one entry: the email written in the workspace is the one
// timeline entry of its message, and it follows the outbox's state (queued,
// then sent, and public once sent) instead of gaining "queued" and "sent"
// entries of its own.
func TestOneEmailOneEntrySent(t *testing.T) {
	w := outWorld(t)
	status, body := compose(t, w, "agent", map[string]string{
		"contact": w.ID("ctX"), "subject": "Your quote", "body": "Hello Xavier.", "purpose": crm.PurposeService,
	}, nil)
	if status != http.StatusOK {
		t.Fatalf("compose: %d %s", status, body)
	}
	q := lastOutbox(t, w, w.ID("ctX"))
	entries := entriesOf(t, w, q.Id)
	if len(entries) != 1 || entries[0].GetString("event") != email.EventEmailWritten {
		t.Fatalf("%d entries for the message: %v", len(entries), entries)
	}
	if d := stateOf(t, entries[0]); d["state"] != crm.OutboxQueued || d["outbox"] != q.Id || entries[0].GetBool("public") {
		t.Errorf("queued: data %v public %v", d, entries[0].GetBool("public"))
	}
	if res := deliver(t, w); res.Sent != 1 {
		t.Fatalf("delivered %+v", res)
	}
	entries = entriesOf(t, w, q.Id)
	if len(entries) != 1 {
		t.Fatalf("%d entries after sending, want 1", len(entries))
	}
	d := stateOf(t, entries[0])
	if d["state"] != crm.OutboxSent || d["state_at"] == "" || d["subject"] != "Your quote" || !entries[0].GetBool("public") {
		t.Errorf("sent: data %v public %v", d, entries[0].GetBool("public"))
	}
	if n := w.Count(t, crm.Activities, "event LIKE 'message.%' AND contact = {:c}", dbx.Params{"c": w.ID("ctX")}); n != 0 {
		t.Errorf("%d message.* entries beside the email", n)
	}
}

// A message the outbox refuses says so, with the outbox's reason, on the
// email's own entry; other messages (no email entry) keep their own entries.
func TestOneEmailOneEntryRefused(t *testing.T) {
	w := outWorld(t)
	status, body := compose(t, w, "agent", map[string]string{
		"contact": w.ID("ctX"), "subject": "Our offer", "body": "Hello.", "purpose": crm.PurposeMarketing,
	}, nil)
	if status != http.StatusOK {
		t.Fatalf("compose: %d %s", status, body)
	}
	q := lastOutbox(t, w, w.ID("ctX"))
	entries := entriesOf(t, w, q.Id)
	if q.GetString("state") != crm.OutboxRefused || len(entries) != 1 {
		t.Fatalf("state %s, %d entries", q.GetString("state"), len(entries))
	}
	d := stateOf(t, entries[0])
	if d["state"] != crm.OutboxRefused || d["reason_code"] != q.GetString("reason_code") || d["reason_code"] == "" || entries[0].GetBool("public") {
		t.Errorf("refused: data %v (outbox reason %q)", d, q.GetString("reason_code"))
	}

	other := w.Make(t, "plain", crm.Outbox, map[string]any{"contact": w.ID("ctX"), "purpose": crm.PurposeService,
		"channel": "email", "subject": "Reminder", "body": "Hi", "state": crm.OutboxQueued})
	if n := len(entriesOf(t, w, other.Id)); n != 1 {
		t.Errorf("a message without an email entry has %d entries, want its own one", n)
	}
}
