package crm

// Notifications (plugins/notifications): what a colleague is told, in the
// workspace's bell and, by their choice, by email (issue 16).
const (
	// Notifications holds one row per thing one staff member is told: the
	// event, the record it links to and the data the UI words it with. Each
	// member reads and marks read only their own; the server writes them.
	Notifications = "notifications"
)

// Events a colleague is told of (notifications.event). The UI words each
// from its data; nobody is told of their own action.
const (
	NotifyAssigned         = "assigned"          // a request, task, deal or contact given to me
	NotifyCustomerAnswered = "customer_answered" // a customer wrote on my request
	NotifyMentioned        = "mentioned"         // a colleague @-mentioned me in a note
	NotifyDeadlineNear     = "deadline_near"     // my request nears its first-response or resolution deadline
	NotifyOverdue          = "overdue"           // my request passed its deadline
	NotifyEscalated        = "escalated"         // a request of my team passed its deadline (team managers)
	NotifyDealStale        = "deal_stale"        // a deal of mine has had no activity for too long
	NotifyTaskDue          = "task_due"          // a task of mine is due
	NotifyHandedOver       = "handed_over"       // records handed to me, with a note
)

// NotifyEvents lists every event, in the order the settings show them.
var NotifyEvents = []string{
	NotifyAssigned, NotifyCustomerAnswered, NotifyMentioned, NotifyHandedOver,
	NotifyDeadlineNear, NotifyOverdue, NotifyEscalated, NotifyDealStale, NotifyTaskDue,
}

// Fields of notifications.
const (
	NotifTo         = "to"         // relation staff: who is told
	NotifBy         = "by"         // relation staff: whose action it was (empty: the system)
	NotifEvent      = "event"      // one of NotifyEvents
	NotifCollection = "collection" // the linked record's collection...
	NotifRecord     = "record"     // ...and id
	NotifData       = "data"       // JSON the UI words the event with
	NotifReadAt     = "read_at"    // when its colleague opened it (the only field they write)
	NotifOnce       = "once"       // a key that makes a scheduled event fire once per recipient
	NotifMail       = "mail"       // the email side: one of the NotifMail* states
	NotifMailTries  = "mail_attempts"
	NotifMailNext   = "mail_next" // when the next attempt is due
	NotifMailError  = "mail_error"
	NotifMailedAt   = "mailed_at"
)

// States of notifications.mail.
const (
	NotifMailNone    = ""        // the bell only
	NotifMailPending = "pending" // to be mailed at once (after the commit, retried)
	NotifMailDigest  = "digest"  // waits for its colleague's daily digest
	NotifMailSent    = "sent"
	NotifMailFailed  = "failed" // gave up after the last attempt
)

// Staff fields of notifications: each member's choices (written only
// through the notifications' settings route).
const (
	FieldNotifyPrefs = "notify_prefs" // JSON {"events": {event: "now"|"digest"|"off"}, "digest_hour": 0-23, "digest_sent": "YYYY-MM-DD"}
)

// What a member chose for one event's email.
const (
	NotifyByMailNow    = "now"
	NotifyByMailDigest = "digest"
	NotifyByMailOff    = "off"
)

func init() { AllCollections = append(AllCollections, Notifications) }

// BusinessSLAWarnPercent (business_settings.sla_warn_percent): at what share
// of a request's service target its assignee is warned; empty means
// DefaultSLAWarnPercent.
const (
	BusinessSLAWarnPercent = "sla_warn_percent"
	DefaultSLAWarnPercent  = 80
)
