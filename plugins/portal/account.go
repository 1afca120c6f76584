package portal

import (
	"fmt"
	"net/http"
	"net/mail"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// minPassword: PocketBase's own minimum for auth passwords.
const minPassword = 8

type passwordBody struct {
	Password        string `json:"password"`
	PasswordConfirm string `json:"passwordConfirm"`
	OldPassword     string `json:"oldPassword"`
}

// checkOldPassword: once a customer has a password, changing it, removing
// it or switching MFA needs it. Forgotten passwords go through PocketBase's
// password-reset flow.
func checkOldPassword(e *core.RequestEvent, c *customer, old string) error {
	if !c.record.GetBool("has_password") {
		return nil
	}
	if old == "" || !c.record.ValidatePassword(old) {
		return e.BadRequestError("Your current password is not right.", validation.Errors{
			"oldPassword": validation.NewError("validation_invalid_old_password", "Type your current password."),
		})
	}
	return nil
}

// authAnswer is a fresh token: saving a new password ends every session,
// this one included.
func authAnswer(e *core.RequestEvent, r *core.Record) error {
	token, err := r.NewAuthToken()
	if err != nil {
		return e.InternalServerError("Could not sign you in again.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"token": token, "customer": customerJSON(r)})
}

// setPassword is POST /api/crm/portal/password {password, passwordConfirm,
// oldPassword (when one is set)}: the customer may then also sign in with it.
func setPassword(e *core.RequestEvent, c *customer) error {
	var body passwordBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := checkOldPassword(e, c, body.OldPassword); err != nil {
		return err
	}
	switch {
	case len([]rune(body.Password)) < minPassword:
		return e.BadRequestError("Choose a longer password.", validation.Errors{
			"password": validation.NewError("validation_length_too_short", "Use at least 8 characters."),
		})
	case len(body.Password) > 71: // bcrypt reads no further
		return e.BadRequestError("Choose a shorter password.", validation.Errors{
			"password": validation.NewError("validation_length_too_long", "Use at most 71 characters."),
		})
	case body.Password != body.PasswordConfirm:
		return e.BadRequestError("The two passwords differ.", validation.Errors{
			"passwordConfirm": validation.NewError("validation_values_mismatch", "Type the same password twice."),
		})
	}
	r := c.record.Fresh()
	r.SetPassword(body.Password)
	r.Set("has_password", true)
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("Could not save your password.", err)
	}
	return authAnswer(e, r)
}

// removePassword is DELETE /api/crm/portal/password {oldPassword}: back to
// codes only (MFA goes with it).
func removePassword(e *core.RequestEvent, c *customer) error {
	var body passwordBody
	_ = e.BindBody(&body) // a DELETE may come without a body
	if !c.record.GetBool("has_password") {
		return e.BadRequestError("You have no password to remove.", validation.Errors{
			"password": validation.NewError("validation_no_password", "You sign in with a code only."),
		})
	}
	if err := checkOldPassword(e, c, body.OldPassword); err != nil {
		return err
	}
	r := c.record.Fresh()
	r.SetRandomPassword()
	r.Set("has_password", false)
	r.Set("mfa", false)
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("Could not remove your password.", err)
	}
	return authAnswer(e, r)
}

// setMFA is POST /api/crm/portal/mfa {enabled, oldPassword}: sign in with
// both a code and the password. It needs a password, and the password
// confirms the change.
func setMFA(e *core.RequestEvent, c *customer) error {
	var body struct {
		Enabled     *bool  `json:"enabled"`
		OldPassword string `json:"oldPassword"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if body.Enabled == nil {
		return e.BadRequestError("Say whether to turn the second step on or off.", validation.Errors{
			"enabled": validation.NewError("validation_required", "Send enabled: true or false."),
		})
	}
	if *body.Enabled && !c.record.GetBool("has_password") {
		return e.BadRequestError("Set a password first: the second step asks for it after the code.", validation.Errors{
			"enabled": validation.NewError("validation_needs_password", "Set a password first."),
		})
	}
	if err := checkOldPassword(e, c, body.OldPassword); err != nil {
		return err
	}
	r := c.record.Fresh()
	r.Set("mfa", *body.Enabled)
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("Could not save the change.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"customer": customerJSON(r)})
}

// signOutEverywhere is POST /api/crm/portal/sign-out-everywhere: a new
// token key makes every token issued so far invalid, this one included.
func signOutEverywhere(e *core.RequestEvent, c *customer) error {
	r := c.record.Fresh()
	r.RefreshTokenKey()
	if err := e.App.Save(r); err != nil {
		return e.InternalServerError("Could not sign you out everywhere.", err)
	}
	return e.NoContent(http.StatusNoContent)
}

// confirmEmailChange is POST /api/crm/portal/confirm-email-change {token}:
// the link sent to the new address, opened while signed in. PocketBase's own
// confirmation asks for the account's password, which a customer who signs
// in by code does not have; here the session of that same account stands in
// for it. The contact's email follows (bindAccountSync).
func confirmEmailChange(e *core.RequestEvent, c *customer, cfg *crm.Config) error {
	var body struct {
		Token string `json:"token"`
	}
	if err := e.BindBody(&body); err != nil || body.Token == "" {
		return badField(e, "token", "validation_required", "Open the link we sent to your new address.")
	}
	claims, _ := security.ParseUnverifiedJWT(body.Token)
	newEmail, _ := claims[core.TokenClaimNewEmail].(string)
	record, err := e.App.FindAuthRecordByToken(body.Token, core.TokenTypeEmailChange)
	if err != nil || newEmail == "" {
		return badField(e, "token", "validation_invalid_token", "This link has expired or was already used: ask for the change again.")
	}
	if record.Id != c.record.Id || record.Collection().Id != c.record.Collection().Id {
		return badField(e, "token", "validation_token_mismatch", "This link is for another account: sign in as that account to confirm it.")
	}
	if _, err := e.App.FindAuthRecordByEmail(record.Collection(), newEmail); err == nil {
		return badField(e, "token", "validation_invalid_token_email", "That email address is already in use.")
	}
	oldEmail := record.Email()
	record.SetEmail(newEmail)
	record.SetVerified(true)
	if err := e.App.Save(record); err != nil {
		return e.BadRequestError("Could not change your email.", err)
	}
	// Through the outbox, as every message to a customer: an urgent service
	// message to the old address. The change is made; a notice that could
	// not be queued is only logged.
	msg := emailChangedMail(e.App, cfg, record, c.contact, oldEmail, newEmail)
	if c.contact != nil {
		if _, err := outbox.Queue(e.App, outbox.Queued{Contact: c.contact.Id, Purpose: crm.PurposeService, Channel: "email",
			To: oldEmail, Subject: msg.Subject, Body: msg.Text, Urgent: true}); err != nil {
			e.App.Logger().Error("Failed to queue the notice of an email change to the old address", "customer", record.Id, "error", err)
		}
	}
	// A new email ends every session (PocketBase renews the token key):
	// this one goes on with a fresh token.
	return authAnswer(e, record)
}

// bindEmailChange: a customer who chose a password confirms it to ask for a
// new email, so a session left open (or stolen) cannot move the account to
// another address. Customers who sign in by code have only the session;
// for them (and everyone) the old address is told of the change.
func bindEmailChange(app core.App) {
	app.OnRecordRequestEmailChangeRequest(crm.Customers).BindFunc(func(e *core.RecordRequestEmailChangeRequestEvent) error {
		if !e.Record.GetBool("has_password") {
			return e.Next()
		}
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		password, _ := info.Body["password"].(string)
		if password == "" || !e.Record.ValidatePassword(password) {
			return e.BadRequestError("Type your password to change your email.", validation.Errors{
				"password": validation.NewError("validation_invalid_password", "Type your current password."),
			})
		}
		return e.Next()
	})
}

// emailChangedWords are the notice's words in one language: the business's
// name (%[1]s) and the new address (%[2]s).
var emailChangedWords = map[string]struct{ subject, body string }{
	"en": {
		subject: "Your email was changed",
		body: "Hello,\n\nThe email of your account with %[1]s is now %[2]s. From now on we write there.\n\n" +
			"If you did not ask for this, reply to this message or call us: we will put it right.\n\n%[1]s\n",
	},
	"pt-BR": {
		subject: "Seu e-mail foi alterado",
		body: "Olá,\n\nO e-mail da sua conta com %[1]s agora é %[2]s. A partir de agora escrevemos para lá.\n\n" +
			"Se não foi você quem pediu, responda esta mensagem ou ligue para nós: vamos resolver.\n\n%[1]s\n",
	},
}

// emailChangedMail tells the old address that the account now uses another
// one, signed with the business's name, in the customer's language: the
// account's, else the contact's, else the business's (English when none of
// them is one Vinculo speaks).
func emailChangedMail(app core.App, cfg *crm.Config, customer, contact *core.Record, oldEmail, newEmail string) *mailer.Message {
	business := cfg.BusinessNow()
	name := business.Name
	if name == "" {
		name = app.Settings().Meta.AppName
	}
	langs := []string{customer.GetString("language"), "", business.Language, "en"}
	if contact != nil {
		langs[1] = contact.GetString("language")
	}
	w := emailChangedWords["en"]
	for _, lang := range langs {
		if words, ok := emailChangedWords[lang]; ok {
			w = words
			break
		}
	}
	settings := app.Settings()
	return &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Address: oldEmail}},
		Subject: w.subject,
		Text:    fmt.Sprintf(w.body, name, newEmail),
	}
}
