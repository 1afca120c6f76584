package accesslog

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// ViaSearch is the query parameter (?via=search) the workspace adds when a
// search result is opened: the look is then "through search".
const ViaSearch = "search"

// Screen is the screen a request came through: search when the workspace
// says a search result was opened, otherwise the given one.
func Screen(e *core.RequestEvent, otherwise string) string {
	if e.Request != nil && e.Request.URL.Query().Get("via") == ViaSearch {
		return crm.ScreenSearch
	}
	return otherwise
}

// contactOf is whose data r is; for a request's message, its request (the
// writer finds the customer).
func contactOf(r *core.Record) (contact, request string) {
	switch r.Collection().Name {
	case crm.Contacts:
		return r.Id, ""
	case crm.CaseMessages:
		return "", r.GetString("case")
	}
	return r.GetString(crm.FieldContact), ""
}

// onView: a record opened through the record API, once it was answered.
func onView(e *core.RecordRequestEvent) error {
	if err := e.Next(); err != nil || e.Record == nil {
		return err
	}
	en, ok := entryFor(e.RequestEvent)
	if !ok {
		return nil
	}
	en.Contact, en.Case = contactOf(e.Record)
	en.Collection, en.Record, en.Action = e.Record.Collection().Name, e.Record.Id, actionRead
	en.Screen = Screen(e.RequestEvent, crm.ScreenRecord)
	return queue(e.App, en)
}

// onList: a list whose records are all one customer's (a request's
// messages, a customer's orders) is a look at that customer; a list of many
// customers is not.
func onList(e *core.RecordsListRequestEvent) error {
	if err := e.Next(); err != nil || len(e.Records) == 0 {
		return err
	}
	contact, request := contactOf(e.Records[0])
	for _, r := range e.Records[1:] {
		c, q := contactOf(r)
		if c != contact || q != request {
			return nil
		}
	}
	if contact == "" && request == "" {
		return nil
	}
	en, ok := entryFor(e.RequestEvent)
	if !ok {
		return nil
	}
	en.Contact, en.Case, en.Collection, en.Action = contact, request, e.Collection.Name, actionRead
	if len(e.Records) == 1 {
		en.Record = e.Records[0].Id
	}
	en.Screen = Screen(e.RequestEvent, crm.ScreenList)
	return queue(e.App, en)
}
