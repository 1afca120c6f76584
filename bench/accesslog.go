package main

// Part 17 (-parts 17, or accesslog): what the access log (plugins/accesslog)
// costs, measured in process on one data dir of -accesslog-contacts demo
// contacts, each side in the same run, alternating rounds (on, off, off,
// on), on the same server:
//
//   - a staff member's record view (GET /api/collections/contacts/records/{id},
//     a different contact each request, one client): p50 and p99 with the
//     log on and off, and their ratio (the bar: p50 within 1.1x);
//   - the export of every contact (GET /api/crm/export/contacts, CSV, read
//     to the end): best round with the log on (one export row and a member
//     row per contact, written by the log's goroutine after the answer) and
//     off, and the ratio (the bar: within 10%); then how long the members
//     took to be written after the answer.
//
// "Off" is accesslog.Off: the hooks return at once. The exporter still
// gathers the contact ids on both sides (an append per row).

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/demo"
	"vinculo/plugins/exporter"
)

var (
	accessContacts = flag.Int("accesslog-contacts", 100000, "part 17: demo contacts (the export holds them all)")
	accessViews    = flag.Int("accesslog-views", 2000, "part 17: measured record views per side (2 rounds)")
	accessExports  = flag.Int("accesslog-exports", 2, "part 17: measured exports per side (alternating)")
)

func runAccessLogPart(_ context.Context, _ options, root string) error {
	dir := filepath.Join(root, "accesslog")
	defer os.RemoveAll(dir)
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return err
	}
	t0 := time.Now()
	n, err := demo.InsertContacts(app, *accessContacts, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("[accesslog] %d contacts written in %s\n", n, time.Since(t0).Round(time.Second))
	cfg := &crm.Config{Business: crm.Business{Name: "Bench", Timezone: "America/Sao_Paulo", Currency: "BRL", Country: "BR", Language: "en"}}
	for _, register := range []func(core.App, *crm.Config) error{exporter.Register, accesslog.Register} {
		if err := register(app, cfg); err != nil {
			return err
		}
	}
	staffC, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	staff := core.NewRecord(staffC)
	staff.Load(map[string]any{"name": "Bench Manager", "email": "bench@staff.test", "role": crm.RoleManager, "password": "bench-password-1"})
	if err := app.Save(staff); err != nil {
		return err
	}
	token, err := staff.NewAuthToken()
	if err != nil {
		return err
	}
	var ids []string
	if err := app.DB().NewQuery("SELECT id FROM contacts ORDER BY random() LIMIT 5000").Column(&ids); err != nil {
		return err
	}
	srv, err := serveInProcess(app)
	if err != nil {
		return err
	}
	defer srv.Close()
	client := srv.Client()
	client.Timeout = 10 * time.Minute
	get := func(path string) (int64, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		size, err := io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return size, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		return size, err
	}

	// Record views.
	lat := map[bool][]time.Duration{}
	next := 0
	views := func(on bool, count int, keep bool) error {
		accesslog.Off(app, !on)
		for i := 0; i < count; i++ {
			id := ids[next%len(ids)]
			next++
			t := time.Now()
			if _, err := get("/api/collections/contacts/records/" + id); err != nil {
				return err
			}
			if keep {
				lat[on] = append(lat[on], time.Since(t))
			}
		}
		return nil
	}
	half := *accessViews / 2
	for _, on := range []bool{true, false, false, true} {
		if err := views(on, 100, false); err != nil {
			return err
		}
		if err := views(on, half, true); err != nil {
			return err
		}
	}
	accesslog.Off(app, false)
	accesslog.Flush(app)

	// Exports.
	best := map[bool]time.Duration{}
	var membersTook time.Duration
	var rows int64
	for round := 0; round < *accessExports; round++ {
		for _, on := range []bool{true, false} {
			if round%2 == 1 {
				on = !on
			}
			accesslog.Off(app, !on)
			t := time.Now()
			size, err := get("/api/crm/export/contacts?format=csv")
			took := time.Since(t)
			if err != nil {
				return err
			}
			if on {
				t1 := time.Now()
				accesslog.Flush(app)
				membersTook = time.Since(t1)
			}
			fmt.Printf("[accesslog] export round %d, log %v: %s in %s\n", round+1, onOff(on), mb(size), took.Round(time.Millisecond))
			if b, ok := best[on]; !ok || took < b {
				best[on] = took
			}
		}
	}
	accesslog.Off(app, false)
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + crm.ExportMembers).Row(&rows); err != nil {
		return err
	}

	p := func(d []time.Duration, q float64) time.Duration {
		s := append([]time.Duration(nil), d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[int(q*float64(len(s)-1))]
	}
	fmt.Printf("\nAccess log, %d contacts, in process (PocketBase's router on httptest), one client\n", n)
	fmt.Printf("record view  log on : p50 %s  p99 %s  (%d requests)\n", p(lat[true], .5), p(lat[true], .99), len(lat[true]))
	fmt.Printf("record view  log off: p50 %s  p99 %s  (%d requests)\n", p(lat[false], .5), p(lat[false], .99), len(lat[false]))
	fmt.Printf("record view p50 on/off: %.3fx\n", float64(p(lat[true], .5))/float64(p(lat[false], .5)))
	fmt.Printf("export of %d contacts, best of %d: log on %s, log off %s, on/off %.3fx; members written %s after the answer (%d member rows in all)\n",
		n, *accessExports, best[true].Round(time.Millisecond), best[false].Round(time.Millisecond),
		float64(best[true])/float64(best[false]), membersTook.Round(time.Millisecond), rows)
	return nil
}

func onOff(on bool) string {
	if on {
		return "on "
	}
	return "off"
}

// serveInProcess serves app's router (every route its plugins added) on a
// loopback port, as the tests' kit does.
func serveInProcess(app core.App) (*httptest.Server, error) {
	router, err := apis.NewRouter(app)
	if err != nil {
		return nil, err
	}
	se := new(core.ServeEvent)
	se.App = app
	se.Router = router
	var handler http.Handler
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	if err != nil {
		return nil, err
	}
	return httptest.NewServer(handler), nil
}
