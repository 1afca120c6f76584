package hooksapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// webhookWorld: no hooks of its own, webhooks.url set to a loopback
// receiver, and quick retries.
func webhookWorld(t *testing.T, waits ...time.Duration) (*testkit.World, *receiver) {
	t.Helper()
	old := retryWaits
	retryWaits = waits
	t.Cleanup(func() { retryWaits = old })
	rcv := newReceiver(t)
	w := newWorld(t, fixture(t, map[string]string{"10_none.pb.js": "// no hooks: the tests call $crm\n"}), func(c *crm.Config) {
		c.Webhooks = crm.Webhooks{URL: rcv.URL + "/hooks", Secret: testWebhookSecret, Events: []string{"none.of.these"}}
	})
	return w, rcv
}

func setStatus(r *receiver, status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

// restart ends w's app as PocketBase ends it and puts in its place a new
// app on the same data dir, with Vinculo's plugins and these hooks, served.
func restart(t *testing.T, w *testkit.World) {
	t.Helper()
	start(t, w, w.Stop(t))
}

// start puts in w's app's place a new app on dataDir, with Vinculo's
// plugins and w's hooks, served.
func start(t *testing.T, w *testkit.World, dataDir string) {
	t.Helper()
	second := w.Reopen(t, dataDir, func(app core.App, cfg *crm.Config) error {
		WithoutShipped(app) // w's own hooks alone, as before the restart
		if err := Register(app, cfg); err != nil {
			return err
		}
		t.Cleanup(func() { engineOf(app).close() })
		return nil
	}, plugins.All, func(app core.App, _ *crm.Config) error {
		return outbox.Configure(app, outbox.Options{Manual: true})
	})
	testkit.Serve(t, second) // serving resumes what is due
}

// eventually polls cond until it holds or 15 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An outbound webhook is kept in the database with its retries: one that
// failed (the receiver answered 500) is tried again by the app that runs
// on the same data dir after a restart, and is delivered once.
func TestWebhookRetriedAfterRestart(t *testing.T) {
	w, rcv := webhookWorld(t, 0, 800*time.Millisecond, 800*time.Millisecond, 800*time.Millisecond)
	setStatus(rcv, http.StatusInternalServerError)

	id := mustJS(t, w, `$crm.postWebhook("invoice.paid", {invoice: "INV-7"})`).(string)
	Wait(w.App)
	d := w.Find(t, crm.WebhookDeliveries, id)
	if d.GetString("state") != crm.WebhookPending || d.GetInt("attempts") != 1 || !strings.Contains(d.GetString("last_error"), "500") ||
		d.GetString("url") != rcv.URL+"/hooks" || d.GetString("event") != "invoice.paid" || d.GetDateTime("next_at").IsZero() {
		t.Fatalf("after a 500: %v", d.FieldsData())
	}
	if d.GetString("secret") != "" {
		t.Error("the configured secret was copied into the delivery")
	}

	dataDir := w.Stop(t)
	failed := len(rcv.all())
	setStatus(rcv, http.StatusOK)
	start(t, w, dataDir)
	eventually(t, "delivered after the restart", func() bool {
		return w.Find(t, crm.WebhookDeliveries, id).GetString("state") == crm.WebhookSent
	})
	time.Sleep(2 * time.Second) // a second delivery would come by now
	got := rcv.all()
	if len(got) != failed+1 {
		t.Fatalf("%d requests after the restart, want 1 (delivered once)", len(got)-failed)
	}
	last := got[len(got)-1]
	if err := Verify(testWebhookSecret, last.Body, last.Header.Get(SignatureHeader), DefaultTolerance, time.Now()); err != nil {
		t.Errorf("signature after the restart: %v", err)
	}
	if !bytes.Equal(last.Body, got[0].Body) || last.Header.Get(DeliveryHeader) != id || last.Header.Get(EventHeader) != "invoice.paid" {
		t.Errorf("the delivery after the restart: %s %v, want the first body %s", last.Body, last.Header, got[0].Body)
	}
	p := decode(t, last.Body)
	if p["id"] != id || p["event"] != "invoice.paid" || fmt.Sprint(p["data"]) != "map[invoice:INV-7]" {
		t.Errorf("payload %s", last.Body)
	}
	d = w.Find(t, crm.WebhookDeliveries, id)
	if d.GetInt("attempts") != failed+1 || d.GetString("last_error") != "" || d.GetDateTime("sent_at").IsZero() {
		t.Errorf("the delivery once sent: %v", d.FieldsData())
	}
}

// Retries back off and end: a receiver that keeps failing gets every
// attempt, then the delivery is failed and logged; one that refuses it
// (a 4xx) gets it once; a delivery in a transaction that rolls back is
// never written nor sent.
func TestWebhookRetriesEnd(t *testing.T) {
	w, rcv := webhookWorld(t, 0, 50*time.Millisecond, 100*time.Millisecond)
	keepLogs(w)
	setStatus(rcv, http.StatusServiceUnavailable)
	down := mustJS(t, w, `$crm.postWebhook("a.event", {n: 1})`).(string)
	eventually(t, "given up", func() bool { return w.Find(t, crm.WebhookDeliveries, down).GetString("state") == crm.WebhookFailed })
	if d := w.Find(t, crm.WebhookDeliveries, down); d.GetInt("attempts") != 3 || !strings.Contains(d.GetString("last_error"), "503") || len(rcv.all()) != 3 {
		t.Errorf("after every attempt failed: %v, %d requests", d.FieldsData(), len(rcv.all()))
	}
	if len(logs(t, w, "Webhook not delivered")) != 1 {
		t.Error("a delivery given up is not logged")
	}

	setStatus(rcv, http.StatusGone)
	refused := mustJS(t, w, `$crm.postWebhook("a.event", {n: 2}, {url: `+fmt.Sprintf("%q", rcv.URL+"/other")+`, secret: "its-own-secret-0123456"})`).(string)
	eventually(t, "refused", func() bool { return w.Find(t, crm.WebhookDeliveries, refused).GetString("state") == crm.WebhookFailed })
	if d := w.Find(t, crm.WebhookDeliveries, refused); d.GetInt("attempts") != 1 || len(rcv.all()) != 4 ||
		Verify("its-own-secret-0123456", rcv.all()[3].Body, rcv.all()[3].Header.Get(SignatureHeader), DefaultTolerance, time.Now()) != nil {
		t.Errorf("a delivery refused with 410: %v, %d requests", d.FieldsData(), len(rcv.all()))
	}

	before := w.Count(t, crm.WebhookDeliveries, "")
	if _, err := js(t, w, `$crm.transaction(() => { $crm.postWebhook("a.event", {n: 3}); throw new Error("rolled back") })`); err == nil {
		t.Fatal("the transaction did not fail")
	}
	Wait(w.App)
	if n := w.Count(t, crm.WebhookDeliveries, ""); n != before || len(rcv.all()) != 4 {
		t.Errorf("a rolled back delivery: %d deliveries (was %d), %d requests", n, before, len(rcv.all()))
	}
}

// A signed inbound request is accepted once: the same request again, while
// its time is fresh, is refused with 409 and writes nothing, after a restart
// too; signed anew, it is accepted. Signatures too old to be accepted anyway
// are pruned.
func TestInboundWebhookReplayRefused(t *testing.T) {
	w, _ := shippedWorld(t)
	raw := []byte(`{"channel":"chat","from":{"email":"replay@example.com","name":"Replay"},"text":"Olá"}`)
	header := Sign(testInboundSecret, raw, time.Now())
	post := func(header string) (int, string) {
		return sendRaw(t, w, http.MethodPost, "/api/crm/inbound", raw, map[string]string{"Content-Type": "application/json", SignatureHeader: header})
	}
	if code, body := post(header); code != http.StatusCreated {
		t.Fatalf("first: %d %s", code, body)
	}
	before := counts(t, w)
	code, body := post(header)
	if code != http.StatusConflict || !strings.Contains(body, "received before") {
		t.Errorf("replayed: %d %s, want 409", code, body)
	}
	// The same signature among others (a header rewritten) is the same request.
	if code, _ := post("v1=00," + header); code != http.StatusConflict {
		t.Errorf("replayed with its header rewritten: %d, want 409", code)
	}
	sameCounts(t, "a replayed request", before, counts(t, w))
	if code, body := post(Sign(testInboundSecret, raw, time.Now().Add(time.Second))); code != http.StatusCreated {
		t.Errorf("signed anew: %d %s", code, body)
	}

	restart(t, w)
	if err := Accept(w.App, testInboundSecret, raw, header, DefaultTolerance, time.Now()); err != ErrReplayed {
		t.Errorf("after a restart: %v, want ErrReplayed", err)
	}
	table := func() int {
		var n int
		if err := w.App.DB().Select("count(*)").From(crm.WebhookSignaturesTable).Row(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := table(); n != 2 {
		t.Errorf("%d signatures kept, want 2", n)
	}
	later := time.Now().Add(DefaultTolerance + time.Minute)
	if err := Accept(w.App, testInboundSecret, raw, Sign(testInboundSecret, raw, later), DefaultTolerance, later); err != nil {
		t.Fatal(err)
	}
	if n := table(); n != 1 {
		t.Errorf("%d signatures kept once the first two are too old, want 1", n)
	}
	if n := w.Count(t, crm.Contacts, "email = {:e}", dbx.Params{"e": "replay@example.com"}); n != 1 {
		t.Errorf("%d contacts from the inbound messages, want 1", n)
	}
}
