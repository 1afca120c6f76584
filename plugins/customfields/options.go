package customfields

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// setOptions changes a select's choices. An option renamed (renames: old ->
// new, the new one among the options) is renamed in every record holding
// it; an option removed that records hold is taken out of them, once the
// manager confirmed their count (a 409 with the count otherwise). The
// records are rewritten by one UPDATE each, inside the schema change's
// transaction: a select value is no searched text and records no event, and
// thousands of records change at once.
func (in *fieldInput) setOptions(tx core.App, c *core.Collection, f *core.SelectField, kind string) error {
	options := *in.Options
	renamed := in.checkRenames(f.Values, options)
	if in.errs != nil {
		return in.errs
	}
	var removed []string
	for _, old := range f.Values {
		if !slices.Contains(options, old) && renamed[old] == "" {
			removed = append(removed, old)
		}
	}
	held := 0
	for _, old := range removed {
		n, err := holding(tx, c, f.GetName(), kind, old)
		if err != nil {
			return err
		}
		held += n
	}
	if held > 0 && (in.Confirm == nil || *in.Confirm != held) {
		return &usedError{field: "options", code: "option_confirm", count: held,
			message: fmt.Sprintf("%d records hold the options %s: confirm with their count to take the options out of them.", held, strings.Join(removed, ", "))}
	}
	for old, to := range renamed {
		if err := rewriteOption(tx, c, f.GetName(), kind, old, to); err != nil {
			return err
		}
	}
	for _, old := range removed {
		if err := rewriteOption(tx, c, f.GetName(), kind, old, ""); err != nil {
			return err
		}
	}
	f.Values = options
	if kind != crm.CustomSelect {
		f.MaxSelect = len(options)
	}
	return nil
}

// checkRenames keeps the renames that name an option of before and a new
// option of after, and fails on any other.
func (in *fieldInput) checkRenames(before, after []string) map[string]string {
	out := map[string]string{}
	for old, to := range in.Renames {
		to = strings.TrimSpace(to)
		switch {
		case old == to:
			continue
		case !slices.Contains(before, old):
			in.fail("options", "rename_unknown", fmt.Sprintf("%q is not an option of the field.", old))
		case !slices.Contains(after, to) || slices.Contains(after, old) || slices.Contains(before, to):
			in.fail("options", "rename_invalid", fmt.Sprintf("%q can only be renamed to a new option.", old))
		default:
			out[old] = to
		}
	}
	targets := map[string]bool{}
	for _, to := range out {
		if targets[to] {
			in.fail("options", "rename_invalid", fmt.Sprintf("Two options are renamed to %q.", to))
		}
		targets[to] = true
	}
	return out
}

// rewriteOption gives every record of c holding old the option to instead
// ("" takes old away: a select is left empty, a multi-select keeps its
// other options, in their order).
func rewriteOption(tx core.App, c *core.Collection, column, kind, old, to string) error {
	col := quote(column)
	set := col + " = {:to}"
	where := col + " = {:old}"
	if kind == crm.CustomMultiSelect {
		set = col + " = (SELECT json_group_array(v) FROM (SELECT CASE WHEN value = {:old} THEN {:to} ELSE value END AS v, min(key) AS k" +
			" FROM json_each(" + col + ") WHERE NOT (value = {:old} AND {:to} = '') GROUP BY v ORDER BY k))"
		where = "json_valid(" + col + ") AND EXISTS (SELECT 1 FROM json_each(" + col + ") WHERE value = {:old})"
	}
	_, err := tx.DB().NewQuery("UPDATE " + quote(c.Name) + " SET " + set + ", `updated` = {:now} WHERE " + where).
		Bind(dbx.Params{"old": old, "to": to, "now": types.NowDateTime().String()}).Execute()
	return err
}
