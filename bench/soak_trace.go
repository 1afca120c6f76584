package main

// Part 11's trace (-soak-trace DIR, off by default): what the server's
// memory is made of, every 10 s of the soak, to find what grows. The server
// is started with VINCULO_PPROF on a free loopback port (debugserver.go);
// each line of DIR/trace.tsv has the RSS split by /proc/<pid>/smaps into
// anonymous memory (Go's, and SQLite's through modernc's C library, which
// maps its own pages) and file-backed pages (the binary), beside Go's own
// figures (runtime/metrics: what Go maps less what it gave back is Go's
// share), SQLite's own count of its memory, each database pool's open
// connections and what its idle ones hold, the page arena's use (pages in
// it and outside it), the realtime clients and data.db's size. The server
// keeps Go's heap profile only while VINCULO_PPROF is set (debugserver.go),
// so a traced server also keeps the profile's records, which grow: see the
// go_profiling_buckets_kb column. Heap profiles are saved at the warm-up's end
// and at the end (compare: go tool pprof -base DIR/heap-warm.pb.gz DIR/heap-end.pb.gz).

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

var soakTraceDir = flag.String("soak-trace", "", "part 11: a directory for a trace of the server's memory every 10 s and heap profiles (starts the server with VINCULO_PPROF); empty: off")

type soakTracer struct {
	dir, addr, dataDB string
	s                 *server
	out               *os.File
	start             time.Time
	header            bool
	rows              []map[string]int64
}

// soakTraceEnv picks the debug address and sets it for the server about to
// start; the returned func undoes it.
func soakTraceEnv() (addr string, undo func(), err error) {
	if *soakTraceDir == "" {
		return "", func() {}, nil
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	old, had := os.LookupEnv("VINCULO_PPROF")
	os.Setenv("VINCULO_PPROF", addr)
	return addr, func() {
		if had {
			os.Setenv("VINCULO_PPROF", old)
		} else {
			os.Unsetenv("VINCULO_PPROF")
		}
	}, nil
}

func newSoakTracer(addr string, s *server, dataDB string) (*soakTracer, error) {
	if addr == "" {
		return nil, nil
	}
	if err := os.MkdirAll(*soakTraceDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(*soakTraceDir, "trace.tsv"))
	if err != nil {
		return nil, err
	}
	return &soakTracer{dir: *soakTraceDir, addr: addr, s: s, out: f, start: time.Now(), dataDB: dataDB}, nil
}

// run writes a line now and every 10 s, the warm-up heap profile at warm,
// and the last line and profile when ctx ends.
func (t *soakTracer) run(ctx context.Context, warm time.Duration) {
	if t == nil {
		return
	}
	defer t.out.Close()
	t.line()
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	warmDone := false
	for {
		select {
		case <-ctx.Done():
			t.line()
			t.heap("heap-end.pb.gz")
			return
		case <-tick.C:
		}
		t.line()
		if !warmDone && time.Since(t.start) >= warm {
			warmDone = true
			t.heap("heap-warm.pb.gz")
		}
	}
}

func (t *soakTracer) line() {
	cols := map[string]int64{"t_s": int64(time.Since(t.start).Seconds()), "rss_kb": kbOf(procStatus(t.s, "VmRSS")), "data_db_kb": fileSize(t.dataDB) / 1024}
	for k, v := range smapsSplit(t.s.cmd.Process.Pid) {
		cols[k] = v
	}
	var fig struct {
		Go    map[string]uint64 `json:"go"`
		Pools map[string]struct {
			Open, InUse, Idle int
			MaxLifetimeClosed int64
			IdleMemory        struct {
				Conns                int64
				Cache, Schema, Stmts int64
			}
		} `json:"pools"`
		Realtime int              `json:"realtime_clients"`
		Heap     map[string]int64 `json:"sqlite_heap"`
		Alloc    map[string]int64 `json:"allocator"`
		Arena    struct {
			Slots, SlotSize, Used, Overflow int64
		} `json:"page_arena"`
	}
	if err := getJSON(&http.Client{Timeout: 5 * time.Second}, "http://"+t.addr+"/debug/vinculo", "", &fig); err == nil {
		for k, v := range fig.Go {
			name := strings.NewReplacer("/memory/classes/", "go_", "/gc/", "gc_", "/sched/", "", "/", "_").Replace(k)
			name = name[:strings.IndexByte(name, ':')]
			if strings.HasSuffix(k, ":bytes") {
				cols[name+"_kb"] = int64(v / 1024)
			} else {
				cols[name] = int64(v)
			}
		}
		for name, p := range fig.Pools {
			key := strings.ReplaceAll(name, " ", "_")
			cols["db_"+key+"_open"] = int64(p.Open)
			cols["db_"+key+"_lifetime_closed"] = p.MaxLifetimeClosed
			cols["db_"+key+"_idle_conns"] = p.IdleMemory.Conns
			cols["db_"+key+"_idle_cache_kb"] = p.IdleMemory.Cache / 1024
			cols["db_"+key+"_idle_schema_kb"] = p.IdleMemory.Schema / 1024
			cols["db_"+key+"_idle_stmts_kb"] = p.IdleMemory.Stmts / 1024
		}
		cols["realtime_clients"] = int64(fig.Realtime)
		cols["sqlite_heap_used_kb"] = fig.Heap["used"] / 1024
		cols["sqlite_heap_highest_kb"] = fig.Heap["highest"] / 1024
		cols["libc_mapped_kb"] = fig.Alloc["bytes"] / 1024
		cols["libc_allocs"] = fig.Alloc["allocs"]
		cols["arena_kb"] = fig.Arena.Slots * fig.Arena.SlotSize / 1024
		cols["arena_used_kb"] = fig.Arena.Used * fig.Arena.SlotSize / 1024
		cols["arena_overflow_kb"] = fig.Arena.Overflow / 1024
	}
	t.rows = append(t.rows, cols)
	keys := make([]string, 0, len(cols))
	for k := range cols {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !t.header {
		t.header = true
		fmt.Fprintln(t.out, strings.Join(keys, "\t"))
	}
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = strconv.FormatInt(cols[k], 10)
	}
	fmt.Fprintln(t.out, strings.Join(vals, "\t"))
}

func (t *soakTracer) heap(name string) {
	res, err := http.Get("http://" + t.addr + "/debug/pprof/heap?gc=1")
	if err != nil {
		return
	}
	defer res.Body.Close()
	if f, err := os.Create(filepath.Join(t.dir, name)); err == nil {
		_, _ = io.Copy(f, res.Body)
		f.Close()
	}
}

// smapsSplit sums the resident kB of a process's mappings by kind:
// anonymous (Go's heap and SQLite's pages alike: take Go's own figures away
// to see SQLite's) and file-backed (the binary).
func smapsSplit(pid int) map[string]int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]int64{"smaps_anon_kb": 0, "smaps_file_kb": 0, "smaps_anon_maps": 0}
	kind := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			if len(fields) >= 6 && strings.HasPrefix(fields[5], "/") {
				kind = "smaps_file_kb"
			} else {
				kind = "smaps_anon_kb"
				out["smaps_anon_maps"]++
			}
			continue
		}
		if len(fields) >= 2 && fields[0] == "Rss:" {
			n, _ := strconv.ParseInt(fields[1], 10, 64)
			out[kind] += n
		}
	}
	return out
}

// summary prints what the memory was made of at the warm-up's end and at
// the end, and where the trace is.
func (t *soakTracer) summary(warm time.Duration) {
	if t == nil || len(t.rows) == 0 {
		return
	}
	at := t.rows[len(t.rows)-1]
	for _, r := range t.rows {
		if r["t_s"] >= int64(warm.Seconds()) {
			at = r
			break
		}
	}
	fmt.Printf("  what the memory is made of (the trace, every 10 s: %s):\n", filepath.Join(t.dir, "trace.tsv"))
	fmt.Printf("    %-12s %8s %8s %9s %12s %11s %11s %9s\n", "", "RSS", "Go's", "not Go's", "SQLite heap", "page arena", "data conns", "data.db")
	for _, row := range []struct {
		name string
		r    map[string]int64
	}{{"warm-up end", at}, {"end", t.rows[len(t.rows)-1]}} {
		r := row.r
		goRes := r["go_total_kb"] - r["go_heap_released_kb"]
		fmt.Printf("    %-12s %5d MB %5d MB %6d MB %9d MB %5d/%2d MB %11d %6d MB\n", row.name, r["rss_kb"]>>10, goRes>>10,
			(r["smaps_anon_kb"]-goRes)>>10, r["sqlite_heap_used_kb"]>>10, r["arena_used_kb"]>>10, r["arena_kb"]>>10,
			r["db_data_readers_open"]+r["db_data_writer_open"], r["data_db_kb"]>>10)
	}
}
