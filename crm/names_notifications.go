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
