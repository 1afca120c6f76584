package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
)

// Options tune the outbox of one app.
type Options struct {
	Now         func() time.Time // the clock of decisions made in hooks and of background runs; nil: time.Now
	MaxAttempts int              // sends before giving up; 0: 5
	FirstRetry  time.Duration    // wait after the first failure, doubled after each; 0: 1 minute
	MaxRetry    time.Duration    // longest wait between attempts; 0: 6 hours
	// ClaimTTL is how long a message being sent stays claimed by its worker;
	// a claim older than that belongs to a process that died while sending,
	// and another run takes the message over (it may go twice). 0: 10 minutes.
	ClaimTTL time.Duration
	// Manual turns background delivery off (after a queue, on a release,
	// the cron job, the start of the server): the caller runs Deliver. For
	// tests.
	Manual bool
}

func (o Options) claimTTL() time.Duration {
	if o.ClaimTTL > 0 {
		return o.ClaimTTL
	}
	return 10 * time.Minute
}

func (o Options) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return 5
}

// backoff is the wait after the n-th failed attempt.
func (o Options) backoff(n int) time.Duration {
	first, most := o.FirstRetry, o.MaxRetry
	if first <= 0 {
		first = time.Minute
	}
	if most <= 0 {
		most = 6 * time.Hour
	}
	d := first
	for i := 1; i < n && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

const storeKey = "vinculo.outbox"

// plugin is the outbox of one app, kept in the app's store.
type plugin struct {
	app    core.App
	cfg    *crm.Config
	ctx    context.Context // canceled when the app terminates
	cancel context.CancelFunc
	id     string // this process's mark on its claims (claimPrefix)

	mu      sync.Mutex
	idle    *sync.Cond
	opts    Options
	running bool // a background run is going
	again   bool // something came due while it ran
	active  int  // Deliver runs in progress, background or not
	closed  bool
}

func pluginOf(app core.App) (*plugin, error) {
	p, ok := app.Store().Get(storeKey).(*plugin)
	if !ok {
		return nil, errors.New("outbox: Register was not called on this app")
	}
	return p, nil
}

// Configure sets the options of app's outbox (after Register).
func Configure(app core.App, o Options) error {
	p, err := pluginOf(app)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts = o
	return nil
}

func (p *plugin) options() Options {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opts
}

func (p *plugin) now() time.Time {
	if f := p.options().Now; f != nil {
		return f()
	}
	return time.Now()
}

// Register binds the decision to every queue, the releases of changed
// preferences, the API checks, the background worker, its cron job and its
// run at the start of the server, and the release of this process's claims
// when the app terminates.
// Registering twice on one app is a no-op, so tests may call it after
// plugins.All whether or not All lists it.
func Register(app core.App, cfg *crm.Config) error {
	created := false
	p := app.Store().GetOrSet(storeKey, func() any {
		created = true
		p := &plugin{app: app, cfg: cfg, id: security.RandomString(processIDLength)}
		p.ctx, p.cancel = context.WithCancel(context.Background())
		p.idle = sync.NewCond(&p.mu)
		return p
	}).(*plugin)
	if !created {
		return nil
	}
	p.bindQueue(app)
	p.bindPreferences(app)
	app.Cron().MustAdd("outbox", "* * * * *", p.kick)
	// What came due while the server was down, and the claims a graceful
	// stop released, go at once rather than at the cron's next minute.
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		p.kick()
		return nil
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.close()
		return e.Next()
	})
	return nil
}

// bindQueue decides every message queued (by any door, in its transaction)
// or re-queued by a manager, checks what staff queue through the API, and
// wakes the worker once a queue commits.
func (p *plugin) bindQueue(app core.App) {
	app.OnRecordCreate(crm.Outbox).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("state") == StateQueued {
			if err := p.decideNow(e.App, e.Record); err != nil {
				return err
			}
		}
		return e.Next()
	})
	// Deliver right after the queue commits, off the request.
	app.OnRecordAfterCreateSuccess(crm.Outbox).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("state") == StateQueued {
			p.kick()
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(crm.Outbox).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := checkRequest(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(crm.Outbox).BindFunc(func(e *core.RecordRequestEvent) error {
		requeued := e.Record.GetString("state") == StateQueued && e.Record.Original().GetString("state") != StateQueued
		if requeued {
			// A manager sends a refused or failed message again: a fresh start.
			for _, f := range []string{"attempts", "last_error", "claim", "claimed_at"} {
				e.Record.Set(f, nil)
			}
			if err := p.decideNow(e.App, e.Record); err != nil {
				return err
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		if requeued && e.Record.GetString("state") == StateQueued {
			p.kick()
		}
		return nil
	})
}

// bindPreferences: changed preferences may let the contact's waiting
// messages go sooner.
func (p *plugin) bindPreferences(app core.App) {
	app.OnRecordUpdate(crm.Contacts).BindFunc(func(e *core.RecordEvent) error {
		old := e.Record.Original()
		if err := e.Next(); err != nil {
			return err
		}
		for _, f := range preferenceFields {
			if fmt.Sprint(old.Get(f)) != fmt.Sprint(e.Record.Get(f)) {
				return p.release(e.App, "", e.Record.Id)
			}
		}
		return nil
	})
}

// preferenceFields are the contact fields the decision reads.
var preferenceFields = []string{"preferred_channel", "preferred_days", "preferred_hours_start", "preferred_hours_end",
	"timezone", "max_contacts_per_week", "paused_until"}

// decideNow applies the rules to a message being queued, in tx.
func (p *plugin) decideNow(tx core.App, rec *core.Record) error {
	now := p.now()
	d, _, err := p.decide(tx, rec, now)
	if err != nil {
		return err
	}
	apply(rec, d, now)
	return nil
}

// Release makes the contacts' waiting messages of purpose ("" for every
// purpose) due now, to be decided again at once, and wakes the worker once
// tx commits. Whoever owns what a hold looks at calls it, in the
// transaction of the change that may lift the hold: the requests plugin
// when a request closes, changes type or is deleted. Without the outbox on
// the app it does nothing.
func Release(tx core.App, purpose string, contacts ...string) error {
	p, err := pluginOf(tx)
	if err != nil {
		return nil
	}
	return p.release(tx, purpose, contacts...)
}

// release makes the contacts' waiting messages (of purpose, or all) due
// now, to be decided again, and wakes the worker after the commit.
func (p *plugin) release(tx core.App, purpose string, contacts ...string) error {
	now := p.now()
	released := false
	for _, c := range contacts {
		if c == "" {
			continue
		}
		filter := "contact = {:c} && state = {:waiting} && not_before > {:now}"
		if purpose != "" {
			filter += " && purpose = {:p}"
		}
		list, err := tx.FindRecordsByFilter(crm.Outbox, filter, "", 0, 0,
			map[string]any{"c": c, "waiting": StateWaiting, "now": stamp(now), "p": purpose})
		if err != nil {
			return err
		}
		for _, m := range list {
			m.Set("not_before", now)
			if err := tx.Save(m); err != nil {
				return err
			}
			released = true
		}
	}
	if released {
		if info := tx.TxInfo(); info != nil {
			info.OnComplete(func(txErr error) error {
				if txErr == nil {
					p.kick()
				}
				return nil
			})
		} else {
			p.kick()
		}
	}
	return nil
}

// checkRequest: what staff queue through the API is a message the outbox
// can write. Bad input is a 400 that names the field.
func checkRequest(e *core.RecordRequestEvent) error {
	r := e.Record
	errs := validation.Errors{}
	tmpl := r.GetString("template")
	if !knownTemplate(tmpl) {
		errs["template"] = validation.NewError("validation_unknown_template",
			fmt.Sprintf("Unknown template %q: use one of %s.", tmpl, strings.Join(Templates(), ", ")))
	} else if _, isTemplate := templates[tmpl]; !isTemplate &&
		strings.TrimSpace(r.GetString("subject")) == "" && strings.TrimSpace(r.GetString("body")) == "" {
		errs["body"] = validation.NewError("validation_nothing_to_send", "Give a template, or a subject or a body.")
	}
	if ch := r.GetString("channel"); ch == "in_person" || ch == "web" {
		errs["channel"] = validation.NewError("validation_channel_cannot_send", fmt.Sprintf("Messages can't be sent by %s.", ch))
	}
	if raw := strings.TrimSpace(r.GetString("data")); raw != "" && raw != "null" {
		var obj map[string]any
		if json.Unmarshal([]byte(raw), &obj) != nil {
			errs["data"] = validation.NewError("validation_data_not_object", "Data must be a JSON object.")
		}
	}
	if a := e.Auth; a != nil && a.Collection().Name == crm.Staff {
		switch r.GetString("created_by") {
		case "":
			r.Set("created_by", a.Id)
		case a.Id:
		default:
			errs["created_by"] = validation.NewError("validation_created_by_other", "A message is queued in your own name.")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// kick runs Deliver in the background now, or once more after the run in
// progress: never two background runs of one app at a time.
func (p *plugin) kick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.opts.Manual {
		return
	}
	if p.running {
		p.again = true
		return
	}
	p.running = true
	go p.loop()
}

func (p *plugin) loop() {
	for {
		p.runOnce()
		p.mu.Lock()
		if !p.again || p.closed {
			p.running = false
			p.idle.Broadcast()
			p.mu.Unlock()
			return
		}
		p.again = false
		p.mu.Unlock()
	}
}

func (p *plugin) runOnce() {
	defer func() {
		if r := recover(); r != nil {
			p.app.Logger().Error("Outbox: the delivery run panicked", "panic", fmt.Sprint(r))
		}
	}()
	if _, err := Deliver(p.app, p.now()); err != nil {
		p.app.Logger().Error("Outbox: delivery run", "error", err)
	}
}

// Wait returns when app's background delivery is idle: tests wait for the
// run a queue started before they look.
func Wait(app core.App) {
	p, err := pluginOf(app)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.running {
		p.idle.Wait()
	}
}

// enter and leave count the Deliver runs in progress, which close waits for.
func (p *plugin) enter() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active++
}

func (p *plugin) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active--
	p.idle.Broadcast()
}

// close stops background delivery, waits for the runs in progress (their
// registered senders see their context canceled; each run stops after the
// message it is sending) and releases the claims this process still holds,
// so that a restart sends their messages at once. Only the first call
// does anything.
func (p *plugin) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.cancel()
	for p.running || p.active > 0 {
		p.idle.Wait()
	}
	p.mu.Unlock()
	n, err := p.releaseClaims()
	if err != nil {
		p.app.Logger().Error("Outbox: the claims of this process could not be released at the stop; they expire by themselves", "error", err)
	} else if n > 0 {
		p.app.Logger().Info("Outbox: claims released at the stop", "messages", n)
	}
}
