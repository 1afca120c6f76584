package merge

import (
	"encoding/json"
	"errors"
	"fmt"
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
	if err := moveBack(tx, &snap); err != nil {
		return nil, err
	}
	for i := len(snap.Deleted) - 1; i >= 0; i-- {
		if err := insertRow(tx, snap.Deleted[i].Collection, snap.Deleted[i].Row); err != nil {
			return nil, err
		}
	}
	if err := restoreRoles(tx, &snap, undone); err != nil {
		return nil, err
	}
	if err := restoreSurvivor(tx, collection, survivorID, &snap, undone); err != nil {
		return nil, err
	}
	if err := writeUnmerged(tx, kind, survivorID, otherID, fmt.Sprint(snap.Other["name"]), actor); err != nil {
		return nil, err
	}
	rec.Set("undone_at", types.NowDateTime())
	rec.Set("undone_by", staffID)
	return undone, tx.Save(rec)
}

// moveBack points back at the other record what moved, in reverse order,
// before the clashing rows return (they would clash again with the rows
// still moved). Relations are not foreign keys, so a row may point at a
// clashing record a moment before it is back.
func moveBack(tx core.App, snap *Snapshot) error {
	for i := len(snap.Moves) - 1; i >= 0; i-- {
		mv := snap.Moves[i]
		if mv.Multi {
			if err := unmoveInArrays(tx, mv); err != nil {
				return err
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
				return err
			}
		}
	}
	return nil
}

// restoreRoles gives back the company roles the merge changed, where
// nobody changed them since.
func restoreRoles(tx core.App, snap *Snapshot, undone *Undone) error {
	for _, rc := range snap.Roles {
		res, err := tx.DB().Update(crm.Customers, dbx.Params{crm.FieldCompanyRole: rc.From},
			dbx.HashExp{"id": rc.Customer, crm.FieldCompanyRole: rc.To}).Execute()
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			undone.Notes = append(undone.Notes, fmt.Sprintf("The role of portal account %s was changed since the merge: it was left as it is.", rc.Customer))
		}
	}
	return nil
}

// restoreSurvivor gives the survivor back the values the merge changed,
// only where they still hold what the merge wrote; a value edited since is
// the newer decision and stays.
func restoreSurvivor(tx core.App, collection *core.Collection, survivorID string, snap *Snapshot, undone *Undone) error {
	if len(snap.Changed) == 0 {
		return nil
	}
	current, err := rawRow(tx, collection.Name, survivorID)
	if err != nil {
		return err
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
		if _, err := tx.DB().Update(collection.Name, values, dbx.HashExp{"id": survivorID}).Execute(); err != nil {
			return err
		}
	}
	if len(undone.Kept) > 0 {
		undone.Notes = append(undone.Notes, "Changes made since the merge were kept: "+strings.Join(undone.Kept, ", ")+".")
	}
	return nil
}

// writeUnmerged puts the undo on the survivor's timeline.
func writeUnmerged(tx core.App, kind, survivorID, otherID, name string, actor timeline.Actor) error {
	// Worded by each reader's screen from the name (timeline.*.js).
	entry := timeline.Entry{Actor: actor, RefCollection: kind, RefID: otherID, Subject: name,
		Data: map[string]any{"name": name}}
	if kind == crm.Contacts {
		entry.Event, entry.Contact = ContactUnmerged, survivorID
	} else {
		entry.Event, entry.Company = CompanyUnmerged, survivorID
	}
	_, err := timeline.Write(tx, entry)
	return err
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
