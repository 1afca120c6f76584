// Package guard is the one door check of Vinculo's own routes: route
// middlewares that let in staff by role, beside PocketBase's
// apis.RequireAuth. A route binds the guard of the least role it needs; a
// handler that must tell roles apart inside (a manager may do more) asks the
// predicates. Superusers pass every guard.
//
//	se.Router.GET("/api/crm/search", handle).Bind(guard.Staff())
package guard

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

// Ids of the middlewares, so that a route can unbind one.
const (
	StaffId   = "vinculoGuardStaff"
	WriterId  = "vinculoGuardWriter"
	ManagerId = "vinculoGuardManager"
)

// writerRoles are the roles that may change CRM data.
var writerRoles = []string{crm.RoleManager, crm.RoleAgent}

// IsStaff: a superuser or any member of the team; partners (outside
// technicians who see only their requests) are not.
func IsStaff(auth *core.Record) bool {
	return auth != nil && (auth.IsSuperuser() ||
		(auth.Collection().Name == crm.Staff && auth.GetString(crm.FieldRole) != crm.RolePartner))
}

// IsWriter: a superuser, a manager or an agent.
func IsWriter(auth *core.Record) bool {
	return auth != nil && (auth.IsSuperuser() ||
		(auth.Collection().Name == crm.Staff && slices.Contains(writerRoles, auth.GetString(crm.FieldRole))))
}

// IsManager: a superuser or a manager.
func IsManager(auth *core.Record) bool {
	return auth != nil && (auth.IsSuperuser() ||
		(auth.Collection().Name == crm.Staff && auth.GetString(crm.FieldRole) == crm.RoleManager))
}

// Staff lets in every member of the team (readonly too) and superusers.
func Staff() *hook.Handler[*core.RequestEvent] {
	return middleware(StaffId, IsStaff, "Only staff can do this.")
}

// Writer lets in managers, agents and superusers.
func Writer() *hook.Handler[*core.RequestEvent] {
	return middleware(WriterId, IsWriter, "Only managers and agents can do this.")
}

// Manager lets in managers and superusers.
func Manager() *hook.Handler[*core.RequestEvent] {
	return middleware(ManagerId, IsManager, "Only managers can do this.")
}

func middleware(id string, allowed func(*core.Record) bool, refusal string) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: id,
		Func: func(e *core.RequestEvent) error {
			if e.Auth == nil {
				return e.UnauthorizedError("Sign in as staff first.", nil)
			}
			if !allowed(e.Auth) {
				return e.ForbiddenError(refusal, nil)
			}
			return e.Next()
		},
	}
}
