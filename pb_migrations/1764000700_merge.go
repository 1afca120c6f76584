package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// merges: one row per merge of two contacts or companies, holding what the
// undo needs for 30 days. Staff read them; only the server writes them.
func init() {
	m.Register(mergesUp, mergesDown)
}

func mergesUp(app core.App) error {
	c := core.NewBaseCollection(crm.Merges)
	c.Fields.Add(
		choice("kind", true, crm.Contacts, crm.Companies),
		text("survivor", true, 30), // a contact or a company: a text id, not a relation
		text("other_id", true, 30), // the deleted record; restored with this id on undo
		text("survivor_name", false, 200),
		text("other_name", false, 200),
		// {"other": row, "survivor_before": {field: value}, "fields": [...],
		//  "moved": {collection: {field: [ids]}}, "deleted": {collection: [rows]}}
		jsonField("snapshot", true, 64<<20),
		jsonField("summary", false, 64<<10), // what moved and the notes, for people
		relation(app, "staff", crm.Staff, false, false),
		date("undone_at", false),
		relation(app, "undone_by", crm.Staff, false, false),
		date("expires", true),
	)
	c.Fields.Add(timestamps()...)
	// The snapshot holds whole rows, a portal account's password hash among
	// them: the server reads it, the API shows it to no one but superusers.
	c.Fields.GetByName("snapshot").SetHidden(true)
	c.ListRule = rule(isStaff)
	c.ViewRule = rule(isStaff)
	c.CreateRule = nil
	c.UpdateRule = nil
	c.DeleteRule = nil
	index(c, false, "survivor", "created")
	index(c, false, "other_id")
	index(c, false, "staff")
	index(c, false, "undone_by")
	index(c, false, "created")
	return app.Save(c)
}

func mergesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Merges)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
