package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/importer"
	"vinculo/plugins/importer/samplefiles"
	"vinculo/testkit"
)

// `vinculo import`, run in process on a test app: the dry-run report, exit
// code 1 (an error that is not a configError) when rows have errors in an
// all-or-nothing run, 2 (a configError naming the flag) for bad flags.
func TestImportCLI(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	run := func(args ...string) (string, error) {
		cmd := importCommand(app, cfg)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	const late = "plugins/importer/testdata/late_failure.csv"

	out, err := run(late, "--dry-run")
	var cfgErr *configError
	if err == nil || errors.As(err, &cfgErr) || !strings.Contains(out, "line 61: email: \"not-an-email\" is not an email address") ||
		!strings.Contains(out, "70 rows read: 69 would be created") || !strings.Contains(out, "Nothing was written.") {
		t.Errorf("dry run: %v\n%s", err, out)
	}
	if n, _ := app.CountRecords(crm.Contacts); n != 0 {
		t.Fatalf("dry run wrote %d contacts", n)
	}
	if _, err := run(late); err == nil || errors.As(err, &cfgErr) {
		t.Errorf("all or nothing with a bad row: %v, want exit 1", err)
	}
	if n, _ := app.CountRecords(crm.Contacts); n != 0 {
		t.Fatalf("all or nothing wrote %d contacts", n)
	}
	out, err = run(late, "--valid-only", "--on-duplicate", "fill", "--mapping", `{"name":"name","email":"email","phone":"mobile"}`)
	if err != nil || !strings.Contains(out, "69 were created") {
		t.Errorf("valid only: %v\n%s", err, out)
	}
	if n, _ := app.CountRecords(crm.Contacts); n != 69 {
		t.Errorf("valid only wrote %d contacts, want 69", n)
	}

	for flag, args := range map[string][]string{
		"--kind":         {late, "--kind", "deals"},
		"--on-duplicate": {late, "--on-duplicate", "merge"},
		"--mapping":      {late, "--mapping", "{not json"},
		"--valid-only":   {late, "--valid-only=maybe"},
		"--nope":         {late, "--nope"},
	} {
		_, err := run(args...)
		if !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s: %v, want a configError (exit 2) naming the flag", flag, err)
		}
	}
	if _, err := run(); !errors.As(err, &cfgErr) {
		t.Errorf("no file: %v, want exit 2", err)
	}
}

// A valid-only `vinculo import` that stops part way (here the database
// refuses the 250th contact) reports what the batches committed before it
// stopped wrote, not what it read, and exits with an error.
func TestImportCLIStoppedValidOnlyPrintsWhatWasCommitted(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	oldBatch := importer.BatchRows
	importer.BatchRows = 100
	t.Cleanup(func() { importer.BatchRows = oldBatch })
	var file strings.Builder
	file.WriteString("name,email\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&file, "Stopped Person %d,stopped%d@cli.test\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := app.NonconcurrentDB().NewQuery("CREATE TRIGGER refuse_250th AFTER INSERT ON contacts " +
		"WHEN (SELECT count(*) FROM contacts) >= 250 BEGIN SELECT RAISE(FAIL, 'the disk is full (test)'); END").Execute(); err != nil {
		t.Fatal(err)
	}
	cmd := importCommand(app, cfg)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{path, "--valid-only"})
	err := cmd.Execute()
	var cfgErr *configError
	if err == nil || errors.As(err, &cfgErr) || !strings.Contains(err.Error(), "the disk is full (test)") {
		t.Fatalf("stopped import: %v, want the database's error (exit 1)\n%s", err, out.String())
	}
	if n, _ := app.CountRecords(crm.Contacts); n != 200 {
		t.Fatalf("%d contacts stayed, want the 2 batches of 100 committed before the stop", n)
	}
	for _, want := range []string{
		"the batches committed before it stopped stay imported:",
		"200 rows read: 200 were created, 0 updated, 0 duplicates, 0 skipped, 0 with errors; 0 companies created along.",
		"Run the file again with --on-duplicate skip to import the rest.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}

// `vinculo import` of exports whose people share names: a dry run and a
// real run count the same, and both list the possible duplicates (people of
// the same name and company with emails and phones of their own, imported)
// on screen and in the error list, the Outlook file's against the records
// the Google file stored.
func TestImportCLINamesakes(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	dir := t.TempDir()
	for _, f := range []samplefiles.File{samplefiles.Google(), samplefiles.Outlook()} {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, dry := range []bool{true, false} {
			args, verb := []string{path}, "were"
			if dry {
				args, verb = append(args, "--dry-run"), "would be"
			}
			cmd := importCommand(app, cfg)
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetArgs(args)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%s: %v\n%s", f.Name, err, out.String())
			}
			w := f.Want
			for _, want := range []string{
				fmt.Sprintf("%d rows read: %d %s created, 0 updated, %d duplicates, %d skipped, 0 with errors;", w.Rows, w.Created, verb, w.Duplicate, w.Duplicate),
				fmt.Sprintf("%d %s created beside a record or row of the same name and company", w.Possible, verb),
				"possible duplicate (same name and company): row ",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("%s (dry run %v): the report lacks %q:\n%s", f.Name, dry, want, out.String())
				}
			}
			if !dry && f.Name == "outlook.csv" && !strings.Contains(out.String(), " ↔ record ") {
				t.Errorf("outlook: no possible duplicate of a stored record:\n%s", out.String())
			}
			// The error list names every one of them.
			jobs, err := app.FindRecordsByFilter(crm.ImportJobs, "", "-created", 1, 0)
			if err != nil || len(jobs) != 1 {
				t.Fatal(err)
			}
			list, err := os.ReadFile(importer.ErrorsPath(cfg, jobs[0].Id))
			if n := strings.Count(string(list), "possible duplicate (same name and company): row "); err != nil || n != int(w.Possible) {
				t.Errorf("%s: errors.csv lists %d possible duplicates, want %d (%v)", f.Name, n, w.Possible, err)
			}
		}
	}
	if n, _ := app.CountRecords(crm.Contacts); n != 1500+550 {
		t.Errorf("%d contacts, want %d", n, 1500+550)
	}
}
