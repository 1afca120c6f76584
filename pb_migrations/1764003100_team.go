package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The team and the dashboard (plugins/team):
//   - staff: deactivated and invited_at, written only by the team's routes
//     (the record API refuses them in any body), so that deactivating always
//     hands the member's open records to a colleague;
//   - pipelines: archived (crm.FieldArchived), for a pipeline kept for its
//     history and no longer offered for new deals;
//   - PocketBase's default `users` collection goes: Vinculo's people are
//     staff and customers, and nothing refers to it (it is kept if someone
//     put records in it);
//   - each collection says what it holds. PocketBase v0.40 collections have
//     no description of their own, but every field has a help text, which
//     the dashboard shows under the field in the record form: the `id`
//     field's help carries the collection's description.
func init() {
	m.Register(teamUp, teamDown)
}

const (
	teamGuard  = "@request.body." + crm.FieldDeactivated + ":isset = false && @request.body." + crm.FieldInvitedAt + ":isset = false"
	usersTable = "users"
)

// collectionHelp: what each collection holds, as the dashboard shows it.
var collectionHelp = map[string]string{
	crm.Staff:             "The team: who signs in to the workspace, their role (manager, agent, readonly), language and whether they are still active.",
	crm.Companies:         "The businesses and organisations the team deals with: name, domain, owner, address, tags and custom fields.",
	crm.Contacts:          "The people the team deals with: how to reach them, their company, owner, lifecycle stage, tags and their own contact preferences.",
	crm.Customers:         "Portal accounts: a contact's sign-in to the customer portal (one per contact), with their role in their company.",
	crm.Pipelines:         "Sales pipelines: each an ordered list of stages a deal moves through.",
	crm.PipelineStages:    "The stages of a pipeline, in order: open, won or lost, with a probability and when a deal in it goes stale.",
	crm.Deals:             "Sales opportunities: amount, stage, owner, expected close, and whether they are open, won or lost.",
	crm.CaseTypes:         "The kinds of request the business offers: the fields the customer fills in, the ordered statuses and the service targets.",
	crm.Cases:             "Customers' requests of every kind (support, complaints, orders of service, applications), each along its type's statuses.",
	crm.CaseMessages:      "The conversation on a request: replies the customer sees and internal notes they never see.",
	crm.Products:          "What the business sells: one-off products and subscription plans, with what customers may do themselves.",
	crm.Orders:            "Orders customers placed, with their items, total and state.",
	crm.Subscriptions:     "The plans customers hold: active, paused or cancelled, and when they renew.",
	crm.Activities:        "The timeline: every interaction and every change that matters, written by people and by the system.",
	crm.Tasks:             "Follow-ups: what someone must do by when, and the record it concerns.",
	crm.Consents:          "The customer's consents, one per purpose and channel, with their history.",
	crm.Outbox:            "Every message Vinculo sends or holds back, with its state and why.",
	crm.Segments:          "Saved filters over contacts, computed live.",
	crm.AuditLog:          "Who read or changed which customer record, when and from where.",
	crm.Merges:            "What a merge of two contacts or companies changed, kept so that it can be undone for a while.",
	crm.ImportJobs:        "Imports of contacts, companies and deals: their file, mapping, progress and errors.",
	crm.ImportPresets:     "Saved column mappings for imports.",
	crm.WebhookDeliveries: "Webhook calls to integrators' addresses, with their state and retries.",
	crm.PendingRequests:   "Requests sent through the public form that wait for their sender to confirm their email.",
	crm.DealStageHistory:  "One row per stage a deal entered: from, to, who, when and the days spent in the stage it left.",
	crm.LostReasons:       "The reasons a manager keeps for losing a deal.",
}

func teamUp(app core.App) error {
	staff, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	staff.Fields.Add(boolean(crm.FieldDeactivated), date(crm.FieldInvitedAt, false))
	staff.CreateRule = guard(staff.CreateRule, teamGuard)
	staff.UpdateRule = guard(staff.UpdateRule, teamGuard)
	if err := app.Save(staff); err != nil {
		return err
	}
	pipelines, err := app.FindCollectionByNameOrId(crm.Pipelines)
	if err != nil {
		return err
	}
	pipelines.Fields.Add(boolean(crm.FieldArchived))
	if err := app.Save(pipelines); err != nil {
		return err
	}
	if err := dropUnusedUsers(app); err != nil {
		return err
	}
	return describeCollections(app, collectionHelp)
}

// dropUnusedUsers deletes PocketBase's default `users` collection when it is
// there and empty.
func dropUnusedUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId(usersTable)
	if err != nil {
		return nil // already gone
	}
	n, err := app.CountRecords(users)
	if err != nil || n > 0 {
		return err
	}
	return app.Delete(users)
}

// describeCollections puts each description on its collection's id field.
func describeCollections(app core.App, help map[string]string) error {
	for name, text := range help {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue // a collection a business removed
		}
		id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
		if !ok || id.Help == text {
			continue
		}
		id.Help = text
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

func teamDown(app core.App) error {
	blank := map[string]string{}
	for name := range collectionHelp {
		blank[name] = ""
	}
	if err := describeCollections(app, blank); err != nil {
		return err
	}
	if pipelines, err := app.FindCollectionByNameOrId(crm.Pipelines); err == nil {
		pipelines.Fields.RemoveByName(crm.FieldArchived)
		if err := app.Save(pipelines); err != nil {
			return err
		}
	}
	staff, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	staff.Fields.RemoveByName(crm.FieldDeactivated)
	staff.Fields.RemoveByName(crm.FieldInvitedAt)
	staff.CreateRule = unguard(staff.CreateRule, teamGuard)
	staff.UpdateRule = unguard(staff.UpdateRule, teamGuard)
	return app.Save(staff)
}
