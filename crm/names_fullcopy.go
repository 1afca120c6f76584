package crm

// The full copy (plugins/fullcopy): everything held about a person, in one
// ZIP (GDPR art. 15 and 20, LGPD art. 18).
const (
	// BusinessWithholdWorkingNotes (business_settings) marks a request's
	// internal notes as the team's internal working notes: the full copy
	// then leaves them out and says how many there are and why. Off by
	// default: notes about a person are their personal data.
	BusinessWithholdWorkingNotes = "withhold_working_notes"

	// FullCopyKind is the access log's name of a full copy a manager
	// downloaded for a request made by phone or letter (audit_log.collection
	// of the export row).
	FullCopyKind = "full_copy"
)
