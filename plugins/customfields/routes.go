package customfields

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// list is GET /api/crm/fields[?collection=contacts]: the definitions, in
// each collection's order.
func list(e *core.RequestEvent) error {
	q := e.App.RecordQuery(crm.CustomFields).OrderBy("collection ASC", "position ASC", "created ASC")
	if c := e.Request.URL.Query().Get("collection"); c != "" {
		if !slices.Contains(crm.CustomFieldCollections, c) {
			return e.BadRequestError("Custom fields are on contacts, companies, deals or cases.",
				validation.Errors{"collection": validation.NewError("validation_cf_collection", "Unknown collection.")})
		}
		q.AndWhere(dbx.HashExp{"collection": c})
	}
	var rows []*core.Record
	if err := q.All(&rows); err != nil {
		return e.InternalServerError("Could not read the custom fields.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": rows})
}

func readInput(e *core.RequestEvent) (*fieldInput, error) {
	in := &fieldInput{}
	if err := e.BindBody(in); err != nil {
		return nil, e.BadRequestError("The request is not valid JSON.", err)
	}
	return in, nil
}

func refuse(e *core.RequestEvent, in *fieldInput) error {
	return e.BadRequestError("Check the field's settings.", in.errs)
}

// create is POST /api/crm/fields: the field is added to its collection and
// described in custom_fields in one transaction.
func create(e *core.RequestEvent) error {
	in, err := readInput(e)
	if err != nil {
		return err
	}
	collection, kind := str(in.Collection), str(in.Kind)
	if !slices.Contains(crm.CustomFieldCollections, collection) {
		in.fail("collection", "collection", "Custom fields are on contacts, companies, deals or cases.")
	}
	if !slices.Contains(crm.CustomKinds, kind) {
		in.fail("kind", "kind", "Choose a kind of field.")
	}
	in.checkLabels(true)
	in.checkOptions(kind)
	if in.errs != nil {
		return refuse(e, in)
	}
	var row *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		c, err := tx.FindCollectionByNameOrId(collection)
		if err != nil {
			return err
		}
		name := in.checkName(c.Fields.FieldNames(), "")
		if n := countCustom(c); n >= maxFieldsPerCollection {
			in.fail("collection", "too_many", fmt.Sprintf("A collection may have at most %d custom fields.", maxFieldsPerCollection))
		}
		if in.errs != nil {
			return in.errs
		}
		var options []string
		if in.Options != nil {
			options = *in.Options
		}
		f := newField(kind, name, options)
		c.Fields.Add(f)
		if indexed(kind) {
			c.AddIndex(indexName(c.Name, f.GetId()), false, quote(name)+", `created`", "")
		}
		if row, err = newRow(tx, c, f, kind, in); err != nil {
			return err
		}
		return saveWithRules(tx, c)
	})
	if err != nil {
		return answer(e, in, err)
	}
	return e.JSON(http.StatusOK, row)
}

func countCustom(c *core.Collection) int {
	n := 0
	for _, name := range c.Fields.FieldNames() {
		if crm.IsCustomField(name) {
			n++
		}
	}
	return n
}

// newRow saves the description of f, at the end of the collection's fields
// unless a position is given.
func newRow(tx core.App, c *core.Collection, f core.Field, kind string, in *fieldInput) (*core.Record, error) {
	defs, err := tx.FindCollectionByNameOrId(crm.CustomFields)
	if err != nil {
		return nil, err
	}
	position := 0
	if in.Position != nil {
		position = *in.Position
	} else {
		var last struct {
			N int `db:"n"`
		}
		_ = tx.DB().Select("coalesce(max(position), 0) + 1 AS n").From(crm.CustomFields).
			Where(dbx.HashExp{"collection": c.Name}).One(&last)
		position = last.N
	}
	row := core.NewRecord(defs)
	row.Load(map[string]any{"collection": c.Name, "name": f.GetName(), "field_id": f.GetId(),
		"label": str(in.Label), "labels": in.Labels, "kind": kind, "position": position,
		"customer": in.Customer != nil && *in.Customer})
	if in.Options != nil {
		row.Set("options", *in.Options)
	}
	return row, tx.Save(row)
}

// saveWithRules saves c with its customer rules made to fit its fields.
func saveWithRules(tx core.App, c *core.Collection) error {
	if _, err := guardCollection(tx, c); err != nil {
		return err
	}
	if err := tx.Save(c); err != nil {
		return err
	}
	return refreshStats(tx, c)
}

// refreshStats gives the query planner its statistics of c again: a
// change of fields makes PocketBase drop and make again every index of the
// table, and their sqlite_stat1 rows go with them. A bounded ANALYZE (a
// sample of each index, milliseconds on a million rows) keeps the lists'
// plans what they were.
func refreshStats(tx core.App, c *core.Collection) error {
	if _, err := tx.DB().NewQuery("PRAGMA analysis_limit = 1000").Execute(); err != nil {
		return err
	}
	_, err := tx.DB().NewQuery("ANALYZE " + quote(c.Name)).Execute()
	return err
}

// answer turns what stopped a change into its answer: the manager's
// mistakes are 400s naming the field, the rest 500s.
func answer(e *core.RequestEvent, in *fieldInput, err error) error {
	var conflict *usedError
	switch {
	case errors.As(err, &conflict):
		return e.JSON(http.StatusConflict, map[string]any{"status": http.StatusConflict, "message": conflict.Error(),
			"count": conflict.count, "data": validation.Errors{conflict.field: validation.NewError("validation_cf_"+conflict.code, conflict.Error())}})
	case in != nil && in.errs != nil:
		return refuse(e, in)
	}
	var ve validation.Errors
	if errors.As(err, &ve) {
		return e.BadRequestError("The collection refused the change: "+ve.Error(), ve)
	}
	return e.InternalServerError("Could not change the field.", err)
}

// usedError: the change would lose values records hold; it needs the
// manager's confirmation of their count.
type usedError struct {
	field, code, message string
	count                int
}

func (u *usedError) Error() string { return u.message }

// find reads the row of /{id}, its collection and its field there.
func find(tx core.App, id string) (*core.Record, *core.Collection, core.Field, error) {
	row, err := tx.FindRecordById(crm.CustomFields, id)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := tx.FindCollectionByNameOrId(row.GetString("collection"))
	if err != nil {
		return nil, nil, nil, err
	}
	return row, c, c.Fields.GetById(row.GetString("field_id")), nil
}

// held counts the records of c that hold a value of the field.
func held(tx core.App, c *core.Collection, f core.Field, kind string) (int, error) {
	if f == nil {
		return 0, nil
	}
	var n int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM " + quote(c.Name) + " WHERE " + heldSQL(kind, f.GetName())).Row(&n)
	return n, err
}

// usage is GET /api/crm/fields/{id}/usage: how many records hold a value,
// the number a delete must confirm.
func usage(e *core.RequestEvent) error {
	row, c, f, err := find(e.App, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such custom field.", nil)
	}
	n, err := held(e.App, c, f, row.GetString("kind"))
	if err != nil {
		return e.InternalServerError("Could not count the records.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"count": n, "name": row.GetString("name"), "collection": c.Name})
}

// remove is DELETE /api/crm/fields/{id}?confirm=<count>: with values held,
// only when confirm is their count (answered 409 with the count otherwise).
func remove(e *core.RequestEvent) error {
	confirm, _ := strconv.Atoi(e.Request.URL.Query().Get("confirm"))
	err := e.App.RunInTransaction(func(tx core.App) error {
		row, c, f, err := find(tx, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		kind := row.GetString("kind")
		n, err := held(tx, c, f, kind)
		if err != nil {
			return err
		}
		if n > 0 && confirm != n {
			return &usedError{field: "confirm", code: "confirm", count: n,
				message: fmt.Sprintf("%d records hold a value of %s: confirm with their count to delete it.", n, row.GetString("name"))}
		}
		if err := tx.Delete(row); err != nil {
			return err
		}
		if f == nil { // already gone from the collection (the dashboard)
			return saveWithRules(tx, c)
		}
		if err := clearValues(tx, c, f, kind); err != nil {
			return err
		}
		c.Fields.RemoveById(f.GetId())
		c.RemoveIndex(indexName(c.Name, f.GetId()))
		return saveWithRules(tx, c)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return e.NotFoundError("No such custom field.", nil)
	}
	if err != nil {
		return answer(e, nil, err)
	}
	return e.NoContent(http.StatusNoContent)
}
