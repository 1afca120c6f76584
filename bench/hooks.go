package main

// Part 5 (-parts 5, or hooks): JavaScript hooks against the same logic in Go
// (issue 7), in this process, on a fresh PocketBase app in the run's temp dir:
//
//   - the latency of a record create (app.Save of a new record, the whole
//     hook chain and the SQLite write) on three collections with the same
//     fields: "no hook"; "Go hook", an OnRecordCreate handler in Go; "JS hook",
//     the same handler in a hook file loaded by Vinculo's loader
//     (plugins/hooksapi) with a pool of -hook-pool runtimes. The handler
//     slugifies the title, reads one settings record and sets a score from
//     it: string work and one indexed read, like a typical automation. The
//     Go and JS results are checked equal before measuring.
//   - the same JS hook with no pool (a runtime built for every call), the
//     price of a pool too small for the peak;
//   - the memory of one pooled runtime: the heap after Register with a pool
//     of -hook-runtimes runtimes, all built (hooksapi.Fill: a pool builds
//     its runtimes as calls overlap), less the heap after Register with
//     none, divided by their number (after GC), and the time to build one.
//
// At concurrency 1 and 10 (goroutines calling app.Save; SQLite takes one
// writer at a time), -hook-creates measured creates per line, split over
// -hook-rounds rounds; each round measures every side once, in alternating
// order, each block after -hook-warmup unmeasured creates of its side, so
// the machine's noise falls on all sides alike. Issue 21's goal 5 (JS hook
// p50 ≤ 1.5x the Go hook's, at c=1 and c=10) is recorded from the pooled
// p50s; the ratio of each round's p50s is printed beside it, to show the
// noise. -hook-profile writes a CPU profile of every measured block.
// It asserts nothing.

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/hooksapi"
)

var (
	hookCreates  = flag.Int("hook-creates", 4000, "part 5: measured creates per line, split over -hook-rounds rounds")
	hookRounds   = flag.Int("hook-rounds", 10, "part 5: rounds per concurrency; each measures every side once, in alternating order")
	hookWarmup   = flag.Int("hook-warmup", 20, "part 5: unmeasured creates of a side before each of its rounds")
	hookPool     = flag.Int("hook-pool", 16, "part 5: pooled JavaScript runtimes of the JS side")
	hookRuntimes = flag.Int("hook-runtimes", 50, "part 5: pooled runtimes built to measure the memory of one")
	hookProfile  = flag.String("hook-profile", "", "part 5: write a CPU profile of each side's measured creates to <this>-<side>-c<N>-r<round>.pprof")
)

var hookConcurrencies = []int{1, 10}

type hookSide struct{ name, collection string }

var (
	sideNone = hookSide{"no hook", "bench_none"}
	sideGo   = hookSide{"Go hook", "bench_go"}
	sideJS   = hookSide{"JS hook", "bench_js"}
	sideJS0  = hookSide{"JS hook, no pool", "bench_js"}
)

const (
	hookSettingsID = "benchsettings01"
	hookTitle      = "Pedido número %d: entrega rápida para a Padaria Pão Dourado"
)

// The handler, in JavaScript and in Go.
const hookJS = `onRecordCreate((e) => {
  const title = e.record.getString("title")
  e.record.set("slug", title.toLowerCase().trim().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, ""))
  const settings = $app.findRecordById("bench_settings", "` + hookSettingsID + `")
  e.record.set("score", settings.getInt("base") + title.length)
  e.next()
}, "bench_js")
`

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func goHook(e *core.RecordEvent) error {
	title := e.Record.GetString("title")
	e.Record.Set("slug", strings.Trim(nonSlug.ReplaceAllString(strings.TrimSpace(strings.ToLower(title)), "-"), "-"))
	settings, err := e.App.FindRecordById("bench_settings", hookSettingsID)
	if err != nil {
		return err
	}
	e.Record.Set("score", settings.GetInt("base")+utf8.RuneCountInString(title))
	return e.Next()
}

type hookLine struct {
	side        hookSide
	concurrency int
	lat         []time.Duration
	wall        time.Duration
	errors      int
	firstErr    string
	roundP50    []time.Duration // the p50 of each round, in order
}

type hooksResult struct {
	lines      []hookLine
	perRuntime float64 // bytes of heap per pooled runtime
	buildOne   time.Duration
	runtimes   int
	pool       int
	check      string
}

// runHooksPart is part 5; root is the run's temp dir.
func runHooksPart(root string) error {
	fmt.Printf("part 5: JavaScript hooks against Go hooks ...\n")
	res, err := benchHooks(filepath.Join(root, "part5"))
	if err != nil {
		return fmt.Errorf("part 5: %w", err)
	}
	printHooks(res)
	return nil
}

// newHookApp is a bootstrapped app in dir with the bench collections, the
// Go hook, and Vinculo's hook loader with pool runtimes over hooksDir.
func newHookApp(dir, hooksDir string, pool int) (*measuredApp, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	if err := app.RunAllMigrations(); err != nil {
		return nil, err
	}
	for _, name := range []string{sideNone.collection, sideGo.collection, sideJS.collection} {
		c := core.NewBaseCollection(name)
		c.Fields.Add(&core.TextField{Name: "title", Required: true, Max: 200}, &core.TextField{Name: "slug", Max: 200},
			&core.NumberField{Name: "score"}, &core.AutodateField{Name: "created", OnCreate: true})
		if err := app.Save(c); err != nil {
			return nil, err
		}
	}
	settings := core.NewBaseCollection("bench_settings")
	settings.Fields.Add(&core.NumberField{Name: "base"})
	if err := app.Save(settings); err != nil {
		return nil, err
	}
	s := core.NewRecord(settings)
	s.Id = hookSettingsID
	s.Set("base", 40)
	if err := app.Save(s); err != nil {
		return nil, err
	}
	app.OnRecordCreate(sideGo.collection).BindFunc(goHook)

	hours, _ := crm.ParseWeekHours("mon-fri 09:00-18:00")
	cfg := &crm.Config{DataDir: dir, PublicURL: "http://127.0.0.1:8090", HooksDir: hooksDir, HooksPoolSize: pool,
		MigrationsDir: filepath.Join(dir, "no_js_migrations"), MailDir: filepath.Join(dir, "mail"),
		Business: crm.Business{Name: "Bench", Country: "BR", Language: "pt-BR", Timezone: "America/Sao_Paulo", Hours: hours}}
	before := heapNow()
	start := time.Now()
	if err := hooksapi.Register(app, cfg); err != nil {
		return nil, err
	}
	hooksapi.Fill(app) // the pool builds its runtimes as calls overlap: all of them now
	took := time.Since(start)
	after := heapNow()
	return &measuredApp{app: app, heap: after - min(after, before), register: took}, nil
}

func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func benchHooks(root string) (*hooksResult, error) {
	hooksDir := filepath.Join(root, "hooks")
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(hooksDir, "bench.pb.js"), []byte(hookJS), 0o644); err != nil {
		return nil, err
	}
	res := &hooksResult{runtimes: max(*hookRuntimes, 1), pool: *hookPool}

	// Memory: an app with no pooled runtime, then one with many.
	bare, err := newHookApp(filepath.Join(root, "nopool"), hooksDir, 0)
	if err != nil {
		return nil, err
	}
	many, err := newHookApp(filepath.Join(root, "many"), hooksDir, res.runtimes)
	if err != nil {
		return nil, err
	}
	res.perRuntime = (float64(many.heap) - float64(bare.heap)) / float64(res.runtimes)
	res.buildOne = (many.register - bare.register) / time.Duration(res.runtimes)
	many.app.ResetBootstrapState()
	many = nil

	main, err := newHookApp(filepath.Join(root, "main"), hooksDir, res.pool)
	if err != nil {
		return nil, err
	}
	app := main.app
	defer app.ResetBootstrapState()
	defer bare.app.ResetBootstrapState()

	// The same result either way.
	var got []string
	for _, side := range []hookSide{sideGo, sideJS} {
		r, err := createOne(app, side.collection, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", side.name, err)
		}
		got = append(got, fmt.Sprintf("slug %q, score %d", r.GetString("slug"), r.GetInt("score")))
	}
	if got[0] != got[1] {
		return nil, fmt.Errorf("the Go and JS hooks disagree: %s vs %s", got[0], got[1])
	}
	res.check = got[0]

	rounds := max(*hookRounds, 1)
	perRound := max(*hookCreates/rounds, 1)
	for _, c := range hookConcurrencies {
		lines := map[string]*hookLine{}
		order := []hookSide{sideNone, sideGo, sideJS}
		for round := range rounds {
			sides := slices.Clone(order)
			if round%2 == 1 {
				slices.Reverse(sides)
			}
			for _, side := range sides {
				runCreates(app, side, c, *hookWarmup, nil)
				l := lines[side.name]
				if l == nil {
					l = &hookLine{side: side, concurrency: c}
					lines[side.name] = l
				}
				from := len(l.lat)
				stop := startHookProfile(side, c, round)
				runCreates(app, side, c, perRound, l)
				stop()
				l.roundP50 = append(l.roundP50, (&sample{latencies: l.lat[from:]}).quantile(0.5))
			}
		}
		for _, side := range order {
			res.lines = append(res.lines, *lines[side.name])
		}
		// No pool: every call builds its runtime.
		l := &hookLine{side: sideJS0, concurrency: c}
		runCreates(bare.app, sideJS, c, *hookWarmup, nil)
		runCreates(bare.app, sideJS, c, max(*hookCreates/4, 1), l)
		res.lines = append(res.lines, *l)
	}
	return res, nil
}

// startHookProfile starts a CPU profile of one measured block when
// -hook-profile asks for it, and returns what stops it.
func startHookProfile(side hookSide, c, round int) func() {
	if *hookProfile == "" {
		return func() {}
	}
	name := fmt.Sprintf("%s-%s-c%d-r%d.pprof", *hookProfile, side.collection, c, round)
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: -hook-profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench: -hook-profile:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// measuredApp is an app and what its Register cost.
type measuredApp struct {
	app      *core.BaseApp
	heap     uint64 // heap growth of Register, after GC
	register time.Duration
}

func createOne(app core.App, collection string, i int) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set("title", fmt.Sprintf(hookTitle, i))
	return r, app.Save(r)
}

// runCreates creates n records of side with c goroutines; into l when not nil.
func runCreates(app core.App, side hookSide, c, n int, l *hookLine) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				_, err := createOne(app, side.collection, i)
				d := time.Since(t)
				if l == nil {
					continue
				}
				mu.Lock()
				if err != nil {
					l.errors++
					if l.firstErr == "" {
						l.firstErr = err.Error()
					}
				} else {
					l.lat = append(l.lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if l != nil {
		l.wall += time.Since(start)
	}
}

// roundRatios is the lowest, median and highest ratio of a's p50 to b's
// in the same round.
func roundRatios(a, b *hookLine) (lo, mid, hi float64) {
	var r []float64
	for i := range min(len(a.roundP50), len(b.roundP50)) {
		if b.roundP50[i] > 0 {
			r = append(r, float64(a.roundP50[i])/float64(b.roundP50[i]))
		}
	}
	if len(r) == 0 {
		return 0, 0, 0
	}
	slices.Sort(r)
	return r[0], r[len(r)/2], r[len(r)-1]
}

// asSample is the line's latencies and wall time as a sample of the load
// generator, for its quantiles, mean and rate.
func (l *hookLine) asSample() *sample { return &sample{latencies: l.lat, wall: l.wall} }

func (l *hookLine) quantile(q float64) time.Duration { return l.asSample().quantile(q) }

func (l *hookLine) mean() time.Duration { return l.asSample().mean() }

func (l *hookLine) perSecond() float64 { return l.asSample().perSecond() }

func msOf(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

func timesOf(a, b time.Duration) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

func printHooks(r *hooksResult) {
	fmt.Printf("\n5. JavaScript hooks against Go hooks: app.Save of a new record in this process (hook chain + SQLite write)\n")
	fmt.Printf("   The handler, on \"Go hook\" and \"JS hook\" alike: slugify the title, read one settings record by id, set a score.\n")
	fmt.Printf("   Checked equal before measuring: %s.\n", r.check)
	fmt.Printf("   JS hook: Vinculo's loader (plugins/hooksapi) with a pool of %d runtimes; \"no pool\": a runtime built for every call.\n", r.pool)
	fmt.Printf("   %d measured creates per line (\"no pool\": a quarter, after the rounds), in %d rounds: each round measures every side once, in alternating order,\n", *hookCreates, max(*hookRounds, 1))
	fmt.Printf("   %d warm-up creates of a side before each of its blocks, so the machine's noise falls on all sides alike.\n", *hookWarmup)
	fmt.Printf("   At c=10 the creates queue for SQLite's one writer: means and p99 there are mostly that queue (and WAL checkpoints).\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "   side\tc\tp50\tp99\tmean\tcreates/s\tok\terrors\t")
	for _, l := range r.lines {
		fmt.Fprintf(w, "   %s\t%d\t%s\t%s\t%s\t%.0f\t%d\t%d\t\n", l.side.name, l.concurrency,
			msOf(l.quantile(0.5)), msOf(l.quantile(0.99)), msOf(l.mean()), l.perSecond(), len(l.lat), l.errors)
	}
	w.Flush()
	for _, l := range r.lines {
		if l.firstErr != "" {
			fmt.Printf("   first error of %s at c=%d: %s\n", l.side.name, l.concurrency, l.firstErr)
		}
	}
	find := func(name string, c int) *hookLine {
		for i := range r.lines {
			if r.lines[i].side.name == name && r.lines[i].concurrency == c {
				return &r.lines[i]
			}
		}
		return nil
	}
	fmt.Println()
	for _, c := range hookConcurrencies {
		none, g, js, js0 := find(sideNone.name, c), find(sideGo.name, c), find(sideJS.name, c), find(sideJS0.name, c)
		if none == nil || g == nil || js == nil || js0 == nil {
			continue
		}
		ratio := float64(js.quantile(0.5)) / float64(g.quantile(0.5))
		lo, mid, hi := roundRatios(js, g)
		fmt.Printf("   c=%-2d JS hook / Go hook: p50 %s (round by round: median %.2fx, %.2fx to %.2fx), p99 %s, mean %s; the hook's own cost (p50 over no hook): Go %s, JS %s; no pool / pool: p50 %s\n",
			c, timesOf(js.quantile(0.5), g.quantile(0.5)), mid, lo, hi, timesOf(js.quantile(0.99), g.quantile(0.99)), timesOf(js.mean(), g.mean()),
			msOf(g.quantile(0.5)-none.quantile(0.5)), msOf(js.quantile(0.5)-none.quantile(0.5)), timesOf(js0.quantile(0.5), js.quantile(0.5)))
		recordGoal("5", fmt.Sprintf("JS hook p50 ≤ 1.5x Go hook (c=%d)", c),
			fmt.Sprintf("JS %s = %.2fx", msOf(js.quantile(0.5)), ratio), "Go hook "+msOf(g.quantile(0.5)),
			len(js.lat) > 0 && len(g.lat) > 0 && js.errors == 0 && ratio <= 1.5)
	}
	fmt.Printf("\n   Memory per pooled runtime: %.2f MB of heap (Register and Fill with %d runtimes against none, after GC); building one: %s.\n",
		r.perRuntime/(1<<20), r.runtimes, msOf(r.buildOne))
	fmt.Printf("   So the default pool (hooks.pool_size = 4 x %d cores, at least 8 = %d) holds about %.1f MB once calls have overlapped that much (one runtime at the start).\n",
		runtime.NumCPU(), max(8, 4*runtime.NumCPU()), r.perRuntime*float64(max(8, 4*runtime.NumCPU()))/(1<<20))
}
