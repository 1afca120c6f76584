package outbox_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

const saoPaulo = "America/Sao_Paulo"

// newWorld is the app as it ships plus the outbox, with the clock at
// Tuesday 2026-11-24 10:00 in São Paulo and background delivery off: each
// test runs Deliver at the times it checks. Its one record, "contact", is
// Ana: email, mobile, weekdays 09:00-12:00 in São Paulo, pt-BR.
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Then(func(w *testkit.World) error {
		return manualOutbox(w, w.App)
	}))
	w.Make(t, "contact", crm.Contacts, map[string]any{
		"name": "Ana Souza", "email": "ana@example.com", "mobile": "+5511999990000",
		"preferred_days": []string{"mon", "tue", "wed", "thu", "fri"}, "preferred_hours_start": "09:00", "preferred_hours_end": "12:00",
		"timezone": saoPaulo, "language": "pt-BR",
	})
	return w
}

// manualOutbox registers the outbox on app (again after plugins.All: a
// no-op) on the world's clock, with background delivery off.
func manualOutbox(w *testkit.World, app core.App) error {
	if err := outbox.Register(app, w.Cfg); err != nil {
		return err
	}
	return outbox.Configure(app, outbox.Options{Now: w.Clock.Now, Manual: true})
}

// consent records contact's answer for purpose on channel.
func consent(t *testing.T, w *testkit.World, contact *core.Record, purpose, channel, state string) *core.Record {
	t.Helper()
	existing, err := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = {:p} && channel = {:ch}",
		map[string]any{"c": contact.Id, "p": purpose, "ch": channel})
	if err == nil {
		return w.Update(t, existing, map[string]any{"state": state})
	}
	return w.Make(t, "", crm.Consents, map[string]any{"contact": contact.Id, "purpose": purpose, "channel": channel, "state": state, "source": "portal"})
}

// queue puts a message for "contact" (unless fields name another) in the
// outbox as another plugin does, at a São Paulo wall time.
func queue(t *testing.T, w *testkit.World, when string, fields map[string]any) *core.Record {
	t.Helper()
	w.Clock.Set(testkit.Wall(t, when))
	all := map[string]any{"contact": w.ID("contact"), "state": crm.OutboxQueued}
	for k, v := range fields {
		all[k] = v
	}
	return w.Make(t, "", crm.Outbox, all)
}

func marketing(subject string) map[string]any {
	return map[string]any{"purpose": crm.PurposeMarketing, "subject": subject, "body": "Promoção de novembro."}
}

// deliver runs the worker at a São Paulo wall time.
func deliver(t *testing.T, w *testkit.World, when string) outbox.Result {
	t.Helper()
	now := testkit.Wall(t, when)
	w.Clock.Set(now)
	res, err := outbox.Deliver(w.App, now)
	if err != nil {
		t.Fatalf("deliver at %s: %v", when, err)
	}
	return res
}

// expect checks a message's state and that its reason contains want.
func expect(t *testing.T, w *testkit.World, m *core.Record, state, want string) *core.Record {
	t.Helper()
	fresh := w.Reload(t, m)
	if fresh.GetString("state") != state || !strings.Contains(fresh.GetString("reason"), want) {
		t.Errorf("message %q: state %q reason %q; want %q with %q",
			m.GetString("subject")+m.GetString("template"), fresh.GetString("state"), fresh.GetString("reason"), state, want)
	}
	return fresh
}

// expectAt checks a date field against a São Paulo wall time.
func expectAt(t *testing.T, m *core.Record, field, when string) {
	t.Helper()
	if got, want := m.GetDateTime(field).Time(), testkit.Wall(t, when); !got.Equal(want) {
		t.Errorf("%s = %s, want %s", field, got.In(want.Location()).Format("2006-01-02 15:04:05"), when)
	}
}

// recorder is a sender that keeps what it was given and fails as told.
type recorder struct {
	mu   sync.Mutex
	got  []outbox.Message
	fail func(n int) error // n: the call number, from 1
}

func (r *recorder) send(_ context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	if r.fail != nil {
		return r.fail(len(r.got))
	}
	return nil
}

func (r *recorder) messages() []outbox.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbox.Message(nil), r.got...)
}

// useSender sets r as the world's sender of channel until the test ends.
func useSender(t *testing.T, w *testkit.World, channel string, r *recorder) {
	t.Helper()
	app := w.App
	outbox.SetSender(app, channel, r.send)
	t.Cleanup(func() { outbox.SetSender(app, channel, nil) })
}
