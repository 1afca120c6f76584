package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Restriction of processing (issue 20, GDPR art. 18): the contact keeps
// since when their processing is restricted (contacts.restricted_at, the
// server's alone: a customer's body may not carry it, and plugins/restriction
// refuses it from anyone with a 400 naming the field), and every restriction
// and lift is a row of processing_restrictions with its proof — when, the
// door, the address, the user agent and the staff member who recorded it —
// set by the server. Staff read the history (under the team visibility),
// the customer their own; nobody writes it through the API.
func init() {
	m.Register(restrictionUp, restrictionDown)
}

var restrictedGuard = "@request.body." + crm.ContactRestrictedAt + ":isset = false && "

func restrictionUp(app core.App) error {
	contacts, err := app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return err
	}
	contacts.Fields.Add(date(crm.ContactRestrictedAt, false))
	if contacts.UpdateRule == nil || !strings.Contains(*contacts.UpdateRule, customerBranch) {
		return fmt.Errorf("contacts update rule has no customer branch to guard")
	}
	contacts.UpdateRule = rule(strings.Replace(*contacts.UpdateRule, customerBranch, customerBranch+restrictedGuard, 1))
	// Few contacts are restricted: the fit and the segments find them by a
	// partial index.
	contacts.AddIndex("idx_contacts_restricted_at", false, "`"+crm.ContactRestrictedAt+"`", "`"+crm.ContactRestrictedAt+"` != ''")
	if err := app.Save(contacts); err != nil {
		return err
	}

	c := core.NewBaseCollection(crm.ProcessingRestrictions)
	c.Fields.Add(
		relation(app, crm.RestrictContact, crm.Contacts, true, true),
		choice(crm.RestrictAction, true, crm.RestrictionOn, crm.RestrictionLifted),
		date(crm.RestrictAt, true),
		choice(crm.RestrictSource, true, crm.RestrictSources...),
		text(crm.RestrictNote, false, 1000),
		text(crm.RestrictText, false, 5000),
		text(crm.RestrictIP, false, 64),
		text(crm.RestrictUserAgent, false, 300),
		relation(app, crm.RestrictRecordedBy, crm.Staff, false, false),
		text(crm.RestrictRecordedByName, false, 200),
	)
	c.Fields.Add(timestamps()...)
	describe(c, "One row per restriction of a contact's processing or its lift (GDPR art. 18): when, through which door, the words the customer read, the address, user agent and who recorded it. Never edited. Staff read; the customer their own; only the server writes.")
	setRules(c, rules{read: or(isStaff, ownRecord(crm.RestrictContact))})
	index(c, false, crm.RestrictContact, crm.RestrictAt)
	index(c, false, crm.RestrictRecordedBy)
	if err := app.Save(c); err != nil {
		return err
	}
	visibilityRules(app, c)
	return app.Save(c)
}

func restrictionDown(app core.App) error {
	if c, err := app.FindCollectionByNameOrId(crm.ProcessingRestrictions); err == nil {
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	contacts, err := app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return err
	}
	contacts.RemoveIndex("idx_contacts_restricted_at")
	contacts.Fields.RemoveByName(crm.ContactRestrictedAt)
	if contacts.UpdateRule != nil {
		contacts.UpdateRule = rule(strings.Replace(*contacts.UpdateRule, restrictedGuard, "", 1))
	}
	return app.Save(contacts)
}
