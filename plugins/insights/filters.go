package insights

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/plugins/team"
)

// Where gathers the conditions of one figure's query, with their
// parameters, so that every figure filters alike: the period on a date
// column, the owner, the pipeline, the contacts of a segment, a request
// type and channel. Columns are given qualified ("d.owner"), as the
// figure's SQL names its tables.
type Where struct {
	conds  []string
	params dbx.Params
}

// NewWhere starts an empty set of conditions.
func NewWhere() *Where { return &Where{params: dbx.Params{}} }

// Param binds v and returns its placeholder.
func (w *Where) Param(v any) string {
	name := fmt.Sprintf("w%d", len(w.params))
	w.params[name] = v
	return "{:" + name + "}"
}

// Add adds a condition written with placeholders from Param.
func (w *Where) Add(cond string) *Where {
	w.conds = append(w.conds, "("+cond+")")
	return w
}

// Between keeps rows whose date column falls in [from, to).
func (w *Where) Between(column string, from, to time.Time) *Where {
	return w.Add(column + " >= " + w.Param(DBTime(from)) + " AND " + column + " < " + w.Param(DBTime(to)))
}

// In keeps rows of q's period on column.
func (w *Where) In(column string, q Query) *Where { return w.Between(column, q.From, q.To) }

// Owner keeps the rows of q's owner filter (deals.owner, contacts.owner,
// cases.assignee, tasks.assignee: the column says which).
func (w *Where) Owner(column string, q Query) *Where {
	if q.Filters.Owner != "" {
		w.Add(column + " = " + w.Param(q.Filters.Owner))
	}
	if q.Filters.People != nil {
		in := []string{"''"} // never empty: nobody's records, when nobody counts
		for _, id := range q.Filters.People {
			in = append(in, w.Param(id))
		}
		w.Add(column + " != '' AND " + column + " IN (" + strings.Join(in, ", ") + ")")
	}
	return w
}

// Pipeline keeps the rows of q's pipeline filter.
func (w *Where) Pipeline(column string, q Query) *Where {
	if q.Filters.Pipeline != "" {
		w.Add(column + " = " + w.Param(q.Filters.Pipeline))
	}
	return w
}

// Type keeps the requests of q's type filter.
func (w *Where) Type(column string, q Query) *Where {
	if q.Filters.Type != "" {
		w.Add(column + " = " + w.Param(q.Filters.Type))
	}
	return w
}

// Channel keeps the requests of q's channel filter.
func (w *Where) Channel(column string, q Query) *Where {
	if q.Filters.Channel != "" {
		w.Add(column + " = " + w.Param(q.Filters.Channel))
	}
	return w
}

// Segment keeps the rows whose contact column names a contact of q's
// segment. A segment is a saved PocketBase filter over contacts (the
// segments collection); it is evaluated here as a subquery, parsed into an
// expression and never pasted as text, so it cannot reach past contacts.
func (w *Where) Segment(app core.App, column string, q Query) error {
	if q.Filters.Segment == "" {
		return nil
	}
	sub, params, err := SegmentSQL(app, q.Filters.Segment)
	if err != nil {
		return err
	}
	for name, v := range params {
		sub = strings.ReplaceAll(sub, "{:"+name+"}", w.Param(v))
	}
	w.Add(column + " IN (" + sub + ")")
	return nil
}

// Visible keeps the rows whose column names a record of collection that
// q's reader may see (the collection's own list rule, as the record API
// reads it); nothing to keep when every record counts.
func (w *Where) Visible(app core.App, column, collection string, q Query) error {
	if q.Filters.Reader == nil {
		return nil
	}
	sub, params, err := team.VisibleIDs(app, q.Filters.Reader, collection)
	if err != nil || sub == "" {
		return err
	}
	for name, v := range params {
		sub = strings.ReplaceAll(sub, "{:"+name+"}", w.Param(v))
	}
	w.Add(column + " IN (" + sub + ")")
	return nil
}

// visibleExp is Visible as an expression of its own (its parameters keep
// the names team.VisibleIDs gives them, unlike a Where's); nil when every
// record counts.
func visibleExp(app core.App, q Query, column, collection string) (dbx.Expression, error) {
	if q.Filters.Reader == nil {
		return nil, nil
	}
	sub, params, err := team.VisibleIDs(app, q.Filters.Reader, collection)
	if err != nil || sub == "" {
		return nil, err
	}
	return dbx.NewExp(column+" IN ("+sub+")", params), nil
}

// SQL is the conditions joined by AND ("1=1" when there are none).
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.conds, " AND ")
}

// Params are the bound values.
func (w *Where) Params() dbx.Params { return w.params }

// Query runs sql, in which {where} stands for the conditions.
func (w *Where) Query(app core.App, sql string) *dbx.Query {
	return app.DB().NewQuery(strings.ReplaceAll(sql, "{where}", w.SQL())).Bind(w.params)
}

// SegmentSQL is the SELECT of the ids of the contacts of segment id, with
// its parameters.
func SegmentSQL(app core.App, id string) (string, dbx.Params, error) {
	seg, err := app.FindRecordById(crm.Segments, id)
	if err != nil {
		return "", nil, &ParamError{FilterSegment, "no such segment"}
	}
	if segdef.Has(seg) { // built in the workspace: its compiled conditions
		c, err := segdef.Of(app, seg, time.Now(), "isg")
		if err != nil {
			return "", nil, &ParamError{FilterSegment, err.Error()}
		}
		return c.IDs(), c.Params, nil
	}
	contacts, err := app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return "", nil, err
	}
	resolver := core.NewRecordFieldResolver(app, contacts, nil, true)
	expr, err := search.FilterData(seg.GetString("filter")).BuildExpr(resolver)
	if err != nil {
		return "", nil, &ParamError{FilterSegment, "the segment's filter does not read: " + err.Error()}
	}
	sq := app.DB().Select("[[" + crm.Contacts + ".id]]").From(crm.Contacts).AndWhere(expr)
	if err := resolver.UpdateQuery(sq); err != nil {
		return "", nil, err
	}
	built := sq.Build()
	return built.SQL(), built.Params(), nil
}

// DBTime writes t as PocketBase stores dates (UTC, milliseconds), so that
// date columns compare as text.
func DBTime(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// ParseDBTime reads a stored date ("" reads as the zero time).
func ParseDBTime(s string) time.Time {
	d, err := types.ParseDateTime(s)
	if err != nil {
		return time.Time{}
	}
	return d.Time()
}

// Months lists the months of q's period as labels YYYY-MM, in the business's
// time zone (a year has twelve, a month one).
func Months(q Query) []string {
	var out []string
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	f := q.From.In(loc)
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc); m.Before(q.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// MonthCase is an SQL expression giving the label YYYY-MM of the month of
// q's period a date column falls in (months begin at midnight in the
// business's time zone); rows outside the period read as its last month, so
// keep them out with In.
func MonthCase(column string, q Query) string {
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	labels := Months(q)
	if len(labels) == 0 {
		return "''"
	}
	if len(labels) == 1 {
		return "'" + labels[0] + "'"
	}
	var b strings.Builder
	b.WriteString("CASE")
	f := q.From.In(loc)
	m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc)
	for _, label := range labels[:len(labels)-1] {
		m = m.AddDate(0, 1, 0)
		fmt.Fprintf(&b, " WHEN %s < '%s' THEN '%s'", column, DBTime(m), label)
	}
	fmt.Fprintf(&b, " ELSE '%s' END", labels[len(labels)-1])
	return b.String()
}

// MonthOf is the label YYYY-MM of a stored date in the business's time zone.
func MonthOf(q Query, stored string) string {
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	return ParseDBTime(stored).In(loc).Format("2006-01")
}
