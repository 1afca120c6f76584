package campaigns_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/campaigns"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

func key(t campaigns.Tally) string {
	return fmt.Sprintf("%s/%s/%s=%d", t.State, t.Reason, t.Channel, t.Count)
}

func keys(list []campaigns.Tally) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = key(t)
	}
	slices.Sort(out)
	return out
}

// The preview is what the outbox then does: on a hand-made world whose
// members each meet another rule, the preview's counts per state, reason
// and channel are the expected ones, and equal the outbox rows' after the
// send, reason by reason.
func TestPreviewEqualsWhatTheOutboxDoes(t *testing.T) {
	w, _ := handMade(t)
	camp := campaign(t, w, "cp", "tpOffers")
	p, err := campaigns.Compute(context.Background(), w.App, w.Cfg, camp)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"failed/no_sender/whatsapp=1",
		"queued/due/email=2",
		"refused/address_bounces/email=1",
		"refused/consent_withdrawn/email=1",
		"refused/no_consent/email=1",
		"refused/opted_out_topic/=1",
		"waiting/hours/=1",
		"waiting/pause/=1",
	}
	if got := keys(p.Reasons); !slices.Equal(got, want) {
		t.Errorf("preview reasons\n got %v\nwant %v", got, want)
	}
	if p.Members != 9 || p.Evaluated != 9 || p.Estimate {
		t.Errorf("preview of %d members, %d evaluated, estimate %v; want 9, 9, false", p.Members, p.Evaluated, p.Estimate)
	}
	if p.ByState[outbox.StateQueued] != 2 || p.ByState[outbox.StateWaiting] != 2 || p.ByState[outbox.StateRefused] != 4 || p.ByState[outbox.StateFailed] != 1 {
		t.Errorf("by state %v", p.ByState)
	}
	for _, r := range p.Reasons {
		if r.Reason == "hours" && !r.First.Equal(testkit.Wall(t, "2026-11-24 14:00")) {
			t.Errorf("the hours wait ends at %s, want 14:00 São Paulo", r.First)
		}
	}
	if n := w.Count(t, crm.Outbox, "campaign != ''"); n != 0 {
		t.Fatalf("the preview queued %d messages", n)
	}
	examples := map[string]bool{}
	for _, e := range p.Sample {
		examples[e.State+"/"+e.Reason] = true
	}
	if len(p.Sample) != 9 || len(examples) != 8 {
		t.Errorf("examples of every reason, up to five each: %d examples of %d reasons", len(p.Sample), len(examples))
	}

	if err := campaigns.Send(w.App, camp.Id, w.ID("agent")); err != nil {
		t.Fatal(err)
	}
	res, err := campaigns.Measure(w.App, w.Reload(t, camp))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(res.Reasons); !slices.Equal(got, keys(p.Reasons)) {
		t.Errorf("after the send the outbox has\n %v\nthe preview said\n %v", got, keys(p.Reasons))
	}
	for _, r := range res.Reasons {
		if r.Reason == "hours" && !r.First.Equal(testkit.Wall(t, "2026-11-24 14:00")) {
			t.Errorf("the stored hours wait ends at %s, want 14:00 São Paulo", r.First)
		}
	}
	fresh := w.Reload(t, camp)
	if fresh.GetString(crm.CampState) != crm.CampaignSent || fresh.GetInt(crm.CampMembers) != 9 || fresh.GetInt(crm.CampQueued) != 9 ||
		fresh.GetString(crm.CampSentBy) != w.ID("agent") {
		t.Errorf("the sent campaign: state %q members %d queued %d by %q", fresh.GetString(crm.CampState), fresh.GetInt(crm.CampMembers),
			fresh.GetInt(crm.CampQueued), fresh.GetString(crm.CampSentBy))
	}
	// Each message in its reader's language, its variables filled, marketing, news of the topic.
	for label, want := range map[string]string{"mNow": "Olá Nina, 20% de desconto", "mNow2": "Hello Noah, 20% off this week at "} {
		m, err := w.App.FindFirstRecordByFilter(crm.Outbox, "campaign = {:c} && contact = {:k}", map[string]any{"c": camp.Id, "k": w.ID(label)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.GetString("body"), want) || strings.Contains(m.GetString("body"), "{{") ||
			m.GetString("purpose") != crm.PurposeMarketing || m.GetString(crm.OutboxKind) != crm.KindNews || m.GetString(crm.OutboxTopic) != w.ID("tpOffers") {
			t.Errorf("%s's message: %q purpose %q kind %q topic %q", label, m.GetString("body"), m.GetString("purpose"), m.GetString(crm.OutboxKind), m.GetString(crm.OutboxTopic))
		}
	}
	if n := w.Count(t, crm.Outbox, "campaign = {:c} AND contact = {:a}", map[string]any{"c": camp.Id, "a": w.ID("ctA")}); n != 0 {
		t.Errorf("Ana is not in the segment but got %d messages", n)
	}
}

// Sending twice queues nothing new; a send a stop interrupted goes on
// where it was, in batches, and only for the members it had not reached.
func TestSendIsIdempotentAndResumes(t *testing.T) {
	w, _ := handMade(t)
	old := campaigns.BatchSize
	campaigns.BatchSize = 2
	t.Cleanup(func() { campaigns.BatchSize = old })
	camp := campaign(t, w, "cp", "")
	if err := campaigns.Send(w.App, camp.Id, w.ID("manager")); err != nil {
		t.Fatal(err)
	}
	rows := func() int { return w.Count(t, crm.Outbox, "campaign = {:c}", map[string]any{"c": camp.Id}) }
	if n := rows(); n != 9 {
		t.Fatalf("%d messages queued for 9 members", n)
	}
	if err := campaigns.Send(w.App, camp.Id, w.ID("manager")); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 9 {
		t.Errorf("a second send: %d messages, want still 9", n)
	}
	// A stop after some batches: three members' rows never made it.
	gone, err := w.App.FindRecordsByFilter(crm.Outbox, "campaign = {:c}", "contact", 3, 0, map[string]any{"c": camp.Id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range gone {
		if err := w.App.Delete(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Update(t, w.Reload(t, camp), map[string]any{crm.CampState: crm.CampaignSending})
	if err := campaigns.Send(w.App, camp.Id, w.ID("manager")); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 9 {
		t.Errorf("the resumed send: %d messages, want 9", n)
	}
	if got := w.Reload(t, camp); got.GetString(crm.CampState) != crm.CampaignSent || got.GetInt(crm.CampQueued) != 9 {
		t.Errorf("resumed campaign: %q, %d queued", got.GetString(crm.CampState), got.GetInt(crm.CampQueued))
	}
	// Without a topic it is news all the same: Tito, who only turned off
	// "Offers", hears it.
	m, err := w.App.FindFirstRecordByFilter(crm.Outbox, "campaign = {:c} && contact = {:k}", map[string]any{"c": camp.Id, "k": w.ID("mTopic")})
	if err != nil || m.GetString("state") != outbox.StateQueued {
		t.Errorf("Tito and a campaign of no topic: %v %v", m, err)
	}
}

// A customer who opted out of the campaign's topic hears nothing of it;
// one who turned news off hears no campaign of no topic.
func TestTopicOptOutHonoured(t *testing.T) {
	w, mail := handMade(t)
	w.Make(t, "", crm.PersonalChoices, map[string]any{crm.PcContact: w.ID("mNow2"),
		crm.PcMessages: map[string]any{crm.KindNews: map[string]any{"on": false}}})
	offers := campaign(t, w, "cpOffers", "tpOffers")
	news := campaign(t, w, "cpNews", "")
	for _, c := range []string{offers.Id, news.Id} {
		if err := campaigns.Send(w.App, c, w.ID("agent")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, m := range mail.got {
		got[m.To] = append(got[m.To], m.ID)
	}
	state := func(camp, label string) (string, string) {
		m, err := w.App.FindFirstRecordByFilter(crm.Outbox, "campaign = {:c} && contact = {:k}", map[string]any{"c": camp, "k": w.ID(label)})
		if err != nil {
			t.Fatal(err)
		}
		return m.GetString("state"), m.GetString("reason_code")
	}
	if s, r := state(offers.Id, "mTopic"); s != outbox.StateRefused || r != outbox.ReasonOptedOutTopic {
		t.Errorf("Tito's Offers message: %s %s, want refused: opted out of the topic", s, r)
	}
	if s, _ := state(news.Id, "mTopic"); s != outbox.StateSent || len(got["mtopic@m.test"]) != 1 {
		t.Errorf("Tito turned off Offers only: the campaign of no topic is %s, %d mails", s, len(got["mtopic@m.test"]))
	}
	if s, r := state(news.Id, "mNow2"); s != outbox.StateRefused || r != outbox.ReasonOptedOut {
		t.Errorf("Noah turned news off: the campaign of no topic is %s %s", s, r)
	}
	if len(got["mnow@m.test"]) != 2 {
		t.Errorf("Nina hears of both: %d mails", len(got["mnow@m.test"]))
	}
}

// The results: states after delivery, and the orders and replies that
// followed each member's message within the window — not before it, not
// after the window, not cancelled ones, not of members still waiting.
func TestResultsArithmetic(t *testing.T) {
	w, _ := handMade(t)
	camp := campaign(t, w, "cp", "tpOffers")
	if err := campaigns.Send(w.App, camp.Id, w.ID("agent")); err != nil {
		t.Fatal(err)
	}
	sentAt := w.Clock.Now()
	if _, err := outbox.Deliver(w.App, sentAt); err != nil {
		t.Fatal(err)
	}
	day := func(d float64) time.Time { return sentAt.Add(time.Duration(d * float64(24*time.Hour))) }
	n := 0
	order := func(label string, total float64, currency, status string, at time.Time) {
		n++
		w.Make(t, "", crm.Orders, map[string]any{"number": fmt.Sprintf("CP-%03d", n), "contact": w.ID(label), "currency": currency, "status": status,
			"items": []map[string]any{{"product": "F300", "name": "Fibre", "quantity": 1, "unit_price": total}}, "total": total, "placed_at": at})
	}
	order("mNow", 100, "BRL", "paid", day(1))        // counts
	order("mNow", 50, "BRL", "placed", day(29.9))    // counts
	order("mNow", 999, "BRL", "paid", day(-1))       // before the message
	order("mNow", 999, "BRL", "paid", day(31))       // after the window
	order("mNow", 999, "BRL", "cancelled", day(2))   // cancelled
	order("mNow2", 20, "USD", "delivered", day(0.5)) // counts, in dollars
	order("mHours", 999, "BRL", "paid", day(1))      // her message still waits (sent only at 14:00)
	order("ctA", 999, "BRL", "paid", day(1))         // not a member
	// Noah answers the campaign's mail; Nina writes on WhatsApp the next day
	// and again after the window; Otto (refused) writes too.
	msgOf := func(label string) string {
		m, err := w.App.FindFirstRecordByFilter(crm.Outbox, "campaign = {:c} && contact = {:k}", map[string]any{"c": camp.Id, "k": w.ID(label)})
		if err != nil {
			t.Fatal(err)
		}
		return m.Id
	}
	w.Make(t, "", crm.EmailMessages, map[string]any{crm.MailMessageID: "cp-1@vinculo.test", crm.MailDirection: crm.MailOut, crm.MailContact: w.ID("mNow2"),
		crm.MailOutbox: msgOf("mNow2"), crm.MailKind: crm.MailNormal, crm.MailSubject: "Offers for Noah"})
	w.Make(t, "", crm.EmailMessages, map[string]any{crm.MailMessageID: "re-1@mail.test", crm.MailDirection: crm.MailIn, crm.MailContact: w.ID("mNow2"),
		crm.MailInReplyTo: "cp-1@vinculo.test", crm.MailKind: crm.MailNormal, crm.MailSubject: "Re: Offers for Noah"})
	inbound := func(label string, at time.Time) {
		w.Make(t, "", crm.Activities, map[string]any{"event": crm.EventMessageReceived, "type": "chat", "channel": "whatsapp", "direction": "inbound",
			"actor_type": "customer", "contact": w.ID(label), "occurred_at": at, "body": "Quero!"})
	}
	inbound("mNow", day(1))
	inbound("mNow", day(40))
	inbound("mOff", day(1))

	res, err := campaigns.Measure(w.App, w.Reload(t, camp))
	if err != nil {
		t.Fatal(err)
	}
	if res.ByState[outbox.StateSent] != 2 || res.ByState[outbox.StateWaiting] != 2 || res.ByState[outbox.StateRefused] != 4 || res.ByState[outbox.StateFailed] != 1 || res.Messages != 9 {
		t.Errorf("by state %v of %d", res.ByState, res.Messages)
	}
	if res.Orders.Count != 3 || res.Orders.Contacts != 2 {
		t.Errorf("orders %+v: want 3 orders by 2 members", res.Orders)
	}
	amounts := map[string]float64{}
	for _, a := range res.Orders.Amounts {
		amounts[a.Currency] = a.Amount
	}
	if len(amounts) != 2 || amounts["BRL"] != 150 || amounts["USD"] != 20 {
		t.Errorf("amounts %v: want BRL 150 and USD 20", amounts)
	}
	if res.Replies.Direct != 1 || res.Replies.Contacts != 1 {
		t.Errorf("replies %+v: one direct answer (Noah's mail), one member who wrote within the window (Nina)", res.Replies)
	}
	if res.WindowDays != 30 {
		t.Errorf("window %d", res.WindowDays)
	}
}
