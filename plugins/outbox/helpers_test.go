package outbox_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

const saoPaulo = "America/Sao_Paulo"

// at reads a wall time in São Paulo: "2026-11-24 14:00" (a Tuesday).
func at(t testing.TB, value string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(saoPaulo)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fakeClock is the time the outbox's hooks see.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type world struct {
	app     core.App // the test app, or the one that replaced it after a restart
	cfg     *crm.Config
	clock   *fakeClock
	contact *core.Record // Ana: email, mobile, weekdays 09:00-12:00 in São Paulo, pt-BR
}

// newWorld is the app as it ships plus the outbox, with the clock at
// Tuesday 2026-11-24 10:00 in São Paulo and background delivery off: each
// test runs Deliver at the times it checks.
func newWorld(t *testing.T) *world {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	w := &world{app: app, cfg: cfg, clock: &fakeClock{now: at(t, "2026-11-24 10:00")}}
	w.register(t, app)
	w.contact = w.make(t, crm.Contacts, map[string]any{
		"name": "Ana Souza", "email": "ana@example.com", "mobile": "+5511999990000",
		"preferred_days": []string{"mon", "tue", "wed", "thu", "fri"}, "preferred_hours_start": "09:00", "preferred_hours_end": "12:00",
		"timezone": saoPaulo, "language": "pt-BR",
	})
	return w
}

func (w *world) register(t *testing.T, app core.App) {
	t.Helper()
	if err := plugins.All(app, w.cfg); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Register(app, w.cfg); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Configure(app, outbox.Options{Now: w.clock.Now, Manual: true}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) make(t *testing.T, collection string, fields map[string]any) *core.Record {
	t.Helper()
	return testkit.Save(t, w.app, collection, fields)
}

func (w *world) update(t *testing.T, r *core.Record, fields map[string]any) *core.Record {
	t.Helper()
	fresh := w.reload(t, r)
	for k, v := range fields {
		fresh.Set(k, v)
	}
	if err := w.app.Save(fresh); err != nil {
		t.Fatalf("update %s: %v", r.Collection().Name, err)
	}
	return fresh
}

func (w *world) reload(t *testing.T, r *core.Record) *core.Record {
	t.Helper()
	fresh, err := w.app.FindRecordById(r.Collection().Name, r.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

// consent records the contact's answer for purpose on channel.
func (w *world) consent(t *testing.T, contact *core.Record, purpose, channel, state string) *core.Record {
	t.Helper()
	existing, err := w.app.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = {:p} && channel = {:ch}",
		map[string]any{"c": contact.Id, "p": purpose, "ch": channel})
	if err == nil {
		return w.update(t, existing, map[string]any{"state": state})
	}
	return w.make(t, crm.Consents, map[string]any{"contact": contact.Id, "purpose": purpose, "channel": channel, "state": state, "source": "portal"})
}

// queue puts a message in the outbox as another plugin does, at clock time.
func (w *world) queue(t *testing.T, when string, fields map[string]any) *core.Record {
	t.Helper()
	w.clock.Set(at(t, when))
	all := map[string]any{"contact": w.contact.Id, "state": "queued"}
	for k, v := range fields {
		all[k] = v
	}
	return w.make(t, crm.Outbox, all)
}

func marketing(subject string) map[string]any {
	return map[string]any{"purpose": "marketing", "subject": subject, "body": "Promoção de novembro."}
}

// deliver runs the worker at a São Paulo wall time.
func (w *world) deliver(t *testing.T, when string) outbox.Result {
	t.Helper()
	now := at(t, when)
	w.clock.Set(now)
	res, err := outbox.Deliver(w.app, now)
	if err != nil {
		t.Fatalf("deliver at %s: %v", when, err)
	}
	return res
}

// expect checks a message's state and that its reason contains want.
func (w *world) expect(t *testing.T, m *core.Record, state, want string) *core.Record {
	t.Helper()
	fresh := w.reload(t, m)
	if fresh.GetString("state") != state || !strings.Contains(fresh.GetString("reason"), want) {
		t.Errorf("message %q: state %q reason %q; want %q with %q",
			m.GetString("subject")+m.GetString("template"), fresh.GetString("state"), fresh.GetString("reason"), state, want)
	}
	return fresh
}

// expectAt checks a date field against a São Paulo wall time.
func expectAt(t *testing.T, m *core.Record, field, when string) {
	t.Helper()
	if got, want := m.GetDateTime(field).Time(), at(t, when); !got.Equal(want) {
		t.Errorf("%s = %s, want %s", field, got.In(want.Location()).Format("2006-01-02 15:04:05"), when)
	}
}

// mails are the .eml files written to the mail folder, oldest first.
func (w *world) mails(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(w.cfg.MailDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(w.cfg.MailDir, n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
	}
	return out
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

// useSender registers r for channel until the test ends.
func useSender(t *testing.T, channel string, r *recorder) {
	t.Helper()
	outbox.RegisterSender(channel, r.send)
	t.Cleanup(func() { outbox.RegisterSender(channel, nil) })
}
