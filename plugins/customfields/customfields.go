// Package customfields: a manager adds a field to contacts, companies, deals
// or requests from Settings. The field is a real field of the collection,
// added by a schema change PocketBase records (app.Save of the collection),
// so the dashboard, `migrate collections`, the record API, filters, exports
// and imports see it as any other field. Its row in custom_fields keeps
// what PocketBase does not: labels per language, the kind (money and phone
// are number and text fields underneath), the options, the position and
// whether it is the customer's.
//
// A custom field is internal unless the manager marks it as the customer's:
// customers neither receive it (OnRecordEnrich, REST, expand and realtime),
// nor filter or sort on it, nor write it (the collection's create and update
// rules get a clause that refuses it in a customer's body, rewritten at
// every change of the fields and at start).
//
// Routes, all under /api/crm/fields: GET (staff), GET /customer (the
// customer's fields, for the portal: anyone signed in), POST, POST /order,
// PATCH /{id}, GET /{id}/usage and DELETE /{id}?confirm=<count> (managers).
// A field is deleted, or an option records hold removed, only once the
// manager confirmed how many records hold a value.
package customfields

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Register binds the custom fields capability on app.
func Register(app core.App, cfg *crm.Config) error {
	s := &state{}
	forget := func(e *core.RecordEvent) error {
		s.forget()
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(crm.CustomFields).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(crm.CustomFields).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(crm.CustomFields).BindFunc(forget)
	bindPrivacy(app, s)
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.customfields.routes", Func: func(se *core.ServeEvent) error {
		// Fields added from the dashboard or a migration are internal too.
		if err := SyncRules(se.App); err != nil {
			return err
		}
		se.Router.GET("/api/crm/fields", list).Bind(guard.Staff())
		se.Router.GET("/api/crm/fields/customer", customers).Bind(apis.RequireAuth())
		se.Router.POST("/api/crm/fields/order", reorder).Bind(guard.Manager())
		se.Router.POST("/api/crm/fields", create).Bind(guard.Manager())
		se.Router.PATCH("/api/crm/fields/{id}", update).Bind(guard.Manager())
		se.Router.GET("/api/crm/fields/{id}/usage", usage).Bind(guard.Manager())
		se.Router.DELETE("/api/crm/fields/{id}", remove).Bind(guard.Manager())
		return se.Next()
	}})
	return nil
}
