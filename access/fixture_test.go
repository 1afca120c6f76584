package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

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

// newWorld builds the records every row of the matrix runs against, under
// their labels, and a token per actor: the app as it ships, served.
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All),
		// Rules are under test here, not delivery: no background sends that
		// would change outbox rows between a refused write and its check.
		testkit.Then(func(w *testkit.World) error { return outbox.Configure(w.App, outbox.Options{Manual: true}) }))
	makeRecords(t, w)
	su := w.Make(t, "", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	for actor, label := range map[string]string{custA: "cuA", custB: "cuB", custC: "cuC", manager: "stM", agent: "stG", readonly: "stR", "customer D": "cuD"} {
		w.SetToken(actor, testkit.Token(t, w.R(label)))
	}
	w.SetToken(superuser, testkit.Token(t, su))
	w.SetToken(anon, "")
	w.Serve(t)
	return w
}

// makeRecords makes the matrix's records: staff, companies, contacts and
// their portal accounts, deals, requests and their messages, the catalogue,
// orders, subscriptions, the timeline, tasks, consents and the rest.
func makeRecords(t *testing.T, w *testkit.World) {
	t.Helper()
	w.Make(t, "stM", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.Make(t, "stG", crm.Staff, map[string]any{"email": "g@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.Make(t, "stG2", crm.Staff, map[string]any{"email": "g2@staff.test", "name": "Other agent", "role": crm.RoleAgent})
	w.Make(t, "stR", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Readonly", "role": crm.RoleReadonly})

	w.Make(t, "coA", crm.Companies, map[string]any{"name": "Company of A and B", "owner": w.ID("stG")})
	w.Make(t, "coC", crm.Companies, map[string]any{"name": "Company of C", "owner": w.ID("stG2")})

	w.Make(t, "ctA", crm.Contacts, map[string]any{"name": "Ana A", "email": "a@cust.test", "phone": "+5511900000001", "company": w.ID("coA"), "owner": w.ID("stG"), "stage": "customer", "score": 10})
	w.Make(t, "ctB", crm.Contacts, map[string]any{"name": "Bruno B", "email": "b@cust.test", "phone": "+5511900000002", "company": w.ID("coA"), "owner": w.ID("stG")})
	w.Make(t, "ctC", crm.Contacts, map[string]any{"name": "Carla C", "email": "c@cust.test", "phone": "+5511900000003", "company": w.ID("coC"), "owner": w.ID("stG2")})
	w.Make(t, "ctX", crm.Contacts, map[string]any{"name": "Xavier X", "email": "x@cust.test", "owner": w.ID("stG2")})
	w.Make(t, "ctD", crm.Contacts, map[string]any{"name": "Diana D", "email": "d@cust.test"})

	w.Make(t, "cuA", crm.Customers, map[string]any{"email": "a@cust.test", "contact": w.ID("ctA"), "company_role": crm.CompanyMember})
	w.Make(t, "cuB", crm.Customers, map[string]any{"email": "b@cust.test", "contact": w.ID("ctB"), "company_role": crm.CompanyAdmin})
	w.Make(t, "cuC", crm.Customers, map[string]any{"email": "c@cust.test", "contact": w.ID("ctC"), "company_role": crm.CompanyAdmin})
	w.Make(t, "cuD", crm.Customers, map[string]any{"email": "d@cust.test", "contact": w.ID("ctD"), "company_role": crm.CompanyAdmin})

	w.Make(t, "pl1", crm.Pipelines, map[string]any{"name": "Sales"})
	w.Make(t, "ps1", crm.PipelineStages, map[string]any{"pipeline": w.ID("pl1"), "name": "Proposal", "position": 1, "kind": "open"})
	w.Make(t, "dlA", crm.Deals, map[string]any{"title": "Deal with A", "contact": w.ID("ctA"), "pipeline": w.ID("pl1"), "stage": w.ID("ps1"), "status": "open", "owner": w.ID("stG"), "amount": 1000})
	w.Make(t, "dlC", crm.Deals, map[string]any{"title": "Deal with C", "contact": w.ID("ctC"), "pipeline": w.ID("pl1"), "stage": w.ID("ps1"), "status": "open", "owner": w.ID("stG2")})

	statuses := []map[string]any{
		{"key": "new", "label": "New", "public_label": "Received"},
		{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
	}
	w.Make(t, "tpSup", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses, "active": true})
	w.Make(t, "tpOld", crm.CaseTypes, map[string]any{"name": "Retired", "code": "OLD", "category": "support", "statuses": statuses, "active": false})

	kase := func(label, contact, company string, shared bool, status string) {
		w.Make(t, label, crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID(contact), "company": company, "subject": label, "shared": shared, "status": status})
	}
	kase("csA", "ctA", w.ID("coA"), false, "new")
	kase("csAshared", "ctA", w.ID("coA"), true, "new")
	kase("csAclosed", "ctA", w.ID("coA"), false, "done")
	kase("csB", "ctB", w.ID("coA"), false, "new")
	kase("csC", "ctC", w.ID("coC"), true, "new")
	w.Make(t, "csX", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctX"), "subject": "no company", "shared": true})
	// the case hook fills the company from the contact: keep csX without one
	if w.R("csX").GetString("company") != "" {
		t.Fatal("csX should have no company")
	}

	w.Make(t, "cmA", crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "public reply to A", "author_staff": w.ID("stG")})
	w.Make(t, "cmAint", crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "internal note about A", "internal": true, "author_staff": w.ID("stG")})
	w.Make(t, "cmAsh", crm.CaseMessages, map[string]any{"case": w.ID("csAshared"), "body": "public reply on shared", "author_staff": w.ID("stG")})
	w.Make(t, "cmAshInt", crm.CaseMessages, map[string]any{"case": w.ID("csAshared"), "body": "internal on shared", "internal": true, "author_staff": w.ID("stG")})
	w.Make(t, "cmC", crm.CaseMessages, map[string]any{"case": w.ID("csC"), "body": "reply to C", "author_staff": w.ID("stG2")})

	w.Make(t, "prOn", crm.Products, map[string]any{"name": "Fibre", "code": "FIBRE", "price": 100, "currency": "BRL", "kind": "subscription", "active": true})
	w.Make(t, "prOff", crm.Products, map[string]any{"name": "Old plan", "code": "OLD", "price": 50, "currency": "BRL", "kind": "subscription", "active": false})

	order := func(label, contact, company string) {
		w.Make(t, label, crm.Orders, map[string]any{"number": "N-" + strings.ToUpper(label), "contact": w.ID(contact), "company": company,
			"items": []map[string]any{{"name": "Fibre", "quantity": 1}}, "total": 100, "currency": "BRL", "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z"})
	}
	order("orA", "ctA", "")
	order("orAco", "ctA", w.ID("coA"))
	order("orB", "ctB", "")
	order("orBco", "ctB", w.ID("coA"))
	order("orC", "ctC", w.ID("coC"))
	order("orD", "ctX", "") // no company: must stay invisible to a company admin with no company

	sub := func(label, contact, company string) {
		w.Make(t, label, crm.Subscriptions, map[string]any{"contact": w.ID(contact), "company": company, "product": w.ID("prOn"), "price": 100, "currency": "BRL", "status": "active"})
	}
	sub("sbA", "ctA", "")
	sub("sbBco", "ctB", w.ID("coA"))
	sub("sbC", "ctC", w.ID("coC"))

	w.Make(t, "acApub", crm.Activities, map[string]any{"type": "email", "actor_type": "staff", "staff": w.ID("stG"), "contact": w.ID("ctA"), "subject": "sent to A", "public": true})
	w.Make(t, "acApriv", crm.Activities, map[string]any{"type": "call", "actor_type": "staff", "staff": w.ID("stG"), "contact": w.ID("ctA"), "subject": "internal call about A"})
	w.Make(t, "acCpub", crm.Activities, map[string]any{"type": "email", "actor_type": "staff", "staff": w.ID("stG2"), "contact": w.ID("ctC"), "subject": "sent to C", "public": true})
	w.Make(t, "acNote", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.ID("stG2"), "contact": w.ID("ctX"), "body": "note by the other agent"})
	w.Make(t, "acNoteG", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.ID("stG"), "contact": w.ID("ctX"), "body": "note by the agent"})

	w.Make(t, "tkG", crm.Tasks, map[string]any{"title": "Call A back", "assignee": w.ID("stG"), "status": "open"})
	w.Make(t, "tkG2", crm.Tasks, map[string]any{"title": "Visit C", "assignee": w.ID("stG2"), "created_by": w.ID("stG2"), "status": "open"})

	w.Make(t, "cnA", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	w.Make(t, "cnC", crm.Consents, map[string]any{"contact": w.ID("ctC"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})

	w.Make(t, "obA", crm.Outbox, map[string]any{"contact": w.ID("ctA"), "purpose": "service", "state": "queued", "subject": "Your request"})
	w.Make(t, "sgG", crm.Segments, map[string]any{"name": "Mine", "filter": "stage='lead'", "owner": w.ID("stG")})
	w.Make(t, "sgG2", crm.Segments, map[string]any{"name": "Theirs", "filter": "stage='customer'", "owner": w.ID("stG2")})
	w.Make(t, "alA", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.ID("stG"), "action": "read", "collection": crm.Contacts, "record": w.ID("ctA"), "contact": w.ID("ctA")})
	w.Make(t, "alC", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.ID("stG"), "action": "read", "collection": crm.Contacts, "record": w.ID("ctC"), "contact": w.ID("ctC")})
}

func describe(v any) string { return fmt.Sprintf("%v", v) }
