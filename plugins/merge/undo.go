package merge

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Refusals of an undo, each with its HTTP status.
var (
	ErrUndone  = errors.New("This merge was already undone.")
	ErrExpired = errors.New("This merge is more than 30 days old and can no longer be undone.")
	ErrClash   = errors.New("The merged record cannot come back: a record with its id or a unique value exists again.")
)

func handleUndo(e *core.RequestEvent) error {
	if err := writer(e, "undo a merge"); err != nil {
		return err
	}
	rec, err := e.App.FindRecordById(crm.Merges, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("That merge was not found.", nil)
	}
	// Managers undo any merge; agents the ones they made.
	if !isManager(e) && rec.GetString("staff") != e.Auth.Id {
		return e.ForbiddenError("Only a manager or the person who merged can undo this merge.", nil)
	}
	actor := timeline.FromRequest(e)
	staffID := ""
	if !e.HasSuperuserAuth() {
		staffID = e.Auth.Id
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		return Undo(tx, rec.Id, actor, staffID, time.Now())
	})
	switch {
	case errors.Is(err, ErrUndone), errors.Is(err, ErrClash):
		return e.Error(http.StatusConflict, err.Error(), nil)
	case errors.Is(err, ErrExpired):
		return e.BadRequestError(err.Error(), nil)
	case err != nil:
		return e.InternalServerError("The undo failed; nothing was changed.", err)
	}
	survivor, _ := e.App.FindRecordById(rec.GetString("kind"), rec.GetString("survivor"))
	other, _ := e.App.FindRecordById(rec.GetString("kind"), rec.GetString("other_id"))
	return e.JSON(http.StatusOK, map[string]any{"survivor": survivor, "other": other})
}

// Undo restores the merged record with its id, moves back what moved,
// restores the rows removed for clashing and the survivor's values the merge
// changed, inside tx (a transaction).
func Undo(tx core.App, mergeID string, actor timeline.Actor, staffID string, now time.Time) error {
	rec, err := tx.FindRecordById(crm.Merges, mergeID)
	if err != nil {
		return err
	}
	if !rec.GetDateTime("undone_at").IsZero() {
		return ErrUndone
	}
	if now.After(rec.GetDateTime("expires").Time()) {
		return ErrExpired
	}
	var snap Snapshot
	if err := rec.UnmarshalJSONField("snapshot", &snap); err != nil {
		return fmt.Errorf("merge %s: unreadable snapshot: %w", mergeID, err)
	}
	kind := rec.GetString("kind")
	survivorID, otherID := rec.GetString("survivor"), rec.GetString("other_id")
	if _, err := tx.FindRecordById(kind, survivorID); err != nil {
		return fmt.Errorf("%w (the kept record was deleted since)", ErrClash)
	}

	if err := insertRow(tx, kind, snap.Other); err != nil {
		return err
	}
	// Back in reverse order, before the clashing rows return (they would
	// clash again with the rows still moved). Relations are not foreign
	// keys, so a row may point at a clashing record a moment before it is back.
	for i := len(snap.Moves) - 1; i >= 0; i-- {
		mv := snap.Moves[i]
		for start := 0; start < len(mv.Ids); start += 500 {
			ids := make([]any, 0, 500)
			for _, id := range mv.Ids[start:min(start+500, len(mv.Ids))] {
				ids = append(ids, id)
			}
			// Only rows still on the kept record: one re-pointed since stays.
			_, err := tx.DB().Update(mv.Collection, dbx.Params{mv.Field: mv.From},
				dbx.And(dbx.In("id", ids...), dbx.HashExp{mv.Field: mv.To})).Execute()
			if err != nil {
				return err
			}
		}
	}
	for i := len(snap.Deleted) - 1; i >= 0; i-- {
		if err := insertRow(tx, snap.Deleted[i].Collection, snap.Deleted[i].Row); err != nil {
			return err
		}
	}
	if len(snap.Changed) > 0 {
		values := dbx.Params{}
		for _, col := range snap.Changed {
			values[col] = snap.SurvivorBefore[col]
		}
		if _, err := tx.DB().Update(kind, values, dbx.HashExp{"id": survivorID}).Execute(); err != nil {
			return err
		}
	}

	entry := timeline.Entry{Actor: actor, RefCollection: kind, RefID: otherID}
	name := fmt.Sprint(snap.Other["name"])
	if kind == crm.Contacts {
		entry.Event, entry.Contact = ContactUnmerged, survivorID
		entry.Subject = "Merge undone: " + name + " is a separate contact again"
	} else {
		entry.Event, entry.Company = CompanyUnmerged, survivorID
		entry.Subject = "Merge undone: " + name + " is a separate company again"
	}
	if _, err := timeline.Write(tx, entry); err != nil {
		return err
	}
	rec.Set("undone_at", types.NowDateTime())
	rec.Set("undone_by", staffID)
	return tx.Save(rec)
}

// insertRow writes back a row read by rawRow.
func insertRow(tx core.App, table string, row map[string]any) error {
	if _, err := tx.DB().Insert(table, dbx.Params(row)).Execute(); err != nil {
		return fmt.Errorf("%w (%s: %v)", ErrClash, table, err)
	}
	return nil
}
