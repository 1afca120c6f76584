package hooksapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"

	"vinculo/plugins/timeline"
)

// Records written from JavaScript: created and updated with the API rules
// of whom a call acts as, and marked with its actor.

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// create saves a new record of collection with fields (defaults filling
// what is missing), for opts.as when given, marked with its actor.
func (en *engine) create(vm *goja.Runtime, collection string, fields, opts, defaults map[string]any) (*core.Record, error) {
	app := en.appFor(vm, opts)
	as, err := resolveAs(app, opt(opts, "as"))
	if err != nil {
		return nil, err
	}
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	body := plainFields(fields)
	for k, v := range defaults {
		if _, ok := body[k]; !ok {
			body[k] = v
		}
	}
	r := core.NewRecord(c)
	r.Load(body)
	if err := as.checkCreate(app, r, body); err != nil {
		return nil, err
	}
	if err := en.markActor(r, as, opts); err != nil {
		return nil, err
	}
	if err := app.Save(r); err != nil {
		return nil, apiError(collection, err)
	}
	return r, nil
}

// update changes the record of collection named by ref (a record or an
// id) with fields, for opts.as when given.
func (en *engine) update(vm *goja.Runtime, collection string, ref any, fields, opts map[string]any) (*core.Record, error) {
	app := en.appFor(vm, opts)
	as, err := resolveAs(app, opt(opts, "as"))
	if err != nil {
		return nil, err
	}
	id := idOf(ref)
	stored, err := app.FindRecordById(collection, id)
	if err != nil {
		return nil, router.NewNotFoundError(fmt.Sprintf("No %s record %q.", collection, id), nil)
	}
	body := plainFields(fields)
	if err := as.checkUpdate(app, stored, body); err != nil {
		return nil, err
	}
	stored.Load(body)
	if err := en.markActor(stored, as, opts); err != nil {
		return nil, err
	}
	if err := app.Save(stored); err != nil {
		return nil, apiError(collection, err)
	}
	return stored, nil
}

// markActor: opts.actor, else who it acts as (the system when nobody).
func (en *engine) markActor(r *core.Record, as *acting, opts map[string]any) error {
	a := as.actor
	if v := opt(opts, "actor"); v != nil {
		var err error
		if a, err = actorOf(v); err != nil {
			return err
		}
	}
	timeline.SetActor(r, a)
	return nil
}

// apiError makes a save's field errors a 400 that names the fields.
func apiError(collection string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return err
	}
	var fieldErrs validation.Errors
	if errors.As(err, &fieldErrs) {
		return router.NewBadRequestError(fmt.Sprintf("Invalid %s record.", collection), fieldErrs)
	}
	return err
}

// plainFields turns what JavaScript passed into values records load:
// records become their ids, dates become DateTimes.
func plainFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch x := v.(type) {
	case *core.Record:
		return x.Id
	case time.Time:
		d, _ := types.ParseDateTime(x)
		return d
	case []any:
		list := make([]any, len(x))
		for i, item := range x {
			if r, ok := item.(*core.Record); ok {
				list[i] = r.Id
			} else {
				list[i] = item
			}
		}
		return list
	}
	return v
}

// idOf: a record's id, an object's id, or the string itself.
func idOf(v any) string {
	switch x := v.(type) {
	case *core.Record:
		return x.Id
	case map[string]any:
		return cast.ToString(x["id"])
	}
	return cast.ToString(v)
}
