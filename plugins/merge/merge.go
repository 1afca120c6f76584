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
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
	"github.com/pocketbase/pocketbase/tools/hook"
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
)

// Register adds the routes.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.merge.routes", Func: func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/merge", handleMerge)
		se.Router.POST("/api/crm/merges/{id}/undo", handleUndo)
		return se.Next()
	}})
	return nil
}

// Request is the body of POST /api/crm/merge.
type Request struct {
	Kind     string            `json:"kind"`
	Survivor string            `json:"survivor"`
	Other    string            `json:"other"`
	Fields   map[string]string `json:"fields"` // field -> "survivor" | "other"
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

func fieldError(field, code, msg string) validation.Errors {
	return validation.Errors{field: validation.NewError(code, msg)}
}

// writer: managers and agents (and superusers) merge; readonly staff and
// customers do not.
func writer(e *core.RequestEvent, what string) error {
	if e.Auth == nil {
		return e.UnauthorizedError("Sign in as staff to "+what+".", nil)
	}
	if e.HasSuperuserAuth() {
		return nil
	}
	if e.Auth.Collection().Name != crm.Staff {
		return e.ForbiddenError("Only staff can "+what+".", nil)
	}
	if role := e.Auth.GetString(crm.FieldRole); role != crm.RoleManager && role != crm.RoleAgent {
		return e.ForbiddenError("Your role cannot "+what+".", nil)
	}
	return nil
}

func isManager(e *core.RequestEvent) bool {
	return e.HasSuperuserAuth() || e.Auth.GetString(crm.FieldRole) == crm.RoleManager
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

func handleMerge(e *core.RequestEvent) error {
	if err := writer(e, "merge records"); err != nil {
		return err
	}
	var req Request
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The body must be JSON: {kind, survivor, other, fields}.", nil)
	}
	if req.Kind != crm.Contacts && req.Kind != crm.Companies {
		return e.BadRequestError("Choose what to merge.", fieldError("kind", "validation_invalid_kind", "Use contacts or companies."))
	}
	if req.Survivor == "" {
		return e.BadRequestError("Choose the record to keep.", fieldError("survivor", "validation_required", "Choose the record to keep."))
	}
	if req.Other == "" {
		return e.BadRequestError("Choose the record to merge into it.", fieldError("other", "validation_required", "Choose the record to merge into the one kept."))
	}
	if req.Other == req.Survivor {
		return e.BadRequestError("A record cannot be merged into itself.", fieldError("other", "validation_same", "Choose a different record."))
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(req.Kind)
	if err != nil {
		return e.InternalServerError("", err)
	}
	mergeable := MergeableFields(collection)
	for field, choice := range req.Fields {
		if !slices.Contains(mergeable, field) {
			return e.BadRequestError("Unknown field.", fieldError("fields", "validation_unknown_field", fmt.Sprintf("%s is not a field of %s that can be merged.", field, req.Kind)))
		}
		if choice != SurvivorChoice && choice != OtherChoice {
			return e.BadRequestError("Invalid choice.", fieldError("fields", "validation_invalid_choice", fmt.Sprintf("For %s, choose survivor or other.", field)))
		}
	}
	if _, err := e.App.FindRecordById(collection, req.Survivor); err != nil {
		return e.NotFoundError("The record to keep was not found.", fieldError("survivor", "validation_not_found", "Not found."))
	}
	other, err := e.App.FindRecordById(collection, req.Other)
	if err != nil {
		return e.NotFoundError("The record to merge was not found.", fieldError("other", "validation_not_found", "Not found."))
	}
	// The other record is deleted: the same rule as deleting it (agents
	// only their own).
	if !isManager(e) && other.GetString(crm.FieldOwner) != e.Auth.Id {
		return e.ForbiddenError("Agents can merge away only records they own.", nil)
	}

	// Clashing rows are deleted as the record API would: an agent may not
	// close a portal account (managers only) nor delete a consent (nobody).
	var mayDelete DeletePolicy
	if !isManager(e) {
		info, err := e.RequestInfo()
		if err != nil {
			return e.BadRequestError("", err)
		}
		mayDelete = func(tx core.App, rec *core.Record) (bool, error) {
			return tx.CanAccessRecord(rec, info, rec.Collection().DeleteRule)
		}
	}

	actor := timeline.FromRequest(e)
	staffID := ""
	if !e.HasSuperuserAuth() {
		staffID = e.Auth.Id
	}
	var result *Result
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		result, err = Merge(tx, collection, req.Survivor, req.Other, req.Fields, actor, staffID, mayDelete)
		return err
	})
	if err != nil {
		var ve validation.Errors
		if errors.As(err, &ve) {
			return e.BadRequestError("The merged values are not valid.", ve)
		}
		var nm *NeedsManagerError
		if errors.As(err, &nm) {
			return e.ForbiddenError(nm.Error(), fieldError("other", "validation_needs_manager", nm.Error()))
		}
		return e.InternalServerError("The merge failed; nothing was changed.", err)
	}
	return e.JSON(http.StatusOK, result)
}

// Merge merges other into survivor inside tx (which must be a transaction).
// choices say, field by field, whose value the survivor keeps; a field not
// named keeps the survivor's value, or the other's when the survivor's is empty.
// mayDelete rules on each clashing row to delete; a refusal fails the whole
// merge with a *NeedsManagerError, so the transaction must be rolled back.
func Merge(tx core.App, collection *core.Collection, survivorID, otherID string, choices map[string]string, actor timeline.Actor, staffID string, mayDelete DeletePolicy) (*Result, error) {
	survivor, err := tx.FindRecordById(collection, survivorID)
	if err != nil {
		return nil, err
	}
	other, err := tx.FindRecordById(collection, otherID)
	if err != nil {
		return nil, err
	}
	m := &mover{tx: tx, snap: &Snapshot{Moved: map[string]map[string]int{}}, mayDelete: mayDelete}
	if m.snap.Other, err = rawRow(tx, collection.Name, otherID); err != nil {
		return nil, err
	}
	if m.snap.SurvivorBefore, err = rawRow(tx, collection.Name, survivorID); err != nil {
		return nil, err
	}
	if err := m.absorb(collection, survivorID, otherID); err != nil {
		return nil, err
	}
	if len(m.refused) > 0 {
		return nil, &NeedsManagerError{What: m.refused}
	}

	for _, field := range MergeableFields(collection) {
		choice, named := choices[field]
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
	timeline.SetActor(survivor, actor)
	if err := tx.Save(survivor); err != nil {
		return nil, err
	}
	after, err := rawRow(tx, collection.Name, survivorID)
	if err != nil {
		return nil, err
	}
	m.snap.SurvivorAfter = map[string]any{}
	for col, v := range after {
		if fmt.Sprint(v) != fmt.Sprint(m.snap.SurvivorBefore[col]) {
			m.snap.Changed = append(m.snap.Changed, col)
			m.snap.SurvivorAfter[col] = v
		}
	}
	slices.Sort(m.snap.Changed)
	if err := m.settleRoles(collection, survivor, other); err != nil {
		return nil, err
	}

	if collection.Name == crm.Contacts {
		err = timeline.Merged(tx, survivor, other, actor)
	} else {
		_, err = timeline.Write(tx, timeline.Entry{
			Event:   CompanyMerged,
			Subject: fmt.Sprintf("Company merged: %s into %s", other.GetString("name"), survivor.GetString("name")),
			Body:    fmt.Sprintf("%s (%s) was merged into this company.", other.GetString("name"), other.Id),
			Actor:   actor, Company: survivor.Id, RefCollection: crm.Companies, RefID: other.Id,
		})
	}
	if err != nil {
		return nil, err
	}
	fresh, err := tx.FindRecordById(collection, otherID)
	if err != nil {
		return nil, err
	}
	timeline.SetActor(fresh, actor)
	if err := tx.Delete(fresh); err != nil {
		return nil, err
	}

	merges, err := tx.FindCachedCollectionByNameOrId(crm.Merges)
	if err != nil {
		return nil, err
	}
	expires := time.Now().UTC().Add(UndoWindow)
	rec := core.NewRecord(merges)
	rec.Load(map[string]any{
		"kind": collection.Name, "survivor": survivorID, "other_id": otherID,
		"survivor_name": clip(survivor.GetString("name")), "other_name": clip(other.GetString("name")),
		"snapshot": m.snap, "summary": map[string]any{"moved": m.snap.Moved, "notes": m.snap.Notes},
		"staff": staffID, "expires": expires,
	})
	if err := tx.Save(rec); err != nil {
		return nil, err
	}
	notes := m.snap.Notes
	if notes == nil {
		notes = []string{}
	}
	return &Result{Merge: rec.Id, Survivor: survivor, Moved: m.snap.Moved, Notes: notes, Expires: rec.GetDateTime("expires").String()}, nil
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 200 {
		return string(r[:200])
	}
	return s
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

// mover moves references and records what it did.
type mover struct {
	tx        core.App
	snap      *Snapshot
	moved     int
	mayDelete DeletePolicy
	refused   []string // what the requester may not delete, for people
}

// reference is a relation field of one collection pointing at another.
type reference struct {
	collection *core.Collection
	field      *core.RelationField
}

func (m *mover) referencesTo(target *core.Collection) ([]reference, error) {
	all, err := m.tx.FindAllCollections(core.CollectionTypeBase, core.CollectionTypeAuth)
	if err != nil {
		return nil, err
	}
	var out []reference
	for _, c := range all {
		if c.Name == crm.Merges {
			continue
		}
		for _, f := range c.Fields {
			if rf, ok := f.(*core.RelationField); ok && rf.CollectionId == target.Id {
				out = append(out, reference{c, rf})
			}
		}
	}
	return out, nil
}

// absorb moves every reference to dropID (a record of target) onto keepID.
func (m *mover) absorb(target *core.Collection, keepID, dropID string) error {
	refs, err := m.referencesTo(target)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		c, field := ref.collection, ref.field.Name
		if ref.field.IsMultiple() {
			if err := m.moveInArrays(c, field, keepID, dropID); err != nil {
				return err
			}
			continue
		}
		if err := m.resolveClashes(c, field, keepID, dropID); err != nil {
			return err
		}
		var ids []string
		if err := m.tx.DB().Select("id").From(c.Name).Where(dbx.HashExp{field: dropID}).OrderBy("id").Column(&ids); err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		m.moved += len(ids)
		if m.moved > maxMovedPerMerge {
			return fmt.Errorf("more than %d records would move", maxMovedPerMerge)
		}
		if _, err := m.tx.DB().Update(c.Name, dbx.Params{field: keepID}, dbx.HashExp{field: dropID}).Execute(); err != nil {
			return err
		}
		m.record(Move{Collection: c.Name, Field: field, From: dropID, To: keepID, Ids: ids})
	}
	return nil
}

func (m *mover) record(mv Move) {
	m.snap.Moves = append(m.snap.Moves, mv)
	if m.snap.Moved[mv.Collection] == nil {
		m.snap.Moved[mv.Collection] = map[string]int{}
	}
	m.snap.Moved[mv.Collection][mv.Field] += len(mv.Ids)
}

// moveInArrays puts keepID in place of dropID in the multi relation field
// of c (a JSON array of ids), keeping one keepID where a row had both.
func (m *mover) moveInArrays(c *core.Collection, field, keepID, dropID string) error {
	var rows []struct {
		ID    string `db:"id"`
		Value string `db:"v"`
	}
	q := fmt.Sprintf("SELECT [[id]], [[%[2]s]] AS v FROM {{%[1]s}} WHERE json_valid([[%[2]s]]) AND EXISTS (SELECT 1 FROM json_each([[%[2]s]]) WHERE json_each.value = {:drop}) ORDER BY [[id]]", c.Name, field)
	if err := m.tx.DB().NewQuery(q).Bind(dbx.Params{"drop": dropID}).All(&rows); err != nil {
		return err
	}
	mv := Move{Collection: c.Name, Field: field, From: dropID, To: keepID, Multi: true, Before: map[string]string{}, After: map[string]string{}}
	for _, row := range rows {
		var ids []string
		if json.Unmarshal([]byte(row.Value), &ids) != nil {
			continue // not an array of ids: nothing of ours to move
		}
		next := replaceID(ids, dropID, keepID)
		raw, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if _, err := m.tx.DB().Update(c.Name, dbx.Params{field: string(raw)}, dbx.HashExp{"id": row.ID}).Execute(); err != nil {
			return err
		}
		mv.Ids = append(mv.Ids, row.ID)
		mv.Before[row.ID], mv.After[row.ID] = row.Value, string(raw)
	}
	if len(mv.Ids) == 0 {
		return nil
	}
	m.moved += len(mv.Ids)
	if m.moved > maxMovedPerMerge {
		return fmt.Errorf("more than %d records would move", maxMovedPerMerge)
	}
	m.record(mv)
	return nil
}

// replaceID returns ids with from replaced by to, each id once, in order.
func replaceID(ids []string, from, to string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == from {
			id = to
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// resolveClashes finds the rows of c pointing at dropID that a unique index
// over field would refuse once they point at keepID, and keeps one of each
// pair: the survivor's portal account, otherwise the most recently updated.
func (m *mover) resolveClashes(c *core.Collection, field, keepID, dropID string) error {
	for _, raw := range c.Indexes {
		idx := dbutils.ParseIndex(raw)
		if !idx.Unique || idx.Where != "" {
			continue
		}
		var cols []string
		has := false
		for _, col := range idx.Columns {
			name := strings.Trim(col.Name, "`[]\"")
			if name == field {
				has = true
			} else {
				cols = append(cols, name)
			}
		}
		if !has {
			continue
		}
		// Pairs (kept candidate, dropped candidate) equal on the other columns.
		on := []string{"k.`" + field + "` = {:keep}", "d.`" + field + "` = {:drop}"}
		for _, col := range cols {
			on = append(on, "k.`"+col+"` IS d.`"+col+"`")
		}
		var pairs []struct {
			K  string `db:"k"`
			D  string `db:"d"`
			KU string `db:"ku"`
			DU string `db:"du"`
		}
		ku, du := "''", "''"
		if c.Fields.GetByName("updated") != nil {
			ku, du = "k.`updated`", "d.`updated`"
		}
		q := fmt.Sprintf("SELECT k.id AS k, d.id AS d, %s AS ku, %s AS du FROM `%s` k JOIN `%s` d ON %s",
			ku, du, c.Name, c.Name, strings.Join(on, " AND "))
		if err := m.tx.DB().NewQuery(q).Bind(dbx.Params{"keep": keepID, "drop": dropID}).All(&pairs); err != nil {
			return err
		}
		for _, p := range pairs {
			keep, drop := p.K, p.D
			if c.Name != crm.Customers && p.DU > p.KU {
				keep, drop = p.D, p.K // the other's is the more recent decision
			}
			if c.Name == crm.Customers {
				m.snap.Notes = append(m.snap.Notes, "Both had a portal account: the kept record's account stays, the other account was closed and its history moved to it.")
			} else {
				m.snap.Notes = append(m.snap.Notes, fmt.Sprintf("Both had a record in %s for the same %s: the most recent was kept.", c.Name, strings.Join(cols, ", ")))
			}
			if err := m.absorb(c, keep, drop); err != nil {
				return err
			}
			row, err := rawRow(m.tx, c.Name, drop)
			if err != nil {
				return err
			}
			rec, err := m.tx.FindRecordById(c, drop)
			if err != nil {
				return err
			}
			if m.mayDelete != nil {
				ok, err := m.mayDelete(m.tx, rec)
				if err != nil {
					return err
				}
				if !ok {
					// Go on, so the refusal names everything needing a manager;
					// the caller fails the merge and nothing is kept.
					if what := deletionName(c.Name); !slices.Contains(m.refused, what) {
						m.refused = append(m.refused, what)
					}
				}
			}
			if err := m.tx.Delete(rec); err != nil {
				return err
			}
			m.snap.Deleted = append(m.snap.Deleted, Deleted{Collection: c.Name, Row: row, KeptID: keep})
		}
	}
	return nil
}

func deletionName(collection string) string {
	switch collection {
	case crm.Customers:
		return "close a portal account (customers)"
	case crm.Consents:
		return "delete a consent record (consents)"
	}
	return "delete a record of " + collection
}

// settleRoles runs once the survivor has its merged values. In a contact
// merge, a portal account of the survivor (moved from the other or its own)
// whose company changes stops being an admin: the admin role was given for
// one company and would otherwise open another company's shared records.
// In a company merge the admins of the other company keep their role: both
// records were one business, so they administer the same company as before;
// the notes name them so that staff can check.
func (m *mover) settleRoles(collection *core.Collection, survivor, other *core.Record) error {
	if collection.Name == crm.Companies {
		var contacts []any
		for _, mv := range m.snap.Moves {
			if mv.Collection == crm.Contacts && mv.Field == crm.FieldCompany && !mv.Multi {
				for _, id := range mv.Ids {
					contacts = append(contacts, id)
				}
			}
		}
		if len(contacts) == 0 {
			return nil
		}
		admins, err := m.tx.FindAllRecords(crm.Customers, dbx.In(crm.FieldContact, contacts...), dbx.HashExp{crm.FieldCompanyRole: crm.CompanyAdmin})
		if err != nil || len(admins) == 0 {
			return err
		}
		var names []string
		for _, a := range admins {
			names = append(names, a.GetString(crm.FieldEmail))
		}
		slices.Sort(names)
		m.snap.Notes = append(m.snap.Notes, fmt.Sprintf("Portal admins of %s are now admins of %s (the same business): %s.",
			other.GetString("name"), survivor.GetString("name"), strings.Join(names, ", ")))
		return nil
	}
	if collection.Name != crm.Contacts {
		return nil
	}
	final := survivor.GetString(crm.FieldCompany)
	movedFrom := map[string]bool{} // accounts moved from the other contact
	for _, mv := range m.snap.Moves {
		if mv.Collection == crm.Customers && mv.Field == crm.FieldContact && mv.From == other.Id && !mv.Multi {
			for _, id := range mv.Ids {
				movedFrom[id] = true
			}
		}
	}
	accounts, err := m.tx.FindAllRecords(crm.Customers, dbx.HashExp{crm.FieldContact: survivor.Id})
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.GetString(crm.FieldCompanyRole) != crm.CompanyAdmin {
			continue
		}
		before, _ := m.snap.SurvivorBefore[crm.FieldCompany].(string)
		if movedFrom[a.Id] {
			before = other.GetString(crm.FieldCompany)
		}
		if before == final {
			continue
		}
		if _, err := m.tx.DB().Update(crm.Customers, dbx.Params{crm.FieldCompanyRole: crm.CompanyMember}, dbx.HashExp{"id": a.Id}).Execute(); err != nil {
			return err
		}
		m.snap.Roles = append(m.snap.Roles, RoleChange{Customer: a.Id, From: crm.CompanyAdmin, To: crm.CompanyMember})
		m.snap.Notes = append(m.snap.Notes, fmt.Sprintf("The portal account %s was an admin of %s; it now belongs to %s and was made a member; staff can make it an admin again if that is right.",
			a.GetString(crm.FieldEmail), m.companyName(before), m.companyName(final)))
	}
	return nil
}

func (m *mover) companyName(id string) string {
	if id == "" {
		return "no company"
	}
	var name string
	if err := m.tx.DB().Select("name").From(crm.Companies).Where(dbx.HashExp{"id": id}).Row(&name); err != nil || name == "" {
		return "company " + id
	}
	return name
}

// rawRow reads a row as SQLite holds it, so that the undo writes back the
// very same values.
func rawRow(app core.App, table, id string) (map[string]any, error) {
	rows, err := app.DB().NewQuery("SELECT * FROM `" + table + "` WHERE id = {:id}").Bind(dbx.Params{"id": id}).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s/%s: not found", table, id)
	}
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(cols))
	for i, col := range cols {
		if b, ok := values[i].([]byte); ok {
			values[i] = string(b)
		}
		out[col] = values[i]
	}
	return out, nil
}
