package main

// Part 10 (-parts 10, or replication): what continuous replication costs a
// write, and how far the replica trails.
//
//   - Cost: two `vinculo serve` on copies of one demo data dir, started the
//     same way, one with VINCULO_REPLICATION_URL=file:///<temp>/replica (the
//     embedded Litestream ships data.db and auxiliary.db every
//     replication.sync_seconds, 1 by default) and one without; contact
//     creates through the record API at concurrency 1 and 10, -creates
//     measured per side and level in -replication-rounds rounds of
//     alternating order.
//   - Lag: the replicated server alone under a steady write load
//     (-lag-rate creates/s for -lag-duration). Each create carries a marker
//     in its email; the run watches the replica's level-0 LTX files (a file
//     appears whole: Litestream writes it aside and renames it), decodes
//     each new one and notes when each marker first shows in its pages: the
//     lag of a write is the time from its acknowledgement to that moment.
//     Beside it, GET /api/crm/replication as the demo manager every 100 ms:
//     the lag managers are shown.
//
// It asserts nothing.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/superfly/ltx"
)

var (
	replContacts = flag.Int("replication-contacts", 10000, "part 10: demo contacts in the data dir both servers start from")
	lagRate      = flag.Int("lag-rate", 50, "part 10: creates per second of the steady write load under which the replica's lag is measured")
	lagDuration  = flag.Duration("lag-duration", 60*time.Second, "part 10: how long the steady write load lasts")
	replRounds   = flag.Int("replication-rounds", 8, "part 10: rounds of alternating order the -creates of each side and concurrency are split into")
)

const (
	managerEmail   = "marina@vinculo.example" // the demo's staff manager
	replicationEnv = "VINCULO_REPLICATION_URL"
	lagMarker      = "lagmark-"
)

// envMu: a child takes this process's environment when it starts; serveWith
// changes it only around one start.
var envMu sync.Mutex

// serveWith starts `vinculo serve` as serve does, with the replica URL in its
// environment ("" for none, whatever this process's environment says).
func serveWith(ctx context.Context, bin, dir, replicaURL string) (*server, error) {
	envMu.Lock()
	defer envMu.Unlock()
	old, had := os.LookupEnv(replicationEnv)
	defer func() {
		if had {
			os.Setenv(replicationEnv, old)
		} else {
			os.Unsetenv(replicationEnv)
		}
	}()
	if replicaURL == "" {
		os.Unsetenv(replicationEnv)
	} else {
		os.Setenv(replicationEnv, replicaURL)
	}
	return serve(ctx, bin, dir)
}

// replSide is one of the two servers of part 10.
type replSide struct {
	name    string
	s       *server
	token   string
	agentID string
	lines   map[int]*sample   // by concurrency
	rounds  map[int][]float64 // creates/s of each round, by concurrency
}

func runReplicationPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 10"); err != nil {
		return err
	}
	dir := filepath.Join(root, "replication")
	defer os.RemoveAll(dir)
	base := filepath.Join(dir, "demo")
	if err := demoData(opts.bin, base, "[replication]", *replContacts); err != nil {
		return err
	}
	replica := filepath.Join(dir, "replica")
	sides := []*replSide{{name: "no replication"}, {name: "replicated (file://)"}}
	urls := []string{"", "file://" + replica}
	for i, side := range sides {
		data := filepath.Join(dir, fmt.Sprintf("data%d", i))
		if err := os.CopyFS(data, os.DirFS(base)); err != nil {
			return fmt.Errorf("part 10: copying the demo data dir: %w", err)
		}
		s, err := serveWith(ctx, opts.bin, data, urls[i])
		if err != nil {
			return err
		}
		defer s.stop()
		side.s = s
	}
	os.RemoveAll(base)
	client := newClient(16)
	for _, side := range sides {
		var err error
		if side.token, side.agentID, err = signIn(client, side.s.url, "staff", agentEmail, agentPassword); err != nil {
			return err
		}
	}
	managerToken, _, err := signIn(client, sides[1].s.url, "staff", managerEmail, agentPassword)
	if err != nil {
		return err
	}
	st, err := waitReplicaSynced(ctx, client, sides[1].s.url, managerToken)
	if err != nil {
		return fmt.Errorf("part 10: %w", err)
	}
	fmt.Printf("[replication] replica %s running; first sync done (%s)\n", st.Replica, describeStatus(st))

	if err := measureReplicationCost(ctx, opts, client, sides); err != nil {
		return err
	}
	sides[0].s.stop() // the lag is measured on the replicated server alone
	lag, err := measureLag(ctx, client, sides[1], managerToken, replica)
	if err != nil {
		return fmt.Errorf("part 10, lag: %w", err)
	}
	printReplication(opts, sides, lag)
	for _, side := range sides {
		if lines := logErrors(side.s, 12); len(lines) > 0 {
			fmt.Printf("  %s: the server's last error lines:\n    %s\n", side.name, strings.Join(lines, "\n    "))
		}
	}
	return nil
}

// logErrors is the last n lines of what the server printed that speak of an
// error (Litestream's warnings and errors go to its standard error).
func logErrors(s *server, n int) []string {
	var out []string
	for _, line := range strings.Split(s.output(), "\n") {
		l := strings.ToLower(line)
		if strings.Contains(l, "error") || strings.Contains(l, "warn") || strings.Contains(l, "busy") || strings.Contains(l, "locked") {
			out = append(out, clipBytes(strings.TrimSpace(line), 300))
		}
	}
	return out[max(0, len(out)-n):]
}

// clipBytes cuts s to max bytes.
func clipBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// replStatus is GET /api/crm/replication (plugins/replication Status).
type replStatus struct {
	Enabled   bool   `json:"enabled"`
	Replica   string `json:"replica"`
	Running   bool   `json:"running"`
	Error     string `json:"error"`
	LastError string `json:"last_error"`
	Databases []struct {
		Name        string     `json:"name"`
		LastSync    *time.Time `json:"last_sync"`
		LagSeconds  float64    `json:"lag_seconds"`
		LocalTXID   uint64     `json:"local_txid"`
		ReplicaTXID uint64     `json:"replica_txid"`
	} `json:"databases"`
}

func describeStatus(st replStatus) string {
	var parts []string
	for _, d := range st.Databases {
		parts = append(parts, fmt.Sprintf("%s: local txid %d, replica txid %d, lag %.1f s", d.Name, d.LocalTXID, d.ReplicaTXID, d.LagSeconds))
	}
	return strings.Join(parts, "; ")
}

// waitReplicaSynced waits (60 s at most) until replication runs and every
// database has reached the replica once.
func waitReplicaSynced(ctx context.Context, client *http.Client, base, token string) (replStatus, error) {
	deadline := time.Now().Add(60 * time.Second)
	var st replStatus
	for {
		st = replStatus{}
		err := getJSON(client, base+"/api/crm/replication", token, &st)
		if err != nil {
			return st, err
		}
		synced := st.Enabled && st.Running && len(st.Databases) > 0
		for _, d := range st.Databases {
			synced = synced && d.LastSync != nil && d.ReplicaTXID > 0
		}
		if synced {
			return st, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return st, fmt.Errorf("replication not synced after 60 s: enabled %v, running %v, error %q, last error %q, %s",
				st.Enabled, st.Running, st.Error, st.LastError, describeStatus(st))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// replCreates numbers every create of part 10: each has its own email.
var replCreates atomic.Int64

// contactBody is one contact to create; its email carries the marker n.
func contactBody(agentID string, n int64) []byte {
	body, _ := json.Marshal(map[string]any{
		"name": fmt.Sprintf("Contato Réplica %d", n), "email": fmt.Sprintf("%s%09d@bench.example", lagMarker, n),
		"mobile": "+5511987654321", "job_title": "Gerente de compras", "owner": agentID, "stage": "lead",
		"tags": []string{"b2b"}, "source": "site", "preferred_channel": "email",
		"timezone": "America/Sao_Paulo", "language": "pt-BR",
	})
	return body
}

// postContacts creates total contacts on side at concurrency c.
func postContacts(ctx context.Context, opts options, client *http.Client, side *replSide, total, c int) sample {
	u := side.s.url + "/api/collections/contacts/records"
	return loadFunc(ctx, client, func(context.Context, int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(contactBody(side.agentID, replCreates.Add(1))))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, side.token, http.StatusOK, total, c, opts.runLimit)
}

// measureReplicationCost runs the creates at concurrency 1 and 10 on both
// sides in -replication-rounds rounds, the order alternating (round one
// without replication first, round two the reverse, ...): on a machine
// whose speed drifts, each pair of rounds sees the drift on both sides.
func measureReplicationCost(ctx context.Context, opts options, client *http.Client, sides []*replSide) error {
	rounds := max(2, *replRounds)
	per := max(1, opts.creates/rounds)
	for _, side := range sides {
		side.lines = map[int]*sample{}
		side.rounds = map[int][]float64{}
	}
	for _, c := range bigConcurrencies {
		for r := range rounds {
			order := []int{0, 1}
			if r%2 == 1 {
				order = []int{1, 0}
			}
			for _, i := range order {
				side := sides[i]
				postContacts(ctx, opts, client, side, opts.createWarmup, c)
				got := postContacts(ctx, opts, client, side, per, c)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if side.lines[c] == nil {
					side.lines[c] = &sample{}
				}
				side.lines[c].add(got)
				side.rounds[c] = append(side.rounds[c], got.perSecond())
			}
		}
		for _, side := range sides {
			l := side.lines[c]
			fmt.Printf("    %-22s c=%-2d p50 %s, p99 %s, %.0f creates/s, %d errors\n", side.name, c, ms(l.quantile(0.5)), ms(l.quantile(0.99)), l.perSecond(), l.errors)
		}
	}
	return nil
}

// roundCosts is what replication cost in each round (1 - replicated/plain
// creates/s of the same round), in percent, sorted.
func roundCosts(plain, repl []float64) []float64 {
	var out []float64
	for i := range min(len(plain), len(repl)) {
		if plain[i] > 0 {
			out = append(out, 100*(1-repl[i]/plain[i]))
		}
	}
	sort.Float64s(out)
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// lagResult is the steady write load of part 10 and what the replica showed.
type lagResult struct {
	rate       int
	duration   time.Duration
	sent       int
	acked      int
	errors     int
	firstErr   string
	skipped    int           // ticks with every sender busy
	lag        sample        // acknowledgement -> marker in a replica file
	early      int           // markers on the replica before their answer arrived
	missing    int           // acknowledged writes never seen on the replica
	files      int           // level-0 files decoded
	status     []float64     // data.db lag_seconds as the status route said, every 100 ms
	statusAux  []float64     // the same for auxiliary.db
	statusErrs int           // failed status requests
	drain      time.Duration // time after the load until every write was seen (or the bound)
}

// measureLag sends -lag-rate creates a second for -lag-duration to the
// replicated server while it watches the replica's files and samples the
// status route.
func measureLag(ctx context.Context, client *http.Client, side *replSide, managerToken, replica string) (*lagResult, error) {
	res := &lagResult{rate: max(1, *lagRate), duration: *lagDuration}
	fmt.Printf("[replication] steady load: %d creates/s for %s, the replica watched every 20 ms ...\n", res.rate, res.duration)
	watcher := newReplicaWatcher(filepath.Join(replica, "data.db", "ltx", "0"))
	if err := watcher.scan(); err != nil { // files that exist already: nothing to time
		return nil, err
	}
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go watcher.run(wctx)
	var statusWG sync.WaitGroup
	statusWG.Add(1)
	go func() {
		defer statusWG.Done()
		sampleStatus(wctx, client, side.s.url, managerToken, res)
	}()

	acks := steadyCreates(ctx, client, side, res)
	start := time.Now()
	for ctx.Err() == nil && time.Since(start) < 30*time.Second && !watcher.sawAll(acks) {
		time.Sleep(50 * time.Millisecond)
	}
	res.drain = time.Since(start)
	stopWatch()
	statusWG.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	seen, files := watcher.results()
	res.files = files
	for n, at := range acks {
		t, ok := seen[n]
		switch {
		case !ok:
			res.missing++
		case t.Before(at):
			res.early++
			res.lag.latencies = append(res.lag.latencies, 0)
		default:
			res.lag.latencies = append(res.lag.latencies, t.Sub(at))
		}
	}
	return res, nil
}

// steadyCreates sends res.rate creates a second for res.duration, each in
// its own request (at most 4 s of them in flight), and returns the
// acknowledgement time of each by marker.
func steadyCreates(ctx context.Context, client *http.Client, side *replSide, res *lagResult) map[int64]time.Time {
	acks := map[int64]time.Time{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, 4*res.rate)
	tick := time.NewTicker(time.Second / time.Duration(res.rate))
	defer tick.Stop()
	end := time.After(res.duration)
	u := side.s.url + "/api/collections/contacts/records"
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		case <-tick.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			res.skipped++
			continue
		}
		n := replCreates.Add(1)
		res.sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			_, err := postOnce(client, u, side.token, contactBody(side.agentID, n))
			at := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == "" {
					res.firstErr = err.Error()
				}
				return
			}
			acks[n] = at
			res.acked++
		}()
	}
	wg.Wait()
	return acks
}

// sampleStatus asks the status route every 100 ms until ctx ends.
func sampleStatus(ctx context.Context, client *http.Client, base, token string, res *lagResult) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var st replStatus
		if err := getJSON(client, base+"/api/crm/replication", token, &st); err != nil {
			if ctx.Err() == nil {
				res.statusErrs++
			}
			continue
		}
		for _, d := range st.Databases {
			switch d.Name {
			case "data.db":
				res.status = append(res.status, d.LagSeconds)
			case "auxiliary.db":
				res.statusAux = append(res.statusAux, d.LagSeconds)
			}
		}
	}
}

// replicaWatcher notes when each create's marker first shows in a level-0
// LTX file of the replica.
type replicaWatcher struct {
	dir   string
	mu    sync.Mutex
	done  map[string]bool // files decoded (or there before the load)
	seen  map[int64]time.Time
	files int
	page  []byte
}

func newReplicaWatcher(dir string) *replicaWatcher {
	return &replicaWatcher{dir: dir, done: map[string]bool{}, seen: map[int64]time.Time{}}
}

// scan marks the files already there as done without reading them.
func (w *replicaWatcher) scan() error {
	entries, err := os.ReadDir(w.dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, e := range entries {
		w.done[e.Name()] = true
	}
	return nil
}

func (w *replicaWatcher) run(ctx context.Context) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		at := time.Now()
		entries, _ := os.ReadDir(w.dir)
		for _, e := range entries {
			name := e.Name()
			if w.done[name] || !strings.HasSuffix(name, ".ltx") {
				continue
			}
			found, err := w.markers(filepath.Join(w.dir, name))
			if err != nil {
				continue // removed by compaction meanwhile, or unreadable: tried again while it is listed
			}
			w.mu.Lock()
			w.done[name] = true
			w.files++
			for _, n := range found {
				if _, ok := w.seen[n]; !ok {
					w.seen[n] = at
				}
			}
			w.mu.Unlock()
		}
	}
}

// markers decodes one LTX file and returns the markers its pages hold.
func (w *replicaWatcher) markers(path string) ([]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := ltx.NewDecoder(f)
	if err := dec.DecodeHeader(); err != nil {
		return nil, err
	}
	if size := int(dec.Header().PageSize); len(w.page) != size {
		w.page = make([]byte, size)
	}
	var out []int64
	var hdr ltx.PageHeader
	for {
		if err := dec.DecodePage(&hdr, w.page); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		for rest := w.page; ; {
			i := bytes.Index(rest, []byte(lagMarker))
			if i < 0 {
				break
			}
			rest = rest[i+len(lagMarker):]
			if len(rest) >= 9 {
				if n, err := strconv.ParseInt(string(rest[:9]), 10, 64); err == nil {
					out = append(out, n)
				}
			}
		}
	}
}

func (w *replicaWatcher) sawAll(acks map[int64]time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for n := range acks {
		if _, ok := w.seen[n]; !ok {
			return false
		}
	}
	return true
}

func (w *replicaWatcher) results() (map[int64]time.Time, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen, w.files
}

// secondsSample makes lag_seconds values a sample, for its quantiles.
func secondsSample(v []float64) *sample {
	s := &sample{}
	for _, x := range v {
		s.latencies = append(s.latencies, time.Duration(x*float64(time.Second)))
	}
	return s
}

func printReplication(opts options, sides []*replSide, lag *lagResult) {
	fmt.Printf("\nReplication (part 10): contact creates through the record API (POST /api/collections/contacts/records, one new contact each) as the demo agent,\n")
	fmt.Printf("two servers on copies of one demo data dir (%d contacts), one replicating to a local folder (file://, sync every replication.sync_seconds = 1 s by default)\n", *replContacts)
	rounds := max(2, *replRounds)
	fmt.Printf("%d measured creates per line in %d rounds of alternating order (no replication first, then replicated first, ...), %d unmeasured before each round\n", max(1, opts.creates/rounds)*rounds, rounds, opts.createWarmup)
	fmt.Printf("  %-22s %3s %10s %10s %10s %7s\n", "side", "c", "p50", "p99", "creates/s", "errors")
	for _, c := range bigConcurrencies {
		for _, side := range sides {
			l := side.lines[c]
			cut := ""
			if l.cut {
				cut = " (time limit hit)"
			}
			fmt.Printf("  %-22s %3d %10s %10s %10.0f %7d%s\n", side.name, c, ms(l.quantile(0.5)), ms(l.quantile(0.99)), l.perSecond(), l.errors, cut)
		}
		plain, repl := sides[0].lines[c], sides[1].lines[c]
		r := repl.perSecond() / plain.perSecond()
		fmt.Printf("  c=%d: replicated/plain creates/s %s -> replication costs %.1f%% of creates/s (goal: under 10%%); p50 %s, p99 %s\n",
			c, ratio(repl.perSecond(), plain.perSecond()), 100*(1-r),
			ratio(float64(repl.quantile(0.5)), float64(plain.quantile(0.5))), ratio(float64(repl.quantile(0.99)), float64(plain.quantile(0.99))))
		costs := roundCosts(sides[0].rounds[c], sides[1].rounds[c])
		var each []string
		for _, v := range costs {
			each = append(each, fmt.Sprintf("%.1f%%", v))
		}
		fmt.Printf("       each round's cost, sorted: %s; median %.1f%%\n", strings.Join(each, ", "), median(costs))
		errs := plain.errors + repl.errors
		recordGoal("10", fmt.Sprintf("replication costs < 10%% of creates/s (c=%d), all %d rounds pooled, 0 errors", c, rounds),
			fmt.Sprintf("%.1f%% (%.0f against %.0f creates/s; round median %.1f%%), %d errors", 100*(1-r), repl.perSecond(), plain.perSecond(), median(costs), errs),
			"the same creates without replication, same run", 100*(1-r) < 10 && errs == 0)
	}
	fmt.Printf("\nReplication lag under a steady write load: %d creates/s for %s on the replicated server alone\n", lag.rate, lag.duration)
	fmt.Printf("  writes sent %d, acknowledged %d, errors %d, ticks skipped (4 s of writes in flight) %d\n", lag.sent, lag.acked, lag.errors, lag.skipped)
	if lag.firstErr != "" {
		fmt.Printf("  first error: %s\n", lag.firstErr)
	}
	fmt.Printf("  acknowledgement -> the write's marker in a replica file (data.db, %d level-0 LTX files decoded, polled every 20 ms):\n", lag.files)
	fmt.Printf("    p50 %s, p99 %s, max %s over %d writes; %d never seen (waited %s after the load); %d seen before their answer arrived (counted 0)\n",
		ms(lag.lag.quantile(0.5)), ms(lag.lag.quantile(0.99)), ms(lag.lag.quantile(1)), len(lag.lag.latencies), lag.missing, lag.drain.Round(time.Millisecond), lag.early)
	for _, st := range []struct {
		name string
		v    []float64
	}{{"data.db", lag.status}, {"auxiliary.db", lag.statusAux}} {
		s := secondsSample(st.v)
		fmt.Printf("  GET /api/crm/replication lag_seconds, %s, %d samples every 100 ms: p50 %s, p99 %s, max %s\n",
			st.name, len(st.v), ms(s.quantile(0.5)), ms(s.quantile(0.99)), ms(s.quantile(1)))
	}
	if lag.statusErrs > 0 {
		fmt.Printf("  status requests failed: %d\n", lag.statusErrs)
	}
}
