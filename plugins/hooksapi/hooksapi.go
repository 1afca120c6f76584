// Package hooksapi runs the JavaScript hooks of hooks/ and gives them `$crm`,
// the CRM's own operations, so that scripts never re-implement its rules.
//
// PocketBase's jsvm plugin still loads the business's JavaScript migrations
// and writes its types.d.ts; the hook files are loaded here instead, by a
// loader that keeps PocketBase's hook, router and cron API (the same
// globals, `$app` scoped to the event's transaction, a pool of
// runtimes) and adds what Vinculo promises:
//
//   - Order. Files named *.pb.js (or *.pb.ts) directly in hooks.dir load in
//     byte order of their names ("10_a.pb.js" before "20_b.pb.js" before
//     "a.pb.js"), so handlers of one event and priority run in that order.
//     PocketBase's own loader ranges over a map.
//   - Places. Every handler is compiled under its file's path, at its own
//     line, so a stack trace names the file and line of the hook; a hook
//     that throws is logged (app.Logger(), the dashboard's logs) with file,
//     line and column. Its error fails the event: inside a record event the
//     save and everything written in its transaction are rolled back.
//   - `$crm`, bound into every runtime (the pool's, the loader's and the
//     migrations'). Its Go functions keep no state of their own beyond the
//     runtime they are bound to, which only one goroutine uses at a time;
//     what they share (the app, the configuration, the sender registry, the
//     webhook delivery worker) is safe for concurrent use.
//   - Senders. $crm.registerSender(channel, fn) makes fn the outbox's sender
//     of that channel; each send runs fn on a runtime lent by the pool, never
//     on the runtime that registered it.
//
// Like PocketBase's loader, each handler is compiled on its own: the
// top-level variables of a file are not visible inside its handlers (share
// code with require(`${__hooks}/lib.js`)).
package hooksapi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"

	"vinculo/crm"
)

const storeKey = "vinculo.hooksapi"

// Register loads the shipped JavaScript hooks and those of cfg.HooksDir
// (which add to them or replace one by file name) into app with `$crm`,
// and registers PocketBase's jsvm plugin for the JavaScript migrations of
// cfg.MigrationsDir. Call it after creating the app and before Start.
// Registering twice on one app is an error.
func Register(app core.App, cfg *crm.Config) error {
	if app.Store().Has(storeKey) {
		return errors.New("hooksapi: already registered on this app")
	}
	en := newEngine(app, cfg)
	app.Store().Set(storeKey, en)

	// PocketBase's plugin: migrations and types.d.ts only. Its hook loader
	// finds no file ("^$" matches no name); ours loads them below, in order.
	if err := jsvm.Register(app, jsvm.Config{
		HooksDir:          cfg.HooksDir,
		HooksFilesPattern: "^$",
		MigrationsDir:     cfg.MigrationsDir,
		OnInit:            func(vm *goja.Runtime) { en.bindCRM(vm) },
	}); err != nil {
		return err
	}
	if err := en.load(); err != nil {
		return err
	}
	en.bindDeliveries(app)
	bindAccounts(app)
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Server != nil { // a real server: after the start-up message
			fmt.Print(LoadedMessage(e.App))
		}
		return nil
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		en.close()
		return e.Next()
	})
	return nil
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, cfg *crm.Config) {
	if err := Register(app, cfg); err != nil {
		panic(err)
	}
}

func engineOf(app core.App) *engine {
	en, _ := app.Store().Get(storeKey).(*engine)
	return en
}

// Wait returns when app has no webhook delivery due left to send (those
// waiting for a later retry are not waited for): tests wait for the
// deliveries a change queued before they look.
func Wait(app core.App) {
	if en := engineOf(app); en != nil {
		en.webhooks.wait()
	}
}

// PoolStats describe the runtimes of app's hooks.
type PoolStats struct {
	Size     int   // runtimes the pool may keep (hooks.pool_size)
	Built    int   // of them, built so far (one at the start, more as calls overlap)
	Idle     int   // of the built ones, not running anything now
	Overflow int64 // calls that found every runtime busy and built a throw-away one
}

// Stats returns the pool's figures, zero when Register was not called.
func Stats(app core.App) PoolStats {
	en := engineOf(app)
	if en == nil || en.pool == nil {
		return PoolStats{}
	}
	return en.pool.stats()
}

// Fill builds every runtime app's pool may keep, which it otherwise does
// as calls first overlap: for a measure of what a full pool holds (bench
// part 5).
func Fill(app core.App) {
	if en := engineOf(app); en != nil && en.pool != nil {
		en.pool.fill()
	}
}

// Files lists the hook files of dir in the order Vinculo loads them.
func Files(dir string) ([]string, error) {
	files, err := hookFiles(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.name
	}
	return names, nil
}

// engine is the hooks of one app.
type engine struct {
	app     core.App
	cfg     *crm.Config
	dir     string // absolute hooks dir
	realDir string // dir with its symbolic links resolved, when it has any
	shipped fs.FS  // the shipped hooks, lib.js and views (nil: none)
	loaded  []Source

	pool    *pool
	loader  *loaderState
	sources sync.Map // absolute path -> file content, for placing handlers

	ctx        context.Context // canceled when the app terminates
	cancel     context.CancelFunc
	webhooks   *webhookWorker
	httpClient httpDoer

	reported reportedErrors
	closing  sync.Once
}

func newEngine(app core.App, cfg *crm.Config) *engine {
	en := &engine{app: app, cfg: cfg, httpClient: defaultHTTPClient()}
	en.ctx, en.cancel = context.WithCancel(context.Background())
	en.webhooks = newWebhookWorker(en)
	return en
}

// close stops the webhook delivery worker (what it had not sent stays due
// in the database), waits for the requests in flight and removes the
// senders this app's hooks registered.
func (en *engine) close() {
	en.closing.Do(func() {
		en.cancel()
		en.webhooks.close()
		unregisterSenders(en)
	})
}
