package importer

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Custom fields (plugins/customfields) are mapping targets like any other
// field: a column mapped to cf_<name> fills that field of the new or
// duplicate record, its text read as the field's kind (numbers with either
// decimal comma or point, dates as 2026-03-31 or 31/03/2026, yes/no, the
// select's options by name, several separated by , or ;).

// customColumn is a custom field the mapping fills, in the order its value
// follows the built-in columns of a new record.
type customColumn struct {
	name  string
	field core.Field
}

// customValue is one row's value of a custom column: as stored, and as text
// for the update of a duplicate.
type customValue struct {
	name  string
	value any
	text  string
}

// withCustom adds to columns the custom fields the layout maps columns to;
// a target that is not a field of the collection stops the import.
func (w *run) withCustom(app core.App, table string, columns []string) ([]string, error) {
	w.custom = nil
	var targets []string
	for _, field := range w.res.Mapping {
		if crm.IsCustomField(field) && !slices.Contains(targets, field) {
			targets = append(targets, field)
		}
	}
	if len(targets) == 0 {
		return columns, nil
	}
	c, err := app.FindCachedCollectionByNameOrId(table)
	if err != nil {
		return nil, err
	}
	out := append([]string{}, columns...)
	for _, name := range slices.Sorted(slices.Values(targets)) {
		f := c.Fields.GetByName(name)
		if f == nil {
			return nil, &ErrFile{fmt.Errorf("the mapping names %s, which is not a field of %s", name, table)}
		}
		w.custom = append(w.custom, customColumn{name: name, field: f})
		out = append(out, name)
	}
	return out, nil
}

// customValues reads the row's custom fields, recording what is wrong in c.
func (w *run) customValues(c *checker, v Values) []customValue {
	out := make([]customValue, len(w.custom))
	for i, col := range w.custom {
		value, text := readCustom(c, col, strings.TrimSpace(v[col.name]))
		out[i] = customValue{name: col.name, value: value, text: text}
	}
	return out
}

// withCustomValues appends the row's custom values to a new record's.
func withCustomValues(values []any, custom []customValue) []any {
	for _, cv := range custom {
		values = append(values, cv.value)
	}
	return values
}

// addCustomFields adds the row's non-empty custom values to the fields a
// duplicate's update writes.
func addCustomFields(fields map[string]string, custom []customValue) {
	for _, cv := range custom {
		if cv.text != "" {
			fields[cv.name] = cv.text
		}
	}
}

var numberJunk = regexp.MustCompile(`[^0-9,.\-]`)

// readCustom is the stored value of s for col (its zero when s is empty).
func readCustom(c *checker, col customColumn, s string) (any, string) {
	switch f := col.field.(type) {
	case *core.NumberField:
		if s == "" {
			return 0, ""
		}
		n, err := parseNumber(s)
		if err != nil || (f.OnlyInt && n != float64(int64(n))) {
			c.failCode(col.name, s, "not_number", nil, "not a number")
			return 0, ""
		}
		return n, strconv.FormatFloat(n, 'f', -1, 64)
	case *core.BoolField:
		b, ok := parseYesNo(s)
		if !ok {
			c.failCode(col.name, s, "not_yes_no", nil, "not yes or no")
		}
		if b {
			return true, "1"
		}
		return false, ""
	case *core.DateField:
		return readDate(c, col.name, s)
	case *core.SelectField:
		return readChoices(c, col.name, f, s)
	case *core.EmailField:
		e, err := NormalizeEmail(s)
		if err != nil {
			c.failErr(col.name, s, err)
		}
		return e, e
	case *core.URLField:
		return readURL(c, col.name, s)
	case *core.TextField:
		if f.Max > 0 && utf8.RuneCountInString(s) > f.Max {
			c.failCode(col.name, s, "too_long", map[string]any{"max": f.Max, "n": utf8.RuneCountInString(s)}, "longer than %d characters", f.Max)
		} else if s != "" && f.Pattern != "" && !regexp.MustCompile(f.Pattern).MatchString(s) {
			c.failCode(col.name, s, "bad_format", nil, "not in the field's format")
		}
		return s, s
	}
	return s, s
}

// parseNumber reads 1234.5, 1,234.5, 1.234,5 or R$ 1.234,50: the last of
// , and . is the decimal mark when both are there; a lone , is one too.
func parseNumber(s string) (float64, error) {
	s = numberJunk.ReplaceAllString(s, "")
	comma, dot := strings.LastIndex(s, ","), strings.LastIndex(s, ".")
	switch {
	case comma >= 0 && dot >= 0 && comma > dot:
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	case comma >= 0 && dot >= 0:
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0:
		s = strings.ReplaceAll(s, ",", ".")
	}
	return strconv.ParseFloat(s, 64)
}

func parseYesNo(s string) (value, ok bool) {
	switch fold(s) {
	case "", "no", "nao", "false", "0", "n", "falso":
		return false, true
	case "yes", "sim", "true", "1", "y", "s", "x", "verdadeiro":
		return true, true
	}
	return false, false
}

func readDate(c *checker, name, s string) (any, string) {
	if s == "" {
		return "", ""
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", time.RFC3339, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if d, err := types.ParseDateTime(t.UTC()); err == nil {
				return d.String(), d.String()
			}
		}
	}
	c.failCode(name, s, "not_date", nil, "not a date (like 2026-03-31 or 31/03/2026)")
	return "", ""
}

// readChoices matches s to the select's options, ignoring case and accents.
func readChoices(c *checker, name string, f *core.SelectField, s string) (any, string) {
	var picked []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		found := ""
		for _, o := range f.Values {
			if fold(o) == fold(part) {
				found = o
			}
		}
		if found == "" {
			c.failCode(name, part, "not_option", map[string]any{"options": strings.Join(f.Values, ", ")}, "not one of the options: %s", strings.Join(f.Values, ", "))
		} else if !slices.Contains(picked, found) {
			picked = append(picked, found)
		}
	}
	if !f.IsMultiple() {
		if len(picked) > 1 {
			c.failCode(name, s, "one_option", nil, "only one option may be chosen")
		}
		if len(picked) == 0 {
			return "", ""
		}
		return picked[0], picked[0]
	}
	if len(picked) == 0 {
		return "[]", ""
	}
	raw, _ := json.Marshal(picked)
	return string(raw), string(raw)
}

func readURL(c *checker, name, s string) (any, string) {
	if s == "" {
		return "", ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		c.failCode(name, s, "not_url", nil, "not a web address")
		return "", ""
	}
	return s, s
}

// guessCustom maps, when no mapping was given, the file's columns no
// built-in field took to the custom fields they are named after: the field's
// name (with or without cf_) or its label in either language, accents, case
// and punctuation ignored.
func guessCustom(app core.App, opts Options, src source, res *Result) {
	s, ok := src.(*csvSource)
	if !ok || opts.Mapping != nil || opts.Kind == KindOrders {
		return
	}
	table := crm.Contacts
	if opts.Kind == KindCompanies {
		table = crm.Companies
	}
	var rows []struct {
		Name   string `db:"name"`
		Label  string `db:"label"`
		Labels string `db:"labels"`
	}
	err := app.DB().Select("name", "label", "labels").From(crm.CustomFields).
		Where(dbx.HashExp{"collection": table}).OrderBy("position ASC").All(&rows)
	if err != nil {
		return // before the migration, or no fields: the built-in guess stands
	}
	taken := map[string]bool{}
	for _, field := range s.layout.mapping {
		taken[field] = true
	}
	for i, column := range s.names {
		if _, mapped := s.layout.mapping[column]; mapped || fold(column) == "" {
			continue
		}
		for _, r := range rows {
			if taken[r.Name] || !namedAfter(fold(column), r.Name, r.Label, r.Labels) {
				continue
			}
			taken[r.Name] = true
			s.layout.joins = append(s.layout.joins, join{field: r.Name, cols: []int{i}, first: true})
			s.layout.mapping[column] = r.Name
			break
		}
	}
	res.Mapping = s.layout.mapping
}

// namedAfter tells whether a folded column name is a custom field's name or
// one of its labels.
func namedAfter(column, name, label, labels string) bool {
	names := []string{name, strings.TrimPrefix(name, crm.CustomFieldPrefix), label}
	var byLang map[string]string
	if json.Unmarshal([]byte(labels), &byLang) == nil {
		for _, l := range byLang {
			names = append(names, l)
		}
	}
	for _, n := range names {
		if n = fold(n); n != "" && n == column {
			return true
		}
	}
	return false
}
