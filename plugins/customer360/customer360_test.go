package customer360_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/requests"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

const bulkEntries = 1000

// newWorld is a small business around João, a demo-like customer: his
// company, deals, requests, tasks, orders, subscriptions, consents,
// segments, and a long timeline; and Lúcia, whose records must never show
// on his page. Staff are labelled by role; João's account is "cu".
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	for _, role := range []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly} {
		w.Make(t, role, crm.Staff, map[string]any{"name": role, "email": role + "@vinculo.test", "role": role})
	}
	w.Make(t, "coA", crm.Companies, map[string]any{"name": "Padaria Pão Dourado"})
	w.Make(t, "joao", crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com", "company": w.ID("coA"),
		"stage": "customer", "preferred_channel": "whatsapp", "preferred_days": []string{"mon", "wed"}, "preferred_hours_start": "09:00",
		"preferred_hours_end": "12:00", "timezone": "America/Sao_Paulo", "language": "pt-BR", "max_contacts_per_week": 2})
	w.Make(t, "lucia", crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com", "stage": "lead"})
	w.Make(t, "cu", crm.Customers, map[string]any{"email": "joao@example.com", "contact": w.ID("joao"), "company_role": crm.CompanyAdmin})

	w.Make(t, "pl", crm.Pipelines, map[string]any{"name": "Vendas"})
	w.Make(t, "st", crm.PipelineStages, map[string]any{"pipeline": w.ID("pl"), "name": "Proposta", "kind": "open"})
	w.Make(t, "stWon", crm.PipelineStages, map[string]any{"pipeline": w.ID("pl"), "name": "Ganho", "kind": "won"})
	deal := func(label, contact, status string) {
		stage := map[string]string{"open": "st", "won": "stWon"}[status] // the server takes the status from the stage (plugins/deals)
		w.Make(t, label, crm.Deals, map[string]any{"title": label, "contact": w.ID(contact), "pipeline": w.ID("pl"), "stage": w.ID(stage)})
	}
	deal("dealOpen1", "joao", "open")
	deal("dealOpen2", "joao", "open")
	deal("dealWon", "joao", "won")
	deal("dealLucia", "lucia", "open")

	w.Make(t, "tp", crm.CaseTypes, map[string]any{"name": "Suporte", "code": "SUP", "category": "support", "active": true,
		"statuses": []requests.Status{{Key: "new", Label: "Novo", PublicLabel: "Recebido"}, {Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true}}})
	for i := 1; i <= 2; i++ {
		w.Make(t, fmt.Sprintf("open%d", i), crm.Cases, map[string]any{"type": w.ID("tp"), "contact": w.ID("joao"), "subject": fmt.Sprintf("Aberto %d", i)})
	}
	for i := 1; i <= 12; i++ { // closed on the 1st to the 12th of October: the 10 newest are 3..12
		w.Make(t, fmt.Sprintf("closed%d", i), crm.Cases, map[string]any{"type": w.ID("tp"), "contact": w.ID("joao"), "subject": fmt.Sprintf("Fechado %d", i),
			"status": "solved", "closed_at": fmt.Sprintf("2026-10-%02d 12:00:00.000Z", i)})
	}
	w.Make(t, "caseLucia", crm.Cases, map[string]any{"type": w.ID("tp"), "contact": w.ID("lucia"), "subject": "Dela"})

	w.Make(t, "task1", crm.Tasks, map[string]any{"title": "Ligar", "status": "open", "contact": w.ID("joao"), "due": "2026-12-02 12:00:00.000Z"})
	w.Make(t, "task2", crm.Tasks, map[string]any{"title": "Enviar proposta", "status": "open", "contact": w.ID("joao"), "due": "2026-12-01 12:00:00.000Z"})
	w.Make(t, "taskDone", crm.Tasks, map[string]any{"title": "Feito", "status": "done", "contact": w.ID("joao")})
	w.Make(t, "taskLucia", crm.Tasks, map[string]any{"title": "Dela", "status": "open", "contact": w.ID("lucia")})

	for i, who := range []string{"joao", "joao", "joao", "lucia"} {
		w.Make(t, fmt.Sprintf("order%d", i+1), crm.Orders, map[string]any{"number": fmt.Sprintf("PED-%05d", i+1), "contact": w.ID(who),
			"items": []map[string]any{{"name": "Pão"}}, "currency": "BRL", "status": "placed", "placed_at": fmt.Sprintf("2026-11-%02d 10:00:00.000Z", i+1)})
	}
	w.Make(t, "prod", crm.Products, map[string]any{"name": "Internet", "code": "NET", "currency": "BRL", "kind": "subscription"})
	for i := 1; i <= 2; i++ {
		w.Make(t, fmt.Sprintf("sub%d", i), crm.Subscriptions, map[string]any{"contact": w.ID("joao"), "product": w.ID("prod"), "currency": "BRL", "status": "active"})
	}
	w.Make(t, "consentSvc", crm.Consents, map[string]any{"contact": w.ID("joao"), "purpose": "service", "channel": "email", "state": "granted"})
	w.Make(t, "consentMkt", crm.Consents, map[string]any{"contact": w.ID("joao"), "purpose": "marketing", "channel": "whatsapp", "state": "withdrawn"})
	w.Make(t, "consentLucia", crm.Consents, map[string]any{"contact": w.ID("lucia"), "purpose": "service", "channel": "email", "state": "granted"})

	for label, filter := range map[string]string{
		"Clientes": "stage = 'customer'",
		"Leads":    "stage = 'lead'",
		"Padarias": "company.name ~ 'Padaria'",
		"Todos":    "id != ''",
		"Quebrado": "nosuchfield = 1",
		"Escapa":   "1=1) || (1=1", // would widen a filter pasted into text
	} {
		w.Make(t, label, crm.Segments, map[string]any{"name": label, "filter": filter})
	}

	// A long history, in bulk: entries share times in groups, so the order
	// and the cursor depend on the tie-breakers too.
	base := time.Now().UTC().Add(-24 * time.Hour)
	ids := rand.New(rand.NewPCG(1, 2)).Perm(bulkEntries)
	err := w.App.RunInTransaction(func(tx core.App) error {
		for i := 0; i < bulkEntries; i++ {
			occurred := base.Add(-time.Duration(i/4) * time.Minute).Format(types.DefaultDateLayout)
			created := base.Add(-time.Duration(i/2) * time.Second).Format(types.DefaultDateLayout)
			_, err := tx.DB().Insert(crm.Activities, dbx.Params{
				"id": fmt.Sprintf("tl%013d", ids[i]), "type": "call", "actor_type": "staff", "staff": w.ID(crm.RoleAgent),
				"contact": w.ID("joao"), "subject": fmt.Sprintf("Ligação %d", i), "occurred_at": occurred, "created": created, "updated": created,
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Serve(t)
	return w
}

// get sends GET path as who (a label; "" for nobody) with a user agent of
// its own, which the audit log records.
func get(t *testing.T, w *testkit.World, path, who string) testkit.Response {
	t.Helper()
	res, raw := w.Request(t, http.MethodGet, path, who, nil, map[string]string{"User-Agent": "vinculo-test/1.0"})
	return testkit.Response{Status: res.StatusCode, Body: raw}
}

type item struct {
	ID         string `json:"id"`
	Contact    string `json:"contact"`
	OccurredAt string `json:"occurred_at"`
}

type page struct {
	Items []item `json:"items"`
	Next  string `json:"next"`
}

type view struct {
	Contact       item             `json:"contact"`
	Company       *item            `json:"company"`
	Preferences   map[string]any   `json:"preferences"`
	OpenCases     int              `json:"open_cases"`
	Deals         []item           `json:"deals"`
	Cases         []item           `json:"cases"`
	Timeline      page             `json:"timeline"`
	Tasks         []item           `json:"tasks"`
	Orders        []item           `json:"orders"`
	Subscriptions []item           `json:"subscriptions"`
	Consents      []item           `json:"consents"`
	Segments      []map[string]any `json:"segments"`
	SegmentErrors []map[string]any `json:"segment_errors"`
}

func ids(items []item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func readAudits(t *testing.T, w *testkit.World) []*core.Record {
	t.Helper()
	accesslog.Flush(w.App) // reads are queued and written in batches
	list, err := w.App.FindRecordsByFilter(crm.AuditLog, "", "created", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestCustomer360(t *testing.T) {
	w := newWorld(t)
	before := types.NowDateTime()
	res := get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/360", crm.RoleReadonly)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	var v view
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatal(err)
	}

	if v.Contact.ID != w.ID("joao") || v.Company == nil || v.Company.ID != w.ID("coA") {
		t.Errorf("contact %s, company %v", v.Contact.ID, v.Company)
	}
	same := func(what string, got, want []string, ordered bool) {
		t.Helper()
		if !ordered {
			got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	same("open deals", ids(v.Deals), w.IDs("dealOpen1", "dealOpen2"), false)
	// Open first, then the 10 most recently closed, newest first.
	same("open cases first", ids(v.Cases[:2]), w.IDs("open1", "open2"), false)
	same("then the recently closed", ids(v.Cases[2:]), w.IDs("closed12", "closed11", "closed10", "closed9", "closed8", "closed7", "closed6", "closed5", "closed4", "closed3"), true)
	if v.OpenCases != 2 {
		t.Errorf("open cases: %d", v.OpenCases)
	}
	same("open tasks, soonest first", ids(v.Tasks), w.IDs("task2", "task1"), true)
	same("orders, newest first", ids(v.Orders), w.IDs("order3", "order2", "order1"), true)
	same("subscriptions", ids(v.Subscriptions), w.IDs("sub1", "sub2"), false)
	same("consents", ids(v.Consents), w.IDs("consentSvc", "consentMkt"), false)
	wantPrefs := map[string]any{"preferred_channel": "whatsapp", "preferred_days": []any{"mon", "wed"}, "preferred_hours_start": "09:00",
		"preferred_hours_end": "12:00", "timezone": "America/Sao_Paulo", "language": "pt-BR", "max_contacts_per_week": float64(2), "paused_until": ""}
	if fmt.Sprint(v.Preferences) != fmt.Sprint(wantPrefs) {
		t.Errorf("preferences %v, want %v", v.Preferences, wantPrefs)
	}
	var in, broken []string
	for _, s := range v.Segments {
		in = append(in, s["name"].(string))
	}
	for _, s := range v.SegmentErrors {
		broken = append(broken, s["name"].(string))
		if s["error"] == "" || s["id"] != w.ID(s["name"].(string)) {
			t.Errorf("segment error %v", s)
		}
	}
	same("segments", in, []string{"Clientes", "Padarias", "Todos"}, true)
	same("broken segments", broken, []string{"Escapa", "Quebrado"}, true)
	if len(v.Timeline.Items) != timeline.PageSize || v.Timeline.Next == "" {
		t.Errorf("timeline: %d items, next %q", len(v.Timeline.Items), v.Timeline.Next)
	}
	for _, it := range v.Timeline.Items {
		if it.Contact != w.ID("joao") {
			t.Errorf("timeline entry %s of %s", it.ID, it.Contact)
		}
	}
	for _, other := range []string{"dealLucia", "caseLucia", "taskLucia", "order4", "consentLucia", "lucia"} {
		if strings.Contains(string(res.Body), w.ID(other)) {
			t.Errorf("Lúcia's %s is on João's page", other)
		}
	}

	// The read is in the audit log: who, when, which record, from where.
	audits := readAudits(t, w)
	if len(audits) != 1 {
		t.Fatalf("%d audit entries, want 1", len(audits))
	}
	a := audits[0]
	wantAudit := map[string]string{"actor_type": "staff", "staff": w.ID(crm.RoleReadonly), "action": "read", "collection": "contacts",
		"record": w.ID("joao"), "contact": w.ID("joao"), "ip": "127.0.0.1", "user_agent": "vinculo-test/1.0", "customer": ""}
	for k, v := range wantAudit {
		if a.GetString(k) != v {
			t.Errorf("audit %s = %q, want %q", k, a.GetString(k), v)
		}
	}
	if at := a.GetDateTime("created"); at.Before(before) || at.After(types.NowDateTime()) {
		t.Errorf("audit time %s is not the read's", at)
	}

	// Every staff role reads it; each read is recorded.
	for _, role := range []string{crm.RoleManager, crm.RoleAgent} {
		if res := get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/360", role); res.Status != http.StatusOK {
			t.Errorf("%s: status %d", role, res.Status)
		}
	}
	if n := len(readAudits(t, w)); n != 3 {
		t.Errorf("%d audit entries after three reads", n)
	}

	// A superuser reads it as well, recorded as such.
	w.Make(t, "superuser", core.CollectionNameSuperusers, map[string]any{"email": "root@vinculo.test"})
	if res := get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/360", "superuser"); res.Status != http.StatusOK {
		t.Errorf("superuser: status %d", res.Status)
	}
	accesslog.Flush(w.App)
	if n := w.Count(t, crm.AuditLog, "actor_type = 'superuser' AND staff = '' AND record = '"+w.ID("joao")+"'"); n != 1 || len(readAudits(t, w)) != 4 {
		t.Errorf("superuser read recorded %d times", n)
	}
}

func TestCustomer360Refusals(t *testing.T) {
	w := newWorld(t)
	joao := "/api/crm/contacts/" + w.ID("joao")
	for _, c := range []struct {
		name, path, who string
		status          int
		field           string
	}{
		{"anonymous", joao + "/360", "", http.StatusUnauthorized, ""},
		{"anonymous timeline", joao + "/timeline", "", http.StatusUnauthorized, ""},
		{"the customer himself", joao + "/360", "cu", http.StatusForbidden, ""},
		{"the customer's timeline", joao + "/timeline", "cu", http.StatusForbidden, ""},
		{"an unknown contact", "/api/crm/contacts/nosuchcontact00/360", crm.RoleManager, http.StatusNotFound, ""},
		{"an unknown contact's timeline", "/api/crm/contacts/nosuchcontact00/timeline", crm.RoleManager, http.StatusNotFound, ""},
		{"a forged cursor", joao + "/timeline?cursor=bm90LWEtY3Vyc29y", crm.RoleAgent, http.StatusBadRequest, "cursor"},
		{"a cursor that is not base64", joao + "/timeline?cursor=%25%25", crm.RoleAgent, http.StatusBadRequest, "cursor"},
	} {
		res := get(t, w, c.path, c.who)
		if res.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, res.Status, c.status, res.Body)
		}
		if c.field != "" && !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%s: the error does not name %s: %s", c.name, c.field, res.Body)
		}
		if strings.Contains(string(res.Body), "João") {
			t.Errorf("%s: the refusal carries the contact: %s", c.name, res.Body)
		}
	}
	if n := len(readAudits(t, w)); n != 0 {
		t.Errorf("refused reads wrote %d audit entries", n)
	}
}

// The whole timeline, page after page by cursor: every entry once, in order
// (newest first; ties by created, then id).
func TestTimelinePagination(t *testing.T) {
	w := newWorld(t)
	var rows []struct {
		ID         string `db:"id"`
		OccurredAt string `db:"occurred_at"`
		Created    string `db:"created"`
	}
	if err := w.App.DB().NewQuery("SELECT id, occurred_at, created FROM activities WHERE contact = {:c}").
		Bind(dbx.Params{"c": w.ID("joao")}).All(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) < bulkEntries+20 { // the bulk, and the entries the fixtures' changes wrote
		t.Fatalf("only %d entries", len(rows))
	}
	slices.SortFunc(rows, func(a, b struct {
		ID         string `db:"id"`
		OccurredAt string `db:"occurred_at"`
		Created    string `db:"created"`
	}) int {
		return -strings.Compare(a.OccurredAt+"|"+a.Created+"|"+a.ID, b.OccurredAt+"|"+b.Created+"|"+b.ID)
	})
	var want []string
	for _, r := range rows {
		want = append(want, r.ID)
	}

	res := get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/360", crm.RoleAgent)
	var v view
	if err := json.Unmarshal(res.Body, &v); err != nil || res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	got := ids(v.Timeline.Items)
	next, pages := v.Timeline.Next, 1
	for next != "" {
		res := get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/timeline?cursor="+url.QueryEscape(next), crm.RoleAgent)
		var p page
		if err := json.Unmarshal(res.Body, &p); err != nil || res.Status != http.StatusOK {
			t.Fatalf("page %d: status %d: %s", pages+1, res.Status, res.Body)
		}
		if len(p.Items) == 0 || len(p.Items) > timeline.PageSize {
			t.Fatalf("page %d has %d items", pages+1, len(p.Items))
		}
		got = append(got, ids(p.Items)...)
		next = p.Next
		pages++
		if pages > len(want) {
			t.Fatal("the cursor never ends")
		}
	}
	if !slices.Equal(got, want) {
		seen := map[string]int{}
		for _, id := range got {
			seen[id]++
		}
		t.Errorf("read %d entries (%d distinct) in %d pages, want %d in order", len(got), len(seen), pages, len(want))
	}
	if wantPages := (len(want) + timeline.PageSize - 1) / timeline.PageSize; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}
	// The first page by the timeline route is the 360's.
	res = get(t, w, "/api/crm/contacts/"+w.ID("joao")+"/timeline", crm.RoleReadonly)
	var first page
	if err := json.Unmarshal(res.Body, &first); err != nil || !slices.Equal(ids(first.Items), want[:timeline.PageSize]) {
		t.Errorf("first page by the route: %v", ids(first.Items))
	}
	// Each page read is recorded too.
	accesslog.Flush(w.App)
	if n := w.Count(t, crm.AuditLog, "collection = 'activities' AND action = 'read'"); n != pages {
		t.Errorf("%d timeline reads recorded, want %d", n, pages)
	}
}
