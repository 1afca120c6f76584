package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Channels through providers: the accounts a business turns on (WhatsApp
// Business, SMS), managers only, their secrets hidden from every API answer;
// and the provider message ids already taken in, so a retried or replayed
// webhook writes nothing twice (a plain table the API never serves).
func init() {
	m.Register(channelAccountsUp, channelAccountsDown)
}

func channelAccountsUp(app core.App) error {
	c := core.NewBaseCollection(crm.ChannelAccounts)
	secret := func(name string) *core.TextField {
		f := text(name, false, 500)
		f.Hidden = true
		return f
	}
	c.Fields.Add(
		choice(crm.AccountChannel, true, crm.ChannelWhatsApp, crm.ChannelSMS),
		boolean(crm.AccountActive),
		pattern(crm.AccountPhoneNumberID, false, 40, `^[0-9]*$`),
		text(crm.AccountNumber, false, 40),
		pattern(crm.AccountSID, false, 64, `^(AC[0-9a-fA-F]{32})?$`),
		pattern(crm.AccountWebhookURL, false, 500, `^(https?://\S+)?$`),
		secret(crm.AccountAppSecret),
		secret(crm.AccountAccessToken),
		secret(crm.AccountVerifyToken),
		secret(crm.AccountAuthToken),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One row per provider channel turned on (WhatsApp Business, SMS): switch, identifiers and secrets (never shown back). Managers only."
	}
	// Managers read; they write through PUT /api/crm/channel-accounts/{channel}
	// (plugins/hooksapi), which takes the secrets the record API would not.
	setRules(c, rules{read: rule(isManager)})
	index(c, true, crm.AccountChannel)
	if err := app.Save(c); err != nil {
		return err
	}
	if _, err := app.DB().NewQuery("CREATE TABLE IF NOT EXISTS `" + crm.ProviderMessagesTable + "` (" +
		"`key` TEXT PRIMARY KEY NOT NULL, `expires` INTEGER NOT NULL) WITHOUT ROWID").Execute(); err != nil {
		return err
	}
	_, err := app.DB().NewQuery("CREATE INDEX IF NOT EXISTS `idx_provider_messages_expires` ON `" +
		crm.ProviderMessagesTable + "` (`expires`)").Execute()
	return err
}

func channelAccountsDown(app core.App) error {
	if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS `" + crm.ProviderMessagesTable + "`").Execute(); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(crm.ChannelAccounts)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
