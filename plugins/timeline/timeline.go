// Package timeline writes the customer's timeline: an `activities` entry for
// every change that matters, saying what happened (event), who did it (actor
// type and the staff member or customer) and through which door (channel),
// linked to the contact and to the company, deal and case concerned. Entries
// the customer should see on their own timeline in the portal are public.
//
// Who did it. PocketBase's model hooks (OnRecordCreate/Update), which run
// inside the save and its transaction, do not know the request. The request
// hooks, which wrap the save, do: they mark every record saved through the
// record API with its actor (SetActor, custom data under ActorKey), and the
// model hooks read the mark back (ActorOf). A save without a mark is the
// system's; Go or JavaScript code that saves on behalf of someone else marks
// the record itself first (SetActor(record, timeline.Integration)).
//
// Entries are written by the model hooks inside the transaction of the change
// that caused them, so a change and its entry commit or fail together,
// whatever door the change came through.
//
// Staff log their own calls, meetings, visits, notes and letters through the
// record API. A logged call, meeting or visit proposes a follow-up task (the
// shipped hook hooks/05_followup_task.pb.js); a note keeps the history of its
// edits.
package timeline

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Events: the `event` field of system entries.
const (
	ContactCreated            = "contact.created"
	ContactMerged             = "contact.merged"
	ContactCompanyChanged     = "contact.company_changed"
	ContactPreferencesChanged = "contact.preferences_changed"

	DealCreated  = "deal.created"
	DealMoved    = "deal.moved"
	DealWon      = "deal.won"
	DealLost     = "deal.lost"
	DealReopened = "deal.reopened"

	CaseOpened        = "case.opened"
	CaseStatusChanged = "case.status_changed"
	CaseAnswered      = "case.answered"
	CaseClosed        = "case.closed"
	CaseRated         = "case.rated"

	OrderPlaced    = "order.placed"
	OrderCancelled = "order.cancelled"

	SubscriptionPaused    = "subscription.paused"
	SubscriptionResumed   = "subscription.resumed"
	SubscriptionChanged   = "subscription.changed"
	SubscriptionCancelled = "subscription.cancelled"

	ConsentChanged = "consent.changed"

	MessageQueued  = "message.queued"
	MessageHeld    = "message.held"
	MessageSent    = "message.sent"
	MessageRefused = "message.refused"
	MessageFailed  = "message.failed"
)

// Entry is one timeline entry the system writes. A system entry is worded
// by each reader's screen, in the reader's language, from its Event and
// Data; Subject holds the thing's own name (a deal's title, an order's
// number), never a sentence, and Body only words people wrote (a lost
// reason, a rating's comment).
type Entry struct {
	Event     string // one of the event constants
	Type      string // activities.type; "system" when empty
	Subject   string
	Body      string
	Data      map[string]any // what the event's wording needs (activities.data)
	Public    bool           // shown on the customer's own timeline in the portal
	Direction string
	Channel   string // the actor's channel when empty
	Actor     Actor

	Contact, Company, Deal, Case string
	RefCollection, RefID         string // the record the entry is about
	OccurredAt                   time.Time
}

// Write saves e as an `activities` record with app, which inside a hook must
// be the hook's e.App (the change's transaction). The company is the
// contact's when e names none.
func Write(app core.App, e Entry) (*core.Record, error) {
	collection, err := app.FindCachedCollectionByNameOrId(crm.Activities)
	if err != nil {
		return nil, err
	}
	if e.Company == "" && e.Contact != "" {
		if contact, err := app.FindRecordById(crm.Contacts, e.Contact); err == nil {
			e.Company = contact.GetString(crm.FieldCompany)
		}
	}
	a := normalize(e.Actor)
	if e.Type == "" {
		e.Type = "system"
	}
	if e.Channel == "" {
		e.Channel = a.Channel
	}
	if e.Direction == "" {
		e.Direction = "internal"
		if a.Type == ActorCustomer {
			e.Direction = "inbound"
		}
	}
	when := types.NowDateTime()
	if !e.OccurredAt.IsZero() {
		when, _ = types.ParseDateTime(e.OccurredAt)
	}
	r := core.NewRecord(collection)
	r.Load(map[string]any{
		"event": e.Event, "type": e.Type, "channel": e.Channel, "direction": e.Direction,
		"subject": crm.Clip(e.Subject, 300), "body": crm.Clip(e.Body, 50000), "occurred_at": when,
		"actor_type": a.Type, "staff": a.Staff, "customer": a.Customer,
		"contact": e.Contact, "company": e.Company, "deal": e.Deal, "case": e.Case,
		"public": e.Public, "ref_collection": e.RefCollection, "ref_id": e.RefID,
	})
	if len(e.Data) > 0 {
		r.Set("data", e.Data)
	}
	SetActor(r, a)
	if err := app.Save(r); err != nil {
		return nil, fmt.Errorf("timeline entry %s: %w", e.Event, err)
	}
	return r, nil
}

// Merged writes the "contact merged" entry on the contact that was kept:
// the merge calls it inside its transaction, after moving the merged
// contact's records over and before deleting it.
func Merged(app core.App, kept, merged *core.Record, actor Actor) error {
	_, err := Write(app, Entry{
		Event:   ContactMerged,
		Subject: merged.GetString("name"),
		Data: map[string]any{"merged": merged.GetString("name"), "kept": kept.GetString("name"),
			"merged_id": merged.Id, "merged_email": merged.GetString(crm.FieldEmail)},
		Actor: actor, Contact: kept.Id, RefCollection: crm.Contacts, RefID: merged.Id,
	})
	return err
}

// Register binds the actor marks, the system's entries, follow-ups and note
// history.
func Register(app core.App, cfg *crm.Config) error {
	markRequests(app)
	bindEvents(app)
	bindActivities(app)
	return nil
}

// afterSave runs fn once the record's save succeeded, inside one transaction
// with the save (or the one already open). prev is the stored record before
// an update, nil on create. It runs early, so the other plugins' hooks and
// the write itself are inside the transaction too.
func afterSave(app core.App, collection string, fn func(tx core.App, prev, r *core.Record) error) {
	wrap := func(update bool) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			original := e.App
			defer func() { e.App = original }()
			return e.App.RunInTransaction(func(tx core.App) error {
				e.App = tx
				var prev *core.Record
				if update {
					// The stored row, not Original(): a record saved twice
					// keeps its first loaded state as original.
					stored, err := tx.FindRecordById(collection, e.Record.Id)
					if err != nil {
						return err
					}
					prev = stored
				}
				if err := e.Next(); err != nil {
					return err
				}
				return fn(tx, prev, e.Record)
			})
		}
	}
	app.OnRecordCreate(collection).Bind(&hook.Handler[*core.RecordEvent]{Id: "vinculo.timeline.create." + collection, Func: wrap(false), Priority: -100})
	app.OnRecordUpdate(collection).Bind(&hook.Handler[*core.RecordEvent]{Id: "vinculo.timeline.update." + collection, Func: wrap(true), Priority: -100})
}
