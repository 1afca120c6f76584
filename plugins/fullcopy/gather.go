package fullcopy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Section is one part of the copy: its rows become <Name>.json and
// <Name>.csv.
type Section struct {
	Name       string
	Collection string // "" for a section the copy works out (segments, company, custom fields)
	Columns    []string
	Rows       []map[string]any
	Withheld   map[string]string // field → reason
	Unreviewed bool              // the collection has no policy yet (Unreviewed)
	Files      []Attachment
}

// Attachment is a file uploaded to a record of the copy.
type Attachment struct {
	Record *core.Record
	Name   string
	Path   string // inside the ZIP
}

// WithheldRecords counts records left out of a section, and why.
type WithheldRecords struct {
	Section string
	Count   int
	Reason  string
}

// Copy is everything held about one person.
type Copy struct {
	Contact  *core.Record
	Accounts []*core.Record // their portal accounts
	Lang     string
	At       time.Time
	Sections []*Section
	Left     []WithheldRecords
}

// Section returns the section named name, or nil.
func (c *Copy) Section(name string) *Section {
	for _, s := range c.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// ErrNoContact is a copy asked for a contact that is not there.
var ErrNoContact = errors.New("no such contact")

// Options tune a copy.
type Options struct {
	Lang          string // the README's language: en or pt-BR
	WithholdNotes bool   // leave out a request's internal notes (the business's setting)
	Now           time.Time
}

// Gather reads everything held about contact id. It walks the live schema:
// every collection with a relation to contacts or to customers gives the
// rows that point at this person (or at their portal accounts).
func Gather(app core.App, id string, o Options) (*Copy, error) {
	contact, err := app.FindRecordById(crm.Contacts, id)
	if err != nil {
		return nil, ErrNoContact
	}
	var accounts []*core.Record
	if err := app.RecordQuery(crm.Customers).AndWhere(dbx.HashExp{crm.FieldContact: id}).OrderBy("created").All(&accounts); err != nil {
		return nil, err
	}
	cp := &Copy{Contact: contact, Accounts: accounts, Lang: o.Lang, At: o.Now}
	g := &gatherer{app: app, cp: cp, names: map[string]string{}, ids: map[string][]string{}, opt: o}
	g.person = map[string]bool{id: true}
	for _, a := range accounts {
		g.person[a.Id] = true
	}
	if err := g.walk(); err != nil {
		return nil, err
	}
	if err := g.computed(); err != nil {
		return nil, err
	}
	sort.SliceStable(cp.Sections, func(i, j int) bool { return sectionRank(cp.Sections[i].Name) < sectionRank(cp.Sections[j].Name) })
	return cp, nil
}

type gatherer struct {
	app    core.App
	cp     *Copy
	opt    Options
	person map[string]bool     // the contact's id and their accounts' ids
	names  map[string]string   // "collection/id" → what it is called
	ids    map[string][]string // collection → ids of its rows in the copy
}

// walk gathers, for each collection pointing at the person, its rows.
func (g *gatherer) walk() error {
	refs, err := references(g.app)
	if err != nil {
		return err
	}
	fields := map[string][]crm.Ref{}
	var order []string
	for _, r := range refs {
		if r.Collection == crm.Contacts {
			continue // another contact pointing at this one is another person; the contact itself is added below
		}
		if _, ok := fields[r.Collection]; !ok {
			order = append(order, r.Collection)
		}
		fields[r.Collection] = append(fields[r.Collection], r)
	}
	// Collections gathered through others (Via) come after those.
	sort.SliceStable(order, func(i, j int) bool { return len(Policies[order[i]].Via) < len(Policies[order[j]].Via) })
	if err := g.collection(crm.Contacts, []dbx.Expression{dbx.HashExp{"id": g.cp.Contact.Id}}); err != nil {
		return err
	}
	for _, name := range order {
		var where []dbx.Expression
		for _, r := range fields[name] {
			where = append(where, g.pointsAt(name, r.Field))
		}
		for _, v := range Policies[name].Via {
			if ids := g.ids[v.From]; len(ids) > 0 {
				where = append(where, dbx.In(v.Field, anys(ids)...))
			}
		}
		if err := g.collection(name, where); err != nil {
			return err
		}
	}
	return nil
}

// pointsAt is the condition "field of collection points at the person".
func (g *gatherer) pointsAt(collection, field string) dbx.Expression {
	ids := make([]any, 0, len(g.person))
	for id := range g.person {
		ids = append(ids, id)
	}
	c, err := g.app.FindCachedCollectionByNameOrId(collection)
	if err == nil {
		if rel, ok := c.Fields.GetByName(field).(*core.RelationField); ok && rel.IsMultiple() {
			params := dbx.Params{}
			var marks []string
			for i, id := range ids {
				key := fmt.Sprintf("fcm%d", i)
				params[key], marks = id, append(marks, "{:"+key+"}")
			}
			return dbx.NewExp("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid([["+field+"]]) THEN [["+field+"]] ELSE '[]' END) WHERE value IN ("+strings.Join(marks, ",")+"))", params)
		}
	}
	return dbx.In(field, ids...)
}

// collection reads the rows of name matching any of where and adds its
// section.
func (g *gatherer) collection(name string, where []dbx.Expression) error {
	c, err := g.app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return err
	}
	p, known := Policies[name]
	if !known {
		p = Unreviewed(c)
	}
	order := p.Order
	if order == "" {
		order = "created"
	}
	var rows []*core.Record
	if len(where) > 0 {
		q := g.app.RecordQuery(c).AndWhere(dbx.Or(where...))
		if c.Fields.GetByName(order) != nil {
			q = q.OrderBy("[[" + order + "]] ASC")
		}
		if err := q.All(&rows); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	s := &Section{Name: p.Section, Collection: name, Withheld: p.Withheld, Unreviewed: !known}
	if s.Withheld == nil {
		s.Withheld = map[string]string{}
	}
	s.Columns = g.columns(c, s.Withheld)
	left, others := 0, 0
	aboutSomeone := c.Fields.GetByName(crm.FieldContact) != nil && name != crm.Contacts
	for _, r := range rows {
		if name == crm.CaseMessages && r.GetBool("internal") && g.opt.WithholdNotes {
			left++
			continue
		}
		if other := r.GetString(crm.FieldContact); aboutSomeone && other != "" && !g.person[other] {
			// Found through the person's account (placed_by, accepted_by,
			// customer) but about another contact: theirs, not the person's.
			others++
			continue
		}
		row, err := g.row(r, s)
		if err != nil {
			return err
		}
		s.Rows = append(s.Rows, row)
		g.ids[name] = append(g.ids[name], r.Id)
	}
	if left > 0 {
		g.cp.Left = append(g.cp.Left, WithheldRecords{Section: s.Name, Count: left, Reason: ReasonWorkingNotes})
	}
	if others > 0 {
		g.cp.Left = append(g.cp.Left, WithheldRecords{Section: s.Name, Count: others, Reason: ReasonOthersRecord})
	}
	if name == crm.ExportMembers {
		if err := g.exports(s); err != nil {
			return err
		}
	}
	g.cp.Sections = append(g.cp.Sections, s)
	return nil
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
