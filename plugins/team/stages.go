package team

import (
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
)

// A pipeline's stages are records of their own, which managers add, rename
// and set through the record API: two managers editing different stages
// never meet, and on one stage the last write wins per field. The order is
// the one thing that spans stages: orderStages writes every position of a
// pipeline in one transaction, from the full list the manager saw, and
// refuses a list that no longer matches the pipeline's stages (a colleague
// added or removed one meanwhile) with 409, so that no order is ever a mix
// of two managers' moves.

// StagesConflictMessage answers a reorder made from an outdated list.
const StagesConflictMessage = "The stages of this pipeline changed meanwhile: look at them again and reorder."

func stagesOf(app core.App, pipelineID string) ([]*core.Record, error) {
	var out []*core.Record
	err := app.RecordQuery(crm.PipelineStages).
		AndWhere(dbx.HashExp{crm.FieldPipeline: pipelineID}).
		OrderBy("position ASC", "created ASC", "id ASC").All(&out)
	return out, err
}

// orderStages is POST /api/crm/pipelines/{id}/order {stages: [id, ...]}:
// the stages, every one of the pipeline's, in their new order.
func orderStages(e *core.RequestEvent) error {
	var body struct {
		Stages []string `json:"stages"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	pipeline, err := e.App.FindRecordById(crm.Pipelines, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No pipeline with that id.", nil)
	}
	if len(body.Stages) == 0 {
		return fieldError(e, "stages", "validation_required", "List the pipeline's stages in their new order.")
	}
	var ordered []*core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		stages, err := stagesOf(tx, pipeline.Id)
		if err != nil {
			return err
		}
		if !sameStages(stages, body.Stages) {
			return router.NewApiError(http.StatusConflict, StagesConflictMessage, nil)
		}
		for i, id := range body.Stages {
			s := stages[slices.IndexFunc(stages, func(r *core.Record) bool { return r.Id == id })]
			if s.GetInt("position") == i+1 {
				continue
			}
			s.Set("position", i+1)
			if err := tx.Save(s); err != nil {
				return err
			}
		}
		ordered, err = stagesOf(tx, pipeline.Id)
		return err
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"stages": ordered})
}

// sameStages: ids names each of stages exactly once.
func sameStages(stages []*core.Record, ids []string) bool {
	if len(stages) != len(ids) {
		return false
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || !slices.ContainsFunc(stages, func(r *core.Record) bool { return r.Id == id }) {
			return false
		}
		seen[id] = true
	}
	return true
}

// deleteStage is POST /api/crm/pipelines/stages/{id}/delete {move_to}: the
// stage goes; the deals in it first move, in the same transaction, to
// move_to (another stage of the same pipeline), which must be named when
// there are any.
func deleteStage(e *core.RequestEvent) error {
	var body struct {
		MoveTo string `json:"move_to"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	stage, err := e.App.FindRecordById(crm.PipelineStages, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No stage with that id.", nil)
	}
	deals, err := e.App.FindAllRecords(crm.Deals, dbx.HashExp{crm.FieldStage: stage.Id})
	if err != nil {
		return err
	}
	var target *core.Record
	if len(deals) > 0 || body.MoveTo != "" {
		if body.MoveTo == "" {
			return fieldError(e, "move_to", "validation_move_to_required", "Deals are in this stage: choose the stage they move to.")
		}
		target, err = e.App.FindRecordById(crm.PipelineStages, body.MoveTo)
		if err != nil || target.Id == stage.Id || target.GetString(crm.FieldPipeline) != stage.GetString(crm.FieldPipeline) {
			return fieldError(e, "move_to", "validation_move_to_invalid", "Choose another stage of the same pipeline.")
		}
	}
	moved := 0
	err = e.App.RunInTransaction(func(tx core.App) error {
		// Read again inside: a deal moved into the stage meanwhile goes too.
		deals, err := tx.FindAllRecords(crm.Deals, dbx.HashExp{crm.FieldStage: stage.Id})
		if err != nil {
			return err
		}
		if len(deals) > 0 && target == nil {
			return validation.Errors{"move_to": validation.NewError("validation_move_to_required", "Deals are in this stage: choose the stage they move to.")}
		}
		moved = len(deals)
		for _, d := range deals {
			d.Set(crm.FieldStage, target.Id)
			if err := tx.Save(d); err != nil {
				return err
			}
		}
		return tx.Delete(stage)
	})
	if err != nil {
		return e.BadRequestError("The stage was not deleted; no deal moved.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"moved": moved})
}
