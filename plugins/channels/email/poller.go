package email

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// ReaderOptions tune the mailbox readers of one app (tests and the bench
// shorten the waits).
type ReaderOptions struct {
	Poll       time.Duration // between two looks without IDLE (and the longest IDLE); default mail.poll_seconds
	BackoffMin time.Duration // the first wait after a failure (default 5s), doubled at each failure...
	BackoffMax time.Duration // ...up to this (default 15 minutes)
	MailTries  int           // a mail the intake refuses this many times is skipped (default 5)
	Batch      int           // mails asked for in one FETCH (default 50)
	Off        bool          // no reader starts with serve
	// Intake takes each mail in (default: Intake); the bench and tests of
	// the reader alone put another in its place.
	Intake func(app core.App, raw []byte, box Mailbox) (Outcome, error)
}

// readers are the running mailbox readers of one app: one goroutine per
// active mailbox while the server runs.
type readers struct {
	app core.App
	cfg *crm.Config

	restarting sync.Mutex
	saveMu     sync.Mutex // one writer of a mailbox row at a time: a reader, or a manager's change
	mu         sync.Mutex
	opts       ReaderOptions
	running    map[string]*worker
	serving    bool
}

const readersKey = "vinculo.email.readers"

func readersOf(app core.App) *readers {
	r, _ := app.Store().Get(readersKey).(*readers)
	return r
}

// ConfigureReaders sets the readers' options of app (after Register); the
// running readers restart with them.
func ConfigureReaders(app core.App, o ReaderOptions) error {
	r := readersOf(app)
	if r == nil {
		return errors.New("email: Register was not called on this app")
	}
	r.mu.Lock()
	r.opts = o
	serving := r.serving
	r.mu.Unlock()
	if serving {
		r.stopAll()
		return r.startAll()
	}
	return nil
}

func (r *readers) options() ReaderOptions {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.opts
	if o.Poll <= 0 {
		o.Poll = time.Duration(max(r.cfg.Mail.PollSeconds, 5)) * time.Second
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = 5 * time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 15 * time.Minute
	}
	if o.MailTries <= 0 {
		o.MailTries = 5
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Intake == nil {
		o.Intake = Intake
	}
	return o
}

// bindReaders starts the readers with serve (after the file's mailboxes are
// written on their rows), restarts one when its mailbox changes, and stops
// them all when the app terminates.
func bindReaders(app core.App, cfg *crm.Config) {
	r := app.Store().GetOrSet(readersKey, func() any {
		return &readers{app: app, cfg: cfg, running: map[string]*worker{}}
	}).(*readers)
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := syncConfigMailboxes(e.App, cfg); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		r.mu.Lock()
		r.serving = true
		r.mu.Unlock()
		return r.startAll()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		r.mu.Lock()
		r.serving = false
		r.mu.Unlock()
		r.stopAll()
		return e.Next()
	})
	// A saved mailbox's reader restarts off the request that saved it.
	app.OnRecordAfterCreateSuccess(crm.Mailboxes).BindFunc(func(e *core.RecordEvent) error {
		go r.restart(e.Record.Id)
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(crm.Mailboxes).BindFunc(func(e *core.RecordEvent) error {
		for _, f := range connFields {
			if e.Record.Original().GetString(f) != e.Record.GetString(f) {
				go r.restart(e.Record.Id)
				break
			}
		}
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(crm.Mailboxes).BindFunc(func(e *core.RecordEvent) error {
		go r.stop(e.Record.Id)
		return e.Next()
	})
}

func (r *readers) startAll() error {
	boxes, err := r.app.FindRecordsByFilter(crm.Mailboxes, "active = true", "", 0, 0)
	if err != nil {
		return err
	}
	for _, b := range boxes {
		r.restart(b.Id)
	}
	return nil
}

func (r *readers) stopAll() {
	r.mu.Lock()
	ws := r.running
	r.running = map[string]*worker{}
	r.mu.Unlock()
	for _, w := range ws {
		w.end()
	}
}

func (r *readers) stop(id string) {
	r.mu.Lock()
	w := r.running[id]
	delete(r.running, id)
	r.mu.Unlock()
	if w != nil {
		w.end()
	}
}

// restart (re)starts the reader of one mailbox while the server runs, or
// only stops it when the mailbox is off or gone. Restarts of the app's
// mailboxes happen one at a time.
func (r *readers) restart(id string) {
	r.restarting.Lock()
	defer r.restarting.Unlock()
	r.stop(id)
	opts := r.options()
	rec, err := r.app.FindRecordById(crm.Mailboxes, id)
	if err != nil || !rec.GetBool(crm.BoxActive) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.serving || opts.Off {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{app: r.app, id: id, opts: opts, cancel: cancel, done: make(chan struct{}), saveMu: &r.saveMu}
	r.running[id] = w
	go w.run(ctx)
}

// worker reads one mailbox until it is ended.
type worker struct {
	app    core.App
	id     string
	opts   ReaderOptions
	cancel context.CancelFunc
	done   chan struct{}
	saveMu *sync.Mutex

	failures  int    // failed tries in a row
	stuckUID  uint32 // the mail the intake refused last
	stuckHits int
}

func (w *worker) end() {
	w.cancel()
	<-w.done
}

// run: read, then wait for news (IDLE or a poll), again; after a failure,
// wait longer each time (doubling, up to BackoffMax) and start over from
// where the last mail taken in left the mailbox.
func (w *worker) run(ctx context.Context) {
	defer close(w.done)
	for ctx.Err() == nil {
		err := w.session(ctx)
		if ctx.Err() != nil {
			return
		}
		w.failures++
		wait := w.backoff()
		w.saveState(map[string]any{crm.BoxStatus: StatusOf(err), crm.BoxStatusDetail: detail(err),
			crm.BoxFailures: w.failures, crm.BoxCheckedAt: types.NowDateTime(),
			crm.BoxNextTryAt: types.NowDateTime().Add(wait)})
		w.app.Logger().Warn("email: a mailbox could not be read", "mailbox", w.id, "error", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (w *worker) backoff() time.Duration {
	d := w.opts.BackoffMin
	for i := 1; i < w.failures && d < w.opts.BackoffMax; i++ {
		d *= 2
	}
	return min(d, w.opts.BackoffMax)
}

func detail(err error) string {
	s := err.Error()
	var re *ReadError
	if errors.As(err, &re) {
		s = re.Err.Error()
	}
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}

// session is one connection: catch up, then wait for news and catch up
// again, until the context ends or something fails.
func (w *worker) session(ctx context.Context) error {
	rec, err := w.app.FindRecordById(crm.Mailboxes, w.id)
	if err != nil {
		return failed(crm.BoxStatusError, err)
	}
	conn, err := connOf(w.app, rec)
	if err != nil {
		return failed(crm.BoxStatusError, err)
	}
	s, err := open(conn)
	if err != nil {
		return err
	}
	defer s.close()
	for {
		if err := w.catchUp(ctx, s); err != nil {
			return err
		}
		if err := s.wait(w.opts.Poll, ctx.Done()); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// catchUp takes in every mail after the last one taken in, oldest first;
// the mailbox's place (UIDVALIDITY, last UID) is saved with each mail, in
// the same transaction, so a stop at any point loses and repeats nothing.
func (w *worker) catchUp(ctx context.Context, s *session) error {
	rec, err := w.app.FindRecordById(crm.Mailboxes, w.id)
	if err != nil {
		return failed(crm.BoxStatusError, err)
	}
	box := mailboxOf(rec)
	last := uint32(rec.GetInt(crm.BoxLastUID))
	if uint32(rec.GetInt(crm.BoxUIDValidity)) != s.validity {
		// A new folder, or the server renumbered it: read it all again;
		// the intake drops what it has by Message-ID.
		last = 0
		if err := w.advanceAlone(s.validity, 0); err != nil {
			return failed(crm.BoxStatusError, err)
		}
	}
	uids, err := s.newUIDs(last)
	if err != nil {
		return err
	}
	err = s.fetch(uids, w.opts.Batch, func(m Fetched) error {
		if ctx.Err() != nil {
			return errStopped
		}
		return w.take(box, s.validity, m)
	})
	if err != nil && !errors.Is(err, errStopped) {
		return err
	}
	w.failures = 0
	w.saveState(map[string]any{crm.BoxStatus: crm.BoxStatusOK, crm.BoxStatusDetail: "", crm.BoxFailures: 0,
		crm.BoxCheckedAt: types.NowDateTime(), crm.BoxNextTryAt: "", crm.BoxUIDValidity: s.validity})
	return nil
}

var errStopped = errors.New("stopped")

// take hands one mail to the intake and moves the mailbox's place past it,
// both or neither. A mail the intake keeps refusing is skipped after
// MailTries tries, and said so in the log and the status detail.
func (w *worker) take(box Mailbox, validity uint32, m Fetched) error {
	w.saveMu.Lock()
	defer w.saveMu.Unlock()
	err := w.app.RunInTransaction(func(tx core.App) error {
		if _, err := w.opts.Intake(tx, m.Raw, box); err != nil {
			return err
		}
		return w.advance(tx, validity, m.UID)
	})
	if err == nil {
		w.stuckUID, w.stuckHits = 0, 0
		return nil
	}
	if w.stuckUID != m.UID {
		w.stuckUID, w.stuckHits = m.UID, 0
	}
	w.stuckHits++
	if w.stuckHits < w.opts.MailTries {
		return failed(crm.BoxStatusError, fmt.Errorf("mail UID %d: %w", m.UID, err))
	}
	w.app.Logger().Error("email: a mail was skipped after repeated failures", "mailbox", w.id, "uid", m.UID, "error", err)
	return w.advance(w.app, validity, m.UID)
}

func (w *worker) advanceAlone(validity, uid uint32) error {
	w.saveMu.Lock()
	defer w.saveMu.Unlock()
	return w.advance(w.app, validity, uid)
}

// advance stores that every mail up to uid was taken in.
func (w *worker) advance(app core.App, validity uint32, uid uint32) error {
	rec, err := app.FindRecordById(crm.Mailboxes, w.id)
	if err != nil {
		return err
	}
	rec.Set(crm.BoxUIDValidity, validity)
	rec.Set(crm.BoxLastUID, uid)
	return app.SaveNoValidate(rec)
}

// saveState writes the reader's own fields (a failure to write them is
// logged: the mail is safe either way).
func (w *worker) saveState(fields map[string]any) {
	w.saveMu.Lock()
	defer w.saveMu.Unlock()
	rec, err := w.app.FindRecordById(crm.Mailboxes, w.id)
	if err == nil {
		for k, v := range fields {
			rec.Set(k, v)
		}
		err = w.app.SaveNoValidate(rec)
	}
	if err != nil {
		w.app.Logger().Error("email: a mailbox's status could not be saved", "mailbox", w.id, "error", err)
	}
}

// connOf is how to reach a mailbox row.
func connOf(app core.App, rec *core.Record) (Conn, error) {
	pw, err := openPassword(app, rec.GetString(crm.BoxPassword))
	if err != nil {
		return Conn{}, err
	}
	return Conn{Host: rec.GetString(crm.BoxHost), Port: rec.GetInt(crm.BoxPort), TLS: rec.GetString(crm.BoxTLS),
		User: rec.GetString(crm.BoxUser), Password: pw, Folder: rec.GetString(crm.BoxFolder)}, nil
}

// mailboxOf is what the intake knows of a mailbox row.
func mailboxOf(rec *core.Record) Mailbox {
	return Mailbox{ID: rec.Id, Address: rec.GetString(crm.BoxAddress), NewThread: rec.GetString(crm.BoxNewThread),
		CaseType: rec.GetString(crm.BoxCaseType)}
}
