package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// The eight actors of the matrix.
const (
	anon      = "anonymous"
	custA     = "customer A"
	custB     = "customer B" // A's colleague, company admin
	custC     = "customer C" // another company
	manager   = "staff manager"
	agent     = "staff agent"
	readonly  = "staff readonly"
	superuser = "superuser"
)

var actors = []string{anon, custA, custB, custC, manager, agent, readonly, superuser}

// world is the fixture every row of the matrix runs against.
type world struct {
	app    *tests.TestApp
	srv    *testkit.Server
	rec    map[string]*core.Record // by label
	tokens map[string]string       // by actor
	seq    int
}

func (w *world) id(label string) string {
	r, ok := w.rec[label]
	if !ok {
		panic("no fixture record " + label)
	}
	return r.Id
}

// make saves a record as the system would (no rules) and remembers it under label.
func (w *world) make(t testing.TB, label, collection string, fields map[string]any) *core.Record {
	t.Helper()
	r := testkit.Save(t, w.app, collection, fields)
	if label != "" {
		w.rec[label] = r
	}
	return r
}

// unique returns a fresh suffix for records a row creates.
func (w *world) unique() int { w.seq++; return w.seq }

func newWorld(t *testing.T) *world {
	app := testkit.NewApp(t)
	if err := plugins.All(app, testkit.Config(t)); err != nil { // the app as it ships
		t.Fatal(err)
	}
	// Rules are under test here, not delivery: no background sends that
	// would change outbox rows between a refused write and its check.
	if err := outbox.Configure(app, outbox.Options{Manual: true}); err != nil {
		t.Fatal(err)
	}
	w := &world{app: app, rec: map[string]*core.Record{}, tokens: map[string]string{}}

	w.make(t, "stM", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.make(t, "stG", crm.Staff, map[string]any{"email": "g@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.make(t, "stG2", crm.Staff, map[string]any{"email": "g2@staff.test", "name": "Other agent", "role": crm.RoleAgent})
	w.make(t, "stR", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Readonly", "role": crm.RoleReadonly})

	w.make(t, "coA", crm.Companies, map[string]any{"name": "Company of A and B", "owner": w.id("stG")})
	w.make(t, "coC", crm.Companies, map[string]any{"name": "Company of C", "owner": w.id("stG2")})

	w.make(t, "ctA", crm.Contacts, map[string]any{"name": "Ana A", "email": "a@cust.test", "phone": "+5511900000001", "company": w.id("coA"), "owner": w.id("stG"), "stage": "customer", "score": 10})
	w.make(t, "ctB", crm.Contacts, map[string]any{"name": "Bruno B", "email": "b@cust.test", "phone": "+5511900000002", "company": w.id("coA"), "owner": w.id("stG")})
	w.make(t, "ctC", crm.Contacts, map[string]any{"name": "Carla C", "email": "c@cust.test", "phone": "+5511900000003", "company": w.id("coC"), "owner": w.id("stG2")})
	w.make(t, "ctX", crm.Contacts, map[string]any{"name": "Xavier X", "email": "x@cust.test", "owner": w.id("stG2")})
	w.make(t, "ctD", crm.Contacts, map[string]any{"name": "Diana D", "email": "d@cust.test"})

	w.make(t, "cuA", crm.Customers, map[string]any{"email": "a@cust.test", "contact": w.id("ctA"), "company_role": crm.CompanyMember})
	w.make(t, "cuB", crm.Customers, map[string]any{"email": "b@cust.test", "contact": w.id("ctB"), "company_role": crm.CompanyAdmin})
	w.make(t, "cuC", crm.Customers, map[string]any{"email": "c@cust.test", "contact": w.id("ctC"), "company_role": crm.CompanyAdmin})
	w.make(t, "cuD", crm.Customers, map[string]any{"email": "d@cust.test", "contact": w.id("ctD"), "company_role": crm.CompanyAdmin})

	w.make(t, "pl1", crm.Pipelines, map[string]any{"name": "Sales"})
	w.make(t, "ps1", crm.PipelineStages, map[string]any{"pipeline": w.id("pl1"), "name": "Proposal", "position": 1, "kind": "open"})
	w.make(t, "dlA", crm.Deals, map[string]any{"title": "Deal with A", "contact": w.id("ctA"), "pipeline": w.id("pl1"), "stage": w.id("ps1"), "status": "open", "owner": w.id("stG"), "amount": 1000})
	w.make(t, "dlC", crm.Deals, map[string]any{"title": "Deal with C", "contact": w.id("ctC"), "pipeline": w.id("pl1"), "stage": w.id("ps1"), "status": "open", "owner": w.id("stG2")})

	statuses := []map[string]any{
		{"key": "new", "label": "New", "public_label": "Received"},
		{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
	}
	w.make(t, "tpSup", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses, "active": true})
	w.make(t, "tpOld", crm.CaseTypes, map[string]any{"name": "Retired", "code": "OLD", "category": "support", "statuses": statuses, "active": false})

	kase := func(label, contact, company string, shared bool, status string) {
		w.make(t, label, crm.Cases, map[string]any{"type": w.id("tpSup"), "contact": w.id(contact), "company": company, "subject": label, "shared": shared, "status": status})
	}
	kase("csA", "ctA", w.id("coA"), false, "new")
	kase("csAshared", "ctA", w.id("coA"), true, "new")
	kase("csAclosed", "ctA", w.id("coA"), false, "done")
	kase("csB", "ctB", w.id("coA"), false, "new")
	kase("csC", "ctC", w.id("coC"), true, "new")
	w.make(t, "csX", crm.Cases, map[string]any{"type": w.id("tpSup"), "contact": w.id("ctX"), "subject": "no company", "shared": true})
	// the case hook fills the company from the contact: keep csX without one
	if w.rec["csX"].GetString("company") != "" {
		t.Fatal("csX should have no company")
	}

	w.make(t, "cmA", crm.CaseMessages, map[string]any{"case": w.id("csA"), "body": "public reply to A", "author_staff": w.id("stG")})
	w.make(t, "cmAint", crm.CaseMessages, map[string]any{"case": w.id("csA"), "body": "internal note about A", "internal": true, "author_staff": w.id("stG")})
	w.make(t, "cmAsh", crm.CaseMessages, map[string]any{"case": w.id("csAshared"), "body": "public reply on shared", "author_staff": w.id("stG")})
	w.make(t, "cmAshInt", crm.CaseMessages, map[string]any{"case": w.id("csAshared"), "body": "internal on shared", "internal": true, "author_staff": w.id("stG")})
	w.make(t, "cmC", crm.CaseMessages, map[string]any{"case": w.id("csC"), "body": "reply to C", "author_staff": w.id("stG2")})

	w.make(t, "prOn", crm.Products, map[string]any{"name": "Fibre", "code": "FIBRE", "price": 100, "currency": "BRL", "kind": "subscription", "active": true})
	w.make(t, "prOff", crm.Products, map[string]any{"name": "Old plan", "code": "OLD", "price": 50, "currency": "BRL", "kind": "subscription", "active": false})

	order := func(label, contact, company string) {
		w.make(t, label, crm.Orders, map[string]any{"number": "N-" + strings.ToUpper(label), "contact": w.id(contact), "company": company,
			"items": []map[string]any{{"name": "Fibre", "quantity": 1}}, "total": 100, "currency": "BRL", "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z"})
	}
	order("orA", "ctA", "")
	order("orAco", "ctA", w.id("coA"))
	order("orB", "ctB", "")
	order("orBco", "ctB", w.id("coA"))
	order("orC", "ctC", w.id("coC"))
	order("orD", "ctX", "") // no company: must stay invisible to a company admin with no company

	sub := func(label, contact, company string) {
		w.make(t, label, crm.Subscriptions, map[string]any{"contact": w.id(contact), "company": company, "product": w.id("prOn"), "price": 100, "currency": "BRL", "status": "active"})
	}
	sub("sbA", "ctA", "")
	sub("sbBco", "ctB", w.id("coA"))
	sub("sbC", "ctC", w.id("coC"))

	w.make(t, "acApub", crm.Activities, map[string]any{"type": "email", "actor_type": "staff", "staff": w.id("stG"), "contact": w.id("ctA"), "subject": "sent to A", "public": true})
	w.make(t, "acApriv", crm.Activities, map[string]any{"type": "call", "actor_type": "staff", "staff": w.id("stG"), "contact": w.id("ctA"), "subject": "internal call about A"})
	w.make(t, "acCpub", crm.Activities, map[string]any{"type": "email", "actor_type": "staff", "staff": w.id("stG2"), "contact": w.id("ctC"), "subject": "sent to C", "public": true})
	w.make(t, "acNote", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.id("stG2"), "contact": w.id("ctX"), "body": "note by the other agent"})
	w.make(t, "acNoteG", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.id("stG"), "contact": w.id("ctX"), "body": "note by the agent"})

	w.make(t, "tkG", crm.Tasks, map[string]any{"title": "Call A back", "assignee": w.id("stG"), "status": "open"})
	w.make(t, "tkG2", crm.Tasks, map[string]any{"title": "Visit C", "assignee": w.id("stG2"), "created_by": w.id("stG2"), "status": "open"})

	w.make(t, "cnA", crm.Consents, map[string]any{"contact": w.id("ctA"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	w.make(t, "cnC", crm.Consents, map[string]any{"contact": w.id("ctC"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})

	w.make(t, "obA", crm.Outbox, map[string]any{"contact": w.id("ctA"), "purpose": "service", "state": "queued", "subject": "Your request"})
	w.make(t, "sgG", crm.Segments, map[string]any{"name": "Mine", "filter": "stage='lead'", "owner": w.id("stG")})
	w.make(t, "sgG2", crm.Segments, map[string]any{"name": "Theirs", "filter": "stage='customer'", "owner": w.id("stG2")})
	w.make(t, "alA", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.id("stG"), "action": "read", "collection": crm.Contacts, "record": w.id("ctA"), "contact": w.id("ctA")})
	w.make(t, "alC", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.id("stG"), "action": "read", "collection": crm.Contacts, "record": w.id("ctC"), "contact": w.id("ctC")})

	su := w.make(t, "", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	for actor, label := range map[string]string{custA: "cuA", custB: "cuB", custC: "cuC", manager: "stM", agent: "stG", readonly: "stR", "customer D": "cuD"} {
		w.tokens[actor] = testkit.Token(t, w.rec[label])
	}
	w.tokens[superuser] = testkit.Token(t, su)
	w.tokens[anon] = ""

	w.srv = testkit.Serve(t, app)
	return w
}

func (w *world) count(t testing.TB, collection string) int {
	t.Helper()
	n, err := w.app.CountRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (w *world) reload(t testing.TB, collection, id string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("reload %s/%s: %v", collection, id, err)
	}
	return r
}

func describe(v any) string { return fmt.Sprintf("%v", v) }
