package accesslog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/accesslog"
)

// A batch of many looks and a large export is written in full chunks (one
// prepared statement each, reused) and a last, shorter one; written again,
// as after a crash, it adds nothing.
func TestBulkBatchWrittenOnceInChunks(t *testing.T) {
	w := world(t)
	var batch []accesslog.Entry
	for i := range 123 { // two full chunks of 50 and 23
		batch = append(batch, accesslog.Entry{ID: core.GenerateDefaultRandomId(), At: time.Now(), Kind: crm.AccessByStaff, ActorType: "staff",
			Staff: w.ID("agent"), Name: "Rafael Lima", Contact: w.ID("ctA"), Collection: crm.Contacts, Record: w.ID("ctA"),
			Screen: crm.ScreenRecord, Action: "read", UserAgent: fmt.Sprint("agent ", i)})
	}
	members := make([]string, 0, 701) // two full chunks of 300 and 101
	members = append(members, w.ID("ctA"))
	for i := range 700 {
		members = append(members, fmt.Sprintf("m%014d", i))
	}
	export := accesslog.Entry{ID: core.GenerateDefaultRandomId(), At: time.Now(), Kind: crm.AccessByStaff, ActorType: "staff",
		Staff: w.ID("manager"), Collection: crm.Contacts, Screen: crm.ScreenExport, Action: "export", Count: len(members), Members: members}
	batch = append(batch, export)
	for round := range 2 {
		if err := accesslog.Write(w.App, batch); err != nil {
			t.Fatal(err)
		}
		if n := w.Count(t, crm.AuditLog, "action = 'read' AND user_agent LIKE 'agent %'"); n != 123 {
			t.Errorf("round %d: %d looks, want 123", round+1, n)
		}
		if n := w.Count(t, crm.ExportMembers, "export = {:e}", map[string]any{"e": export.ID}); n != 701 {
			t.Errorf("round %d: %d members, want 701", round+1, n)
		}
	}
	if n := w.Count(t, crm.ExportMembers, "contact = {:c}", map[string]any{"c": w.ID("ctA")}); n != 1 {
		t.Errorf("Ana is in the export %d times, want once", n)
	}
}
