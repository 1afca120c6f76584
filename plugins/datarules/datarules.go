// Package datarules checks what the schema's field options cannot express —
// a real time zone, contact hours that end after they start — and keeps
// emails in one spelling (trimmed, lower case) so they match at sign-in and in
// duplicate checks. Errors name the field, so the API answers 400 with it.
package datarules

import (
	"strings"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the checks to every save, whatever door it comes through.
func Register(app core.App, cfg *crm.Config) error {
	for _, name := range []string{crm.Contacts, crm.Staff} {
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			if err := Check(e.Record); err != nil {
				return err
			}
			return e.Next()
		})
	}
	for _, name := range []string{crm.Contacts, crm.Customers, crm.Staff} {
		app.OnRecordCreate(name).BindFunc(normalizeEmail)
		app.OnRecordUpdate(name).BindFunc(normalizeEmail)
	}
	return nil
}

func normalizeEmail(e *core.RecordEvent) error {
	if email := e.Record.GetString(crm.FieldEmail); email != "" {
		e.Record.Set(crm.FieldEmail, strings.ToLower(strings.TrimSpace(email)))
	}
	return e.Next()
}

// Check returns the record's field errors, or nil.
func Check(r *core.Record) error {
	errs := validation.Errors{}
	if tz := r.GetString("timezone"); tz != "" {
		if !knownZone(tz) {
			errs["timezone"] = validation.NewError("validation_unknown_timezone", "Choose a time zone such as America/Sao_Paulo.")
		}
	}
	start, end := r.GetString("preferred_hours_start"), r.GetString("preferred_hours_end")
	if start != "" && end != "" && end <= start {
		errs["preferred_hours_end"] = validation.NewError("validation_hours_order", "The end must come after the start.")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// knownZones holds the time zone names already found: time.LoadLocation
// reads the zone's file at every call, and every contact save checks one.
// Only real zones are kept, so the set stays as small as the zone database.
var knownZones sync.Map

func knownZone(name string) bool {
	if _, ok := knownZones.Load(name); ok {
		return true
	}
	if _, err := time.LoadLocation(name); err != nil {
		return false
	}
	knownZones.Store(name, struct{}{})
	return true
}
