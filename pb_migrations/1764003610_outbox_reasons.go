package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Why a message waits, was refused or failed, in the reader's language: the
// outbox keeps, beside its English `reason` (for logs and integrators), the
// reason as a code (reason_code) and what its wording needs (reason_data:
// the channel, the purpose, the time it waits for...), and each reader's
// screen words it. Both are the system's to write, as the reason is.
func init() {
	m.Register(outboxReasonsUp, outboxReasonsDown)
}

const outboxReasonsUntouched = "@request.body.reason_code:isset = false && @request.body.reason_data:isset = false"

func outboxReasonsUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	if c.Fields.GetByName("reason_code") == nil {
		c.Fields.Add(text("reason_code", false, 60), jsonField("reason_data", false, 16<<10))
	}
	if c.CreateRule != nil && !strings.Contains(*c.CreateRule, outboxReasonsUntouched) {
		c.CreateRule = rule("(" + *c.CreateRule + ") && " + outboxReasonsUntouched)
	}
	return app.Save(c)
}

func outboxReasonsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	c.Fields.RemoveByName("reason_code")
	c.Fields.RemoveByName("reason_data")
	if r := c.CreateRule; r != nil && strings.HasPrefix(*r, "(") && strings.HasSuffix(*r, ") && "+outboxReasonsUntouched) {
		c.CreateRule = rule(strings.TrimSuffix(strings.TrimPrefix(*r, "("), ") && "+outboxReasonsUntouched))
	}
	return app.Save(c)
}
