package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Portal accounts belong to their customer (plugins/portalauth):
//   - customers: blocked, set by staff through the block and unblock routes
//     only; a blocked account cannot sign in;
//   - no manage rule: staff invite, block and sign a customer out, but
//     nobody other than the customer sets their password or confirms their
//     email;
//   - the email is optional: an account follows its contact's email, and a
//     contact without one leaves its account with no address to sign in with.
func init() {
	m.Register(customerAccountsUp, customerAccountsDown)
}

const blockedGuard = "@request.body.blocked:isset = false"

func customerAccountsUp(app core.App) error {
	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return err
	}
	customers.Fields.Add(boolean(crm.FieldBlocked))
	customers.CreateRule = guard(customers.CreateRule, blockedGuard)
	customers.UpdateRule = guard(customers.UpdateRule, blockedGuard)
	customers.ManageRule = nil
	if f, ok := customers.Fields.GetByName(core.FieldNameEmail).(*core.EmailField); ok {
		f.Required = false
	}
	return app.Save(customers)
}

func customerAccountsDown(app core.App) error {
	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return err
	}
	customers.Fields.RemoveByName(crm.FieldBlocked)
	customers.CreateRule = unguard(customers.CreateRule, blockedGuard)
	customers.UpdateRule = unguard(customers.UpdateRule, blockedGuard)
	customers.ManageRule = rule(isWriter)
	if f, ok := customers.Fields.GetByName(core.FieldNameEmail).(*core.EmailField); ok {
		f.Required = true
	}
	return app.Save(customers)
}
