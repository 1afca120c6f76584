package crm

// The team (plugins/team): staff fields that only the team's routes write.
const (
	// FieldDeactivated: staff: the member has left or is away for good; they
	// cannot sign in, and their open records were handed to a colleague. A
	// bool that is false by default, so every existing way of creating staff
	// (the demo, setup, imports, tests) makes active members.
	FieldDeactivated = "deactivated"
	// FieldInvitedAt: staff: when a manager last sent them an invitation to
	// set their password (empty for members made any other way).
	FieldInvitedAt = "invited_at"
	// FieldTags: contacts, companies (and any collection that grows one): a
	// JSON array of short words the team files records under.
	FieldTags = "tags"
)

// TaggedCollections are the collections whose records carry tags, when
// they have the field (a business may remove it; deals may grow one).
var TaggedCollections = []string{Contacts, Companies, Deals}
