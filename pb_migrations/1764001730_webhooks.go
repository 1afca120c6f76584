package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Webhooks kept in the database (plugins/hooksapi):
//   - webhook_deliveries: every outbound webhook, with its payload, attempts,
//     next try, state and last error, so that a restart resumes the retries
//     in flight. Superusers only (no API rule): they see the deliveries in
//     the dashboard and may set a failed one back to pending. The secret of a
//     delivery posted with its own is hidden; an empty one means the
//     configured webhooks.secret;
//   - _webhook_signatures: the inbound webhook signatures already accepted,
//     each until its time is too old to be accepted anyway, so that a signed
//     request is accepted once. A plain table: no API reads or writes it.
func init() {
	m.Register(webhooksUp, webhooksDown)
}

func webhooksUp(app core.App) error {
	c := core.NewBaseCollection(crm.WebhookDeliveries)
	secret := text("secret", false, 500)
	secret.Hidden = true
	c.Fields.Add(
		text("url", true, 2000),
		secret,
		text("event", true, 200),
		jsonField("payload", true, 4<<20), // the body, as sent
		choice("state", true, crm.WebhookPending, crm.WebhookSent, crm.WebhookFailed),
		number("attempts", false, 0, 1000, true),
		date("next_at", false),
		text("last_error", false, 1000),
		date("sent_at", false),
	)
	c.Fields.Add(timestamps()...)
	index(c, false, "state", "next_at")
	if err := app.Save(c); err != nil {
		return err
	}
	_, err := app.DB().NewQuery("CREATE TABLE IF NOT EXISTS `" + crm.WebhookSignaturesTable + "` (" +
		"`mac` TEXT PRIMARY KEY NOT NULL, `expires` INTEGER NOT NULL) WITHOUT ROWID").Execute()
	if err != nil {
		return err
	}
	_, err = app.DB().NewQuery("CREATE INDEX IF NOT EXISTS `idx_webhook_signatures_expires` ON `" +
		crm.WebhookSignaturesTable + "` (`expires`)").Execute()
	return err
}

func webhooksDown(app core.App) error {
	if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS `" + crm.WebhookSignaturesTable + "`").Execute(); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(crm.WebhookDeliveries)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
