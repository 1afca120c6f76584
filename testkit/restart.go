package testkit

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/sqlitedb"
)

// Stop ends w's app as PocketBase ends it (on SIGTERM or a restart) and
// returns its data dir.
func (w *World) Stop(t testing.TB) string {
	t.Helper()
	app := w.App
	dataDir := app.DataDir()
	err := app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error {
		return e.App.ResetBootstrapState()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dataDir
}

// Reopen starts a new app on dataDir, as a restarted process does, registers
// these on it in order (plugins.All for the app as it ships) and puts it in
// w.App; it is let go when the test ends.
func (w *World) Reopen(t testing.TB, dataDir string, register ...func(core.App, *crm.Config) error) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir, EncryptionEnv: "pb_test_env", DBConnect: sqlitedb.Connect})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	w.App = app
	for _, r := range register {
		if err := r(app, w.Cfg); err != nil {
			t.Fatal(err)
		}
	}
	return app
}
