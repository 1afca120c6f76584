package merge

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"

	"vinculo/crm"
)

// mover moves every record that points at the merged-away record onto the
// one kept, and records what it did in the snapshot the undo reads.
type mover struct {
	tx        core.App
	snap      *Snapshot
	moved     int
	mayDelete DeletePolicy
	refused   []string // what the requester may not delete, for people
}

func newMover(tx core.App, mayDelete DeletePolicy) *mover {
	return &mover{tx: tx, snap: &Snapshot{Moved: map[string]map[string]int{}}, mayDelete: mayDelete}
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
		cols, has := otherColumns(idx, field)
		if !has {
			continue
		}
		pairs, err := m.clashes(c, field, cols, keepID, dropID)
		if err != nil {
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
			if err := m.dropClash(c, keep, drop); err != nil {
				return err
			}
		}
	}
	return nil
}

// otherColumns are the columns of idx besides field; has tells whether
// field is one of its columns.
func otherColumns(idx dbutils.Index, field string) (cols []string, has bool) {
	for _, col := range idx.Columns {
		name := strings.Trim(col.Name, "`[]\"")
		if name == field {
			has = true
		} else {
			cols = append(cols, name)
		}
	}
	return cols, has
}

// clash is a pair of rows (kept candidate K, dropped candidate D) equal on
// the index's other columns, with their `updated` times.
type clash struct {
	K  string `db:"k"`
	D  string `db:"d"`
	KU string `db:"ku"`
	DU string `db:"du"`
}

func (m *mover) clashes(c *core.Collection, field string, cols []string, keepID, dropID string) ([]clash, error) {
	on := []string{"k.`" + field + "` = {:keep}", "d.`" + field + "` = {:drop}"}
	for _, col := range cols {
		on = append(on, "k.`"+col+"` IS d.`"+col+"`")
	}
	ku, du := "''", "''"
	if c.Fields.GetByName("updated") != nil {
		ku, du = "k.`updated`", "d.`updated`"
	}
	q := fmt.Sprintf("SELECT k.id AS k, d.id AS d, %s AS ku, %s AS du FROM `%s` k JOIN `%s` d ON %s",
		ku, du, c.Name, c.Name, strings.Join(on, " AND "))
	var pairs []clash
	err := m.tx.DB().NewQuery(q).Bind(dbx.Params{"keep": keepID, "drop": dropID}).All(&pairs)
	return pairs, err
}

// dropClash moves what points at drop onto keep, then deletes drop (a row
// of c), keeping its row for the undo. A deletion the requester may not
// make is noted in refused.
func (m *mover) dropClash(c *core.Collection, keep, drop string) error {
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
	switch collection.Name {
	case crm.Companies:
		return m.noteCompanyAdmins(survivor, other)
	case crm.Contacts:
		return m.demoteMovedAdmins(survivor, other)
	}
	return nil
}

// noteCompanyAdmins names, in the notes, the portal admins among the
// contacts the company merge moved.
func (m *mover) noteCompanyAdmins(survivor, other *core.Record) error {
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

// demoteMovedAdmins makes members of the survivor's admin accounts whose
// company the contact merge changed.
func (m *mover) demoteMovedAdmins(survivor, other *core.Record) error {
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
