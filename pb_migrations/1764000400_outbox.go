package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The outbox as its worker keeps it (plugins/outbox):
//   - last_error: the latest failed attempt's error, kept while retries go on;
//   - decided_at: when the customer's rules were last applied to it;
//   - sent_channel: the channel it went on (an empty channel means the
//     customer's preferred one, which may change while a message waits);
//   - claim, claimed_at: a worker's hold on a message while it sends it, so
//     that two workers never send it twice; a claim older than the worker's
//     time limit belongs to a crashed process and is taken over;
//   - an index (contact, state, sent_at) for the weekly limit's count.
//
// These, the reason and not_before are the system's to write: staff who
// queue a message through the API set none of them (a message goes as soon
// as the customer's rules allow; the rules, not the sender, pick the time).
func init() {
	m.Register(outboxUp, outboxDown)
}

var outboxSystemFields = []string{"reason", "not_before", "last_error", "decided_at", "sent_channel", "claim", "claimed_at"}

func outboxGuard() string {
	var parts []string
	for _, f := range outboxSystemFields {
		parts = append(parts, "@request.body."+f+":isset = false")
	}
	return strings.Join(parts, " && ")
}

func outboxUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	c.Fields.Add(
		text("last_error", false, 1000),
		date("decided_at", false),
		choice("sent_channel", false, crm.Channels...),
		text("claim", false, 40),
		date("claimed_at", false),
	)
	index(c, false, crm.FieldContact, "state", "sent_at")
	if c.CreateRule != nil && !strings.Contains(*c.CreateRule, "@request.body.claim:isset") {
		c.CreateRule = rule("(" + *c.CreateRule + ") && " + outboxGuard())
	}
	return app.Save(c)
}

func outboxDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	for _, name := range []string{"last_error", "decided_at", "sent_channel", "claim", "claimed_at"} {
		c.Fields.RemoveByName(name)
	}
	c.RemoveIndex("idx_outbox_contact_state_sent_at")
	if r := c.CreateRule; r != nil && strings.HasPrefix(*r, "(") && strings.HasSuffix(*r, ") && "+outboxGuard()) {
		c.CreateRule = rule(strings.TrimSuffix(strings.TrimPrefix(*r, "("), ") && "+outboxGuard()))
	}
	return app.Save(c)
}
