package customfields

import (
	"errors"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// orderInput is the manager's new order of one collection's fields.
type orderInput struct {
	Collection string   `json:"collection"`
	IDs        []string `json:"ids"`
}

var errOrderStale = errors.New("the fields changed meanwhile")

// reorder is POST /api/crm/fields/order: every field of the collection is
// given its place in ids, all positions written in one transaction. ids must
// name each field of the collection once; when a field was added or deleted
// meanwhile the manager is told to look again (409), nothing written.
func reorder(e *core.RequestEvent) error {
	in := &orderInput{}
	if err := e.BindBody(in); err != nil {
		return e.BadRequestError("The request is not valid JSON.", err)
	}
	if !slices.Contains(crm.CustomFieldCollections, in.Collection) {
		return e.BadRequestError("Custom fields are on contacts, companies, deals or cases.",
			validation.Errors{"collection": validation.NewError("validation_cf_collection", "Unknown collection.")})
	}
	err := e.App.RunInTransaction(func(tx core.App) error {
		var rows []*core.Record
		if err := tx.RecordQuery(crm.CustomFields).AndWhere(dbx.HashExp{"collection": in.Collection}).All(&rows); err != nil {
			return err
		}
		byID := map[string]*core.Record{}
		for _, r := range rows {
			byID[r.Id] = r
		}
		seen := map[string]bool{}
		for _, id := range in.IDs {
			if byID[id] == nil || seen[id] {
				return errOrderStale
			}
			seen[id] = true
		}
		if len(seen) != len(rows) {
			return errOrderStale
		}
		for i, id := range in.IDs {
			r := byID[id]
			if r.GetInt("position") == i+1 {
				continue
			}
			r.Set("position", i+1)
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errOrderStale):
		return e.JSON(http.StatusConflict, map[string]any{"status": http.StatusConflict,
			"message": "The fields changed meanwhile: look at the list again and reorder.",
			"data":    validation.Errors{"ids": validation.NewError("validation_cf_order_stale", "Give every field of the collection once.")}})
	case err != nil:
		return e.InternalServerError("Could not save the order.", err)
	}
	return list(e)
}

// customers is GET /api/crm/fields/customer[?collection=contacts]: the
// fields the manager marked as the customer's, for the portal's forms (a
// customer reads no other row of custom_fields).
func customers(e *core.RequestEvent) error {
	q := e.App.RecordQuery(crm.CustomFields).AndWhere(dbx.HashExp{"customer": true}).
		OrderBy("collection ASC", "position ASC", "created ASC")
	if c := e.Request.URL.Query().Get("collection"); c != "" {
		if !slices.Contains(crm.CustomFieldCollections, c) {
			return e.BadRequestError("Custom fields are on contacts, companies, deals or cases.",
				validation.Errors{"collection": validation.NewError("validation_cf_collection", "Unknown collection.")})
		}
		q.AndWhere(dbx.HashExp{"collection": c})
	}
	var rows []*core.Record
	if err := q.All(&rows); err != nil {
		return e.InternalServerError("Could not read the fields.", err)
	}
	items := make([]map[string]any, len(rows))
	for i, r := range rows {
		items[i] = map[string]any{"id": r.Id, "collection": r.GetString("collection"), "name": r.GetString("name"),
			"label": r.GetString("label"), "labels": r.Get("labels"), "kind": r.GetString("kind"),
			"options": r.Get("options"), "position": r.GetInt("position"), "customer": true}
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}
