package fullcopy

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Why a field or a record is left out of a copy. Each reason is worded in
// the README (readme.go) in the person's language.
const (
	ReasonSecurity     = "security"      // a secret that protects the account or a link: giving it out would weaken it
	ReasonOthers       = "others"        // another person's data (a team member's address and browser, another customer)
	ReasonMachinery    = "machinery"     // the delivery worker's lock: about the software, not the person
	ReasonWorkingNotes = "working_notes" // the business marks request notes as internal working notes
	ReasonUnreviewed   = "unreviewed"    // a collection nobody wrote a policy for yet: its hidden fields stay out until someone does
	ReasonOthersRecord = "others_record" // a record about another contact that the person acted on (a colleague's order they placed as the company's admin)
)

// Policy says how one collection that refers to a person goes into the copy.
type Policy struct {
	Section  string            // the files' name: <Section>.json and <Section>.csv
	Withheld map[string]string // field → reason (a Reason* constant)
	// Via adds the rows whose relation field Field points at a record of
	// section From already gathered (a request's messages).
	Via []Via
	// Order sorts the rows (a field; "created" when empty).
	Order string
}

// Via is a relation to records already in the copy.
type Via struct {
	Field string
	From  string // a collection already gathered
}

// Policies are the collections that point at a contact or at a customer's
// portal account, and how each goes into the copy. Every row of such a
// collection about the person is in the copy with every field but the
// withheld ones, each with its reason. A collection added later that points
// at a contact and is not listed here still goes into the copy (all its
// fields but the hidden ones: see Unreviewed); TestEveryReferenceHasAPolicy
// fails until someone writes its policy.
var Policies = map[string]Policy{
	crm.Contacts:        {Section: "contact"},
	crm.Customers:       {Section: "portal_account", Withheld: map[string]string{"password": ReasonSecurity, "tokenKey": ReasonSecurity}},
	crm.Activities:      {Section: "timeline", Order: "occurred_at"},
	crm.Cases:           {Section: "requests"},
	crm.CaseMessages:    {Section: "request_messages", Via: []Via{{Field: "case", From: crm.Cases}}},
	crm.Deals:           {Section: "deals"},
	crm.Tasks:           {Section: "tasks"},
	crm.Orders:          {Section: "orders"},
	crm.Carts:           {Section: "cart"},
	crm.Subscriptions:   {Section: "subscriptions"},
	crm.Invoices:        {Section: "invoices", Order: "issued_at"},
	crm.Payments:        {Section: "payments"},
	crm.Quotes:          {Section: "quotes"},
	crm.Consents:        {Section: "consents"},
	crm.WebFormOptIns:   {Section: "web_form_signups", Withheld: map[string]string{"token_hash": ReasonSecurity}},
	crm.Outbox:          {Section: "messages_to_you", Withheld: map[string]string{"claim": ReasonMachinery, "claimed_at": ReasonMachinery}},
	crm.EmailMessages:   {Section: "emails", Order: "at"},
	crm.CustomerScores:  {Section: "scores"},
	crm.Suggestions:     {Section: "suggestions"},
	crm.SurveyRequests:  {Section: "surveys_sent", Withheld: map[string]string{"token_hash": ReasonSecurity}},
	crm.SurveyAnswers:   {Section: "survey_answers"},
	crm.PersonalChoices: {Section: "personal_choices"},
	crm.AuditLog: {Section: "access_log", Order: crm.AuditAt,
		Withheld: map[string]string{"ip": ReasonOthers, "user_agent": ReasonOthers, "reason": ReasonOthers}},
	crm.ExportMembers:          {Section: "exports_including_you"},
	crm.ErasureRequests:        {Section: "erasure_requests"},
	crm.ProcessingRestrictions: {Section: "restrictions"},
}

// Unreviewed is the policy of a collection that points at a person and has
// none written: all its rows about them, every field but the hidden and
// password ones, under the collection's own name.
func Unreviewed(c *core.Collection) Policy {
	p := Policy{Section: c.Name, Withheld: map[string]string{}}
	for _, f := range c.Fields {
		if f.GetHidden() || f.Type() == core.FieldTypePassword {
			p.Withheld[f.GetName()] = ReasonUnreviewed
		}
	}
	return p
}

// Missing are the collections that point at a contact or a portal account
// (walked from the live schema) and have no policy.
func Missing(app core.App) ([]string, error) {
	refs, err := references(app)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range refs {
		if _, ok := Policies[r.Collection]; !ok && !contains(out, r.Collection) {
			out = append(out, r.Collection)
		}
	}
	return out, nil
}

// references are every relation field to contacts and to customers.
func references(app core.App) ([]crm.Ref, error) {
	var all []crm.Ref
	for _, target := range []string{crm.Contacts, crm.Customers} {
		refs, err := crm.RelationsTo(app, target)
		if err != nil {
			return nil, err
		}
		all = append(all, refs...)
	}
	return all, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
