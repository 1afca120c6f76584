package notifications

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// assignable: the records someone is given, by the field that names them
// and the field that titles them.
var assignable = []struct{ collection, field, title string }{
	{crm.Cases, "assignee", "subject"},
	{crm.Tasks, "assignee", "title"},
	{crm.Deals, crm.FieldOwner, "title"},
	{crm.Contacts, crm.FieldOwner, "name"},
}

// historyAge: a request saved with a creation date this far in the past is
// history brought in (the demo, a migration), and tells nobody it was
// assigned.
const historyAge = time.Hour

// bindEvents tells colleagues what the changes of records mean to them:
// assigned to me, a customer answered on my request. The notices are
// written in the change's transaction (so they exist only if it commits).
func (p *plugin) bindEvents(app core.App) {
	for _, a := range assignable {
		app.OnRecordCreate(a.collection).Bind(&hook.Handler[*core.RecordEvent]{
			Id:   "vinculo.notifications.assigned.create." + a.collection,
			Func: p.assignedHook(a.collection, a.field, a.title, true),
		})
		app.OnRecordUpdate(a.collection).Bind(&hook.Handler[*core.RecordEvent]{
			Id:   "vinculo.notifications.assigned.update." + a.collection,
			Func: p.assignedHook(a.collection, a.field, a.title, false),
		})
	}
	app.OnRecordCreate(crm.CaseMessages).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "vinculo.notifications.customer_answered",
		Func: p.customerAnswered,
	})
}

func (p *plugin) assignedHook(collection, field, title string, isNew bool) func(e *core.RecordEvent) error {
	return func(e *core.RecordEvent) error {
		before := ""
		if !isNew {
			// The stored row, not Original(): a record saved twice keeps its
			// first loaded state as original.
			var row struct{ V string }
			if err := e.App.DB().Select("[[" + field + "]] AS v").From(collection).
				Where(dbx.HashExp{"id": e.Record.Id}).One(&row); err == nil {
				before = row.V
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		to := e.Record.GetString(field)
		if to == "" || to == before {
			return nil
		}
		actor := timeline.ActorOf(e.Record)
		if to == actor.Staff {
			return nil // nobody is told of their own action (Notify): no need to name them
		}
		if isNew && !p.tellsOfNew(collection, actor, e.Record) {
			return nil
		}
		data := map[string]any{"title": crm.Clip(e.Record.GetString(title), 200)}
		if collection == crm.Cases {
			data["reference"] = e.Record.GetString("reference")
		}
		addActorName(e.App, data, actor.Staff)
		return Notify(e.App, Notice{To: to, By: actor.Staff, Event: crm.NotifyAssigned,
			Collection: collection, Record: e.Record.Id, Data: data})
	}
}

// tellsOfNew: a new record tells its owner when a colleague gave it to
// them, or when a new request was routed to them (by the system, a
// customer's own request, one arriving by email); not when the system or
// an import made a contact, deal or task (its owner set it up), nor when
// history was brought in (a request created long before now).
func (p *plugin) tellsOfNew(collection string, actor timeline.Actor, r *core.Record) bool {
	if actor.Type == timeline.ActorStaff {
		return true
	}
	if collection != crm.Cases {
		return false
	}
	created := r.GetDateTime("created").Time()
	return created.IsZero() || created.After(p.now().Add(-historyAge))
}

// customerAnswered tells a request's assignee that its customer wrote
// (a public message by no staff member: the portal, an email).
func (p *plugin) customerAnswered(e *core.RecordEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	m := e.Record
	if m.GetBool("internal") || m.GetString("author_staff") != "" {
		return nil
	}
	c, err := e.App.FindRecordById(crm.Cases, m.GetString("case"))
	if err != nil || c.GetString("assignee") == "" {
		return nil
	}
	data := map[string]any{
		"title":     crm.Clip(c.GetString("subject"), 200),
		"reference": c.GetString("reference"),
		"excerpt":   crm.Clip(m.GetString("body"), 160),
		"case":      c.Id,
	}
	if name := customerName(e.App, m, c); name != "" {
		data["customer"] = name
	}
	return Notify(e.App, Notice{To: c.GetString("assignee"), Event: crm.NotifyCustomerAnswered,
		Collection: crm.Cases, Record: c.Id, Data: data})
}

// customerName: the name of the contact who wrote.
func customerName(app core.App, m, c *core.Record) string {
	contactID := c.GetString(crm.FieldContact)
	if cu := m.GetString("author_customer"); cu != "" {
		if r, err := app.FindRecordById(crm.Customers, cu); err == nil && r.GetString(crm.FieldContact) != "" {
			contactID = r.GetString(crm.FieldContact)
		}
	}
	if r, err := app.FindRecordById(crm.Contacts, contactID); err == nil {
		return r.GetString("name")
	}
	return ""
}

// addActorName puts the acting colleague's name in data (by_name).
func addActorName(app core.App, data map[string]any, staffID string) {
	if staffID == "" {
		return
	}
	if s, err := app.FindRecordById(crm.Staff, staffID); err == nil {
		data["by_name"] = s.GetString("name")
	}
}
