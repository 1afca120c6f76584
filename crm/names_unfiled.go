package crm

// Mail filed under nobody (plugins/channels/email, unfiled*.go): a received
// mail the intake kept without a contact waits for a person, who files it
// to a contact or sets it aside. Either way it is handled, by whom and when.
const (
	MailHandledAt = "handled_at" // when a person filed or set it aside ("" while it waits)
	MailHandledBy = "handled_by" // relation staff: who did
	MailHandled   = "handled"    // MailHandledFiled or MailHandledDismissed
)

// Values of email_messages.handled.
const (
	MailHandledFiled     = "filed"     // filed to a contact by a person
	MailHandledDismissed = "dismissed" // set aside: kept, filed under nobody
)
