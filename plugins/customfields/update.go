package customfields

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

var errGone = errors.New("the field is no longer in its collection")

// update is PATCH /api/crm/fields/{id}: labels, position, the customer
// mark, the options, and the name — a rename, which PocketBase does by the
// field's id, so the values stay. The kind and collection never change.
func update(e *core.RequestEvent) error {
	in, err := readInput(e)
	if err != nil {
		return err
	}
	if in.Kind != nil || in.Collection != nil {
		in.fail("kind", "kind_fixed", "A field's kind and collection do not change: add a new field instead.")
	}
	in.checkLabels(false)
	var row *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		var c *core.Collection
		var f core.Field
		var err error
		if row, c, f, err = find(tx, e.Request.PathValue("id")); err != nil {
			return err
		}
		if f == nil {
			return errGone
		}
		kind := row.GetString("kind")
		schema := in.rename(row, c, f, kind)
		if in.Options != nil && hasOptions(kind) {
			in.checkOptions(kind)
			if in.errs == nil {
				if err := in.setOptions(tx, c, f.(*core.SelectField), kind); err != nil {
					return err
				}
				row.Set("options", *in.Options)
				schema = true
			}
		}
		if in.errs != nil {
			return in.errs
		}
		in.apply(row)
		if err := tx.Save(row); err != nil {
			return err
		}
		rules, err := guardCollection(tx, c)
		if err != nil || !(rules || schema) {
			return err
		}
		if err := tx.Save(c); err != nil {
			return err
		}
		return refreshStats(tx, c)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return e.NotFoundError("No such custom field.", nil)
	case errors.Is(err, errGone):
		return e.JSON(http.StatusConflict, map[string]any{"status": http.StatusConflict,
			"message": "This field was removed from its collection outside Settings: delete it here too."})
	case err != nil:
		return answer(e, in, err)
	}
	return e.JSON(http.StatusOK, row)
}

// rename gives f the name asked for, its index following; it tells whether
// the schema changed.
func (in *fieldInput) rename(row *core.Record, c *core.Collection, f core.Field, kind string) bool {
	if in.Name == nil {
		return false
	}
	name := in.checkName(c.Fields.FieldNames(), f.GetName())
	if in.errs != nil || name == f.GetName() {
		return false
	}
	f.SetName(name)
	row.Set("name", name)
	if indexed(kind) {
		c.RemoveIndex(indexName(c.Name, f.GetId()))
		c.AddIndex(indexName(c.Name, f.GetId()), false, quote(name)+", `created`", "")
	}
	return true
}

// holding counts the records whose field holds option.
func holding(tx core.App, c *core.Collection, column, kind, option string) (int, error) {
	where := quote(column) + " = {:option}"
	if hasOptions(kind) && kind != crm.CustomSelect {
		where = "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(" + quote(column) + ") THEN " + quote(column) + " ELSE '[]' END) WHERE value = {:option})"
	}
	var n int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM " + quote(c.Name) + " WHERE " + where).
		Bind(dbx.Params{"option": option}).Row(&n)
	return n, err
}

// apply copies the plain settings to the row.
func (in *fieldInput) apply(row *core.Record) {
	if in.Label != nil {
		row.Set("label", *in.Label)
	}
	if in.Labels != nil {
		row.Set("labels", in.Labels)
	}
	if in.Position != nil {
		row.Set("position", *in.Position)
	}
	if in.Customer != nil {
		row.Set("customer", *in.Customer)
	}
}

// clearValues empties a text field before it goes, so that the search
// index (kept by triggers on the columns it reads) forgets its words on the
// rows that held one, and only on those.
func clearValues(tx core.App, c *core.Collection, f core.Field, kind string) error {
	switch f.(type) {
	case *core.TextField, *core.EmailField, *core.URLField:
	default:
		return nil
	}
	col := quote(f.GetName())
	_, err := tx.DB().NewQuery("UPDATE " + quote(c.Name) + " SET " + col + " = '' WHERE " + heldSQL(kind, f.GetName())).Execute()
	if err != nil && strings.Contains(err.Error(), "no such column") {
		return nil
	}
	return err
}
