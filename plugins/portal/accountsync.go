package portal

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// bindAccountSync keeps the portal account's has_password flag true to what
// the customer knows, and the contact following the account's name and
// confirmed email.
func bindAccountSync(app core.App) {
	// A password set through PocketBase's password-reset flow counts as one.
	app.OnRecordConfirmPasswordResetRequest(crm.Customers).BindFunc(func(e *core.RecordConfirmPasswordResetRequestEvent) error {
		e.Record.Set("has_password", true)
		return e.Next()
	})

	// A password given through the record API (a customer changing theirs;
	// nobody else may, plugins/portalauth) is one the person knows.
	knownPassword := func(e *core.RecordRequestEvent) error {
		if pw, ok := e.Record.GetRaw(core.FieldNamePassword).(*core.PasswordFieldValue); ok && pw.Plain != "" {
			e.Record.Set("has_password", true)
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Customers).BindFunc(knownPassword)
	app.OnRecordUpdateRequest(crm.Customers).BindFunc(knownPassword)

	// The contact follows the portal account: a confirmed new email (the
	// email-change flow) and a new name.
	app.OnRecordUpdate(crm.Customers).BindFunc(func(e *core.RecordEvent) error {
		prev, err := e.App.FindRecordById(crm.Customers, e.Record.Id)
		if err != nil {
			return err
		}
		emailChanged := prev.Email() != e.Record.Email() && e.Record.Email() != ""
		nameChanged := prev.GetString("name") != e.Record.GetString("name") && e.Record.GetString("name") != ""
		if !emailChanged && !nameChanged {
			return e.Next()
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			original := e.App
			e.App = tx
			defer func() { e.App = original }()
			if err := e.Next(); err != nil {
				return err
			}
			contact, err := tx.FindRecordById(crm.Contacts, e.Record.GetString(crm.FieldContact))
			if err != nil {
				return nil // an account without its contact has nothing to follow
			}
			changed := false
			if emailChanged && !strings.EqualFold(contact.GetString(crm.FieldEmail), e.Record.Email()) {
				contact.Set(crm.FieldEmail, e.Record.Email())
				changed = true
			}
			if nameChanged && contact.GetString("name") != e.Record.GetString("name") {
				contact.Set("name", e.Record.GetString("name"))
				changed = true
			}
			if !changed {
				return nil // the account followed its contact (plugins/portalauth): nothing to follow back
			}
			return tx.Save(contact)
		})
	})
}
