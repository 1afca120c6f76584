package crash

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vinculo/testkit"
)

const (
	importRows  = 45000
	importBatch = 20000 // importer.BatchRows of the binary
)

// An all-or-nothing import killed half way leaves nothing of it; a
// valid-only one killed after some batches leaves whole batches, its job
// says so (and its timeline entry), and running the file again with
// duplicates skipped adds the rest and no duplicate. A restart removes the
// uploads the dead imports left.
func TestCrashDuringImport(t *testing.T) {
	bin := testkit.Binary(t)
	dir := newDataDir(t, bin)
	s := start(t, bin, dir)
	token, _ := s.staff(t)
	for run := 1; run <= runs(t); run++ {
		domain := fmt.Sprintf("run%d.import.test", run)
		file := importFile(domain)

		// All or nothing, killed half way.
		job, killedAt := importUntil(t, s, token, file, "all_or_nothing", importRows/2)
		s = start(t, bin, dir)
		token, _ = s.staff(t)
		db := openDB(t, dir)
		stayed := count(t, db, "SELECT count(*) FROM contacts WHERE email LIKE ?", "%@"+domain)
		status := jobField(t, s, token, job)
		if stayed != 0 || status.Status != "failed" {
			t.Errorf("all or nothing killed at row %d: %d contacts stayed, job %s; want none, failed", killedAt, stayed, status.Status)
		}
		uploadsLeft := uploads(t, dir)
		t.Logf("crash-import run=%d mode=all_or_nothing rows=%d killed_at_row=%d stayed=%d job=%s job_created=%d uploads_left=%d integrity=%s",
			run, importRows, killedAt, stayed, status.Status, status.RowsCreated, uploadsLeft, integrity(t, dir))

		// Valid only, killed after its first batch.
		job, killedAt = importUntil(t, s, token, file, "valid_only", importBatch+importBatch/4)
		s = start(t, bin, dir)
		token, _ = s.staff(t)
		committed := count(t, db, "SELECT count(*) FROM contacts WHERE email LIKE ?", "%@"+domain)
		status = jobField(t, s, token, job)
		if committed == 0 || committed%importBatch != 0 || committed >= importRows {
			t.Errorf("valid only killed at row %d: %d contacts stayed, want whole batches of %d", killedAt, committed, importBatch)
		}
		if status.Status != "failed" || status.RowsCreated != committed {
			t.Errorf("valid only killed: job %s with %d created, want failed with the %d committed (error %q)",
				status.Status, status.RowsCreated, committed, status.Error)
		}
		entries := count(t, db, "SELECT count(*) FROM activities WHERE ref_id = ? AND event = 'import.finished' AND json_extract(data, '$.created') = ?",
			job, committed)
		if entries != 1 {
			t.Errorf("the killed import has %d timeline entries saying %d created, want 1", entries, committed)
		}
		uploadsLeft += uploads(t, dir)
		if uploadsLeft != 0 {
			t.Errorf("%d uploads of dead imports left after the restarts", uploadsLeft)
		}

		// Run again, duplicates skipped: the rest, and no duplicate.
		again := postImport(t, s, token, file, "valid_only")
		rerun := waitJob(t, s, token, again)
		total := count(t, db, "SELECT count(*) FROM contacts WHERE email LIKE ?", "%@"+domain)
		distinct := count(t, db, "SELECT count(DISTINCT email) FROM contacts WHERE email LIKE ?", "%@"+domain)
		if rerun.Status != "done" || total != importRows || distinct != importRows || rerun.RowsCreated != importRows-committed {
			t.Errorf("run again: job %s, %d created; %d contacts (%d emails); want done, %d created, %d contacts",
				rerun.Status, rerun.RowsCreated, total, distinct, importRows-committed, importRows)
		}
		// The search index (built in bulk by each transaction before it
		// commits) holds every contact, once, and the insert trigger is back.
		indexed := count(t, db, "SELECT count(*) FROM _crm_search_map m JOIN _crm_search s ON s.rowid = m.id JOIN contacts c ON c.id = m.record "+
			"WHERE m.collection = 'contacts' AND c.email LIKE ?", "%@"+domain)
		triggers := count(t, db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?", "_crm_search_contacts_ai")
		if indexed != importRows || triggers != 1 {
			t.Errorf("after the crashes and the rerun: %d of %d contacts in the search index, insert trigger present: %d", indexed, importRows, triggers)
		}
		t.Logf("crash-import run=%d mode=valid_only rows=%d killed_at_row=%d committed=%d job_created=%d timeline_entries=%d "+
			"rerun_created=%d rerun_duplicates=%d after_rerun=%d duplicates=%d uploads_left=%d integrity=%s",
			run, importRows, killedAt, committed, status.RowsCreated, entries, rerun.RowsCreated, rerun.RowsDuplicate,
			total, total-distinct, uploadsLeft, integrity(t, dir))
	}
}

func importFile(domain string) []byte {
	var b bytes.Buffer
	b.WriteString("name,email,company\n")
	for i := 1; i <= importRows; i++ {
		// Names differ between runs too: a name and company is a duplicate key.
		fmt.Fprintf(&b, "Imported Person %d of %s,person%d@%s,Company %d\n", i, domain, i, domain, i%500)
	}
	return b.Bytes()
}

// uploads counts the uploads waiting in the data dir's import folder.
func uploads(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "imports", "*.upload"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

type jobRecord struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Error         string `json:"error"`
	ProcessedRows int    `json:"processed_rows"`
	RowsCreated   int    `json:"rows_created"`
	RowsDuplicate int    `json:"rows_duplicate"`
}

func jobField(t *testing.T, s *server, token, id string) jobRecord {
	t.Helper()
	var j jobRecord
	s.must(t, "GET", "/api/collections/import_jobs/records/"+id, token, nil, &j)
	return j
}

func waitJob(t *testing.T, s *server, token, id string) jobRecord {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		j := jobField(t, s, token, id)
		if j.Status == "done" || j.Status == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still %s after 2 minutes", id, j.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func postImport(t *testing.T, s *server, token string, file []byte, mode string) string {
	t.Helper()
	body, contentType := testkit.Form(map[string]string{"kind": "contacts", "mode": mode, "on_duplicate": "skip"}, "file", "crash.csv", file)
	req, _ := http.NewRequest("POST", s.base+"/api/crm/import", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", token)
	resp, raw := testkit.Send(t, s.client, req)
	var out struct {
		Job string `json:"job"`
	}
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("POST /api/crm/import: %d %s", resp.StatusCode, raw)
	}
	return out.Job
}

// importUntil starts an import and follows its progress in realtime, as
// the workspace does, until it has read at least rows rows; then it kills
// the server (after checking that the upload waits in the data dir).
func importUntil(t *testing.T, s *server, token string, file []byte, mode string, rows int) (job string, killedAt int) {
	t.Helper()
	events := subscribe(t, s, token, "import_jobs")
	job = postImport(t, s, token, file, mode)
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case j, ok := <-events:
			if !ok {
				t.Fatalf("the realtime connection ended before row %d", rows)
			}
			if j.ID != job {
				continue
			}
			if j.Status == "done" || j.Status == "failed" {
				t.Fatalf("the %s import ended (%s) before row %d: make the file bigger", mode, j.Status, rows)
			}
			if j.ProcessedRows >= rows {
				if uploads(t, s.dir) == 0 {
					t.Errorf("no upload in the data dir while the import runs")
				}
				s.kill()
				return job, j.ProcessedRows
			}
		case <-timeout:
			t.Fatalf("the import did not reach row %d in 2 minutes", rows)
		}
	}
}

// subscribe opens a realtime connection as token and subscribes to topic;
// it sends the records of the events that come.
func subscribe(t *testing.T, s *server, token, topic string) <-chan jobRecord {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/api/realtime", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan jobRecord, 64)
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	var clientID string
	for clientID == "" && lines.Scan() {
		if data, ok := strings.CutPrefix(lines.Text(), "data:"); ok {
			var connect struct {
				ClientID string `json:"clientId"`
			}
			if json.Unmarshal([]byte(data), &connect) == nil {
				clientID = connect.ClientID
			}
		}
	}
	if clientID == "" {
		t.Fatal("no PB_CONNECT on the realtime connection")
	}
	s.must(t, "POST", "/api/realtime", token, map[string]any{"clientId": clientID, "subscriptions": []string{topic}}, nil)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		for lines.Scan() {
			data, ok := strings.CutPrefix(lines.Text(), "data:")
			if !ok {
				continue
			}
			var ev struct {
				Record jobRecord `json:"record"`
			}
			if json.Unmarshal([]byte(data), &ev) == nil && ev.Record.ID != "" {
				select {
				case out <- ev.Record:
				default: // a slow reader misses a progress event, not the next
				}
			}
		}
	}()
	return out
}
