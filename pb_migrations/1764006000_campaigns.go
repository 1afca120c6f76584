package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Campaigns (plugins/campaigns): a message to a segment through the outbox.
//   - campaigns: staff read; writers create and edit drafts (agents their
//     own, managers any); the state, when and by whom it was sent and its
//     counts are the server's alone; managers (and an agent, their own)
//     delete drafts only, so a sent campaign keeps its results;
//   - the outbox gains the campaign a message was queued for, unique per
//     contact (sending twice queues nothing new), never set through the API.
func init() {
	m.Register(campaignsUp, campaignsDown)
}

var campaignSystemFields = []string{crm.CampState, crm.CampSentAt, crm.CampSentBy, crm.CampMembers, crm.CampQueued}

func campaignGuard() string {
	var parts []string
	for _, f := range campaignSystemFields {
		parts = append(parts, "@request.body."+f+":isset = false")
	}
	return strings.Join(parts, " && ")
}

const outboxCampaignUntouched = "@request.body." + crm.OutboxCampaign + ":isset = false"

func campaignsUp(app core.App) error {
	c := core.NewBaseCollection(crm.Campaigns)
	window := number(crm.CampWindow, false, 1, 365, true)
	c.Fields.Add(
		text(crm.CampName, true, 120),
		relation(app, crm.CampSegment, crm.Segments, true, false),
		choice(crm.CampChannel, false, crm.CampaignChannels...),
		text(crm.CampSubjectEN, false, 300),
		text(crm.CampBodyEN, false, 20000),
		text(crm.CampSubjectPT, false, 300),
		text(crm.CampBodyPT, false, 20000),
		relation(app, crm.CampTopic, crm.NewsTopics, false, false),
		window,
		choice(crm.CampState, true, crm.CampaignStates...),
		relation(app, crm.CampOwner, crm.Staff, false, false),
		date(crm.CampSentAt, false),
		relation(app, crm.CampSentBy, crm.Staff, false, false),
		number(crm.CampMembers, false, 0, 1e12, true),
		number(crm.CampQueued, false, 0, 1e12, true),
	)
	c.Fields.Add(timestamps()...)
	describe(c, "A message in both languages to a segment, sent through the outbox under the marketing purpose, previewed before and measured after (states, reasons, replies, orders in a window). Staff read; writers write drafts; the server sends.")
	draftOnly := " && " + crm.CampState + " = '" + crm.CampaignDraft + "'"
	setRules(c, rules{
		read:   rule(isStaff),
		create: rule(isWriter + " && " + campaignGuard()),
		update: rule("(" + agentOwns(crm.CampOwner) + ")" + draftOnly + " && " + campaignGuard()),
		delete: rule("(" + agentOwns(crm.CampOwner) + ")" + draftOnly),
	})
	index(c, false, crm.CampSegment)
	index(c, false, crm.CampTopic)
	index(c, false, crm.CampOwner)
	index(c, false, crm.CampSentBy)
	index(c, false, crm.CampState)
	index(c, false, "created")
	if err := app.Save(c); err != nil {
		return err
	}

	outbox, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	outbox.Fields.Add(relation(app, crm.OutboxCampaign, crm.Campaigns, false, false))
	outbox.AddIndex("idx_outbox_campaign_contact", true, "`"+crm.OutboxCampaign+"`, `"+crm.FieldContact+"`", "`"+crm.OutboxCampaign+"` != ''")
	if outbox.CreateRule != nil && !strings.Contains(*outbox.CreateRule, outboxCampaignUntouched) {
		outbox.CreateRule = rule("(" + *outbox.CreateRule + ") && " + outboxCampaignUntouched)
	}
	if outbox.UpdateRule != nil && !strings.Contains(*outbox.UpdateRule, outboxCampaignUntouched) {
		outbox.UpdateRule = rule("(" + *outbox.UpdateRule + ") && " + outboxCampaignUntouched)
	}
	return app.Save(outbox)
}

func campaignsDown(app core.App) error {
	if outbox, err := app.FindCollectionByNameOrId(crm.Outbox); err == nil {
		outbox.RemoveIndex("idx_outbox_campaign_contact")
		outbox.Fields.RemoveByName(crm.OutboxCampaign)
		for _, r := range []**string{&outbox.CreateRule, &outbox.UpdateRule} {
			if *r != nil && strings.HasPrefix(**r, "(") && strings.HasSuffix(**r, ") && "+outboxCampaignUntouched) {
				*r = rule(strings.TrimSuffix(strings.TrimPrefix(**r, "("), ") && "+outboxCampaignUntouched))
			}
		}
		if err := app.Save(outbox); err != nil {
			return err
		}
	}
	if c, err := app.FindCollectionByNameOrId(crm.Campaigns); err == nil {
		return app.Delete(c)
	}
	return nil
}
