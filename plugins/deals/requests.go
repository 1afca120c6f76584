package deals

import (
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

// ServerOwned are the deal fields only the server writes.
var ServerOwned = []string{crm.FieldStageChangedAt, crm.FieldDealStatus, crm.FieldClosedAt}

// bindRequests binds the checks of the record API (batch requests
// included): they run before the save, and only for requests, so the
// system's own saves are not held to them.
func bindRequests(app core.App) {
	check := func(e *core.RecordRequestEvent) error {
		if err := checkDealRequest(e); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Deals).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.deals.request.create", Func: check})
	app.OnRecordUpdateRequest(crm.Deals).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.deals.request.update", Func: check})

	// The history is the server's record of what happened: nobody writes it
	// through the API, superusers included.
	refuse := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("The stage history is written by the server alone.", nil)
	}
	app.OnRecordCreateRequest(crm.DealStageHistory).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.deals.history.create", Func: refuse})
	app.OnRecordUpdateRequest(crm.DealStageHistory).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.deals.history.update", Func: refuse})
	app.OnRecordDeleteRequest(crm.DealStageHistory).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.deals.history.delete", Func: refuse})
}

// checkDealRequest refuses the server-owned fields from anyone but a
// superuser, and a lost reason that is not one of the active reasons.
func checkDealRequest(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if !info.HasSuperuserAuth() {
		for _, field := range ServerOwned {
			if _, sent := info.Body[field]; sent {
				return e.BadRequestError("The server sets "+field+" from the deal's stage.",
					validation.Errors{field: validation.NewError(CodeServerOwned, "The server sets this field from the deal's stage: send only the stage.")})
			}
		}
	}
	r := e.Record
	stage, err := e.App.FindRecordById(crm.PipelineStages, r.GetString(crm.FieldStage))
	if err != nil || StatusOf(stage.GetString("kind")) != crm.DealLost {
		return nil // the model hook and PocketBase's checks say the rest
	}
	orig := r.Original()
	reason := strings.TrimSpace(r.GetString(crm.FieldLostReason))
	losing := r.IsNew() || orig.GetString(crm.FieldDealStatus) != crm.DealLost
	if !losing && reason == strings.TrimSpace(orig.GetString(crm.FieldLostReason)) {
		return nil // already lost for this reason: a change of something else
	}
	if reason == "" {
		return e.BadRequestError("Say why the deal was lost.",
			validation.Errors{crm.FieldLostReason: validation.NewError(CodeLostReasonRequired, "Say why the deal was lost.")})
	}
	names, err := ActiveReasons(e.App)
	if err != nil {
		return err
	}
	if !slices.Contains(names, reason) {
		return e.BadRequestError("The lost reason is not one of the business's reasons.",
			validation.Errors{crm.FieldLostReason: validation.NewError(CodeLostReasonUnknown, "Choose one of the business's reasons for losing a deal.")})
	}
	return nil
}

// ActiveReasons are the names of the active lost reasons, in their order.
func ActiveReasons(app core.App) ([]string, error) {
	var names []string
	err := app.DB().Select("name").From(crm.LostReasons).Where(dbx.HashExp{"active": true}).
		OrderBy("position", "name").Column(&names)
	return names, err
}
