package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Archiving: a contact or a company the team no longer works with is
// archived rather than deleted, so its timeline, requests and orders stay.
// Writers archive and restore (an update); the lists leave archived records
// out unless asked. A customer may not archive their own contact: the
// field joins the ones their update rule forbids.
func init() {
	m.Register(recordsUp, recordsDown)
}

// customerBranch is where the contacts' update rule starts listing what a
// customer may not send; the archived guard goes in front of that list.
const customerBranch = "id = @request.auth.contact && "

var archivedGuard = "@request.body." + crm.FieldArchived + ":isset = false && "

func recordsUp(app core.App) error {
	for _, name := range []string{crm.Companies, crm.Contacts} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		c.Fields.Add(boolean(crm.FieldArchived))
		if name == crm.Contacts {
			if c.UpdateRule == nil || !strings.Contains(*c.UpdateRule, customerBranch) {
				return fmt.Errorf("contacts update rule has no customer branch to guard")
			}
			c.UpdateRule = rule(strings.Replace(*c.UpdateRule, customerBranch, customerBranch+archivedGuard, 1))
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

func recordsDown(app core.App) error {
	for _, name := range []string{crm.Companies, crm.Contacts} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		c.Fields.RemoveByName(crm.FieldArchived)
		if name == crm.Contacts && c.UpdateRule != nil {
			c.UpdateRule = rule(strings.Replace(*c.UpdateRule, archivedGuard, "", 1))
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
