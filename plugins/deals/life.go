package deals

import (
	"math"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Codes of the errors a save of a deal can meet; the workspace has a
// sentence for each in both languages.
const (
	CodeServerOwned        = "validation_deal_server_owned"
	CodeStageOtherPipeline = "validation_deal_stage_pipeline"
	CodeLostReasonRequired = "validation_deal_lost_reason_required"
	CodeLostReasonUnknown  = "validation_deal_lost_reason_unknown"
)

func fieldError(field, code, message string) error {
	return validation.Errors{field: validation.NewError(code, message)}
}

// StatusOf is the status a deal has in a stage of this kind.
func StatusOf(kind string) string {
	switch kind {
	case crm.StageWon, crm.StageLost:
		return kind
	}
	return crm.DealOpen
}

// onSave runs inside the save's transaction (its own, or the one already
// open): it sets what the server owns, lets the save go on, then appends the
// stage history.
func (p *plugin) onSave(e *core.RecordEvent, update bool) error {
	original := e.App
	defer func() { e.App = original }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		var prev *core.Record
		if update {
			// The stored row: a record saved twice keeps its first loaded
			// state as Original().
			stored, err := tx.FindRecordById(crm.Deals, e.Record.Id)
			if err != nil {
				return err
			}
			prev = stored
		}
		move, err := p.settle(tx, prev, e.Record)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		if move == nil {
			return nil
		}
		return appendHistory(tx, e.Record, move)
	})
}

// stageMove is a stage a deal entered, for its history row.
type stageMove struct {
	from   string
	at     time.Time
	daysIn float64 // in the stage it left; 0 on create
}

// settle sets the fields the server owns on r (prev is the stored deal, nil
// on create) and says which stage move, if any, the save makes.
func (p *plugin) settle(app core.App, prev, r *core.Record) (*stageMove, error) {
	stage, err := app.FindRecordById(crm.PipelineStages, r.GetString(crm.FieldStage))
	if err != nil {
		return nil, nil // no such stage: PocketBase's own check names the field
	}
	stageChanged := prev == nil || prev.GetString(crm.FieldStage) != stage.Id
	if r.GetString(crm.FieldPipeline) == "" {
		r.Set(crm.FieldPipeline, stage.GetString("pipeline"))
	}
	if (stageChanged || prev.GetString(crm.FieldPipeline) != r.GetString(crm.FieldPipeline)) &&
		stage.GetString("pipeline") != r.GetString(crm.FieldPipeline) {
		return nil, fieldError(crm.FieldStage, CodeStageOtherPipeline, "The stage belongs to another pipeline than the deal's.")
	}

	now := p.now()
	status := StatusOf(stage.GetString("kind"))
	r.Set(crm.FieldDealStatus, status)
	switch status {
	case crm.DealLost:
		reason := strings.TrimSpace(r.GetString(crm.FieldLostReason))
		if reason == "" {
			return nil, fieldError(crm.FieldLostReason, CodeLostReasonRequired, "Say why the deal was lost.")
		}
		r.Set(crm.FieldLostReason, reason)
	default:
		r.Set(crm.FieldLostReason, "")
	}

	if prev == nil {
		// A past deal brought in (the demo, another CRM's history) keeps its
		// dates; a new one starts now.
		if r.GetDateTime(crm.FieldStageChangedAt).IsZero() {
			r.Set(crm.FieldStageChangedAt, now)
		}
		if status == crm.DealOpen {
			r.Set(crm.FieldClosedAt, "")
		} else if r.GetDateTime(crm.FieldClosedAt).IsZero() {
			r.Set(crm.FieldClosedAt, now)
		}
		return &stageMove{at: r.GetDateTime(crm.FieldStageChangedAt).Time()}, nil
	}

	r.Set(crm.FieldClosedAt, prev.GetRaw(crm.FieldClosedAt))
	if status != prev.GetString(crm.FieldDealStatus) {
		if status == crm.DealOpen {
			r.Set(crm.FieldClosedAt, "")
		} else {
			r.Set(crm.FieldClosedAt, now)
		}
	}
	if !stageChanged {
		r.Set(crm.FieldStageChangedAt, prev.GetRaw(crm.FieldStageChangedAt))
		return nil, nil
	}
	since := prev.GetDateTime(crm.FieldStageChangedAt)
	if since.IsZero() {
		since = prev.GetDateTime("created")
	}
	r.Set(crm.FieldStageChangedAt, now)
	return &stageMove{from: prev.GetString(crm.FieldStage), at: now, daysIn: daysBetween(since.Time(), now)}, nil
}

// daysBetween: days from since to now, to the hundredth, never negative.
func daysBetween(since, now time.Time) float64 {
	if since.IsZero() || now.Before(since) {
		return 0
	}
	return math.Round(now.Sub(since).Hours()/24*100) / 100
}

// appendHistory writes the stage history row of a move of deal r.
func appendHistory(app core.App, r *core.Record, m *stageMove) error {
	c, err := app.FindCachedCollectionByNameOrId(crm.DealStageHistory)
	if err != nil {
		return err
	}
	by := ""
	if a := timeline.ActorOf(r); a.Type == timeline.ActorStaff {
		by = a.Staff
	}
	h := core.NewRecord(c)
	h.Load(map[string]any{
		crm.HistoryDeal: r.Id, crm.HistoryPipeline: r.GetString(crm.FieldPipeline),
		crm.HistoryFromStage: m.from, crm.HistoryToStage: r.GetString(crm.FieldStage),
		crm.HistoryStatus: r.GetString(crm.FieldDealStatus), crm.HistoryBy: by,
		crm.HistoryAt: m.at, crm.HistoryDaysIn: m.daysIn,
	})
	return app.Save(h)
}
