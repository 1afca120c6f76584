package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Segments in the workspace and orders as history (issue 18):
//   - segments gain a definition (conditions the server compiles to one
//     query), a value proposition and a computed "uses profiling" flag; the
//     PocketBase filter of the saved filters before stays, now optional;
//   - segment_snapshots keep each segment's size and revenue per day;
//   - orders gain a source (imported history) and the id they had in the
//     system they came from, one order per id;
//   - contacts gain the id they had elsewhere, for orders to find them;
//   - imports and their presets take the kind "orders".
func init() {
	m.Register(segmentsUp, segmentsDown)
}

// A customer may not send their contact's external id.
var externalIDGuard = "@request.body." + crm.ContactExternalID + ":isset = false && "

func segmentsUp(app core.App) error {
	seg, err := app.FindCollectionByNameOrId(crm.Segments)
	if err != nil {
		return err
	}
	if f, ok := seg.Fields.GetByName(crm.SegmentFilter).(*core.TextField); ok {
		f.Required = false
	}
	seg.Fields.Add(
		jsonField(crm.SegmentDefinition, false, 64<<10),
		text(crm.SegmentProposition, false, 2000),
		boolean(crm.SegmentUsesProfiling),
	)
	if err := app.Save(seg); err != nil {
		return err
	}

	snaps := core.NewBaseCollection(crm.SegmentSnapshots)
	snaps.Fields.Add(
		relation(app, crm.SnapSegment, crm.Segments, true, true),
		pattern(crm.SnapDay, true, 10, `^\d{4}-\d{2}-\d{2}$`),
		number(crm.SnapMembers, false, 0, 1e12, true),
		number(crm.SnapRevenue, false, 0, 1e15, false),
	)
	snaps.Fields.Add(timestamps()...)
	describe(snaps, "One row per segment and day: how many contacts it had and what they spent in orders placed that day. The server writes them nightly; staff read.")
	setRules(snaps, rules{read: rule(isStaff)})
	index(snaps, true, crm.SnapSegment, crm.SnapDay)
	index(snaps, false, crm.SnapDay)
	if err := app.Save(snaps); err != nil {
		return err
	}

	orders, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	orders.Fields.Add(
		choice(crm.OrderSource, false, crm.OrderFromImport),
		text(crm.OrderExternalID, false, 100),
	)
	orders.AddIndex("idx_orders_"+crm.OrderExternalID, true, "`"+crm.OrderExternalID+"`", "`"+crm.OrderExternalID+"` != ''")
	if err := app.Save(orders); err != nil {
		return err
	}

	contacts, err := app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return err
	}
	contacts.Fields.Add(text(crm.ContactExternalID, false, 100))
	index(contacts, false, crm.ContactExternalID)
	if contacts.UpdateRule == nil || !strings.Contains(*contacts.UpdateRule, customerBranch) {
		return fmt.Errorf("contacts update rule has no customer branch to guard")
	}
	contacts.UpdateRule = rule(strings.Replace(*contacts.UpdateRule, customerBranch, customerBranch+externalIDGuard, 1))
	if err := app.Save(contacts); err != nil {
		return err
	}
	return importKinds(app, "contacts", "companies", "orders")
}

// importKinds sets the kinds an import job and a preset may have.
func importKinds(app core.App, kinds ...string) error {
	for _, name := range []string{crm.ImportJobs, crm.ImportPresets} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		if f, ok := c.Fields.GetByName("kind").(*core.SelectField); ok {
			f.Values = kinds
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

func segmentsDown(app core.App) error {
	if c, err := app.FindCollectionByNameOrId(crm.SegmentSnapshots); err == nil {
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	if seg, err := app.FindCollectionByNameOrId(crm.Segments); err == nil {
		for _, f := range []string{crm.SegmentDefinition, crm.SegmentProposition, crm.SegmentUsesProfiling} {
			seg.Fields.RemoveByName(f)
		}
		if err := app.Save(seg); err != nil {
			return err
		}
	}
	if orders, err := app.FindCollectionByNameOrId(crm.Orders); err == nil {
		orders.RemoveIndex("idx_orders_" + crm.OrderExternalID)
		orders.Fields.RemoveByName(crm.OrderSource)
		orders.Fields.RemoveByName(crm.OrderExternalID)
		if err := app.Save(orders); err != nil {
			return err
		}
	}
	if contacts, err := app.FindCollectionByNameOrId(crm.Contacts); err == nil {
		contacts.RemoveIndex("idx_contacts_" + crm.ContactExternalID)
		if contacts.UpdateRule != nil {
			contacts.UpdateRule = rule(strings.Replace(*contacts.UpdateRule, externalIDGuard, "", 1))
		}
		contacts.Fields.RemoveByName(crm.ContactExternalID)
		if err := app.Save(contacts); err != nil {
			return err
		}
	}
	return importKinds(app, "contacts", "companies")
}
