package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Active personalisation: the topics of the business's news, each
// contact's choices of messages and pins, and the kind of every outbox
// message (so the outbox can honour the choices).
//
// personal_choices is written by the server alone: the portal's route
// writes the signed-in customer's own row, after checking every value; the
// API writes nothing, so no one writes another's choices. Staff read them
// (the contact page shows them); the customer reads their own.
func init() {
	m.Register(personalUp, personalDown)
}

func personalUp(app core.App) error {
	topics := core.NewBaseCollection(crm.NewsTopics)
	topics.Fields.Add(
		text(crm.TopicName, true, 80),
		text(crm.TopicDescription, false, 300),
		boolean(crm.TopicActive),
		number(crm.TopicPosition, false, 0, 10000, true),
	)
	topics.Fields.Add(timestamps()...)
	describe(topics, "The topics of the business's news (product news, offers...): customers choose which they hear of, and on which channel. News is marketing: it still needs the customer's marketing consent. Managers write; staff read; customers read the active ones.")
	setRules(topics, catalogue())
	index(topics, true, crm.TopicName)
	if err := app.Save(topics); err != nil {
		return err
	}

	choices := core.NewBaseCollection(crm.PersonalChoices)
	choices.Fields.Add(
		relation(app, crm.PcContact, crm.Contacts, true, true),
		jsonField(crm.PcMessages, false, 8<<10),
		jsonField(crm.PcNews, false, 16<<10),
		jsonField(crm.PcPins, false, 8<<10),
	)
	choices.Fields.Add(timestamps()...)
	describe(choices, "A customer's own choices: per kind of message (request updates, orders and payments, invoices, news by topic) whether they are told and on which channel, and what the portal's home shows first, in their order. Written only through the portal by the customer; staff read.")
	setRules(choices, rules{read: or(isStaff, ownRecord(crm.PcContact))})
	index(choices, true, crm.PcContact)
	if err := app.Save(choices); err != nil {
		return err
	}

	outbox, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	outbox.Fields.Add(
		choice(crm.OutboxKind, false, crm.MessageKinds...),
		relation(app, crm.OutboxTopic, crm.NewsTopics, false, false),
	)
	index(outbox, false, crm.OutboxTopic)
	return app.Save(outbox)
}

func personalDown(app core.App) error {
	if outbox, err := app.FindCollectionByNameOrId(crm.Outbox); err == nil {
		outbox.RemoveIndex("idx_" + crm.Outbox + "_" + crm.OutboxTopic)
		outbox.Fields.RemoveByName(crm.OutboxKind)
		outbox.Fields.RemoveByName(crm.OutboxTopic)
		if err := app.Save(outbox); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.PersonalChoices, crm.NewsTopics} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}
