package requests_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

func checkQueued(t *testing.T, m *core.Record, c *core.Record, template, status, label string, urgent bool) {
	t.Helper()
	if m.GetString("contact") != c.GetString("contact") || m.GetString("case") != c.Id || m.GetString("purpose") != "service" ||
		m.GetString("template") != template || m.GetString("state") != crm.OutboxQueued || m.GetBool("urgent") != urgent {
		t.Errorf("queued %s: contact %q case %q purpose %q template %q state %q urgent %v",
			template, m.GetString("contact"), m.GetString("case"), m.GetString("purpose"), m.GetString("template"), m.GetString("state"), m.GetBool("urgent"))
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(m.GetString("data")), &data); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"reference": c.GetString("reference"), "subject": c.GetString("subject"), "status": status, "status_label": label, "type": "Suporte"}
	if len(data) != len(want) {
		t.Errorf("data %v, want %v", data, want)
	}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("data.%s = %v, want %v", k, data[k], v)
		}
	}
}

// Every request tells its customer it was opened (with its reference) and
// every change of status, through the outbox, in the same transaction.
func TestStatusChangesReachTheCustomer(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	customer := w.Token(t, "customer")

	// Opened by the customer.
	res, out := create(t, w, customer, map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Roteador reiniciando"})
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	c := w.Find(t, crm.Cases, out["id"].(string))
	queued := outbox(t, w, c.Id)
	if len(queued) != 1 {
		t.Fatalf("%d messages queued on open, want 1", len(queued))
	}
	checkQueued(t, queued[0], c, crm.TemplateCaseOpened, "new", "Recebido", false)

	// Each change of status, with its public label.
	for i, step := range []struct{ status, label string }{{"triage", "Em análise"}, {"solved", "Resolvido"}, {"triage", "Em análise"}} {
		if res := patch(t, w, staff, c.Id, map[string]any{"status": step.status}); res.Status != http.StatusOK {
			t.Fatalf("to %s: %d %s", step.status, res.Status, res.Body)
		}
		queued = outbox(t, w, c.Id)
		if len(queued) != i+2 {
			t.Fatalf("to %s: %d messages, want %d", step.status, len(queued), i+2)
		}
		checkQueued(t, queued[i+1], w.Find(t, crm.Cases, c.Id), crm.TemplateCaseStatus, step.status, step.label, false)
	}

	// Nothing when the status does not change: other fields, the same
	// status sent again, a save from Go code, a refused status.
	before := len(outbox(t, w, c.Id))
	for _, body := range []map[string]any{{"description": "Mais detalhes"}, {"status": "triage"}, {"priority": "high", "status": "triage"}} {
		if res := patch(t, w, staff, c.Id, body); res.Status != http.StatusOK {
			t.Fatalf("%v: %d %s", body, res.Status, res.Body)
		}
	}
	if err := w.App.Save(w.Find(t, crm.Cases, c.Id)); err != nil {
		t.Fatal(err)
	}
	if res := patch(t, w, staff, c.Id, map[string]any{"status": "bogus"}); res.Status != http.StatusBadRequest {
		t.Fatalf("bogus status: %d", res.Status)
	}
	if n := len(outbox(t, w, c.Id)); n != before {
		t.Errorf("%d messages queued without a change of status", n-before)
	}
}

// A request opened by staff as urgent: its messages are urgent too.
func TestUrgentRequestsSendUrgentMessages(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	res, out := create(t, w, staff, map[string]any{"type": w.ID("support"), "contact": w.ID("stranger"), "subject": "Sem energia", "priority": "urgent"})
	if res.Status != http.StatusOK {
		t.Fatalf("staff create: %d %s", res.Status, res.Body)
	}
	u := w.Find(t, crm.Cases, out["id"].(string))
	if res := patch(t, w, staff, u.Id, map[string]any{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	queued := outbox(t, w, u.Id)
	if len(queued) != 2 {
		t.Fatalf("%d messages for the urgent case, want 2", len(queued))
	}
	checkQueued(t, queued[0], u, crm.TemplateCaseOpened, "new", "Recebido", true)
	checkQueued(t, queued[1], w.Find(t, crm.Cases, u.Id), crm.TemplateCaseStatus, "solved", "Resolvido", true)
}

// A case refused for bad input queues nothing.
func TestRefusedRequestQueuesNothing(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	all, _ := w.App.CountRecords(crm.Outbox)
	if res, _ := create(t, w, staff, map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "x", "status": "bogus"}); res.Status != http.StatusBadRequest {
		t.Fatalf("bad case: %d", res.Status)
	}
	if after, _ := w.App.CountRecords(crm.Outbox); after != all {
		t.Errorf("a refused case queued %d messages", after-all)
	}
}

// The message and the change commit together: when the message cannot be
// queued, the change is not saved either.
func TestStatusChangeAndMessageAreOneTransaction(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	w.App.OnRecordCreate(crm.Outbox).BindFunc(func(e *core.RecordEvent) error {
		return errOutboxDown
	})
	before := snapshot(t, w.Find(t, crm.Cases, c.Id))
	if res := patch(t, w, staff, c.Id, map[string]any{"status": "triage"}); res.Status < 400 {
		t.Fatalf("the change was accepted without its message: %d %s", res.Status, res.Body)
	}
	if snapshot(t, w.Find(t, crm.Cases, c.Id)) != before {
		t.Error("the case changed although its message was not queued")
	}
	n := w.Count(t, crm.Cases, "")
	if res, _ := create(t, w, staff, map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "x"}); res.Status < 400 {
		t.Fatalf("a case was opened without its message: %d", res.Status)
	}
	if w.Count(t, crm.Cases, "") != n {
		t.Error("the case was saved although its message was not queued")
	}
}

type outboxDown struct{}

func (outboxDown) Error() string { return "outbox unavailable" }

var errOutboxDown error = outboxDown{}

// History brought in quietly (the demo, imports) tells the customer nothing.
func TestQuietSavesQueueNothing(t *testing.T) {
	w := newWorld(t)
	count := func() int64 {
		n, err := w.App.CountRecords(crm.Outbox)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	c, err := w.App.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "An old request"})
	requests.Quietly(r)
	if err := w.App.Save(r); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before {
		t.Errorf("a quiet save queued %d messages", got-before)
	}
	// a later change made the usual way is told as usual
	fresh, _ := w.App.FindRecordById(crm.Cases, r.Id)
	fresh.Set("status", "triage")
	if err := w.App.Save(fresh); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before+1 {
		t.Errorf("a status change queued %d messages, want 1", got-before)
	}
}
