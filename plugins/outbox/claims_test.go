package outbox_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/sqlitedb"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// A process that stops gracefully releases the claims it holds, and only
// those: the send in progress is cut short (no attempt counted), and the
// next process on the same data dir sends those messages as soon as its
// server starts, each once. Another process's live claim still holds.
func TestGracefulStopReleasesItsClaims(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "service", "chat", "granted")
	first := w.App
	// The worker's sender is slow: it ends when the stop cancels it.
	started := make(chan string, 4)
	var stalled sync.WaitGroup
	stalled.Add(1)
	outbox.SetSender(first, "chat", func(ctx context.Context, m outbox.Message) error {
		started <- m.Subject
		<-ctx.Done()
		stalled.Done()
		return ctx.Err()
	})
	// A claim this process left (its outcome could not be recorded), and
	// one another process holds while it sends.
	left := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "chat", "subject": "Deixada"})
	w.Update(t, left, map[string]any{"claim": outbox.ClaimOf(first), "claimed_at": w.Clock.Now().UTC()})
	other := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "chat", "subject": "De outro"})
	w.Update(t, other, map[string]any{"claim": "anotherprocs-it-is-sending-this", "claimed_at": w.Clock.Now().UTC()})

	// Background delivery on: the worker claims the new message.
	if err := outbox.Configure(first, outbox.Options{Now: w.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	cut := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "chat", "subject": "Interrompida"})
	select {
	case got := <-started:
		if got != "Interrompida" {
			t.Fatalf("the worker sent %q; want only the unclaimed message", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not start sending")
	}
	mine, _, _ := strings.Cut(outbox.ClaimOf(first), "-")
	if claim := w.Reload(t, cut).GetString("claim"); !strings.HasPrefix(claim, mine+"-") {
		t.Fatalf("claim %q does not name this process (%s)", claim, mine)
	}

	stop(t, first)
	stalled.Wait()

	second := openAgain(t, w, outbox.Options{Now: w.Clock.Now})
	for _, m := range []*core.Record{cut, left} {
		if claim := w.Reload(t, m).GetString("claim"); claim != "" {
			t.Errorf("message %q still claimed by %q after a graceful stop", m.GetString("subject"), claim)
		}
	}
	if claim := w.Reload(t, other).GetString("claim"); claim != "anotherprocs-it-is-sending-this" {
		t.Errorf("another process's claim became %q", claim)
	}
	chat := &recorder{}
	useSender(t, w, "chat", chat)
	testkit.Serve(t, second) // the start of the server runs the worker
	outbox.Wait(second)

	sends := map[string]int{}
	for _, m := range chat.messages() {
		sends[m.Subject]++
	}
	if sends["Interrompida"] != 1 || sends["Deixada"] != 1 || len(sends) != 2 {
		t.Errorf("after the restart the sender got %v; want Interrompida and Deixada once each", sends)
	}
	cut = expect(t, w, cut, crm.OutboxSent, "sent by chat")
	if cut.GetInt("attempts") != 1 || cut.GetString("last_error") != "" {
		t.Errorf("the interrupted message: attempts %d, last_error %q; want 1 and none (the stop is no attempt)",
			cut.GetInt("attempts"), cut.GetString("last_error"))
	}
	expect(t, w, left, crm.OutboxSent, "sent by chat")
	expect(t, w, other, crm.OutboxQueued, "")
}

// A process that dies while sending releases nothing: its message waits
// for the claim to expire (Options.ClaimTTL), then another process sends
// it. If the dead one had in fact sent it, it went twice: delivery is at
// least once.
func TestCrashedClaimWaitsForItsTTL(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "service", "chat", "granted")
	const ttl = 3 * time.Minute
	first := w.App
	started, finish := make(chan string, 1), make(chan struct{})
	outbox.SetSender(first, "chat", func(ctx context.Context, m outbox.Message) error {
		started <- m.Subject
		select {
		case <-finish: // the channel took it, but the outcome is never recorded
		case <-ctx.Done():
		}
		return nil
	})
	if err := outbox.Configure(first, outbox.Options{Now: w.Clock.Now, ClaimTTL: ttl}); err != nil {
		t.Fatal(err)
	}
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "chat", "subject": "Em voo"})
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not start sending")
	}

	// The first process is gone without a stop: a second one opens the
	// same data dir and starts its server.
	second := openAgain(t, w, outbox.Options{Now: w.Clock.Now, ClaimTTL: ttl})
	chat := &recorder{}
	useSender(t, w, "chat", chat)
	testkit.Serve(t, second)
	outbox.Wait(second)
	if n := len(chat.messages()); n != 0 {
		t.Fatalf("a message claimed by a dead process went at once (%d sends)", n)
	}
	if res := deliver(t, w, "2026-11-24 10:02"); res != (outbox.Result{}) {
		t.Errorf("before the claim expired: %+v, want nothing", res)
	}
	expect(t, w, m, crm.OutboxQueued, "")

	w.Clock.Add(ttl)
	if res, err := outbox.Deliver(second, w.Clock.Now()); err != nil || res.Sent != 1 {
		t.Fatalf("once the claim expired: %+v %v, want it sent", res, err)
	}
	expect(t, w, m, crm.OutboxSent, "sent by chat")
	if n := len(chat.messages()); n != 1 {
		t.Errorf("the second process sent it %d times, want 1", n)
	}
	close(finish) // the first process's send ends: the message went twice
	stop(t, first)
	if fresh := w.Reload(t, m); fresh.GetInt("attempts") != 1 || fresh.GetString("state") != crm.OutboxSent {
		t.Errorf("the late outcome of the dead process changed the message: %s attempts %d", fresh.GetString("state"), fresh.GetInt("attempts"))
	}
}

// stop ends app as PocketBase ends it on SIGTERM or a restart.
func stop(t *testing.T, app core.App) {
	t.Helper()
	err := app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error {
		return e.App.ResetBootstrapState()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openAgain starts a second app on the world's data dir, as it ships, with
// its outbox tuned by opts; it becomes w.App and stops when the test ends.
func openAgain(t *testing.T, w *testkit.World, opts outbox.Options) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: w.TestApp.DataDir(), EncryptionEnv: "pb_test_env", DBConnect: sqlitedb.Connect})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(t, app) })
	if err := plugins.All(app, w.Cfg); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Register(app, w.Cfg); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Configure(app, opts); err != nil {
		t.Fatal(err)
	}
	w.App = app
	return app
}
