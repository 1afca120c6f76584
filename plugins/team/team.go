// Package team: the team (inviting a colleague by email, roles, deactivating
// a member and handing their open records to someone named, reactivating),
// the order and removal of pipeline stages, and the business's tags.
//
// Staff records stay PocketBase's: the record API lists them and lets a
// member keep their own profile. What needs more than one record written
// together, or a rule a filter cannot say ("the last active manager"), is a
// route here under /api/crm/team, /api/crm/tags and /api/crm/pipelines.
package team

import (
	"net/http"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Register binds the team capability on app.
func Register(app core.App, cfg *crm.Config) error {
	// Every way of signing in (password, code, refresh) ends here; a
	// superuser impersonating the member is let through.
	app.OnRecordAuthRequest(crm.Staff).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if e.Record.GetBool(crm.FieldDeactivated) && !e.HasSuperuserAuth() {
			return e.ForbiddenError("This account is deactivated: ask a manager of your team.", nil)
		}
		return e.Next()
	})
	// Whatever the door (a route here, the record API, the dashboard), the
	// team keeps an active manager, and nobody is deleted with open records.
	app.OnRecordUpdate(crm.Staff).BindFunc(keepAManager)
	app.OnRecordDelete(crm.Staff).BindFunc(deleteOnlyEmptyHanded)
	bindTagsCache(app)
	bindTeams(app)    // teams.go, teams_routing.go
	bindPartners(app) // partner.go

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		r := se.Router
		r.POST("/api/crm/team/invite", func(e *core.RequestEvent) error { return invite(e, cfg) }).Bind(guard.Manager())
		r.POST("/api/crm/team/{id}/invite", func(e *core.RequestEvent) error { return reinvite(e, cfg) }).Bind(guard.Manager())
		r.POST("/api/crm/team/{id}/role", changeRole).Bind(guard.Manager())
		r.GET("/api/crm/team/{id}/holdings", holdingsRoute).Bind(guard.Manager())
		r.POST("/api/crm/team/{id}/deactivate", deactivate).Bind(guard.Manager())
		r.POST("/api/crm/team/{id}/reactivate", reactivate).Bind(guard.Manager())
		r.POST("/api/crm/handover", handover).Bind(guard.Writer())

		r.GET("/api/crm/tags", listTags).Bind(guard.Staff())
		r.POST("/api/crm/tags/rename", renameTag).Bind(guard.Manager())
		r.POST("/api/crm/tags/merge", mergeTags).Bind(guard.Manager())
		r.POST("/api/crm/tags/delete", deleteTag).Bind(guard.Manager())

		r.POST("/api/crm/pipelines/{id}/order", orderStages).Bind(guard.Manager())
		r.POST("/api/crm/pipelines/stages/{id}/delete", deleteStage).Bind(guard.Manager())
		return se.Next()
	})
	return nil
}

// fieldError is the 400 naming one field, with a code the workspace
// translates and an English message for everyone else.
func fieldError(e *core.RequestEvent, field, code, message string) error {
	return e.BadRequestError(message, validation.Errors{field: validation.NewError(code, message)})
}

// member finds the staff member of the route's {id}.
func member(e *core.RequestEvent) (*core.Record, error) {
	r, err := e.App.FindRecordById(crm.Staff, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("No member of the team with that id.", nil)
	}
	return r, nil
}

// activeManagers counts the managers who may still sign in, leaving out
// the member of id exceptID.
func activeManagers(app core.App, exceptID string) (int, error) {
	var n int
	err := app.DB().Select("count(*)").From(crm.Staff).
		Where(dbx.NewExp("role = {:role} AND (deactivated IS NULL OR deactivated = FALSE) AND id != {:id}",
			dbx.Params{"role": crm.RoleManager, "id": exceptID})).
		Row(&n)
	return n, err
}

// keepAManager refuses a change that would leave the team without an
// active manager (a demotion or a deactivation of the last one).
func keepAManager(e *core.RecordEvent) error {
	// The stored row, not Original(): a record saved twice in Go keeps its
	// first loaded state as the original.
	stored, err := e.App.FindRecordById(crm.Staff, e.Record.Id)
	if err != nil || !isActiveManager(stored) || isActiveManager(e.Record) {
		return e.Next()
	}
	n, err := activeManagers(e.App, e.Record.Id)
	if err != nil {
		return err
	}
	if n == 0 {
		return validation.Errors{crm.FieldRole: validation.NewError("validation_last_manager",
			"The team needs at least one active manager: make someone else a manager first.")}
	}
	return e.Next()
}

func isActiveManager(r *core.Record) bool {
	return r.GetString(crm.FieldRole) == crm.RoleManager && !r.GetBool(crm.FieldDeactivated)
}

// deleteOnlyEmptyHanded refuses to delete a member who still holds open
// records (deactivate them instead, naming who takes over) or the last
// active manager.
func deleteOnlyEmptyHanded(e *core.RecordEvent) error {
	h, err := holdingsOf(e.App, e.Record.Id)
	if err != nil {
		return err
	}
	if h.total() > 0 {
		return validation.Errors{crm.FieldDeactivated: validation.NewError("validation_holds_records",
			"This member still holds open records: deactivate them and name who takes over.")}
	}
	if isActiveManager(e.Record) {
		n, err := activeManagers(e.App, e.Record.Id)
		if err != nil {
			return err
		}
		if n == 0 {
			return validation.Errors{crm.FieldRole: validation.NewError("validation_last_manager",
				"The team needs at least one active manager: make someone else a manager first.")}
		}
	}
	return e.Next()
}

// changeRole is POST /api/crm/team/{id}/role {role}.
func changeRole(e *core.RequestEvent) error {
	var body struct {
		Role string `json:"role"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	if !validRole(body.Role) {
		return fieldError(e, crm.FieldRole, "validation_invalid_role", "Choose a role: manager, agent or read-only.")
	}
	r, err := member(e)
	if err != nil {
		return err
	}
	r.Set(crm.FieldRole, body.Role)
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The role was not changed.", err)
	}
	return e.JSON(http.StatusOK, publicMember(r))
}

func validRole(role string) bool {
	return role == crm.RoleManager || role == crm.RoleAgent || role == crm.RoleReadonly || role == crm.RolePartner
}

// publicMember is what the team's routes answer about a member.
func publicMember(r *core.Record) map[string]any {
	return map[string]any{
		"id": r.Id, "name": r.GetString("name"), "email": r.Email(), "role": r.GetString(crm.FieldRole),
		"language": r.GetString("language"), crm.FieldDeactivated: r.GetBool(crm.FieldDeactivated),
		crm.FieldInvitedAt: r.GetString(crm.FieldInvitedAt), "verified": r.Verified(),
	}
}
