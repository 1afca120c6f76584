package merge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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
	var undone *Undone
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		undone, err = Undo(tx, rec.Id, actor, staffID, time.Now())
		return err
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
	return e.JSON(http.StatusOK, map[string]any{"survivor": survivor, "other": other, "notes": undone.Notes, "kept": undone.Kept})
}

// Undone says what an undo left as it found it.
type Undone struct {
	Kept  []string // survivor fields edited since the merge, left with the edit
	Notes []string // for people
}

// Undo restores the merged record with its id, moves back what moved,
// restores the rows removed for clashing and the survivor's values the merge
// changed and not edited since, inside tx (a transaction).
func Undo(tx core.App, mergeID string, actor timeline.Actor, staffID string, now time.Time) (*Undone, error) {
	rec, err := tx.FindRecordById(crm.Merges, mergeID)
	if err != nil {
		return nil, err
	}
	if !rec.GetDateTime("undone_at").IsZero() {
		return nil, ErrUndone
	}
	if now.After(rec.GetDateTime("expires").Time()) {
		return nil, ErrExpired
	}
	var snap Snapshot
	if err := rec.UnmarshalJSONField("snapshot", &snap); err != nil {
		return nil, fmt.Errorf("merge %s: unreadable snapshot: %w", mergeID, err)
	}
	kind := rec.GetString("kind")
	survivorID, otherID := rec.GetString("survivor"), rec.GetString("other_id")
	collection, err := tx.FindCachedCollectionByNameOrId(kind)
	if err != nil {
		return nil, err
	}
	if _, err := tx.FindRecordById(kind, survivorID); err != nil {
		return nil, fmt.Errorf("%w (the kept record was deleted since)", ErrClash)
	}
	undone := &Undone{Kept: []string{}, Notes: []string{}}

	if err := insertRow(tx, kind, snap.Other); err != nil {
		return nil, err
	}
	// Back in reverse order, before the clashing rows return (they would
	// clash again with the rows still moved). Relations are not foreign
	// keys, so a row may point at a clashing record a moment before it is back.
	for i := len(snap.Moves) - 1; i >= 0; i-- {
		mv := snap.Moves[i]
		if mv.Multi {
			if err := unmoveInArrays(tx, mv); err != nil {
				return nil, err
			}
			continue
		}
		for start := 0; start < len(mv.Ids); start += 500 {
			ids := make([]any, 0, 500)
			for _, id := range mv.Ids[start:min(start+500, len(mv.Ids))] {
				ids = append(ids, id)
			}
			// Only rows still on the kept record: one re-pointed since stays.
			_, err := tx.DB().Update(mv.Collection, dbx.Params{mv.Field: mv.From},
				dbx.And(dbx.In("id", ids...), dbx.HashExp{mv.Field: mv.To})).Execute()
			if err != nil {
				return nil, err
			}
		}
	}
	for i := len(snap.Deleted) - 1; i >= 0; i-- {
		if err := insertRow(tx, snap.Deleted[i].Collection, snap.Deleted[i].Row); err != nil {
			return nil, err
		}
	}
	for _, rc := range snap.Roles {
		res, err := tx.DB().Update(crm.Customers, dbx.Params{crm.FieldCompanyRole: rc.From},
			dbx.HashExp{"id": rc.Customer, crm.FieldCompanyRole: rc.To}).Execute()
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			undone.Notes = append(undone.Notes, fmt.Sprintf("The role of portal account %s was changed since the merge: it was left as it is.", rc.Customer))
		}
	}

	// The survivor's values: only where they still hold what the merge
	// wrote; a value edited since is the newer decision and stays.
	if len(snap.Changed) > 0 {
		current, err := rawRow(tx, kind, survivorID)
		if err != nil {
			return nil, err
		}
		values := dbx.Params{}
		for _, col := range snap.Changed {
			before, now := snap.SurvivorBefore[col], current[col]
			if sameValue(now, before) {
				continue
			}
			// Snapshots written before SurvivorAfter existed restore as they did.
			if after, ok := snap.SurvivorAfter[col]; ok && !sameValue(now, after) {
				if f := collection.Fields.GetByName(col); f != nil && f.Type() != core.FieldTypeAutodate {
					undone.Kept = append(undone.Kept, col)
				}
				continue
			}
			values[col] = before
		}
		if len(values) > 0 {
			if _, err := tx.DB().Update(kind, values, dbx.HashExp{"id": survivorID}).Execute(); err != nil {
				return nil, err
			}
		}
		if len(undone.Kept) > 0 {
			undone.Notes = append(undone.Notes, "Changes made since the merge were kept: "+strings.Join(undone.Kept, ", ")+".")
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
		return nil, err
	}
	rec.Set("undone_at", types.NowDateTime())
	rec.Set("undone_by", staffID)
	return undone, tx.Save(rec)
}

// sameValue compares raw column values, one of them possibly read back
// from the snapshot's JSON (where every number is a float64).
func sameValue(a, b any) bool {
	return fmt.Sprint(normalValue(a)) == fmt.Sprint(normalValue(b))
}

func normalValue(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case []byte:
		return string(x)
	}
	return v
}

// unmoveInArrays puts mv.From back in the JSON arrays the merge changed:
// the very array it had where the row still holds what the merge wrote;
// otherwise, where the row still names mv.To, mv.From in its place (or
// beside it, where the row had both), keeping the edits made since.
func unmoveInArrays(tx core.App, mv Move) error {
	for _, id := range mv.Ids {
		var current string
		err := tx.DB().Select(mv.Field).From(mv.Collection).Where(dbx.HashExp{"id": id}).Row(&current)
		if err != nil {
			continue // deleted since (or emptied to NULL): nothing to give back
		}
		next := mv.Before[id]
		if current != mv.After[id] {
			var ids, before []string
			if json.Unmarshal([]byte(current), &ids) != nil || !slices.Contains(ids, mv.To) {
				continue // re-pointed since: the edit stays
			}
			_ = json.Unmarshal([]byte(mv.Before[id]), &before)
			if slices.Contains(before, mv.To) {
				if !slices.Contains(ids, mv.From) {
					ids = append(ids, mv.From)
				}
			} else {
				ids = replaceID(ids, mv.To, mv.From)
			}
			raw, err := json.Marshal(ids)
			if err != nil {
				return err
			}
			next = string(raw)
		}
		if _, err := tx.DB().Update(mv.Collection, dbx.Params{mv.Field: next}, dbx.HashExp{"id": id}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// insertRow writes back a row read by rawRow.
func insertRow(tx core.App, table string, row map[string]any) error {
	if _, err := tx.DB().Insert(table, dbx.Params(row)).Execute(); err != nil {
		return fmt.Errorf("%w (%s: %v)", ErrClash, table, err)
	}
	return nil
}
