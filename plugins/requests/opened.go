package requests

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// FieldOpenedBy names the colleague who opened a request for a customer who
// phoned, wrote, came in or sent a letter (the request's `channel` says how
// they asked). Requests customers open themselves, and those brought in by
// an import or a script without a staff token, name nobody.
const FieldOpenedBy = "opened_by"

// bindOpenedBy: the server writes who opened a request, from the staff
// member signed in when it was created through the API, and nobody changes
// it afterwards. Customers may not send the field at all (the cases rules
// refuse it); what staff send is replaced.
func bindOpenedBy(app core.App) {
	app.OnRecordCreateRequest(crm.Cases).BindFunc(func(e *core.RecordRequestEvent) error {
		openedBy := ""
		if e.Auth != nil && e.Auth.Collection().Name == crm.Staff {
			openedBy = e.Auth.Id
		}
		e.Record.Set(FieldOpenedBy, openedBy)
		return e.Next()
	})
	app.OnRecordUpdateRequest(crm.Cases).BindFunc(func(e *core.RecordRequestEvent) error {
		e.Record.Set(FieldOpenedBy, e.Record.Original().GetString(FieldOpenedBy))
		return e.Next()
	})
}
