package segdef

import (
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Ops of a field condition, by the field's type (FieldOps).
var (
	textOps   = []string{"eq", "neq", "contains", "not_contains", "empty", "not_empty"}
	selectOps = []string{"eq", "neq", "empty", "not_empty"}
	multiOps  = []string{"has", "has_not", "empty", "not_empty"}
	numberOps = []string{"eq", "neq", "gt", "gte", "lt", "lte"}
	boolOps   = []string{"is_true", "is_false"}
	dateOps   = []string{"before", "after", "within_days", "empty", "not_empty"}
)

// notFields are contact fields a field condition may not read: those with
// kinds of their own (company, owner, tags), the customer's JSON and what
// is not a fact about them.
var notFields = []string{"id", crm.FieldCompany, crm.FieldOwner, "tags", "socials", "custom", crm.FieldArchived}

// FieldOps is the ops a field condition may use on f; nil when it may not
// read f at all.
func FieldOps(f core.Field) []string {
	if f == nil || f.GetHidden() || slices.Contains(notFields, f.GetName()) {
		return nil
	}
	switch x := f.(type) {
	case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField:
		return textOps
	case *core.SelectField:
		if x.IsMultiple() {
			return multiOps
		}
		return selectOps
	case *core.NumberField:
		return numberOps
	case *core.BoolField:
		return boolOps
	case *core.DateField, *core.AutodateField:
		return dateOps
	}
	return nil
}

// likeEscape escapes LIKE's wildcards in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// field: a field of contacts (custom fields too) compared with a value.
func (c *compiler) field(cond Condition) (string, error) {
	f := c.contacts.Fields.GetByName(cond.Field)
	ops := FieldOps(f)
	if ops == nil {
		return "", fail(CodeFieldUnknown, P{"field": cond.Field}, "contacts have no field %q a segment can read", cond.Field)
	}
	if !slices.Contains(ops, cond.Op) {
		return "", fail(CodeOp, P{"field": cond.Field, "value": cond.Op}, "op for %s must be one of %s, not %q", cond.Field, strings.Join(ops, ", "), cond.Op)
	}
	column := col(f.GetName())
	switch cond.Op {
	case "empty":
		return "IFNULL(" + column + ", '') IN ('', '[]')", nil
	case "not_empty":
		return "IFNULL(" + column + ", '') NOT IN ('', '[]')", nil
	case "is_true":
		return column + " = TRUE", nil
	case "is_false":
		return "IFNULL(" + column + ", FALSE) = FALSE", nil
	}
	switch x := f.(type) {
	case *core.NumberField:
		v, ok := number(cond.Value)
		if !ok {
			return "", fail(CodeNumber, P{"field": cond.Field}, "the value for %s must be a number", cond.Field)
		}
		return column + " " + compareOps[cond.Op] + " " + c.bind(v), nil
	case *core.DateField, *core.AutodateField:
		return c.date(column, cond)
	case *core.SelectField:
		v, _ := text(cond.Value)
		if !slices.Contains(x.Values, v) {
			return "", fail(CodeChoice, P{"field": cond.Field, "choices": strings.Join(x.Values, ", ")}, "the value for %s must be one of %s", cond.Field, strings.Join(x.Values, ", "))
		}
		if x.IsMultiple() {
			exists := "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(" + column + ") THEN " + column +
				" ELSE '[]' END) ms WHERE ms.value = " + c.bind(v) + ")"
			if cond.Op == "has_not" {
				return "NOT " + exists, nil
			}
			return exists, nil
		}
		if cond.Op == "eq" {
			return column + " = " + c.bind(v), nil
		}
		return "IFNULL(" + column + ", '') != " + c.bind(v), nil
	}
	v, ok := text(cond.Value)
	if !ok || v == "" || len(v) > 500 {
		return "", fail(CodeText, P{"field": cond.Field, "max": 500}, "the value for %s must be some text (up to 500 characters)", cond.Field)
	}
	switch cond.Op {
	case "eq":
		return "LOWER(" + column + ") = LOWER(" + c.bind(v) + ")", nil
	case "neq":
		return "LOWER(IFNULL(" + column + ", '')) != LOWER(" + c.bind(v) + ")", nil
	case "contains":
		return column + " LIKE " + c.bind("%"+likeEscape(v)+"%") + ` ESCAPE '\'`, nil
	}
	return "IFNULL(" + column + ", '') NOT LIKE " + c.bind("%"+likeEscape(v)+"%") + ` ESCAPE '\'`, nil
}

// date: before or after a day (YYYY-MM-DD), or within the last N days.
func (c *compiler) date(column string, cond Condition) (string, error) {
	if cond.Op == "within_days" {
		n, ok := number(cond.Value)
		if !ok || n < 1 || n > MaxDays || n != float64(int(n)) {
			return "", fail(CodeWithinDays, P{"max": MaxDays}, "the number of days must be a whole number from 1 to %d", MaxDays)
		}
		from := c.now.AddDate(0, 0, -int(n)).Format(types.DefaultDateLayout)
		return column + " >= " + c.bind(from), nil
	}
	s, _ := text(cond.Value)
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", fail(CodeDate, P{"field": cond.Field}, "the date for %s must be a day like 2025-01-31", cond.Field)
	}
	if cond.Op == "before" {
		return "IFNULL(" + column + ", '') != '' AND " + column + " < " + c.bind(day.Format(types.DefaultDateLayout)), nil
	}
	return column + " >= " + c.bind(day.AddDate(0, 0, 1).Format(types.DefaultDateLayout)), nil
}
