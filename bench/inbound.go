package main

// Part 13 (-parts 13, or inbound): inbound mail. A real Dovecot (Debian's
// dovecot-imapd, started on a free loopback port as the tests start it)
// holds a mailbox of -inbound-mails mails: replies to the business's
// existing requests (half by the signed token of the mail Vinculo sent, half
// by the request's reference in the subject) and new mails (from known
// contacts and from unknown senders). Then, in the same run:
//
//   - raw: the same IMAP reading code (sign in, UID SEARCH, FETCH in batches
//     of 50) reads every mail to the end and does nothing with it;
//   - inbound: the mailbox is added to an app running every plugin, its
//     reader starts as with `serve`, and every mail goes through the intake
//     into the CRM (threaded onto its request, a new request, a new lead),
//     its place saved with each mail; timed until the last UID is stored.
//
// Afterwards it checks what the intake made: each reply on the request it
// answers, each new mail a request of its own.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

var (
	inboundMails    = flag.Int("inbound-mails", 10000, "part 13: mails in the mailbox (half replies to requests, half new mails)")
	inboundRequests = flag.Int("inbound-requests", 2000, "part 13: existing requests the replies answer")
)

const inboundBox = "support@bench.test"

type inboundResult struct {
	mails, replies, news int
	appendTook           time.Duration
	raw, inbound         time.Duration
	rawBytes             int64
	onRequest, opened    int // replies found on their request; new mails that opened one
	leads                int
	rows                 int
}

func runInboundPart(_ context.Context, _ options, root string) error {
	if _, err := os.Stat(testkit.DovecotPath); err != nil {
		return fmt.Errorf("part 13 needs Dovecot (apt-get install dovecot-imapd): %w", err)
	}
	d, err := testkit.LaunchDovecot(map[string]string{inboundBox: "bench-pass"})
	if err != nil {
		return err
	}
	defer d.Close()
	dir := filepath.Join(root, "inbound")
	defer os.RemoveAll(dir)
	app, cfg, err := inboundApp(dir)
	if err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	res := &inboundResult{mails: *inboundMails}
	t0 := time.Now()
	want, err := fillInbound(app, cfg, d, res)
	if err != nil {
		return fmt.Errorf("filling the mailbox: %w", err)
	}
	res.appendTook = time.Since(t0)
	fmt.Printf("[inbound] %d requests, %d mails appended to Dovecot in %s\n", *inboundRequests, res.mails, res.appendTook.Round(time.Second))

	conn := email.Conn{Host: d.Host, Port: d.Port, TLS: crm.BoxTLSNone, User: inboundBox, Password: "bench-pass", Folder: "INBOX"}
	t0 = time.Now()
	n := 0
	if _, err := email.Read(conn, 0, 50, func(m email.Fetched) error { n++; res.rawBytes += int64(len(m.Raw)); return nil }); err != nil {
		return fmt.Errorf("raw read: %w", err)
	}
	res.raw = time.Since(t0)
	if n != res.mails {
		return fmt.Errorf("raw read: %d mails, want %d", n, res.mails)
	}
	fmt.Printf("[inbound] raw read: %d mails in %s\n", n, res.raw.Round(time.Millisecond))

	if res.inbound, err = readInbound(app, d); err != nil {
		return err
	}
	if err := checkInbound(app, want, res); err != nil {
		return err
	}
	printInbound(res)
	return nil
}

// inboundApp is an app with the whole schema and every plugin, its mailbox
// readers started as `serve` starts them.
func inboundApp(dir string) (core.App, *crm.Config, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, nil, err
	}
	if err := app.RunAllMigrations(); err != nil {
		return nil, nil, err
	}
	cfg := crm.DefaultConfig()
	cfg.DataDir, cfg.MailDir = dir, filepath.Join(dir, "mail")
	cfg.HooksDir, cfg.MigrationsDir = filepath.Join(dir, "no_hooks"), filepath.Join(dir, "no_js_migrations")
	if err := plugins.All(app, cfg); err != nil {
		return nil, nil, err
	}
	return app, cfg, nil
}

// fillInbound makes the requests (each with the mail Vinculo sent about
// it) and appends the mails; it returns, per Message-ID of a reply, the
// request it answers ("" for a new mail).
func fillInbound(app core.App, cfg *crm.Config, d *testkit.Dovecot, res *inboundResult) (map[string]string, error) {
	types, err := app.FindCollectionByNameOrId(crm.CaseTypes)
	if err != nil {
		return nil, err
	}
	kind := core.NewRecord(types)
	kind.Load(map[string]any{"name": "Support", "code": "SUP", "category": "support", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}, {"key": "done", "label": "Done", "public_label": "Solved", "closed": true}}})
	if err := app.Save(kind); err != nil {
		return nil, err
	}
	type kase struct{ id, ref, email, token string }
	var cases []kase
	err = app.RunInTransaction(func(tx core.App) error {
		for i := range *inboundRequests {
			addr := fmt.Sprintf("customer%d@people.test", i)
			ct := saveRow(tx, crm.Contacts, map[string]any{"name": fmt.Sprintf("Customer %d", i), "email": addr})
			cs := saveRow(tx, crm.Cases, map[string]any{"type": kind.Id, "contact": ct.Id, "subject": fmt.Sprintf("Question %d", i)})
			ob := saveRow(tx, crm.Outbox, map[string]any{"contact": ct.Id, "case": cs.Id, "purpose": "service", "channel": "email", "state": "sent", "subject": "About your request"})
			if ct == nil || cs == nil || ob == nil {
				return fmt.Errorf("request %d could not be made", i)
			}
			token, err := email.MessageID(tx, ob.Id, "bench.test")
			if err != nil {
				return err
			}
			cases = append(cases, kase{cs.Id, cs.GetString("reference"), addr, token})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	want := map[string]string{}
	var batch [][]byte
	for i := range res.mails {
		msgID := fmt.Sprintf("bench%d@people.test", i)
		var raw string
		if i%2 == 0 && len(cases) > 0 {
			c := cases[(i/2)%len(cases)]
			res.replies++
			want[msgID] = c.id
			if i%4 == 0 {
				raw = benchMail(c.email, "Re: About your request", msgID, "In-Reply-To: "+c.token+"\r\nReferences: "+c.token+"\r\n")
			} else {
				raw = benchMail(c.email, "Re: ["+c.ref+"] Question", msgID, "")
			}
		} else {
			res.news++
			want[msgID] = ""
			from := fmt.Sprintf("new%d@strangers.test", i)
			if i%3 == 0 && len(cases) > 0 {
				from = cases[i%len(cases)].email
			}
			raw = benchMail(from, fmt.Sprintf("New question %d", i), msgID, "")
		}
		batch = append(batch, []byte(raw))
		if len(batch) == 500 || i == res.mails-1 {
			if err := d.AppendTo(inboundBox, "INBOX", batch...); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	return want, nil
}

func benchMail(from, subject, msgID, headers string) string {
	return "From: " + from + "\r\nTo: " + inboundBox + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\n" +
		"Date: Tue, 24 Nov 2026 10:00:00 -0300\r\n" + headers + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Olá, about " + subject + ".\r\nThanks.\r\n"
}

func saveRow(app core.App, collection string, fields map[string]any) *core.Record {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil
	}
	r := core.NewRecord(c)
	r.Load(fields)
	if err := app.Save(r); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", collection, err)
		return nil
	}
	return r
}

// readInbound adds the mailbox, starts the readers as `serve` does, and
// waits until the reader stored the last UID.
func readInbound(app core.App, d *testkit.Dovecot) (time.Duration, error) {
	router, err := apis.NewRouter(app)
	if err != nil {
		return 0, err
	}
	se := &core.ServeEvent{App: app, Router: router}
	if err := app.OnServe().Trigger(se, func(e *core.ServeEvent) error { return nil }); err != nil {
		return 0, err
	}
	defer app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error { return nil })
	kind, err := app.FindFirstRecordByData(crm.CaseTypes, "code", "SUP")
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	box := saveRow(app, crm.Mailboxes, map[string]any{crm.BoxName: "Bench", crm.BoxHost: d.Host, crm.BoxPort: d.Port,
		crm.BoxTLS: crm.BoxTLSNone, crm.BoxUser: inboundBox, crm.BoxPassword: "bench-pass", crm.BoxNewThread: email.NewThreadRequest,
		crm.BoxCaseType: kind.Id, crm.BoxActive: true, crm.BoxSource: crm.BoxFromSettings})
	if box == nil {
		return 0, fmt.Errorf("the mailbox could not be saved")
	}
	last := 0
	for last < *inboundMails {
		time.Sleep(100 * time.Millisecond)
		r, err := app.FindRecordById(crm.Mailboxes, box.Id)
		if err != nil {
			return 0, err
		}
		if s := r.GetString(crm.BoxStatus); s != crm.BoxStatusOK && s != "" {
			return 0, fmt.Errorf("the reader failed: %s %s", s, r.GetString(crm.BoxStatusDetail))
		}
		if r.GetInt(crm.BoxLastUID) > last {
			last = r.GetInt(crm.BoxLastUID)
		}
		if time.Since(t0) > time.Hour {
			return 0, fmt.Errorf("the reader took in only %d mails in an hour", last)
		}
	}
	took := time.Since(t0)
	fmt.Printf("[inbound] inbound: %d mails in %s\n", last, took.Round(time.Millisecond))
	return took, nil
}

// checkInbound: every reply is on the request it answers, every new mail
// opened a request of its own.
func checkInbound(app core.App, want map[string]string, res *inboundResult) error {
	var rows []struct {
		MessageID string `db:"message_id"`
		Case      string `db:"case"`
	}
	if err := app.DB().Select("message_id", "case").From(crm.EmailMessages).Where(dbx.NewExp("direction = 'in'")).All(&rows); err != nil {
		return err
	}
	res.rows = len(rows)
	for _, r := range rows {
		expected, ok := want[r.MessageID]
		switch {
		case !ok:
		case expected != "" && r.Case == expected:
			res.onRequest++
		case expected == "" && r.Case != "":
			res.opened++
		}
	}
	var n struct{ N int }
	app.DB().NewQuery("SELECT COUNT(*) AS n FROM contacts WHERE email LIKE '%@strangers.test'").One(&n)
	res.leads = n.N
	return nil
}

func printInbound(r *inboundResult) {
	fmt.Printf("\n13. Inbound mail: a Dovecot mailbox of %d mails (%d replies to %d requests: half by the signed token in\n", r.mails, r.replies, *inboundRequests)
	fmt.Printf("    In-Reply-To, half by [SUP-nnnn] in the subject; %d new mails, a third from known contacts, the rest from strangers).\n", r.news)
	fmt.Printf("    raw = the reader's IMAP code alone (sign in, UID SEARCH, UID FETCH BODY.PEEK[] in batches of 50), mails read and dropped;\n")
	fmt.Printf("    inbound = the mailbox's reader in an app with every plugin: each mail parsed, threaded and filed, its place saved with it.\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "side\tmails\ttime\tmails/s\tMB/s\t")
	mb := float64(r.rawBytes) / (1 << 20)
	fmt.Fprintf(w, "raw\t%d\t%s\t%.0f\t%.1f\t\n", r.mails, r.raw.Round(time.Millisecond), float64(r.mails)/r.raw.Seconds(), mb/r.raw.Seconds())
	fmt.Fprintf(w, "inbound\t%d\t%s\t%.0f\t%.1f\t\n", r.mails, r.inbound.Round(time.Millisecond), float64(r.mails)/r.inbound.Seconds(), mb/r.inbound.Seconds())
	fmt.Fprintf(w, "inbound/raw\t\t%.0fx the time\t%s\t\t\n", r.inbound.Seconds()/r.raw.Seconds(), ratio(float64(r.mails)/r.inbound.Seconds(), float64(r.mails)/r.raw.Seconds()))
	w.Flush()
	fmt.Printf("    filed: %d rows; %d of %d replies on the request they answer; %d of %d new mails opened a request; %d new leads.\n\n",
		r.rows, r.onRequest, r.replies, r.opened, r.news, r.leads)
}
