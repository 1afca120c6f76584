package restriction

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/predictions"
	"vinculo/plugins/timeline"
)

// Proof is what the server records of a change: the door it came through,
// the request's address and user agent, who recorded it (staff), the words
// the customer read (text) and their own or what staff were told (note).
// Actor is who made it, for the contact's timeline (the system when unset).
type Proof struct {
	Source, IP, UserAgent, RecordedBy, RecordedByName, Text, Note string
	Actor                                                         timeline.Actor
}

// The entries a change leaves on the contact's timeline, for staff: an
// event and its data ({source}; {source, channels} for an objection),
// worded by the screens (tl.<event>); the note, the person's own words,
// is the entry's body.
const (
	EventRestricted        = "restriction.on"
	EventLifted            = "restriction.lifted"
	EventMarketingObjected = "marketing.objected"
)

// note writes the timeline entry of a change the contact's person asked for.
func note(tx core.App, contact, event string, p Proof, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	data["source"] = p.Source
	_, err := timeline.Write(tx, timeline.Entry{Event: event, Data: data, Body: p.Note, Actor: p.Actor,
		Contact: contact, RefCollection: crm.Contacts, RefID: contact})
	return err
}

// ErrNoContact is returned for a contact that does not exist.
var ErrNoContact = errors.New("no such contact")

// Restrict restricts the contact's processing from now, in one transaction:
// the contact's restricted_at, the history row with its proof, their
// scores and suggestions deleted (the value model leaves them out from
// now), and their waiting messages decided again at once (the outbox
// refuses all but service messages). A contact already restricted stays as
// they are: changed is false.
func Restrict(app core.App, contact string, p Proof) (changed bool, err error) {
	return change(app, contact, p, true)
}

// Lift ends the restriction, in one transaction, with its history row. The
// contact is scored again from the next fit and receives what their
// consents allow from now; messages refused meanwhile stay refused.
func Lift(app core.App, contact string, p Proof) (changed bool, err error) {
	return change(app, contact, p, false)
}

func change(app core.App, id string, p Proof, restrict bool) (bool, error) {
	changed := false
	err := app.RunInTransaction(func(tx core.App) error {
		contact, err := tx.FindRecordById(crm.Contacts, id)
		if err != nil {
			return ErrNoContact
		}
		if restricted := !contact.GetDateTime(crm.ContactRestrictedAt).IsZero(); restricted == restrict {
			return nil
		}
		now := types.NowDateTime()
		action := crm.RestrictionLifted
		if restrict {
			// What the value model stored goes first: should anything after
			// fail, the transaction keeps it, and the contact unrestricted.
			if err := predictions.DeleteProfile(tx, id); err != nil {
				return err
			}
			action = crm.RestrictionOn
			contact.Set(crm.ContactRestrictedAt, now)
		} else {
			contact.Set(crm.ContactRestrictedAt, "")
		}
		if err := tx.Save(contact); err != nil {
			return err
		}
		c, err := tx.FindCachedCollectionByNameOrId(crm.ProcessingRestrictions)
		if err != nil {
			return err
		}
		row := core.NewRecord(c)
		row.Load(map[string]any{
			crm.RestrictContact: id, crm.RestrictAction: action, crm.RestrictAt: now, crm.RestrictSource: p.Source,
			crm.RestrictNote: p.Note, crm.RestrictText: p.Text, crm.RestrictIP: crm.Truncate(p.IP, 64),
			crm.RestrictUserAgent: crm.Truncate(p.UserAgent, 300), crm.RestrictRecordedBy: p.RecordedBy,
			crm.RestrictRecordedByName: p.RecordedByName,
		})
		if err := tx.Save(row); err != nil {
			return err
		}
		changed = true
		event := EventRestricted
		if !restrict {
			event = EventLifted
		}
		if err := note(tx, id, event, p, nil); err != nil {
			return err
		}
		if !restrict {
			return nil
		}
		return outbox.Release(tx, "", id)
	})
	return changed, err
}

// Change is one row of a contact's restriction history.
type Change struct {
	Action         string `db:"action" json:"action"`
	At             string `db:"at" json:"at"`
	Source         string `db:"source" json:"source"`
	Note           string `db:"note" json:"note"`
	RecordedByName string `db:"recorded_by_name" json:"recorded_by_name"`
}

// Objection is whether the contact objected to a purpose, and since when.
type Objection struct {
	Objected bool   `json:"objected"`
	Since    string `json:"since"`
}

// State is what the portal's page and the staff's badge show: the
// restriction since when, its history (newest first), and the objections
// to marketing (every marketing consent withdrawn) and to profiling (the
// latest profiling consent withdrawn).
type State struct {
	Restricted bool      `json:"restricted"`
	Since      string    `json:"since"`
	History    []Change  `json:"history"`
	Marketing  Objection `json:"marketing"`
	Profiling  Objection `json:"profiling"`
}

// maxHistory bounds the history a page shows.
const maxHistory = 50

// StateOf reads the contact's state.
func StateOf(app core.App, contact *core.Record) (State, error) {
	s := State{History: []Change{}}
	if at := contact.GetDateTime(crm.ContactRestrictedAt); !at.IsZero() {
		s.Restricted, s.Since = true, at.String()
	}
	err := app.DB().Select(crm.RestrictAction, crm.RestrictAt, crm.RestrictSource, crm.RestrictNote, crm.RestrictRecordedByName).
		From(crm.ProcessingRestrictions).Where(dbx.HashExp{crm.RestrictContact: contact.Id}).
		OrderBy(crm.RestrictAt+" DESC", "created DESC").Limit(maxHistory).All(&s.History)
	if err != nil {
		return s, err
	}
	var consents []struct {
		Purpose string `db:"purpose"`
		State   string `db:"state"`
		At      string `db:"at"`
	}
	err = app.DB().Select("purpose", "state", "at").From(crm.Consents).
		Where(dbx.HashExp{crm.FieldContact: contact.Id}).
		AndWhere(dbx.In("purpose", crm.PurposeMarketing, crm.PurposeProfiling)).
		OrderBy("at ASC", "updated ASC").All(&consents)
	if err != nil {
		return s, err
	}
	granted := false
	for _, c := range consents {
		switch {
		case c.Purpose == crm.PurposeProfiling: // the latest decides
			s.Profiling = Objection{Objected: c.State == "withdrawn", Since: c.At}
		case c.State == "granted":
			granted = true
		default:
			s.Marketing.Since = c.At // the latest withdrawal
		}
	}
	s.Marketing.Objected = !granted && s.Marketing.Since != ""
	if !s.Marketing.Objected {
		s.Marketing.Since = ""
	}
	if !s.Profiling.Objected {
		s.Profiling.Since = ""
	}
	return s, nil
}

// ObjectToMarketing withdraws every marketing consent of the contact at
// once, dated by the server with the request's proof (plugins/consents keeps
// each one's earlier version in its history); with none, a withdrawn one on
// email records the objection. Their waiting marketing messages are decided
// again at once.
func ObjectToMarketing(app core.App, contact string, p Proof) error {
	return app.RunInTransaction(func(tx core.App) error {
		rows, err := tx.FindAllRecords(crm.Consents, dbx.HashExp{crm.FieldContact: contact, "purpose": crm.PurposeMarketing})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			c, err := tx.FindCachedCollectionByNameOrId(crm.Consents)
			if err != nil {
				return err
			}
			r := core.NewRecord(c)
			r.Load(map[string]any{crm.FieldContact: contact, "purpose": crm.PurposeMarketing, "channel": "email"})
			rows = append(rows, r)
		}
		var channels []string
		for _, r := range rows {
			if !r.IsNew() && r.GetString("state") == "withdrawn" {
				continue // withdrawn before: its date stays the proof
			}
			channels = append(channels, r.GetString("channel"))
			r.Set("state", "withdrawn")
			r.Set("source", p.Source)
			r.Set("at", types.NowDateTime())
			if p.Text != "" {
				r.Set("text", p.Text)
			}
			r.Set(crm.ConsentIP, crm.Truncate(p.IP, 64))
			r.Set(crm.ConsentUserAgent, crm.Truncate(p.UserAgent, 300))
			r.Set(crm.ConsentRecordedBy, p.RecordedBy)
			r.Set(crm.ConsentRecordedByName, p.RecordedByName)
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		if len(channels) == 0 {
			return nil // objected before: nothing changed
		}
		if err := note(tx, contact, EventMarketingObjected, p, map[string]any{"channels": channels}); err != nil {
			return err
		}
		return outbox.Release(tx, crm.PurposeMarketing, contact)
	})
}
