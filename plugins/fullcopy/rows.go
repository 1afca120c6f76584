package fullcopy

import (
	"context"
	"encoding/json"
	"path"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
)

// NameSuffix ends the column that says what a linked record is called
// (owner → owner_name: the team member's name).
const NameSuffix = "_name"

// labelFields are, in order, the fields that name a record of a collection.
var labelFields = []string{"name", "title", "reference", "number", "label", "email"}

// people are the collections whose records are persons: a link to one
// that is not this person is left empty.
var people = map[string]bool{crm.Contacts: true, crm.Customers: true}

// columns are c's fields in schema order, less the withheld ones, each
// relation followed by the name of what it links to.
func (g *gatherer) columns(c *core.Collection, withheld map[string]string) []string {
	var out []string
	for _, f := range c.Fields {
		name := f.GetName()
		if _, no := withheld[name]; no {
			continue
		}
		out = append(out, name)
		if rel, ok := f.(*core.RelationField); ok {
			if target, err := g.app.FindCachedCollectionByNameOrId(rel.CollectionId); err == nil && !people[target.Name] && labelOf(target) != "" {
				out = append(out, name+NameSuffix)
			}
		}
	}
	return out
}

func labelOf(c *core.Collection) string {
	for _, l := range labelFields {
		if c.Fields.GetByName(l) != nil {
			return l
		}
	}
	return ""
}

// row is r's value for each column of s; links to other people are left
// empty, files point at their place in the ZIP.
func (g *gatherer) row(r *core.Record, s *Section) (map[string]any, error) {
	out := make(map[string]any, len(s.Columns))
	for _, f := range r.Collection().Fields {
		name := f.GetName()
		if _, no := s.Withheld[name]; no {
			continue
		}
		switch field := f.(type) {
		case *core.RelationField:
			target, err := g.app.FindCachedCollectionByNameOrId(field.CollectionId)
			if err != nil {
				return nil, err
			}
			ids := r.GetStringSlice(name)
			if people[target.Name] {
				ids = g.onlyThePerson(ids)
			}
			var names []string
			for _, id := range ids {
				names = append(names, g.nameOf(target, id))
			}
			out[name] = oneOrMany(ids, field.IsMultiple())
			if !people[target.Name] && labelOf(target) != "" {
				out[name+NameSuffix] = oneOrMany(names, field.IsMultiple())
			}
		case *core.FileField:
			var paths []string
			for _, file := range r.GetStringSlice(name) {
				p := path.Join("files", s.Name, r.Id, file)
				s.Files = append(s.Files, Attachment{Record: r, Name: file, Path: p})
				paths = append(paths, p)
			}
			out[name] = oneOrMany(paths, field.IsMultiple())
		default:
			out[name] = r.Get(name)
		}
	}
	return out, nil
}

func (g *gatherer) onlyThePerson(ids []string) []string {
	var out []string
	for _, id := range ids {
		if g.person[id] {
			out = append(out, id)
		}
	}
	return out
}

func oneOrMany(list []string, many bool) any {
	if many {
		if list == nil {
			return []string{}
		}
		return list
	}
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// nameOf is what the record id of c is called ("" when gone).
func (g *gatherer) nameOf(c *core.Collection, id string) string {
	key := c.Name + "/" + id
	if n, ok := g.names[key]; ok {
		return n
	}
	n := ""
	if l := labelOf(c); l != "" {
		var row struct {
			V string `db:"v"`
		}
		if err := g.app.DB().Select("[[" + l + "]] AS v").From(c.Name).Where(dbx.HashExp{"id": id}).One(&row); err == nil {
			n = row.V
		}
	}
	g.names[key] = n
	return n
}

// exports adds to each export that included the person when it was made,
// by whom and how many records it held (the audit row's filter stays out:
// it can name other customers).
func (g *gatherer) exports(s *Section) error {
	s.Columns = append(s.Columns, "at", "by", "role", "records")
	for _, row := range s.Rows {
		id, _ := row[crm.AuditExport].(string)
		ex, err := g.app.FindRecordById(crm.AuditLog, id)
		if err != nil {
			continue
		}
		row["at"], row["by"], row["role"], row["records"] = ex.GetDateTime(crm.AuditAt), ex.GetString(crm.AuditActorName),
			ex.GetString(crm.AuditActorRole), ex.GetInt(crm.AuditCount)
	}
	return nil
}

// computed adds the sections worked out rather than read: the company, the
// custom fields by their labels, the segments they are in now.
func (g *gatherer) computed() error {
	for _, f := range []func() (*Section, error){g.company, g.customFields, g.segments} {
		s, err := f()
		if err != nil {
			return err
		}
		g.cp.Sections = append(g.cp.Sections, s)
	}
	return nil
}

func (g *gatherer) company() (*Section, error) {
	s := &Section{Name: "company", Withheld: map[string]string{},
		Columns: []string{"id", "name", "domain", "industry", "phone", "address", "city", "country", "your_role"}}
	id := g.cp.Contact.GetString(crm.FieldCompany)
	if id == "" {
		return s, nil
	}
	co, err := g.app.FindRecordById(crm.Companies, id)
	if err != nil {
		return s, nil
	}
	row := map[string]any{}
	for _, c := range s.Columns[:8] {
		row[c] = co.Get(c)
	}
	row["your_role"] = ""
	if len(g.cp.Accounts) > 0 {
		row["your_role"] = g.cp.Accounts[0].GetString(crm.FieldCompanyRole)
	}
	s.Rows = append(s.Rows, row)
	return s, nil
}

// customFields words every custom field held about the person (on their
// contact, requests and deals) by its label in their language.
func (g *gatherer) customFields() (*Section, error) {
	s := &Section{Name: "custom_fields", Withheld: map[string]string{},
		Columns: []string{"collection", "record", "field", "label", "kind", "value"}}
	var defs []*core.Record
	if err := g.app.RecordQuery(crm.CustomFields).OrderBy("collection", "position").All(&defs); err != nil {
		return nil, err
	}
	for _, d := range defs {
		collection := d.GetString("collection")
		if collection == crm.Companies {
			continue // the company's, not the person's
		}
		label := d.GetString("label")
		var labels map[string]string
		if json.Unmarshal([]byte(d.GetString("labels")), &labels) == nil && labels[g.cp.Lang] != "" {
			label = labels[g.cp.Lang]
		}
		for _, sec := range g.cp.Sections {
			if sec.Collection != collection {
				continue
			}
			for _, row := range sec.Rows {
				v, ok := row[d.GetString("name")]
				if !ok || isEmpty(v) {
					continue
				}
				s.Rows = append(s.Rows, map[string]any{"collection": sec.Name, "record": row["id"], "field": d.GetString("name"),
					"label": label, "kind": d.GetString("kind"), "value": v})
			}
		}
	}
	return s, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	raw, _ := json.Marshal(v)
	s := string(raw)
	return s == `""` || s == "null" || s == "[]" || s == "{}"
}

// maxSegments bounds the segments checked for one person.
const maxSegments = 500

// segments are the segments the person is in now, with what each offers;
// a segment reading the value model leaves out who objected to profiling,
// as everywhere (segdef).
func (g *gatherer) segments() (*Section, error) {
	s := &Section{Name: "segments", Withheld: map[string]string{}, Columns: []string{"id", "name", "description", "proposition", "uses_profiling"}}
	segs, err := g.app.FindRecordsByFilter(crm.Segments, "", crm.SegmentName, maxSegments, 0)
	if err != nil {
		return nil, err
	}
	for _, seg := range segs {
		in, err := segdef.Contains(context.Background(), g.app, seg, g.cp.Contact.Id)
		if err != nil || !in {
			continue // a segment that no longer compiles holds no one
		}
		s.Rows = append(s.Rows, map[string]any{"id": seg.Id, "name": seg.GetString(crm.SegmentName), "description": seg.GetString("description"),
			"proposition": seg.GetString(crm.SegmentProposition), "uses_profiling": seg.GetBool(crm.SegmentUsesProfiling)})
	}
	return s, nil
}

// sectionOrder is the order of the README; sections not listed follow.
var sectionOrder = []string{"contact", "custom_fields", "portal_account", "company", "timeline", "requests", "request_messages",
	"emails", "messages_to_you", "consents", "web_form_signups", "orders", "cart", "subscriptions", "invoices", "payments", "quotes",
	"deals", "tasks", "scores", "segments", "suggestions", "surveys_sent", "survey_answers", "personal_choices", "restrictions", "erasure_requests", "access_log", "exports_including_you"}

func sectionRank(name string) int {
	for i, n := range sectionOrder {
		if n == name {
			return i
		}
	}
	return len(sectionOrder)
}
