package main

// Part 11 (-parts 11, or soak; only when asked): one `vinculo serve` on a
// demo data dir under a steady mixed load for -soak (30 minutes by default),
// the server's resident memory (VmRSS) sampled every 10 s.
//
// The load is -soak-rate requests a second, as the demo agent, going round a
// fixed mix of 20: 8 contact list pages (the workspace's list: the agent's
// contacts, newest first), 4 contact creates, 3 contact updates, 3 searches
// and 2 customer 360 pages, sent by a pool of 32 clients (a tick finding
// every client busy is counted, not queued). Meanwhile -soak-subscribers
// staff realtime connections are subscribed to contacts/* and read every
// event. At the end: RSS at the end of the warm-up (-soak-warmup) and at the
// end, the slope of RSS after the warm-up (least squares, per minute), the
// errors, requests/s and each kind's p50/p99. It asserts nothing. With
// -soak-trace DIR it also records what the memory is made of
// (soak_trace.go).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	soakFor         = flag.Duration("soak", 30*time.Minute, "part 11: how long the mixed load runs")
	soakWarmup      = flag.Duration("soak-warmup", 0, "part 11: the warm-up at the start of -soak, left out of the RSS slope (0: a sixth of -soak, 5 minutes at most)")
	soakRate        = flag.Int("soak-rate", 100, "part 11: requests per second of the mixed load")
	soakContacts    = flag.Int("soak-contacts", 10000, "part 11: demo contacts in the data dir")
	soakSubscribers = flag.Int("soak-subscribers", 20, "part 11: staff realtime connections subscribed to contacts/*")
)

const soakClients = 32

// soakKinds are the requests of the mix; soakMix is the order of a round of
// 20, by index into soakKinds.
var (
	soakKinds = []string{"contact list", "create", "update", "search", "360 page"}
	soakMix   = []int{0, 1, 0, 3, 2, 0, 4, 1, 0, 3, 0, 2, 1, 0, 3, 4, 0, 1, 2, 0}
	soakQuery = []string{"maria", "silva", "proposta", "joao", "mar", "souza"}
)

// soakStats is what the load saw, by kind.
type soakStats struct {
	mu       sync.Mutex
	kinds    []sample
	skipped  int
	start    time.Time
	events   atomic.Int64 // realtime events read by the subscribers
	drops    atomic.Int64 // subscriber streams that ended before the run did
	subErrs  atomic.Int64 // subscribers that could not (re)connect
	subFirst atomic.Value // string: the first of those errors
}

type rssPoint struct {
	at time.Duration
	kb int64
}

type soakRun struct {
	s        *server
	client   *http.Client
	token    string
	agentID  string
	contacts []string // demo contact ids, for updates and 360 pages
	created  atomic.Int64
}

func runSoakPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 11"); err != nil {
		return err
	}
	warm := *soakWarmup
	if warm <= 0 {
		warm = min(*soakFor/6, 5*time.Minute)
	}
	dir := filepath.Join(root, "soak")
	defer os.RemoveAll(dir)
	if err := demoData(opts.bin, dir, "[soak]", *soakContacts); err != nil {
		return err
	}
	dbStart := fileSize(filepath.Join(dir, "data.db"))
	traceAddr, undoEnv, err := soakTraceEnv()
	if err != nil {
		return err
	}
	s, err := serve(ctx, opts.bin, dir)
	undoEnv()
	if err != nil {
		return err
	}
	defer s.stop()
	tracer, err := newSoakTracer(traceAddr, s, filepath.Join(dir, "data.db"))
	if err != nil {
		return err
	}
	r := &soakRun{s: s, client: newClient(soakClients + 8)}
	if r.token, r.agentID, err = signIn(r.client, s.url, "staff", agentEmail, agentPassword); err != nil {
		return err
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := getJSON(r.client, s.url+"/api/collections/contacts/records?perPage=200&skipTotal=1&fields=id&sort=created", r.token, &page); err != nil {
		return err
	}
	for _, it := range page.Items {
		r.contacts = append(r.contacts, it.ID)
	}
	if len(r.contacts) == 0 {
		return fmt.Errorf("part 11: the demo data dir has no contacts")
	}

	fmt.Printf("[soak] %s of %d requests/s (warm-up %s), %d realtime subscribers, server pid %d ...\n", *soakFor, *soakRate, warm, *soakSubscribers, s.cmd.Process.Pid)
	stats := &soakStats{kinds: make([]sample, len(soakKinds))}
	lctx, stop := context.WithTimeout(ctx, *soakFor)
	defer stop()
	var wg sync.WaitGroup
	for i := 0; i < *soakSubscribers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.subscriber(lctx, stats)
		}()
	}
	rss := make(chan []rssPoint, 1)
	go func() { rss <- sampleRSS(lctx, s, stats) }()
	traced := make(chan struct{})
	go func() { tracer.run(lctx, warm); close(traced) }()
	stats.start = time.Now()
	r.load(lctx, stats)
	took := time.Since(stats.start)
	stop()
	wg.Wait()
	points := <-rss
	<-traced
	if ctx.Err() != nil {
		return ctx.Err()
	}
	printSoak(stats, points, warm, took, procStatus(s, "VmHWM"), dbStart, fileSize(filepath.Join(dir, "data.db")))
	tracer.summary(warm)
	return nil
}

// load sends the mix at -soak-rate until ctx ends.
func (r *soakRun) load(ctx context.Context, stats *soakStats) {
	jobs := make(chan int, soakClients)
	var wg sync.WaitGroup
	for w := 0; w < soakClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r.one(ctx, stats, i)
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(max(1, *soakRate)))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			close(jobs)
			wg.Wait()
			return
		case <-tick.C:
		}
		select {
		case jobs <- i:
		default:
			stats.mu.Lock()
			stats.skipped++
			stats.mu.Unlock()
		}
	}
}

// one sends request i of the mix and notes how it went.
func (r *soakRun) one(ctx context.Context, stats *soakStats, i int) {
	kind := soakMix[i%len(soakMix)]
	contact := r.contacts[(i/len(soakMix))%len(r.contacts)]
	base := r.s.url
	var req *http.Request
	switch kind {
	case 0:
		q := url.Values{"filter": {fmt.Sprintf("(owner='%s')", r.agentID)}, "sort": {"-created"}, "perPage": {"50"}, "skipTotal": {"1"}}
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/collections/contacts/records?"+q.Encode(), nil)
	case 1:
		n := r.created.Add(1)
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("Contato Soak %d", n), "email": fmt.Sprintf("soak-%d@bench.example", n),
			"owner": r.agentID, "stage": "lead", "source": "site", "tags": []string{"b2b"}})
		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/collections/contacts/records", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	case 2:
		body, _ := json.Marshal(map[string]any{"job_title": fmt.Sprintf("Cargo %d", i)})
		req, _ = http.NewRequestWithContext(ctx, http.MethodPatch, base+"/api/collections/contacts/records/"+contact, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	case 3:
		q := soakQuery[(i/len(soakMix))%len(soakQuery)]
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/crm/search?q="+url.QueryEscape(q), nil)
	default:
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/crm/contacts/"+contact+"/360", nil)
	}
	req.Header.Set("Authorization", r.token)
	t0 := time.Now()
	err := roundTrip(r.client, req, http.StatusOK)
	took := time.Since(t0)
	if err != nil && ctx.Err() != nil {
		return // cut by the end of the run: not counted
	}
	stats.mu.Lock()
	defer stats.mu.Unlock()
	k := &stats.kinds[kind]
	k.sent++
	if err != nil {
		k.errors++
		if k.firstErr == "" {
			k.firstErr = err.Error()
		}
		return
	}
	k.latencies = append(k.latencies, took)
}

// subscriber holds a staff realtime connection subscribed to contacts/* and
// reads its events until ctx ends, connecting again if the stream ends.
func (r *soakRun) subscriber(ctx context.Context, stats *soakStats) {
	sse := &http.Client{Transport: r.client.Transport} // no timeout: the stream stays open
	for ctx.Err() == nil {
		err := r.stream(ctx, sse, stats)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			stats.subErrs.Add(1)
			stats.subFirst.CompareAndSwap(nil, err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		stats.drops.Add(1)
	}
}

// stream is one realtime connection: nil when it ended after subscribing.
func (r *soakRun) stream(ctx context.Context, sse *http.Client, stats *soakStats) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.s.url+"/api/realtime", nil)
	res, err := sse.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	rd := bufio.NewReaderSize(res.Body, 16<<10)
	var name, data string
	subscribed := false
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			if subscribed {
				return nil
			}
			return fmt.Errorf("realtime stream ended before PB_CONNECT: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(line[len("event:"):])
		case strings.HasPrefix(line, "data:"):
			data = strings.TrimSpace(line[len("data:"):])
		case line == "":
			if name == "PB_CONNECT" && !subscribed {
				var v struct {
					ClientID string `json:"clientId"`
				}
				_ = json.Unmarshal([]byte(data), &v)
				c := &portalConn{portalCustomer: portalCustomer{token: r.token}, clientID: v.ClientID}
				if err := c.subscribe(r.client, r.s.url, "contacts/*"); err != nil {
					return err
				}
				subscribed = true
			} else if strings.HasPrefix(name, "contacts/") {
				stats.events.Add(1)
			}
			name, data = "", ""
		}
	}
}

// sampleRSS reads the server's VmRSS now and every 10 s until ctx ends, and
// says where it stands every minute.
func sampleRSS(ctx context.Context, s *server, stats *soakStats) []rssPoint {
	start := time.Now()
	points := []rssPoint{{0, kbOf(procStatus(s, "VmRSS"))}}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return append(points, rssPoint{time.Since(start), kbOf(procStatus(s, "VmRSS"))})
		case <-tick.C:
		}
		p := rssPoint{time.Since(start), kbOf(procStatus(s, "VmRSS"))}
		points = append(points, p)
		if len(points)%6 == 1 {
			ok, errs := stats.totals()
			fmt.Printf("[soak] %s: %d requests answered, %d errors, RSS %d kB, realtime events %d\n", p.at.Round(time.Second), ok, errs, p.kb, stats.events.Load())
		}
	}
}

func (st *soakStats) totals() (ok, errs int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, k := range st.kinds {
		ok += len(k.latencies)
		errs += k.errors
	}
	return ok, errs
}

// rssSlope is the least-squares slope of RSS in kB per minute over points
// from the warm-up's end on.
func rssSlope(points []rssPoint, warm time.Duration) (slope float64, n int) {
	var sx, sy, sxx, sxy float64
	for _, p := range points {
		if p.at < warm || p.kb <= 0 {
			continue
		}
		x, y := p.at.Minutes(), float64(p.kb)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
		n++
	}
	d := float64(n)*sxx - sx*sx
	if n < 2 || d == 0 {
		return 0, n
	}
	return (float64(n)*sxy - sx*sy) / d, n
}

func printSoak(stats *soakStats, points []rssPoint, warm, took time.Duration, hwm string, dbStart, dbEnd int64) {
	ok, errs := stats.totals()
	fmt.Printf("\nSoak (part 11): %s of a mixed load at %d requests/s asked, as the demo agent, %d clients; %d realtime subscribers to contacts/*\n",
		took.Round(time.Second), *soakRate, soakClients, *soakSubscribers)
	fmt.Printf("  requests answered %d (%.1f/s), errors %d, ticks skipped (every client busy) %d\n", ok, float64(ok)/took.Seconds(), errs, stats.skipped)
	fmt.Printf("  %-14s %8s %7s %10s %10s\n", "kind", "ok", "errors", "p50", "p99")
	for i, name := range soakKinds {
		k := &stats.kinds[i]
		fmt.Printf("  %-14s %8d %7d %10s %10s\n", name, len(k.latencies), k.errors, ms(k.quantile(0.5)), ms(k.quantile(0.99)))
		if k.firstErr != "" {
			fmt.Printf("    first error: %s\n", k.firstErr)
		}
	}
	fmt.Printf("  realtime: %d events read, %d streams ended early (connected again), %d failed connections\n", stats.events.Load(), stats.drops.Load(), stats.subErrs.Load())
	if e, _ := stats.subFirst.Load().(string); e != "" {
		fmt.Printf("    first realtime error: %s\n", e)
	}
	var atWarm, peakAfter rssPoint
	for _, p := range points {
		if p.at >= warm && atWarm.kb == 0 {
			atWarm = p
		}
		if p.at >= warm && p.kb > peakAfter.kb {
			peakAfter = p
		}
	}
	last := points[len(points)-1]
	slope, n := rssSlope(points, warm)
	fmt.Printf("  server RSS (VmRSS, every 10 s, %d samples): start %d kB, warm-up end (%s) %d kB, end (%s) %d kB, highest after warm-up %d kB, peak (VmHWM) %s\n",
		len(points), points[0].kb, atWarm.at.Round(time.Second), atWarm.kb, last.at.Round(time.Second), last.kb, peakAfter.kb, hwm)
	fmt.Printf("  RSS slope after warm-up: %+.1f kB/min over %d samples (%+.2f%% of the warm-up-end RSS per 10 min); goal: flat, no errors\n",
		slope, n, 100*slope*10/float64(max(1, atWarm.kb)))
	fmt.Printf("  data.db: %s at the start, %s at the end\n", mb(dbStart), mb(dbEnd))
	// Flat: what the slope adds over the time after the warm-up is within 5%
	// of the RSS at the warm-up's end (sampling noise is a few MB).
	growth := slope * (last.at - warm).Minutes()
	flat := n >= 2 && growth <= 0.05*float64(atWarm.kb)
	recordGoal("11", fmt.Sprintf("soak %s: RSS flat after the warm-up, no errors", took.Round(time.Minute)),
		fmt.Sprintf("%+.0f kB/min (%+.1f MB after the warm-up), %d errors", slope, growth/1024, errs),
		fmt.Sprintf("≤ 5%% of %.0f MB, 0 errors", float64(atWarm.kb)/1024), flat && errs == 0)
}
