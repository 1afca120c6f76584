package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// A bounce marks the contact's address as failing: when, and the receiving
// server's words, shown to staff on the contact. The inbound mail intake
// writes both; a new address clears them. A customer may not send them
// (they join the fields the contacts' customer branch forbids).
func init() {
	m.Register(contactEmailFailingUp, contactEmailFailingDown)
}

var emailFailingGuard = "@request.body." + crm.ContactEmailFailingAt + ":isset = false && " +
	"@request.body." + crm.ContactEmailFailingReason + ":isset = false && "

func contactEmailFailingUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return err
	}
	c.Fields.Add(date(crm.ContactEmailFailingAt, false), text(crm.ContactEmailFailingReason, false, 500))
	if c.UpdateRule == nil || !strings.Contains(*c.UpdateRule, customerBranch) {
		return fmt.Errorf("contacts update rule has no customer branch to guard")
	}
	c.UpdateRule = rule(strings.Replace(*c.UpdateRule, customerBranch, customerBranch+emailFailingGuard, 1))
	return app.Save(c)
}

func contactEmailFailingDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return err
	}
	c.Fields.RemoveByName(crm.ContactEmailFailingAt)
	c.Fields.RemoveByName(crm.ContactEmailFailingReason)
	if c.UpdateRule != nil {
		c.UpdateRule = rule(strings.Replace(*c.UpdateRule, emailFailingGuard, "", 1))
	}
	return app.Save(c)
}
