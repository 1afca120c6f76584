package crm

// Email both ways (plugins/channels/email).
const (
	// EmailMessages holds one row per mail sent or received: its Message-ID
	// (unique: a mail seen twice is dropped), the thread headers, who and what
	// it belongs to, and its attachments. Written by the server alone; staff
	// read it. The text a person reads is on the request message or the
	// timeline entry the row points to.
	EmailMessages = "email_messages"
)

// Fields of email_messages.
const (
	MailMessageID  = "message_id"   // without angle brackets
	MailDirection  = "direction"    // MailIn or MailOut
	MailMailbox    = "mailbox"      // the mailbox it was read from (in)
	MailContact    = "contact"      // relation contacts
	MailCase       = "case"         // relation cases
	MailActivity   = "activity"     // relation activities: its timeline entry
	MailCaseMsg    = "case_message" // relation case_messages: the message on the request
	MailOutbox     = "outbox"       // relation outbox: the row it was sent for (out)
	MailFrom       = "from_address"
	MailTo         = "to_addresses"
	MailCc         = "cc_addresses"
	MailSubject    = "subject"
	MailInReplyTo  = "in_reply_to"
	MailReferences = "references" // JSON list of Message-IDs, oldest first
	MailKind       = "kind"       // MailNormal, MailAutoReply, MailBounce
	MailFlag       = "flag"       // why a person should look (MailFlagSharedAddress ...)
	MailText       = "text"       // the plain text (HTML mail: converted, sanitised)
	MailHTML       = "html"       // the sanitised HTML, when the mail had some
	MailFiles      = "attachments"
	MailSize       = "size" // bytes of the raw mail
	MailAt         = "at"   // when it was sent or received
)

// Values of email_messages fields.
const (
	MailIn        = "in"
	MailOut       = "out"
	MailNormal    = "normal"
	MailAutoReply = "auto_reply"
	MailBounce    = "bounce"

	MailFlagSharedAddress = "shared_address" // several contacts have the sender's address
)

func init() { AllCollections = append(AllCollections, EmailMessages) }
