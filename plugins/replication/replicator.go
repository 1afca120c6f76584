package replication

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"

	"vinculo/crm"
)

// Replicator ships the changes of the data dir's databases to the replica
// while the server runs.
type Replicator struct {
	cfg     crm.Replication
	dataDir func() string
	log     *slog.Logger
	restore *restoreRun // `vinculo restore`, in the program

	mu      sync.Mutex
	store   *litestream.Store
	dbs     []*tracked
	err     string  // why replication could not start
	failure failure // the last error Litestream logged
	started time.Time
	closed  bool          // the app is stopping: no more starts
	retry   chan struct{} // closed to end the retries of a failed start
	stop    chan struct{}
	stopped chan struct{}
}

// tracked is one replicated database and what the watcher saw of it.
type tracked struct {
	name    string
	db      *litestream.DB
	replica *litestream.Replica

	mu           sync.Mutex
	pendingSince time.Time // since when local changes wait for the replica
	localTXID    uint64
	replicaTXID  uint64
}

// syncEvery is the replica's sync interval.
func (r *Replicator) syncEvery() time.Duration {
	return time.Duration(max(1, r.cfg.SyncSeconds)) * time.Second
}

// Start opens Litestream on both databases. It returns once replication runs;
// the first copy of a database to the replica is made in the background.
func (r *Replicator) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store != nil {
		return nil
	}
	if r.closed {
		return fmt.Errorf("replication: the server is stopping")
	}
	var dbs []*litestream.DB
	var tracks []*tracked
	for _, name := range Databases {
		client, err := newClient(r.cfg, name)
		if err != nil {
			r.err = err.Error()
			return err
		}
		db := litestream.NewDB(filepath.Join(r.dataDir(), name))
		replica := litestream.NewReplicaWithClient(db, client)
		replica.SyncInterval = r.syncEvery()
		db.Replica = replica
		if fc, ok := client.(*file.ReplicaClient); ok {
			fc.Replica = replica
		}
		dbs = append(dbs, db)
		tracks = append(tracks, &tracked{name: name, db: db, replica: replica})
	}
	store := litestream.NewStore(dbs, litestream.DefaultCompactionLevels)
	store.Logger = r.log
	for _, db := range dbs {
		db.SetLogger(r.log.With("db", filepath.Base(db.Path())))
	}
	store.ShutdownSyncTimeout = 10 * time.Second
	if err := store.Open(ctx); err != nil {
		r.err = err.Error()
		return fmt.Errorf("replication: %w", err)
	}
	r.store, r.dbs, r.err, r.started = store, tracks, "", time.Now()
	r.stop, r.stopped = make(chan struct{}), make(chan struct{})
	go r.watch(r.stop, r.stopped, tracks)
	return nil
}

// startOrRetry starts replication; while the replica cannot be reached (an
// SFTP server down at the start), the server runs without it, the status says
// why, and a start is tried again every 30 s.
func (r *Replicator) startOrRetry() {
	start := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return r.Start(ctx)
	}
	err := start()
	if err == nil {
		return
	}
	r.log.Error("replication did not start; trying again every 30 s", "error", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.retry != nil {
		return
	}
	quit := make(chan struct{})
	r.retry = quit
	go func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				if start() == nil {
					r.log.Warn("replication started")
					return
				}
			}
		}
	}()
}

// Close stops replication for good, as the app stops.
func (r *Replicator) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	if r.retry != nil {
		close(r.retry)
		r.retry = nil
	}
	r.mu.Unlock()
	return r.Stop(ctx)
}

// Stop ships what is left (within 10 s) and closes Litestream, before the
// app closes its databases.
func (r *Replicator) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store == nil {
		return nil
	}
	close(r.stop)
	<-r.stopped
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err := r.store.Close(ctx)
	r.store, r.dbs = nil, nil
	return err
}

// Running says whether replication runs.
func (r *Replicator) Running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.store != nil
}

// Flush ships every change written so far to the replica and returns when the
// replica holds it.
func (r *Replicator) Flush(ctx context.Context) error {
	r.mu.Lock()
	dbs := r.dbs
	r.mu.Unlock()
	if dbs == nil {
		return fmt.Errorf("replication is not running")
	}
	for _, t := range dbs {
		if err := t.db.SyncAndWait(ctx); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		t.observe(time.Now())
	}
	return nil
}

// watch notes, every half second, how far each replica is behind its database.
func (r *Replicator) watch(stop <-chan struct{}, stopped chan<- struct{}, dbs []*tracked) {
	defer close(stopped)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			for _, t := range dbs {
				t.observe(now)
			}
		}
	}
}

func (t *tracked) observe(now time.Time) {
	pos, err := t.db.Pos()
	if err != nil {
		return
	}
	remote := t.replica.Pos()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.localTXID, t.replicaTXID = uint64(pos.TXID), uint64(remote.TXID)
	switch {
	case pos.TXID <= remote.TXID:
		t.pendingSince = time.Time{}
	case t.pendingSince.IsZero():
		t.pendingSince = now
	}
}

// DBStatus is one database's replication as managers see it.
type DBStatus struct {
	Name        string     `json:"name"`
	LastSync    *time.Time `json:"last_sync"`   // the last time the replica took changes
	LagSeconds  float64    `json:"lag_seconds"` // how long the oldest change not yet on the replica has waited (since the start, while the replica confirmed nothing)
	LocalTXID   uint64     `json:"local_txid"`
	ReplicaTXID uint64     `json:"replica_txid"`
}

// Status is the replication as managers see it.
type Status struct {
	Enabled   bool       `json:"enabled"`
	Replica   string     `json:"replica"` // the URL without secrets
	Running   bool       `json:"running"`
	Error     string     `json:"error,omitempty"`      // why replication could not start
	LastError string     `json:"last_error,omitempty"` // the last error replicating, with its time
	ErrorAt   *time.Time `json:"last_error_at,omitempty"`
	Databases []DBStatus `json:"databases"`
}

// Status says how replication stands now.
func (r *Replicator) Status(now time.Time) Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Status{Enabled: r.cfg.URL != "", Replica: Shown(r.cfg.URL), Running: r.store != nil, Error: r.err, Databases: []DBStatus{}}
	s.LastError, s.ErrorAt = r.failure.last()
	for _, t := range r.dbs {
		d := DBStatus{Name: t.name}
		if last := t.db.LastSuccessfulSyncAt(); !last.IsZero() {
			d.LastSync = &last
		}
		t.mu.Lock()
		d.LocalTXID, d.ReplicaTXID = t.localTXID, t.replicaTXID
		switch {
		case !t.pendingSince.IsZero():
			d.LagSeconds = now.Sub(t.pendingSince).Seconds()
		case d.LastSync == nil: // the replica has confirmed nothing since the start
			d.LagSeconds = now.Sub(r.started).Seconds()
		}
		t.mu.Unlock()
		s.Databases = append(s.Databases, d)
	}
	return s
}

// logger writes Litestream's warnings and errors to standard error, and
// keeps the last error for the status.
func (r *Replicator) logger() *slog.Logger {
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	return slog.New(&errorTap{Handler: h, f: &r.failure}).With("component", "replication")
}

// failure is the last error logged.
type failure struct {
	mu  sync.Mutex
	msg string
	at  time.Time
}

func (f *failure) last() (string, *time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.at.IsZero() {
		return "", nil
	}
	at := f.at
	return f.msg, &at
}

// errorTap is a log handler that notes every error in a failure.
type errorTap struct {
	slog.Handler
	f *failure
}

func (h *errorTap) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelError {
		msg := rec.Message
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" || a.Key == "db" {
				msg += " " + a.Key + "=" + a.Value.String()
			}
			return true
		})
		h.f.mu.Lock()
		h.f.msg, h.f.at = msg, rec.Time
		h.f.mu.Unlock()
	}
	return h.Handler.Handle(ctx, rec)
}

func (h *errorTap) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &errorTap{Handler: h.Handler.WithAttrs(attrs), f: h.f}
}

func (h *errorTap) WithGroup(name string) slog.Handler {
	return &errorTap{Handler: h.Handler.WithGroup(name), f: h.f}
}
