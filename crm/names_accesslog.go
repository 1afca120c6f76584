package crm

// Who looked at a customer's data (plugins/accesslog): the audit_log rows of
// reads, grown with who and through which screen, and the members of each
// export, so every customer in an export sees it on their own log.
const (
	ExportMembers = "export_members" // one row per contact an export included

	// audit_log fields added for the access log.
	AuditActorKind = "actor_kind" // staff, partner or automation: who, as the customer reads it
	AuditActorName = "actor_name" // the staff member's name, or the automation's, at the time
	AuditActorRole = "actor_role" // the staff member's role at the time
	AuditScreen    = "screen"     // the door: one of AccessScreens
	AuditAt        = "at"         // when it was looked at (the row may be written a moment later)
	AuditCount     = "count"      // an export: how many records it held
	AuditExport    = "export"     // export_members: the audit_log row of the export
)

// Actor kinds of an access (audit_log.actor_kind).
const (
	AccessByStaff      = "staff"
	AccessByPartner    = "partner"
	AccessByAutomation = "automation"
)

// Screens (doors) a customer's data is opened through (audit_log.screen).
const (
	ScreenCustomer360 = "customer360" // the staff workspace's customer page
	ScreenTimeline    = "timeline"    // a further page of the 360 page's timeline
	ScreenRecord      = "record"      // a record opened through the record API
	ScreenList        = "list"        // a list of one customer's records through the record API
	ScreenSearch      = "search"      // a search result opened
	ScreenExport      = "export"      // an export that included them
)

// AccessScreens are the screens, in the order the schema lists them.
var AccessScreens = []string{ScreenCustomer360, ScreenTimeline, ScreenRecord, ScreenList, ScreenSearch, ScreenExport}

// Consent proof fields (consents), set by the server on every change.
const (
	ConsentIP             = "ip"
	ConsentUserAgent      = "user_agent"
	ConsentTextVersion    = "text_version" // a digest of the words agreed to
	ConsentRecordedBy     = "recorded_by"  // the staff member who recorded it (told by phone, say)
	ConsentRecordedByName = "recorded_by_name"
)

func init() { AllCollections = append(AllCollections, ExportMembers) }
