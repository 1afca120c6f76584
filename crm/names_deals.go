package crm

// The life of a deal (plugins/deals).
const (
	// DealStageHistory holds one row per stage a deal entered: the deal, the
	// stage it left and the one it entered, who moved it (empty for the
	// system), when, and how many days it had spent in the stage it left.
	// Written only by the server; the reports read it for conversion and
	// cycle times.
	DealStageHistory = "deal_stage_history"
	// LostReasons is the list of reasons a manager keeps for losing a deal.
	LostReasons = "lost_reasons"
)

// Fields of deals the server owns: staff never send them through the API.
const (
	FieldStage          = "stage"
	FieldPipeline       = "pipeline"
	FieldDealStatus     = "status"
	FieldClosedAt       = "closed_at"
	FieldStageChangedAt = "stage_changed_at"
	FieldLostReason     = "lost_reason"
)

// Fields of deal_stage_history.
const (
	HistoryDeal      = "deal"
	HistoryPipeline  = "pipeline"
	HistoryFromStage = "from_stage"
	HistoryToStage   = "to_stage"
	HistoryStatus    = "status" // the deal's status once in to_stage
	HistoryBy        = "by"     // staff id, empty for the system
	HistoryAt        = "at"
	HistoryDaysIn    = "days_in_previous"
)

// Stage kinds (field `kind` of pipeline_stages): the same words as the
// deal statuses they lead to.
const (
	StageOpen = DealOpen
	StageWon  = DealWon
	StageLost = DealLost
)

func init() { AllCollections = append(AllCollections, DealStageHistory, LostReasons) }
