// Package outbox is the only way anything is sent to a customer. Other
// plugins, JavaScript hooks and staff queue a message by creating an outbox
// record with state "queued"; the outbox decides, when it is queued and
// again whenever it comes due, whether the customer's choices let it go
// now, later or never, records the decision and its reason on the message,
// and a worker sends what is due outside any transaction, retrying with
// back-off. All state is in the database: a restart resumes what is due.
//
// The rules, where the issue left the choice open:
//   - Consent. Marketing, profiling and research need a granted consent
//     for that purpose on the exact channel. Service messages go on any
//     channel with a granted service consent; a contact with no service
//     consent at all (granted or withdrawn) gets them on their preferred
//     channel and by email.
//   - Channel. A message with no channel goes on the preferred one (email
//     when there is no preference). A non-service message never falls back
//     to another channel: on a channel other than the preferred one it must
//     name it, and its consent decides. A service message with no channel
//     goes on the first of preferred, email, then the other service
//     channels that has a contact point and a sender. A preferred channel
//     of "none" means "only about my requests": every non-service message
//     is refused.
//   - A missing contact point (no email for email, no mobile or phone for
//     SMS/WhatsApp, no portal account for portal...) refuses; in_person and
//     web carry no messages.
//   - Hours. The contact's preferred days (none: every day) and hours (none:
//     all day; an end before the start spans midnight) in their time zone
//     (else the business's). A contact who set neither has no quiet hours.
//     Outside them a message waits with not_before = the first allowed
//     minute; service messages too unless urgent (urgent lifts only the
//     hours, and only for service).
//   - Frequency cap: max_contacts_per_week (0 or empty: no limit) counts the
//     non-service messages sent in the last 7 days, and those being sent;
//     over it, a message waits until the oldest that matters leaves the
//     window.
//   - paused_until holds every non-service message until then.
//   - Holds (SetHold): a hold may keep a non-service message waiting until
//     a time it names. The shipped hook hooks/15_hold_marketing.pb.js holds
//     marketing while the contact has an open request whose type holds
//     marketing. Closing, re-typing or deleting a request releases the
//     contact's waiting marketing to be decided again at once.
//   - Changes to the contact's preferences release their waiting messages
//     to be decided again at once. Refused and failed are final: a manager
//     re-queues a message by setting its state back to queued (attempts
//     start again).
//   - Sending. Email goes through PocketBase's mailer (From = the settings'
//     sender) unless a sender is registered for "email"; other channels go
//     through RegisterSender. A channel with no sender fails the message at
//     once with that reason (no retry: it is configuration, not a hiccup).
//     A send error is retried: 5 attempts in all, 1, 2, 4 and 8 minutes
//     apart (Options), each retry decided again when due; then failed with
//     the last error. An error wrapping ErrPermanent fails at once.
//   - Delivery is at least once: claims keep two workers from sending a
//     message twice, but a process that dies between the send and recording
//     it sends that message again after the claim expires (10 minutes).
//   - Times a Deliver run records (sent_at, decided_at, back-off) are the
//     run's now.
//   - Staff queue through the record API; the decision and delivery fields
//     are the system's, and not_before too: the rules pick the time.
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

	"vinculo/crm"
)

// Options tune the outbox of one app.
type Options struct {
	Now         func() time.Time // the clock of decisions made in hooks and of background runs; nil: time.Now
	MaxAttempts int              // sends before giving up; 0: 5
	FirstRetry  time.Duration    // wait after the first failure, doubled after each; 0: 1 minute
	MaxRetry    time.Duration    // longest wait between attempts; 0: 6 hours
	// Manual turns background delivery off (after a queue, on a release,
	// the cron job): the caller runs Deliver. For tests.
	Manual bool
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

	mu      sync.Mutex
	idle    *sync.Cond
	opts    Options
	running bool // a background run is going
	again   bool // something came due while it ran
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

// Register binds the decision to every queue, the releases, the API checks,
// the background worker and its cron job. Registering twice on one app is a
// no-op, so tests may call it after plugins.All whether or not All lists it.
func Register(app core.App, cfg *crm.Config) error {
	created := false
	p := app.Store().GetOrSet(storeKey, func() any {
		created = true
		p := &plugin{app: app, cfg: cfg}
		p.ctx, p.cancel = context.WithCancel(context.Background())
		p.idle = sync.NewCond(&p.mu)
		return p
	}).(*plugin)
	if !created {
		return nil
	}

	// The decision when a message is queued, in the queuing transaction.
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

	// Releases: a closed request lifts its hold on marketing; changed
	// preferences may let waiting messages go sooner.
	app.OnRecordUpdate(crm.Cases).BindFunc(func(e *core.RecordEvent) error {
		old := e.Record.Original()
		if err := e.Next(); err != nil {
			return err
		}
		var contacts []string
		if (e.Record.GetBool("closed") && !old.GetBool("closed")) || e.Record.GetString("type") != old.GetString("type") {
			contacts = append(contacts, e.Record.GetString(crm.FieldContact))
		}
		if prev := old.GetString(crm.FieldContact); prev != "" && prev != e.Record.GetString(crm.FieldContact) {
			contacts = append(contacts, prev)
		}
		return p.release(e.App, "marketing", contacts...)
	})
	app.OnRecordDelete(crm.Cases).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return p.release(e.App, "marketing", e.Record.GetString(crm.FieldContact))
	})
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

	app.Cron().MustAdd("outbox", "* * * * *", p.kick)
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.close()
		return e.Next()
	})
	return nil
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

// release makes the contacts' waiting messages (of purpose, or all) due
// now, to be decided again, and wakes the worker after the commit.
func (p *plugin) release(tx core.App, purpose string, contacts ...string) error {
	now := p.now()
	released := false
	for _, c := range contacts {
		if c == "" {
			continue
		}
		filter := "contact = {:c} && state = 'waiting' && not_before > {:now}"
		if purpose != "" {
			filter += " && purpose = {:p}"
		}
		list, err := tx.FindRecordsByFilter(crm.Outbox, filter, "", 0, 0, map[string]any{"c": c, "now": stamp(now), "p": purpose})
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

// close stops background delivery and waits for the run in progress, whose
// registered senders see their context canceled.
func (p *plugin) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.cancel()
	for p.running {
		p.idle.Wait()
	}
}
