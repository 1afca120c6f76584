package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Who looked at my data (issue 20): audit_log grows who looked (their kind,
// name and role at the time), through which screen and when; an export is
// one audit_log row (its filter and count) and one export_members row per
// customer it held, so each customer's log lists it. Consents gain the
// proof of every change, set by the server: address, user agent, a digest
// of the words agreed to and the staff member who recorded it.
func init() {
	m.Register(accessLogUp, accessLogDown)
}

// consentServerFields are the consent fields only the server sets; the
// update rule lets them through so plugins/consents can refuse them with a
// 400 that names the field.
var consentServerFields = []string{"at", crm.ConsentIP, crm.ConsentUserAgent, crm.ConsentTextVersion, crm.ConsentRecordedBy, crm.ConsentRecordedByName}

const backfill = "UPDATE `" + crm.AuditLog + "` SET " +
	"`" + crm.AuditAt + "` = created, " +
	"`" + crm.AuditActorKind + "` = CASE WHEN actor_type = 'staff' AND (SELECT role FROM `" + crm.Staff + "` s WHERE s.id = `" + crm.AuditLog + "`.staff) = '" + crm.RolePartner + "' THEN '" + crm.AccessByPartner + "'" +
	" WHEN actor_type = 'staff' THEN '" + crm.AccessByStaff + "' WHEN actor_type IN ('superuser', 'integration', 'system') THEN '" + crm.AccessByAutomation + "' ELSE '' END, " +
	"`" + crm.AuditActorName + "` = CASE WHEN staff != '' THEN COALESCE((SELECT name FROM `" + crm.Staff + "` s WHERE s.id = `" + crm.AuditLog + "`.staff), '') WHEN actor_type = 'superuser' THEN 'API' ELSE '' END, " +
	"`" + crm.AuditActorRole + "` = COALESCE((SELECT role FROM `" + crm.Staff + "` s WHERE s.id = `" + crm.AuditLog + "`.staff), ''), " +
	"`" + crm.AuditScreen + "` = CASE WHEN action = 'export' THEN '" + crm.ScreenExport + "' WHEN action = 'read' AND collection = '" + crm.Activities + "' THEN '" + crm.ScreenTimeline + "'" +
	" WHEN action = 'read' AND collection = '" + crm.Contacts + "' THEN '" + crm.ScreenCustomer360 + "' ELSE '' END " +
	"WHERE `" + crm.AuditAt + "` IS NULL OR `" + crm.AuditAt + "` = ''"

func accessLogUp(app core.App) error {
	audit, err := app.FindCollectionByNameOrId(crm.AuditLog)
	if err != nil {
		return err
	}
	count := number(crm.AuditCount, false, 0, 1e12, true)
	audit.Fields.Add(
		choice(crm.AuditActorKind, false, crm.AccessByStaff, crm.AccessByPartner, crm.AccessByAutomation),
		text(crm.AuditActorName, false, 200),
		text(crm.AuditActorRole, false, 30),
		choice(crm.AuditScreen, false, crm.AccessScreens...),
		date(crm.AuditAt, false),
		count,
	)
	index(audit, false, crm.FieldContact, crm.AuditAt)
	index(audit, false, crm.AuditScreen, crm.AuditAt)
	if err := app.Save(audit); err != nil {
		return err
	}
	// The reads logged before: who, when and through which screen, as the
	// log shows them from now on.
	if _, err := app.DB().NewQuery(backfill).Execute(); err != nil {
		return err
	}

	members := core.NewBaseCollection(crm.ExportMembers)
	members.Fields.Add(
		relation(app, crm.AuditExport, crm.AuditLog, true, true),
		relation(app, crm.FieldContact, crm.Contacts, true, true),
	)
	describe(members, "One row per customer an export held, written in bulk after the export: each customer's access log lists the exports that took their data out. Managers read; the server writes.")
	setRules(members, rules{read: rule(isManager)})
	index(members, false, crm.AuditExport)
	index(members, false, crm.FieldContact)
	if err := app.Save(members); err != nil {
		return err
	}

	consents, err := app.FindCollectionByNameOrId(crm.Consents)
	if err != nil {
		return err
	}
	consents.Fields.Add(
		text(crm.ConsentIP, false, 64),
		text(crm.ConsentUserAgent, false, 300),
		text(crm.ConsentTextVersion, false, 80),
		relation(app, crm.ConsentRecordedBy, crm.Staff, false, false),
		text(crm.ConsentRecordedByName, false, 200),
	)
	index(consents, false, crm.ConsentRecordedBy)
	// A customer's time on a change went to the rule (a bare 404); now it
	// reaches plugins/consents, which refuses it with a 400 naming `at`.
	if consents.UpdateRule != nil {
		r := *consents.UpdateRule
		for _, clause := range []string{" && @request.body.at:isset = false", "@request.body.at:isset = false && "} {
			r = strings.ReplaceAll(r, clause, "")
		}
		consents.UpdateRule = &r
	}
	return app.Save(consents)
}

func accessLogDown(app core.App) error {
	if c, err := app.FindCollectionByNameOrId(crm.ExportMembers); err == nil {
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	if audit, err := app.FindCollectionByNameOrId(crm.AuditLog); err == nil {
		for _, f := range []string{crm.AuditActorKind, crm.AuditActorName, crm.AuditActorRole, crm.AuditScreen, crm.AuditAt, crm.AuditCount} {
			audit.Fields.RemoveByName(f)
		}
		audit.RemoveIndex("idx_" + crm.AuditLog + "_contact_at")
		audit.RemoveIndex("idx_" + crm.AuditLog + "_screen_at")
		if err := app.Save(audit); err != nil {
			return err
		}
	}
	if consents, err := app.FindCollectionByNameOrId(crm.Consents); err == nil {
		for _, f := range consentServerFields[1:] {
			consents.Fields.RemoveByName(f)
		}
		consents.RemoveIndex("idx_" + crm.Consents + "_" + crm.ConsentRecordedBy)
		return app.Save(consents)
	}
	return nil
}
