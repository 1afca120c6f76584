package crm

// Inbound mail (plugins/channels/email, intake): what a bounce marks on a
// contact, and why a received mail waits for a person.
const (
	// ContactEmailFailingAt is when a mail to the contact's address last
	// bounced for good ("" while the address works). Changing the address
	// clears it.
	ContactEmailFailingAt = "email_failing_at"
	// ContactEmailFailingReason is the receiving server's words for it
	// (the DSN's status and diagnostic), shown to staff as they are.
	ContactEmailFailingReason = "email_failing_reason"
)

// More values of email_messages.flag: a received mail that is kept but
// filed under nobody, or filed with a doubt, for a person to look at.
const (
	MailFlagNoSender       = "no_sender"          // no readable sender address
	MailFlagUnreadable     = "unreadable"         // the header could not be read: the raw mail is attached
	MailFlagOwnAddress     = "own_address"        // sent from the mailbox's own address: never answered
	MailFlagOtherSender    = "other_sender"       // a reply on a request from someone other than its contact
	MailFlagNoRequest      = "request_not_opened" // the mailbox's request type is gone or refused the mail: kept on the timeline
	MailFlagPartlyReadable = "partly_readable"    // some parts could not be read: what could is kept
)
