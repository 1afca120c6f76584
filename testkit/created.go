package testkit

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// MakeCreated is Make with the record's id and creation time given, for
// tests of which record comes first ("the oldest contact with this email").
func (w *World) MakeCreated(t testing.TB, label, collection, id string, created time.Time, fields map[string]any) *core.Record {
	t.Helper()
	c, err := w.App.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	at, err := types.ParseDateTime(created)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(fields)
	r.Set(core.FieldNameId, id)
	r.SetRaw("created", at)
	if c.IsAuth() {
		r.SetPassword("a-long-test-password")
		r.SetVerified(true)
	}
	if err := w.App.Save(r); err != nil {
		t.Fatalf("save %s: %v", collection, err)
	}
	if label != "" {
		w.Keep(label, r)
	}
	return r
}
