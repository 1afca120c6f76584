package importer_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

// A valid-only import gives the single writer connection back between its
// batches: a write from elsewhere, queued during the first batch, runs
// right after that batch's commit instead of after the whole import. And
// duplicates are still found across batches.
func TestImportValidOnlyLetsOtherWritesRunBetweenBatches(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	set(t, &importer.BatchRows, 300)   // 5 batches
	set(t, &importer.ProgressEvery, 0) // progress every 256 rows

	const rows = 1500
	file := people(rows, "Batch Person %d,batch%d@import.test")
	file.WriteString("Batch Again,batch2@import.test\n") // line 2's email, 4 batches later

	before := w.Count(t, crm.Contacts, "")
	contacts, err := w.App.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	pool := w.App.NonconcurrentDB().(*dbx.DB).DB()
	var seen int // contacts the other write saw, in its own transaction
	written := make(chan error, 1)
	started := false
	opts := importer.Options{Kind: importer.KindContacts, Mode: importer.ModeValidOnly, OnDuplicate: importer.DupSkip, Country: "BR",
		OnProgress: func(r *importer.Result) {
			if started || r.Processed < 256 {
				return
			}
			started = true // in the first batch: the import holds the connection
			waits := pool.Stats().WaitCount
			go func() {
				written <- w.App.RunInTransaction(func(tx core.App) error {
					rec := core.NewRecord(contacts)
					rec.Set("name", "Other Writer")
					rec.Set("email", "other.writer@import.test")
					if err := tx.Save(rec); err != nil {
						return err
					}
					return tx.DB().NewQuery("SELECT count(*) FROM contacts").Row(&seen)
				})
			}()
			// Go on once the write waits for the import's connection.
			for pool.Stats().WaitCount == waits && len(written) == 0 {
				runtime.Gosched()
			}
		}}
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(file.String()), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !started {
		t.Fatal("no progress call in the first batch")
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if res.Created != rows || res.Duplicate != 1 || res.Counts.Errors != 0 || !res.Written {
		t.Errorf("created %d, duplicates %d, errors %d, written %v; want %d, 1, 0, true", res.Created, res.Duplicate, res.Counts.Errors, res.Written, rows)
	}
	if len(res.Duplicates) != 1 || !strings.Contains(res.Duplicates[0].Reason, "line 3") {
		t.Errorf("duplicates: %+v, want the last line as a duplicate of line 3", res.Duplicates)
	}
	if seen >= before+rows+1 {
		t.Errorf("the other write saw %d contacts, all %d of the import's: it waited for the whole import", seen, rows)
	}
	if seen != before+importer.BatchRows+1 {
		t.Errorf("the other write saw %d contacts, want the first batch's %d and its own", seen, importer.BatchRows)
	}
	if n := w.Count(t, crm.Contacts, ""); n != before+rows+1 {
		t.Errorf("%d contacts, want %d", n, before+rows+1)
	}
	var left int
	if err := w.App.DB().NewQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE '_vinculo_import_keys_%'").Row(&left); err != nil || left != 0 {
		t.Errorf("key tables left: %d (%v)", left, err)
	}
}

// The key table a run leaves when the server stops mid-import goes when
// the server starts again.
func TestImportLeftKeyTablesDroppedOnServe(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	if _, err := w.App.NonconcurrentDB().NewQuery("CREATE TABLE `_vinculo_import_keys_left` (k INTEGER PRIMARY KEY, id TEXT, line INTEGER)").Execute(); err != nil {
		t.Fatal(err)
	}
	w.Serve(t)
	var left int
	if err := w.App.DB().NewQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE '_vinculo_import_keys_%'").Row(&left); err != nil || left != 0 {
		t.Errorf("key tables left after serve: %d (%v)", left, err)
	}
}
