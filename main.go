// Vinculo: a self-hosted CRM in which the customer drives the relationship.
// main only wires: config -> PocketBase -> JavaScript hooks -> migrations ->
// plugins -> start.
package main

import (
	"errors"
	"fmt"
	"os"
	_ "time/tzdata" // time zones work in a bare container too

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/cmd"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"

	"vinculo/crm/sqlitedb"
	_ "vinculo/pb_migrations"
	"vinculo/plugins"
	"vinculo/plugins/demo"
	"vinculo/plugins/hooksapi"
	"vinculo/plugins/setup"
	"vinculo/plugins/signin"
	"vinculo/plugins/storage"
)

func main() {
	cfg, report, err := loadConfig(os.Args[1:], os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, "vinculo:", err)
		os.Exit(2)
	}

	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: cfg.DataDir, HideStartBanner: true, DBConnect: sqlitedb.Connect})
	app.RootCmd.Use = "vinculo"
	app.RootCmd.Short = "Vinculo, the CRM in which the customer drives the relationship"
	addConfigFlags(app.RootCmd)
	app.RootCmd.AddCommand(configCommand(report))
	debugServer(app) // off unless VINCULO_PPROF is set (debugserver.go)

	// JavaScript hooks (in file-name order, with $crm) and migrations.
	if err := hooksapi.Register(app, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "vinculo:", err)
		os.Exit(1)
	}
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		Dir:          cfg.MigrationsDir,
		TemplateLang: migratecmd.TemplateLangJS,
	})

	if err := plugins.All(app, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "vinculo:", err)
		os.Exit(1)
	}

	// PocketBase's own serve and superuser commands; serve listens where the
	// configuration says unless --http is given.
	serve := cmd.NewServeCommand(app, false)
	storage.RefreshOnServe(app) // the query planner's statistics, beside the start (plugins/storage)
	raiseOpenFileLimit(app)     // one open file per live connection (openfiles_unix.go)
	serve.PersistentFlags().Lookup("http").DefValue = cfg.HTTP
	_ = serve.PersistentFlags().Set("http", cfg.HTTP)
	serve.PersistentFlags().Lookup("http").Changed = false
	app.RootCmd.AddCommand(serve, cmd.NewSuperuserCommand(app), demo.Command(app, cfg))
	app.RootCmd.AddCommand(importCommand(app, cfg), signin.Command(app), setup.StaffCommand(app))
	app.RootCmd.AddCommand(predictCommand(app, cfg), receiptCommand(app))

	if err := app.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "vinculo:", err)
		var cfgErr *configError
		if errors.As(err, &cfgErr) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
