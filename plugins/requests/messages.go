package requests

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// Templates of the messages a request sends its customer.
const (
	TemplateOpened = crm.TemplateCaseOpened // with the reference code to follow it
	TemplateStatus = crm.TemplateCaseStatus // every change of status
)

// Quietly marks r so that saving it queues no message to the customer:
// history brought in by the demo or an import (crm.Quietly).
func Quietly(r *core.Record) { crm.Quietly(r) }

// queueMessage puts a service message for the case's contact in the outbox,
// in the caller's transaction; the outbox decides when and how it goes.
func queueMessage(tx core.App, ctx context.Context, c, caseType *core.Record, template string) error {
	if crm.IsQuiet(c) {
		return nil
	}
	outbox, err := tx.FindCachedCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	m := core.NewRecord(outbox)
	m.Set(crm.FieldContact, c.GetString(crm.FieldContact))
	m.Set("purpose", crm.PurposeService)
	m.Set("case", c.Id)
	m.Set("template", template)
	m.Set(crm.OutboxKind, crm.KindRequests)
	m.Set("data", map[string]any{
		"reference":    c.GetString("reference"),
		"subject":      c.GetString("subject"),
		"status":       c.GetString("status"),
		"status_label": c.GetString("status_label"),
		"type":         caseType.GetString("name"),
	})
	m.Set("urgent", c.GetString("priority") == "urgent")
	m.Set("state", crm.OutboxQueued)
	if ctx == nil {
		ctx = context.Background()
	}
	return tx.SaveWithContext(ctx, m)
}

// releaseHeld lets the outbox decide again at once the marketing a request
// may have held back (hooks/15_hold_marketing.pb.js holds it while the
// contact has an open request of a type that holds marketing): the
// contact's, when the request closes or changes type; the one it leaves,
// when it moves to another contact. Deleting a request releases too.
func releaseHeld(tx core.App, prev, c *core.Record) error {
	var contacts []string
	if (c.GetBool("closed") && !prev.GetBool("closed")) || c.GetString("type") != prev.GetString("type") {
		contacts = append(contacts, c.GetString(crm.FieldContact))
	}
	if old := prev.GetString(crm.FieldContact); old != "" && old != c.GetString(crm.FieldContact) {
		contacts = append(contacts, old)
	}
	return outbox.Release(tx, crm.PurposeMarketing, contacts...)
}
