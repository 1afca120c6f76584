package hooksapi

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Actors and timeline entries as JavaScript writes them.

// actorOf reads an actor: "system", "integration", {type, staff, customer,
// channel}, or a staff or customers record.
func actorOf(v any) (timeline.Actor, error) {
	switch x := v.(type) {
	case string:
		if x != timeline.ActorSystem && x != timeline.ActorIntegration {
			return timeline.Actor{}, router.NewBadRequestError(`actor: "system", "integration", {type, staff, customer, channel} or a staff or customers record`, nil)
		}
		return timeline.ActorOf(withActor(x)), nil
	case map[string]any:
		return timeline.ActorOf(withActor(x)), nil
	case *core.Record:
		a, err := actingRecord(x)
		if err != nil {
			return timeline.Actor{}, err
		}
		return a.actor, nil
	}
	return timeline.Actor{}, router.NewBadRequestError(`actor: "system", "integration", {type, staff, customer, channel} or a staff or customers record`, nil)
}

// withActor reads an actor mark the way the timeline reads one.
func withActor(mark any) *core.Record {
	r := core.NewRecord(core.NewBaseCollection("actor"))
	r.SetRaw(timeline.ActorKey, mark)
	return r
}

// entryOf reads a timeline entry written in JavaScript.
func entryOf(app core.App, m map[string]any) (timeline.Entry, error) {
	e := timeline.Entry{
		Event: cast.ToString(m["event"]), Type: cast.ToString(m["type"]),
		Subject: cast.ToString(m["subject"]), Body: cast.ToString(m["body"]),
		Public: cast.ToBool(m["public"]), Direction: cast.ToString(m["direction"]), Channel: cast.ToString(m["channel"]),
		Contact: idOf(m["contact"]), Company: idOf(m["company"]), Deal: idOf(m["deal"]), Case: idOf(m["case"]),
		RefCollection: cast.ToString(m["refCollection"]), RefID: cast.ToString(m["refId"]),
		Actor: timeline.System,
	}
	if d, ok := m["data"].(map[string]any); ok {
		e.Data = d // what the workspace words the event with, in the reader's language
	}
	if v, ok := m["actor"]; ok && v != nil {
		a, err := actorOf(v)
		if err != nil {
			return e, err
		}
		e.Actor = a
	}
	if v, ok := m["occurredAt"]; ok && v != nil {
		t, err := toTime(v)
		if err != nil {
			return e, router.NewBadRequestError("occurredAt: "+err.Error(), nil)
		}
		e.OccurredAt = t
	}
	if e.Contact == "" && e.Company == "" && e.Deal == "" && e.Case == "" {
		return e, router.NewBadRequestError("addToTimeline: link the entry to a contact, company, deal or case.", nil)
	}
	if e.Case != "" && e.Contact == "" {
		if c, err := app.FindRecordById(crm.Cases, e.Case); err == nil {
			e.Contact = c.GetString(crm.FieldContact)
		}
	}
	return e, nil
}
