package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Imports (plugins/importer): one import_jobs record per import, written by
// the server only and read by staff (the wizard's progress bar follows it in
// realtime), and the column mappings staff save as presets. The choices are
// written out here, not taken from plugins/importer: a migration stays as it
// was released (and plugins may not be imported by migrations).
func init() {
	m.Register(importUp, importDown)
}

func importUp(app core.App) error {
	jobs := core.NewBaseCollection(crm.ImportJobs)
	jobs.Fields.Add(
		choice("kind", true, "contacts", "companies"),
		choice("mode", true, "dry_run", "all_or_nothing", "valid_only"),
		choice("on_duplicate", true, "skip", "fill", "overwrite", "create"),
		text("filename", false, 255),
		choice("format", false, "csv", "vcard"),
		choice("layout", false, "google", "outlook", "hubspot", "generic", "vcard", "mapped"),
		choice("status", true, "queued", "running", "done", "failed"),
		number("total_rows", false, 0, 1e12, true),
		number("processed_rows", false, 0, 1e12, true),
		number("rows_created", false, 0, 1e12, true),
		number("rows_updated", false, 0, 1e12, true),
		number("rows_skipped", false, 0, 1e12, true),
		number("rows_duplicate", false, 0, 1e12, true),
		number("rows_error", false, 0, 1e12, true),
		jsonField("report", false, 1<<20),
		text("error", false, 2000),
		relation(app, "staff", crm.Staff, false, false),
		date("started", false),
		date("finished", false),
	)
	jobs.Fields.Add(timestamps()...)
	jobs.ListRule = rule(isStaff)
	jobs.ViewRule = rule(isStaff)
	// Create, update and delete stay nil: only the server writes jobs.
	index(jobs, false, "staff", "created")
	index(jobs, false, "status")
	index(jobs, false, "created")
	if err := app.Save(jobs); err != nil {
		return err
	}

	presets := core.NewBaseCollection(crm.ImportPresets)
	presets.Fields.Add(
		text("name", true, 120),
		choice("kind", true, "contacts", "companies"),
		jsonField("mapping", true, 64<<10),
		relation(app, "staff", crm.Staff, false, false),
	)
	presets.Fields.Add(timestamps()...)
	presets.ListRule = rule(isStaff)
	presets.ViewRule = rule(isStaff)
	presets.CreateRule = rule(isWriter)
	presets.UpdateRule = rule(isWriter)
	presets.DeleteRule = rule(agentOwns("staff"))
	index(presets, false, "staff")
	index(presets, false, "kind", "name")
	return app.Save(presets)
}

func importDown(app core.App) error {
	for _, name := range []string{crm.ImportPresets, crm.ImportJobs} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	return nil
}
