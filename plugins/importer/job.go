package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/storage"
	"vinculo/plugins/timeline"
)

// EventImported is the timeline event of an import that wrote rows: one
// entry per import job, not one per row.
const EventImported = "import.finished"

// Dir is where uploads wait for their job and where error lists are kept.
func Dir(cfg *crm.Config) string { return filepath.Join(cfg.DataDir, "imports") }

func uploadPath(cfg *crm.Config, job string) string { return filepath.Join(Dir(cfg), job+".upload") }

// ErrorsPath is the full error list of a job, as CSV.
func ErrorsPath(cfg *crm.Config, job string) string {
	return filepath.Join(Dir(cfg), job+"-errors.csv")
}

// runner runs one job at a time: an import holds the database's writer.
type runner struct {
	mu sync.Mutex
	wg sync.WaitGroup
}

var runners sync.Map // core.App -> *runner

func runnerOf(app core.App) *runner {
	r, _ := runners.LoadOrStore(app, &runner{})
	return r.(*runner)
}

// Wait blocks until the app's background jobs are over (tests, shutdown).
func Wait(app core.App) { runnerOf(app).wg.Wait() }

// NewJob saves a queued job record.
func NewJob(app core.App, opts Options, filename, staff string) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(crm.ImportJobs)
	if err != nil {
		return nil, err
	}
	job := core.NewRecord(c)
	job.Load(map[string]any{
		"kind": opts.Kind, "mode": opts.Mode, "on_duplicate": opts.OnDuplicate, "filename": crm.TruncateBytes(filepath.Base(filename), 255),
		"status": StatusQueued, "staff": staff,
	})
	if opts.Mapping != nil {
		job.Set("report", map[string]any{"mapping": opts.Mapping})
	}
	return job, app.Save(job)
}

// RunJob runs job over the file at path (which it removes at the end when
// removeAfter) and saves the job's progress and report. Progress during the
// run goes to realtime subscribers directly: the job's own row cannot be
// written while the import holds the writer.
func RunJob(ctx context.Context, app core.App, cfg *crm.Config, job *core.Record, path string, opts Options, removeAfter bool) (*Result, error) {
	r := runnerOf(app)
	r.mu.Lock()
	defer r.mu.Unlock()
	if removeAfter {
		defer os.Remove(path)
	}
	opts.Kind, opts.Mode, opts.OnDuplicate = job.GetString("kind"), job.GetString("mode"), job.GetString("on_duplicate")
	opts.Job = job.Id
	if opts.Country == "" {
		opts.Country = cfg.BusinessNow().Country
	}
	if opts.Currency == "" {
		opts.Currency = cfg.BusinessNow().Currency
	}
	if opts.Location == nil {
		opts.Location = cfg.BusinessNow().Location()
	}
	job.Set("status", StatusRunning)
	job.Set("started", types.NowDateTime())
	job.Set("total_rows", estimateRows(path))
	if err := app.Save(job); err != nil {
		return nil, err
	}

	f, err := os.Open(path)
	if err != nil {
		return nil, finish(app, job, nil, err)
	}
	defer f.Close()
	if err := os.MkdirAll(Dir(cfg), 0o755); err != nil {
		return nil, finish(app, job, nil, err)
	}
	errFile, err := os.Create(ErrorsPath(cfg, job.Id))
	if err != nil {
		return nil, finish(app, job, nil, err)
	}
	defer errFile.Close()
	errCSV := csv.NewWriter(errFile)
	errCSV.Write([]string{"line", "field", "value", "reason"})

	opts.OnStart = func(res *Result) {
		job.Set("format", res.Format)
		job.Set("layout", res.Layout)
		publish(app, job)
	}
	opts.OnProgress = func(res *Result) {
		setCounts(job, res)
		publish(app, job)
	}
	opts.OnProblem = func(p Problem) { // the cells repeat the file's text: never as a formula
		errCSV.Write([]string{fmt.Sprint(p.Line), crm.NeutraliseCell(p.Field), crm.NeutraliseCell(p.Value), crm.NeutraliseCell(p.Reason)})
	}
	// Possible duplicates are listed beside the errors, for review: rows
	// created (or, in a dry run, to be created) beside a record of the same
	// name and company.
	opts.OnNotice = func(p Problem) {
		errCSV.Write([]string{fmt.Sprint(p.Line), "name, company", crm.NeutraliseCell(p.Value), crm.NeutraliseCell(p.Reason)})
	}
	res, runErr := Run(ctx, app, f, opts)
	errCSV.Flush()
	if err := errCSV.Error(); err != nil && runErr == nil {
		runErr = err
	}
	return res, finish(app, job, res, runErr)
}

// finish saves the job's outcome and, in the same transaction, its
// timeline entry. The job's counts of rows created and updated are what was
// committed: nothing for a dry run or a rolled back run, the committed
// batches of a valid-only run that stopped.
func finish(app core.App, job *core.Record, res *Result, runErr error) error {
	job.Set("finished", types.NowDateTime())
	mode := job.GetString("mode")
	var committed Counts
	if res != nil {
		committed = res.Committed
		setCounts(job, res)
		job.Set("total_rows", res.Processed)
		job.Set("report", res.Report(mode))
	}
	switch {
	case runErr != nil:
		job.Set("status", StatusFailed)
		job.Set("rows_created", committed.Created)
		job.Set("rows_updated", committed.Updated)
		msg := runErr.Error()
		if committed.Created == 0 && committed.Updated == 0 {
			msg += " (nothing was imported)"
		} else {
			msg += fmt.Sprintf(" (%s)", keptNote(committed.Processed, committed.Created, committed.Updated))
		}
		job.Set("error", crm.TruncateBytes(msg, 2000))
	case mode == ModeAllOrNothing && !res.Written:
		job.Set("status", StatusFailed)
		job.Set("error", fmt.Sprintf("%d rows have errors, so nothing was imported: fix them, or import only the valid rows", res.Counts.Errors))
		// What was written is what counts on the job: nothing.
		job.Set("rows_created", 0)
		job.Set("rows_updated", 0)
	default:
		job.Set("status", StatusDone)
	}
	if committed.Created+committed.Updated > 0 {
		// The tables may be many times larger now: the planner's statistics
		// follow, so that the lists read the new rows through their indexes.
		if err := storage.RefreshStatistics(app); err != nil {
			app.Logger().Warn("import: the query planner's statistics", "job", job.Id, "error", err)
		}
	}
	err := app.RunInTransaction(func(tx core.App) error {
		if err := tx.Save(job); err != nil {
			return err
		}
		return writeImported(tx, job, committed, runErr != nil, true)
	})
	if err != nil {
		// The outcome matters more than its timeline entry.
		app.Logger().Warn("import: the job and its timeline entry", "job", job.Id, "error", err)
		if err := app.Save(job); err != nil {
			return errors.Join(runErr, err)
		}
	}
	return runErr
}

// keptNote says what a stopped valid-only import left imported.
func keptNote(read, created, updated int64) string {
	return fmt.Sprintf("the batches committed before it stopped stay imported: %d rows read, %d created, %d updated; "+
		"run the file again with duplicates skipped to import the rest", read, created, updated)
}

// writeImported writes the timeline entry of a job that wrote rows, with
// the committed counts c (companies known only while the job runs).
func writeImported(tx core.App, job *core.Record, c Counts, stopped, withCompanies bool) error {
	if c.Created == 0 && c.Updated == 0 {
		return nil
	}
	actor := timeline.System
	if staff := job.GetString("staff"); staff != "" {
		actor = timeline.Actor{Type: timeline.ActorStaff, Staff: staff, Channel: timeline.ChannelWeb}
	}
	// Worded by each reader's screen from the counts (timeline.*.js).
	data := map[string]any{"kind": job.GetString("kind"), "file": job.GetString("filename"), "stopped": stopped,
		"read": c.Processed, "created": c.Created, "updated": c.Updated, "duplicate": c.Duplicate,
		"skipped": c.Skipped, "errors": c.Errors}
	if withCompanies {
		data["companies"] = c.CompaniesCreated
	}
	_, err := timeline.Write(tx, timeline.Entry{
		Event: EventImported, Subject: job.GetString("filename"), Data: data,
		Actor: actor, RefCollection: crm.ImportJobs, RefID: job.Id,
	})
	return err
}

func setCounts(job *core.Record, res *Result) {
	job.Set("processed_rows", res.Processed)
	job.Set("rows_created", res.Created)
	job.Set("rows_updated", res.Updated)
	job.Set("rows_skipped", res.Skipped)
	job.Set("rows_duplicate", res.Duplicate)
	job.Set("rows_error", res.Counts.Errors)
	if job.GetInt("total_rows") < int(res.Processed) {
		job.Set("total_rows", res.Processed)
	}
}

// estimateRows counts a file's lines (CSV, less the header) or cards, to
// size the progress bar; the job holds the exact count at the end.
func estimateRows(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	var lines, cards int64
	first, vcard := true, false
	for {
		n, err := f.Read(buf)
		if first && n > 0 {
			vcard, first = IsVCard(buf[:n]), false
		}
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if vcard {
			cards += int64(bytes.Count(bytes.ToUpper(buf[:n]), []byte("BEGIN:VCARD")))
		}
		if err != nil {
			break
		}
	}
	if vcard {
		return cards
	}
	return max(lines-1, 0)
}

// publish sends the job as it is now to the realtime subscribers of
// import_jobs who may see it (staff and superusers, as the view rule says),
// in the shape of PocketBase's own record events.
func publish(app core.App, job *core.Record) {
	data, err := json.Marshal(map[string]any{"action": "update", "record": job.Fresh()})
	if err != nil {
		return
	}
	name, cid := job.Collection().Name, job.Collection().Id
	prefixes := []string{name + "/*?", cid + "/*?", name + "/" + job.Id + "?", cid + "/" + job.Id + "?", name + "?", cid + "?"}
	for _, client := range app.SubscriptionsBroker().Clients() {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if !guard.IsStaff(auth) {
			continue
		}
		for sub := range client.Subscriptions(prefixes...) {
			client.Send(subscriptions.Message{Name: sub, Data: data})
		}
	}
}

// failInterrupted marks the jobs a stopped server left queued or running as
// failed, saying what of each stayed (the batches a valid-only run
// committed, whose counts the job holds: see Options.Job) with its timeline
// entry, and removes the uploads they left. It runs when the server starts,
// before any import of its own.
func failInterrupted(app core.App, cfg *crm.Config) error {
	jobs, err := app.FindAllRecords(crm.ImportJobs, dbx.In("status", StatusQueued, StatusRunning))
	if err != nil {
		return err
	}
	for _, j := range jobs {
		c := Counts{Processed: int64(j.GetInt("processed_rows")), Created: int64(j.GetInt("rows_created")),
			Updated: int64(j.GetInt("rows_updated")), Skipped: int64(j.GetInt("rows_skipped")),
			Duplicate: int64(j.GetInt("rows_duplicate")), Errors: int64(j.GetInt("rows_error"))}
		msg := "the server stopped before this import finished; nothing was imported: run it again"
		if c.Created > 0 || c.Updated > 0 {
			msg = "the server stopped before this import finished; " + keptNote(c.Processed, c.Created, c.Updated)
		}
		j.Set("status", StatusFailed)
		j.Set("error", msg)
		j.Set("finished", types.NowDateTime())
		err := app.RunInTransaction(func(tx core.App) error {
			if err := tx.Save(j); err != nil {
				return err
			}
			return writeImported(tx, j, c, true, false)
		})
		if err != nil {
			return err
		}
	}
	// No import runs yet: every upload waiting in the folder is a dead one's.
	uploads, err := filepath.Glob(filepath.Join(Dir(cfg), "*.upload"))
	if err != nil {
		return err
	}
	for _, u := range uploads {
		if err := os.Remove(u); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
