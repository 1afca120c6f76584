package crm

// Web-to-lead (plugins/channels/webforms): forms a business puts on its own
// site, and the marketing consents they ask for, granted by double opt-in.
const (
	// WebForms holds one row per form a manager makes: its fields, its
	// consent text and purposes, what a sent form creates, the sites that
	// may show it and the thank-you words. Staff read, managers write.
	WebForms = "web_forms"
	// WebFormOptIns holds one row per consent asked on a form, waiting for
	// (or done by) the link of its confirmation mail: the exact text shown,
	// who sent it from where, the hash of the link's token, and when the
	// link was opened, from where. Server-only (superusers read).
	WebFormOptIns = "web_form_optins"
)

// Fields of web_forms.
const (
	FormName     = "name"
	FormFields   = "fields"          // JSON list of {key, required}: FormField* keys or custom fields of contacts
	FormConsent  = "consent_text"    // JSON {"en": "...", "pt-BR": "..."}: the words the visitor agrees to
	FormPurposes = "purposes"        // consent purposes asked (marketing, profiling, research)
	FormCreates  = "creates"         // FormCreatesLead or FormCreatesRequest
	FormCaseType = "case_type"       // relation case_types: the request's type (FormCreatesRequest)
	FormOrigins  = "allowed_origins" // JSON list of origins (https://www.example.com) that may show it
	FormThanks   = "thanks"          // JSON {"en": "...", "pt-BR": "..."}
	FormActive   = "active"
)

// The built-in fields a form may ask (custom fields of contacts too, by name).
const (
	FormFieldName    = "name"
	FormFieldEmail   = "email"
	FormFieldPhone   = "phone"
	FormFieldCompany = "company"
	FormFieldMessage = "message"
)

// FormBuiltInFields lists the built-in fields, in the order a form shows them.
var FormBuiltInFields = []string{FormFieldName, FormFieldEmail, FormFieldPhone, FormFieldCompany, FormFieldMessage}

// What a sent form creates (web_forms.creates).
const (
	FormCreatesLead    = "lead"
	FormCreatesRequest = "request"
)

// Fields of web_form_optins.
const (
	OptInForm        = "form"
	OptInContact     = "contact"
	OptInEmail       = "email"
	OptInLanguage    = "language"
	OptInPurposes    = "purposes" // JSON list
	OptInText        = "text"     // the consent text exactly as shown
	OptInSentIP      = "sent_ip"
	OptInSentAgent   = "sent_user_agent"
	OptInTokenHash   = "token_hash"
	OptInExpires     = "expires"
	OptInConfirmedAt = "confirmed_at"
	OptInIP          = "confirmed_ip"
	OptInAgent       = "confirmed_user_agent"
)

// Consents: the source of a consent given on a web form, and the proof kept
// with it (consents.proof, also in each version of its history).
const (
	ConsentSourceWebForm = "web_form"
	ConsentProof         = "proof"
)

// ContactSourceWebForm is contacts.source of a lead a web form made.
const ContactSourceWebForm = "web_form"

// EventWebFormSent is the timeline event of a sent web form (data: form,
// form_id; body: the visitor's message).
const EventWebFormSent = "web_form.sent"

func init() { AllCollections = append(AllCollections, WebForms, WebFormOptIns) }
