package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Requests opened by staff, and files on the timeline:
//   - cases.opened_by: the colleague who opened the request for a customer
//     who phoned, wrote or came in (with `channel`, how they asked); written
//     by the server from the signed-in staff member (plugins/requests), never
//     by customers;
//   - activities.attachments: the files staff attach to a note, a call or a
//     visit on a contact's timeline. Protected like the requests' files, so a
//     download needs a file token and the view rule decides: customers read
//     only public entries of their own, never an internal note or its files.
func init() {
	m.Register(filesUp, filesDown)
}

// casesOpenedByGuard joins the fields the customer's parts of the cases
// rules forbid by name (after rated_at, see 1764000200_requests.go).
const casesOpenedByGuard = " && @request.body.opened_by:isset = false"

func filesUp(app core.App) error {
	cases, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	cases.Fields.Add(relation(app, "opened_by", crm.Staff, false, false))
	index(cases, false, "opened_by")
	for _, r := range []*string{cases.CreateRule, cases.UpdateRule} {
		if r != nil && !strings.Contains(*r, casesOpenedByGuard) {
			*r = strings.ReplaceAll(*r, casesRatedAtGuard, casesRatedAtGuard+casesOpenedByGuard)
		}
	}
	if err := app.Save(cases); err != nil {
		return err
	}

	activities, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	activities.Fields.Add(files("attachments", 10))
	limitAttachments(activities, true)
	return app.Save(activities)
}

func filesDown(app core.App) error {
	activities, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	activities.Fields.RemoveByName("attachments")
	if err := app.Save(activities); err != nil {
		return err
	}
	cases, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	for _, r := range []*string{cases.CreateRule, cases.UpdateRule} {
		if r != nil {
			*r = strings.ReplaceAll(*r, casesOpenedByGuard, "")
		}
	}
	cases.RemoveIndex("idx_cases_opened_by")
	cases.Fields.RemoveByName("opened_by")
	return app.Save(cases)
}
