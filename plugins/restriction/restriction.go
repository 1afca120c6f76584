// Package restriction lets a customer restrict the processing of their data
// (GDPR art. 18: the record is kept, but no campaign, profiling or message
// other than the service's touches it) or object to marketing or profiling
// (art. 21), with one click in the portal; staff see it on the record.
//
// The restriction is a state of the contact (contacts.restricted_at, set by
// the server) with its history in processing_restrictions (when, the door,
// the address, the user agent, who recorded it). It is enforced where each
// use is decided: the outbox refuses every message but a service one
// (outbox.ReasonRestricted), the value model leaves the contact out of
// every fit and keeps no score or suggestion (deleted in the restriction's
// own transaction), and the segments hold no restricted contact, so no
// campaign reaches them. Objecting to marketing withdraws every marketing
// consent at once; objecting to profiling is the predictions plugin's
// objection, which the portal's page calls beside these.
package restriction

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Register wires the portal's choices, the staff's record of one asked by
// phone or letter, and the refusal of what only the server writes.
func Register(app core.App, cfg *crm.Config) error {
	serverSets := func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, sent := info.Body[crm.ContactRestrictedAt]; sent {
			return fieldError(e.RequestEvent, crm.ContactRestrictedAt, "validation_server_field",
				"The server sets restricted_at: restrict or lift processing through /api/crm/contacts/{id}/restriction.")
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Contacts).BindFunc(serverSets)
	app.OnRecordUpdateRequest(crm.Contacts).BindFunc(serverSets)
	serverWritten := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("The history of a restriction is written by Vinculo when processing is restricted or lifted, not through the API.", nil)
	}
	app.OnRecordCreateRequest(crm.ProcessingRestrictions).BindFunc(serverWritten)
	app.OnRecordUpdateRequest(crm.ProcessingRestrictions).BindFunc(serverWritten)
	app.OnRecordDeleteRequest(crm.ProcessingRestrictions).BindFunc(serverWritten)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/portal/restriction", portal(portalState))
		se.Router.POST("/api/crm/portal/restriction", portal(portalRestrict(true)))
		se.Router.DELETE("/api/crm/portal/restriction", portal(portalRestrict(false)))
		se.Router.POST("/api/crm/portal/marketing/objection", portal(portalObjectMarketing))
		se.Router.GET("/api/crm/contacts/{id}/restriction", staffState).Bind(guard.Staff())
		se.Router.POST("/api/crm/contacts/{id}/restriction", staffRestrict(true)).Bind(guard.Writer())
		se.Router.DELETE("/api/crm/contacts/{id}/restriction", staffRestrict(false)).Bind(guard.Writer())
		return se.Next()
	})
	return nil
}
