package importer_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

// The migration writes the import_jobs choices out (a released migration
// does not follow the code); the engine's names must stay among them.
func TestJobChoicesMatchTheSchema(t *testing.T) {
	app := testkit.NewApp(t)
	jobs, err := app.FindCollectionByNameOrId(crm.ImportJobs)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string][]string{
		"kind": importer.Kinds, "mode": importer.Modes, "on_duplicate": importer.OnDuplicates,
		"format": importer.Formats, "layout": importer.Layouts, "status": importer.Statuses,
	} {
		f, ok := jobs.Fields.GetByName(field).(*core.SelectField)
		if !ok {
			t.Errorf("import_jobs.%s is not a select field", field)
			continue
		}
		for _, v := range want {
			if !slices.Contains(f.Values, v) {
				t.Errorf("import_jobs.%s does not allow %q (the engine uses it)", field, v)
			}
		}
	}
}
