package portalauth

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// A portal account signs in with its contact's email. Whenever the contact's
// email changes (staff, an import, a merge, a hook), the account takes the
// new address, its sessions end, and the old address is told. A contact
// left without an email leaves its account without one: nobody can ask for
// a code or name it to sign in until the contact has an address again. The
// account's own confirmed email change moves the contact (plugins/portal),
// and the contact then already matches: nothing follows back.

// bindFollow makes accounts follow their contact's email.
func bindFollow(app core.App, cfg *crm.Config) {
	app.OnRecordUpdate(crm.Contacts).BindFunc(func(e *core.RecordEvent) error {
		account, err := accountOf(e.App, e.Record.Id)
		if err != nil {
			return err
		}
		if account == nil || sameEmail(account.Email(), e.Record.GetString(crm.FieldEmail)) {
			return e.Next()
		}
		return saveThen(e, func(tx core.App) error { return follow(tx, cfg, account.Id, e.Record) })
	})

	// Imports and merges write contacts (and move accounts) without saving
	// them one by one: once one ends, every account catches up.
	// This runs once the write has committed: on the app itself, not on
	// the transaction that wrote it.
	reconcile := func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.Collection().Name != crm.ImportJobs || isFinished(e.Record.GetString("status")) {
			if err := Reconcile(app, cfg); err != nil {
				app.Logger().Error("Failed to move portal accounts to their contacts' emails", "error", err)
			}
		}
		return nil
	}
	app.OnRecordAfterUpdateSuccess(crm.ImportJobs).BindFunc(reconcile)
	app.OnRecordAfterCreateSuccess(crm.Merges).BindFunc(reconcile)
	app.OnRecordAfterUpdateSuccess(crm.Merges).BindFunc(reconcile)
}

func isFinished(status string) bool { return status == "done" || status == "failed" }

// accountOf is the contact's portal account, or nil.
func accountOf(app core.App, contactID string) (*core.Record, error) {
	var found []*core.Record
	err := app.RecordQuery(crm.Customers).AndWhere(dbx.HashExp{crm.FieldContact: contactID}).Limit(1).All(&found)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func sameEmail(a, b string) bool { return normalEmail(a) == normalEmail(b) }

// Reconcile moves every portal account whose email is not its contact's to
// the contact's, each in its own transaction. An address another account
// already uses is left alone and logged.
func Reconcile(app core.App, cfg *crm.Config) error {
	var rows []struct {
		ID      string `db:"id"`
		Contact string `db:"contact"`
	}
	err := app.DB().NewQuery("SELECT cu.id AS id, cu.contact AS contact FROM `" + crm.Customers + "` cu " +
		"JOIN `" + crm.Contacts + "` c ON c.id = cu.contact WHERE lower(cu.email) != lower(trim(c.email))").All(&rows)
	if err != nil {
		return err
	}
	for _, row := range rows {
		err := app.RunInTransaction(func(tx core.App) error {
			contact, err := tx.FindRecordById(crm.Contacts, row.Contact)
			if err != nil {
				return err
			}
			return follow(tx, cfg, row.ID, contact)
		})
		if err != nil {
			app.Logger().Warn("A portal account could not take its contact's email", "customer", row.ID, "error", err)
		}
	}
	return nil
}

// follow gives the account the contact's email in tx, ends its sessions and
// has the old address told once tx commits. An email another account signs
// in with refuses the change, naming the field.
func follow(tx core.App, cfg *crm.Config, accountID string, contact *core.Record) error {
	account, err := tx.FindRecordById(crm.Customers, accountID)
	if err != nil {
		return err
	}
	oldEmail, newEmail := account.Email(), normalEmail(contact.GetString(crm.FieldEmail))
	if sameEmail(oldEmail, newEmail) {
		return nil
	}
	if newEmail != "" {
		if other, err := tx.FindAuthRecordByEmail(crm.Customers, newEmail); err == nil && other.Id != account.Id {
			return validation.Errors{crm.FieldEmail: validation.NewError("validation_portal_email_taken",
				"Another customer's portal account signs in with this email address.")}
		}
	}
	account.SetEmail(newEmail)
	account.SetVerified(false) // the customer confirms the new address by signing in with a code sent there
	account.RefreshTokenKey()
	if err := tx.Save(account); err != nil {
		return err
	}
	if oldEmail == "" {
		return nil
	}
	// Through the outbox, in this transaction: an urgent service message to
	// the old address.
	n := signInNotice(tx, cfg, account, contact, oldEmail, newEmail)
	_, err = outbox.Queue(tx, outbox.Queued{Contact: contact.Id, Purpose: crm.PurposeService, Channel: "email",
		To: oldEmail, Subject: n.Subject, Body: n.Text, Urgent: true})
	return err
}

// signInNoticeWords are the notice's words in one language: moved names
// the business (and movedTo the new address after it); text is the
// customer's name, the move, and the business twice.
type signInNoticeWords struct{ subject, movedTo, moved, text string }

var (
	signInNoticePT = signInNoticeWords{
		subject: "Seu acesso ao portal mudou",
		movedTo: "Este endereço não dá mais acesso ao portal de clientes de %s: agora o acesso é por %s.",
		moved:   "Este endereço não dá mais acesso ao portal de clientes de %s.",
		text:    "Olá, %s.\n\n%s\n\nSe não foi você quem pediu, fale com %s: responda esta mensagem ou ligue para nós.\n\n%s\n",
	}
	signInNoticeEN = signInNoticeWords{
		subject: "Your portal sign-in changed",
		movedTo: "This address no longer signs in to the customer portal of %s: from now on you sign in with %s.",
		moved:   "This address no longer signs in to the customer portal of %s.",
		text:    "Hello %s,\n\n%s\n\nIf this was not you, contact %s: reply to this message or call us.\n\n%s\n",
	}
)

// signInNotice tells the old address that the portal no longer signs in
// with it, in the customer's language.
func signInNotice(app core.App, cfg *crm.Config, account, contact *core.Record, oldEmail, newEmail string) *mailer.Message {
	settings := app.Settings()
	business := cfg.BusinessNow().Name
	if business == "" {
		business = settings.Meta.AppName
	}
	lang := account.GetString("language")
	if lang == "" {
		lang = contact.GetString("language")
	}
	if lang == "" {
		lang = cfg.BusinessNow().Language
	}
	name := contact.GetString("name")
	words := signInNoticeEN
	if strings.HasPrefix(lang, "pt") {
		words = signInNoticePT
	}
	moved := fmt.Sprintf(words.movedTo, business, newEmail)
	if newEmail == "" {
		moved = fmt.Sprintf(words.moved, business)
	}
	text := fmt.Sprintf(words.text, name, moved, business, business)
	return &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: name, Address: oldEmail}},
		Subject: words.subject,
		Text:    text,
	}
}
