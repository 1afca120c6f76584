package main

// A debug-only window on the server's memory, off by default: with
// VINCULO_PPROF=127.0.0.1:6060 in its environment, `vinculo serve` also
// listens there (loopback only: it names no user and asks no password) for
// Go's profiles (/debug/pprof/, e.g. `go tool pprof http://127.0.0.1:6060/debug/pprof/heap`)
// and /debug/vinculo, one JSON object of what the soak (bench part 11)
// follows over time: Go's memory classes, goroutines, the open connections
// of each database pool and the realtime clients.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/metrics"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm/sqlitedb"
)

// debugAddrEnv names the variable that turns the debug listener on.
const debugAddrEnv = "VINCULO_PPROF"

// Go samples an allocation every 512 KB for its heap profile by default, and
// keeps a record for every distinct call stack it sampled for the life of
// the process: with SQLite's deep and varied stacks those records grew the
// server by about 0.2-0.3 MB a minute in a soak, for a profile nobody reads
// unless the debug listener is on. So the profile is kept only then.
func init() {
	if os.Getenv(debugAddrEnv) == "" {
		runtime.MemProfileRate = 0
	}
}

// debugServer starts the debug listener when the server starts, if
// VINCULO_PPROF asks for it; a non-loopback address is refused.
func debugServer(app core.App) {
	addr := os.Getenv(debugAddrEnv)
	if addr == "" {
		return
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := checkLoopback(addr); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: %w", debugAddrEnv, err)
		}
		srv := &http.Server{Handler: debugMux(app)}
		go func() { _ = srv.Serve(ln) }()
		app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
			_ = srv.Close()
			return te.Next()
		})
		app.Logger().Warn("debug listener on (" + debugAddrEnv + "): Go profiles and memory figures at http://" + ln.Addr().String() + "/debug/")
		return e.Next()
	})
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %w", debugAddrEnv, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errors.New(debugAddrEnv + ": only a loopback address (127.0.0.1:port), the profiles are not for the network")
	}
	return nil
}

func debugMux(app core.App) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/vinculo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(debugFigures(app))
	})
	return mux
}

// debugMetrics are the runtime/metrics the soak follows.
var debugMetrics = []string{
	"/memory/classes/total:bytes",         // all Go maps from the system
	"/memory/classes/heap/objects:bytes",  // live and not yet swept objects
	"/memory/classes/heap/free:bytes",     // free, not given back
	"/memory/classes/heap/released:bytes", // given back to the system
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/profiling/buckets:bytes", // the heap profile's, never given back
	"/memory/classes/other:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/live:bytes",
	"/gc/cycles/total:gc-cycles",
	"/sched/goroutines:goroutines",
}

type debugPool struct {
	Open, InUse, Idle                int
	WaitCount                        int64
	MaxIdleClosed, MaxLifetimeClosed int64
	MaxIdleTimeClosed                int64
	IdleMemory                       sqlitedb.PoolMemory // what the idle connections hold
}

func debugFigures(app core.App) map[string]any {
	samples := make([]metrics.Sample, len(debugMetrics))
	for i, name := range debugMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	goMem := map[string]uint64{}
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			goMem[s.Name] = s.Value.Uint64()
		}
	}
	pools := map[string]debugPool{}
	for name, b := range map[string]dbx.Builder{
		"data readers": app.ConcurrentDB(), "data writer": app.NonconcurrentDB(),
		"auxiliary readers": app.AuxConcurrentDB(), "auxiliary writer": app.AuxNonconcurrentDB(),
	} {
		if db, ok := b.(*dbx.DB); ok {
			st := db.DB().Stats()
			pools[name] = debugPool{st.OpenConnections, st.InUse, st.Idle, st.WaitCount, st.MaxIdleClosed, st.MaxLifetimeClosed, st.MaxIdleTimeClosed, sqlitedb.MeasurePool(db.DB())}
		}
	}
	used, highest := sqlitedb.HeapUsed()
	return map[string]any{"go": goMem, "pools": pools, "realtime_clients": app.SubscriptionsBroker().TotalClients(),
		"sqlite_heap": map[string]int64{"used": used, "highest": highest}, "allocator": debugAllocator(),
		"page_arena": sqlitedb.PageArenaUsed(), "kept_statements": sqlitedb.StmtCache()}
}

// debugAllocator: what modernc's C library mapped (a build with -tags
// memory.counters; zeros otherwise).
func debugAllocator() map[string]int {
	bytes, mmaps, allocs := sqlitedb.Allocator()
	return map[string]int{"bytes": bytes, "mmaps": mmaps, "allocs": allocs}
}
