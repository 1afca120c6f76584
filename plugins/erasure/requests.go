package erasure

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/notifications"
)

// FieldError is bad input, naming the field; Code (erasure_...) is what the
// UI words in the reader's language.
type FieldError struct{ Field, Code, Message string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Asking says who asked and how.
type Asking struct {
	Contact    string
	Customer   string // the portal account that asked
	Channel    string // one of crm.ErasureChannels
	Note       string // staff's note of a request made by phone or letter
	RecordedBy string // the staff member who recorded it
}

// DefaultDays is the legal deadline when the configuration sets none.
const DefaultDays = 15

// Ask records a request to erase a contact's data, due cfg.ErasureDays
// from now, and tells every manager. A contact has one open request at a time.
func Ask(app core.App, cfg *crm.Config, a Asking) (*core.Record, error) {
	var rec *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		contact, err := tx.FindRecordById(crm.Contacts, a.Contact)
		if err != nil {
			return &FieldError{"contact", "erasure_contact_missing", "No contact with that id."}
		}
		if isRef(contact.GetString("name")) {
			return &FieldError{"contact", "erasure_contact_erased", "This person's data was already erased."}
		}
		open, err := tx.FindFirstRecordByFilter(crm.ErasureRequests, "contact = {:c} && (state = {:a} || state = {:p})",
			dbx.Params{"c": a.Contact, "a": crm.ErasureAsked, "p": crm.ErasureApproved})
		if err == nil && open != nil {
			return &FieldError{"contact", "erasure_contact_open", "A request to erase this person's data is already open (" + open.GetString(crm.ErasureRef) + ")."}
		}
		col, err := tx.FindCachedCollectionByNameOrId(crm.ErasureRequests)
		if err != nil {
			return err
		}
		at := now(tx).UTC()
		days := cfg.ErasureDays
		if days <= 0 {
			days = DefaultDays
		}
		rec = core.NewRecord(col)
		rec.Set(crm.ErasureRef, newRef())
		rec.Set(crm.FieldContact, a.Contact)
		rec.Set(crm.ErasureCustomer, a.Customer)
		rec.Set(crm.ErasureChannel, a.Channel)
		rec.Set(crm.ErasureNote, a.Note)
		rec.Set(crm.ErasureState, crm.ErasureAsked)
		rec.Set(crm.ErasureAskedAt, at)
		rec.Set(crm.ErasureDueAt, at.AddDate(0, 0, days))
		rec.Set(crm.ErasureRecordedBy, a.RecordedBy)
		rec.Set(crm.ErasureLanguage, languageOf(contact, cfg))
		if err := tx.Save(rec); err != nil {
			return err
		}
		return tellManagers(tx, rec, a.RecordedBy)
	})
	return rec, err
}

func languageOf(contact *core.Record, cfg *crm.Config) string {
	if l := contact.GetString("language"); l != "" {
		return lang(l)
	}
	return lang(cfg.BusinessNow().Language)
}

// tellManagers puts the request in every manager's bell: its reference and
// deadline, never the person's name (the notification outlives the erasure).
func tellManagers(tx core.App, rec *core.Record, by string) error {
	managers, err := tx.FindAllRecords(crm.Staff, dbx.HashExp{"role": crm.RoleManager})
	if err != nil {
		return err
	}
	for _, m := range managers {
		err := notifications.Notify(tx, notifications.Notice{To: m.Id, By: by, Event: crm.NotifyErasureAsked,
			Collection: crm.ErasureRequests, Record: rec.Id,
			Data: map[string]any{"reference": rec.GetString(crm.ErasureRef), "title": rec.GetString(crm.ErasureRef),
				"due": rec.GetDateTime(crm.ErasureDueAt).String(), "path": "/privacy/" + rec.Id}})
		if err != nil {
			return err
		}
	}
	return nil
}

// Refuse closes a request without erasing anything, with the reason the
// customer reads in the portal.
func Refuse(app core.App, id, manager, reason string) (*core.Record, error) {
	if len([]rune(reason)) < 3 {
		return nil, &FieldError{"reason", "erasure_reason_required", "Say why the request is refused: the customer reads it."}
	}
	var rec *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		r, err := openRequest(tx, id)
		if err != nil {
			return err
		}
		if r.GetString(crm.ErasureState) != crm.ErasureAsked {
			return &FieldError{"decision", "erasure_decided", "This request was already approved."}
		}
		r.Set(crm.ErasureState, crm.ErasureRefused)
		r.Set(crm.ErasureReason, reason)
		r.Set(crm.ErasureDecidedAt, now(tx).UTC())
		r.Set(crm.ErasureDecidedBy, manager)
		rec = r
		return tx.Save(r)
	})
	return rec, err
}

// ErrNotFound is a request that is not there.
var ErrNotFound = errors.New("no erasure request with that id")

func openRequest(tx core.App, id string) (*core.Record, error) {
	r, err := tx.FindRecordById(crm.ErasureRequests, id)
	if err != nil {
		return nil, ErrNotFound
	}
	switch r.GetString(crm.ErasureState) {
	case crm.ErasureDone, crm.ErasureRefused:
		return nil, &FieldError{"decision", "erasure_decided", fmt.Sprintf("This request is already %s.", r.GetString(crm.ErasureState))}
	}
	return r, nil
}

// Overdue tells whether an open request is past its deadline at t.
func Overdue(r *core.Record, t time.Time) bool {
	s := r.GetString(crm.ErasureState)
	return (s == crm.ErasureAsked || s == crm.ErasureApproved) && r.GetDateTime(crm.ErasureDueAt).Time().Before(t)
}
