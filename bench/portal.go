package main

// Part 9 (-parts 9, or portal): realtime fan-out of the customer portal
// (issue 6), with `vinculo serve` as a child process on loopback:
//
//   - idle connections: -portal-clients SSE connections to /api/realtime,
//     each subscribed with its own customer's token, held open; the server's
//     resident memory (VmRSS from /proc) before and after, divided by the
//     number of connections, is the memory of one idle portal connection;
//   - status change -> customer's event: a staff member changes the status
//     of one customer's request through the record API (one at a time,
//     -portal-probes times, round-robin over the customers) while all the
//     connections are open; the time from just before the PATCH to the
//     arrival of that record's event on its customer's connection, p50 and
//     p99. Two subscriptions are measured: "cases/*" (the portal's list of
//     requests: the server checks the list rule for every connected
//     customer on every change) and "cases/<id>" (the page of one request).
//
// The data dir comes from `vinculo demo`; the customers, one open request
// each, and their tokens are written in this process before the server
// starts (one bcrypt hash shared by all: hashing a password per customer
// would take a minute and measure nothing of the portal). It asserts nothing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/bcrypt"

	"vinculo/crm"
)

var (
	portalClients = flag.Int("portal-clients", 1000, "part 9: connected customers (one SSE connection each)")
	portalProbes  = flag.Int("portal-probes", 200, "part 9: measured status changes per subscription kind")
)

type portalCustomer struct {
	token, caseID string
}

func runPortalPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 9"); err != nil {
		return err
	}
	n := *portalClients
	dir := filepath.Join(root, "portal")
	defer os.RemoveAll(dir)
	if err := demoData(opts.bin, dir, "[portal]", n+10); err != nil {
		return err
	}
	customers, err := preparePortalCustomers(dir, n)
	if err != nil {
		return fmt.Errorf("part 9: preparing customers: %w", err)
	}
	s, err := serve(ctx, opts.bin, dir)
	if err != nil {
		return err
	}
	defer s.stop()
	client := newClient(16)
	staffToken, _, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return err
	}

	time.Sleep(time.Second)
	rssBefore := kbOf(procStatus(s, "VmRSS"))
	conns, err := connectPortal(ctx, s.url, customers, "*")
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	time.Sleep(3 * time.Second) // let the server settle with every connection idle
	rssAfter := kbOf(procStatus(s, "VmRSS"))

	wildcard, err := probePortal(ctx, client, s.url, staffToken, conns, *portalProbes)
	if err != nil {
		return fmt.Errorf("part 9, cases/*: %w", err)
	}
	for _, c := range conns {
		if err := c.subscribe(client, s.url, "cases/"+c.caseID); err != nil {
			return fmt.Errorf("part 9: resubscribing: %w", err)
		}
	}
	single, err := probePortal(ctx, client, s.url, staffToken, conns, *portalProbes)
	if err != nil {
		return fmt.Errorf("part 9, cases/<id>: %w", err)
	}
	rssPeak := procStatus(s, "VmHWM")

	fmt.Printf("\nPortal realtime: %d customers connected at once over loopback SSE, each subscribed with its own token\n", len(conns))
	perConn := "n/a"
	if rssBefore > 0 && rssAfter > 0 {
		perConn = fmt.Sprintf("%.1f KiB", float64(rssAfter-rssBefore)/float64(len(conns)))
	}
	fmt.Printf("Server memory (VmRSS): %d KiB before, %d KiB with the connections held: %s per idle connection; peak %s\n",
		rssBefore, rssAfter, perConn, rssPeak)
	fmt.Printf("Staff status change (PATCH /api/collections/cases/records/{id}) -> that customer's realtime event, %d changes one after another:\n", *portalProbes)
	for _, line := range []struct {
		name string
		r    *portalProbe
	}{{"cases/* (list page)", wildcard}, {"cases/<id> (request page)", single}} {
		fmt.Printf("  %-26s event p50 %s  p99 %s  max %s | PATCH answer p50 %s  p99 %s\n", line.name,
			ms(line.r.event.quantile(0.5)), ms(line.r.event.quantile(0.99)), ms(line.r.event.quantile(1)),
			ms(line.r.patch.quantile(0.5)), ms(line.r.patch.quantile(0.99)))
	}
	return nil
}

func kbOf(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, "kB")), 10, 64)
	return n
}

// preparePortalCustomers writes n customers (on the demo's contacts), a
// request type and one open request each, and returns their tokens.
func preparePortalCustomers(dir string, n int) ([]portalCustomer, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	defer app.ResetBootstrapState()
	var ids []string
	err := app.DB().NewQuery("SELECT id FROM contacts WHERE email != '' AND id NOT IN (SELECT contact FROM customers) ORDER BY id LIMIT {:n}").
		Bind(map[string]any{"n": n}).Column(&ids)
	if err != nil {
		return nil, err
	}
	if len(ids) < n {
		return nil, fmt.Errorf("the demo made %d contacts with an email, %d needed", len(ids), n)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("portal-bench-unused"), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	types, err := app.FindCollectionByNameOrId(crm.CaseTypes)
	if err != nil {
		return nil, err
	}
	caseType := core.NewRecord(types)
	caseType.Load(map[string]any{"name": "Bench", "code": "BEN", "category": "support", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}, {"key": "working", "label": "Working", "public_label": "In progress"}}})
	if err := app.Save(caseType); err != nil {
		return nil, err
	}
	customersCol, _ := app.FindCollectionByNameOrId(crm.Customers)
	casesCol, _ := app.FindCollectionByNameOrId(crm.Cases)
	out := make([]portalCustomer, 0, n)
	err = app.RunInTransaction(func(tx core.App) error {
		for i, contact := range ids {
			var email string
			if err := tx.DB().NewQuery("SELECT email FROM contacts WHERE id = {:id}").Bind(map[string]any{"id": contact}).Row(&email); err != nil {
				return err
			}
			cu := core.NewRecord(customersCol)
			cu.SetEmail(fmt.Sprintf("portal%d.%s", i, email)) // distinct even where the demo repeats an email
			cu.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: string(hash)})
			cu.RefreshTokenKey()
			cu.SetVerified(true)
			cu.Set(crm.FieldContact, contact)
			cu.Set(crm.FieldCompanyRole, crm.CompanyMember)
			if err := tx.Save(cu); err != nil {
				return fmt.Errorf("customer %d: %w", i, err)
			}
			kase := core.NewRecord(casesCol)
			kase.Load(map[string]any{"type": caseType.Id, "contact": contact, "subject": "Bench request",
				"status": "new", "status_label": "Received", "reference": fmt.Sprintf("BEN-%06d", i+1), "priority": "normal"})
			if err := tx.Save(kase); err != nil {
				return fmt.Errorf("case %d: %w", i, err)
			}
			token, err := cu.NewAuthToken()
			if err != nil {
				return err
			}
			out = append(out, portalCustomer{token: token, caseID: kase.Id})
		}
		return nil
	})
	return out, err
}

// portalConn is one customer's open SSE connection.
type portalConn struct {
	portalCustomer
	clientID string
	body     io.ReadCloser
	events   chan time.Time // arrival of an event about this customer's request
}

func (c *portalConn) close() { c.body.Close() }

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

// connectPortal opens one SSE connection per customer, 50 at a time, each
// subscribed to "cases/<suffix>".
func connectPortal(ctx context.Context, base string, customers []portalCustomer, suffix string) ([]*portalConn, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = len(customers) + 100
	t.MaxIdleConns = len(customers) + 100
	sse := &http.Client{Transport: t} // no timeout: the streams stay open
	api := newClient(50)
	conns := make([]*portalConn, len(customers))
	errs := make(chan error, len(customers))
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	for i, cu := range customers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := openSSE(ctx, sse, base, cu)
			if err == nil {
				err = c.subscribe(api, base, "cases/"+suffix)
			}
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, c := range conns {
			if c != nil {
				c.close()
			}
		}
		return nil, err
	}
	return conns, nil
}

func openSSE(ctx context.Context, client *http.Client, base string, cu portalCustomer) (*portalConn, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	c := &portalConn{portalCustomer: cu, body: res.Body, events: make(chan time.Time, 16)}
	connected := make(chan string, 1)
	go func() {
		r := bufio.NewReaderSize(res.Body, 16<<10)
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
	}()
	select {
	case c.clientID = <-connected:
		return c, nil
	case <-time.After(30 * time.Second):
		res.Body.Close()
		return nil, fmt.Errorf("no PB_CONNECT in 30 s")
	}
}

type portalProbe struct{ event, patch sample }

// probePortal changes the status of one request at a time and times its
// customer's event.
func probePortal(ctx context.Context, client *http.Client, base, staffToken string, conns []*portalConn, probes int) (*portalProbe, error) {
	out := &portalProbe{}
	status := map[string]string{}
	for i := 0; i < probes; i++ {
		c := conns[(i*7919)%len(conns)] // spread over the customers
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
		select {
		case at := <-c.events:
			out.event.latencies = append(out.event.latencies, at.Sub(start))
			out.patch.latencies = append(out.patch.latencies, answered)
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("no realtime event for request %s in 30 s", c.caseID)
		}
	}
	slices.Sort(out.event.latencies)
	return out, nil
}
