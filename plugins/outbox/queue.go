package outbox

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"vinculo/crm"
)

// Queued is a message another plugin puts in the outbox.
type Queued struct {
	Contact  string // required
	Purpose  string // crm.PurposeService, crm.PurposeMarketing, ...
	Channel  string // "" for the customer's preferred one
	Template string // one of Templates(); "" sends Subject and Body as they are
	Data     map[string]any
	Subject  string
	Body     string
	Urgent   bool // service only: lifts the customer's hours
	Case     string
	// Kind is what the message tells (crm.MessageKinds) for the customer's
	// choices: "" takes the template's kind (crm.TemplateKinds), if any.
	// Topic is the news topic of a message of kind news.
	Kind  string
	Topic string
	// Email only: an address of its own instead of the contact's (the old
	// address of an email change), the others of a reply-all, the files.
	To    string
	Cc    []string
	Files []*filesystem.File
	// CreatedBy is the staff member who wrote it; a message nobody wrote
	// is sent as automatic (Auto-Submitted).
	CreatedBy string
	// ID, when set, is the new record's id (a caller that links to the
	// message before it is saved).
	ID string
	// Campaign is the campaign it was queued for (plugins/campaigns): one
	// message per contact and campaign.
	Campaign string
}

// Queue saves q as a queued message in tx, the caller's transaction: the
// outbox decides it at once (the record's state, not_before and reason say
// what the customer's rules made of it) and sends it once tx commits.
func Queue(tx core.App, q Queued) (*core.Record, error) {
	r, err := newRecord(tx, q)
	if err != nil {
		return nil, err
	}
	if err := tx.Save(r); err != nil {
		return nil, err
	}
	return r, nil
}

// newRecord is q as an outbox record, not yet saved: what Queue saves and
// Decide asks about.
func newRecord(tx core.App, q Queued) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	if q.ID != "" {
		r.Id = q.ID
	}
	r.Set(crm.FieldContact, q.Contact)
	r.Set("purpose", q.Purpose)
	r.Set("channel", q.Channel)
	r.Set("template", q.Template)
	if q.Data != nil {
		r.Set(crm.OutboxData, q.Data)
	}
	r.Set("subject", q.Subject)
	r.Set("body", q.Body)
	r.Set("urgent", q.Urgent)
	r.Set("case", q.Case)
	if q.Kind == "" {
		q.Kind = crm.TemplateKinds[q.Template]
	}
	r.Set(crm.OutboxKind, q.Kind)
	r.Set(crm.OutboxTopic, q.Topic)
	r.Set(crm.OutboxTo, strings.TrimSpace(q.To))
	r.Set(crm.OutboxCc, strings.Join(q.Cc, ", "))
	if len(q.Files) > 0 {
		r.Set(crm.OutboxFiles, q.Files)
	}
	r.Set("created_by", q.CreatedBy)
	if q.Campaign != "" {
		r.Set(crm.OutboxCampaign, q.Campaign)
	}
	r.Set("state", StateQueued)
	return r, nil
}
