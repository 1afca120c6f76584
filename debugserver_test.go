package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"vinculo/testkit"
)

// The debug listener takes only a loopback address.
func TestDebugListenerOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "192.168.1.10:6060": false, "example.com:6060": false, "6060": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want accepted %v", addr, err, ok)
		}
	}
}

// /debug/vinculo answers the figures the soak follows, and the profiles
// are there.
func TestDebugFigures(t *testing.T) {
	app := testkit.NewApp(t)
	srv := httptest.NewServer(debugMux(app))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/debug/vinculo")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var fig struct {
		Go    map[string]uint64 `json:"go"`
		Pools map[string]struct {
			Open       int
			IdleMemory struct{ Conns, Schema int64 }
		} `json:"pools"`
		Heap  map[string]int64                        `json:"sqlite_heap"`
		Arena struct{ Slots, SlotSize, Used int64 }   `json:"page_arena"`
		Kept  struct{ Hits, Prepared, Evicted int64 } `json:"kept_statements"`
	}
	if err := json.NewDecoder(res.Body).Decode(&fig); err != nil {
		t.Fatal(err)
	}
	if fig.Go["/memory/classes/total:bytes"] == 0 || fig.Go["/sched/goroutines:goroutines"] == 0 {
		t.Errorf("Go's figures missing: %v", fig.Go)
	}
	for _, name := range []string{"data readers", "data writer", "auxiliary readers", "auxiliary writer"} {
		if p, ok := fig.Pools[name]; !ok || p.Open < 1 {
			t.Errorf("pool %q: %+v (present %v), want at least one open connection", name, p, ok)
		}
	}
	if p := fig.Pools["data readers"]; p.IdleMemory.Conns < 1 || p.IdleMemory.Schema <= 0 {
		t.Errorf("data readers' idle memory: %+v, want a connection holding its schema", p.IdleMemory)
	}
	if fig.Heap["used"] <= 0 {
		t.Errorf("SQLite's heap: %v, want its count", fig.Heap)
	}
	if a := fig.Arena; a.Slots <= 0 || a.SlotSize < 4096 || a.Used <= 0 || a.Used > a.Slots {
		t.Errorf("page arena: %+v, want its slots and the pages in them", a)
	}
	if fig.Kept.Prepared <= 0 {
		t.Errorf("kept statements: %+v, want those the app's start ran again", fig.Kept)
	}
	prof, err := http.Get(srv.URL + "/debug/pprof/heap")
	if err != nil {
		t.Fatal(err)
	}
	prof.Body.Close()
	if prof.StatusCode != http.StatusOK {
		t.Errorf("/debug/pprof/heap: HTTP %d", prof.StatusCode)
	}
}

// VINCULO_PPROF is not a configuration key, and the configuration does not
// refuse it as an unknown variable (it refuses the others).
func TestDebugVariableIsNotAnUnknownKey(t *testing.T) {
	if _, err := configEnviron([]string{debugAddrEnv + "=127.0.0.1:6060"}); err != nil {
		t.Errorf("configEnviron with %s: %v", debugAddrEnv, err)
	}
	if _, err := configEnviron([]string{"VINCULO_PPROF_ADDR=127.0.0.1:6060"}); err == nil {
		t.Error("configEnviron with VINCULO_PPROF_ADDR: no error, want an unknown variable")
	}
}
