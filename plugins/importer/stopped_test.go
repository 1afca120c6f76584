package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

// A valid-only import that stops after some batches: at every moment the
// job's record counts exactly the rows committed (its counts commit with
// each batch), and once stopped it says what stayed, and the timeline says
// it too.
func TestImportStoppedValidOnlyJobCountsWhatWasCommitted(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	staff := w.Make(t, "manager", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	set(t, &importer.BatchRows, 500)

	const rows = 20000
	file := people(rows, "Stopped Person %d,stopped%d@stopped.test")
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := importer.Options{Kind: importer.KindContacts, Mode: importer.ModeValidOnly, OnDuplicate: importer.DupSkip}
	job, err := importer.NewJob(w.App, opts, "people.csv", staff.Id)
	if err != nil {
		t.Fatal(err)
	}

	// One statement reads the job and the contacts in one snapshot.
	snapshot := func() (jobCreated, stored int, status string) {
		t.Helper()
		err := w.App.DB().NewQuery("SELECT (SELECT rows_created FROM import_jobs WHERE id = {:job}), "+
			"(SELECT count(*) FROM contacts WHERE email LIKE '%@stopped.test'), "+
			"(SELECT status FROM import_jobs WHERE id = {:job})").
			Bind(map[string]any{"job": job.Id}).Row(&jobCreated, &stored, &status)
		if err != nil {
			t.Error(err)
		}
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var mu sync.Mutex
	var mismatches []string
	var samples int
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			created, stored, status := snapshot()
			mu.Lock()
			if status == importer.StatusRunning && stored > 0 {
				samples++
				if created != stored && len(mismatches) < 5 {
					mismatches = append(mismatches, fmt.Sprintf("job says %d created while %d are committed", created, stored))
				}
			}
			mu.Unlock()
			if stored >= 2*importer.BatchRows {
				cancel() // as a server stopping mid-import
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	_, runErr := importer.RunJob(ctx, w.App, w.Cfg, job, path, opts, false)
	close(done)
	if !errors.Is(runErr, context.Canceled) {
		t.Fatalf("the import ended with %v, want it stopped (context canceled)", runErr)
	}
	mu.Lock()
	if samples == 0 {
		t.Error("no look at the job while it ran with rows committed")
	}
	for _, m := range mismatches {
		t.Errorf("while running: %s", m)
	}
	mu.Unlock()

	job = w.Reload(t, job)
	stored := w.Count(t, crm.Contacts, "email LIKE '%@stopped.test'")
	if stored == 0 || stored%importer.BatchRows != 0 || stored >= rows {
		t.Fatalf("%d contacts stayed, want whole batches of %d, fewer than %d", stored, importer.BatchRows, rows)
	}
	if job.GetString("status") != importer.StatusFailed || job.GetInt("rows_created") != stored {
		t.Errorf("job %s with %d created, want failed with the %d committed", job.GetString("status"), job.GetInt("rows_created"), stored)
	}
	if msg := job.GetString("error"); strings.Contains(msg, "nothing was imported") || !strings.Contains(msg, fmt.Sprintf("%d created", stored)) {
		t.Errorf("the job's error does not say what stayed: %q", msg)
	}
	entries, err := w.App.FindAllRecords(crm.Activities, dbxRef(job.Id))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.Contains(entries[0].GetString("data"), fmt.Sprintf(`"created":%d`, stored)) ||
		!strings.Contains(entries[0].GetString("data"), `"stopped":true`) || entries[0].GetString("staff") != staff.Id {
		var subjects []string
		for _, e := range entries {
			subjects = append(subjects, e.GetString("subject"))
		}
		t.Errorf("timeline entries of the job: %q, want one saying %d created, by the staff member", subjects, stored)
	}
	// The query planner's statistics know the contacts it left (they had
	// none: the table was empty before).
	var noted int
	if err := w.App.DB().NewQuery("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'contacts' AND idx = 'sqlite_autoindex_contacts_1'").Row(&noted); err != nil || noted < stored {
		t.Errorf("after the import the statistics say %d contacts (%v), want at least the %d stored", noted, err, stored)
	}
}

// When the server starts, the jobs a dead process left running or queued
// are failed with what stayed of them (and the timeline entry of what a
// valid-only one committed), and the uploads they left are removed.
func TestImportStartCleansWhatDeadImportsLeft(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	staff := w.Make(t, "manager", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	running := w.Make(t, "running", crm.ImportJobs, map[string]any{"kind": "contacts", "mode": "valid_only", "on_duplicate": "skip",
		"filename": "big.csv", "status": importer.StatusRunning, "staff": staff.Id,
		"processed_rows": 80500, "rows_created": 80000, "rows_error": 500, "total_rows": 120000})
	queued := w.Make(t, "queued", crm.ImportJobs, map[string]any{"kind": "contacts", "mode": "all_or_nothing", "on_duplicate": "skip",
		"filename": "other.csv", "status": importer.StatusQueued, "staff": staff.Id})
	done := w.Make(t, "done", crm.ImportJobs, map[string]any{"kind": "contacts", "mode": "all_or_nothing", "on_duplicate": "skip",
		"filename": "old.csv", "status": importer.StatusDone, "rows_created": 3})
	dir := importer.Dir(w.Cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	uploads := []string{running.Id + ".upload", queued.Id + ".upload", "unknownjob00001.upload"}
	for _, u := range uploads {
		if err := os.WriteFile(filepath.Join(dir, u), []byte("name,email\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kept := filepath.Join(dir, done.Id+"-errors.csv")
	if err := os.WriteFile(kept, []byte("line,field,value,reason\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	w.Serve(t)

	for _, u := range uploads {
		if _, err := os.Stat(filepath.Join(dir, u)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("upload %s is still there after the start (%v)", u, err)
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("a finished job's error list went: %v", err)
	}
	running, queued, done = w.Reload(t, running), w.Reload(t, queued), w.Reload(t, done)
	if running.GetString("status") != importer.StatusFailed || running.GetInt("rows_created") != 80000 ||
		!strings.Contains(running.GetString("error"), "80000 created") {
		t.Errorf("the running job: %s, %d created, error %q; want failed, saying its 80000 created stay",
			running.GetString("status"), running.GetInt("rows_created"), running.GetString("error"))
	}
	if queued.GetString("status") != importer.StatusFailed || !strings.Contains(queued.GetString("error"), "nothing was imported") {
		t.Errorf("the queued job: %s, error %q; want failed, nothing imported", queued.GetString("status"), queued.GetString("error"))
	}
	if done.GetString("status") != importer.StatusDone {
		t.Errorf("a finished job became %s", done.GetString("status"))
	}
	entries, err := w.App.FindAllRecords(crm.Activities, dbxRef(running.Id))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.Contains(entries[0].GetString("data"), `"created":80000`) {
		t.Errorf("timeline entries of the stopped job: %d, want one saying 80000 created", len(entries))
	}
	if n := w.Count(t, crm.Activities, "ref_id = {:id}", dbx.Params{"id": queued.Id}); n != 0 {
		t.Errorf("the queued job that wrote nothing has %d timeline entries", n)
	}

}

// dbxRef selects the timeline entries about an import job.
func dbxRef(job string) dbx.Expression {
	return dbx.HashExp{"ref_collection": crm.ImportJobs, "ref_id": job}
}
