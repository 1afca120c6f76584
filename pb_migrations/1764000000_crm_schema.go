package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The CRM schema: every collection of DESIGN.md with its fields, indexes and
// API rules. Rules follow the actors: staff (manager, agent, readonly),
// customers (their own records; company admins also the company's shared
// ones), anonymous (nothing: public forms are routes).
func init() {
	m.Register(createSchema, dropSchema)
}

func createSchema(app core.App) error {
	builders := []func(core.App) *core.Collection{
		staffCollection, companiesCollection, contactsCollection, customersCollection,
		pipelinesCollection, pipelineStagesCollection, dealsCollection,
		caseTypesCollection, casesCollection, caseMessagesCollection,
		productsCollection, ordersCollection, subscriptionsCollection,
		activitiesCollection, tasksCollection, consentsCollection,
		outboxCollection, segmentsCollection, auditLogCollection,
	}
	for _, build := range builders {
		if err := app.Save(build(app)); err != nil {
			return err
		}
	}
	return nil
}

func dropSchema(app core.App) error {
	for i := len(crm.AllCollections) - 1; i >= 0; i-- {
		c, err := app.FindCollectionByNameOrId(crm.AllCollections[i])
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	return nil
}

var (
	languages = crm.Languages
	weekdays  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

const (
	clockPattern = `^([01][0-9]|2[0-3]):[0-5][0-9]$`
	tzPattern    = `^[A-Za-z]+(/[A-Za-z0-9_+\-]+){0,2}$|^UTC$`
	currency     = `^[A-Z]{3}$`
)

// rules are a collection's API rules. read is who lists and views its
// records (and hears about them in realtime); manage is, on an auth
// collection, who may change an account's email, password and verification.
// A rule left nil is for superusers only.
type rules struct {
	read, create, update, delete, manage *string
}

// setRules puts r on c.
func setRules(c *core.Collection, r rules) {
	c.ListRule, c.ViewRule = r.read, r.read
	c.CreateRule, c.UpdateRule, c.DeleteRule = r.create, r.update, r.delete
	c.ManageRule = r.manage
}

// managersWrite: staff read, managers write (pipelines and their stages).
func managersWrite() rules {
	return rules{read: rule(isStaff), create: rule(isManager), update: rule(isManager), delete: rule(isManager)}
}

// catalogue: staff read everything, customers what is active; managers write.
func catalogue() rules {
	return rules{read: or(isStaff, "("+isCustomer+" && active = true)"),
		create: rule(isManager), update: rule(isManager), delete: rule(isManager)}
}

// customerOwned: staff read, customers their own and (company admins) their
// company's; writers write, managers delete.
func customerOwned() rules {
	return rules{read: or(isStaff, ownRecord(crm.FieldContact), companyShared(crm.FieldCompany)),
		create: rule(isWriter), update: rule(isWriter), delete: rule(isManager)}
}

func staffCollection(app core.App) *core.Collection {
	c := core.NewAuthCollection(crm.Staff)
	c.Fields.Add(
		text("name", true, 120),
		choice(crm.FieldRole, true, crm.RoleManager, crm.RoleAgent, crm.RoleReadonly),
		choice("language", false, languages...),
		pattern("timezone", false, 64, tzPattern),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{
		read:   rule(isStaff),
		create: rule(isManager),
		// Everyone keeps their own profile; only managers change roles.
		update: or(isManager, "(id = @request.auth.id && "+onlyBodyFields(c, "name", "language", "timezone", "password", "oldPassword")+")"),
		delete: rule(isManager + " && id != @request.auth.id"),
		manage: rule(isManager),
	})
	c.PasswordAuth.Enabled = true
	c.PasswordAuth.IdentityFields = []string{"email"}
	index(c, false, crm.FieldRole)
	return c
}

func companiesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Companies)
	c.Fields.Add(
		text("name", true, 200),
		pattern("domain", false, 253, `^$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`),
		text("industry", false, 100),
		choice("size", false, "1-10", "11-50", "51-200", "201-1000", "1000+"),
		text("phone", false, 40),
		text("address", false, 500),
		text("city", false, 100),
		pattern("country", false, 2, `^[A-Z]{2}$`),
		relation(app, crm.FieldOwner, crm.Staff, false, false),
		jsonField("tags", false, 4<<10),
		jsonField("custom", false, 64<<10),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{read: or(isStaff, "("+isCustomer+" && id = @request.auth.contact.company)"),
		create: rule(isWriter), update: rule(isWriter), delete: rule(agentOwns(crm.FieldOwner))})
	index(c, false, "name")
	index(c, false, "domain")
	index(c, false, crm.FieldOwner, "created")
	index(c, false, "created")
	return c
}

func contactsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Contacts)
	c.Fields.Add(
		text("name", true, 200),
		email(crm.FieldEmail, false),
		text("phone", false, 40),
		text("mobile", false, 40),
		text("job_title", false, 120),
		text("responsibilities", false, 1000),
		text("address", false, 500),
		jsonField("socials", false, 4<<10),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		relation(app, crm.FieldOwner, crm.Staff, false, false),
		choice("stage", false, crm.LifecycleStages...),
		jsonField("tags", false, 4<<10),
		number("score", false, 0, 100, true),
		text("source", false, 100),
		// The customer's preferences: how, when and how often they may be contacted.
		choice("preferred_channel", false, append([]string{"none"}, crm.Channels...)...),
		choices("preferred_days", weekdays...),
		pattern("preferred_hours_start", false, 5, clockPattern),
		pattern("preferred_hours_end", false, 5, clockPattern),
		pattern("timezone", false, 64, tzPattern),
		choice("language", false, languages...),
		number("max_contacts_per_week", false, 0, 50, true),
		date("paused_until", false),
		jsonField("custom", false, 64<<10),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{
		read:   or(isStaff, "("+isCustomer+" && id = @request.auth.contact)"),
		create: rule(isWriter),
		update: or(isWriter, "("+isCustomer+" && id = @request.auth.contact && "+onlyBodyFields(c, crm.CustomerWritableContactFields...)+")"),
		delete: rule(agentOwns(crm.FieldOwner)),
	})
	index(c, false, crm.FieldEmail)
	index(c, false, "phone")
	index(c, false, "mobile")
	index(c, false, "name")
	index(c, false, crm.FieldCompany)
	index(c, false, crm.FieldOwner, "created")
	index(c, false, "stage", "created")
	index(c, false, "created")
	index(c, false, "updated")
	return c
}

func customersCollection(app core.App) *core.Collection {
	c := core.NewAuthCollection(crm.Customers)
	c.Fields.Add(
		relation(app, crm.FieldContact, crm.Contacts, true, true),
		choice(crm.FieldCompanyRole, true, crm.CompanyMember, crm.CompanyAdmin),
		text("name", false, 200),
		choice("language", false, languages...),
	)
	c.Fields.Add(timestamps()...)
	self := "(" + isCustomer + " && id = @request.auth.id)"
	setRules(c, rules{
		read:   or(isStaff, self),
		create: rule(isWriter), // staff invite; sign-in by code creates the rest
		update: or(isWriter, "("+self+" && "+onlyBodyFields(c, "name", "language", "password", "oldPassword")+")"),
		delete: rule(isManager),
		manage: rule(isWriter),
	})
	// Customers sign in with a one-time code sent to their email; a password
	// is optional and off until the business turns it on.
	c.OTP.Enabled = true
	c.OTP.Length = 6
	c.OTP.Duration = 600
	c.PasswordAuth.Enabled = false
	index(c, true, crm.FieldContact)
	return c
}

func pipelinesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Pipelines)
	c.Fields.Add(
		text("name", true, 120),
		number("position", false, 0, 1000, true),
		pattern("currency", false, 3, currency),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, managersWrite())
	index(c, false, "position")
	return c
}

func pipelineStagesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.PipelineStages)
	c.Fields.Add(
		relation(app, "pipeline", crm.Pipelines, true, true),
		text("name", true, 120),
		number("position", false, 0, 1000, true),
		number("probability", false, 0, 100, true),
		choice("kind", true, "open", "won", "lost"),
		number("stale_after_days", false, 0, 3650, true),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, managersWrite())
	index(c, false, "pipeline", "position")
	return c
}

func dealsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Deals)
	c.Fields.Add(
		text("title", true, 200),
		relation(app, crm.FieldContact, crm.Contacts, false, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		relation(app, "pipeline", crm.Pipelines, true, false),
		relation(app, "stage", crm.PipelineStages, true, false),
		number("amount", false, 0, 1e12, false),
		pattern("currency", false, 3, currency),
		date("expected_close", false),
		number("probability", false, 0, 100, true),
		relation(app, crm.FieldOwner, crm.Staff, false, false),
		choice("status", true, "open", "won", "lost"),
		text("lost_reason", false, 500),
		date("closed_at", false),
		date("stage_changed_at", false),
	)
	c.Fields.Add(timestamps()...)
	// Deals are the business's own pipeline: staff only.
	setRules(c, rules{read: rule(isStaff), create: rule(isWriter), update: rule(isWriter), delete: rule(agentOwns(crm.FieldOwner))})
	index(c, false, crm.FieldContact)
	index(c, false, crm.FieldCompany)
	index(c, false, "pipeline", "stage")
	index(c, false, "stage")
	index(c, false, crm.FieldOwner, "created")
	index(c, false, "status", "expected_close")
	index(c, false, "created")
	return c
}

func caseTypesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.CaseTypes)
	c.Fields.Add(
		text("name", true, 120),
		pattern("code", true, 8, `^[A-Z]{2,8}$`), // prefix of reference codes, e.g. SUP-000123
		text("description", false, 2000),
		choice("category", true, "support", "complaint", "information", "service_order", "application"),
		// The fields a customer fills in: [{name, label, type, required, options}].
		jsonField("fields", false, 64<<10),
		// Ordered statuses: [{key, label, public_label, closed}] and the allowed
		// transitions: {"from": ["to", ...]}.
		jsonField("statuses", true, 64<<10),
		jsonField("transitions", false, 64<<10),
		number("sla_first_response_hours", false, 0, 10000, false),
		number("sla_resolution_hours", false, 0, 100000, false),
		boolean("hold_marketing"),
		boolean("active"),
		boolean("public"), // offered on the public request form
		number("position", false, 0, 1000, true),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, catalogue())
	index(c, true, "code")
	index(c, false, "active", "position")
	return c
}

func casesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Cases)
	c.Fields.Add(
		pattern("reference", false, 20, `^[A-Z]{2,8}-[0-9]{4,}$`),
		relation(app, "type", crm.CaseTypes, true, false),
		relation(app, crm.FieldContact, crm.Contacts, true, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		text("subject", true, 200),
		text("description", false, 20000),
		jsonField("data", false, 64<<10),
		text("status", false, 40),
		text("status_label", false, 120),
		boolean("closed"),
		choice("priority", false, "low", "normal", "high", "urgent"),
		relation(app, "assignee", crm.Staff, false, false),
		choice("channel", false, crm.Channels...),
		boolean("shared"), // the customer shares it with their company's admins
		date("first_response_due", false),
		date("resolution_due", false),
		date("first_response_at", false),
		date("closed_at", false),
		boolean("overdue"),
		number("rating", false, 1, 5, true),
		text("rating_comment", false, 2000),
		files("attachments", 10),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{
		read: or(isStaff, ownRecord(crm.FieldContact), "(shared = true && "+companyShared(crm.FieldCompany)+")"),
		// A customer opens requests for themselves only, in their own company or
		// none; status, assignee, SLA and the rest are the business's to set.
		create: or(isWriter, "("+ownRecord(crm.FieldContact)+
			" && (company = '' || company = @request.auth.contact.company) && "+
			onlyBodyFields(c, "type", crm.FieldContact, crm.FieldCompany, "subject", "description", "data", "channel", "shared", "attachments")+")"),
		// After closing, the customer rates it.
		update: or(isWriter, "("+ownRecord(crm.FieldContact)+" && closed = true && "+onlyBodyFields(c, "rating", "rating_comment")+")"),
		delete: rule(isManager),
	})
	index(c, true, "reference")
	index(c, false, crm.FieldContact, "created")
	index(c, false, crm.FieldCompany, "shared")
	index(c, false, "type")
	index(c, false, "assignee", "resolution_due")
	index(c, false, "closed", "resolution_due")
	index(c, false, "status")
	index(c, false, "created")
	return c
}

func caseMessagesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.CaseMessages)
	c.Fields.Add(
		relation(app, "case", crm.Cases, true, true),
		text("body", true, 20000),
		boolean("internal"), // an internal note, never shown to the customer
		relation(app, "author_staff", crm.Staff, false, false),
		relation(app, "author_customer", crm.Customers, false, false),
		files("attachments", 10),
		date("read_at", false),
	)
	c.Fields.Add(timestamps()...)
	visibleCase := "(case.contact = @request.auth.contact || (case.shared = true && @request.auth.company_role = 'admin' && @request.auth.contact.company != '' && case.company = @request.auth.contact.company))"
	setRules(c, rules{
		read: or(isStaff, "("+isCustomer+" && @request.auth.contact != '' && internal = false && "+visibleCase+")"),
		create: or(
			"("+isWriter+" && (author_staff = '' || author_staff = @request.auth.id) && author_customer = '')",
			"("+isCustomer+" && @request.auth.contact != '' && case.contact = @request.auth.contact && "+
				onlyBodyFields(c, "case", "body", "attachments", "author_customer")+" && (author_customer = '' || author_customer = @request.auth.id))",
		),
		update: rule(agentOwns("author_staff")),
		delete: rule(isManager),
	})
	index(c, false, "case", "created")
	index(c, false, "author_staff")
	index(c, false, "author_customer")
	return c
}

func productsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Products)
	c.Fields.Add(
		text("name", true, 200),
		pattern("code", true, 40, `^[A-Za-z0-9._-]+$`),
		text("description", false, 5000),
		number("price", false, 0, 1e12, false),
		pattern("currency", true, 3, currency),
		choice("kind", true, "one_off", "subscription"),
		choice("interval", false, "month", "quarter", "year"),
		boolean("active"),
		// What a customer may do with a subscription to it, without calling.
		boolean("customer_can_pause"),
		boolean("customer_can_cancel"),
		boolean("customer_can_change_plan"),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, catalogue())
	index(c, true, "code")
	index(c, false, "active", "name")
	return c
}

func ordersCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Orders)
	c.Fields.Add(
		pattern("number", true, 20, `^[A-Z0-9-]+$`),
		relation(app, crm.FieldContact, crm.Contacts, true, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false), // bought for the company
		// [{product, name, quantity, unit_price}]
		jsonField("items", true, 64<<10),
		number("total", false, 0, 1e12, false),
		pattern("currency", true, 3, currency),
		choice("status", true, "placed", "paid", "shipped", "delivered", "cancelled"),
		date("placed_at", true),
		date("cancelled_at", false),
		text("internal_notes", false, 5000),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, customerOwned())
	index(c, true, "number")
	index(c, false, crm.FieldContact, "placed_at")
	index(c, false, crm.FieldCompany)
	index(c, false, "status")
	index(c, false, "created")
	return c
}

func subscriptionsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Subscriptions)
	c.Fields.Add(
		relation(app, crm.FieldContact, crm.Contacts, true, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		relation(app, "product", crm.Products, true, false),
		text("plan", false, 120),
		number("quantity", false, 0, 1e6, true),
		number("price", false, 0, 1e12, false),
		pattern("currency", true, 3, currency),
		choice("status", true, "pending", "active", "paused", "cancelled"),
		date("started_at", false),
		date("renews_at", false),
		date("paused_until", false),
		date("cancelled_at", false),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, customerOwned())
	index(c, false, crm.FieldContact, "created")
	index(c, false, crm.FieldCompany)
	index(c, false, "product")
	index(c, false, "status", "renews_at")
	return c
}

func activitiesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Activities)
	c.Fields.Add(
		choice("type", true, "email", "call", "meeting", "note", "chat", "social", "letter", "visit", "portal", "system"),
		choice("channel", false, crm.Channels...),
		choice("direction", false, "inbound", "outbound", "internal"),
		text("subject", false, 300),
		text("body", false, 50000),
		date("occurred_at", false),
		choice("actor_type", true, "staff", "customer", "system", "integration"),
		relation(app, "staff", crm.Staff, false, false),
		relation(app, "customer", crm.Customers, false, false),
		relation(app, crm.FieldContact, crm.Contacts, false, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		relation(app, "deal", crm.Deals, false, false),
		relation(app, "case", crm.Cases, false, false),
		text("outcome", false, 200),
		number("duration_minutes", false, 0, 100000, true),
		boolean("public"),                  // shown on the customer's own timeline in the portal
		jsonField("edits", false, 256<<10), // earlier versions of an edited note
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{
		read: or(isStaff, "(public = true && "+ownRecord(crm.FieldContact)+")"),
		// Staff log their own interactions; the system writes the rest.
		create: rule(isWriter + " && actor_type = 'staff' && staff = @request.auth.id && customer = '' && @request.body.edits:isset = false"),
		// The timeline is immutable, except notes, which their author (or a manager) edits.
		update: rule("type = 'note' && @request.body.type:isset = false && @request.body.edits:isset = false && (" + agentOwns("staff") + ")"),
		delete: rule(isManager),
	})
	index(c, false, crm.FieldContact, "occurred_at")
	index(c, false, crm.FieldCompany, "occurred_at")
	index(c, false, "deal", "occurred_at")
	index(c, false, "case", "occurred_at")
	index(c, false, "staff", "occurred_at")
	index(c, false, "customer")
	index(c, false, "created")
	return c
}

func tasksCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Tasks)
	c.Fields.Add(
		text("title", true, 300),
		text("notes", false, 5000),
		date("due", false),
		relation(app, "assignee", crm.Staff, false, false),
		relation(app, "created_by", crm.Staff, false, false),
		choice("status", true, "open", "done", "cancelled"),
		date("done_at", false),
		relation(app, crm.FieldContact, crm.Contacts, false, false),
		relation(app, crm.FieldCompany, crm.Companies, false, false),
		relation(app, "deal", crm.Deals, false, false),
		relation(app, "case", crm.Cases, false, false),
		relation(app, "activity", crm.Activities, false, false), // the call or visit it follows up
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{read: rule(isStaff), create: rule(isWriter), update: rule(isWriter), delete: rule(agentOwns("assignee", "created_by"))})
	index(c, false, "assignee", "status", "due")
	index(c, false, "status", "due")
	index(c, false, crm.FieldContact)
	index(c, false, "deal")
	index(c, false, "case")
	index(c, false, crm.FieldCompany)
	index(c, false, "created_by")
	index(c, false, "activity")
	return c
}

func consentsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Consents)
	c.Fields.Add(
		relation(app, crm.FieldContact, crm.Contacts, true, true),
		choice("purpose", true, crm.ConsentPurposes...),
		choice("channel", true, crm.Channels...),
		choice("state", true, "granted", "withdrawn"),
		text("text", false, 5000), // what the person agreed to, word for word
		choice("source", false, "portal", "public_form", "staff", "phone", "paper", "import", "api"),
		date("at", false),
		jsonField("history", false, 256<<10), // earlier states, kept by the system
	)
	c.Fields.Add(timestamps()...)
	// Consents are the customer's: they give and withdraw them for themselves.
	// Staff may record one given by phone or on paper. History is never
	// deleted through the API.
	customerWrites := "(" + ownRecord(crm.FieldContact) + " && @request.body.history:isset = false && (source = '' || source = 'portal'))"
	setRules(c, rules{
		read:   or(isStaff, ownRecord(crm.FieldContact)),
		create: or(isWriter+" && @request.body.history:isset = false", customerWrites),
		update: or(
			"("+isWriter+" && "+onlyBodyFields(c, "state", "text", "source", "at")+")",
			"("+customerWrites+" && "+onlyBodyFields(c, "state", "text", "source")+")",
		),
	})
	index(c, true, crm.FieldContact, "purpose", "channel")
	return c
}

func outboxCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Outbox)
	c.Fields.Add(
		relation(app, crm.FieldContact, crm.Contacts, true, false),
		choice("purpose", true, crm.ConsentPurposes...),
		choice("channel", false, crm.Channels...), // none: the customer's preferred one
		text("template", false, 120),
		jsonField("data", false, 64<<10),
		text("subject", false, 300),
		text("body", false, 50000),
		boolean("urgent"),
		choice("state", true, "queued", "waiting", "sent", "refused", "failed"),
		text("reason", false, 1000),
		date("not_before", false),
		date("sent_at", false),
		number("attempts", false, 0, 1000, true),
		relation(app, "case", crm.Cases, false, false),
		relation(app, "created_by", crm.Staff, false, false),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{
		read:   rule(isStaff),
		create: rule(isWriter + " && state = 'queued' && @request.body.sent_at:isset = false && @request.body.attempts:isset = false"),
		update: rule(isManager),
		delete: rule(isManager),
	})
	index(c, false, "state", "not_before")
	index(c, false, crm.FieldContact, "created")
	index(c, false, "case")
	index(c, false, "created_by")
	return c
}

func segmentsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Segments)
	c.Fields.Add(
		text("name", true, 120),
		text("description", false, 1000),
		text("filter", true, 5000), // a PocketBase filter over contacts
		relation(app, crm.FieldOwner, crm.Staff, false, false),
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{read: rule(isStaff), create: rule(isWriter), update: rule(agentOwns(crm.FieldOwner)), delete: rule(agentOwns(crm.FieldOwner))})
	index(c, false, crm.FieldOwner)
	index(c, false, "name")
	return c
}

func auditLogCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.AuditLog)
	c.Fields.Add(
		choice("actor_type", true, "staff", "customer", "system", "integration", "superuser"),
		relation(app, "staff", crm.Staff, false, false),
		relation(app, "customer", crm.Customers, false, false),
		choice("action", true, "read", "create", "update", "delete", "export", "import", "merge", "sign_in"),
		text("collection", false, 60),
		text("record", false, 30),
		relation(app, crm.FieldContact, crm.Contacts, false, false), // whose data it was
		text("reason", false, 500),
		text("ip", false, 64),
		text("user_agent", false, 300),
	)
	c.Fields.Add(&core.AutodateField{Name: "created", OnCreate: true})
	// Managers audit the team; customers see who looked at their own record.
	// The system alone writes it.
	setRules(c, rules{read: or(isManager, ownRecord(crm.FieldContact))})
	index(c, false, crm.FieldContact, "created")
	index(c, false, "staff", "created")
	index(c, false, "customer")
	index(c, false, "created")
	return c
}
