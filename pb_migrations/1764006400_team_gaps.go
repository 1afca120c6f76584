package migrations

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The team's last gaps (issue 16): the collections added after the teams
// mode (1764005400_teams_visibility.go) kept the plain staff read, partners
// included. Here:
//   - customer_scores (a contact's value-model figures) follow the
//     visibility of the contact they are about;
//   - customers (portal accounts) follow their contact's visibility for
//     staff (a customer still reads their own account);
//   - segment_snapshots (a segment's size and revenue, counted over every
//     contact) are read in the teams mode by managers only: an agent's
//     counts are computed live over what they see (plugins/segments);
//   - campaigns are read by staff but partners;
//   - notifications may tell of a customer's new request to its contact's
//     owner (crm.NotifyCustomerOpened).
//
// The test beside this file walks every collection that points at a
// contact, company, deal or request, so that a collection added later
// cannot keep the plain staff read unnoticed.
func init() {
	m.Register(teamGapsUp, teamGapsDown)
}

// managersInTeams is the read of a collection whose rows are counted over
// every contact: staff but partners, and in the teams mode managers only.
const managersInTeams = "(" + staffToken + " && " + notPartner + " && (@request.auth.role = '" + crm.RoleManager + "' || " + everyoneSee + "))"

// customersSee: a portal account is seen with its contact; one without a
// contact is everyone's.
func customersSee() string {
	return "(" + crm.FieldContact + " = '' || " + ownerSees(crm.FieldContact+".") + ")"
}

// staffNotPartner is the staff condition visibilityRules leaves in a read
// rule of a collection not governed by teams.
const staffNotPartner = "(" + staffToken + " && " + notPartner + ")"

// restrictedRead is what visibilityRules makes of staffNotPartner when the
// collection is governed by teams with the condition vis.
func restrictedRead(vis string) string {
	return "(" + staffNotPartner + " && (@request.auth.role = '" + crm.RoleManager + "' || " + everyoneSee + " || " + vis + "))"
}

func teamGapsUp(app core.App) error {
	for _, name := range []string{crm.CustomerScores, crm.Campaigns, crm.SegmentSnapshots} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		visibilityRules(app, c)
		if name == crm.SegmentSnapshots {
			c.ListRule, c.ViewRule = rule(managersInTeams), rule(managersInTeams)
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}

	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return err
	}
	for _, r := range []**string{&customers.ListRule, &customers.ViewRule} {
		if *r != nil && !strings.Contains(**r, restrictedRead(customersSee())) {
			*r = rule(strings.Replace(**r, staffNotPartner, restrictedRead(customersSee()), 1))
		}
	}
	if err := app.Save(customers); err != nil {
		return err
	}

	notes, err := app.FindCollectionByNameOrId(crm.Notifications)
	if err != nil {
		return err
	}
	if ev, ok := notes.Fields.GetByName(crm.NotifEvent).(*core.SelectField); ok && !slices.Contains(ev.Values, crm.NotifyCustomerOpened) {
		ev.Values = append(ev.Values, crm.NotifyCustomerOpened)
	}
	return app.Save(notes)
}

func teamGapsDown(app core.App) error {
	if notes, err := app.FindCollectionByNameOrId(crm.Notifications); err == nil {
		if ev, ok := notes.Fields.GetByName(crm.NotifEvent).(*core.SelectField); ok {
			ev.Values = slices.DeleteFunc(ev.Values, func(v string) bool { return v == crm.NotifyCustomerOpened })
		}
		if err := app.Save(notes); err != nil {
			return err
		}
	}
	if customers, err := app.FindCollectionByNameOrId(crm.Customers); err == nil {
		for _, r := range []**string{&customers.ListRule, &customers.ViewRule} {
			if *r != nil {
				*r = rule(strings.Replace(**r, restrictedRead(customersSee()), staffNotPartner, 1))
			}
		}
		if err := app.Save(customers); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.CustomerScores, crm.Campaigns, crm.SegmentSnapshots} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if name == crm.SegmentSnapshots {
			c.ListRule, c.ViewRule = rule(staffNotPartner), rule(staffNotPartner)
		}
		unrewriteRules(app, c)
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
