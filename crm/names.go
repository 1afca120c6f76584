// Package crm is Vinculo's shared vocabulary: collection and field names, roles
// and the configuration every plugin receives. It holds no behaviour of its own
// beyond parsing the values it defines, so every plugin can import it.
package crm

// Collections.
const (
	Contacts       = "contacts"
	Customers      = "customers" // auth: a contact's portal identity
	Staff          = "staff"     // auth: the team
	Companies      = "companies"
	Pipelines      = "pipelines"
	PipelineStages = "pipeline_stages"
	Deals          = "deals"
	Activities     = "activities"
	Tasks          = "tasks"
	CaseTypes      = "case_types"
	Cases          = "cases"
	CaseMessages   = "case_messages"
	Products       = "products"
	Orders         = "orders"
	Subscriptions  = "subscriptions"
	Consents       = "consents"
	Outbox         = "outbox"
	Segments       = "segments"
	AuditLog       = "audit_log"
	Merges         = "merges" // the undo record of a merge of two contacts or companies
	ImportJobs     = "import_jobs"
	ImportPresets  = "import_presets"
)

// AllCollections lists every CRM collection, in the order the schema creates them.
var AllCollections = []string{
	Staff, Companies, Contacts, Customers, Pipelines, PipelineStages, Deals,
	CaseTypes, Cases, CaseMessages, Products, Orders, Subscriptions,
	Activities, Tasks, Consents, Outbox, Segments, AuditLog,
	Merges,
	ImportJobs, ImportPresets,
	WebhookDeliveries, PendingRequests,
}

// Staff roles (field `role` of the staff collection).
const (
	RoleManager  = "manager"  // all CRM data and team settings
	RoleAgent    = "agent"    // all CRM data, deletes only their own
	RoleReadonly = "readonly" // reads
	RolePartner  = "partner"  // an outside technician: only the requests assigned to them (plugins/team: partner.go)
)

// Company roles of a customer (field `company_role` of the customers collection).
const (
	CompanyMember = "member" // sees only their own records
	CompanyAdmin  = "admin"  // also sees the company's shared records
)

// Lifecycle stages of a contact.
var LifecycleStages = []string{"lead", "prospect", "customer", "former"}

// Channels a message or an interaction can travel on.
var Channels = []string{"email", "phone", "sms", "whatsapp", "letter", "chat", "social", "in_person", "portal", "web"}

// Consent purposes.
var ConsentPurposes = []string{"service", "marketing", "profiling", "research"}

// Field names used across plugins.
const (
	FieldContact     = "contact"
	FieldCompany     = "company"
	FieldOwner       = "owner"
	FieldEmail       = "email"
	FieldRole        = "role"
	FieldCompanyRole = "company_role"
	FieldBlocked     = "blocked" // customers: the account may not sign in
)

// CustomerWritableContactFields are the contact fields a customer keeps
// themselves. Every other contact field is internal to the business.
var CustomerWritableContactFields = []string{
	"name", "phone", "mobile", "address", "socials", "job_title",
	"preferred_channel", "preferred_days", "preferred_hours_start",
	"preferred_hours_end", "timezone", "language", "max_contacts_per_week",
	"paused_until",
}
