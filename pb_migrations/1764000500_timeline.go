package migrations

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The timeline as the system writes it (plugins/timeline):
//   - event, ref_collection, ref_id: what happened ("case.status_changed") and
//     to which record, so the UI can translate and filter entries and link
//     to an order or a message; written by the system only.
//   - channel also takes "api" and "system": the door an actor used (staff
//     through a script, a cron job or a hook), beside the real channels.
//   - one index (contact, occurred_at, created, id) serves the contact's
//     timeline in the order it is read, with keyset pagination; it replaces
//     (contact, occurred_at), which it extends.
//   - tasks (contact, status, due): a contact's open tasks, soonest first
//     (the customer's page). Without it SQLite reads them through
//     (status, due), every open task of the business.
func init() {
	m.Register(timelineUp, timelineDown)
}

// Channels only the timeline knows: the door an actor used.
var timelineOnlyChannels = []string{"api", "system"}

const (
	oldTimelineIndex = "idx_activities_contact_occurred_at"
	timelineIndex    = "idx_activities_contact_occurred_at_created_id"
	contactTaskIndex = "idx_tasks_contact_status_due"
)

// systemFieldsUntouched: staff never write the fields the system fills.
const systemFieldsUntouched = "@request.body.event:isset = false && @request.body.ref_collection:isset = false && @request.body.ref_id:isset = false"

func timelineUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	c.Fields.Add(
		text("event", false, 60),
		text("ref_collection", false, 60),
		text("ref_id", false, 30),
	)
	if ch, ok := c.Fields.GetByName("channel").(*core.SelectField); ok {
		for _, v := range timelineOnlyChannels {
			if !slices.Contains(ch.Values, v) {
				ch.Values = append(ch.Values, v)
			}
		}
	}
	c.RemoveIndex(oldTimelineIndex)
	index(c, false, crm.FieldContact, "occurred_at", "created", "id")
	for _, r := range []**string{&c.CreateRule, &c.UpdateRule} {
		if *r != nil && !strings.Contains(**r, "@request.body.event:isset") {
			*r = rule("(" + **r + ") && " + systemFieldsUntouched)
		}
	}
	if err := app.Save(c); err != nil {
		return err
	}
	tasks, err := app.FindCollectionByNameOrId(crm.Tasks)
	if err != nil {
		return err
	}
	index(tasks, false, crm.FieldContact, "status", "due")
	return app.Save(tasks)
}

func timelineDown(app core.App) error {
	if tasks, err := app.FindCollectionByNameOrId(crm.Tasks); err == nil {
		tasks.RemoveIndex(contactTaskIndex)
		if err := app.Save(tasks); err != nil {
			return err
		}
	}
	c, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	for _, name := range []string{"event", "ref_collection", "ref_id"} {
		c.Fields.RemoveByName(name)
	}
	if ch, ok := c.Fields.GetByName("channel").(*core.SelectField); ok {
		ch.Values = slices.DeleteFunc(ch.Values, func(v string) bool { return slices.Contains(timelineOnlyChannels, v) })
	}
	c.RemoveIndex(timelineIndex)
	index(c, false, crm.FieldContact, "occurred_at")
	for _, r := range []**string{&c.CreateRule, &c.UpdateRule} {
		if *r != nil && strings.HasPrefix(**r, "(") && strings.HasSuffix(**r, ") && "+systemFieldsUntouched) {
			*r = rule(strings.TrimSuffix(strings.TrimPrefix(**r, "("), ") && "+systemFieldsUntouched))
		}
	}
	return app.Save(c)
}
