package exporter

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/contactcard"
	"vinculo/plugins/accesslog"
)

// Stream writes the whole export to w: one SELECT whose rows are read as
// they come (SQLite steps through them; nothing is collected), written and
// flushed every PageSize rows.
func (ex *export) Stream(ctx context.Context, w io.Writer, flush func()) error {
	out := newWriter(ex.p.Format, w, ex.columns)
	if err := out.begin(); err != nil {
		return err
	}
	q, err := ex.query()
	if err != nil {
		return err
	}
	rows, err := q.WithContext(ctx).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	page := make([]*core.Record, 0, PageSize)
	writePage := func() error {
		companies, err := ex.companyNames(page)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := out.record(r, companies[r.GetString(crm.FieldCompany)]); err != nil {
				return err
			}
			ex.members = append(ex.members, accesslog.MemberOf(r))
		}
		page = page[:0]
		if err := out.flush(); err != nil {
			return err
		}
		flush()
		return nil
	}
	for rows.Next() {
		row := dbx.NullStringMap{}
		if err := rows.ScanMap(row); err != nil {
			return err
		}
		r, err := ex.record(row)
		if err != nil {
			return err
		}
		if page = append(page, r); len(page) == PageSize {
			if err := writePage(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := writePage(); err != nil {
		return err
	}
	if err := out.end(); err != nil {
		return err
	}
	flush()
	return nil
}

// record builds a record from a row as PocketBase's own queries do.
func (ex *export) record(row dbx.NullStringMap) (*core.Record, error) {
	r := core.NewRecord(ex.collection)
	for _, f := range ex.collection.Fields {
		var raw any
		if v, ok := row[f.GetName()]; ok && v.Valid {
			raw = v.String
		}
		value, err := f.PrepareValue(r, raw)
		if err != nil {
			return nil, err
		}
		r.SetRaw(f.GetName(), value)
	}
	r.MarkAsNotNew()
	return r, nil
}

// companyNames reads the names of the page's companies in one query: a
// company id alone means nothing in a spreadsheet or an address book.
func (ex *export) companyNames(records []*core.Record) (map[string]string, error) {
	if ex.collection.Fields.GetByName(crm.FieldCompany) == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var ids []any
	for _, r := range records {
		if id := r.GetString(crm.FieldCompany); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := ex.app.DB().Select("id", "name").From(crm.Companies).Where(dbx.In("id", ids...)).All(&rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}

type rowWriter interface {
	begin() error
	record(r *core.Record, company string) error
	flush() error
	end() error
}

func newWriter(format string, w io.Writer, columns []string) rowWriter {
	switch format {
	case JSON:
		return &jsonWriter{w: w}
	case VCard:
		return &vcardWriter{w: w}
	}
	return &csvWriter{w: w, csv: csv.NewWriter(w), columns: columns}
}

// csvWriter: a header row, then one row per record; UTF-8 with a BOM so
// that Excel reads accents right, and cells that a spreadsheet would run as
// a formula neutralised.
type csvWriter struct {
	w       io.Writer
	csv     *csv.Writer
	columns []string
	company bool
	row     []string
}

func (c *csvWriter) begin() error {
	if _, err := io.WriteString(c.w, "\uFEFF"); err != nil {
		return err
	}
	header := c.columns
	for _, col := range c.columns {
		if col == crm.FieldCompany {
			c.company = true
			header = append(append([]string{}, c.columns...), "company_name")
		}
	}
	c.row = make([]string, len(header))
	for i, h := range header {
		c.row[i] = crm.NeutraliseCell(h)
	}
	return c.csv.Write(c.row)
}

func (c *csvWriter) record(r *core.Record, company string) error {
	for i, col := range c.columns {
		c.row[i] = crm.NeutraliseCell(Cell(r.Get(col)))
	}
	if c.company {
		c.row[len(c.columns)] = crm.NeutraliseCell(company)
	}
	return c.csv.Write(c.row)
}

func (c *csvWriter) flush() error { c.csv.Flush(); return c.csv.Error() }
func (c *csvWriter) end() error   { return c.flush() }

// Cell is a field value as spreadsheet text.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case []string:
		return strings.Join(x, ", ")
	case types.DateTime:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case types.JSONRaw:
		s := strings.TrimSpace(string(x))
		if s == "null" {
			return ""
		}
		return s
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(raw)
}

// jsonWriter: one JSON array, each record as the record API shows it.
type jsonWriter struct {
	w     io.Writer
	count int
}

func (j *jsonWriter) begin() error { _, err := io.WriteString(j.w, "["); return err }

func (j *jsonWriter) record(r *core.Record, _ string) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sep := ",\n"
	if j.count == 0 {
		sep = "\n"
	}
	j.count++
	if _, err := io.WriteString(j.w, sep); err != nil {
		return err
	}
	_, err = j.w.Write(raw)
	return err
}

func (j *jsonWriter) flush() error { return nil }
func (j *jsonWriter) end() error   { _, err := io.WriteString(j.w, "\n]\n"); return err }

// vcardWriter: one vCard 4.0 card per contact.
type vcardWriter struct{ w io.Writer }

func (v *vcardWriter) begin() error { return nil }
func (v *vcardWriter) record(r *core.Record, company string) error {
	return contactcard.Write(v.w, contactcard.FromRecord(r, company))
}
func (v *vcardWriter) flush() error { return nil }
func (v *vcardWriter) end() error   { return nil }
