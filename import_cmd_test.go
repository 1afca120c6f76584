package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"vinculo/crm"
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
