package crash

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vinculo/testkit"
)

const (
	mailContacts = 6
	mailsEach    = 60
)

// The outbox killed while it delivers (no SMTP: mail goes to the data
// dir's mail folder): after a restart and the claim's expiry every message
// ends sent, none lost; a message sent but not yet recorded at the kill
// goes twice, and such duplicates are counted.
//
// The backlog: service messages to contacts whose contact days exclude
// today wait; clearing the days releases them all at once.
func TestCrashWhileDelivering(t *testing.T) {
	stopWhileDelivering(t, "crash-outbox", false)
}

// The outbox stopped gracefully (SIGTERM) while it delivers: the send in
// progress ends and is recorded, the process releases its claims, and the
// next start sends the rest at once, with no claim to wait for and no
// message twice.
func TestGracefulStopWhileDelivering(t *testing.T) {
	stopWhileDelivering(t, "crash-outbox-sigterm", true)
}

// stopWhileDelivering queues a backlog, releases it, stops the server once
// a quarter went (SIGTERM when graceful, else SIGKILL), starts it again and
// counts what was lost and what went twice.
func stopWhileDelivering(t *testing.T, name string, graceful bool) {
	bin := testkit.Binary(t)
	dir := newDataDir(t, bin)
	s := start(t, bin, dir)
	token, _ := s.staff(t)
	for run := 1; run <= runs(t); run++ {
		prefix := fmt.Sprintf("%s mail r%d-", name, run)
		contacts := queueWaiting(t, s, token, run, prefix)
		db := openDB(t, dir)
		total := mailContacts * mailsEach
		sentQuery := "SELECT count(*) FROM outbox WHERE subject LIKE ? AND state = 'sent'"
		if n := count(t, db, "SELECT count(*) FROM outbox WHERE subject LIKE ? AND state = 'waiting'", prefix+"%"); n != total {
			t.Fatalf("%d of %d messages wait before the release", n, total)
		}

		// Release them, and stop the server once a quarter went.
		for _, c := range contacts {
			s.must(t, "PATCH", "/api/collections/contacts/records/"+c, token, map[string]any{"preferred_days": []string{}}, nil)
		}
		deadline := time.Now().Add(time.Minute)
		for len(mails(t, dir, prefix)) < total/4 {
			if time.Now().After(deadline) {
				t.Fatalf("the outbox sent %d of %d in a minute", len(mails(t, dir, prefix)), total)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if graceful {
			s.terminate(t)
		} else {
			s.kill()
		}
		atStop := mails(t, dir, prefix)
		sentAtStop := count(t, db, sentQuery, prefix+"%")
		claimed := count(t, db, "SELECT count(*) FROM outbox WHERE claim != ''")
		if graceful && claimed != 0 {
			t.Errorf("%d messages still claimed after a graceful stop", claimed)
		}
		if !graceful {
			// The claim's 10 minutes pass (the binary has no setting for
			// them; Options.ClaimTTL shortens them for tests in process).
			if _, err := db.Exec("UPDATE outbox SET claimed_at = '2000-01-01 00:00:00.000Z' WHERE claim != ''"); err != nil {
				t.Fatal(err)
			}
		}

		// The start of the server runs the worker: what is due goes at
		// once, without waiting for the cron's minute.
		restarted := time.Now()
		s = start(t, bin, dir)
		token, _ = s.staff(t)
		deadline = time.Now().Add(time.Minute)
		for count(t, db, sentQuery, prefix+"%") < total {
			if time.Now().After(deadline) {
				t.Fatalf("after the restart only %d of %d messages are sent", count(t, db, sentQuery, prefix+"%"), total)
			}
			time.Sleep(20 * time.Millisecond)
		}
		got := mails(t, dir, prefix)
		var lost, duplicates int
		for i := 1; i <= total; i++ {
			switch n := got[fmt.Sprintf("%s%04d", prefix, i)]; {
			case n == 0:
				lost++
				t.Errorf("message %s%04d is marked sent but no mail went", prefix, i)
			case n > 1:
				duplicates += n - 1
			}
		}
		if graceful && duplicates > 0 {
			t.Errorf("%d messages went twice across a graceful stop", duplicates)
		}
		t.Logf("%s run=%d messages=%d mailed_at_kill=%d recorded_sent_at_kill=%d claimed_at_kill=%d all_sent_after=%s lost=%d duplicates=%d integrity=%s",
			name, run, total, len(atStop), sentAtStop, claimed, time.Since(restarted).Round(time.Millisecond), lost, duplicates, integrity(t, dir))
	}
}

// terminate stops the server as systemd or Ctrl-C does (SIGTERM) and waits
// for it to exit.
func (s *server) terminate(t *testing.T) {
	t.Helper()
	if !s.Running() {
		t.Fatal("the server had already exited")
	}
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Exited():
	case <-time.After(time.Minute):
		t.Fatalf("the server did not stop within a minute of SIGTERM:\n%s", s.Output())
	}
	s.client.CloseIdleConnections()
}

// queueWaiting makes the contacts and queues their messages, which wait:
// the contacts take messages only on a weekday three days away.
func queueWaiting(t *testing.T, s *server, token string, run int, prefix string) []string {
	t.Helper()
	day := strings.ToLower(time.Now().UTC().AddDate(0, 0, 3).Weekday().String()[:3])
	var contacts []string
	for c := 1; c <= mailContacts; c++ {
		var rec struct {
			ID string `json:"id"`
		}
		s.must(t, "POST", "/api/collections/contacts/records", token, map[string]any{"name": fmt.Sprintf("Mail Contact %d-%d", run, c),
			"email": fmt.Sprintf("mail%d.%d@outbox.test", run, c), "preferred_days": []string{day}}, &rec)
		contacts = append(contacts, rec.ID)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := map[string]any{"contact": contacts[(i-1)%mailContacts], "purpose": "service", "state": "queued",
					"subject": fmt.Sprintf("%s%04d", prefix, i), "body": "A message to count after a crash."}
				if status, raw, err := s.do("POST", "/api/collections/outbox/records", token, body); err != nil || status != 200 {
					t.Errorf("queue message %d: %d %v %s", i, status, err, raw)
				}
			}
		}()
	}
	for i := 1; i <= mailContacts*mailsEach; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return contacts
}

// mails counts the mail folder's messages by subject, those of prefix.
func mails(t *testing.T, dir, prefix string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				break // the headers end
			}
			if subject, ok := strings.CutPrefix(line, "Subject: "); ok && strings.HasPrefix(subject, prefix) {
				out[subject]++
			}
		}
		fh.Close()
	}
	return out
}
