package campaigns_test

import (
	"context"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/campaigns"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// recorder is a sender that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	got []outbox.Message
}

func (r *recorder) send(_ context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

// world is the business's cast, the campaigns plugin, an outbox on the
// world's clock (Tuesday 2026-11-24 10:00 in São Paulo) that delivers only
// when a test says, an email sender that records, and two news topics.
func world(t *testing.T) (*testkit.World, *recorder) {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Plugins(campaigns.Register), testkit.Then(func(w *testkit.World) error {
		if err := outbox.Register(w.App, w.Cfg); err != nil {
			return err
		}
		return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
	}))
	w.Business(t)
	mail := &recorder{}
	app := w.App
	outbox.SetSender(app, "email", mail.send)
	t.Cleanup(func() { outbox.SetSender(app, "email", nil) })
	w.Make(t, "tpOffers", crm.NewsTopics, map[string]any{crm.TopicName: "Offers", crm.TopicActive: true})
	w.Make(t, "tpNews", crm.NewsTopics, map[string]any{crm.TopicName: "Product news", crm.TopicActive: true})
	return w, mail
}

// member makes a contact tagged "promo" (the segment's condition) with
// fields, and a granted marketing consent on email unless noConsent.
func member(t *testing.T, w *testkit.World, label, name string, fields map[string]any, consent string) *core.Record {
	t.Helper()
	all := map[string]any{"name": name, "email": label + "@m.test", "language": "pt-BR", "timezone": "America/Sao_Paulo", "tags": []string{"promo"}}
	for k, v := range fields {
		all[k] = v
	}
	c := w.Make(t, label, crm.Contacts, all)
	if consent != "" {
		w.Make(t, "", crm.Consents, map[string]any{"contact": c.Id, "purpose": crm.PurposeMarketing, "channel": "email", "state": consent, "source": "portal"})
	}
	return c
}

// handMade is a segment of nine contacts tagged "promo", each meeting a
// different rule of the outbox at Tuesday 10:00:
//
//	mNow    consent on email                         -> queued now (due, email)
//	mNow2   consent, English                         -> queued now
//	mNone   no marketing consent                     -> refused no_consent (email)
//	mOff    withdrew it                              -> refused consent_withdrawn (email)
//	mHours  consent, hours 14:00-18:00               -> waiting hours until 14:00
//	mPause  consent, paused until Friday             -> waiting pause
//	mTopic  consent, opted out of news on "Offers"   -> refused opted_out_topic
//	mBounce consent, mail to the address bounces     -> refused address_bounces
//	mNoWA   prefers WhatsApp, consent there, no sender for it -> failed no_sender
//
// and Ana (ctA), consented but not tagged: not a member.
func handMade(t *testing.T) (*testkit.World, *recorder) {
	t.Helper()
	w, mail := world(t)
	member(t, w, "mNow", "Nina Now", nil, "granted")
	member(t, w, "mNow2", "Noah Now", map[string]any{"language": "en"}, "granted")
	member(t, w, "mNone", "Nadia None", nil, "")
	member(t, w, "mOff", "Otto Off", nil, "withdrawn")
	member(t, w, "mHours", "Helena Hours", map[string]any{"preferred_hours_start": "14:00", "preferred_hours_end": "18:00"}, "granted")
	member(t, w, "mPause", "Paula Pause", map[string]any{"paused_until": testkit.Wall(t, "2026-11-27 09:00")}, "granted")
	member(t, w, "mTopic", "Tito Topic", nil, "granted")
	w.Make(t, "", crm.PersonalChoices, map[string]any{crm.PcContact: w.ID("mTopic"),
		crm.PcNews: map[string]any{w.ID("tpOffers"): map[string]any{"on": false}}})
	member(t, w, "mBounce", "Bia Bounce", map[string]any{crm.ContactEmailFailingAt: testkit.Wall(t, "2026-11-20 08:00")}, "granted")
	member(t, w, "mNoWA", "Wes WhatsApp", map[string]any{"mobile": "+5511988887777", "preferred_channel": "whatsapp"}, "")
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("mNoWA"), "purpose": crm.PurposeMarketing, "channel": "whatsapp", "state": "granted", "source": "portal"})
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": crm.PurposeMarketing, "channel": "email", "state": "granted", "source": "portal"})
	w.Make(t, "sgPromo", crm.Segments, map[string]any{"name": "Promo", "owner": w.ID("agent"),
		crm.SegmentDefinition: map[string]any{"match": "all", "conditions": []any{map[string]any{"kind": "tag", "op": "has", "value": "promo"}}}})
	return w, mail
}

// campaign makes a draft to the promo segment, news on topic (a label, or "").
func campaign(t *testing.T, w *testkit.World, label, topic string) *core.Record {
	t.Helper()
	fields := map[string]any{crm.CampName: "Black Friday", crm.CampSegment: w.ID("sgPromo"), crm.CampOwner: w.ID("agent"),
		crm.CampSubjectEN: "Offers for {{contact.first_name}}", crm.CampBodyEN: "Hello {{contact.first_name}}, 20% off this week at {{business.name}}.",
		crm.CampSubjectPT: "Ofertas para {{contact.first_name}}", crm.CampBodyPT: "Olá {{contact.first_name}}, 20% de desconto nesta semana.",
		crm.CampWindow: 30}
	if topic != "" {
		fields[crm.CampTopic] = w.ID(topic)
	}
	return w.Make(t, label, crm.Campaigns, fields)
}
