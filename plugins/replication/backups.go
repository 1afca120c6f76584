package replication

import (
	"context"
	"fmt"

	"github.com/benbjohnson/litestream"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// PocketBase's scheduled backups unless a superuser chose otherwise: daily at
// 03:00 (the server's clock, UTC in the container), the last 7 kept in
// <data dir>/backups.
const (
	BackupCron = "0 3 * * *"
	BackupKeep = 7
)

// backupsMark is the _params row that says the default schedule was set once.
const backupsMark = "vinculo_backups_default"

// backupsByDefault turns PocketBase's scheduled backups on, once: a schedule
// a superuser set, or turned off, after that stays as they left it.
func backupsByDefault(app core.App) error {
	var marks int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM {{_params}} WHERE [[id]] = {:id}").
		Bind(dbx.Params{"id": backupsMark}).Row(&marks)
	if err != nil || marks > 0 {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		settings := tx.Settings()
		if settings.Backups.Cron == "" {
			settings.Backups.Cron = BackupCron
			settings.Backups.CronMaxKeep = BackupKeep
			if err := tx.Save(settings); err != nil {
				return err
			}
		}
		_, err := tx.DB().NewQuery("INSERT INTO {{_params}} ([[id]], [[value]]) VALUES ({:id}, {:value})").
			Bind(dbx.Params{"id": backupsMark, "value": `{"cron":"` + BackupCron + `","keep":7}`}).Execute()
		return err
	})
}

// backupBusyMillis is how long, during a PocketBase backup, the app's writer
// connections wait for a lock before giving up (10 s otherwise).
const backupBusyMillis = 1000

// aroundBackups fits PocketBase's backups to replication:
//   - a backup leaves out the state Litestream keeps beside each database;
//   - a backup ends with TRUNCATE checkpoints, which wait for every reader of
//     the WAL, Litestream's read transaction included, with writers blocked:
//     while replicating, they wait 1 s instead of 10 s for each database;
//   - restoring a backup stops replication first (what was written until then
//     reaches the replica), and the restarted server replicates the restored
//     databases; a restore that failed resumes replication.
func (r *Replicator) aroundBackups(app core.App) {
	app.OnBackupCreate().Bind(&hook.Handler[*core.BackupEvent]{Id: "vinculo.replication.backup", Func: func(e *core.BackupEvent) error {
		for _, name := range Databases {
			e.Exclude = append(e.Exclude, "."+name+litestream.MetaDirSuffix)
		}
		if !r.Running() {
			return e.Next()
		}
		writers := []dbx.Builder{e.App.NonconcurrentDB(), e.App.AuxNonconcurrentDB()}
		for _, db := range writers {
			_, _ = db.NewQuery(fmt.Sprintf("PRAGMA busy_timeout = %d", backupBusyMillis)).Execute()
		}
		defer func() {
			for _, db := range writers {
				_, _ = db.NewQuery("PRAGMA busy_timeout = 10000").Execute()
			}
		}()
		return e.Next()
	}})
	app.OnBackupRestore().Bind(&hook.Handler[*core.BackupEvent]{Id: "vinculo.replication.restore", Func: func(e *core.BackupEvent) error {
		running := r.Running()
		if running {
			if err := r.Stop(e.Context); err != nil {
				r.log.Warn("the last changes before the backup restore may not have reached the replica", "error", err)
			}
		}
		err := e.Next()
		if err != nil && running {
			if startErr := r.Start(context.WithoutCancel(e.Context)); startErr != nil {
				r.log.Error("replication did not resume after a failed backup restore", "error", startErr)
			}
		}
		return err
	}})
}
