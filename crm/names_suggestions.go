package crm

// Next best action (plugins/predictions, suggest*.go): what the value model
// suggests doing with each contact, and the portal's "why was I offered
// this" (objection*.go).
const (
	// Suggestions holds one row per suggestion for a contact: its kind, its
	// reasons (events with the numbers behind them, worded by the UI), and
	// what the team did with it (accepted or dismissed: who, when, a note).
	// Staff read (the contact's owner sees theirs on Home); the server
	// writes; writers accept or dismiss through the route; customers read
	// their own suggestions' reasons only through the portal's route.
	Suggestions = "suggestions"
)

// Fields of suggestions.
const (
	SuggestContact    = "contact"     // relation contacts
	SuggestOwner      = "owner"       // relation staff: the contact's owner when it was suggested
	SuggestKind       = "kind"        // Suggest*
	SuggestSubject    = "subject"     // what it is about within its kind: a product code, a request id, or empty
	SuggestKey        = "key"         // the reason's fingerprint: a dismissed suggestion comes back only when it changes
	SuggestReasons    = "reasons"     // JSON [{event, data}]: the UI words each (Reason* events)
	SuggestRank       = "rank"        // higher first
	SuggestDue        = "due"         // when to act (a reorder's expected day), may be empty
	SuggestState      = "state"       // SuggestionOpen, SuggestionAccepted, SuggestionDismissed
	SuggestDecidedBy  = "decided_by"  // relation staff
	SuggestDecidedAt  = "decided_at"  // date
	SuggestNote       = "note"        // the team's note on accepting or dismissing: never shown to the customer
	SuggestTask       = "task"        // relation tasks: the task an accepted suggestion created
	SuggestFit        = "fit"         // relation prediction_fits: the fit it came from, if any
	SuggestComputedAt = "computed_at" // date
)

// Kinds of suggestion (suggestions.kind), the UI words them.
const (
	SuggestReorder     = "reorder"       // their own cycle says a product is due again
	SuggestLapse       = "lapse"         // likely to stop buying: P(active) low, long since the last purchase
	SuggestCrossSell   = "cross_sell"    // a product often bought with what they have
	SuggestOpenRequest = "open_request"  // a request is open: offer nothing now (holds the others back)
	SuggestValueAtRisk = "value_at_risk" // one of the most valuable customers, slipping away
)

// SuggestKinds lists the kinds of suggestion.
var SuggestKinds = []string{SuggestReorder, SuggestLapse, SuggestCrossSell, SuggestOpenRequest, SuggestValueAtRisk}

// States of a suggestion (suggestions.state).
const (
	SuggestionOpen      = "open"
	SuggestionAccepted  = "accepted"
	SuggestionDismissed = "dismissed"
)

// SuggestionStates lists the states of a suggestion.
var SuggestionStates = []string{SuggestionOpen, SuggestionAccepted, SuggestionDismissed}

// Reasons of a suggestion (suggestions.reasons[].event); the UI words each
// with its data, for the team and, in other words, for the customer.
const (
	ReasonCycle       = "cycle"         // {product, name, days, times, last, since}
	ReasonDue         = "due"           // {product, name, in_days, next}
	ReasonPActive     = "p_active"      // {p}
	ReasonLastBought  = "last_purchase" // {days, last, purchases}
	ReasonBoughtWith  = "bought_with"   // {if, if_name, then, then_name, confidence, lift, count}
	ReasonOpenRequest = "open_request"  // {case, reference, subject, since, held}
	ReasonValue       = "value"         // {clv, total, currency, rank_pct}
	ReasonRFMClass    = "rfm_class"     // {class}
)

// Timeline events of suggestions (activities.event), worded by the UI.
const (
	EventSuggestionAccepted  = "suggestion.accepted"  // {kind, subject, name, note, task}
	EventSuggestionDismissed = "suggestion.dismissed" // {kind, subject, name, note}
)

func init() { AllCollections = append(AllCollections, Suggestions) }
