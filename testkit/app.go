package testkit

import (
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	_ "vinculo/pb_migrations" // the CRM schema
)

// NewApp is a real PocketBase app on a temporary SQLite database with the
// whole CRM schema migrated. It is removed when the test ends. Tests register
// the plugins they exercise themselves.
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	// The folder for Config's files is made first, so that it is removed
	// last: after app.Cleanup has stopped the app's background work (the
	// outbox may still be writing mail into it).
	filesDirs.Store(t, t.TempDir())
	app, err := tests.NewTestApp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	t.Cleanup(func() { filesDirs.Delete(t) })
	return app
}

// filesDirs: per test, the folder NewApp made for Config's files.
var filesDirs sync.Map

// Config is the default configuration, with the mail folder in a temporary dir.
func Config(t testing.TB) *crm.Config {
	t.Helper()
	hours, err := crm.ParseWeekHours("mon-fri 09:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	dir, ok := filesDirs.Load(t)
	if !ok {
		dir = t.TempDir()
	}
	return &crm.Config{
		HTTP:          "127.0.0.1:8090",
		DataDir:       dir.(string),
		PublicURL:     "http://127.0.0.1:8090",
		HooksDir:      "./hooks",
		HooksPoolSize: 8,
		MigrationsDir: "./pb_migrations",
		MailDir:       dir.(string) + "/mail",
		FollowUps:     true,
		FollowUpDays:  2,
		Business: crm.Business{
			Name: "Vinculo Test", Country: "BR", Language: "pt-BR", Timezone: "America/Sao_Paulo", Hours: hours,
		},
	}
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
