// Command bench measures Vinculo against bare PocketBase and raw SQLite on
// this machine, in one run, and prints a table of figures (`make bench`):
//
//  1. the staff workspace's contact list through the HTTP API, at 100k and 1M
//     contacts: p50, p99 and req/s at concurrency 50, for Vinculo's contacts
//     collection and for a bare copy of it (same fields, indexes and rows,
//     public list rule, no hooks) served by the same process;
//  2. the demo generator's bulk path for contacts, in rows/s, against raw
//     SQLite inserts of the very same rows into the very same table DDL;
//  3. in one data dir of 1M demo contacts and 5M timeline entries (-big), whose
//     fill is timed: (a) the customer 360 page of a contact with 1,000
//     entries against its plain record view and one timeline page, (b) search
//     over a fixed mix of queries against an indexed record list;
//  4. in the same data dir, a record create on contacts (timeline hook,
//     search triggers, the other plugins) against the same create on a bare
//     copy, and with the search triggers dropped, to split the cost;
//  5. a record create with a JavaScript hook against the same logic as a Go
//     hook, and the memory of one pooled JavaScript runtime (hooks.go);
//  10. replication's cost on record creates and the replica's lag under a
//     steady write load (replication.go);
//  11. only when asked (-parts 11 -soak 30m): a soak of a mixed load with the
//     server's resident memory sampled (soak.go).
//
// It is a report, not a test: it asserts no timing. See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	bin         string
	sizes       []int
	requests    int
	concurrency int
	warmup      int
	runLimit    time.Duration
	raw         rawConfig
	parts       map[string]bool // "1", "2", "3a", "3b", "4"
	customField bool            // part 1: the vinculo side's contacts have a custom field

	// Parts 3 and 4: one data dir of big contacts with bigActivities each.
	big            int
	bigActivities  int
	bigRequests    int // per line of part 3a and the list of 3b
	bigWarmup      int
	searchRequests int // per query kind and concurrency in part 3b
	searchWarmup   int
	creates        int // per side and concurrency in part 4
	createWarmup   int
}

// has tells whether a part is to be measured.
func (o options) has(part string) bool { return o.parts[part] }

// parseParts reads -parts: numbers 1, 2, 3 (= 3a and 3b), 3a, 3b, 4, or the
// older names api (1) and inserts (2).
func parseParts(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "1", "api":
			out["1"] = true
		case "2", "inserts":
			out["2"] = true
		case "3":
			out["3a"], out["3b"] = true, true
		case "3a", "360":
			out["3a"] = true
		case "3b", "search":
			out["3b"] = true
		case "4", "creates":
			out["4"] = true
		case "5", "hooks":
			out["5"] = true
		case "6", "import":
			out["6"] = true
		case "7", "export":
			out["7"] = true
		case "8", "ui":
			out["8"] = true
		case "9", "portal":
			out["9"] = true
		case "10", "replication":
			out["10"] = true
		case "11", "soak":
			out["11"] = true
		case "12", "insights":
			out["12"] = true
		case "13", "inbound":
			out["13"] = true
		case "16", "predictions":
			out["16"] = true
		case "17", "accesslog":
			out["17"] = true
		case "18", "start":
			out["18"] = true
		case "":
		default:
			return nil, fmt.Errorf("unknown part %q: use 1, 2, 3, 3a, 3b, 4, 5, 6, 7, 8, 9, 10, 11", p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no part to measure")
	}
	return out, nil
}

func main() {
	var opts options
	var sizes string
	flag.StringVar(&opts.bin, "bin", "./vinculo", "the vinculo binary to benchmark (make bench builds it)")
	flag.StringVar(&sizes, "sizes", "100000,1000000", "contact counts, comma separated")
	flag.IntVar(&opts.requests, "requests", 2000, "measured requests per query and server (split in 2 alternating rounds)")
	flag.IntVar(&opts.concurrency, "concurrency", 50, "concurrent clients of the load generator")
	flag.IntVar(&opts.warmup, "warmup", 200, "unmeasured requests before each measured round")
	flag.DurationVar(&opts.runLimit, "round-limit", 60*time.Second, "time bound of one measured round (requests left are not sent)")
	flag.IntVar(&opts.raw.perStmt, "raw-rows-per-insert", 20, "rows per multi-row INSERT on the raw SQLite side")
	flag.StringVar(&opts.raw.verb, "raw-insert", "INSERT OR IGNORE", "the raw side's statement: INSERT or INSERT OR IGNORE")
	flag.BoolVar(&opts.customField, "custom-field", true, "part 1: add a custom field (a select) to contacts through /api/crm/fields before measuring the vinculo side")
	var parts string
	flag.StringVar(&parts, "parts", "1,2,3,4,5,6,7,8,9,10", "parts to measure, comma separated: 1 (contact list, = api), 2 (bulk inserts, = inserts), 3 (= 3a,3b: customer 360 and search), 4 (record create), 5 (JS vs Go hooks, = hooks), 6 (CSV import, = import), 7 (export, = export), 8 (first load of the contacts page, = ui), 9 (portal realtime fan-out, = portal), 10 (replication cost and lag, = replication), 11 (soak of a mixed load for -soak, = soak; only when asked), 12 (Insights boards against their SQL, = insights), 13 (inbound mail through Dovecot against raw IMAP reads, = inbound)")
	flag.IntVar(&opts.big, "big", 1000000, "parts 3 and 4: contacts in their one data dir")
	flag.IntVar(&opts.bigActivities, "big-activities-per-contact", 5, "parts 3 and 4: demo timeline entries per contact")
	flag.IntVar(&opts.bigRequests, "big-requests", 1000, "parts 3a and the list of 3b: measured requests per line (2 alternating rounds)")
	flag.IntVar(&opts.bigWarmup, "big-warmup", 50, "parts 3a and the list of 3b: unmeasured requests before each round")
	flag.IntVar(&opts.searchRequests, "search-requests", 100, "part 3b: measured searches per query kind and concurrency (the mix: 3x as many)")
	flag.IntVar(&opts.searchWarmup, "search-warmup", 5, "part 3b: unmeasured searches per query kind before each round")
	flag.IntVar(&opts.creates, "creates", 2000, "parts 4 and 10: measured creates per side and concurrency (2 alternating rounds)")
	flag.IntVar(&opts.createWarmup, "create-warmup", 50, "parts 4 and 10: unmeasured creates before each round")
	flag.Parse()
	var err error
	if opts.parts, err = parseParts(parts); err != nil {
		fmt.Fprintf(os.Stderr, "bench: -parts: %v\n", err)
		os.Exit(2)
	}
	if opts.big < 3 || opts.bigActivities < 0 {
		fmt.Fprintf(os.Stderr, "bench: -big must be 3 or more and -big-activities-per-contact 0 or more\n")
		os.Exit(2)
	}
	if v := strings.ToUpper(strings.TrimSpace(opts.raw.verb)); v == "INSERT" || v == "INSERT OR IGNORE" {
		opts.raw.verb = v
	} else {
		fmt.Fprintf(os.Stderr, "bench: -raw-insert must be INSERT or INSERT OR IGNORE, not %q\n", opts.raw.verb)
		os.Exit(2)
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: bad -sizes %q\n", sizes)
			os.Exit(2)
		}
		opts.sizes = append(opts.sizes, n)
	}
	os.Exit(run(opts))
}

// cleanup state: temp dir and running servers, also reached from a signal.
var (
	cleanupMu  sync.Mutex
	tempRoot   string
	running    = map[*server]bool{}
	cleanedUp  bool
	interrupts = make(chan os.Signal, 1)
)

func cleanup() {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	if cleanedUp {
		return
	}
	cleanedUp = true
	for s := range running {
		s.stopLocked()
	}
	if tempRoot != "" {
		if err := os.RemoveAll(tempRoot); err != nil {
			fmt.Fprintln(os.Stderr, "bench: removing", tempRoot+":", err)
		}
	}
}

func run(opts options) int {
	bin, err := filepath.Abs(opts.bin)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil && (opts.has("1") || opts.has("3a") || opts.has("3b") || opts.has("4")) {
		fmt.Fprintf(os.Stderr, "bench: %v (run `make bench`, which builds ./vinculo first)\n", err)
		return 1
	}
	opts.bin = bin

	root, err := os.MkdirTemp("", "vinculo-bench-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	cleanupMu.Lock()
	tempRoot = root
	cleanupMu.Unlock()
	defer cleanup()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-interrupts
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "\nbench: %v: stopping servers and removing %s\n", sig, root)
		cancel()
		cleanup()
		os.Exit(130)
	}()

	printMachine(opts)
	start := time.Now()
	if opts.has("1") || opts.has("3a") || opts.has("3b") || opts.has("4") {
		inputs, err := snapshotInputs(root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		fmt.Printf("JavaScript hooks and migrations as they were at the start, copied for every vinculo command of the run: %s\n\n", inputs)
	}

	if err := runParts(ctx, opts, root); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	printGoals()
	fmt.Printf("\nWhole run: %s. Load average at the end: %s\n", time.Since(start).Round(time.Second), loadAverage())
	return 0
}

// runParts measures the parts asked for, in order. Parts 1 to 4 print their
// tables together once all of them are measured; the others print their own.
func runParts(ctx context.Context, opts options, root string) error {
	if err := runParts1to4(ctx, opts, root); err != nil {
		return err
	}
	hooks := func(_ context.Context, _ options, root string) error { return runHooksPart(root) }
	for _, p := range []struct {
		part string
		run  func(context.Context, options, string) error
	}{{"5", hooks}, {"6", runImportPart}, {"7", runExportPart}, {"8", runUIPart}, {"9", runPortalPart}, {"10", runReplicationPart}, {"11", runSoakPart}, {"12", runInsightsPart}, {"13", runInboundPart}, {"16", runPredictionsPart}, {"17", runAccessLogPart}, {"18", runStartPart}} {
		if !opts.has(p.part) {
			continue
		}
		if err := p.run(ctx, opts, root); err != nil {
			return err
		}
	}
	return nil
}

// runParts1to4 measures parts 1 to 4 (those asked for), then prints them.
func runParts1to4(ctx context.Context, opts options, root string) error {
	var apiRows []apiRow
	var demoLines []demoLine
	if opts.has("1") {
		for _, n := range opts.sizes {
			rows, line, err := benchAPI(ctx, opts, root, n)
			if err != nil {
				return fmt.Errorf("API at %d contacts: %w", n, err)
			}
			apiRows = append(apiRows, rows...)
			demoLines = append(demoLines, line)
		}
	}
	var insertRows []insertRow
	if opts.has("2") {
		for i, n := range opts.sizes {
			row, err := benchInserts(opts, root, n, i == 0)
			if err != nil {
				return fmt.Errorf("inserts of %d rows: %w", n, err)
			}
			insertRows = append(insertRows, row)
		}
	}

	var big *bigData
	var r360, rSearch []latRow
	var searchInputs []string
	var creates *createResult
	if opts.has("3a") || opts.has("3b") || opts.has("4") {
		var err error
		if big, err = prepareBig(opts, root); err != nil {
			return fmt.Errorf("parts 3-4, filling the data dir: %w", err)
		}
		if r360, rSearch, searchInputs, creates, err = runBig(ctx, opts, big); err != nil {
			return err
		}
		os.RemoveAll(big.dir)
	}

	fmt.Println()
	if len(apiRows) > 0 {
		printAPI(opts, apiRows)
	}
	if len(insertRows) > 0 {
		printInserts(insertRows, demoLines)
	}
	if big != nil {
		printBig(opts, big)
	}
	if len(r360) > 0 {
		print360(opts, r360)
	}
	if len(rSearch) > 0 {
		printSearch(opts, rSearch, searchInputs)
	}
	if creates != nil {
		printCreates(opts, creates)
	}
	return nil
}

// loadAverage is the 1, 5 and 15 minute load average, where the OS tells it.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func printMachine(opts options) {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	pb := "?"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/pocketbase/pocketbase" {
				pb = d.Version
			}
		}
	}
	fmt.Printf("Vinculo benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("Machine: %d cores (runtime.NumCPU), GOMAXPROCS %d, %s/%s, %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, cpu)
	fmt.Printf("Go %s, PocketBase %s, binary %s\n", runtime.Version(), pb, opts.bin)
	fmt.Printf("Load average at start: %s (other work on the machine skews every figure; ratios less so)\n", loadAverage())
	fmt.Printf("Server, load generator and inserts share this machine; both sides of every ratio are measured in this run.\n\n")
}
