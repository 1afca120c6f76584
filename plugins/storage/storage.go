package storage

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
)

const storeKey = "vinculo.storage"

// Register answers storage failures with 507, logs them to standard error,
// and adds the storage state to a superuser's health answer.
func Register(app core.App, _ *crm.Config) error {
	m := &monitor{log: stderrLogger(), dataDir: app.DataDir}
	app.Store().Set(storeKey, m)

	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.storage.routes", Func: func(se *core.ServeEvent) error {
		// Inside the activity logger (which then records the 507), around
		// everything else, panics recovered included.
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{Id: "vinculo.storage.answer",
			Func: m.answer, Priority: apis.DefaultPanicRecoverMiddlewarePriority - 1})
		// After the auth token is read, so that a superuser is known.
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{Id: "vinculo.storage.health",
			Func: m.health, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1})
		return se.Next()
	}})

	// Writes outside requests (the outbox, imports, schedules) fail through
	// the same model hooks; a record saved means storage works again.
	for _, failed := range []func(...string) *hook.TaggedHook[*core.ModelErrorEvent]{
		app.OnModelAfterCreateError, app.OnModelAfterUpdateError, app.OnModelAfterDeleteError,
	} {
		failed().Bind(&hook.Handler[*core.ModelErrorEvent]{Id: "vinculo.storage.failed", Func: func(e *core.ModelErrorEvent) error {
			if kind := Classify(e.Error); kind != None {
				m.fail(e.Error, kind)
			}
			return e.Next()
		}})
	}
	for _, saved := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{
		app.OnRecordAfterCreateSuccess, app.OnRecordAfterUpdateSuccess, app.OnRecordAfterDeleteSuccess,
	} {
		saved().Bind(&hook.Handler[*core.RecordEvent]{Id: "vinculo.storage.saved", Func: func(e *core.RecordEvent) error {
			m.recovered("a record was saved")
			return e.Next()
		}})
	}
	return nil
}

// stderrLogger writes to the process's standard error as it is when a line
// is written: the request log is in the database, on the disk that failed.
func stderrLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr{}, nil)).With("component", "storage")
}

type stderr struct{}

func (stderr) Write(p []byte) (int, error) { return os.Stderr.Write(p) }

// Tolerate is for a write a read makes on the side (the audit entry of a
// read): a storage failure is logged and noted in the health answer, and nil
// comes back so that the read still answers. Any other error comes back as
// it is.
func Tolerate(app core.App, what string, err error) error {
	kind := Classify(err)
	if kind == None {
		return err
	}
	m := monitorOf(app)
	m.fail(err, kind)
	m.log.Error("storage failure: "+what+" was not written; the read was answered",
		"kind", kind.String(), "error", cause(err))
	return nil
}

func monitorOf(app core.App) *monitor {
	if m, ok := app.Store().Get(storeKey).(*monitor); ok {
		return m
	}
	return &monitor{log: stderrLogger(), dataDir: app.DataDir} // the plugin is not registered
}

// monitor holds the storage state of one app.
type monitor struct {
	log     *slog.Logger
	dataDir func() string

	failing atomic.Bool // read on every record saved, without the lock
	mu      sync.Mutex
	since   time.Time // the first failure since storage last worked
	last    time.Time
	lastErr string
}

// answer turns a request's storage failure into a 507 and logs it.
func (m *monitor) answer(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil {
		return nil
	}
	kind := Classify(err)
	if kind == None {
		return err
	}
	m.fail(err, kind)
	m.log.Error("storage failure: the request was answered 507",
		"method", e.Request.Method, "path", e.Request.URL.Path, "kind", kind.String(), "error", cause(err))
	apiErr := router.NewApiError(http.StatusInsufficientStorage, kind.Message(), err)
	apiErr.Data = map[string]any{} // nothing of the failed write's fields
	return apiErr
}

// fail notes a storage failure; the first one of a run is logged.
func (m *monitor) fail(err error, kind Kind) {
	now := time.Now().UTC()
	m.mu.Lock()
	first := !m.failing.Load()
	if first {
		m.since = now
	}
	m.last = now
	m.lastErr = cause(err)
	m.failing.Store(true)
	m.mu.Unlock()
	if first {
		m.log.Error("storage is failing: writes are refused until space is freed",
			"kind", kind.String(), "error", cause(err), "data_dir", m.dataDir())
	}
}

// recovered notes that storage works again.
func (m *monitor) recovered(how string) {
	if !m.failing.Load() {
		return
	}
	m.mu.Lock()
	if !m.failing.Load() {
		m.mu.Unlock()
		return
	}
	since := m.since
	m.failing.Store(false)
	m.mu.Unlock()
	m.log.Info("storage works again: "+how, "failing_for", time.Since(since).Round(time.Second).String())
}

// probeSize is what the data dir must take for storage to count as working
// again: more than a few pages of the database and its journal.
const probeSize = 1 << 20

// probe writes and removes a file in the data dir; success means storage
// works again.
func (m *monitor) probe() {
	if !m.failing.Load() {
		return
	}
	name := filepath.Join(m.dataDir(), ".storage-probe")
	err := writeProbe(name)
	_ = os.Remove(name)
	if err == nil {
		m.recovered("a test write in the data dir succeeded")
	}
}

func writeProbe(name string) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(make([]byte, probeSize)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// status is the storage part of a superuser's health answer.
func (m *monitor) status() map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.failing.Load() {
		return map[string]any{"ok": true}
	}
	return map[string]any{
		"ok":    false,
		"error": m.lastErr,
		"since": m.since.Format(time.RFC3339),
		"last":  m.last.Format(time.RFC3339),
	}
}
