package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The outbox carries what an email needs beyond a subject and a body: the
// other addresses of a reply-all (cc), its attachments (protected files,
// limited in number and size), and, for a notice that must reach an
// address the contact no longer has (the old address of an email change),
// that address (to_address) — the server's alone to set, so staff cannot
// mail anyone but the contact through the API.
func init() {
	m.Register(outboxEmailUp, outboxEmailDown)
}

const outboxToUntouched = "@request.body." + crm.OutboxTo + ":isset = false"

func outboxEmailUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	if c.Fields.GetByName(crm.OutboxCc) == nil {
		attachments := files(crm.OutboxFiles, crm.MailMaxFiles)
		attachments.MaxSize = crm.MailMaxFileBytes
		attachments.Protected = true
		c.Fields.Add(text(crm.OutboxCc, false, 4000), email(crm.OutboxTo, false), attachments)
	}
	if c.CreateRule != nil && !strings.Contains(*c.CreateRule, outboxToUntouched) {
		c.CreateRule = rule("(" + *c.CreateRule + ") && " + outboxToUntouched)
	}
	return app.Save(c)
}

func outboxEmailDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	for _, f := range []string{crm.OutboxCc, crm.OutboxTo, crm.OutboxFiles} {
		c.Fields.RemoveByName(f)
	}
	if r := c.CreateRule; r != nil && strings.HasPrefix(*r, "(") && strings.HasSuffix(*r, ") && "+outboxToUntouched) {
		c.CreateRule = rule(strings.TrimSuffix(strings.TrimPrefix(*r, "("), ") && "+outboxToUntouched))
	}
	return app.Save(c)
}
