// Package merge merges two contacts (or two companies) into one and undoes
// a merge for 30 days.
//
// POST /api/crm/merge {"kind","survivor","other","fields":{"email":"other",...}}
// keeps the survivor, gives it the values chosen field by field, moves to it
// every record that points at the other one (found from the schema, so a
// collection added later moves too), deletes the other and writes a `merges`
// row with everything the undo needs, all in one transaction.
// POST /api/crm/merges/{id}/undo puts it all back.
//
// Records move with plain UPDATEs of their relation column: their own
// `updated` stays, their hooks do not fire (the merge is one event on the
// survivor's timeline, not one per moved row), and the search index follows
// through its SQLite triggers. Where a unique index would clash (two portal
// accounts of one person, two consents for one purpose and channel) one row
// is kept: the survivor's portal account, the most recent consent; the other
// row's own references move to the kept one before it is deleted, and the
// undo restores it. A merge that deletes such a row is for managers and
// superusers; an agent's may delete only what the API rules let the agent
// delete (neither a portal account nor a consent).
//
// A multi relation (a JSON array of ids) gets the kept id in place of the
// other's, once. A portal account whose company changes in a contact merge
// loses its admin role (see settleRoles).
//
// Files: merge.go is the merge itself, mover.go moves what pointed at the
// other record, undo.go puts it back, routes.go is the HTTP doors.
package merge

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// UndoWindow is how long a merge can be undone.
const UndoWindow = 30 * 24 * time.Hour

// Timeline events of this package.
const (
	CompanyMerged    = "company.merged"
	ContactUnmerged  = "contact.merge_undone"
	CompanyUnmerged  = "company.merge_undone"
	SurvivorChoice   = "survivor"
	OtherChoice      = "other"
	maxMovedPerMerge = 2_000_000 // a merge is one transaction; past this it is a data migration
	maxNameLength    = 200       // merges.survivor_name and other_name
)

// Request is one merge: the body of POST /api/crm/merge, and who makes it.
type Request struct {
	Kind     string            `json:"kind"` // crm.Contacts or crm.Companies
	Survivor string            `json:"survivor"`
	Other    string            `json:"other"`
	Fields   map[string]string `json:"fields"` // field -> "survivor" | "other"

	// Who merges: never read from the body.
	By        timeline.Actor `json:"-" form:"-"` // on the timeline entries
	ByStaff   string         `json:"-" form:"-"` // the staff member kept on the merges row ("" for a superuser or the system)
	MayDelete DeletePolicy   `json:"-" form:"-"` // nil lets the merge delete any clashing row
}

// Snapshot is what the undo needs, stored in merges.snapshot.
type Snapshot struct {
	Other          map[string]any            `json:"other"`           // the deleted record's row
	SurvivorBefore map[string]any            `json:"survivor_before"` // the survivor's row before
	Changed        []string                  `json:"changed"`         // survivor columns the merge changed
	Moves          []Move                    `json:"moves"`           // in the order made
	Deleted        []Deleted                 `json:"deleted"`         // clashing rows removed, in order
	Notes          []string                  `json:"notes,omitempty"` // what the staff member should know
	Moved          map[string]map[string]int `json:"moved"`           // counts per collection and field, for people
	// SurvivorAfter holds the Changed columns as the merge wrote them: the
	// undo restores a column only where it still holds this value.
	SurvivorAfter map[string]any `json:"survivor_after,omitempty"`
	Roles         []RoleChange   `json:"roles,omitempty"` // portal accounts whose company_role the merge changed
}

// RoleChange is a portal account's company_role set From -> To by a merge.
type RoleChange struct {
	Customer string `json:"customer"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// Move is one UPDATE: the rows Ids of Collection whose Field went From -> To.
// For a multi relation, Before and After hold each row's JSON array as it
// was and as the merge wrote it.
type Move struct {
	Collection string            `json:"collection"`
	Field      string            `json:"field"`
	From       string            `json:"from"`
	To         string            `json:"to"`
	Ids        []string          `json:"ids"`
	Multi      bool              `json:"multi,omitempty"`
	Before     map[string]string `json:"before,omitempty"`
	After      map[string]string `json:"after,omitempty"`
}

// NeedsManagerError refuses a merge that would delete rows the requester's
// API rules do not let them delete (a portal account, a consent).
type NeedsManagerError struct {
	What []string // what would be deleted, for people
}

func (e *NeedsManagerError) Error() string {
	return "Only a manager can make this merge: it would " + strings.Join(e.What, " and ") + "."
}

// DeletePolicy says whether the merge may delete rec, a row clashing with
// the one kept. nil lets it delete any.
type DeletePolicy func(tx core.App, rec *core.Record) (bool, error)

// Deleted is a row removed because it clashed with one kept.
type Deleted struct {
	Collection string         `json:"collection"`
	Row        map[string]any `json:"row"`
	KeptID     string         `json:"kept_id"`
}

// Result is the answer of a merge.
type Result struct {
	Merge    string                    `json:"merge"` // the merges record id, for the undo
	Survivor *core.Record              `json:"survivor"`
	Moved    map[string]map[string]int `json:"moved"`
	Notes    []string                  `json:"notes"`
	Expires  string                    `json:"expires"`
}

// MergeableFields are the fields of c a person chooses between.
func MergeableFields(c *core.Collection) []string {
	var out []string
	for _, f := range c.Fields {
		name := f.GetName()
		if f.GetSystem() || f.GetHidden() || name == "id" || f.Type() == core.FieldTypeAutodate || f.Type() == core.FieldTypePassword {
			continue
		}
		out = append(out, name)
	}
	return out
}

// Merge merges req.Other into req.Survivor inside tx (which must be a
// transaction). req.Fields say, field by field, whose value the survivor
// keeps; a field not named keeps the survivor's value, or the other's when
// the survivor's is empty. req.MayDelete rules on each clashing row to
// delete; a refusal fails the whole merge with a *NeedsManagerError, so the
// transaction must be rolled back.
func Merge(tx core.App, req Request) (*Result, error) {
	collection, err := tx.FindCachedCollectionByNameOrId(req.Kind)
	if err != nil {
		return nil, err
	}
	survivor, err := tx.FindRecordById(collection, req.Survivor)
	if err != nil {
		return nil, err
	}
	other, err := tx.FindRecordById(collection, req.Other)
	if err != nil {
		return nil, err
	}
	m := newMover(tx, req.MayDelete)
	if m.snap.Other, err = rawRow(tx, collection.Name, other.Id); err != nil {
		return nil, err
	}
	if m.snap.SurvivorBefore, err = rawRow(tx, collection.Name, survivor.Id); err != nil {
		return nil, err
	}
	if err := m.absorb(collection, survivor.Id, other.Id); err != nil {
		return nil, err
	}
	if len(m.refused) > 0 {
		return nil, &NeedsManagerError{What: m.refused}
	}
	if err := m.takeValues(collection, survivor, other, req); err != nil {
		return nil, err
	}
	if err := m.settleRoles(collection, survivor, other); err != nil {
		return nil, err
	}
	if err := writeMerged(tx, collection, survivor, other, req.By); err != nil {
		return nil, err
	}
	fresh, err := tx.FindRecordById(collection, other.Id)
	if err != nil {
		return nil, err
	}
	timeline.SetActor(fresh, req.By)
	if err := tx.Delete(fresh); err != nil {
		return nil, err
	}
	rec, err := saveMerge(tx, collection, survivor, other, m.snap, req.ByStaff)
	if err != nil {
		return nil, err
	}
	notes := m.snap.Notes
	if notes == nil {
		notes = []string{}
	}
	return &Result{Merge: rec.Id, Survivor: survivor, Moved: m.snap.Moved, Notes: notes, Expires: rec.GetDateTime("expires").String()}, nil
}

// takeValues gives the survivor the values chosen, saves it, and keeps in
// the snapshot the columns the merge changed, as before and as written.
func (m *mover) takeValues(collection *core.Collection, survivor, other *core.Record, req Request) error {
	for _, field := range MergeableFields(collection) {
		choice, named := req.Fields[field]
		if !named {
			choice = SurvivorChoice
			if isEmpty(survivor.Get(field)) && !isEmpty(other.Get(field)) {
				choice = OtherChoice
			}
		}
		if choice == OtherChoice {
			survivor.Set(field, other.Get(field))
		}
	}
	timeline.SetActor(survivor, req.By)
	if err := m.tx.Save(survivor); err != nil {
		return err
	}
	after, err := rawRow(m.tx, collection.Name, survivor.Id)
	if err != nil {
		return err
	}
	m.snap.SurvivorAfter = map[string]any{}
	for col, v := range after {
		if fmt.Sprint(v) != fmt.Sprint(m.snap.SurvivorBefore[col]) {
			m.snap.Changed = append(m.snap.Changed, col)
			m.snap.SurvivorAfter[col] = v
		}
	}
	slices.Sort(m.snap.Changed)
	return nil
}

// writeMerged puts the merge on the survivor's timeline.
func writeMerged(tx core.App, collection *core.Collection, survivor, other *core.Record, by timeline.Actor) error {
	if collection.Name == crm.Contacts {
		return timeline.Merged(tx, survivor, other, by)
	}
	// Worded by each reader's screen from the names (timeline.*.js).
	_, err := timeline.Write(tx, timeline.Entry{
		Event:   CompanyMerged,
		Subject: other.GetString("name"),
		Data: map[string]any{"merged": other.GetString("name"), "kept": survivor.GetString("name"),
			"merged_id": other.Id, "merged_domain": other.GetString("domain")},
		Actor: by, Company: survivor.Id, RefCollection: crm.Companies, RefID: other.Id,
	})
	return err
}

// saveMerge writes the merges row the undo reads.
func saveMerge(tx core.App, collection *core.Collection, survivor, other *core.Record, snap *Snapshot, staffID string) (*core.Record, error) {
	merges, err := tx.FindCachedCollectionByNameOrId(crm.Merges)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(merges)
	rec.Load(map[string]any{
		"kind": collection.Name, "survivor": survivor.Id, "other_id": other.Id,
		"survivor_name": crm.Truncate(survivor.GetString("name"), maxNameLength),
		"other_name":    crm.Truncate(other.GetString("name"), maxNameLength),
		"snapshot":      snap, "summary": map[string]any{"moved": snap.Moved, "notes": snap.Notes},
		"staff": staffID, "expires": time.Now().UTC().Add(UndoWindow),
	})
	if err := tx.Save(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case types.JSONRaw:
		s := strings.TrimSpace(string(x))
		return s == "" || s == "null" || s == "[]" || s == "{}" || s == `""`
	case types.DateTime:
		return x.IsZero()
	case float64:
		return x == 0
	case int:
		return x == 0
	case bool:
		return !x
	}
	return false
}
