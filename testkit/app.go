package testkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/crm/sqlitedb"
	_ "vinculo/pb_migrations" // the CRM schema
)

// NewApp is a real PocketBase app on a temporary SQLite database with the
// whole CRM schema migrated (a copy of the process's migrated template). It
// is removed when the test ends. Tests register the plugins they exercise
// themselves.
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	dir, err := migratedTemplate()
	if err != nil {
		t.Fatal(err)
	}
	return newApp(t, dir)
}

// NewMigratingApp is NewApp that runs every migration on this very app, as a
// data folder of an older version does when it is upgraded: for the tests
// of what a migration does to the app it runs in (hooks it binds). It costs
// seconds; every other test uses NewApp.
func NewMigratingApp(t testing.TB) *tests.TestApp {
	t.Helper()
	return newApp(t, "") // PocketBase's own test data folder, not yet migrated
}

func newApp(t testing.TB, dataDir string) *tests.TestApp {
	t.Helper()
	// The folder for Config's files is made first, so that it is removed
	// last: after app.Cleanup has stopped the app's background work (the
	// outbox may still be writing mail into it).
	filesDirs.Store(t, t.TempDir())
	// The same connections as the binary: transactions begin IMMEDIATE.
	app, err := tests.NewTestAppWithConfig(appConfig(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	t.Cleanup(func() { filesDirs.Delete(t) })
	return app
}

func appConfig(dataDir string) core.BaseAppConfig {
	return core.BaseAppConfig{DataDir: dataDir, EncryptionEnv: "pb_test_env", DBConnect: sqlitedb.Connect}
}

// template: one migrated data folder per test process. Migrating the whole
// CRM schema takes seconds; every app of the process starts from a copy of
// this folder instead, and finds nothing left to migrate.
var template struct {
	once sync.Once
	dir  string
	err  error
}

const templatePrefix = "vinculo-testkit-template-"

func migratedTemplate() (string, error) {
	template.once.Do(func() {
		sweepTemplates()
		// PocketBase's own test data folder, migrated as every app once was.
		app, err := tests.NewTestAppWithConfig(appConfig(""))
		if err != nil {
			template.err = err
			return
		}
		src := app.DataDir()
		app.ResetBootstrapState() // closes the databases: the files are whole
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("%s%d", templatePrefix, os.Getpid()))
		if err := os.Rename(src, dir); err != nil {
			template.err = err
			return
		}
		template.dir = dir
	})
	return template.dir, template.err
}

// sweepTemplates removes the folders of test processes that have ended
// (a test process cannot remove its own: it does not know its last test).
func sweepTemplates() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), templatePrefix+"*"))
	for _, m := range matches {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(m), templatePrefix))
		if err != nil || pid == os.Getpid() {
			continue
		}
		p, err := os.FindProcess(pid)
		if err == nil {
			err = p.Signal(syscall.Signal(0))
		}
		if errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(m)
		}
	}
}

// filesDirs: per test, the folder NewApp made for Config's files.
var filesDirs sync.Map

// Config is the shipped default configuration (crm.DefaultConfig), with the
// data and mail folders in a temporary dir, and what tests have always run
// with where it differs from the shipped defaults.
func Config(t testing.TB) *crm.Config {
	t.Helper()
	dir, ok := filesDirs.Load(t)
	if !ok {
		dir = t.TempDir()
	}
	cfg := crm.DefaultConfig()
	cfg.DataDir = dir.(string)
	cfg.MailDir = dir.(string) + "/mail"
	cfg.HooksPoolSize = 8 // not 4 × cores: the same on every machine
	cfg.Business.Name = "Vinculo Test"
	// Off unless a test turns them on: the rate limiter, the shipped
	// automations, and the events sent as webhooks (which hooks can read).
	cfg.RateLimits = false
	cfg.Automations = crm.Automations{}
	cfg.Webhooks.Events = nil
	cfg.SMTP.SenderName = "" // so that the sender follows a Business.Name a test sets
	return cfg
}

// Save creates a record as the system would (no request, no rules) and fails
// the test if it cannot. Auth records get a password and are verified.
func Save(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(fields)
	if c.IsAuth() {
		r.SetPassword("a-long-test-password")
		r.SetVerified(true)
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("save %s: %v", collection, err)
	}
	return r
}
