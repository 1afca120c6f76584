package merge

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/timeline"
)

// Register adds the routes: managers and agents (and superusers) merge and
// undo; readonly staff and customers do not.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.merge.routes", Func: func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/merge", handleMerge).Bind(guard.Writer())
		se.Router.POST("/api/crm/merges/{id}/undo", handleUndo).Bind(guard.Writer())
		return se.Next()
	}})
	return nil
}

func fieldError(field, code, msg string) validation.Errors {
	return validation.Errors{field: validation.NewError(code, msg)}
}

// staffOf is the staff member making the request, "" for a superuser.
func staffOf(e *core.RequestEvent) string {
	if e.HasSuperuserAuth() {
		return ""
	}
	return e.Auth.Id
}

func handleMerge(e *core.RequestEvent) error {
	var req Request
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The body must be JSON: {kind, survivor, other, fields}.", nil)
	}
	other, err := checkRequest(e, req)
	if err != nil {
		return err
	}
	// The other record is deleted: the same rule as deleting it (agents
	// only their own).
	manager := guard.IsManager(e.Auth)
	if !manager && other.GetString(crm.FieldOwner) != e.Auth.Id {
		return e.ForbiddenError("Agents can merge away only records they own.", nil)
	}
	req.By, req.ByStaff, req.MayDelete = timeline.FromRequest(e), staffOf(e), nil
	// Clashing rows are deleted as the record API would: an agent may not
	// close a portal account (managers only) nor delete a consent (nobody).
	if !manager {
		info, err := e.RequestInfo()
		if err != nil {
			return e.BadRequestError("", err)
		}
		req.MayDelete = func(tx core.App, rec *core.Record) (bool, error) {
			return tx.CanAccessRecord(rec, info, rec.Collection().DeleteRule)
		}
	}
	var result *Result
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		result, err = Merge(tx, req)
		return err
	})
	if err != nil {
		var ve validation.Errors
		if errors.As(err, &ve) {
			return e.BadRequestError("The merged values are not valid.", ve)
		}
		var nm *NeedsManagerError
		if errors.As(err, &nm) {
			return e.ForbiddenError(nm.Error(), fieldError("other", "validation_needs_manager", nm.Error()))
		}
		return e.InternalServerError("The merge failed; nothing was changed.", err)
	}
	return e.JSON(http.StatusOK, result)
}

// checkRequest answers a merge request that cannot be made (400, 404) and
// returns the record to merge away.
func checkRequest(e *core.RequestEvent, req Request) (*core.Record, error) {
	if req.Kind != crm.Contacts && req.Kind != crm.Companies {
		return nil, e.BadRequestError("Choose what to merge.", fieldError("kind", "validation_invalid_kind", "Use contacts or companies."))
	}
	if req.Survivor == "" {
		return nil, e.BadRequestError("Choose the record to keep.", fieldError("survivor", "validation_required", "Choose the record to keep."))
	}
	if req.Other == "" {
		return nil, e.BadRequestError("Choose the record to merge into it.", fieldError("other", "validation_required", "Choose the record to merge into the one kept."))
	}
	if req.Other == req.Survivor {
		return nil, e.BadRequestError("A record cannot be merged into itself.", fieldError("other", "validation_same", "Choose a different record."))
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(req.Kind)
	if err != nil {
		return nil, e.InternalServerError("", err)
	}
	mergeable := MergeableFields(collection)
	for field, choice := range req.Fields {
		if !slices.Contains(mergeable, field) {
			return nil, e.BadRequestError("Unknown field.", fieldError("fields", "validation_unknown_field", fmt.Sprintf("%s is not a field of %s that can be merged.", field, req.Kind)))
		}
		if choice != SurvivorChoice && choice != OtherChoice {
			return nil, e.BadRequestError("Invalid choice.", fieldError("fields", "validation_invalid_choice", fmt.Sprintf("For %s, choose survivor or other.", field)))
		}
	}
	if _, err := e.App.FindRecordById(collection, req.Survivor); err != nil {
		return nil, e.NotFoundError("The record to keep was not found.", fieldError("survivor", "validation_not_found", "Not found."))
	}
	other, err := e.App.FindRecordById(collection, req.Other)
	if err != nil {
		return nil, e.NotFoundError("The record to merge was not found.", fieldError("other", "validation_not_found", "Not found."))
	}
	return other, nil
}

func handleUndo(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(crm.Merges, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("That merge was not found.", nil)
	}
	// Managers undo any merge; agents the ones they made.
	if !guard.IsManager(e.Auth) && rec.GetString("staff") != e.Auth.Id {
		return e.ForbiddenError("Only a manager or the person who merged can undo this merge.", nil)
	}
	actor, staffID := timeline.FromRequest(e), staffOf(e)
	var undone *Undone
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		undone, err = Undo(tx, rec.Id, actor, staffID, time.Now())
		return err
	})
	switch {
	case errors.Is(err, ErrUndone), errors.Is(err, ErrClash):
		return e.Error(http.StatusConflict, err.Error(), nil)
	case errors.Is(err, ErrExpired):
		return e.BadRequestError(err.Error(), nil)
	case err != nil:
		return e.InternalServerError("The undo failed; nothing was changed.", err)
	}
	survivor, _ := e.App.FindRecordById(rec.GetString("kind"), rec.GetString("survivor"))
	other, _ := e.App.FindRecordById(rec.GetString("kind"), rec.GetString("other_id"))
	return e.JSON(http.StatusOK, map[string]any{"survivor": survivor, "other": other, "notes": undone.Notes, "kept": undone.Kept})
}
