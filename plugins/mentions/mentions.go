package mentions

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/plugins/notifications"
	"vinculo/plugins/timeline"
)

// excerptLength is how much of a note a notification quotes.
const excerptLength = 160

// Register binds the mentions to every save of a note, whatever the door
// (the record API, a route, a hook): the model hooks run inside the save.
func Register(app core.App, _ *crm.Config) error {
	for _, collection := range []string{crm.Activities, crm.CaseMessages} {
		// After the timeline's own hooks (a note's edit history is set
		// first, so that a public note's history is flattened too).
		app.OnRecordCreate(collection).Bind(&hook.Handler[*core.RecordEvent]{
			Id: "vinculo.mentions.create." + collection, Priority: 50,
			Func: func(e *core.RecordEvent) error { return onSave(e, "") },
		})
		app.OnRecordUpdate(collection).Bind(&hook.Handler[*core.RecordEvent]{
			Id: "vinculo.mentions.update." + collection, Priority: 50,
			Func: func(e *core.RecordEvent) error {
				before := ""
				if stored, err := e.App.FindRecordById(e.Record.Collection(), e.Record.Id); err == nil {
					before = stored.GetString("body")
				}
				return onSave(e, before)
			},
		})
	}
	return nil
}

// onSave flattens what a customer may read, or, on a staff-only note,
// tells each colleague newly mentioned once the note is saved.
func onSave(e *core.RecordEvent, before string) error {
	r := e.Record
	if !staffOnlyNote(r) {
		flatten(r)
		return e.Next()
	}
	if err := e.Next(); err != nil {
		return err
	}
	newly := Newly(before, r.GetString("body"))
	if len(newly) == 0 {
		return nil
	}
	by := author(r)
	link, data := about(e.App, r)
	data["by_name"] = nameOf(e.App, by)
	data["excerpt"] = Excerpt(r.GetString("body"), excerptLength)
	data["note"] = r.Id
	data["note_collection"] = r.Collection().Name
	for _, m := range newly {
		if m.Staff == by {
			continue // nobody is told of their own words
		}
		if _, err := e.App.FindRecordById(crm.Staff, m.Staff); err != nil {
			continue // a token naming nobody of the team
		}
		err := notifications.Notify(e.App, notifications.Notice{
			To: m.Staff, By: by, Event: crm.NotifyMentioned,
			Collection: link.Collection, Record: link.Record, Data: data,
		})
		if err != nil {
			// The note is saved whatever happens to the bell.
			e.App.Logger().Warn("mention not notified", "note", r.Id, "to", m.Staff, "error", err)
		}
	}
	return nil
}

// staffOnlyNote: a note a staff member wrote that no customer reads (a
// timeline entry that is not public, an internal note on a request).
func staffOnlyNote(r *core.Record) bool {
	switch r.Collection().Name {
	case crm.Activities:
		return r.GetString("actor_type") == timeline.ActorStaff && r.GetString("staff") != "" && !r.GetBool("public")
	case crm.CaseMessages:
		return r.GetBool("internal") && r.GetString("author_staff") != "" && r.GetString("author_customer") == ""
	}
	return false
}

// flatten turns tokens into plain names in every text a customer may read
// of r: its body, its subject, and the earlier words of an edited note.
func flatten(r *core.Record) {
	for _, field := range []string{"body", "subject"} {
		if r.Collection().Fields.GetByName(field) == nil {
			continue
		}
		if v := r.GetString(field); token.MatchString(v) {
			r.Set(field, Flatten(v))
		}
	}
	if r.Collection().Fields.GetByName("edits") != nil {
		if raw := r.GetString("edits"); token.MatchString(raw) {
			r.Set("edits", Flatten(raw))
		}
	}
}

// author is the colleague whose save it is: the request's staff member
// when the save came through one, else the note's author.
func author(r *core.Record) string {
	if a := timeline.ActorOf(r); a.Type == timeline.ActorStaff && a.Staff != "" {
		return a.Staff
	}
	if r.Collection().Name == crm.CaseMessages {
		return r.GetString("author_staff")
	}
	return r.GetString("staff")
}

type link struct{ Collection, Record string }

// about is the record a note is on (a request, a deal, a contact, a
// company: what the notification opens) and the words naming it.
func about(app core.App, r *core.Record) (link, map[string]any) {
	data := map[string]any{}
	if r.Collection().Name == crm.CaseMessages {
		id := r.GetString("case")
		if c, err := app.FindRecordById(crm.Cases, id); err == nil {
			data["title"] = c.GetString("subject")
			data["reference"] = c.GetString("reference")
		}
		return link{crm.Cases, id}, data
	}
	for _, on := range []struct{ field, collection, title string }{
		{"deal", crm.Deals, "title"}, {crm.FieldContact, crm.Contacts, "name"},
		{crm.FieldCompany, crm.Companies, "name"}, {"case", crm.Cases, "subject"},
	} {
		id := r.GetString(on.field)
		if id == "" {
			continue
		}
		if rec, err := app.FindRecordById(on.collection, id); err == nil {
			data["title"] = rec.GetString(on.title)
		}
		data["kind"] = on.collection
		return link{on.collection, id}, data
	}
	return link{crm.Activities, r.Id}, data
}

func nameOf(app core.App, staffID string) string {
	if staffID == "" {
		return ""
	}
	s, err := app.FindRecordById(crm.Staff, staffID)
	if err != nil {
		return ""
	}
	return s.GetString("name")
}
