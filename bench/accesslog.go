package main

// Part 17 (-parts 17, or accesslog): what the access log (plugins/accesslog)
// costs, measured in process on one data dir of -accesslog-contacts demo
// contacts, both sides in the same run on the same server, in interleaved
// rounds (on, off, off, on, on, off, ...) so that the machine's noise (other
// work on its cores) falls on both sides alike; each side's figure is the
// median over its rounds:
//
//   - a staff member's record view (GET /api/collections/contacts/records/{id},
//     a different contact each request, one client): each round's p50 and
//     p99, the medians per side and their ratio (the bar: p50 within 1.1x);
//   - the export of every contact (GET /api/crm/export/contacts, CSV, read
//     to the end): each round's time, the median per side and the ratio (the
//     bar: within 10%); then how long the log's writer took to write the
//     export's row and a member row per contact after the answer (the bench
//     waits for it before the next round, so it does not fall on either side).
//
// "Off" is accesslog.Off: the hooks return at once. The exporter still
// gathers the contact ids on both sides (an append per row). The load
// average is printed before and after each part.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
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
	accessViews    = flag.Int("accesslog-views", 500, "part 17: measured record views per round")
	accessRounds   = flag.Int("accesslog-rounds", 6, "part 17: record view rounds per side (interleaved)")
	accessExports  = flag.Int("accesslog-exports", 3, "part 17: export rounds per side (interleaved)")
	accessProfile  = flag.String("accesslog-cpuprofile", "", "part 17: write a CPU profile of the measured rounds to this file")
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

	if *accessProfile != "" {
		f, err := os.Create(*accessProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	// Record views: rounds alternate on, off, off, on, ...
	fmt.Printf("[accesslog] record views: load average %s\n", loadAverage())
	type round struct{ p50, p99 time.Duration }
	viewRounds := map[bool][]round{}
	next := 0
	views := func(on bool, count int) ([]time.Duration, error) {
		accesslog.Off(app, !on)
		var lat []time.Duration
		for i := 0; i < count; i++ {
			id := ids[next%len(ids)]
			next++
			t := time.Now()
			if _, err := get("/api/collections/contacts/records/" + id); err != nil {
				return nil, err
			}
			lat = append(lat, time.Since(t))
		}
		return lat, nil
	}
	for r := 0; r < 2**accessRounds; r++ {
		on := r%4 == 0 || r%4 == 3
		if _, err := views(on, 50); err != nil { // warm-up, unmeasured
			return err
		}
		lat, err := views(on, *accessViews)
		if err != nil {
			return err
		}
		viewRounds[on] = append(viewRounds[on], round{quantile(lat, .5), quantile(lat, .99)})
	}
	accesslog.Off(app, false)
	accesslog.Flush(app)
	fmt.Printf("[accesslog] record views done: load average %s\n", loadAverage())

	// Exports: rounds alternate the same way; the log's writer finishes
	// before the next round starts.
	fmt.Printf("[accesslog] exports: load average %s\n", loadAverage())
	exports := map[bool][]time.Duration{}
	var written []time.Duration
	var rows int64
	for r := 0; r < 2**accessExports; r++ {
		on := r%4 == 0 || r%4 == 3
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
			written = append(written, time.Since(t1))
		}
		fmt.Printf("[accesslog] export round %d, log %v: %s in %s\n", r+1, onOff(on), mb(size), took.Round(time.Millisecond))
		exports[on] = append(exports[on], took)
	}
	accesslog.Off(app, false)
	fmt.Printf("[accesslog] exports done: load average %s\n", loadAverage())
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + crm.ExportMembers).Row(&rows); err != nil {
		return err
	}

	med := func(rs []round, f func(round) time.Duration) time.Duration {
		var d []time.Duration
		for _, r := range rs {
			d = append(d, f(r))
		}
		return quantile(d, .5)
	}
	p50 := func(r round) time.Duration { return r.p50 }
	p99 := func(r round) time.Duration { return r.p99 }
	fmt.Printf("\nAccess log, %d contacts, in process (PocketBase's router on httptest), one client, interleaved rounds\n", n)
	for _, on := range []bool{true, false} {
		var each []string
		for _, r := range viewRounds[on] {
			each = append(each, r.p50.Round(time.Microsecond).String())
		}
		fmt.Printf("record view  log %s: median of %d rounds' p50 %s, p99 %s (%d views a round; p50 each round: %s)\n", onOff(on),
			len(viewRounds[on]), med(viewRounds[on], p50).Round(time.Microsecond), med(viewRounds[on], p99).Round(time.Microsecond),
			*accessViews, strings.Join(each, " "))
	}
	ratio := float64(med(viewRounds[true], p50)) / float64(med(viewRounds[false], p50))
	fmt.Printf("record view p50 on/off: %.3fx (goal within 1.1x: %s)\n", ratio, metOrNot(ratio <= 1.1))
	for _, on := range []bool{true, false} {
		var each []string
		for _, d := range exports[on] {
			each = append(each, d.Round(time.Millisecond).String())
		}
		fmt.Printf("export of %d contacts, log %s: median %s (rounds: %s)\n", n, onOff(on), quantile(exports[on], .5).Round(time.Millisecond), strings.Join(each, " "))
	}
	eratio := float64(quantile(exports[true], .5)) / float64(quantile(exports[false], .5))
	fmt.Printf("export on/off: %.3fx (goal within 1.1x: %s); the writer wrote each export's row and members %s after the answer (median; %d member rows in all)\n",
		eratio, metOrNot(eratio <= 1.1), quantile(written, .5).Round(time.Millisecond), rows)
	return nil
}

// quantile is the q-quantile of d (nearest rank below).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))]
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
