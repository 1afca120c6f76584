package team

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/notifications"
	"vinculo/plugins/timeline"
)

// EventHandedOver is the timeline's event of a record handed to a new
// owner (data: from, from_name, to, to_name; body: the note to them).
const EventHandedOver = "owner.handed_over"

// MaxHandover is how many records one hand-over moves at most.
const MaxHandover = 100

// maxHandoverNote is the longest note to the new owner.
const maxHandoverNote = 2000

// handedOverKinds are the collections whose owner is handed over from the
// workspace's lists and pages.
var handedOverKinds = []string{crm.Contacts, crm.Companies, crm.Deals}

type handoverBody struct {
	Collection string   `json:"collection"`
	IDs        []string `json:"ids"`
	To         string   `json:"to"`
	Note       string   `json:"note"`
}

// handover is POST /api/crm/handover {collection, ids, to, note}: the
// records change owner together or not at all, each one's timeline says
// so with the note, and the new owner is told once.
func handover(e *core.RequestEvent) error {
	var body handoverBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	body.Note = strings.TrimSpace(body.Note)
	if err := checkHandoverBody(e, &body); err != nil {
		return err
	}
	records, err := e.App.FindRecordsByIds(body.Collection, body.IDs)
	if err != nil {
		return err
	}
	if len(records) != len(body.IDs) {
		return fieldError(e, "ids", "validation_handover_unknown_record", "Some of these records do not exist (any more): reload the list.")
	}
	if err := mayEditAll(e, records, body.To); err != nil {
		return err
	}
	to, _ := e.App.FindRecordById(crm.Staff, body.To)
	actor := timeline.FromRequest(e)
	var moved []*core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		for _, r := range records {
			from := r.GetString(crm.FieldOwner)
			if from == body.To {
				continue // already theirs
			}
			r.Set(crm.FieldOwner, body.To)
			timeline.SetActor(r, actor)
			if err := tx.Save(r); err != nil {
				return err
			}
			if _, err := timeline.Write(tx, handedOverEntry(tx, r, from, to, body.Note, actor)); err != nil {
				return err
			}
			moved = append(moved, r)
		}
		if len(moved) > 0 {
			notifyHandedOver(tx, e.Auth, to, moved, body)
		}
		return nil
	})
	if err != nil {
		return e.BadRequestError("Nothing was handed over.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"moved": len(moved), "to": body.To})
}

// checkHandoverBody names the first field that is wrong.
func checkHandoverBody(e *core.RequestEvent, b *handoverBody) error {
	if !slices.Contains(handedOverKinds, b.Collection) {
		return fieldError(e, "collection", "validation_handover_collection", "Hand over contacts, companies or deals.")
	}
	if len(b.IDs) == 0 {
		return fieldError(e, "ids", "validation_handover_no_records", "Choose the records to hand over.")
	}
	if len(b.IDs) > MaxHandover {
		return e.BadRequestError(fmt.Sprintf("Hand over at most %d records at once.", MaxHandover),
			validation.Errors{"ids": validation.NewError("validation_handover_too_many",
				fmt.Sprintf("Hand over at most %d records at once.", MaxHandover)).SetParams(map[string]any{"max": MaxHandover})})
	}
	seen := map[string]bool{}
	for _, id := range b.IDs {
		if id == "" || seen[id] {
			return fieldError(e, "ids", "validation_handover_bad_ids", "Each record is named once, by its id.")
		}
		seen[id] = true
	}
	if len([]rune(b.Note)) > maxHandoverNote {
		return e.BadRequestError("The note is too long.", validation.Errors{"note": validation.NewError("validation_max_text_constraint",
			fmt.Sprintf("Keep the note under %d characters.", maxHandoverNote)).SetParams(map[string]any{"max": maxHandoverNote})})
	}
	return checkTaker(e, "to", "", b.To)
}

// checkTaker: the colleague named in field exists, is not the member
// leaving (leavingID), is active and may work records (a manager or an
// agent).
func checkTaker(e *core.RequestEvent, field, leavingID, id string) error {
	if id == "" {
		return fieldError(e, field, "validation_handover_required", "Name the colleague who takes these records over.")
	}
	to, err := e.App.FindRecordById(crm.Staff, id)
	switch {
	case err != nil:
		return fieldError(e, field, "validation_handover_unknown", "No member of the team with that id.")
	case to.Id == leavingID:
		return fieldError(e, field, "validation_handover_same", "Name someone other than the member who leaves.")
	case to.GetBool(crm.FieldDeactivated):
		return fieldError(e, field, "validation_handover_inactive", "That colleague is deactivated: name an active one.")
	case to.GetString(crm.FieldRole) != crm.RoleManager && to.GetString(crm.FieldRole) != crm.RoleAgent:
		return fieldError(e, field, "validation_handover_readonly", "Only a manager or an agent can work these records: name one.")
	}
	return nil
}

// mayEditAll: the one asking may change the owner of every record, by the
// collection's own update rule (whatever it says today: everyone, their
// team, their own), as the record API would judge the same change.
func mayEditAll(e *core.RequestEvent, records []*core.Record, to string) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	asked := *info
	asked.Method = http.MethodPatch
	asked.Body = map[string]any{crm.FieldOwner: to}
	for _, r := range records {
		ok, err := e.App.CanAccessRecord(r, &asked, r.Collection().UpdateRule)
		if err != nil {
			return err
		}
		if !ok {
			return e.ForbiddenError("You may not change the owner of some of these records; nothing was handed over.", nil)
		}
	}
	return nil
}

// handedOverEntry is the timeline's entry of r handed from one owner to
// another, on the record and on what it belongs to.
func handedOverEntry(app core.App, r *core.Record, from string, to *core.Record, note string, actor timeline.Actor) timeline.Entry {
	entry := timeline.Entry{
		Event: EventHandedOver, Body: note, Actor: actor,
		Data:          map[string]any{"from": from, "from_name": staffName(app, from), "to": to.Id, "to_name": to.GetString("name")},
		RefCollection: r.Collection().Name, RefID: r.Id,
	}
	switch r.Collection().Name {
	case crm.Contacts:
		entry.Subject, entry.Contact = r.GetString("name"), r.Id
	case crm.Companies:
		entry.Subject, entry.Company = r.GetString("name"), r.Id
	case crm.Deals:
		entry.Subject, entry.Deal = r.GetString("title"), r.Id
		entry.Contact, entry.Company = r.GetString(crm.FieldContact), r.GetString(crm.FieldCompany)
	}
	return entry
}

// notifyHandedOver tells the new owner once, with the note and the count;
// one record handed over is linked, many open the list.
func notifyHandedOver(app core.App, by, to *core.Record, moved []*core.Record, body handoverBody) {
	n := notifications.Notice{
		To: to.Id, Event: crm.NotifyHandedOver, Collection: body.Collection,
		Data: map[string]any{"count": len(moved), "note": body.Note, "kind": body.Collection},
	}
	if by != nil && by.Collection().Name == crm.Staff {
		n.By = by.Id
		n.Data["by_name"] = by.GetString("name")
	}
	if len(moved) == 1 {
		n.Record = moved[0].Id
		n.Data["title"] = moved[0].GetString("name")
		if body.Collection == crm.Deals {
			n.Data["title"] = moved[0].GetString("title")
		}
	}
	if err := notifications.Notify(app, n); err != nil {
		// The records changed hands whatever happens to the bell.
		app.Logger().Warn("hand-over not notified", "to", to.Id, "error", err)
	}
}

func staffName(app core.App, id string) string {
	if id == "" {
		return ""
	}
	if s, err := app.FindRecordById(crm.Staff, id); err == nil {
		return s.GetString("name")
	}
	return ""
}
