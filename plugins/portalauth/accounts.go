package portalauth

import (
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// FieldBlocked is the customers field that keeps a portal account from
// signing in.
const FieldBlocked = crm.FieldBlocked

// A portal account is its customer's: staff invite a contact, block and
// unblock an account and sign it out everywhere; nobody but the customer
// sets their password or confirms their email, and the account's email is
// its contact's. Through the customers record API, then, nobody else
// (staff or superuser) writes these fields; superusers keep impersonation,
// which signs in as the customer without changing the account.
var customerOnly = []struct{ field, msg string }{
	{core.FieldNamePassword, "Only the customer sets their password: in the portal, or by resetting it by email."},
	{core.FieldNamePassword + "Confirm", "Only the customer sets their password: in the portal, or by resetting it by email."},
	{core.FieldNameEmail, "The portal account signs in with its contact's email: change the contact's email."},
	{core.FieldNameVerified, "Only the customer confirms their email, by signing in with a code sent there."},
	{core.FieldNameTokenKey, "To end the sessions of an account, sign it out everywhere."},
	{crm.FieldContact, "A portal account stays with its contact."},
}

// bindAccounts binds the record API checks, the sign-in refusal of blocked
// accounts, and the staff routes.
func bindAccounts(app core.App) {
	app.OnRecordCreateRequest(crm.Customers).BindFunc(checkCreate)
	app.OnRecordUpdateRequest(crm.Customers).BindFunc(checkUpdate)

	// Blocking ends the account's sessions, whoever blocks it.
	app.OnRecordUpdate(crm.Customers).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetBool(FieldBlocked) {
			if stored, err := e.App.FindRecordById(crm.Customers, e.Record.Id); err == nil && !stored.GetBool(FieldBlocked) {
				e.Record.RefreshTokenKey()
			}
		}
		return e.Next()
	})

	// Every way of signing in (code, password, refresh) ends here; a
	// superuser impersonating the customer is let through.
	app.OnRecordAuthRequest(crm.Customers).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if e.Record.GetBool(FieldBlocked) && !e.HasSuperuserAuth() {
			return e.ForbiddenError("This portal account is blocked: contact the business.", nil)
		}
		return e.Next()
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/customers/{id}/block", func(e *core.RequestEvent) error {
			return setBlocked(e, true)
		}).Bind(guard.Writer())
		se.Router.POST("/api/crm/customers/{id}/unblock", func(e *core.RequestEvent) error {
			return setBlocked(e, false)
		}).Bind(guard.Writer())
		se.Router.POST("/api/crm/customers/{id}/sign-out", signOut).Bind(guard.Writer())
		return se.Next()
	})
}

// refuse is the 400 naming every field at fault.
func refuse(e *core.RecordRequestEvent, bad validation.Errors) error {
	return e.BadRequestError("Only the customer can change these.", bad)
}

// checkUpdate: a customer updating their own account goes on (the rules
// let them write only their name, language and, with the old one, their
// password); anyone else may not change what is the customer's.
func checkUpdate(e *core.RecordRequestEvent) error {
	if tokenKeySent(e.RequestEvent) {
		return refuse(e, validation.Errors{core.FieldNameTokenKey: validation.NewError("validation_customer_only",
			"To end the sessions of an account, sign it out everywhere.")})
	}
	if e.Auth != nil && e.Auth.Collection().Name == crm.Customers && e.Auth.Id == e.Record.Id {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	stored := e.Record.Original()
	bad := validation.Errors{}
	for _, f := range customerOnly {
		v, sent := info.Body[f.field]
		if !sent || unchanged(f.field, v, stored) {
			continue
		}
		bad[f.field] = validation.NewError("validation_customer_only", f.msg)
	}
	if len(bad) > 0 {
		return refuse(e, bad)
	}
	return e.Next()
}

// tokenKeySent: the record API drops a hidden field such as tokenKey from
// what staff send before the hooks see it (it changes nothing); the body
// as sent still says they tried.
func tokenKeySent(e *core.RequestEvent) bool {
	var raw map[string]any
	if err := e.BindBody(&raw); err != nil {
		return false
	}
	for k, v := range raw {
		if strings.EqualFold(k, core.FieldNameTokenKey+":autogenerate") || (strings.EqualFold(k, core.FieldNameTokenKey) && cast.ToString(v) != "") {
			return true
		}
	}
	return false
}

// unchanged: a value sent as it is stored (a form sending the whole record)
// changes nothing.
func unchanged(field string, v any, stored *core.Record) bool {
	s := cast.ToString(v)
	switch field {
	case core.FieldNameEmail:
		return sameEmail(s, stored.Email())
	case core.FieldNameVerified:
		return cast.ToBool(v) == stored.Verified()
	case core.FieldNameTokenKey:
		return s == "" || s == stored.TokenKey()
	case crm.FieldContact:
		return s == stored.GetString(crm.FieldContact)
	default:
		return s == ""
	}
}

// checkCreate: an account made through the record API is an invitation
// without the mail: no password (a random one the customer never uses),
// not verified, and its contact's email.
func checkCreate(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	bad := validation.Errors{}
	for _, f := range customerOnly {
		v, sent := info.Body[f.field]
		switch f.field {
		case core.FieldNameEmail, crm.FieldContact:
			continue
		case core.FieldNameVerified:
			sent = sent && cast.ToBool(v)
		default:
			sent = sent && cast.ToString(v) != ""
		}
		if sent {
			bad[f.field] = validation.NewError("validation_customer_only", f.msg)
		}
	}
	if contact, err := e.App.FindRecordById(crm.Contacts, e.Record.GetString(crm.FieldContact)); err == nil {
		email := normalEmail(contact.GetString(crm.FieldEmail))
		given := strings.TrimSpace(cast.ToString(info.Body[core.FieldNameEmail]))
		switch {
		case email == "":
			bad[core.FieldNameEmail] = validation.NewError("validation_required", "Add an email address to the contact first.")
		case given != "" && !sameEmail(given, email):
			bad[core.FieldNameEmail] = validation.NewError("validation_customer_only", "A portal account signs in with its contact's email.")
		default:
			e.Record.SetEmail(email)
		}
	}
	if len(bad) > 0 {
		return refuse(e, bad)
	}
	e.Record.SetRandomPassword()
	e.Record.SetVerified(false)
	return e.Next()
}

// setBlocked is POST /api/crm/customers/{id}/block and /unblock: staff who
// may write (guard.Writer) keep an account from signing in, or let it again.
// Blocking ends its sessions.
func setBlocked(e *core.RequestEvent, blocked bool) error {
	account, err := e.App.FindRecordById(crm.Customers, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No portal account with that id.", nil)
	}
	account.Set(FieldBlocked, blocked)
	if blocked {
		account.RefreshTokenKey()
	}
	if err := e.App.Save(account); err != nil {
		return e.InternalServerError("Could not save the portal account.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"customer": account.Id, FieldBlocked: blocked})
}

// signOut is POST /api/crm/customers/{id}/sign-out: staff who may write end
// every session of the account (a new token key).
func signOut(e *core.RequestEvent) error {
	account, err := e.App.FindRecordById(crm.Customers, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No portal account with that id.", nil)
	}
	account.RefreshTokenKey()
	if err := e.App.Save(account); err != nil {
		return e.InternalServerError("Could not sign the customer out.", err)
	}
	return e.NoContent(http.StatusNoContent)
}
