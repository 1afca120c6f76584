// Package portalauth gives contacts their portal identity: a customers record
// is created the first time a contact's email asks for a sign-in code, or when
// staff invite the contact. An email that belongs to no contact gets the same
// answer as one that does, and takes about as long.
package portalauth

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"
	"golang.org/x/crypto/bcrypt"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/outbox"
)

// Register binds the sign-in hook and the invitation route.
func Register(app core.App, cfg *crm.Config) error {
	app.Store().Set(configKey, cfg)
	app.OnRecordRequestOTPRequest(crm.Customers).BindFunc(func(e *core.RecordCreateOTPRequestEvent) error {
		if e.Record == nil {
			info, err := e.RequestInfo()
			if err != nil {
				return err
			}
			email := strings.ToLower(strings.TrimSpace(cast.ToString(info.Body["email"])))
			record, err := CreateForEmail(e.App, email)
			if err != nil {
				return err
			}
			if record == nil || record.GetBool(FieldBlocked) {
				// Spend what creating an account costs, so the answer's timing
				// does not tell whether the email is known.
				_, _ = bcrypt.GenerateFromPassword([]byte(security.RandomString(30)), bcrypt.DefaultCost)
			}
			e.Record = record
		}
		if e.Record != nil && e.Record.GetBool(FieldBlocked) {
			e.Record = nil // a blocked account gets no code: the same answer as an unknown email
		}
		return e.Next()
	})
	bindFollow(app, cfg)
	bindAccounts(app)

	// A company admin's role is for that company: when staff move the
	// contact to another company, their portal account becomes a member
	// there (an admin of the new company is named by staff, not inherited).
	app.OnRecordUpdate(crm.Contacts).BindFunc(func(e *core.RecordEvent) error {
		// The stored row, not Original(): a record saved twice in Go keeps
		// its first loaded state as the original.
		stored, err := e.App.FindRecordById(crm.Contacts, e.Record.Id)
		if err != nil || stored.GetString(crm.FieldCompany) == e.Record.GetString(crm.FieldCompany) {
			return e.Next()
		}
		return saveThen(e, func(tx core.App) error {
			admins, err := tx.FindAllRecords(crm.Customers, dbx.HashExp{crm.FieldContact: e.Record.Id, crm.FieldCompanyRole: crm.CompanyAdmin})
			if err != nil {
				return err
			}
			for _, a := range admins {
				a.Set(crm.FieldCompanyRole, crm.CompanyMember)
				if err := tx.Save(a); err != nil {
					return err
				}
			}
			return nil
		})
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/contacts/{id}/invite", func(e *core.RequestEvent) error {
			return invite(e, cfg)
		}).Bind(guard.Writer())
		return se.Next()
	})
	return nil
}

const configKey = "vinculo.portalauth.config"

// configOf is the configuration Register was given (an empty one if none).
func configOf(app core.App) *crm.Config {
	if cfg, ok := app.Store().Get(configKey).(*crm.Config); ok {
		return cfg
	}
	return &crm.Config{}
}

// CreateForEmail creates the portal account of the oldest contact with this
// email, if there is such a contact and it has none yet. It returns nil, nil
// when no contact has the email.
func CreateForEmail(app core.App, email string) (*core.Record, error) {
	if email == "" {
		return nil, nil
	}
	contact, err := OldestContactWithEmail(app, email)
	if contact == nil || err != nil {
		return nil, err
	}
	return ensureCustomer(app, contact, email)
}

// OldestContactWithEmail is the contact a person writing from email is: of
// the contacts with that email (kept in lower case), the first created, and
// of those created at the same moment the lowest id. It returns nil, nil
// when no contact has the email.
func OldestContactWithEmail(app core.App, email string) (*core.Record, error) {
	var found []*core.Record
	err := app.RecordQuery(crm.Contacts).
		AndWhere(dbx.HashExp{crm.FieldEmail: email}).
		OrderBy("created ASC", "id ASC").Limit(1).All(&found)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

func ensureCustomer(app core.App, contact *core.Record, email string) (*core.Record, error) {
	existing, err := app.FindFirstRecordByFilter(crm.Customers, "contact = {:c}", dbx.Params{"c": contact.Id})
	if err == nil {
		if sameEmail(existing.Email(), contact.GetString(crm.FieldEmail)) {
			return existing, nil
		}
		// An account left behind its contact's email catches up first.
		if err := app.RunInTransaction(func(tx core.App) error { return follow(tx, configOf(app), existing.Id, contact) }); err != nil {
			return nil, err
		}
		return app.FindRecordById(crm.Customers, existing.Id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(customers)
	record.SetEmail(email)
	record.SetRandomPassword() // never used: customers sign in by code unless they choose a password
	record.Set(crm.FieldContact, contact.Id)
	record.Set(crm.FieldCompanyRole, crm.CompanyMember)
	record.Set("name", contact.GetString("name"))
	record.Set("language", contact.GetString("language"))
	if err := app.Save(record); err != nil {
		return nil, err
	}
	return record, nil
}

// invite is POST /api/crm/contacts/{id}/invite: staff who may write
// (guard.Writer) give a contact a portal account and send them the portal's
// address.
func invite(e *core.RequestEvent, cfg *crm.Config) error {
	contact, err := e.App.FindRecordById(crm.Contacts, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No contact with that id.", nil)
	}
	email := strings.ToLower(contact.GetString(crm.FieldEmail))
	if email == "" {
		return e.BadRequestError("The contact has no email address.", validation.Errors{
			crm.FieldEmail: validation.NewError("validation_required", "Add an email address to the contact first."),
		})
	}
	record, err := ensureCustomer(e.App, contact, email)
	if err != nil {
		return e.BadRequestError("Could not create the portal account.", err)
	}
	// Through the outbox, as every message to a customer: an urgent service
	// message by email to this address.
	msg := invitation(e.App, cfg, record, contact, email)
	queued, err := outbox.Queue(e.App, outbox.Queued{Contact: contact.Id, Purpose: crm.PurposeService, Channel: "email",
		To: email, Subject: msg.Subject, Body: msg.Text, Urgent: true})
	state := ""
	if err != nil {
		e.App.Logger().Error("Failed to queue the portal invitation", "contact", contact.Id, "error", err)
	} else {
		state = queued.GetString("state")
	}
	return e.JSON(http.StatusOK, map[string]any{"customer": record.Id, "email": email, "invitation": state})
}

// saveThen saves e's record (the rest of its hooks) and then runs after, in
// one transaction: both are written or neither is.
func saveThen(e *core.RecordEvent, after func(tx core.App) error) error {
	original := e.App
	defer func() { e.App = original }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		return after(tx)
	})
}
