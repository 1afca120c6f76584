package replication

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"modernc.org/sqlite"

	"vinculo/crm"
	"vinculo/crm/guard"
)

const storeKey = "vinculo.replication"

// From is the app's Replicator (nil before Register).
func From(app core.App) *Replicator {
	r, _ := app.Store().Get(storeKey).(*Replicator)
	return r
}

// Register replicates the data dir while the server runs (when
// replication.url is set), restores an empty data dir first when asked, adds
// `vinculo restore`, the managers' status route and PocketBase's default
// backup schedule.
func Register(app core.App, cfg *crm.Config) error {
	rc := cfg.Replication
	if why := CheckURL(rc.URL); why != "" {
		return fmt.Errorf("replication.url: %s", why)
	}
	r := &Replicator{cfg: rc, dataDir: app.DataDir}
	r.log = r.logger()
	app.Store().Set(storeKey, r)
	addRestoreCommand(app, r)

	if rc.URL != "" {
		for _, name := range Databases {
			ownCheckpoints.Store(filepath.Join(app.DataDir(), name), true)
		}
		// PocketBase's nightly TRUNCATE checkpoint would wait behind
		// Litestream's read transaction with writers blocked: optimize only.
		_ = app.Cron().Add("__pbDBOptimize__", "0 0 * * *", func() {
			if _, err := app.NonconcurrentDB().NewQuery("PRAGMA optimize").Execute(); err != nil {
				app.Logger().Warn("Failed to run periodic PRAGMA optimize", "error", err.Error())
			}
		})
	}

	app.OnBootstrap().Bind(&hook.Handler[*core.BootstrapEvent]{Id: "vinculo.replication.bootstrap", Func: func(e *core.BootstrapEvent) error {
		if err := r.beforeOpen(app); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return backupsByDefault(e.App)
	}})
	if app.IsBootstrapped() {
		if err := backupsByDefault(app); err != nil {
			return err
		}
	}

	r.aroundBackups(app)

	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.replication.serve", Func: func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/replication", func(e *core.RequestEvent) error {
			return e.JSON(http.StatusOK, r.Status(time.Now()))
		}).Bind(guard.Manager())
		if rc.URL != "" {
			r.startOrRetry()
		}
		return se.Next()
	}})
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Id: "vinculo.replication.stop", Func: func(e *core.TerminateEvent) error {
		if err := r.Close(context.Background()); err != nil {
			r.log.Warn("the last changes may not have reached the replica", "error", err)
		}
		return e.Next()
	}})
	return nil
}

// beforeOpen runs before PocketBase opens the databases: `vinculo restore`,
// and the restore of an empty data dir a server was asked for.
func (r *Replicator) beforeOpen(app core.App) error {
	ctx := context.Background()
	if req := restoreRequested(app, r.restore); req != nil {
		return req.run(ctx, r, app.DataDir())
	}
	if r.cfg.URL == "" || !r.cfg.RestoreIfEmpty {
		return nil
	}
	done, err := RestoreIfEmpty(ctx, r.cfg, app.DataDir())
	if err != nil {
		return fmt.Errorf("restore of the empty data dir %s from %s: %w", app.DataDir(), Shown(r.cfg.URL), err)
	}
	if done {
		fmt.Fprintf(os.Stderr, "vinculo: the empty data dir %s was restored from %s\n", app.DataDir(), Shown(r.cfg.URL))
	}
	return nil
}

// ownCheckpoints: the database files whose checkpoints Litestream makes.
var ownCheckpoints sync.Map

// autoCheckpointPages is SQLite's automatic checkpoint on the app's
// connections to a replicated database: a backstop far above Litestream's
// own checkpoint (1000 pages), so that checkpoints are Litestream's.
const autoCheckpointPages = 10000

func init() {
	sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, dsn string) error {
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if _, ok := ownCheckpoints.Load(filepath.Clean(path)); !ok || strings.Contains(dsn, "wal_autocheckpoint") {
			return nil // not replicated, or Litestream's own connection
		}
		_, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", autoCheckpointPages), nil)
		return err
	})
}
