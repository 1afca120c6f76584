package crm

// Email templates a manager keeps (Settings > Templates) and the outbox's
// email fields (plugins/outbox, plugins/channels/email).
const (
	// EmailTemplates holds the business's email templates: a name, and a
	// subject and body in each language, with variables such as
	// {{contact.name}} and {{request.reference}}. Managers write; staff read.
	EmailTemplates = "email_templates"
)

// Fields of email_templates.
const (
	TplName      = "name"
	TplSubjectEN = "subject_en"
	TplBodyEN    = "body_en"
	TplSubjectPT = "subject_pt_br"
	TplBodyPT    = "body_pt_br"
)

// Fields the outbox keeps for email (besides its own).
const (
	OutboxCc    = "cc"          // further addresses, comma-separated (a reply-all on a thread)
	OutboxTo    = "to_address"  // the address a notice goes to instead of the contact's (the old address of an email change); the server's alone
	OutboxFiles = "attachments" // files sent with the mail (protected)
	OutboxData  = "data"        // the JSON the template reads
)

// Templates of the outbox for email.
const (
	// TemplateCaseReply: a staff member's public answer on a request, mailed
	// to the customer with the portal link. Data: reference, subject,
	// message (the answer), case_message, author.
	TemplateCaseReply = "case_reply"
)

// Limits of an email written in the workspace.
const (
	MailMaxFiles     = 10
	MailMaxFileBytes = 10 << 20 // one attachment
	MailMaxBytes     = 20 << 20 // all attachments together
)

func init() { AllCollections = append(AllCollections, EmailTemplates) }
