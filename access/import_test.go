package access_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Imports: import_jobs are written by the server alone and read by staff;
// import_presets are read by staff and written by managers and agents (an
// agent deletes only their own). POST /api/crm/import is for writers; the
// error list of a job for staff.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return importSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/import", nil, writers, http.StatusBadRequest}, // no file: 400 once allowed
		route{http.MethodGet, "/api/crm/import/nosuchjob000000/errors.csv", nil, staffAll, http.StatusNotFound},
	)
}

// importFixtures adds the records the import rows are about, once.
func importFixtures(w *testkit.World) {
	if w.Has("ijM") {
		return
	}
	job := func(staff string) map[string]any {
		return map[string]any{"kind": "contacts", "mode": "dry_run", "on_duplicate": "skip", "status": "done", "staff": w.ID(staff), "filename": "a.csv"}
	}
	w.Make(nil2(w), "ijM", crm.ImportJobs, job("stM"))
	w.Make(nil2(w), "ijG", crm.ImportJobs, job("stG"))
	preset := func(staff string) map[string]any {
		return map[string]any{"name": "Planilha", "kind": "contacts", "mapping": map[string]string{"Nome": "name"}, "staff": w.ID(staff)}
	}
	w.Make(nil2(w), "ipM", crm.ImportPresets, preset("stM"))
	w.Make(nil2(w), "ipG", crm.ImportPresets, preset("stG"))
}

// importSpecs: with labels, the fixture records are listed, viewed and heard
// about in realtime (TestImportAccess makes them first); the matrix itself
// runs them without labels, as it builds no import fixtures.
func importSpecs(withLabels bool) []spec {
	var jobs, presets []string
	if withLabels {
		jobs, presets = []string{"ijM", "ijG"}, []string{"ipM", "ipG"}
	}
	return []spec{
		{
			collection: crm.ImportJobs, labels: jobs, sees: staffOnly(jobs...),
			create: func(*testkit.World, string) map[string]any {
				return map[string]any{"kind": "contacts", "mode": "dry_run", "on_duplicate": "skip", "status": "queued"}
			},
			canCreate: superOnly,
			update: func(w *testkit.World, _ string) (string, map[string]any) {
				importFixtures(w)
				return "ijG", map[string]any{"status": "failed", "rows_created": 5}
			},
			canUpdate: superOnly,
			remove: func(*testkit.World) map[string]any {
				return map[string]any{"kind": "contacts", "mode": "dry_run", "on_duplicate": "skip", "status": "done"}
			},
			canDelete: superOnly,
		},
		{
			collection: crm.ImportPresets, labels: presets, sees: staffOnly(presets...),
			create: func(*testkit.World, string) map[string]any {
				return map[string]any{"name": "New", "kind": "companies", "mapping": map[string]string{"Empresa": "name"}}
			},
			canCreate: writers,
			update: func(w *testkit.World, _ string) (string, map[string]any) {
				importFixtures(w)
				return "ipG", map[string]any{"name": "Renamed"}
			},
			canUpdate: writers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"name": "Gone", "kind": "contacts", "mapping": map[string]string{"A": "name"}, "staff": w.ID("stG2")}
			},
			canDelete: managers,
		},
	}
}

// TestImportAccess: the import collections with their fixture records,
// every actor, every operation and realtime; and the error list of a real job.
func TestImportAccess(t *testing.T) {
	w := newWorld(t)
	importFixtures(w)
	for _, s := range importSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/crm/import/"+w.ID("ijG")+"/errors.csv", actor, nil)
		want := http.StatusForbidden
		switch {
		case actor == anon:
			want = http.StatusUnauthorized
		case strings.HasPrefix(actor, "staff") || actor == superuser:
			want = http.StatusOK
		}
		if res.Status != want || (want == http.StatusOK && !strings.HasPrefix(string(res.Body), "line,field,value,reason")) {
			t.Errorf("%s errors.csv: %d %s, want %d", actor, res.Status, res.Body, want)
		}
	}
}
