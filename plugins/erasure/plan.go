package erasure

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// What an erasure does with a collection's records about the person.
const (
	actDelete = "delete" // the rows go
	actBlank  = "blank"  // the rows stay (figures count them) with their personal fields emptied
	actScrub  = "scrub"  // the rows stay; the person's name, emails and phones are taken out of their text
	actNone   = "none"   // the rows hold no personal data (a link to the anonymised contact)
)

// Legal bases of what is kept (worded in the receipt's language, receipt.go).
const (
	BasisFiscal   = "fiscal"       // invoices, orders, payments: 5 years
	BasisContract = "contract"     // subscriptions and accepted quotes: the contract and its billing
	BasisOpen     = "open_request" // a request still being handled
)

// fiscalYears is how long the law makes a business keep fiscal documents
// (Brazil: CTN arts. 173-174, five years).
const fiscalYears = 5

// treatment is what erasure does with one collection that refers to a
// contact (or a portal account): every such collection has one, so that a
// collection added later cannot be forgotten (the test walks the schema).
type treatment struct {
	act   string
	blank map[string]any // actBlank: field → its erased value (a "" value of a file field removes the files)
	scrub []string       // actScrub: the text fields searched for the person's identifiers
	// keep says whether a record is kept as it is, on which basis and until
	// when; nil keeps nothing.
	keep func(r *core.Record, now time.Time) (basis string, until time.Time)
}

func fiscal(dateField string) func(*core.Record, time.Time) (string, time.Time) {
	return func(r *core.Record, now time.Time) (string, time.Time) {
		at := r.GetDateTime(dateField).Time()
		if at.IsZero() {
			at = r.GetDateTime("created").Time()
		}
		until := at.AddDate(fiscalYears, 0, 0)
		if until.Before(now) {
			return "", time.Time{}
		}
		return BasisFiscal, until
	}
}

// treatments: per collection referring to contacts or customers.
var treatments = map[string]treatment{
	crm.Activities: {act: actBlank, blank: map[string]any{"subject": "", "body": "", "outcome": "", "data": "{}", "edits": "[]", "attachments": "", "customer": ""}},
	crm.AuditLog:   {act: actBlank, blank: map[string]any{"ip": "", "user_agent": "", "reason": "", "customer": ""}},
	crm.Cases: {act: actBlank, blank: map[string]any{"subject": "-", "description": "", "data": "{}", "rating_comment": "", "attachments": "", "opened_by": ""},
		keep: func(r *core.Record, _ time.Time) (string, time.Time) {
			if r.GetBool("closed") {
				return "", time.Time{}
			}
			return BasisOpen, time.Time{}
		}},
	crm.Consents:               {act: actBlank, blank: map[string]any{"ip": "", "user_agent": "", "proof": "{}", "history": "[]"}},
	crm.CustomerScores:         {act: actDelete},
	crm.Customers:              {act: actDelete},
	crm.Deals:                  {act: actScrub, scrub: []string{"title", "lost_reason"}},
	crm.EmailMessages:          {act: actDelete},
	crm.ExportMembers:          {act: actNone},
	crm.ErasureRequests:        {act: actNone}, // its note and account link go in forgetRequests
	crm.ProcessingRestrictions: {act: actBlank, blank: map[string]any{"note": "", "ip": "", "user_agent": ""}},
	crm.Invoices:               {act: actBlank, blank: map[string]any{"buyer": "{}"}, keep: fiscal("issued_at")},
	crm.Orders:                 {act: actBlank, blank: map[string]any{"internal_notes": "", "placed_by": ""}, keep: fiscal("placed_at")},
	crm.Outbox:                 {act: actBlank, blank: map[string]any{"subject": "", "body": "", "data": "{}", "to_address": "", "cc": "", "reason_data": "{}", "last_error": "", "attachments": ""}},
	crm.Payments:               {act: actBlank, blank: map[string]any{"reference": "", "instructions": "", "redirect_url": "", "failure_reason": "", "notifications": "[]"}, keep: fiscal("created")},
	crm.PersonalChoices:        {act: actDelete},
	crm.Quotes: {act: actBlank, blank: map[string]any{"note": "", "accepted_name": "", "accepted_ip": "", "accepted_agent": "", "accepted_by": "", "decline_reason": ""},
		keep: func(r *core.Record, now time.Time) (string, time.Time) {
			if r.GetString("order") == "" && r.GetDateTime("accepted_at").IsZero() {
				return "", time.Time{}
			}
			return BasisContract, r.GetDateTime("accepted_at").Time().AddDate(fiscalYears, 0, 0)
		}},
	crm.Subscriptions: {act: actBlank, blank: map[string]any{"cancel_note": "", "payment_method": ""},
		keep: func(r *core.Record, now time.Time) (string, time.Time) {
			end := r.GetDateTime("cancelled_at").Time()
			if end.IsZero() {
				return BasisContract, time.Time{} // in force: kept while it runs
			}
			if until := end.AddDate(fiscalYears, 0, 0); until.After(now) {
				return BasisContract, until
			}
			return "", time.Time{}
		}},
	crm.Suggestions:    {act: actDelete},
	crm.SurveyAnswers:  {act: actBlank, blank: map[string]any{"comment": ""}},
	crm.SurveyRequests: {act: actDelete},
	crm.Tasks:          {act: actScrub, scrub: []string{"title", "notes"}},
	crm.WebFormOptIns:  {act: actDelete},
	crm.Carts:          {act: actDelete},
	crm.CaseMessages:   {act: actDelete},
}

// Step is what the erasure does with one collection's records about the
// person: the ids it erases or anonymises, and those it keeps and why.
type Step struct {
	Collection string   `json:"collection"`
	Act        string   `json:"act"`
	IDs        []string `json:"-"`
	Kept       []Kept   `json:"kept,omitempty"`
	field      string   // the relation field that found them
}

// Plan is everything an erasure of one contact will do: the preview a
// manager reads and what Anonymise carries out.
type Plan struct {
	Contact     *core.Record   `json:"-"`
	Accounts    []*core.Record `json:"-"` // the portal accounts (customers)
	Identifiers []string       `json:"-"` // the name, emails and phones as stored
	Steps       []*Step        `json:"steps"`
}

// Erased counts, per collection, the records erased or anonymised.
func (p *Plan) Erased() map[string]int {
	out := map[string]int{}
	for _, s := range p.Steps {
		if s.Act != actNone && s.Act != actUnlink && len(s.IDs) > 0 {
			out[s.Collection] += len(s.IDs)
		}
	}
	return out
}

// KeptByCollection lists what is kept, per collection.
func (p *Plan) KeptByCollection() map[string][]Kept {
	out := map[string][]Kept{}
	for _, s := range p.Steps {
		if len(s.Kept) > 0 {
			out[s.Collection] = append(out[s.Collection], s.Kept...)
		}
	}
	return out
}

// MakePlan reads, in app, what an erasure of contactID would erase and keep.
func MakePlan(app core.App, contactID string, now time.Time) (*Plan, error) {
	contact, err := app.FindRecordById(crm.Contacts, contactID)
	if err != nil {
		return nil, fmt.Errorf("contact %s: %w", contactID, err)
	}
	p := &Plan{Contact: contact}
	accounts, err := app.FindAllRecords(crm.Customers, dbx.HashExp{crm.FieldContact: contactID})
	if err != nil {
		return nil, err
	}
	p.Accounts = accounts
	p.Identifiers = identifiers(contact, accounts)
	p.Steps = append(p.Steps, &Step{Collection: crm.Contacts, Act: actBlank, IDs: []string{contactID}})

	refs, err := crm.RelationsTo(app, crm.Contacts)
	if err != nil {
		return nil, err
	}
	accountRefs, err := crm.RelationsTo(app, crm.Customers)
	if err != nil {
		return nil, err
	}
	accountIDs := make([]string, len(accounts))
	for i, a := range accounts {
		accountIDs[i] = a.Id
	}
	openCases := []string{}
	for _, ref := range refs {
		s, err := step(app, ref, []string{contactID}, now)
		if err != nil {
			return nil, err
		}
		if ref.Collection == crm.Cases {
			for _, k := range s.Kept {
				openCases = append(openCases, k.ID)
			}
		}
		p.Steps = append(p.Steps, s)
	}
	for _, ref := range accountRefs {
		if ref.Collection == crm.Activities || ref.Collection == crm.AuditLog || ref.Collection == crm.ErasureRequests || len(accountIDs) == 0 {
			continue // their rows about the person are found by contact
		}
		s, err := step(app, ref, accountIDs, now)
		if err != nil {
			return nil, err
		}
		p.Steps = append(p.Steps, s)
	}
	// The conversations of the requests that go: their messages go too.
	msgs, err := caseMessages(app, contactID, openCases)
	if err != nil {
		return nil, err
	}
	p.Steps = append(p.Steps, &Step{Collection: crm.CaseMessages, Act: actDelete, IDs: msgs})
	merges, err := mergesOf(app, contactID)
	if err != nil {
		return nil, err
	}
	p.Steps = append(p.Steps, &Step{Collection: crm.Merges, Act: actDelete, IDs: merges})
	return p, keepOpenMail(app, p, openCases)
}

// mergesOf are the undo records of the merges the person was part of
// (their ids are text, not relations): they hold the merged duplicate's
// whole rows (other addresses, phones, custom fields), and an undo would
// bring them back.
func mergesOf(app core.App, contactID string) ([]string, error) {
	var ids []string
	err := app.DB().Select("id").From(crm.Merges).Where(dbx.And(dbx.HashExp{"kind": crm.Contacts},
		dbx.Or(dbx.HashExp{"survivor": contactID}, dbx.HashExp{"other_id": contactID}))).Column(&ids)
	return ids, err
}

// keepOpenMail keeps the mails of the requests kept open with them.
func keepOpenMail(app core.App, p *Plan, openCases []string) error {
	if len(openCases) == 0 {
		return nil
	}
	for _, s := range p.Steps {
		if s.Collection != crm.EmailMessages {
			continue
		}
		var ids []string
		for _, id := range s.IDs {
			r, err := app.FindRecordById(crm.EmailMessages, id)
			if err != nil {
				return err
			}
			if slices.Contains(openCases, r.GetString("case")) {
				s.Kept = append(s.Kept, Kept{ID: id, Basis: BasisOpen, Label: label(r)})
				continue
			}
			ids = append(ids, id)
		}
		s.IDs = ids
	}
	return nil
}

// step reads the records of ref.Collection whose ref.Field is one of ids.
func step(app core.App, ref crm.Ref, ids []string, now time.Time) (*Step, error) {
	t, ok := treatments[ref.Collection]
	if !ok {
		return nil, fmt.Errorf("erasure: %s.%s refers to the person and erasure has no rule for it", ref.Collection, ref.Field)
	}
	s := &Step{Collection: ref.Collection, Act: t.act}
	recs, err := app.FindAllRecords(ref.Collection, dbx.In(ref.Field, anys(ids)...))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if t.keep != nil {
			if basis, until := t.keep(r, now); basis != "" {
				s.Kept = append(s.Kept, Kept{ID: r.Id, Basis: basis, Label: label(r), Until: day(until)})
				continue
			}
		}
		s.IDs = append(s.IDs, r.Id)
	}
	if ref.Collection == crm.Customers || ref.Field != crm.FieldContact {
		// A link to the portal account (placed_by, accepted_by, ...): only
		// the link goes; a kept record keeps the rest.
		if ref.Collection != crm.Customers && ref.Collection != crm.Carts {
			s.Act, s.IDs, s.Kept = actUnlink, append(s.IDs, keptIDs(s.Kept)...), nil
		}
	}
	s.field = ref.Field
	return s, nil
}

// actUnlink empties the link to the portal account that is deleted.
const actUnlink = "unlink"

func keptIDs(k []Kept) []string {
	out := make([]string, len(k))
	for i, x := range k {
		out[i] = x.ID
	}
	return out
}

// caseMessages are the messages of the person's requests, except those of
// the requests kept open.
func caseMessages(app core.App, contactID string, keep []string) ([]string, error) {
	var ids []string
	q := app.DB().Select("m.id").From(crm.CaseMessages+" m").
		InnerJoin(crm.Cases+" c", dbx.NewExp("c.id = m.`case`")).
		Where(dbx.HashExp{"c.contact": contactID})
	if len(keep) > 0 {
		q = q.AndWhere(dbx.NotIn("c.id", anys(keep)...))
	}
	err := q.Column(&ids)
	return ids, err
}

// label is how a kept record is named in the receipt: its business number.
func label(r *core.Record) string {
	for _, f := range []string{"number", "reference"} {
		if v := r.GetString(f); v != "" {
			return v
		}
	}
	return r.Id
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// Collections lists the collections the erasure has a rule for.
func Collections() []string {
	out := make([]string, 0, len(treatments))
	for c := range treatments {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
