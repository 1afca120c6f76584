// Command bench measures Vinculo against bare PocketBase and raw SQLite on
// this machine, in one run, and prints a table of figures (`make bench`):
//
//  1. the staff workspace's contact list through the HTTP API, at 100k and 1M
//     contacts: p50, p99 and req/s at concurrency 50, for Vinculo's contacts
//     collection and for a bare copy of it (same fields, indexes and rows,
//     public list rule, no hooks) served by the same process;
//  2. the demo generator's bulk path for contacts, in rows/s, against raw
//     SQLite inserts of the very same rows into the very same table DDL.
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
	parts       string
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
	flag.StringVar(&opts.parts, "parts", "api,inserts", "what to measure: api, inserts or both")
	flag.Parse()
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
	if err != nil && strings.Contains(opts.parts, "api") {
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

	var apiRows []apiRow
	var demoLines []demoLine
	if strings.Contains(opts.parts, "api") {
		for _, n := range opts.sizes {
			rows, line, err := benchAPI(ctx, opts, root, n)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: API at %d contacts: %v\n", n, err)
				return 1
			}
			apiRows = append(apiRows, rows...)
			demoLines = append(demoLines, line)
		}
	}
	var insertRows []insertRow
	if strings.Contains(opts.parts, "inserts") {
		for i, n := range opts.sizes {
			row, err := benchInserts(opts, root, n, i == 0)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: inserts of %d rows: %v\n", n, err)
				return 1
			}
			insertRows = append(insertRows, row)
		}
	}

	fmt.Println()
	if len(apiRows) > 0 {
		printAPI(opts, apiRows)
	}
	if len(insertRows) > 0 {
		printInserts(insertRows, demoLines)
	}
	fmt.Printf("\nWhole run: %s. Load average at the end: %s\n", time.Since(start).Round(time.Second), loadAverage())
	return 0
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
