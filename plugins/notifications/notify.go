// Package notifications tells colleagues what concerns them: the
// workspace's bell (live), and email at once or as a daily digest, by each
// member's choice (issue 16).
package notifications

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Notice is one thing one colleague is told.
type Notice struct {
	To         string         // the staff member told
	By         string         // the staff member whose action it was ("" for the system): never told of it
	Event      string         // crm.Notify*
	Collection string         // the record it links to: its collection...
	Record     string         // ...and id
	Data       map[string]any // what the UI words it with (a title, a name, the note's excerpt...)
	// Once, when set, makes the notice fire once per colleague: a second
	// Notify with the same key for the same colleague does nothing (the
	// schedules' deadlines, stale deals and due tasks use it).
	Once string
}

// Notify records n for its colleague (nothing when To is empty or To is By,
// or when To has left the team) and, by their choice, mails it after the
// commit. Safe to call inside a transaction: pass the transaction's app.
func Notify(app core.App, n Notice) error {
	if n.To == "" || n.To == n.By {
		return nil
	}
	if !slices.Contains(crm.NotifyEvents, n.Event) {
		return fmt.Errorf("notifications: unknown event %q", n.Event)
	}
	to, err := app.FindRecordById(crm.Staff, n.To)
	if err != nil {
		return fmt.Errorf("notifications: colleague %s: %w", n.To, err)
	}
	if to.GetBool(crm.FieldDeactivated) {
		return nil
	}
	if n.Once != "" {
		seen, err := fired(app, n.To, n.Once)
		if err != nil || seen {
			return err
		}
	}
	if skip, err := supersede(app, n); err != nil || skip {
		return err
	}
	col, err := app.FindCachedCollectionByNameOrId(crm.Notifications)
	if err != nil {
		return err
	}
	rec := core.NewRecord(col)
	rec.Set(crm.NotifTo, n.To)
	rec.Set(crm.NotifBy, n.By)
	rec.Set(crm.NotifEvent, n.Event)
	rec.Set(crm.NotifCollection, n.Collection)
	rec.Set(crm.NotifRecord, n.Record)
	data := n.Data
	if data == nil {
		data = map[string]any{}
	}
	rec.Set(crm.NotifData, data)
	rec.Set(crm.NotifOnce, n.Once)
	switch prefsOf(to).mailFor(n.Event) {
	case crm.NotifyByMailNow:
		rec.Set(crm.NotifMail, crm.NotifMailPending)
		rec.Set(crm.NotifMailNext, clockOf(app)())
	case crm.NotifyByMailDigest:
		rec.Set(crm.NotifMail, crm.NotifMailDigest)
	}
	return app.Save(rec)
}

// handOverWindow: an assignment and a hand-over of the same record to the
// same colleague this close together are one change (a hand-over changes
// the owner, which the assignment hook sees too).
const handOverWindow = time.Minute

// supersede keeps one notice for a hand-over: the hand-over (with its note)
// replaces the plain "assigned" of the same record, whichever comes first.
func supersede(app core.App, n Notice) (skip bool, err error) {
	if n.Record == "" || (n.Event != crm.NotifyAssigned && n.Event != crm.NotifyHandedOver) {
		return false, nil
	}
	other := crm.NotifyHandedOver
	if n.Event == crm.NotifyHandedOver {
		other = crm.NotifyAssigned
	}
	var found []*core.Record
	err = app.RecordQuery(crm.Notifications).
		Where(dbx.HashExp{crm.NotifTo: n.To, crm.NotifCollection: n.Collection, crm.NotifRecord: n.Record, crm.NotifEvent: other}).
		AndWhere(dbx.NewExp("created >= {:since}", dbx.Params{"since": stamp(time.Now().Add(-handOverWindow))})).All(&found)
	if err != nil || len(found) == 0 {
		return false, err
	}
	if n.Event == crm.NotifyAssigned {
		return true, nil
	}
	for _, r := range found {
		if r.GetString(crm.NotifMail) == crm.NotifMailSent {
			continue // already mailed: keep its row
		}
		if err := app.Delete(r); err != nil {
			return false, err
		}
	}
	return false, nil
}

// fired tells whether the colleague was already told under the key once.
func fired(app core.App, to, once string) (bool, error) {
	var n int
	err := app.DB().Select("count(*)").From(crm.Notifications).
		Where(dbx.HashExp{crm.NotifTo: to, crm.NotifOnce: once}).Row(&n)
	return n > 0, err
}

// Options tune the notifications of one app.
type Options struct {
	Now         func() time.Time // the clock of the schedules and the mail; nil: time.Now
	MaxAttempts int              // mail sends before giving up; 0: 6
	FirstRetry  time.Duration    // wait after the first failed send, doubled after each; 0: 1 minute
	MaxRetry    time.Duration    // longest wait between attempts; 0: 2 hours
	// Manual turns background work off (mail after a commit, the cron
	// job, the start of the server): the caller runs SendDue and Check. For
	// tests.
	Manual bool
}

func (o Options) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return 6
}

// backoff is the wait after the n-th failed attempt.
func (o Options) backoff(n int) time.Duration {
	first, most := o.FirstRetry, o.MaxRetry
	if first <= 0 {
		first = time.Minute
	}
	if most <= 0 {
		most = 2 * time.Hour
	}
	d := first
	for i := 1; i < n && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

const storeKey = "vinculo.notifications"

// plugin is the notifications of one app, kept in the app's store.
type plugin struct {
	app core.App
	cfg *crm.Config

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
		return nil, errors.New("notifications: Register was not called on this app")
	}
	return p, nil
}

// Configure sets the options of app's notifications (after Register).
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

// clockOf is app's notifications clock (time.Now without the plugin).
func clockOf(app core.App) func() time.Time {
	if p, err := pluginOf(app); err == nil {
		return p.now
	}
	return time.Now
}

// Register wires the bell's routes, the events' hooks and the deadline and
// digest schedules. Registering twice on one app is a no-op.
func Register(app core.App, cfg *crm.Config) error {
	created := false
	p := app.Store().GetOrSet(storeKey, func() any {
		created = true
		p := &plugin{app: app, cfg: cfg}
		p.idle = sync.NewCond(&p.mu)
		return p
	}).(*plugin)
	if !created {
		return nil
	}
	p.bindEvents(app)
	p.bindRoutes(app)
	p.bindMail(app)
	app.Cron().MustAdd("notifications", "* * * * *", p.kick)
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		p.kick() // what came due while the server was down
		return nil
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.close()
		return e.Next()
	})
	return nil
}
