package outbox_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// A failed send is retried with exponential back-off, each retry decided
// again when due (here it falls after the customer's hours).
func TestRetryAfterAFailedSend(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "service", "sms", "granted")
	sms := &recorder{fail: func(n int) error {
		if n == 1 {
			return errors.New("gateway timeout")
		}
		return nil
	}}
	useSender(t, w, "sms", sms)
	m := queue(t, w, "2026-11-24 11:59", map[string]any{"purpose": "service", "channel": "sms", "subject": "Seu pedido", "body": "Chegou."})

	if res := deliver(t, w, "2026-11-24 11:59"); res.Retrying != 1 {
		t.Fatalf("first attempt: %+v", res)
	}
	m = expect(t, w, m, crm.OutboxQueued, "attempt 1 of 5 failed, next at 2026-11-24 12:00 America/Sao_Paulo: gateway timeout")
	expectAt(t, m, "not_before", "2026-11-24 12:00")
	if m.GetInt("attempts") != 1 || m.GetString("last_error") != "gateway timeout" {
		t.Errorf("attempts %d last_error %q", m.GetInt("attempts"), m.GetString("last_error"))
	}
	if res := deliver(t, w, "2026-11-24 11:59"); res != (outbox.Result{}) {
		t.Errorf("retried before its time: %+v", res)
	}

	// 12:00 is past the customer's hours: the retry waits for tomorrow.
	deliver(t, w, "2026-11-24 12:00")
	expectAt(t, expect(t, w, m, crm.OutboxWaiting, "the customer's hours"), "not_before", "2026-11-25 09:00")
	if res := deliver(t, w, "2026-11-25 09:00"); res.Sent != 1 {
		t.Fatalf("second attempt: %+v", res)
	}
	m = expect(t, w, m, crm.OutboxSent, "sent by sms to +5511999990000")
	if m.GetInt("attempts") != 2 || m.GetString("last_error") != "" {
		t.Errorf("attempts %d last_error %q", m.GetInt("attempts"), m.GetString("last_error"))
	}
	got := sms.messages()
	if len(got) != 2 || got[0].Attempt != 1 || got[1].Attempt != 2 || got[1].Body != "Chegou." || got[1].ID != m.Id {
		t.Errorf("sender got %+v", got)
	}
}

// Back-off doubles; after MaxAttempts the message fails with the last
// error. An error marked permanent fails at once.
func TestRetryGivesUp(t *testing.T) {
	w := newWorld(t)
	if err := outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true, MaxAttempts: 3, FirstRetry: 2 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	w.Update(t, w.R("contact"), map[string]any{"preferred_days": []string{}, "preferred_hours_start": "", "preferred_hours_end": ""})
	consent(t, w, w.R("contact"), "service", "sms", "granted")
	consent(t, w, w.R("contact"), "service", "whatsapp", "granted")
	calls := 0
	sms := &recorder{fail: func(n int) error { calls = n; return fmt.Errorf("provider down (%d)", n) }}
	useSender(t, w, "sms", sms)
	useSender(t, w, "whatsapp", &recorder{fail: func(int) error { return fmt.Errorf("%w: not on WhatsApp", outbox.ErrPermanent) }})

	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "sms", "subject": "Aviso"})
	deliver(t, w, "2026-11-24 10:00")
	expectAt(t, w.Reload(t, m), "not_before", "2026-11-24 10:02") // 2 minutes
	deliver(t, w, "2026-11-24 10:02")
	expectAt(t, w.Reload(t, m), "not_before", "2026-11-24 10:06") // then 4
	deliver(t, w, "2026-11-24 10:05")
	if calls != 2 {
		t.Fatalf("%d calls before 10:06, want 2", calls)
	}
	if res := deliver(t, w, "2026-11-24 10:06"); res.Failed != 1 {
		t.Fatalf("third attempt: %+v", res)
	}
	m = expect(t, w, m, crm.OutboxFailed, "failed after 3 attempt(s): provider down (3)")
	if m.GetInt("attempts") != 3 || m.GetString("last_error") != "provider down (3)" {
		t.Errorf("attempts %d last_error %q", m.GetInt("attempts"), m.GetString("last_error"))
	}
	deliver(t, w, "2026-11-24 12:00")
	if calls != 3 {
		t.Errorf("%d calls, want 3: a failed message is not tried again", calls)
	}

	p := queue(t, w, "2026-11-24 12:00", map[string]any{"purpose": "service", "channel": "whatsapp", "subject": "Aviso"})
	deliver(t, w, "2026-11-24 12:00")
	expect(t, w, p, crm.OutboxFailed, "failed after 1 attempt(s): permanent failure: not on WhatsApp")
}

// All state is in the database: a new app on the same data dir sends what
// is due, once; a claim left by a dead worker is taken over when it expires.
func TestSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	due := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Agora"})
	later := queue(t, w, "2026-11-24 14:00", marketing("Amanhã"))
	crashed := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Interrompida"})
	w.Update(t, crashed, map[string]any{"claim": "a-worker-that-died", "claimed_at": testkit.Wall(t, "2026-11-24 10:00").UTC()})

	// The process ends as PocketBase ends it.
	dataDir := w.Stop(t)
	w.Reopen(t, dataDir, plugins.All, func(app core.App, _ *crm.Config) error { return manualOutbox(w, app) })

	if res := deliver(t, w, "2026-11-24 10:05"); res.Sent != 1 {
		t.Fatalf("after the restart: %+v, want the due one sent", res)
	}
	expect(t, w, due, crm.OutboxSent, "")
	expect(t, w, crashed, crm.OutboxQueued, "") // its claim is still fresh
	if res := deliver(t, w, "2026-11-24 10:11"); res.Sent != 1 {
		t.Fatalf("after the claim expired: %+v", res)
	}
	expect(t, w, crashed, crm.OutboxSent, "")
	if res := deliver(t, w, "2026-11-25 09:00"); res.Sent != 1 {
		t.Fatalf("at the customer's hours: %+v", res)
	}
	expect(t, w, later, crm.OutboxSent, "")
	for _, when := range []string{"2026-11-25 09:00", "2026-11-26 10:00"} {
		if res := deliver(t, w, when); res != (outbox.Result{}) {
			t.Errorf("at %s: %+v, want nothing", when, res)
		}
	}
	mails := w.Mails(t)
	var subjects []string
	for _, raw := range mails {
		subjects = append(subjects, parseMail(t, raw).subject)
	}
	if len(mails) != 3 {
		t.Errorf("%d mails, want 3 (one per message): %v", len(mails), subjects)
	}
}

// Deliver runs that overlap never send one message twice.
func TestConcurrentDeliverSendsEachMessageOnce(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "service", "chat", "granted")
	chat := &recorder{}
	useSender(t, w, "chat", chat)
	const messages, workers = 120, 8 // more than one batch of due messages
	for i := range messages {
		queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "channel": "chat", "subject": fmt.Sprintf("Mensagem %d", i)})
	}
	now := testkit.Wall(t, "2026-11-24 10:00")
	start := make(chan struct{})
	results := make([]outbox.Result, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = outbox.Deliver(w.App, now)
		}()
	}
	close(start)
	wg.Wait()

	sent := 0
	for i := range workers {
		if errs[i] != nil {
			t.Errorf("worker %d: %v", i, errs[i])
		}
		sent += results[i].Sent
	}
	perMessage := map[string]int{}
	for _, m := range chat.messages() {
		perMessage[m.ID]++
	}
	if sent != messages || len(chat.messages()) != messages || len(perMessage) != messages {
		t.Errorf("sent %d, sender called %d times for %d messages; want %d each", sent, len(chat.messages()), len(perMessage), messages)
	}
	for id, n := range perMessage {
		if n != 1 {
			t.Errorf("message %s sent %d times", id, n)
		}
	}
	if n, _ := w.App.CountRecords(crm.Outbox); n != messages {
		t.Errorf("%d messages in the outbox", n)
	}
}

// A queue that commits is delivered right away in the background; one that
// rolls back sends nothing.
func TestQueueStartsDelivery(t *testing.T) {
	w := newWorld(t)
	if err := outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Já"})
	outbox.Wait(w.App)
	expect(t, w, m, crm.OutboxSent, "")

	outboxes, _ := w.App.FindCollectionByNameOrId(crm.Outbox)
	err := w.App.RunInTransaction(func(tx core.App) error {
		r := core.NewRecord(outboxes)
		r.Load(map[string]any{"contact": w.ID("contact"), "purpose": "service", "subject": "Desfeita", "state": crm.OutboxQueued})
		if err := tx.Save(r); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("the transaction should fail")
	}
	outbox.Wait(w.App)
	if n, _ := w.App.CountRecords(crm.Outbox); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if n := len(w.Mails(t)); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
}

// Staff queue through the record API (in their own name); bad input is a
// 400 that names the field and writes nothing; customers can't queue.
func TestQueueThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	srv := w.Serve(t)
	agent := w.Make(t, "", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.example", "role": crm.RoleAgent})
	other := w.Make(t, "", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	customer := w.Make(t, "", crm.Customers, map[string]any{"email": "ana@example.com", "contact": w.ID("contact"), "company_role": crm.CompanyMember})
	staff := testkit.Token(t, agent)
	w.Clock.Set(testkit.Wall(t, "2026-11-24 14:00"))

	res := srv.Do(t, http.MethodPost, "/api/collections/outbox/records", staff,
		map[string]any{"contact": w.ID("contact"), "purpose": "service", "state": crm.OutboxQueued, "subject": "Olá", "body": "Tudo certo?"})
	if res.Status != http.StatusOK {
		t.Fatalf("queue: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	res.JSON(t, &out)
	if out["state"] != crm.OutboxWaiting || out["created_by"] != agent.Id || !strings.Contains(fmt.Sprint(out["reason"]), "the customer's hours") {
		t.Errorf("queued: %v", out)
	}

	count := func() int64 {
		n, err := w.App.CountRecords(crm.Outbox)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := map[string]any{"contact": w.ID("contact"), "purpose": "service", "state": crm.OutboxQueued, "subject": "Olá"}
	with := func(extra map[string]any, drop ...string) map[string]any {
		body := map[string]any{}
		for k, v := range base {
			body[k] = v
		}
		for _, k := range drop {
			delete(body, k)
		}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	for _, c := range []struct {
		name  string
		token string
		body  map[string]any
		field string // "" when a rule refuses it (no field to name)
	}{
		{"an unknown template", staff, with(map[string]any{"template": "nope"}), "template"},
		{"nothing to send", staff, with(nil, "subject"), "body"},
		{"a channel that carries nothing", staff, with(map[string]any{"channel": "in_person"}), "channel"},
		{"data that is not an object", staff, with(map[string]any{"data": []int{1, 2}}), "data"},
		{"in someone else's name", staff, with(map[string]any{"created_by": other.Id}), "created_by"},
		{"an unknown purpose", staff, with(map[string]any{"purpose": "spam"}), "purpose"},
		{"already sent", staff, with(map[string]any{"state": crm.OutboxSent}), ""},
		{"with its own reason", staff, with(map[string]any{"reason": "trust me"}), ""},
		{"with its own time", staff, with(map[string]any{"not_before": "2026-11-24 12:00:00.000Z"}), ""},
		{"with a claim", staff, with(map[string]any{"claim": "mine"}), ""},
		{"by a customer", testkit.Token(t, customer), base, ""},
		{"anonymously", "", base, ""},
	} {
		before := count()
		res := srv.Do(t, http.MethodPost, "/api/collections/outbox/records", c.token, c.body)
		if res.Status != http.StatusBadRequest || count() != before {
			t.Errorf("%s: %d %s; want 400 and nothing written", c.name, res.Status, res.Body)
			continue
		}
		if c.field != "" {
			var body struct {
				Data map[string]any `json:"data"`
			}
			res.JSON(t, &body)
			if _, ok := body.Data[c.field]; !ok {
				t.Errorf("%s: the error does not name %s: %s", c.name, c.field, res.Body)
			}
		}
	}
}

// A manager re-queues a failed message: it is decided again and its
// attempts start over.
func TestManagerRequeues(t *testing.T) {
	w := newWorld(t)
	srv := w.Serve(t)
	manager := w.Make(t, "", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	consent(t, w, w.R("contact"), "marketing", "sms", "granted")
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "marketing", "channel": "sms", "subject": "Oferta"})
	expect(t, w, m, crm.OutboxFailed, "no sender")

	sms := &recorder{}
	useSender(t, w, "sms", sms)
	res := srv.Do(t, http.MethodPatch, "/api/collections/outbox/records/"+m.Id, testkit.Token(t, manager), map[string]any{"state": crm.OutboxQueued})
	if res.Status != http.StatusOK {
		t.Fatalf("re-queue: %d %s", res.Status, res.Body)
	}
	expect(t, w, m, crm.OutboxQueued, "due")
	deliver(t, w, "2026-11-24 10:00")
	if m = expect(t, w, m, crm.OutboxSent, "sent by sms"); m.GetInt("attempts") != 1 {
		t.Errorf("attempts %d", m.GetInt("attempts"))
	}
}

// Senders belong to one app: another app's sender for the channel is no
// sender here.
func TestSendersArePerApp(t *testing.T) {
	w, other := newWorld(t), newWorld(t)
	sms := &recorder{}
	useSender(t, other, "sms", sms)
	consent(t, w, w.R("contact"), crm.PurposeService, "sms", "granted")
	m := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": crm.PurposeService, "channel": "sms", "subject": "Aviso"})
	expect(t, w, m, crm.OutboxFailed, "no sender is registered for the sms channel")

	consent(t, other, other.R("contact"), crm.PurposeService, "sms", "granted")
	n := queue(t, other, "2026-11-24 10:00", map[string]any{"purpose": crm.PurposeService, "channel": "sms", "subject": "Aviso"})
	deliver(t, other, "2026-11-24 10:00")
	expect(t, other, n, crm.OutboxSent, "sent by sms")
	if got := sms.messages(); len(got) != 1 || got[0].ID != n.Id {
		t.Errorf("the sender got %+v", got)
	}
}
