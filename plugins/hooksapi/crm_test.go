package hooksapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// apiStatus is the HTTP status an error from $crm would answer with.
func apiStatus(err error) int {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	return 0
}

// Every $crm function, called from JavaScript on a pooled runtime.
func TestCRMFunctions(t *testing.T) {
	rcv := newReceiver(t)
	dir := fixture(t, map[string]string{
		// A WhatsApp sender: 4xx is permanent, anything else is retried.
		"10_whatsapp.pb.js": fmt.Sprintf(`$crm.registerSender("whatsapp", (m) => {
  const res = $http.send({
    url: %q,
    method: "POST",
    body: JSON.stringify({ id: m.id, to: m.to, body: m.body, attempt: m.attempt }),
    headers: { "content-type": "application/json" },
  })
  if (res.statusCode >= 400 && res.statusCode < 500) {
    throw $crm.permanentError("the provider refused it: " + res.statusCode)
  }
  if (res.statusCode >= 300) {
    throw new Error("the provider answered " + res.statusCode)
  }
})
`, rcv.URL+"/wa"),
	})
	w := newWorld(t, dir)
	kase := openCase(t, w, "Sem sinal")

	t.Run("queueMessage returns the outbox's decision", func(t *testing.T) {
		evening := w.Make(t, "", crm.Contacts, map[string]any{"name": "Noturno", "email": "noite@example.com",
			"preferred_hours_start": "18:00", "preferred_hours_end": "20:00"})
		for name, c := range map[string]struct {
			script, state, reason, notBefore string
		}{
			"queued":  {fmt.Sprintf(`$crm.queueMessage({contact: %q, subject: "Olá", body: "Seu boleto"})`, w.ID("contact")), "queued", "due: goes by email", ""},
			"waiting": {fmt.Sprintf(`$crm.queueMessage({contact: %q, subject: "Olá", body: "Seu boleto"})`, evening.Id), "waiting", "waiting for the customer's hours", "2026-11-23 21:00:00.000Z"},
			"refused": {fmt.Sprintf(`$crm.queueMessage({contact: %q, purpose: "marketing", subject: "Promoção", body: "50%%"})`, w.ID("contact")), "refused", "refused: no marketing consent for email", ""},
		} {
			got := mustJS(t, w, c.script).(map[string]any)
			if got["state"] != c.state || !strings.HasPrefix(fmt.Sprint(got["reason"]), c.reason) || got["notBefore"] != c.notBefore {
				t.Errorf("%s: %v", name, got)
			}
			if id, _ := got["id"].(string); id == "" || w.Find(t, crm.Outbox, id).GetString("state") != c.state {
				t.Errorf("%s: the stored message does not say %s", name, c.state)
			}
		}
		// The rules of outbox: staff who write may queue, customers may not.
		if _, err := js(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, body: "x"}, {as: {customer: %q}})`, w.ID("contact"), w.ID("customer"))); apiStatus(err) != 403 {
			t.Errorf("a customer queued a message: %v", err)
		}
		got := mustJS(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, body: "x"}, {as: {staff: %q}})`, w.ID("contact"), w.ID("agent"))).(map[string]any)
		if got["state"] != "queued" || got["record"].(*core.Record).GetString("created_by") != w.ID("agent") {
			t.Errorf("an agent's message: %v", got)
		}
		// The decision fields are the outbox's to write.
		got = mustJS(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, body: "x", state: "sent", reason: "forged"})`, w.ID("contact"))).(map[string]any)
		if got["state"] != "queued" || got["reason"] == "forged" {
			t.Errorf("a forged state: %v", got)
		}
	})

	t.Run("contacts: find, create and update with validation and rules", func(t *testing.T) {
		if got := mustJS(t, w, `$crm.findContact("  JOAO@example.com ").id`); got != w.ID("contact") {
			t.Errorf("by email: %v", got)
		}
		if got := mustJS(t, w, `$crm.findContact("+55 (11) 98765-4321").id`); got != w.ID("contact") {
			t.Errorf("by phone: %v", got)
		}
		if got := mustJS(t, w, `$crm.findContact({email: "nobody@example.com"})`); got != nil {
			t.Errorf("nobody: %v", got)
		}
		if got := mustJS(t, w, `$crm.findContacts("stage = {:s}", {s: "customer"}).map((c) => c.id).join(",")`); got != w.ID("contact") {
			t.Errorf("findContacts: %v", got)
		}
		if got := mustJS(t, w, fmt.Sprintf(`$crm.findContacts("", {}, {as: {customer: %q}}).length`, w.ID("customer"))); fmt.Sprint(got) != "1" {
			t.Errorf("a customer lists %v contacts, want only theirs", got)
		}

		for script, fields := range map[string][]string{
			`$crm.createContact({name: "", email: "not an email"})`:       {"name", "email"},
			`$crm.createContact({name: "Ana", timezone: "Mars/Olympus"})`: {"timezone"},
		} {
			_, err := js(t, w, script)
			if apiStatus(err) != 400 {
				t.Fatalf("invalid contact: %v", err)
			}
			var apiErr *router.ApiError
			errors.As(err, &apiErr)
			for _, field := range fields {
				if _, ok := apiErr.Data[field]; !ok {
					t.Errorf("the error does not name %s: %v", field, apiErr.Data)
				}
			}
		}
		id := mustJS(t, w, `$crm.createContact({name: "Ana Lima", email: " Ana@Example.COM "}, {actor: "integration"}).id`).(string)
		ana := w.Find(t, crm.Contacts, id)
		if ana.GetString("email") != "ana@example.com" {
			t.Errorf("email kept as %q", ana.GetString("email"))
		}
		entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "event = 'contact.created' && contact = {:c}", dbx.Params{"c": id})
		if err != nil || entry.GetString("actor_type") != "integration" {
			t.Errorf("contact.created by %v (%v)", entry, err)
		}

		// As the customer: their own contact, their own fields.
		mustJS(t, w, fmt.Sprintf(`$crm.updateContact(%q, {preferred_channel: "whatsapp"}, {as: {contact: %q}})`, w.ID("contact"), w.ID("contact")))
		if w.Find(t, crm.Contacts, w.ID("contact")).GetString("preferred_channel") != "whatsapp" {
			t.Error("the customer's own change was not saved")
		}
		pref, err := w.App.FindFirstRecordByFilter(crm.Activities, "event = 'contact.preferences_changed' && contact = {:c}", dbx.Params{"c": w.ID("contact")})
		if err != nil || pref.GetString("actor_type") != "customer" || pref.GetString("customer") != w.ID("customer") {
			t.Errorf("the preferences entry is not the customer's: %v", err)
		}
		for name, script := range map[string]string{
			"a business field": fmt.Sprintf(`$crm.updateContact(%q, {owner: %q}, {as: {contact: %q}})`, w.ID("contact"), w.ID("manager"), w.ID("contact")),
			"someone else":     fmt.Sprintf(`$crm.updateContact(%q, {phone: "1"}, {as: {customer: %q}})`, w.ID("other"), w.ID("customer")),
			"a new contact":    fmt.Sprintf(`$crm.createContact({name: "X"}, {as: {customer: %q}})`, w.ID("customer")),
		} {
			if _, err := js(t, w, script); apiStatus(err) != 403 {
				t.Errorf("%s: %v, want 403", name, err)
			}
		}
		if w.Find(t, crm.Contacts, w.ID("contact")).GetString("owner") != w.ID("agent") || w.Find(t, crm.Contacts, w.ID("other")).GetString("phone") != "" {
			t.Error("a refused change was saved")
		}
	})

	t.Run("requests: move along the workflow, messages, reading for a customer", func(t *testing.T) {
		if got := mustJS(t, w, fmt.Sprintf(`$crm.moveCase(%q, "triage", {as: {staff: %q}}).getString("status_label")`, kase.Id, w.ID("agent"))); got != "Em análise" {
			t.Errorf("moved to %v", got)
		}
		_, err := js(t, w, fmt.Sprintf(`$crm.moveCase(%q, "new")`, kase.Id))
		if apiStatus(err) != 400 || !strings.Contains(fmt.Sprint(err.(*router.ApiError).Data), "solved") {
			t.Errorf("a move the workflow forbids: %v", err)
		}
		if _, err := js(t, w, fmt.Sprintf(`$crm.moveCase(%q, "solved", {as: {contact: %q}})`, kase.Id, w.ID("contact"))); apiStatus(err) != 403 {
			t.Errorf("a customer moved their request: %v", err)
		}
		if w.Find(t, crm.Cases, kase.Id).GetString("status") != "triage" {
			t.Error("a refused move was saved")
		}

		m := mustJS(t, w, fmt.Sprintf(`$crm.addCaseMessage(%q, "Já reiniciei o modem.", {as: {customer: %q}})`, kase.Id, w.ID("customer"))).(*core.Record)
		if m.GetString("author_customer") != w.ID("customer") || m.GetBool("internal") {
			t.Errorf("the customer's message: %v", m.PublicExport())
		}
		for name, script := range map[string]string{
			"an internal note":  fmt.Sprintf(`$crm.addCaseMessage(%q, "x", {as: {customer: %q}, internal: true})`, kase.Id, w.ID("customer")),
			"someone's request": fmt.Sprintf(`$crm.addCaseMessage(%q, "x", {as: {contact: %q}})`, kase.Id, w.ID("other")),
		} {
			if _, err := js(t, w, script); apiStatus(err) != 403 {
				t.Errorf("%s: %v, want 403", name, err)
			}
		}
		if got := mustJS(t, w, fmt.Sprintf(`$crm.findFor({contact: %q}, "cases", %q).id`, w.ID("contact"), kase.Id)); got != kase.Id {
			t.Errorf("findFor the owner: %v", got)
		}
		if _, err := js(t, w, fmt.Sprintf(`$crm.findFor({contact: %q}, "cases", %q)`, w.ID("other"), kase.Id)); apiStatus(err) != 404 {
			t.Errorf("findFor someone else: %v, want 404", err)
		}
		if got := mustJS(t, w, fmt.Sprintf(`$crm.listFor({contact: %q}, "cases", "").length`, w.ID("other"))); fmt.Sprint(got) != "0" {
			t.Errorf("listFor someone else: %v", got)
		}
		if got := mustJS(t, w, fmt.Sprintf(`$crm.listFor({customer: %q}, "cases", "").map((c) => c.id).join()`, w.ID("customer"))); got != kase.Id {
			t.Errorf("listFor the customer: %v, want their request", got)
		}
		if _, err := js(t, w, fmt.Sprintf(`$crm.findFor(undefined, "cases", %q)`, kase.Id)); apiStatus(err) != 400 {
			t.Errorf("findFor nobody: %v, want 400", err)
		}
	})

	t.Run("timeline, tasks, actors", func(t *testing.T) {
		entry := mustJS(t, w, fmt.Sprintf(`$crm.addToTimeline({type: "note", subject: "Ligou pela rede social", contact: %q, case: %q, actor: "integration", occurredAt: "2026-11-20 12:00:00.000Z"})`, w.ID("contact"), kase.Id)).(*core.Record)
		if entry.GetString("actor_type") != "integration" || entry.GetString("case") != kase.Id || entry.GetDateTime("occurred_at").String() != "2026-11-20 12:00:00.000Z" {
			t.Errorf("entry %v", entry.PublicExport())
		}
		if _, err := js(t, w, `$crm.addToTimeline({type: "note", subject: "about nobody"})`); apiStatus(err) != 400 {
			t.Errorf("an entry about nobody: %v", err)
		}
		task := mustJS(t, w, fmt.Sprintf(`$crm.createTask({title: "Ligar de volta", due: new Date(Date.UTC(2026, 10, 25, 15, 0)), assignee: %q, contact: %q})`, w.ID("agent"), w.ID("contact"))).(*core.Record)
		if task.GetString("status") != "open" || task.GetDateTime("due").String() != "2026-11-25 15:00:00.000Z" || task.GetString("assignee") != w.ID("agent") {
			t.Errorf("task %v", task.PublicExport())
		}
		_, err := js(t, w, `$crm.createTask({notes: "no title"})`)
		if apiStatus(err) != 400 || err.(*router.ApiError).Data["title"] == nil {
			t.Errorf("a task without a title: %v", err)
		}
		if got := mustJS(t, w, fmt.Sprintf(`const r = $app.findRecordById("tasks", %q); $crm.setActor(r, {type: "staff", staff: %q}); $crm.actorOf(r).staff`, task.Id, w.ID("agent"))); got != w.ID("agent") {
			t.Errorf("actorOf after setActor: %v", got)
		}
	})

	t.Run("settings and the business calendar", func(t *testing.T) {
		for script, want := range map[string]string{
			`$crm.settings().business.name`:                                            "Vinculo Test",
			`$crm.settings().business.hours.split("; ")[0]`:                            "mon 09:00-18:00",
			`$crm.businessHours().days.mon[0].start`:                                   "09:00",
			`$crm.businessHours().days.sun.length`:                                     "0",
			`$crm.enabled("rating_page")`:                                              "true",
			`$crm.enabled("webhooks")`:                                                 "false",
			`$crm.isOpen("2026-11-23 13:00:00.000Z")`:                                  "true",  // Monday 10:00 in São Paulo
			`$crm.isOpen(new Date(Date.UTC(2026, 10, 22, 13)))`:                        "false", // Sunday
			`$crm.nextOpen("2026-11-22 13:00:00.000Z")`:                                "2026-11-23 12:00:00.000Z",
			`$crm.addBusinessDays("2026-11-27 18:00:00.000Z", 2)`:                      "2026-12-01 18:00:00.000Z", // Friday + 2 = Tuesday
			`JSON.stringify($crm.settings()).includes("secret")`:                       "false",
			`typeof $crm.settings().webhooks.events.includes`:                          "function",
			`$crm.settings().automations.ratingRequest && "on" || "off"`:               "on",
			`Object.keys($crm).length > 25`:                                            "true",
			`(() => { try { $crm.enabled("nope") } catch (e) { return "thrown" } })()`: "thrown",
		} {
			if got := fmt.Sprint(mustJS(t, w, script)); got != want {
				t.Errorf("%s = %s, want %s", script, got, want)
			}
		}
	})

	t.Run("webhook signatures and signed links", func(t *testing.T) {
		w.Cfg.Webhooks.InboundSecret = testInboundSecret
		defer func() { w.Cfg.Webhooks.InboundSecret = "" }()
		header := mustJS(t, w, `$crm.signWebhook('{"a":1}', {secret: "a-secret-of-some-length"})`).(string)
		if err := Verify("a-secret-of-some-length", []byte(`{"a":1}`), header, DefaultTolerance, time.Now()); err != nil {
			t.Errorf("$crm.signWebhook's signature: %v", err)
		}
		signed := Sign(testInboundSecret, []byte(`{"b":2}`), time.Now())
		for script, want := range map[string]bool{
			fmt.Sprintf(`$crm.verifyWebhook('{"b":2}', %q)`, signed):                                  true,
			fmt.Sprintf(`$crm.verifyWebhook('{"b":3}', %q)`, signed):                                  false,
			fmt.Sprintf(`$crm.verifyWebhook('{"b":2}', %q, {secret: "another-one-0123456"})`, signed): false,
			`$crm.verifyWebhook('{"b":2}', "")`:                                                       false,
			`$crm.verifyLink("/p/1", $crm.signLink("/p/1", 1))`:                                       true,
			`$crm.verifyLink("/p/2", $crm.signLink("/p/1", 1))`:                                       false,
			`$crm.verifyLink("/p/1", "123.abc")`:                                                      false,
		} {
			if got := mustJS(t, w, script); got != want {
				t.Errorf("%s = %v, want %v", script, got, want)
			}
		}
		token, err := engineOf(w.App).signLink(w.App, "/p/1", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if engineOf(w.App).verifyLink(w.App, "/p/1", token, time.Now().Add(59*time.Minute)) != nil || engineOf(w.App).verifyLink(w.App, "/p/1", token, time.Now().Add(61*time.Minute)) == nil {
			t.Error("a link is valid for its time only")
		}
	})

	t.Run("transaction: all or nothing", func(t *testing.T) {
		before := counts(t, w)
		_, err := js(t, w, fmt.Sprintf(`$crm.transaction(() => {
  $crm.createTask({title: "first"})
  $crm.addToTimeline({type: "note", subject: "second", contact: %q})
  throw new Error("third fails")
})`, w.ID("contact")))
		if err == nil || !strings.Contains(err.Error(), "third fails") {
			t.Errorf("transaction error: %v", err)
		}
		sameCounts(t, "a failed transaction", before, counts(t, w))
		if got := mustJS(t, w, `$crm.transaction(() => $crm.createTask({title: "kept"}).getString("title"))`); got != "kept" {
			t.Errorf("a transaction's result: %v", got)
		}
	})

	t.Run("a JavaScript sender delivers what the outbox decided to send", func(t *testing.T) {
		wa := w.Make(t, "", crm.Contacts, map[string]any{"name": "Zap", "mobile": "+5511912345678", "preferred_channel": "whatsapp"})
		queue := func() string {
			return mustJS(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, subject: "Oi", body: "Seu pedido saiu."}).id`, wa.Id)).(string)
		}
		deliver := func() {
			if _, err := outbox.Deliver(w.App, monday10); err != nil {
				t.Fatal(err)
			}
		}
		sent := queue()
		deliver()
		if m := w.Find(t, crm.Outbox, sent); m.GetString("state") != crm.OutboxSent || m.GetString("sent_channel") != "whatsapp" {
			t.Fatalf("state %s (%s), want sent by whatsapp", m.GetString("state"), m.GetString("last_error"))
		}
		var mine []map[string]any
		for _, r := range rcv.all() {
			if body := decode(t, r.Body); body["id"] == sent {
				mine = append(mine, body)
			}
		}
		if len(mine) != 1 || mine[0]["to"] != "+5511912345678" || mine[0]["body"] != "Seu pedido saiu." {
			t.Errorf("the provider got %v", mine)
		}

		rcv.mu.Lock()
		rcv.status = http.StatusBadRequest
		rcv.mu.Unlock()
		refused := queue()
		deliver()
		if m := w.Find(t, crm.Outbox, refused); m.GetString("state") != crm.OutboxFailed || !strings.Contains(m.GetString("reason"), "the provider refused it: 400") {
			t.Errorf("a permanent error: %s %q", m.GetString("state"), m.GetString("reason"))
		}

		rcv.mu.Lock()
		rcv.status = http.StatusServiceUnavailable
		rcv.mu.Unlock()
		retried := queue()
		deliver()
		if m := w.Find(t, crm.Outbox, retried); m.GetString("state") != crm.OutboxQueued || m.GetInt("attempts") != 1 || !strings.Contains(m.GetString("last_error"), "503") {
			t.Errorf("a passing error: %s attempts %d %q", m.GetString("state"), m.GetInt("attempts"), m.GetString("last_error"))
		}
	})

	t.Run("safe to call from many goroutines", func(t *testing.T) {
		before := w.Count(t, crm.Tasks, "title LIKE 'parallel %'")
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 4 {
					_, err := js(t, w, fmt.Sprintf(`{
const c = $crm.findContact("joao@example.com")
$crm.createTask({title: "parallel %d-%d", contact: c.id})
$crm.queueMessage({contact: c.id, subject: "p", body: "p"}).state
$crm.isOpen() === true || $crm.isOpen() === false
$crm.verifyLink("/x", $crm.signLink("/x", 1))
}`, g, i))
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := w.Count(t, crm.Tasks, "title LIKE 'parallel %'"); n-before != 48 {
			t.Errorf("%d tasks, want 48", n-before)
		}
	})
}
