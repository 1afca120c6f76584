package notifications_test

import (
	"mime"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/notifications"
	"vinculo/testkit"
)

// closedPort is a loopback port nothing listens on: an SMTP server that is down.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// smtpDown makes the app's mail go to a server that is down while *down is true.
func smtpDown(app core.App, port int, down *bool) {
	app.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{Priority: -99997, Func: func(e *core.MailerEvent) error {
		if *down {
			e.Mailer = &mailer.SMTPClient{Host: "127.0.0.1", Port: port}
		}
		return e.Next()
	}})
}

func mention(t *testing.T, w *testkit.World, to string) {
	t.Helper()
	if err := notifications.Notify(w.App, notifications.Notice{To: w.ID(to), By: w.ID("manager"), Event: crm.NotifyMentioned,
		Collection: crm.Contacts, Record: w.ID("ctA"), Data: map[string]any{"by_name": "Marina Duarte", "title": "Ana Souza"}}); err != nil {
		t.Fatal(err)
	}
}

func mailState(t *testing.T, w *testkit.World) (state string, tries int) {
	t.Helper()
	r, err := w.App.FindFirstRecordByFilter(crm.Notifications, "event = 'mentioned'")
	if err != nil {
		t.Fatal(err)
	}
	return r.GetString(crm.NotifMail), r.GetInt(crm.NotifMailTries)
}

// A mail the SMTP server refused is tried again after the backoff, not
// before, and reaches the server once it is back.
func TestMailRetriedAfterSMTPFailure(t *testing.T) {
	w := newWorld(t)
	sink := testkit.StartSMTPSink(t)
	w.MailThrough(t, sink)
	down := true
	smtpDown(w.App, closedPort(t), &down)
	mention(t, w, "agent")
	if sent, failed, err := notifications.SendDue(w.App, w.Clock.Now()); sent != 0 || failed != 1 || err == nil {
		t.Fatalf("with the server down: sent %d failed %d err %v", sent, failed, err)
	}
	if state, tries := mailState(t, w); state != crm.NotifMailPending || tries != 1 {
		t.Fatalf("after a failure: %s, %d tries", state, tries)
	}
	down = false
	if sent, _, _ := notifications.SendDue(w.App, w.Clock.Now().Add(30*time.Second)); sent != 0 {
		t.Fatal("tried again before the backoff")
	}
	w.Clock.Add(time.Minute)
	if sent, failed, err := notifications.SendDue(w.App, w.Clock.Now()); sent != 1 || failed != 0 || err != nil {
		t.Fatalf("after the backoff: sent %d failed %d err %v", sent, failed, err)
	}
	m := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("agent@staff.test") })
	if subj := m.Header.Get("Subject"); !strings.Contains(m.Text, "Marina Duarte") || !strings.Contains(m.Text, "/contacts/"+w.ID("ctA")) {
		t.Errorf("mail %q:\n%s", subj, m.Text)
	}
	if state, _ := mailState(t, w); state != crm.NotifMailSent {
		t.Errorf("state %s after sending", state)
	}
	if sent, _, _ := notifications.SendDue(w.App, w.Clock.Now().Add(time.Hour)); sent != 0 || len(sink.Mails()) != 1 {
		t.Error("a sent mail went again")
	}
}

// The mail is written in the transaction, sent after it commits (never when
// it rolls back), and a server stopped before sending sends it after its
// restart, from its cron job.
func TestMailAfterCommitAndAfterRestart(t *testing.T) {
	w := newWorld(t)
	rolledBack := w.App.RunInTransaction(func(tx core.App) error {
		if err := notifications.Notify(tx, notifications.Notice{To: w.ID("agent2"), By: w.ID("manager"), Event: crm.NotifyMentioned}); err != nil {
			return err
		}
		return errFail
	})
	if rolledBack != errFail || w.Count(t, crm.Notifications, "") != 0 {
		t.Fatal("a notification outlived its rolled-back transaction")
	}
	mention(t, w, "agent") // pending; Manual: nothing sends it before the stop
	dir := w.Stop(t)
	sink := testkit.StartSMTPSink(t)
	w.Reopen(t, dir, plugins.All)
	if err := notifications.Configure(w.App, notifications.Options{Now: w.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	w.MailThrough(t, sink)
	for _, j := range w.App.Cron().Jobs() {
		if j.Id() == "notifications" {
			j.Run()
		}
	}
	notifications.Wait(w.App)
	m := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("agent@staff.test") })
	if subj := subject(m); !strings.Contains(subj, "Marina Duarte mencionou você") {
		t.Errorf("subject %q", subj)
	}
	if state, _ := mailState(t, w); state != crm.NotifMailSent {
		t.Errorf("state %s", state)
	}
}

func subject(m testkit.SinkMail) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

type failure string

func (f failure) Error() string { return string(f) }

const errFail = failure("roll back")

// The digest: at the member's hour in their time zone, one mail with what
// waits, in their language; at most one a day.
func TestDigestAtMostOneMailPerPersonPerDay(t *testing.T) {
	w := newWorld(t)
	sink := testkit.StartSMTPSink(t)
	w.MailThrough(t, sink)
	res := w.Do(t, "PUT", "/api/crm/notifications/settings", "agent", map[string]any{
		"events": map[string]string{crm.NotifyMentioned: crm.NotifyByMailDigest}, "digest_hour": 8})
	testkit.Must(t, res, 200, "digest settings")
	w.Update(t, w.R("agent"), map[string]any{"language": "pt-BR", "timezone": "America/Sao_Paulo"})
	w.Clock.Set(testkit.Wall(t, "2026-11-24 07:00"))
	mention(t, w, "agent")
	mention(t, w, "agent")
	digests := func() int {
		n := 0
		for _, m := range sink.Mails() {
			if m.Rcpt("agent@staff.test") {
				n++
			}
		}
		return n
	}
	run := func(at string) {
		w.Clock.Set(testkit.Wall(t, at))
		if _, err := notifications.SendDigests(w.App, w.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := notifications.SendDue(w.App, w.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	run("2026-11-24 07:59")
	if digests() != 0 {
		t.Fatal("a digest before its hour")
	}
	run("2026-11-24 08:00")
	m := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("agent@staff.test") })
	if !strings.Contains(subject(m), "suas notificações do dia (2)") || !strings.Contains(m.Text, "mencionou você") {
		t.Errorf("digest %q:\n%s", m.Header.Get("Subject"), m.Text)
	}
	mention(t, w, "agent")
	run("2026-11-24 09:00")
	run("2026-11-24 23:59")
	if n := digests(); n != 1 {
		t.Fatalf("%d digests on one day", n)
	}
	run("2026-11-25 08:00")
	if n := digests(); n != 2 {
		t.Fatalf("%d digests after the second day's hour, want 2", n)
	}
	run("2026-11-25 10:00")
	if n := digests(); n != 2 {
		t.Fatalf("%d digests, want 2", n)
	}
}
