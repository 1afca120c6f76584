package crm

// Erasure (plugins/erasure, GDPR art. 17 / LGPD art. 18): a person's request
// to have their data erased, tracked with its legal deadline and decided by a
// manager; on approval the person receives a signed receipt and their data is
// erased or anonymised everywhere, except what the law makes the business keep.
const (
	// ErasureRequests is a dedicated collection rather than a request type:
	// its states and deadline are fixed by law (not a workflow a business
	// edits), and the row must outlive the person's data, keeping only a
	// pseudonymous reference and the receipt's digest and signature, while
	// requests and their messages are erased with everything else.
	ErasureRequests = "erasure_requests"

	ErasureRef        = "ref"         // the pseudonymous reference (ER-XXXXXXXX) the receipt and the anonymised contact carry
	ErasureCustomer   = "customer"    // the portal account that asked (empty when staff recorded it)
	ErasureChannel    = "channel"     // how it was asked: one of ErasureChannels
	ErasureNote       = "note"        // staff's note of a request made by phone or letter (erased on approval)
	ErasureState      = "state"       // one of ErasureStates
	ErasureAskedAt    = "asked_at"    // when it was asked
	ErasureDueAt      = "due_at"      // the legal deadline
	ErasureDecidedAt  = "decided_at"  // when a manager approved or refused it
	ErasureDecidedBy  = "decided_by"  // the manager
	ErasureReason     = "reason"      // the decision's reason, shown to the customer
	ErasureDoneAt     = "done_at"     // when the data was erased
	ErasureRecordedBy = "recorded_by" // the staff member who recorded a request made by phone or letter
	ErasureLanguage   = "language"    // the language of the receipt
	ErasureReceipt    = "receipt"     // the signed receipt's text (it names no person)
	ErasureDigest     = "receipt_sha256"
	ErasureSignature  = "signature" // ed25519 over the receipt's text, base64
	ErasureOutcome    = "outcome"   // what was erased and kept, per collection (no personal data)
)

// States of an erasure request: asked → approved → done, or asked → refused.
const (
	ErasureAsked    = "asked"
	ErasureApproved = "approved" // decided; the erasure itself follows at once
	ErasureRefused  = "refused"
	ErasureDone     = "done"
)

// ErasureStates lists the states in their order.
var ErasureStates = []string{ErasureAsked, ErasureApproved, ErasureRefused, ErasureDone}

// ErasureChannels are how a request reached the business.
var ErasureChannels = []string{"portal", "phone", "letter", "email", "in_person"}

// NotifyErasureAsked tells managers that a person asked for erasure.
const NotifyErasureAsked = "erasure_asked"

// EventErasureDone is the timeline entry an erasure leaves (no names in it).
const EventErasureDone = "erasure_done"

func init() {
	AllCollections = append(AllCollections, ErasureRequests)
	NotifyEvents = append(NotifyEvents, NotifyErasureAsked)
}
