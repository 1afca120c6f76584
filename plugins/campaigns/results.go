package campaigns

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Results is what became of a campaign: its messages by state and reason
// as the outbox has them now, the replies, and the orders placed within
// the window after each member's message went.
type Results struct {
	State      string         `json:"state"`
	SentAt     string         `json:"sent_at"`
	Members    int            `json:"members"` // in the segment when it was sent
	Messages   int            `json:"messages"`
	ByState    map[string]int `json:"by_state"`
	Reasons    []Tally        `json:"reasons"`
	WindowDays int            `json:"window_days"`
	Replies    Replies        `json:"replies"`
	Orders     Orders         `json:"orders"`
}

// Replies: Direct are mails that answer the campaign's own mail (their
// In-Reply-To is its Message-ID); Contacts are the members who wrote to
// the business on any channel (mail, WhatsApp, SMS, chat, the portal) after
// their message went and within the window — a reply or not.
type Replies struct {
	Direct   int `json:"direct"`
	Contacts int `json:"contacts"`
}

// Orders placed by members after their message went and within the
// window, not cancelled: how many, by how many members, and the amount per
// currency. They followed the message; the message did not necessarily
// bring them.
type Orders struct {
	Count    int      `json:"count"`
	Contacts int      `json:"contacts"`
	Amounts  []Amount `json:"amounts"`
}

// Amount is a sum in one currency.
type Amount struct {
	Currency string  `db:"currency" json:"currency"`
	Amount   float64 `db:"amount" json:"amount"`
	Count    int     `db:"n" json:"count"`
}

// Measure reads campaign camp's results now.
func Measure(app core.App, camp *core.Record) (Results, error) {
	id := camp.Id
	window := camp.GetInt(crm.CampWindow)
	if window <= 0 {
		window = DefaultWindow
	}
	r := Results{State: camp.GetString(crm.CampState), SentAt: camp.GetString(crm.CampSentAt), Members: camp.GetInt(crm.CampMembers),
		WindowDays: window, Orders: Orders{Amounts: []Amount{}}}
	var rows []struct {
		State     string         `db:"state"`
		Code      string         `db:"reason_code"`
		Data      types.JSONRaw  `db:"reason_data"`
		NotBefore types.DateTime `db:"not_before"`
	}
	err := app.DB().NewQuery("SELECT state, IFNULL(reason_code, '') AS reason_code, reason_data, not_before FROM " + crm.Outbox +
		" WHERE " + crm.OutboxCampaign + " = {:c}").Bind(dbx.Params{"c": id}).All(&rows)
	if err != nil {
		return r, err
	}
	ts := tallies{}
	for _, row := range rows {
		var data map[string]any
		_ = json.Unmarshal(row.Data, &data)
		var at time.Time
		if row.State == crm.OutboxWaiting {
			at = row.NotBefore.Time()
		}
		ts.add(row.State, row.Code, data, at)
	}
	r.Messages = len(rows)
	r.Reasons = ts.list()
	r.ByState = byState(r.Reasons)
	if r.Replies, err = replies(app, id, window); err != nil {
		return r, err
	}
	r.Orders, err = orders(app, id, window)
	return r, err
}

// until is the end of a message's window, in SQL, as PocketBase stores dates.
func until(days int) string {
	return "strftime('%Y-%m-%d %H:%M:%fZ', m.sent_at, '+" + strconv.Itoa(days) + " days')"
}

// sentRows are the campaign's messages that went, aliased m.
const sentRows = crm.Outbox + " m WHERE m." + crm.OutboxCampaign + " = {:c} AND m.state = 'sent' AND m.sent_at != ''"

func replies(app core.App, id string, window int) (Replies, error) {
	var r Replies
	err := app.DB().NewQuery("SELECT COUNT(DISTINCT i.id) FROM " + crm.EmailMessages + " i JOIN " + crm.EmailMessages + " o ON o." + crm.MailDirection +
		" = 'out' AND i." + crm.MailInReplyTo + " = o." + crm.MailMessageID + " JOIN " + crm.Outbox + " m ON m.id = o." + crm.MailOutbox +
		" WHERE i." + crm.MailDirection + " = 'in' AND i." + crm.MailInReplyTo + " != '' AND m." + crm.OutboxCampaign + " = {:c}").
		Bind(dbx.Params{"c": id}).Row(&r.Direct)
	if err != nil {
		return r, err
	}
	err = app.DB().NewQuery("SELECT COUNT(DISTINCT m.contact) FROM " + sentRows + " AND EXISTS (SELECT 1 FROM " + crm.Activities +
		" a WHERE a.contact = m.contact AND a.direction = 'inbound' AND a.event != 'email.bounced' AND a.occurred_at > m.sent_at AND a.occurred_at <= " +
		until(window) + ")").Bind(dbx.Params{"c": id}).Row(&r.Contacts)
	return r, err
}

func orders(app core.App, id string, window int) (Orders, error) {
	o := Orders{Amounts: []Amount{}}
	join := " JOIN " + crm.Orders + " o ON o.contact = m.contact AND o.status != 'cancelled' AND o.placed_at > m.sent_at AND o.placed_at <= " + until(window)
	err := app.DB().NewQuery("SELECT o.currency AS currency, IFNULL(SUM(o.total), 0) AS amount, COUNT(*) AS n FROM " + crm.Outbox + " m" + join +
		" WHERE m." + crm.OutboxCampaign + " = {:c} AND m.state = 'sent' AND m.sent_at != '' GROUP BY o.currency ORDER BY amount DESC").
		Bind(dbx.Params{"c": id}).All(&o.Amounts)
	if err != nil {
		return o, err
	}
	for _, a := range o.Amounts {
		o.Count += a.Count
	}
	err = app.DB().NewQuery("SELECT COUNT(DISTINCT m.contact) FROM " + crm.Outbox + " m" + join +
		" WHERE m." + crm.OutboxCampaign + " = {:c} AND m.state = 'sent' AND m.sent_at != ''").Bind(dbx.Params{"c": id}).Row(&o.Contacts)
	return o, err
}

// handleResults: GET /api/crm/campaigns/{id}/results.
func handleResults(e *core.RequestEvent) error {
	camp, err := find(e)
	if err != nil {
		return err
	}
	r, err := Measure(e.App, camp)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, r)
}
