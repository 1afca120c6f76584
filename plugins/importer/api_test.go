package importer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/plugins/importer/samplefiles"
	"vinculo/testkit"
)

// postImport sends the multipart form of POST /api/crm/import as who.
func postImport(t *testing.T, w *testkit.World, who, filename string, file []byte, fields map[string]string) (int, []byte) {
	t.Helper()
	body, contentType := testkit.Form(fields, "file", filename, file)
	res, raw := w.Request(t, http.MethodPost, "/api/crm/import", who, body, map[string]string{"Content-Type": contentType})
	return res.StatusCode, raw
}

type jobEvent struct {
	Record struct {
		ID            string `json:"id"`
		Status        string `json:"status"`
		ProcessedRows int    `json:"processed_rows"`
		TotalRows     int    `json:"total_rows"`
		RowsCreated   int    `json:"rows_created"`
		RowsError     int    `json:"rows_error"`
	} `json:"record"`
}

// Through a real server: 202 at once, the job runs in the background, its
// progress reaches staff in realtime, it ends done, and its errors download
// as CSV.
// importValidOnly posts a valid-only import of contacts as who, waits for it
// to end and returns its job.
func importValidOnly(t *testing.T, w *testkit.World, who, filename string, file []byte) (started struct{ Job string }) {
	t.Helper()
	code, body := postImport(t, w, who, filename, file,
		map[string]string{"kind": "contacts", "mode": "valid_only", "on_duplicate": "skip"})
	if code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	json.Unmarshal(body, &started)
	importer.Wait(w.App)
	return started
}

func TestImportAPI(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served())
	manager := w.Make(t, "manager", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.Make(t, "reader", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Reader", "role": crm.RoleReadonly})

	set(t, &importer.ProgressEvery, 0) // a progress event every 256 rows

	var csv strings.Builder
	csv.WriteString("Nome;E-mail;Celular\n")
	const rows = 3000
	for i := 1; i <= rows; i++ {
		email := fmt.Sprintf("pessoa%d@exemplo.com.br", i)
		if i == 1000 || i == 2500 {
			email = "sem-arroba"
		}
		fmt.Fprintf(&csv, "Pessoa Número %d;%s;(11) 9%04d-%04d\n", i, email, i/10000, i%10000)
	}

	live, status := w.Srv.Realtime(t, w.Token(t, "reader"), crm.ImportJobs+"/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	started := importValidOnly(t, w, "manager", "pessoas.csv", []byte(csv.String()))

	job, err := w.App.FindRecordById(crm.ImportJobs, started.Job)
	if err != nil {
		t.Fatal(err)
	}
	if job.GetString("status") != importer.StatusDone || job.GetInt("rows_created") != rows-2 || job.GetInt("rows_error") != 2 ||
		job.GetInt("processed_rows") != rows || job.GetString("staff") != manager.Id || job.GetString("layout") != importer.LayoutGeneric {
		t.Fatalf("job: %v", job.PublicExport())
	}
	var report map[string]any
	json.Unmarshal([]byte(job.GetString("report")), &report)
	if d, _ := report["dialect"].(map[string]any); d["delimiter"] != "semicolon" {
		t.Errorf("report: %v", report)
	}

	// Realtime: progress while running, then done.
	var progress, done bool
	deadline := time.Now().Add(20 * time.Second)
	for !done && time.Now().Before(deadline) {
		for _, e := range live.Drain(t, started.Job) {
			var ev jobEvent
			if json.Unmarshal([]byte(e.Raw), &ev) != nil || ev.Record.ID != started.Job {
				continue
			}
			if ev.Record.Status == importer.StatusRunning && ev.Record.ProcessedRows > 0 && ev.Record.ProcessedRows < rows {
				progress = true
			}
			done = done || ev.Record.Status == importer.StatusDone
		}
	}
	if !progress || !done {
		t.Errorf("realtime: progress seen %v, done seen %v", progress, done)
	}

	// The error list.
	res := w.Do(t, http.MethodGet, "/api/crm/import/"+started.Job+"/errors.csv", "reader", nil)
	lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
	if res.Status != http.StatusOK || len(lines) != 3 || lines[0] != "line,field,value,reason" ||
		!strings.HasPrefix(lines[1], "1001,email,sem-arroba,") || !strings.HasPrefix(lines[2], "2501,email,") {
		t.Errorf("errors.csv: %d %q", res.Status, res.Body)
	}

	// One timeline entry for the job, none per row.
	if n := w.Count(t, crm.Activities, ""); n != 1 {
		t.Errorf("%d timeline entries, want 1", n)
	}

	// Bad parameters: 400 naming the field, nothing started.
	for field, form := range map[string]map[string]string{
		"kind":         {"kind": "deals"},
		"mode":         {"mode": "maybe"},
		"on_duplicate": {"on_duplicate": "merge"},
		"mapping":      {"mapping": `{"Nome": "salary"}`},
		"preset":       {"preset": "nosuchpreset123"},
	} {
		code, body := postImport(t, w, "manager", "x.csv", []byte("Nome\nA\n"), form)
		if code != http.StatusBadRequest || !strings.Contains(string(body), `"`+field+`"`) {
			t.Errorf("%s: %d %s", field, code, body)
		}
	}
	if code, body := postImport(t, w, "manager", "", nil, map[string]string{"kind": "contacts"}); code != http.StatusBadRequest || !strings.Contains(string(body), `"file"`) {
		t.Errorf("no file: %d %s", code, body)
	}
	if code, _ := postImport(t, w, "reader", "x.csv", []byte("Nome\nA\n"), nil); code != http.StatusForbidden {
		t.Errorf("readonly: %d, want 403", code)
	}
	if n := w.Count(t, crm.ImportJobs, ""); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}

	// A preset's mapping, and an all-or-nothing run that fails.
	preset := w.Make(t, "preset", crm.ImportPresets, map[string]any{"name": "Planilha", "kind": "contacts", "mapping": map[string]string{"Quem": "name", "Onde": "email"}, "staff": manager.Id})
	code, body := postImport(t, w, "manager", "p.csv", []byte("Quem,Onde\nPreset Pessoa,preset@exemplo.com\nRuim,ruim\n"),
		map[string]string{"mode": "all_or_nothing", "preset": preset.Id})
	if code != http.StatusAccepted {
		t.Fatalf("preset: %d %s", code, body)
	}
	json.Unmarshal(body, &started)
	importer.Wait(w.App)
	job, _ = w.App.FindRecordById(crm.ImportJobs, started.Job)
	if job.GetString("status") != importer.StatusFailed || job.GetString("layout") != importer.LayoutMapped || job.GetInt("rows_created") != 0 ||
		!strings.Contains(job.GetString("error"), "nothing was imported") {
		t.Errorf("all or nothing with a bad row: %v", job.PublicExport())
	}
	if _, err := w.App.FindFirstRecordByData(crm.Contacts, "email", "preset@exemplo.com"); err == nil {
		t.Error("all or nothing wrote a row")
	}
}

// Through the API: the Google export of people who share names, as a dry
// run and for real; the job's report counts and lists the possible
// duplicates, and its error list holds every one of them for review.
func TestImportAPINamesakes(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served())
	w.Make(t, "manager", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.Make(t, "reader", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Reader", "role": crm.RoleReadonly})
	f := samplefiles.Google()
	contacts := w.Count(t, crm.Contacts, "")
	for _, mode := range []string{importer.ModeDryRun, importer.ModeAllOrNothing} {
		code, body := postImport(t, w, "manager", f.Name, f.Data, map[string]string{"kind": "contacts", "mode": mode, "on_duplicate": "skip"})
		if code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", mode, code, body)
		}
		var started struct{ Job string }
		json.Unmarshal(body, &started)
		importer.Wait(w.App)
		job, err := w.App.FindRecordById(crm.ImportJobs, started.Job)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Summary  importer.Counts    `json:"summary"`
			Possible []importer.Problem `json:"possible_duplicates"`
		}
		json.Unmarshal([]byte(job.GetString("report")), &report)
		s := report.Summary
		if job.GetString("status") != importer.StatusDone || s.Processed != f.Want.Rows || s.Created != f.Want.Created ||
			s.Duplicate != f.Want.Duplicate || s.Possible != f.Want.Possible || job.GetInt("rows_duplicate") != int(f.Want.Duplicate) {
			t.Fatalf("%s: %v", mode, job.PublicExport())
		}
		if len(report.Possible) != importer.MaxReportedProblems || report.Possible[0].Code != "possible_duplicate" ||
			report.Possible[0].Params["of_row"] == nil || !strings.HasPrefix(report.Possible[0].Reason, "possible duplicate (same name and company): row ") {
			t.Errorf("%s: the report lists %d possible duplicates: %+v", mode, len(report.Possible), report.Possible[:min(1, len(report.Possible))])
		}
		res := w.Do(t, http.MethodGet, "/api/crm/import/"+started.Job+"/errors.csv", "reader", nil)
		if n := strings.Count(string(res.Body), ",\"name, company\","); res.Status != http.StatusOK || n != int(f.Want.Possible) {
			t.Errorf("%s: errors.csv lists %d possible duplicates, want %d:\n%.300s", mode, n, f.Want.Possible, res.Body)
		}
		if mode == importer.ModeAllOrNothing {
			contacts += int(f.Want.Created)
		}
		if n := w.Count(t, crm.Contacts, ""); n != contacts {
			t.Errorf("%s: %d contacts, want %d", mode, n, contacts)
		}
	}
}
