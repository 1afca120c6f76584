package campaigns

import (
	"context"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// BatchSize is how many members one transaction queues: a large segment
// goes in many short transactions, so the rest of the CRM keeps writing.
var BatchSize = 200

// Send sends campaign id as staff member by (a superuser: "") and returns
// when every member's message is queued: a draft starts sending, a send a
// stop interrupted goes on from where it was, a sent campaign queues
// nothing. The outbox then decides and delivers each message as always.
func Send(app core.App, id, by string) error {
	p, err := pluginOf(app)
	if err != nil {
		return err
	}
	camp, err := start(app, id, by)
	if err != nil || camp.GetString(crm.CampState) == crm.CampaignSent {
		return err
	}
	return p.run(app, id)
}

// start moves a draft to sending (when, by whom, how many members) in one
// transaction; a campaign already sending or sent is returned as it is.
func start(app core.App, id, by string) (*core.Record, error) {
	var camp *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		c, err := tx.FindRecordById(crm.Campaigns, id)
		if err != nil {
			return err
		}
		camp = c
		if c.GetString(crm.CampState) != crm.CampaignDraft {
			return nil
		}
		now := outbox.Now(tx)
		_, total, err := members(context.Background(), tx, c, now, 1, false)
		if err != nil {
			return err
		}
		c.Set(crm.CampState, crm.CampaignSending)
		c.Set(crm.CampSentAt, now)
		c.Set(crm.CampSentBy, by)
		c.Set(crm.CampMembers, total)
		return tx.Save(c)
	})
	return camp, err
}

// run queues the campaign's message for every member of its segment who
// has none yet, BatchSize per transaction, then marks it sent. One run per
// campaign at a time in this process; the unique (campaign, contact) index
// keeps two processes from queuing one member twice.
func (p *plugin) run(app core.App, id string) error {
	p.mu.Lock()
	if p.running[id] {
		p.mu.Unlock()
		return nil
	}
	p.running[id] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.running, id)
		p.mu.Unlock()
	}()

	camp, err := app.FindRecordById(crm.Campaigns, id)
	if err != nil || camp.GetString(crm.CampState) != crm.CampaignSending {
		return err
	}
	ids, _, err := members(context.Background(), app, camp, camp.GetDateTime(crm.CampSentAt).Time(), 0, false)
	if err != nil {
		return err
	}
	var done []string
	if err := app.DB().NewQuery("SELECT " + crm.FieldContact + " FROM " + crm.Outbox + " WHERE " + crm.OutboxCampaign + " = {:c}").
		Bind(dbx.Params{"c": id}).Column(&done); err != nil {
		return err
	}
	queued := make(map[string]bool, len(done))
	for _, c := range done {
		queued[c] = true
	}
	var todo []string
	for _, c := range ids {
		if !queued[c] {
			todo = append(todo, c)
		}
	}
	by := camp.GetString(crm.CampSentBy)
	if len(todo) == 0 {
		return p.queueBatch(app, id, by, nil, true)
	}
	for len(todo) > 0 {
		batch := todo[:min(BatchSize, len(todo))]
		todo = todo[len(batch):]
		if err := p.queueBatch(app, id, by, batch, len(todo) == 0); err != nil {
			return err
		}
	}
	return nil
}

// queueBatch queues the message for contacts in one transaction, counts
// the campaign's rows and, at the last batch, marks it sent.
func (p *plugin) queueBatch(app core.App, id, by string, contacts []string, last bool) error {
	return app.RunInTransaction(func(tx core.App) error {
		camp, err := tx.FindRecordById(crm.Campaigns, id)
		if err != nil {
			return err
		}
		for _, cid := range contacts {
			contact, err := tx.FindRecordById(crm.Contacts, cid)
			if err != nil {
				continue // deleted since the segment was read
			}
			if _, err := outbox.Queue(tx, message(tx, p.cfg, camp, contact, by)); err != nil {
				return err
			}
		}
		n, err := tx.CountRecords(crm.Outbox, dbx.HashExp{crm.OutboxCampaign: id})
		if err != nil {
			return err
		}
		camp.Set(crm.CampQueued, n)
		if last {
			camp.Set(crm.CampState, crm.CampaignSent)
		}
		return tx.Save(camp)
	})
}

// resume goes on with the sends a stop interrupted.
func (p *plugin) resume(app core.App) {
	list, err := app.FindAllRecords(crm.Campaigns, dbx.HashExp{crm.CampState: crm.CampaignSending})
	if err != nil {
		app.Logger().Error("campaigns: the interrupted sends could not be read", "error", err)
		return
	}
	for _, c := range list {
		p.background(app, c.Id)
	}
}

// background runs a send off the request.
func (p *plugin) background(app core.App, id string) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := p.run(app, id); err != nil {
			app.Logger().Error("campaigns: sending", "campaign", id, "error", err)
		}
	}()
}

// handleSend: POST /api/crm/campaigns/{id}/send -> 202 with the campaign,
// sending in the background (200 for one already sent: nothing new is
// queued). Writers; an agent only their own campaign.
func (p *plugin) handleSend(e *core.RequestEvent) error {
	camp, err := find(e)
	if err != nil {
		return err
	}
	if !mayWrite(e, camp) {
		return e.ForbiddenError("Only its owner or a manager sends a campaign.", nil)
	}
	if camp.GetString(crm.CampState) == crm.CampaignDraft {
		if err := check(e.App, camp); err != nil {
			return e.BadRequestError("The campaign is not ready to send.", err)
		}
		if _, _, err := members(e.Request.Context(), e.App, camp, time.Now(), 1, false); err != nil {
			return segmentProblem(e, err)
		}
	}
	by := ""
	if e.Auth != nil && !e.HasSuperuserAuth() {
		by = e.Auth.Id
	}
	camp, err = start(e.App, camp.Id, by)
	if err != nil {
		return err
	}
	if camp.GetString(crm.CampState) == crm.CampaignSent {
		return e.JSON(http.StatusOK, camp)
	}
	p.background(e.App, camp.Id)
	return e.JSON(http.StatusAccepted, camp)
}
