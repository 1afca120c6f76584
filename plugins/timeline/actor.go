package timeline

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// Actor types (activities.actor_type).
const (
	ActorStaff       = "staff"
	ActorCustomer    = "customer"
	ActorSystem      = "system"
	ActorIntegration = "integration"
)

// Channels an actor acts through (activities.channel on system entries).
const (
	ChannelWeb    = "web"    // a person in a browser: the staff workspace or the dashboard
	ChannelAPI    = "api"    // a token used by a script or another server
	ChannelPortal = "portal" // a customer
	ChannelSystem = "system" // a cron job or a hook, no request
)

// Actor is who made a change and through which door.
type Actor struct {
	Type     string `json:"type"`               // staff, customer, system, integration
	Staff    string `json:"staff,omitempty"`    // staff record id
	Customer string `json:"customer,omitempty"` // customers record id
	Channel  string `json:"channel,omitempty"`  // web, api, portal, system
}

var (
	// System is the actor of a save without a request: cron jobs, hooks,
	// commands.
	System = Actor{Type: ActorSystem, Channel: ChannelSystem}
	// Integration is the actor of a save made on behalf of another system
	// (a channel webhook, an import): mark the record with
	// SetActor(record, timeline.Integration) before saving it.
	Integration = Actor{Type: ActorIntegration, Channel: ChannelAPI}
)

// ActorKey is the record's custom-data key that carries its actor from the
// request hooks (which know the auth) to the model hooks (which run inside
// the save's transaction and do not). PocketBase never exports custom keys
// with the "@pbInternal" prefix, so the actor never leaks into an API answer
// or a realtime event.
//
// From a JavaScript hook, mark a record before $app.save(record) with
// record.set("@pbInternalVinculoActor", "integration") — a string is read as
// the actor type; an object {type, staff, customer, channel} as a whole Actor.
const ActorKey = "@pbInternalVinculoActor"

// SetActor marks who is changing record, for the timeline entries its save
// writes. Request hooks do it for every save through the record API; Go code
// that saves on someone's behalf does it itself.
func SetActor(record *core.Record, a Actor) {
	record.SetRaw(ActorKey, normalize(a))
}

// ActorOf is the actor marked on record, or System when nobody marked it.
func ActorOf(record *core.Record) Actor {
	if record == nil {
		return System
	}
	var a Actor
	switch v := record.GetRaw(ActorKey).(type) {
	case Actor:
		a = v
	case *Actor:
		if v != nil {
			a = *v
		}
	case string: // from JavaScript: just the type
		a = Actor{Type: v}
	case map[string]any: // from JavaScript: a whole actor
		a = Actor{Type: cast.ToString(v["type"]), Staff: cast.ToString(v["staff"]),
			Customer: cast.ToString(v["customer"]), Channel: cast.ToString(v["channel"])}
	default:
		return System
	}
	return normalize(a)
}

// normalize fills the default channel; an unknown or missing type is the
// system's, and never names someone.
func normalize(a Actor) Actor {
	switch a.Type {
	case ActorStaff, ActorCustomer, ActorIntegration:
	case ActorSystem:
		a.Staff, a.Customer = "", ""
	default:
		return System
	}
	if a.Channel != ChannelAPI && a.Channel != ChannelSystem && !slices.Contains(crm.Channels, a.Channel) {
		a.Channel = defaultChannel(a.Type) // a channel the timeline cannot store would refuse the change
	}
	return a
}

func defaultChannel(actorType string) string {
	switch actorType {
	case ActorCustomer:
		return ChannelPortal
	case ActorStaff, ActorIntegration:
		return ChannelAPI
	}
	return ChannelSystem
}

// FromRequest is the actor of a request: a staff member (web from the
// workspace in a browser, api otherwise), a customer (always the portal), a
// superuser or another auth collection (integration), or nobody (system).
func FromRequest(e *core.RequestEvent) Actor {
	if e == nil || e.Auth == nil {
		return System
	}
	channel := ChannelAPI
	// Browsers mark a request from a page of the same server; scripts and
	// other servers do not send the header.
	if e.Request != nil && e.Request.Header.Get("Sec-Fetch-Site") == "same-origin" {
		channel = ChannelWeb
	}
	switch e.Auth.Collection().Name {
	case crm.Staff:
		return Actor{Type: ActorStaff, Staff: e.Auth.Id, Channel: channel}
	case crm.Customers:
		return Actor{Type: ActorCustomer, Customer: e.Auth.Id, Channel: ChannelPortal}
	}
	return Actor{Type: ActorIntegration, Channel: channel}
}

// markRequests marks every record saved or deleted through the record API
// (batch requests included) with its request's actor. The request hooks wrap
// the save, so the mark is on the record when the model hooks run.
func markRequests(app core.App) {
	mark := func(e *core.RecordRequestEvent) error {
		SetActor(e.Record, FromRequest(e.RequestEvent))
		return e.Next()
	}
	// Ids make Register idempotent; the lowest priority marks before any
	// other request hook runs.
	app.OnRecordCreateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.timeline.actor.create", Func: mark, Priority: -1000})
	app.OnRecordUpdateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.timeline.actor.update", Func: mark, Priority: -1000})
	app.OnRecordDeleteRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.timeline.actor.delete", Func: mark, Priority: -1000})
}
