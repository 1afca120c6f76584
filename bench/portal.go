package main

// Part 9 (-parts 9, or portal): realtime of the customer portal (issues 6
// and 21), with `vinculo serve` as a child process on loopback. Three steps,
// each on a server of its own, just started: the fan-out step, the idle
// step, and the idle step again with GOMEMLIMIT=-portal-memlimit.
//
//   - idle step: -portal-idle customers (default 20,000) each open an SSE
//     connection to /api/realtime and subscribe, with their own token, to
//     their own request ("cases/<id>", what the portal's pages do). The
//     set-up rate is connections a second from the first dial until the last
//     subscription is answered; the server's resident memory (VmRSS from
//     /proc) is read before, at each quarter of the way and with all of them
//     held idle, and divided by the connections; then -portal-idle-probes
//     staff status changes, each timed to its customer's event, with all of
//     them connected.
//   - fan-out step: -portal-clients customers (default 1,000), as before:
//     a staff member changes the status of one customer's request through
//     the record API (one at a time, -portal-probes times, round-robin over
//     the customers); the time from just before the PATCH to the arrival of
//     that record's event on its customer's connection, p50 and p99, with
//     every customer subscribed to "cases/<id>" (the page of one request,
//     what the portal does) and then to "cases/*" (a list: the server
//     checks the list rule for every connected customer on every change).
//
// Every connection and its subscription come from one of 127.0.0.2 to
// 127.0.0.9 (loopback has about 28k ephemeral ports per source address;
// PocketBase requires the subscription from the connection's address). Both
// this process and the server need an open file per connection: the run
// raises its own soft limit to the hard one (`vinculo serve` does the same)
// and, when a limit cannot hold -portal-idle connections, measures as many
// as it holds and says so.
//
// The data dir comes from `vinculo demo`; the customers, one open request
// each, are written by bulk SQL while no server runs (not measured; one
// bcrypt hash shared by all) and their tokens signed in this process. It
// asserts nothing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"golang.org/x/crypto/bcrypt"

	"vinculo/crm"
)

var (
	portalClients    = flag.Int("portal-clients", 1000, "part 9: connected customers in the fan-out step (one SSE connection each)")
	portalProbes     = flag.Int("portal-probes", 200, "part 9: measured status changes in the fan-out step, each customer subscribed to their request (cases/<id>)")
	portalListProbes = flag.Int("portal-list-probes", 50, "part 9: measured status changes in the fan-out step, each customer subscribed to cases/* (each change checks the rule for every customer)")
	portalIdle       = flag.Int("portal-idle", 20000, "part 9: connected idle customers in the idle step (0 skips it)")
	portalIdleProbes = flag.Int("portal-idle-probes", 50, "part 9: measured status changes with every idle customer connected")
	portalDialers    = flag.Int("portal-connect-concurrency", 32, "part 9: connections being set up at once")
	portalMemLimit   = flag.String("portal-memlimit", "800MiB", "part 9: repeat the idle step on a server started with this GOMEMLIMIT (Go's soft memory limit; empty: do not)")
)

// portalAddrs are the source addresses the customers' connections come from.
var portalAddrs = []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"}

const goalIdleCustomers, goalRSSKiB, goalP99 = 20000, 1 << 20, 250 * time.Millisecond

type portalCustomer struct {
	token, caseID string
}

func runPortalPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 9"); err != nil {
		return err
	}
	ownLimit := raiseOwnOpenFiles()
	n := max(*portalClients, *portalIdle)
	dir := filepath.Join(root, "portal")
	defer os.RemoveAll(dir)
	if err := demoData(opts.bin, dir, "[portal]", 50); err != nil {
		return err
	}
	started := time.Now()
	customers, err := preparePortalCustomers(dir, n)
	if err != nil {
		return fmt.Errorf("part 9: preparing customers: %w", err)
	}
	fmt.Printf("[portal] %d contacts, each a portal customer with one open request, written by bulk SQL in %s\n", n, time.Since(started).Round(time.Millisecond))
	client := newClient(16)
	fmt.Printf("\nPortal realtime over loopback SSE, each customer with their own token; each step on a server of its own, just started. Open-file limits: this process %s\n", ownLimit)
	// Each step gets a fresh server: what one step leaves in the heap
	// neither inflates nor hides another's figures.
	steps := []struct {
		on       bool
		memLimit string
		run      func(s *server, staffToken string) error
	}{
		{*portalClients > 0, "", func(s *server, staffToken string) error {
			return fanOutStep(ctx, s, client, staffToken, customers[:*portalClients])
		}},
		{*portalIdle > 0, "", func(s *server, staffToken string) error {
			return idleStep(ctx, s, client, staffToken, customers, "")
		}},
		{*portalIdle > 0 && *portalMemLimit != "", *portalMemLimit, func(s *server, staffToken string) error {
			return idleStep(ctx, s, client, staffToken, customers, *portalMemLimit)
		}},
	}
	for _, step := range steps {
		if step.on {
			if err := portalStep(ctx, opts.bin, dir, client, step.memLimit, step.run); err != nil {
				return err
			}
		}
	}
	return nil
}

// portalStep starts a server (with GOMEMLIMIT when memLimit is set: the Go
// runtime reads it at start), signs the staff member in and runs one step.
func portalStep(ctx context.Context, bin, dir string, client *http.Client, memLimit string, run func(*server, string) error) error {
	if memLimit != "" {
		os.Setenv("GOMEMLIMIT", memLimit)
	}
	s, err := serve(ctx, bin, dir)
	os.Unsetenv("GOMEMLIMIT")
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Printf("\n[portal] vinculo serve, pid %d, open-file limit %s\n", s.cmd.Process.Pid, serverOpenFiles(s))
	staffToken, _, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return err
	}
	return run(s, staffToken)
}

// idleStep holds as many idle customers as asked (or as the open-file limits
// allow), and measures the set-up rate, the memory and one status change's
// way to its customer with all of them connected.
func idleStep(ctx context.Context, s *server, client *http.Client, staffToken string, customers []portalCustomer, memLimit string) error {
	want := min(*portalIdle, len(customers))
	n, why := fitOpenFiles(s, want)
	server := "the server as it ships (Go's default garbage collector settings)"
	if memLimit != "" {
		server = "a new server with GOMEMLIMIT=" + memLimit
	}
	fmt.Printf("\nIdle step, %s: %d customers subscribed to their own request (cases/<id>)%s\n", server, n, why)
	time.Sleep(2 * time.Second)
	rssBefore := kbOf(procStatus(s, "VmRSS"))
	fmt.Printf("  server VmRSS before: %d KiB\n", rssBefore)
	var conns []*portalConn
	defer func() { closePortal(conns) }()
	var setup time.Duration
	var rssAt int64
	for q := 1; q <= 4; q++ {
		batch := customers[len(conns) : n*q/4]
		t0 := time.Now()
		more, err := connectPortal(ctx, s.url, batch, "")
		setup += time.Since(t0)
		if err != nil {
			return fmt.Errorf("part 9: connecting customers %d to %d: %w", len(conns)+1, n*q/4, err)
		}
		conns = append(conns, more...)
		time.Sleep(3 * time.Second) // the server settles with every connection idle
		rssAt = kbOf(procStatus(s, "VmRSS"))
		fmt.Printf("  %6d connected: VmRSS %7d KiB, %5.1f KiB per connection; set-up so far %s (%.0f connections/s); dropped by the server: %d\n",
			len(conns), rssAt, perConn(rssAt-rssBefore, len(conns)), setup.Round(time.Millisecond), float64(len(conns))/setup.Seconds(), droppedPortal(conns))
	}
	rate := float64(len(conns)) / setup.Seconds()
	probe, err := probePortal(ctx, client, s.url, staffToken, conns, *portalIdleProbes)
	if err != nil {
		return fmt.Errorf("part 9, idle step: %w", err)
	}
	printProbe(fmt.Sprintf("cases/<id>, %d connected", len(conns)), probe)
	fmt.Printf("  peak VmHWM %s; connections dropped by the server by the end of the step: %d\n", procStatus(s, "VmHWM"), droppedPortal(conns))

	each := perConn(rssAt-rssBefore, len(conns))
	figure := fmt.Sprintf("%d MiB with %d connected (%.1f KiB each); set-up %.0f connections/s", rssAt>>10, len(conns), each, rate)
	projected := rssAt
	if len(conns) < goalIdleCustomers {
		projected = rssBefore + int64(each*goalIdleCustomers)
		figure += fmt.Sprintf("; %d MiB projected at %d", projected>>10, goalIdleCustomers)
	}
	name := "server RSS with 20,000 idle portal customers ≤ 1 GB"
	if memLimit != "" {
		name += ", GOMEMLIMIT=" + memLimit
	}
	recordGoal("9", name, figure, "1024 MiB (the issue's bound)", projected <= goalRSSKiB)
	return nil
}

// fanOutStep is the measure of issue 6: 1,000 customers connected, a staff
// status change timed to its customer's event, on both subscription kinds.
func fanOutStep(ctx context.Context, s *server, client *http.Client, staffToken string, customers []portalCustomer) error {
	time.Sleep(3 * time.Second)
	rssBefore := kbOf(procStatus(s, "VmRSS"))
	t0 := time.Now()
	conns, err := connectPortal(ctx, s.url, customers, "")
	if err != nil {
		return err
	}
	setup := time.Since(t0)
	defer func() { closePortal(conns) }()
	time.Sleep(3 * time.Second)
	rssAfter := kbOf(procStatus(s, "VmRSS"))

	single, err := probePortal(ctx, client, s.url, staffToken, conns, *portalProbes)
	if err != nil {
		return fmt.Errorf("part 9, cases/<id>: %w", err)
	}
	for _, c := range conns {
		if err := c.resubscribe(ctx, "cases/*"); err != nil {
			return fmt.Errorf("part 9: subscribing to cases/*: %w", err)
		}
	}
	wildcard, err := probePortal(ctx, client, s.url, staffToken, conns, *portalListProbes)
	if err != nil {
		return fmt.Errorf("part 9, cases/*: %w", err)
	}
	fmt.Printf("\nFan-out step: %d customers connected (set up in %s, %.0f connections/s)\n", len(conns), setup.Round(time.Millisecond), float64(len(conns))/setup.Seconds())
	fmt.Printf("  server VmRSS %d KiB before, %d KiB with the connections held: %.1f KiB per connection\n",
		rssBefore, rssAfter, perConn(rssAfter-rssBefore, len(conns)))
	fmt.Printf("  staff status change (PATCH /api/collections/cases/records/{id}) -> that customer's event, changes one after another:\n")
	printProbe("cases/<id> (the portal's pages)", single)
	printProbe("cases/* (a list)", wildcard)
	p99 := single.event.quantile(0.99)
	recordGoal("9", fmt.Sprintf("status change → its customer p99 ≤ 250 ms, %d connected (cases/<id>)", len(conns)),
		fmt.Sprintf("p99 %s (p50 %s; cases/* p99 %s)", ms(p99), ms(single.event.quantile(0.5)), ms(wildcard.event.quantile(0.99))),
		"250 ms (the issue's bound)", p99 <= goalP99)
	return nil
}

func printProbe(name string, r *portalProbe) {
	fmt.Printf("  %-32s %3d changes: event p50 %s  p99 %s  max %s | PATCH answer p50 %s  p99 %s | streams the server ended (5 min idle) opened again: %d\n", name,
		len(r.event.latencies), ms(r.event.quantile(0.5)), ms(r.event.quantile(0.99)), ms(r.event.quantile(1)),
		ms(r.patch.quantile(0.5)), ms(r.patch.quantile(0.99)), r.reopened)
}

func perConn(kib int64, conns int) float64 {
	if conns == 0 {
		return 0
	}
	return float64(kib) / float64(conns)
}

func kbOf(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, "kB")), 10, 64)
	return n
}

// raiseOwnOpenFiles lifts this process's soft open-file limit to its hard
// limit (every connection held is an open file) and says what it got.
func raiseOwnOpenFiles() string {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return "unknown"
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return fmt.Sprintf("%d (hard %d)", l.Cur, l.Max)
}

// openFilesOf reads the soft open-file limit of a process, 0 if unknown.
func openFilesOf(pid string) int {
	raw, err := os.ReadFile("/proc/" + pid + "/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 5 && strings.HasPrefix(line, "Max open files") {
			n, _ := strconv.Atoi(f[3])
			return n
		}
	}
	return 0
}

func serverOpenFiles(s *server) string {
	if n := openFilesOf(strconv.Itoa(s.cmd.Process.Pid)); n > 0 {
		return strconv.Itoa(n)
	}
	return "unknown"
}

// fitOpenFiles caps the connections at what both processes' open-file limits
// hold, leaving room for their other files (databases, logs, the staff's and
// the subscriptions' connections), and says why when it cuts.
func fitOpenFiles(s *server, want int) (int, string) {
	const room = 150
	n := want
	var why []string
	if lim := openFilesOf(strconv.Itoa(s.cmd.Process.Pid)); lim > 0 && lim-room < n {
		n = lim - room
		why = append(why, fmt.Sprintf("the server's open-file limit is %d", lim))
	}
	if lim := openFilesOf("self"); lim > 0 && lim-room < n {
		n = min(n, lim-room)
		why = append(why, fmt.Sprintf("this process's is %d", lim))
	}
	if n == want {
		return n, ""
	}
	return n, fmt.Sprintf(" — %d asked, but %s and the hard limit cannot be raised here: the memory is projected to %d from the measured cost per connection",
		want, strings.Join(why, " and "), want)
}

// preparePortalCustomers writes, beside the demo's data, a request type and
// n contacts (owned by a demo agent, indexed for search by the triggers as
// any insert), each a portal customer with one open request, by bulk SQL
// (the demo's own fill of 20,000 contacts takes minutes on a busy machine),
// and signs the customers' tokens.
func preparePortalCustomers(dir string, n int) ([]portalCustomer, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	defer app.ResetBootstrapState()
	var owner string
	if err := app.DB().NewQuery("SELECT owner FROM contacts WHERE owner != '' ORDER BY id LIMIT 1").Row(&owner); err != nil {
		return nil, fmt.Errorf("no demo contact with an owner: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("portal-bench-unused"), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	caseTypes, err := app.FindCollectionByNameOrId(crm.CaseTypes)
	if err != nil {
		return nil, err
	}
	caseType := core.NewRecord(caseTypes)
	caseType.Load(map[string]any{"name": "Bench", "code": "BEN", "category": "support", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}, {"key": "working", "label": "Working", "public_label": "In progress"}}})
	if err := app.Save(caseType); err != nil {
		return nil, err
	}
	customersCol, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return nil, err
	}
	out := make([]portalCustomer, 0, n)
	err = app.RunInTransaction(func(tx core.App) error {
		now := types.NowDateTime().String()
		addContact := tx.DB().NewQuery("INSERT INTO contacts (id, name, email, owner, stage, language, created, updated) " +
			"VALUES ({:id}, {:name}, {:email}, {:owner}, 'customer', 'pt-BR', {:now}, {:now})").Prepare()
		defer addContact.Close()
		addCustomer := tx.DB().NewQuery("INSERT INTO customers (id, email, password, tokenKey, verified, has_password, contact, company_role, created, updated) " +
			"VALUES ({:id}, {:email}, {:hash}, {:key}, TRUE, TRUE, {:contact}, {:role}, {:now}, {:now})").Prepare()
		defer addCustomer.Close()
		addCase := tx.DB().NewQuery("INSERT INTO cases (id, type, contact, subject, status, status_label, reference, priority, created, updated) " +
			"VALUES ({:id}, {:type}, {:contact}, 'Bench request', 'new', 'Received', {:ref}, 'normal', {:now}, {:now})").Prepare()
		defer addCase.Close()
		for i := range n {
			contact, email := core.GenerateDefaultRandomId(), fmt.Sprintf("cliente.portal%d@bench.example", i+1)
			if _, err := addContact.Bind(map[string]any{"id": contact, "name": fmt.Sprintf("Cliente Portal %d", i+1), "email": email, "owner": owner, "now": now}).Execute(); err != nil {
				return fmt.Errorf("contact %d: %w", i, err)
			}
			cu := core.NewRecord(customersCol)
			cu.Id = core.GenerateDefaultRandomId()
			cu.RefreshTokenKey()
			caseID := core.GenerateDefaultRandomId()
			_, err := addCustomer.Bind(map[string]any{"id": cu.Id, "email": email,
				"hash": string(hash), "key": cu.TokenKey(), "contact": contact, "role": crm.CompanyMember, "now": now}).Execute()
			if err != nil {
				return fmt.Errorf("customer %d: %w", i, err)
			}
			_, err = addCase.Bind(map[string]any{"id": caseID, "type": caseType.Id, "contact": contact, "ref": fmt.Sprintf("BEN-%06d", i+1), "now": now}).Execute()
			if err != nil {
				return fmt.Errorf("request %d: %w", i, err)
			}
			token, err := cu.NewAuthToken()
			if err != nil {
				return err
			}
			out = append(out, portalCustomer{token: token, caseID: caseID})
		}
		return nil
	})
	return out, err
}

// portalConn is one customer's open SSE connection, read by hand (one
// goroutine and a small buffer each, so that this process holds tens of
// thousands of them lightly).
type portalConn struct {
	portalCustomer
	src      portalSource // the stream's source address
	api      *http.Client // from the same source address as the stream
	base     string
	topic    string
	conn     net.Conn
	clientID string
	events   chan time.Time // arrival of an event about this customer's request
	ended    atomic.Bool    // the stream ended before we closed it
	closing  atomic.Bool
}

func (c *portalConn) close() {
	c.closing.Store(true)
	c.conn.Close()
}

func closePortal(conns []*portalConn) {
	for _, c := range conns {
		if c != nil {
			c.close()
		}
	}
}

func droppedPortal(conns []*portalConn) int {
	n := 0
	for _, c := range conns {
		if c.ended.Load() {
			n++
		}
	}
	return n
}

func (c *portalConn) subscribe(client *http.Client, base, topic string) error {
	raw, _ := json.Marshal(map[string]any{"clientId": c.clientID, "subscriptions": []string{topic}})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/realtime", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", c.token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return fmt.Errorf("subscribe: HTTP %d: %s", res.StatusCode, body)
	}
	return nil
}

// resubscribe replaces the connection's subscription with topic.
func (c *portalConn) resubscribe(ctx context.Context, topic string) error {
	if err := c.subscribe(c.api, c.base, topic); err != nil {
		return err
	}
	c.topic = topic
	return nil
}

// reopen opens a stream the server ended again, as the portal's client
// does, with the same subscription.
func (c *portalConn) reopen(ctx context.Context) (*portalConn, error) {
	n, err := openSSE(ctx, c.src, c.base, c.portalCustomer)
	if err != nil {
		return nil, err
	}
	if err := n.resubscribe(ctx, c.topic); err != nil {
		n.close()
		return nil, err
	}
	return n, nil
}

// portalSource is one source address: its dialer and its client for the
// subscriptions (PocketBase takes them only from the stream's address).
type portalSource struct {
	dialer *net.Dialer
	api    *http.Client
}

func portalSources() []portalSource {
	out := make([]portalSource, len(portalAddrs))
	for i, a := range portalAddrs {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(a)}, Timeout: 30 * time.Second}
		t := &http.Transport{DialContext: d.DialContext, MaxIdleConns: 2 * *portalDialers, MaxIdleConnsPerHost: 2 * *portalDialers, IdleConnTimeout: time.Minute}
		out[i] = portalSource{dialer: d, api: &http.Client{Transport: t, Timeout: 60 * time.Second}}
	}
	return out
}

// connectPortal opens one SSE connection per customer, -portal-connect-
// concurrency at a time, each subscribed to "cases/<suffix>" (suffix "":
// the customer's own request).
func connectPortal(ctx context.Context, base string, customers []portalCustomer, suffix string) ([]*portalConn, error) {
	sources := portalSources()
	conns := make([]*portalConn, len(customers))
	errs := make(chan error, len(customers))
	sem := make(chan struct{}, *portalDialers)
	var wg sync.WaitGroup
	for i, cu := range customers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := openSSE(ctx, sources[i%len(sources)], base, cu)
			if err == nil {
				topic := "cases/" + suffix
				if suffix == "" {
					topic += cu.caseID
				}
				if err = c.resubscribe(ctx, topic); err != nil {
					c.close()
				}
			}
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	// The subscriptions' keep-alive connections would stay open a minute,
	// each an open file of this process: with the streams at the open-file
	// limit, a batch's leftovers kept the next batch from connecting.
	for _, s := range sources {
		s.api.CloseIdleConnections()
	}
	close(errs)
	if err := <-errs; err != nil {
		closePortal(conns)
		return nil, err
	}
	return conns, nil
}

func openSSE(ctx context.Context, src portalSource, base string, cu portalCustomer) (*portalConn, error) {
	host := strings.TrimPrefix(base, "http://")
	conn, err := src.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/realtime", nil)
	req.Header.Set("Accept", "text/event-stream")
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReaderSize(conn, 1024)
	res, err := http.ReadResponse(r, req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("GET /api/realtime: HTTP %d", res.StatusCode)
	}
	c := &portalConn{portalCustomer: cu, src: src, api: src.api, base: base, conn: conn, events: make(chan time.Time, 16)}
	connected := make(chan string, 1)
	go c.read(bufio.NewReaderSize(res.Body, 512), connected)
	select {
	case c.clientID = <-connected:
		return c, nil
	case <-time.After(30 * time.Second):
		conn.Close()
		return nil, fmt.Errorf("no PB_CONNECT in 30 s")
	}
}

// read reads the stream's events: PB_CONNECT's client id, and the arrival of
// each event about this customer's request.
func (c *portalConn) read(r *bufio.Reader, connected chan<- string) {
	defer func() {
		if !c.closing.Load() {
			c.ended.Store(true)
		}
	}()
	var name, data string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(line[len("event:"):])
		case strings.HasPrefix(line, "data:"):
			data = strings.TrimSpace(line[len("data:"):])
		case line == "":
			now := time.Now()
			if name == "PB_CONNECT" {
				var v struct {
					ClientID string `json:"clientId"`
				}
				_ = json.Unmarshal([]byte(data), &v)
				connected <- v.ClientID
			} else if strings.HasPrefix(name, "cases/") && strings.Contains(data, `"id":"`+c.caseID+`"`) {
				select {
				case c.events <- now:
				default:
				}
			}
			name, data = "", ""
		}
	}
}

// awaitEvent waits up to 30 s for the event of the customer's request; a
// zero time when the server ended the stream meanwhile (its 5 minutes idle
// may run out while a change is on its way).
func (c *portalConn) awaitEvent() (time.Time, error) {
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case at := <-c.events:
			return at, nil
		case <-tick.C:
			if c.ended.Load() {
				return time.Time{}, nil
			}
		case <-deadline:
			return time.Time{}, fmt.Errorf("no realtime event for request %s in 30 s", c.caseID)
		}
	}
}

type portalProbe struct {
	event, patch sample
	reopened     int
}

// probePortal changes the status of one request at a time and times its
// customer's event.
func probePortal(ctx context.Context, client *http.Client, base, staffToken string, conns []*portalConn, probes int) (*portalProbe, error) {
	out := &portalProbe{}
	status := map[string]string{}
	for i := 0; i < probes; i++ {
		k := (i * 7919) % len(conns) // spread over the customers
		c := conns[k]
		if c.ended.Load() {
			// PocketBase ends a stream idle for 5 minutes; the portal
			// opens it again.
			n, err := c.reopen(ctx)
			if err != nil {
				return nil, fmt.Errorf("opening request %s's stream again: %w", c.caseID, err)
			}
			conns[k], c = n, n
			out.reopened++
		}
		for len(c.events) > 0 {
			<-c.events // an earlier event of this request
		}
		next := "working"
		if status[c.caseID] == "working" {
			next = "new"
		}
		status[c.caseID] = next
		raw, _ := json.Marshal(map[string]any{"status": next})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, base+"/api/collections/cases/records/"+c.caseID, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", staffToken)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answered := time.Since(start)
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("PATCH case: HTTP %d: %s", res.StatusCode, body)
		}
		at, err := c.awaitEvent()
		if err != nil {
			return nil, err
		}
		if at.IsZero() {
			i-- // the stream ended before the event came: open it again, change again
			continue
		}
		out.event.latencies = append(out.event.latencies, at.Sub(start))
		out.patch.latencies = append(out.patch.latencies, answered)
	}
	slices.Sort(out.event.latencies)
	return out, nil
}
