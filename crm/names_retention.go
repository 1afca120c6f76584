package crm

// Retention (plugins/retention): the business's rules for how long each kind
// of record is kept, run every night, and the record of each run (issue 20).
const (
	// RetentionRules holds one rule per kind of record: after how many
	// months its records are anonymised, cleared or deleted, and whether
	// the rule is on. Managers read and change them; the server seeds them.
	RetentionRules = "retention_rules"
	// RetentionRuns holds one row per run of the rules: when, who or what
	// started it, and per rule how many records it changed and what failed.
	RetentionRuns = "retention_runs"
)

// Fields of retention_rules.
const (
	RetentionKind    = "kind"    // one of RetentionKinds (unique)
	RetentionMonths  = "months"  // records older than this many months are acted on
	RetentionAction  = "action"  // what happens to them: set by the server from the kind
	RetentionEnabled = "enabled" // off until a manager turns it on
)

// Fields of retention_runs.
const (
	RetentionRunTrigger  = "trigger"  // one of RetentionNightly, RetentionManual
	RetentionRunBy       = "by"       // relation staff: the manager who asked (manual runs)
	RetentionRunStarted  = "started"  // when the run began
	RetentionRunFinished = "finished" // when it ended
	RetentionRunChanged  = "changed"  // records changed by every rule together
	RetentionRunErrors   = "errors"   // how many records or steps failed
	RetentionRunResults  = "results"  // JSON: per rule, kind, months, cut-off, changed and errors
)

// Triggers of a retention run.
const (
	RetentionNightly = "nightly"
	RetentionManual  = "manual"
)

// Kinds of record a retention rule covers.
const (
	RetentionLeads         = "leads"         // contacts who never became customers, with no activity
	RetentionOutbox        = "outbox"        // the content of messages sent, refused or failed
	RetentionAccessLog     = "access_log"    // who looked at a customer's data: reads and exports
	RetentionNotifications = "notifications" // what colleagues were told, in the bell
)

// RetentionKinds are the kinds, in the order the settings show them.
var RetentionKinds = []string{RetentionLeads, RetentionOutbox, RetentionAccessLog, RetentionNotifications}

// Actions of a retention rule.
const (
	RetentionAnonymise = "anonymise" // the person's data is irreversibly removed, the record kept
	RetentionClear     = "clear"     // the content (subject, body, data, files) is removed, the row kept
	RetentionDelete    = "delete"    // the rows are deleted
)

// RetentionActions are the actions, one per kind of RetentionKinds.
var RetentionActions = []string{RetentionAnonymise, RetentionClear, RetentionDelete}

// RetentionActionOf is what a rule of each kind does.
var RetentionActionOf = map[string]string{
	RetentionLeads:         RetentionAnonymise,
	RetentionOutbox:        RetentionClear,
	RetentionAccessLog:     RetentionDelete,
	RetentionNotifications: RetentionDelete,
}

// RetentionDefaultMonths are the months each kind's rule is seeded with.
var RetentionDefaultMonths = map[string]int{
	RetentionLeads:         24,
	RetentionOutbox:        12,
	RetentionAccessLog:     60,
	RetentionNotifications: 12,
}

// RetentionMaxMonths bounds a rule's months (fifty years).
const RetentionMaxMonths = 600

// OutboxClearedAt (outbox) is when a retention rule removed a message's
// content; the row, its state and reason stay.
const OutboxClearedAt = "cleared_at"

func init() { AllCollections = append(AllCollections, RetentionRules, RetentionRuns) }
