package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Notifications (plugins/notifications): one row per thing one staff member
// is told. Each member lists, views and marks read (read_at, nothing else)
// only their own, managers included; customers never; only the server
// creates them. Realtime follows the same rule, so the bell is live.
//
// Also: each member's choices of what goes by email (staff.notify_prefs,
// hidden: written only through the notifications' settings route), and the
// share of a request's service target at which its assignee is warned
// (business_settings.sla_warn_percent, 80 by default).
func init() {
	m.Register(notificationsUp, notificationsDown)
}

const ownNotification = "(" + isStaff + " && " + crm.NotifTo + " = @request.auth.id)"

func notificationsUp(app core.App) error {
	c := core.NewBaseCollection(crm.Notifications)
	c.Fields.Add(
		relation(app, crm.NotifTo, crm.Staff, true, true),
		relation(app, crm.NotifBy, crm.Staff, false, false),
		choice(crm.NotifEvent, true, crm.NotifyEvents...),
		text(crm.NotifCollection, false, 64),
		text(crm.NotifRecord, false, 64),
		jsonField(crm.NotifData, false, 16<<10),
		date(crm.NotifReadAt, false),
		text(crm.NotifOnce, false, 300),
		choice(crm.NotifMail, false, crm.NotifMailPending, crm.NotifMailDigest, crm.NotifMailSent, crm.NotifMailFailed),
		number(crm.NotifMailTries, false, 0, 1000, true),
		date(crm.NotifMailNext, false),
		text(crm.NotifMailError, false, 500),
		date(crm.NotifMailedAt, false),
	)
	c.Fields.Add(timestamps()...)
	describe(c, "What a colleague is told (the workspace's bell and, by their choice, email): the event, the record it links to, whether they read it and the state of its email. Each member reads and marks read only their own; the server writes them.")
	setRules(c, rules{
		read:   rule(ownNotification),
		update: rule(ownNotification + " && " + onlyBodyFields(c, crm.NotifReadAt)),
	})
	index(c, false, crm.NotifTo, "created")
	index(c, false, crm.NotifTo, crm.NotifReadAt)
	index(c, false, crm.NotifBy)
	index(c, false, crm.NotifMail, crm.NotifMailNext)
	c.AddIndex("idx_notifications_once", true, "`"+crm.NotifTo+"`, `"+crm.NotifOnce+"`", "`"+crm.NotifOnce+"` != ''")
	if err := app.Save(c); err != nil {
		return err
	}

	staff, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	prefs := jsonField(crm.FieldNotifyPrefs, false, 8<<10)
	prefs.Hidden = true
	staff.Fields.Add(prefs)
	if err := app.Save(staff); err != nil {
		return err
	}

	business, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	business.Fields.Add(number(crm.BusinessSLAWarnPercent, false, 1, 99, true))
	return app.Save(business)
}

func notificationsDown(app core.App) error {
	if business, err := app.FindCollectionByNameOrId(crm.BusinessSettings); err == nil {
		business.Fields.RemoveByName(crm.BusinessSLAWarnPercent)
		if err := app.Save(business); err != nil {
			return err
		}
	}
	if staff, err := app.FindCollectionByNameOrId(crm.Staff); err == nil {
		staff.Fields.RemoveByName(crm.FieldNotifyPrefs)
		if err := app.Save(staff); err != nil {
			return err
		}
	}
	c, err := app.FindCollectionByNameOrId(crm.Notifications)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
