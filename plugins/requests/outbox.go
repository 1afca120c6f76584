package requests

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Templates of the messages a request sends its customer.
const (
	TemplateOpened = "case_opened" // with the reference code to follow it
	TemplateStatus = "case_status" // every change of status
)

// quietKey marks a save that tells the customer nothing: history brought in
// by the demo or an import, whose "opened" and "status" moments are long past.
// PocketBase never exports custom keys with the @pbInternal prefix.
const quietKey = "@pbInternalVinculoQuiet"

// Quietly marks r so that saving it queues no message to the customer.
func Quietly(r *core.Record) { r.Set(quietKey, true) }

// queueMessage puts a service message for the case's contact in the outbox,
// in the caller's transaction; the outbox decides when and how it goes.
func queueMessage(tx core.App, ctx context.Context, c, caseType *core.Record, template string) error {
	if quiet, _ := c.Get(quietKey).(bool); quiet {
		return nil
	}
	outbox, err := tx.FindCachedCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	m := core.NewRecord(outbox)
	m.Set(crm.FieldContact, c.GetString(crm.FieldContact))
	m.Set("purpose", "service")
	m.Set("case", c.Id)
	m.Set("template", template)
	m.Set("data", map[string]any{
		"reference":    c.GetString("reference"),
		"subject":      c.GetString("subject"),
		"status":       c.GetString("status"),
		"status_label": c.GetString("status_label"),
		"type":         caseType.GetString("name"),
	})
	m.Set("urgent", c.GetString("priority") == "urgent")
	m.Set("state", "queued")
	if ctx == nil {
		ctx = context.Background()
	}
	return tx.SaveWithContext(ctx, m)
}
