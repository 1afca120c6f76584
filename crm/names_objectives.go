package crm

// Objectives (plugins/insights/objectives.go): a target set on a figure of
// the insights boards, measured once a day.
const (
	// Objectives: the figure ("board/key") with its filters, the target and
	// its direction, how the figure is measured (its period kind), the
	// start and due dates, an optional cost and owner. Managers write; staff read.
	Objectives = "objectives"
	// ObjectiveSnapshots: one row per objective per day, the figure's value
	// then and the target then. Written by the server; staff read.
	ObjectiveSnapshots = "objective_snapshots"
)

// Fields of objectives.
const (
	ObjectiveName      = "name"
	ObjectiveFigure    = "figure"  // "board/key", one of insights.Keys()
	ObjectiveFilters   = "filters" // {"pipeline": id, "owner": id, ...}
	ObjectiveTarget    = "target"
	ObjectiveDirection = "direction" // ObjectiveAtLeast or ObjectiveAtMost
	ObjectivePeriod    = "period"    // Measure* below
	ObjectiveStart     = "start_date"
	ObjectiveDue       = "due_date"
	ObjectiveCost      = "cost"
	ObjectiveOwner     = "owner"
)

// Directions of an objective.
const (
	ObjectiveAtLeast = "at_least"
	ObjectiveAtMost  = "at_most"
)

// How an objective's figure is measured on a day.
const (
	MeasureMonthToDate   = "month_to_date"   // from the first of that month to the day
	MeasureQuarterToDate = "quarter_to_date" // from the first day of that quarter
	MeasureYearToDate    = "year_to_date"
	MeasureRolling30     = "rolling_30"  // the 30 days ending that day
	MeasureSinceStart    = "since_start" // from the objective's start date
)

// MeasurePeriods lists them.
var MeasurePeriods = []string{MeasureMonthToDate, MeasureQuarterToDate, MeasureYearToDate, MeasureRolling30, MeasureSinceStart}

// Fields of objective_snapshots.
const (
	SnapshotObjective  = "objective"
	SnapshotDay        = "day" // YYYY-MM-DD in the business's time zone
	SnapshotValue      = "value"
	SnapshotNoValue    = "no_value" // nothing counted that day (a win rate with no closed deal)
	SnapshotTarget     = "target"
	SnapshotMeasuredAt = "measured_at"
)

func init() { AllCollections = append(AllCollections, Objectives, ObjectiveSnapshots) }
