package email_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

// The mailbox readers against a real Dovecot, with the intake replaced by a
// recorder: what the reader fetched and handed over, in which order, once.

const (
	boxAddr = "support@biz.test"
	boxPass = "s3cret-pass"
)

// taken records the mails a reader handed to the intake.
type taken struct {
	mu   sync.Mutex
	raws [][]byte
	fail func(n int) error // called before recording the n-th mail (from 1)
}

func (r *taken) intake(_ core.App, raw []byte, _ email.Mailbox) (email.Outcome, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(len(r.raws) + 1); err != nil {
			return email.Outcome{}, err
		}
	}
	r.raws = append(r.raws, append([]byte(nil), raw...))
	return email.Outcome{Action: email.OutcomeTimeline}, nil
}

func (r *taken) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.raws)
}

func (r *taken) subjects() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, raw := range r.raws {
		for _, line := range strings.Split(string(raw), "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// rawMail is a small mail from a customer to the mailbox.
func rawMail(from, subject, msgID string, headers ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Tue, 24 Nov 2026 10:00:00 -0300\r\n", from, boxAddr, subject, msgID)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from " + from + ": " + subject + "\r\n")
	return []byte(b.String())
}

// readerWorld is the demo business served, with the reader's options set.
func readerWorld(t *testing.T, o email.ReaderOptions) *testkit.World {
	t.Helper()
	if o.Poll == 0 {
		o.Poll = 300 * time.Millisecond
	}
	if o.BackoffMin == 0 {
		o.BackoffMin, o.BackoffMax = 100*time.Millisecond, 400*time.Millisecond
	}
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All),
		testkit.Then(func(w *testkit.World) error { return email.ConfigureReaders(w.App, o) }))
	w.Business(t)
	return w
}

// addMailbox saves a mailbox on the Dovecot as the system would.
func addMailbox(t *testing.T, w *testkit.World, d *testkit.Dovecot, password string, extra map[string]any) *core.Record {
	t.Helper()
	fields := map[string]any{crm.BoxName: "Support", crm.BoxHost: d.Host, crm.BoxPort: d.Port, crm.BoxTLS: crm.BoxTLSNone,
		crm.BoxUser: boxAddr, crm.BoxPassword: password, crm.BoxNewThread: email.NewThreadRequest,
		crm.BoxCaseType: w.ID("tpSup"), crm.BoxActive: true, crm.BoxSource: crm.BoxFromSettings}
	for k, v := range extra {
		fields[k] = v
	}
	return w.Make(t, "box", crm.Mailboxes, fields)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func boxState(t *testing.T, w *testkit.World) *core.Record {
	t.Helper()
	return w.Find(t, crm.Mailboxes, w.ID("box"))
}

// Every mail is handed over once, whole and in order; the place is kept;
// a mail that arrives later wakes the reader (IDLE) and follows.
func TestReaderTakesEveryMailOnceInOrder(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	rec := &taken{}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake, Poll: time.Hour}) // only IDLE can wake it
	first := [][]byte{rawMail("ana@a.test", "one", "m1@a.test"), rawMail("ana@a.test", "two", "m2@a.test"), rawMail("x@y.test", "three", "m3@y.test")}
	d.Append(t, boxAddr, first...)
	addMailbox(t, w, d, boxPass, nil)
	w.Serve(t)
	waitFor(t, "three mails taken in", func() bool { return rec.count() == 3 })
	if got := rec.subjects(); strings.Join(got, ",") != "one,two,three" {
		t.Fatalf("order: %v", got)
	}
	if !bytes.Equal(rec.raws[0], first[0]) {
		t.Errorf("the raw mail changed on the way:\n%q\n%q", rec.raws[0], first[0])
	}
	waitFor(t, "status ok", func() bool { return boxState(t, w).GetString(crm.BoxStatus) == crm.BoxStatusOK })
	st := boxState(t, w)
	if st.GetInt(crm.BoxLastUID) != 3 || st.GetInt(crm.BoxUIDValidity) == 0 || st.GetInt(crm.BoxFailures) != 0 {
		t.Errorf("state: last_uid %d uidvalidity %d failures %d", st.GetInt(crm.BoxLastUID), st.GetInt(crm.BoxUIDValidity), st.GetInt(crm.BoxFailures))
	}
	d.Append(t, boxAddr, rawMail("bruno@a.test", "four", "m4@a.test"))
	waitFor(t, "the fourth mail, woken by IDLE", func() bool { return rec.count() == 4 })
	waitFor(t, "last_uid 4", func() bool { return boxState(t, w).GetInt(crm.BoxLastUID) == 4 })
	if got := rec.subjects(); strings.Join(got, ",") != "one,two,three,four" {
		t.Fatalf("after the new mail: %v", got)
	}
}

// A server without IDLE is polled.
func TestReaderPollsWithoutIdle(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass}, testkit.WithoutIdle())
	rec := &taken{}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake})
	addMailbox(t, w, d, boxPass, nil)
	w.Serve(t)
	waitFor(t, "status ok", func() bool { return boxState(t, w).GetString(crm.BoxStatus) == crm.BoxStatusOK })
	d.Append(t, boxAddr, rawMail("ana@a.test", "polled", "p1@a.test"))
	waitFor(t, "the mail, found by polling", func() bool { return rec.count() == 1 })
}

// The server stops after N of M mails and comes back: every mail is taken
// in exactly once, and the status said what happened meanwhile.
func TestReaderServerRestartLosesAndRepeatsNothing(t *testing.T) {
	const total, stopAfter = 12, 5
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	var raws [][]byte
	for i := 1; i <= total; i++ {
		raws = append(raws, rawMail("ana@a.test", fmt.Sprintf("mail %02d", i), fmt.Sprintf("r%d@a.test", i)))
	}
	d.Append(t, boxAddr, raws...)
	stopped := make(chan struct{})
	var once sync.Once
	rec := &taken{fail: func(n int) error {
		if n == stopAfter+1 {
			once.Do(func() { d.Stop(); close(stopped) })
		}
		return nil
	}}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake, Batch: 1})
	addMailbox(t, w, d, boxPass, nil)
	w.Serve(t)
	<-stopped
	waitFor(t, "the reader to say the server is unreachable", func() bool {
		return boxState(t, w).GetString(crm.BoxStatus) == crm.BoxStatusUnreachable
	})
	if st := boxState(t, w); st.GetInt(crm.BoxFailures) < 1 || st.GetDateTime(crm.BoxNextTryAt).IsZero() || st.GetString(crm.BoxStatusDetail) == "" {
		t.Errorf("while down: failures %d next_try_at %v detail %q", st.GetInt(crm.BoxFailures), st.GetDateTime(crm.BoxNextTryAt), st.GetString(crm.BoxStatusDetail))
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every mail", func() bool { return boxState(t, w).GetInt(crm.BoxLastUID) == total })
	waitFor(t, "status ok again", func() bool { return boxState(t, w).GetString(crm.BoxStatus) == crm.BoxStatusOK })
	var want []string
	for i := 1; i <= total; i++ {
		want = append(want, fmt.Sprintf("mail %02d", i))
	}
	if got := rec.subjects(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("taken in:\n%v\nwant each once, in order:\n%v", got, want)
	}
}

// A refused password shows as such, is retried with a growing wait, and
// the mail is read once a manager gives the right one (through the API).
func TestReaderWrongPasswordShowsStatusAndRetries(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	d.Append(t, boxAddr, rawMail("ana@a.test", "waiting", "w1@a.test"))
	rec := &taken{}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake})
	addMailbox(t, w, d, "wrong", nil)
	w.Serve(t)
	waitFor(t, "status auth_failed after two tries", func() bool {
		st := boxState(t, w)
		return st.GetString(crm.BoxStatus) == crm.BoxStatusAuth && st.GetInt(crm.BoxFailures) >= 2
	})
	if rec.count() != 0 {
		t.Fatal("mail read with a wrong password")
	}
	res := w.Do(t, http.MethodPatch, "/api/collections/mailboxes/records/"+w.ID("box"), "manager", map[string]any{"password": boxPass})
	if res.Status != http.StatusOK {
		t.Fatalf("manager sets the password: %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), boxPass) {
		t.Fatalf("the answer shows the password: %s", res.Body)
	}
	waitFor(t, "the mail once the password is right", func() bool { return rec.count() == 1 })
	waitFor(t, "status ok", func() bool {
		st := boxState(t, w)
		return st.GetString(crm.BoxStatus) == crm.BoxStatusOK && st.GetInt(crm.BoxFailures) == 0
	})
}

// A mail the intake fails on is tried again (nothing lost); the reader's
// place does not move past it until it is taken in.
func TestReaderRetriesAMailTheIntakeFailedOn(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	d.Append(t, boxAddr, rawMail("ana@a.test", "a", "f1@a.test"), rawMail("ana@a.test", "b", "f2@a.test"))
	fails := 2
	rec := &taken{fail: func(n int) error {
		if n == 2 && fails > 0 {
			fails--
			return fmt.Errorf("database is locked")
		}
		return nil
	}}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake})
	addMailbox(t, w, d, boxPass, nil)
	w.Serve(t)
	waitFor(t, "both mails", func() bool { return rec.count() == 2 })
	if got := rec.subjects(); strings.Join(got, ",") != "a,b" {
		t.Fatalf("taken in: %v", got)
	}
	waitFor(t, "last_uid 2", func() bool { return boxState(t, w).GetInt(crm.BoxLastUID) == 2 })
}

// A changed UIDVALIDITY (the folder was rebuilt) reads the folder again
// from its first mail.
func TestReaderRereadsAFolderWhoseUIDValidityChanged(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	d.Append(t, boxAddr, rawMail("ana@a.test", "a", "v1@a.test"), rawMail("ana@a.test", "b", "v2@a.test"))
	rec := &taken{}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake})
	addMailbox(t, w, d, boxPass, map[string]any{crm.BoxUIDValidity: 12345, crm.BoxLastUID: 2})
	w.Serve(t)
	waitFor(t, "both mails read again", func() bool { return rec.count() == 2 })
	waitFor(t, "the new UIDVALIDITY stored", func() bool {
		st := boxState(t, w)
		return st.GetInt(crm.BoxUIDValidity) != 12345 && st.GetInt(crm.BoxLastUID) == 2
	})
}

// An address nobody answers on: status unreachable, retried.
func TestReaderUnreachableServer(t *testing.T) {
	rec := &taken{}
	w := readerWorld(t, email.ReaderOptions{Intake: rec.intake})
	_, port, _ := strings.Cut(testkit.FreeLoopbackAddr(t), ":")
	var p int
	fmt.Sscan(port, &p)
	w.Make(t, "box", crm.Mailboxes, map[string]any{crm.BoxName: "Nowhere", crm.BoxHost: "127.0.0.1", crm.BoxPort: p,
		crm.BoxTLS: crm.BoxTLSNone, crm.BoxUser: boxAddr, crm.BoxPassword: "x", crm.BoxNewThread: email.NewThreadTimeline,
		crm.BoxActive: true, crm.BoxSource: crm.BoxFromSettings})
	w.Serve(t)
	waitFor(t, "status unreachable, tried twice", func() bool {
		st := boxState(t, w)
		return st.GetString(crm.BoxStatus) == crm.BoxStatusUnreachable && st.GetInt(crm.BoxFailures) >= 2
	})
}
