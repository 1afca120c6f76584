// Package fullcopy gives a customer (and, for a request made by phone or
// letter, a manager) the full copy of everything held about a person
// (GDPR art. 15 and 20, LGPD art. 18): JSON and CSV files in one ZIP with a
// README in the person's language saying what each file is, and what is
// left out and why.
//
// What goes in is not a list kept by hand: the copy walks the live schema
// (crm.RelationsTo) for every collection with a relation to contacts or to
// customers (the portal accounts), and takes every row that points at the
// person, with every field but those its Policy withholds, each with its
// reason. A collection added later without a policy still goes in (all but
// its hidden fields, see Unreviewed) and a test fails until its policy is
// written. Links to other people (a colleague at the same company) are left
// empty; another contact pointing at this one is never read.
//
// Internal request notes: a note the team writes about a person is their
// personal data, so the copy holds them. A business may mark them as its
// internal working notes (business_settings.withhold_working_notes, off by
// default): then they are left out and the copy says how many there are and
// why.
//
// The customer's own downloads are not in the access log (their own reads
// are never listed); a manager's download for a request made by phone or
// letter is an export of that one person (plugins/accesslog).
package fullcopy

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/accesslog"
)

// Routes.
const (
	PortalRoute  = "/api/crm/portal/full-copy"
	ManagerRoute = "/api/crm/contacts/{id}/full-copy"
)

// Register wires the full copy's routes.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET(PortalRoute, func(e *core.RequestEvent) error { return portalCopy(e, cfg) })
		se.Router.GET(ManagerRoute, func(e *core.RequestEvent) error { return managerCopy(e, cfg) }).Bind(guard.Manager())
		return se.Next()
	})
	return nil
}

// portalCopy is the signed-in customer's own copy; ?lang=en|pt-BR words the
// README (the page's language, which may be a moment ahead of the one
// saved on the account), the customer's saved language otherwise.
func portalCopy(e *core.RequestEvent, cfg *crm.Config) error {
	if e.Auth == nil {
		return e.UnauthorizedError("Sign in to the portal first.", nil)
	}
	if e.Auth.Collection().Name != crm.Customers {
		return e.ForbiddenError("This is for customers signed in to the portal.", nil)
	}
	contact := e.Auth.GetString(crm.FieldContact)
	if contact == "" {
		return e.ForbiddenError("Your portal account is not linked to a contact.", nil)
	}
	l, err := langParam(e)
	if err != nil {
		return err
	}
	return send(e, cfg, contact, l)
}

// langParam reads ?lang: empty, en or pt-BR.
func langParam(e *core.RequestEvent) (string, error) {
	l := e.Request.URL.Query().Get("lang")
	if l != "" && l != LangEN && l != LangPT {
		return "", e.BadRequestError("Choose en or pt-BR.", validation.Errors{"lang": validation.NewError("validation_invalid_lang", "Choose en or pt-BR.")})
	}
	return l, nil
}

// managerCopy is a person's copy a manager downloads for them (a request
// made by phone or letter); ?lang=en|pt-BR words the README, the person's
// own language otherwise. It is an export of that person in their log.
func managerCopy(e *core.RequestEvent, cfg *crm.Config) error {
	l, err := langParam(e)
	if err != nil {
		return err
	}
	id := e.Request.PathValue("id")
	if _, err := e.App.FindRecordById(crm.Contacts, id); err != nil {
		return e.NotFoundError("No contact with this id.", nil)
	}
	if err := send(e, cfg, id, l); err != nil {
		return err
	}
	if err := accesslog.Export(e, crm.FullCopyKind, "full copy of one person (GDPR art. 15)", []string{id}); err != nil {
		e.App.Logger().Warn("full copy: access log entry not written", "error", err)
	}
	return nil
}

// send gathers the copy of contact and answers it as a ZIP download.
func send(e *core.RequestEvent, cfg *crm.Config, contact, l string) error {
	b := cfg.BusinessNow()
	cp, err := Build(e.App, contact, l, b.Language, time.Now())
	if errors.Is(err, ErrNoContact) {
		return e.NotFoundError("No contact with this id.", nil)
	}
	if err != nil {
		return e.InternalServerError("Could not gather the copy.", err)
	}
	raw, err := ZIP(e.App, cp, b.Name)
	if err != nil {
		return e.InternalServerError("Could not write the copy.", err)
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		loc = time.UTC
	}
	e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, FileName(cp, loc)))
	return e.Blob(http.StatusOK, "application/zip", raw)
}

// Build gathers contact's copy with the business's current setting for
// internal notes; l is the README's language ("" for the person's own as
// the portal picks it: their contact's, their account's, else the
// business's).
func Build(app core.App, contact, l, businessLang string, now time.Time) (*Copy, error) {
	withhold := false
	if s, err := app.FindFirstRecordByFilter(crm.BusinessSettings, ""); err == nil {
		withhold = s.GetBool(crm.BusinessWithholdWorkingNotes)
	}
	if l == "" {
		if c, err := app.FindRecordById(crm.Contacts, contact); err == nil {
			l = c.GetString("language")
		}
	}
	if l == "" {
		if a, err := app.FindFirstRecordByData(crm.Customers, crm.FieldContact, contact); err == nil {
			l = a.GetString("language")
		}
	}
	if l != LangEN && l != LangPT {
		l = businessLang
	}
	if l != LangPT {
		l = LangEN
	}
	return Gather(app, contact, Options{Lang: l, WithholdNotes: withhold, Now: now})
}

// FileName is the ZIP's name: the person's name and the business's day.
func FileName(cp *Copy, loc *time.Location) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, cp.Contact.GetString("name"))
	name = strings.Trim(name, "-")
	if name == "" {
		name = "my"
	}
	return fmt.Sprintf("%s-data-%s.zip", name, cp.At.In(loc).Format("2006-01-02"))
}
