package crm

// Restriction of processing (GDPR art. 18, LGPD art. 18) and objection to
// marketing (art. 21): plugins/restriction. The state is on the contact
// (contacts.restricted_at: since when, empty when not restricted), so the
// outbox, the segments and the value model read it with the contact; every
// change is a row of processing_restrictions, the proof of who asked, when
// and through which door, set by the server.
const (
	// ProcessingRestrictions holds one row per restriction or lift of a
	// contact's processing, never edited: the history staff and the
	// customer read. Staff read (under the team visibility), the customer
	// their own; only the server writes.
	ProcessingRestrictions = "processing_restrictions"

	// ContactRestrictedAt (contacts) is when the contact's processing was
	// restricted; empty when it is not. The server's alone.
	ContactRestrictedAt = "restricted_at"
)

// Fields of processing_restrictions.
const (
	RestrictContact        = "contact" // relation contacts
	RestrictAction         = "action"  // RestrictionOn or RestrictionLifted
	RestrictAt             = "at"      // when the server heard it
	RestrictSource         = "source"  // RestrictSources: the door it came through
	RestrictNote           = "note"    // the customer's own words, or what staff were told
	RestrictText           = "text"    // the words the customer read when they clicked
	RestrictIP             = "ip"
	RestrictUserAgent      = "user_agent"
	RestrictRecordedBy     = "recorded_by" // relation staff: who recorded one asked by phone or letter
	RestrictRecordedByName = "recorded_by_name"
)

// Actions of processing_restrictions.action.
const (
	RestrictionOn     = "restricted"
	RestrictionLifted = "lifted"
)

// RestrictSources are the doors a restriction comes through: the portal,
// staff (told by phone or letter), or an integration's token.
var RestrictSources = []string{"portal", "staff", "phone", "paper", "api"}

func init() { AllCollections = append(AllCollections, ProcessingRestrictions) }
