package timeline_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// want is what one timeline entry must say.
type want struct {
	event                       string
	actor, staff, customer      string // actor type and who
	channel                     string
	public                      bool
	contact, company, deal, cas string
	subject                     string         // a part of the subject
	body                        string         // a part of the body
	notInText                   string         // must appear in neither subject nor body
	data                        map[string]any // values of the entry's data (compared as printed)
	dataText                    string         // a part of the data as JSON
}

// englishWords are what a stored sentence would say: a system entry stores
// names and data, and each reader's screen words it.
var englishWords = []string{"Deal ", "Order ", "Request ", "Message ", "Subscription ", "Consent ", "Contact ",
	"opened", "answered", "rated", "→", "Before:", "Until ", "Stage:", "none"}

// step runs action and checks that it wrote exactly the wanted entries about
// the record refCollection/refID (action returns its id when it creates it).
func step(t *testing.T, w *testkit.World, name, refCollection, refID string, action func() string, wants ...want) {
	t.Helper()
	before := 0
	if refID != "" {
		before = len(entries(t, w, refCollection, refID))
	}
	if id := action(); id != "" {
		refID = id
	}
	got := entries(t, w, refCollection, refID)[before:]
	if len(got) != len(wants) {
		var events []string
		for _, g := range got {
			events = append(events, g.GetString("event"))
		}
		t.Errorf("%s: %d entries %v, want %d", name, len(got), events, len(wants))
		return
	}
	for i, wnt := range wants {
		g := got[i]
		for _, f := range []*string{&wnt.contact, &wnt.deal, &wnt.cas} {
			if *f == created {
				*f = refID
			}
		}
		check := map[string][2]any{
			"event":      {g.GetString("event"), wnt.event},
			"actor_type": {g.GetString("actor_type"), wnt.actor},
			"staff":      {g.GetString("staff"), wnt.staff},
			"customer":   {g.GetString("customer"), wnt.customer},
			"channel":    {g.GetString("channel"), wnt.channel},
			"public":     {g.GetBool("public"), wnt.public},
			"contact":    {g.GetString("contact"), wnt.contact},
			"company":    {g.GetString("company"), wnt.company},
			"deal":       {g.GetString("deal"), wnt.deal},
			"case":       {g.GetString("case"), wnt.cas},
		}
		for field, v := range check {
			if v[0] != v[1] {
				t.Errorf("%s: %s = %v, want %v", name, field, v[0], v[1])
			}
		}
		if g.GetDateTime("occurred_at").IsZero() {
			t.Errorf("%s: no occurred_at", name)
		}
		if !strings.Contains(g.GetString("subject"), wnt.subject) {
			t.Errorf("%s: subject %q, want it to contain %q", name, g.GetString("subject"), wnt.subject)
		}
		if !strings.Contains(g.GetString("body"), wnt.body) {
			t.Errorf("%s: body %q, want it to contain %q", name, g.GetString("body"), wnt.body)
		}
		if wnt.notInText != "" && strings.Contains(g.GetString("subject")+g.GetString("body")+g.GetString("data"), wnt.notInText) {
			t.Errorf("%s: the entry says %q: %q / %q / %s", name, wnt.notInText, g.GetString("subject"), g.GetString("body"), g.GetString("data"))
		}
		for _, word := range englishWords {
			if strings.Contains(g.GetString("subject"), word) {
				t.Errorf("%s: the subject is an English sentence: %q", name, g.GetString("subject"))
			}
		}
		var data map[string]any
		if err := g.UnmarshalJSONField("data", &data); err != nil && len(wnt.data) > 0 {
			t.Errorf("%s: data %s: %v", name, g.GetString("data"), err)
		}
		for k, v := range wnt.data {
			if fmt.Sprint(data[k]) != fmt.Sprint(v) {
				t.Errorf("%s: data.%s = %v, want %v (%s)", name, k, data[k], v, g.GetString("data"))
			}
		}
		if !strings.Contains(g.GetString("data"), wnt.dataText) {
			t.Errorf("%s: data %s, want it to contain %s", name, g.GetString("data"), wnt.dataText)
		}
	}
}

const sameOrigin = "Sec-Fetch-Site"

// created stands for the id of the record a step creates.
const created = "$created"

func TestContactEvents(t *testing.T) {
	w := newWorld(t)
	agent, manager, cu := w.ID("agent"), w.ID("manager"), w.ID("customer")

	var ana string
	step(t, w, "staff creates a contact through the API", crm.Contacts, "", func() string {
		ana = posted(t, w, "agent", crm.Contacts, map[string]any{"name": "Ana Gonçalves", "email": "ana@example.com", "company": w.ID("coA")})
		return ana
	}, want{event: timeline.ContactCreated, actor: "staff", staff: agent, channel: "api", contact: created, company: w.ID("coA"), subject: "Ana Gonçalves",
		data: map[string]any{"name": "Ana Gonçalves"}})

	step(t, w, "the system creates a contact", crm.Contacts, "", func() string {
		return w.Make(t, "", crm.Contacts, map[string]any{"name": "Importado"}).Id
	}, want{event: timeline.ContactCreated, actor: "system", channel: "system", contact: created, subject: "Importado"})

	step(t, w, "staff moves a contact to another company from the workspace", crm.Contacts, ana, func() string {
		patched(t, w, "agent", crm.Contacts, ana, map[string]any{"company": w.ID("coB")}, sameOrigin, "same-origin")
		return ""
	}, want{event: timeline.ContactCompanyChanged, actor: "staff", staff: agent, channel: "web", contact: ana, company: w.ID("coB"),
		subject: "Construtora Horizonte", data: map[string]any{"from": "Padaria Pão Dourado", "to": "Construtora Horizonte"}})

	step(t, w, "the contact leaves the company", crm.Contacts, ana, func() string {
		updated(t, w, crm.Contacts, ana, map[string]any{"company": ""})
		return ""
	}, want{event: timeline.ContactCompanyChanged, actor: "system", channel: "system", contact: ana, company: w.ID("coB"),
		data: map[string]any{"from": "Construtora Horizonte", "to": ""}})

	step(t, w, "the customer changes their preferences in the portal", crm.Contacts, w.ID("contact"), func() string {
		patched(t, w, "customer", crm.Contacts, w.ID("contact"), map[string]any{
			"preferred_channel": "whatsapp", "preferred_hours_start": "09:00", "preferred_hours_end": "12:00",
		}, sameOrigin, "same-origin")
		return ""
	}, want{event: timeline.ContactPreferencesChanged, actor: "customer", customer: cu, channel: "portal", public: true,
		contact: w.ID("contact"), company: w.ID("coA"),
		data:     map[string]any{"fields": []string{"preferred_channel", "preferred_hours_start", "preferred_hours_end"}},
		dataText: `{"field":"preferred_channel","from":"","to":"whatsapp"}`})

	step(t, w, "staff pause contact and change the language", crm.Contacts, w.ID("contact"), func() string {
		patched(t, w, "manager", crm.Contacts, w.ID("contact"), map[string]any{"paused_until": "2026-12-31 00:00:00.000Z", "language": "en", "preferred_days": []string{"mon", "tue"}})
		return ""
	}, want{event: timeline.ContactPreferencesChanged, actor: "staff", staff: manager, channel: "api", public: true,
		contact: w.ID("contact"), company: w.ID("coA"), data: map[string]any{"fields": []string{"preferred_days", "language", "paused_until"}},
		dataText: `{"field":"paused_until","from":"","to":"2026-12-31`})

	step(t, w, "a change of name is no event", crm.Contacts, w.ID("contact"), func() string {
		patched(t, w, "agent", crm.Contacts, w.ID("contact"), map[string]any{"job_title": "Sócio", "name": "João P. Conceição"})
		return ""
	})

	step(t, w, "a merge", crm.Contacts, w.ID("other"), func() string {
		err := w.App.RunInTransaction(func(tx core.App) error {
			return timeline.Merged(tx, w.Find(t, crm.Contacts, w.ID("contact")), w.R("other"), timeline.Actor{Type: "staff", Staff: manager, Channel: "web"})
		})
		if err != nil {
			t.Fatal(err)
		}
		return ""
	}, want{event: timeline.ContactMerged, actor: "staff", staff: manager, channel: "web", contact: w.ID("contact"), company: w.ID("coA"),
		subject: "Lúcia Brandão", data: map[string]any{"merged": "Lúcia Brandão", "kept": "João P. Conceição", "merged_email": "lucia@example.com"}})
}

func TestDealEvents(t *testing.T) {
	w := newWorld(t)
	agent, manager := w.ID("agent"), w.ID("manager")
	var deal string
	step(t, w, "staff create a deal", crm.Deals, "", func() string {
		deal = posted(t, w, "agent", crm.Deals, map[string]any{
			"title": "Plano empresarial", "contact": w.ID("contact"), "company": w.ID("coA"), "pipeline": w.ID("pipeline"),
			"stage": w.ID("stageQual"), "amount": 1000, "currency": "BRL",
		})
		return deal
	}, want{event: timeline.DealCreated, actor: "staff", staff: agent, channel: "api", contact: w.ID("contact"), company: w.ID("coA"), deal: created,
		subject: "Plano empresarial", data: map[string]any{"title": "Plano empresarial", "stage": "Qualificação"}})
	links := want{contact: w.ID("contact"), company: w.ID("coA"), deal: deal}
	with := func(base, x want) want {
		x.contact, x.company, x.deal = base.contact, base.company, base.deal
		return x
	}

	step(t, w, "the deal moves on", crm.Deals, deal, func() string {
		updated(t, w, crm.Deals, deal, map[string]any{"stage": w.ID("stageProp")})
		return ""
	}, with(links, want{event: timeline.DealMoved, actor: "system", channel: "system", subject: "Plano empresarial",
		data: map[string]any{"title": "Plano empresarial", "from": "Qualificação", "to": "Proposta"}}))

	step(t, w, "staff win it: one entry for the stage and the status", crm.Deals, deal, func() string {
		patched(t, w, "manager", crm.Deals, deal, map[string]any{"stage": w.ID("stageWon")})
		return ""
	}, with(links, want{event: timeline.DealWon, actor: "staff", staff: manager, channel: "api", subject: "Plano empresarial", data: map[string]any{"title": "Plano empresarial"}}))

	step(t, w, "reopened", crm.Deals, deal, func() string {
		patched(t, w, "agent", crm.Deals, deal, map[string]any{"stage": w.ID("stageProp")})
		return ""
	}, with(links, want{event: timeline.DealReopened, actor: "staff", staff: agent, channel: "api"}))

	step(t, w, "lost", crm.Deals, deal, func() string {
		updated(t, w, crm.Deals, deal, map[string]any{"stage": w.ID("stageLost"), "lost_reason": "Preço"})
		return ""
	}, with(links, want{event: timeline.DealLost, actor: "system", channel: "system", body: "Preço"}))

	step(t, w, "a change of amount is no event", crm.Deals, deal, func() string {
		patched(t, w, "agent", crm.Deals, deal, map[string]any{"amount": 2000})
		return ""
	})

	var companyDeal string
	step(t, w, "a deal of a company alone", crm.Deals, "", func() string {
		companyDeal = w.Make(t, "", crm.Deals, map[string]any{"title": "Expansão", "company": w.ID("coB"), "pipeline": w.ID("pipeline"), "stage": w.ID("stageQual")}).Id
		return companyDeal
	}, want{event: timeline.DealCreated, actor: "system", channel: "system", company: w.ID("coB"), deal: created})
}

func TestCaseEvents(t *testing.T) {
	w := newWorld(t)
	agent, cu := w.ID("agent"), w.ID("customer")

	var kase string
	step(t, w, "the customer opens a request in the portal", crm.Cases, "", func() string {
		kase = posted(t, w, "customer", crm.Cases, map[string]any{"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Internet caindo à noite", "channel": "portal"})
		return kase
	}, want{event: timeline.CaseOpened, actor: "customer", customer: cu, channel: "portal", public: true, contact: w.ID("contact"), company: w.ID("coA"),
		cas: created, subject: "SUP-0001 Internet caindo à noite",
		data: map[string]any{"reference": "SUP-0001", "subject": "Internet caindo à noite"}})
	if e := entries(t, w, crm.Cases, kase); e[0].GetString("direction") != "inbound" {
		t.Errorf("a customer's request is inbound, not %q", e[0].GetString("direction"))
	}
	links := func(x want) want {
		x.contact, x.company, x.cas, x.public = w.ID("contact"), w.ID("coA"), kase, true
		return x
	}

	step(t, w, "staff move it: the entry says the public label only", crm.Cases, kase, func() string {
		patched(t, w, "agent", crm.Cases, kase, map[string]any{"status": "triage"}, sameOrigin, "same-origin")
		return ""
	}, links(want{event: timeline.CaseStatusChanged, actor: "staff", staff: agent, channel: "web", subject: "SUP-0001", body: "Em análise",
		data: map[string]any{"reference": "SUP-0001", "status": "Em análise"}, notInText: "parceiro"}))

	var first string
	step(t, w, "the first public answer", crm.CaseMessages, "", func() string {
		first = posted(t, w, "agent", crm.CaseMessages, map[string]any{"case": kase, "body": "Estamos verificando."})
		return first
	}, links(want{event: timeline.CaseAnswered, actor: "staff", staff: agent, channel: "api", subject: "SUP-0001", data: map[string]any{"reference": "SUP-0001"}}))

	step(t, w, "an internal note is no answer", crm.CaseMessages, "", func() string {
		return posted(t, w, "agent", crm.CaseMessages, map[string]any{"case": kase, "body": "Ver visitas.", "internal": true})
	})
	step(t, w, "the customer's message is no answer", crm.CaseMessages, "", func() string {
		return posted(t, w, "customer", crm.CaseMessages, map[string]any{"case": kase, "body": "Obrigado!"})
	})
	step(t, w, "the second answer is no event", crm.CaseMessages, "", func() string {
		return posted(t, w, "manager", crm.CaseMessages, map[string]any{"case": kase, "body": "Técnico a caminho."})
	})
	if n := w.Count(t, crm.Activities, "event = {:e} AND [[case]] = {:c}", dbx.Params{"e": timeline.CaseAnswered, "c": kase}); n != 1 {
		t.Errorf("%d answered entries, want 1", n)
	}

	step(t, w, "the system closes it", crm.Cases, kase, func() string {
		updated(t, w, crm.Cases, kase, map[string]any{"status": "solved"})
		return ""
	}, links(want{event: timeline.CaseClosed, actor: "system", channel: "system", subject: "SUP-0001", data: map[string]any{"status": "Resolvido"}}))

	step(t, w, "the customer rates it", crm.Cases, kase, func() string {
		patched(t, w, "customer", crm.Cases, kase, map[string]any{"rating": 5, "rating_comment": "Rápido!"})
		return ""
	}, links(want{event: timeline.CaseRated, actor: "customer", customer: cu, channel: "portal", body: "Rápido!", data: map[string]any{"rating": 5}}))

	step(t, w, "staff reopen it", crm.Cases, kase, func() string {
		patched(t, w, "agent", crm.Cases, kase, map[string]any{"status": "triage"})
		return ""
	}, links(want{event: timeline.CaseStatusChanged, actor: "staff", staff: agent, channel: "api", data: map[string]any{"status": "Em análise"}}))

	step(t, w, "a change of priority is no event", crm.Cases, kase, func() string {
		patched(t, w, "agent", crm.Cases, kase, map[string]any{"priority": "high"})
		return ""
	})

	// A customer phones and staff open the request for them in the
	// workspace: the entry says how the customer asked, not "the website".
	step(t, w, "staff open a request for a customer who phoned", crm.Cases, "", func() string {
		return posted(t, w, "agent", crm.Cases, map[string]any{"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Sem sinal", "channel": "phone"}, sameOrigin, "same-origin")
	}, want{event: timeline.CaseOpened, actor: "staff", staff: agent, channel: "phone", public: true, contact: w.ID("contact"), company: w.ID("coA"),
		cas: created, subject: "SUP-0002 Sem sinal", data: map[string]any{"reference": "SUP-0002"}})
	step(t, w, "staff open one without saying how the customer asked: the door it came through", crm.Cases, "", func() string {
		return posted(t, w, "agent", crm.Cases, map[string]any{"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Fatura"}, sameOrigin, "same-origin")
	}, want{event: timeline.CaseOpened, actor: "staff", staff: agent, channel: "web", public: true, contact: w.ID("contact"), company: w.ID("coA"),
		cas: created, subject: "SUP-0003 Fatura", data: map[string]any{"reference": "SUP-0003"}})
}

func TestOrderEvents(t *testing.T) {
	w := newWorld(t)
	agent := w.ID("agent")
	var order string
	step(t, w, "staff place an order", crm.Orders, "", func() string {
		order = posted(t, w, "agent", crm.Orders, map[string]any{
			"number": "PED-00001", "contact": w.ID("contact"), "items": []map[string]any{{"name": "Roteador", "quantity": 1}},
			"total": 300, "currency": "BRL", "status": "placed", "placed_at": "2026-11-20 10:00:00.000Z",
		})
		return order
	}, want{event: timeline.OrderPlaced, actor: "staff", staff: agent, channel: "api", public: true, contact: w.ID("contact"), company: w.ID("coA"),
		subject: "PED-00001", data: map[string]any{"number": "PED-00001", "total": 300, "currency": "BRL"}})
	// Each later state is on the timeline too (plugins/orders writes it).
	step(t, w, "paid", crm.Orders, order, func() string {
		updated(t, w, crm.Orders, order, map[string]any{"status": "paid"})
		return ""
	}, want{event: orders.EventOrderPaid, actor: "system", channel: "system", public: true, contact: w.ID("contact"), company: w.ID("coA"), subject: "PED-00001"})
	step(t, w, "cancelled", crm.Orders, order, func() string {
		updated(t, w, crm.Orders, order, map[string]any{"status": "cancelled"})
		return ""
	}, want{event: timeline.OrderCancelled, actor: "system", channel: "system", public: true, contact: w.ID("contact"), company: w.ID("coA"), subject: "PED-00001"})
}

func TestSubscriptionEvents(t *testing.T) {
	w := newWorld(t)
	agent, manager := w.ID("agent"), w.ID("manager")
	var sub string
	step(t, w, "a new subscription is no event", crm.Subscriptions, "", func() string {
		sub = w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("contact"), "company": w.ID("coA"), "product": w.ID("product"),
			"plan": "Internet 300", "quantity": 1, "price": 99.9, "currency": "BRL", "status": "active"}).Id
		return sub
	})
	links := func(x want) want { x.contact, x.company, x.public = w.ID("contact"), w.ID("coA"), true; return x }
	step(t, w, "paused", crm.Subscriptions, sub, func() string {
		patched(t, w, "agent", crm.Subscriptions, sub, map[string]any{"status": "paused", "paused_until": "2027-01-31 00:00:00.000Z"})
		return ""
	}, links(want{event: timeline.SubscriptionPaused, actor: "staff", staff: agent, channel: "api", subject: "Internet 300",
		data: map[string]any{"name": "Internet 300", "until": "2027-01-31"}}))
	step(t, w, "resumed", crm.Subscriptions, sub, func() string {
		updated(t, w, crm.Subscriptions, sub, map[string]any{"status": "active", "paused_until": ""})
		return ""
	}, links(want{event: timeline.SubscriptionResumed, actor: "system", channel: "system"}))
	step(t, w, "changed", crm.Subscriptions, sub, func() string {
		patched(t, w, "manager", crm.Subscriptions, sub, map[string]any{"quantity": 3, "plan": "Internet 500", "price": 149.9})
		return ""
	}, links(want{event: timeline.SubscriptionChanged, actor: "staff", staff: manager, channel: "api", subject: "Internet 500",
		dataText: `[{"field":"plan","from":"Internet 300","to":"Internet 500"},{"field":"quantity","from":"1","to":"3"},{"field":"price","from":"99.9","to":"149.9"}]`}))
	step(t, w, "cancelled", crm.Subscriptions, sub, func() string {
		updated(t, w, crm.Subscriptions, sub, map[string]any{"status": "cancelled"})
		return ""
	}, links(want{event: timeline.SubscriptionCancelled, actor: "system", channel: "system"}))
}

func TestConsentEvents(t *testing.T) {
	w := newWorld(t)
	cu := w.ID("customer")
	links := func(x want) want { x.contact, x.company = w.ID("contact"), w.ID("coA"); return x }

	var consent string
	step(t, w, "the customer gives a consent", crm.Consents, "", func() string {
		consent = posted(t, w, "customer", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "channel": "email",
			"state": "granted", "text": "Aceito ofertas por e-mail."})
		return consent
	}, links(want{event: timeline.ConsentChanged, actor: "customer", customer: cu, channel: "portal", public: true,
		subject: "marketing", body: "Aceito ofertas", data: map[string]any{"state": "granted", "purpose": "marketing", "channel": "email"}}))
	step(t, w, "and withdraws it", crm.Consents, consent, func() string {
		patched(t, w, "customer", crm.Consents, consent, map[string]any{"state": "withdrawn"})
		return ""
	}, links(want{event: timeline.ConsentChanged, actor: "customer", customer: cu, channel: "portal", public: true,
		data: map[string]any{"state": "withdrawn"}, dataText: `"before":{`}))
	step(t, w, "new wording alone is no event", crm.Consents, consent, func() string {
		patched(t, w, "agent", crm.Consents, consent, map[string]any{"text": "Nova redação."})
		return ""
	})
}

func TestMessageEvents(t *testing.T) {
	w := newWorld(t)
	manager := w.ID("manager")
	links := func(x want) want { x.contact, x.company = w.ID("contact"), w.ID("coA"); return x }
	var msg string
	step(t, w, "a message is queued", crm.Outbox, "", func() string {
		msg = w.Make(t, "", crm.Outbox, map[string]any{"contact": w.ID("contact"), "purpose": "service", "channel": "email",
			"subject": "Seu pedido", "state": crm.OutboxQueued}).Id
		return msg
	}, links(want{event: timeline.MessageQueued, actor: "system", channel: "system", subject: "Seu pedido"}))
	step(t, w, "held for the customer's hours", crm.Outbox, msg, func() string {
		updated(t, w, crm.Outbox, msg, map[string]any{"state": crm.OutboxWaiting, "not_before": "2026-11-23 12:00:00.000Z",
			"reason": "waiting for the customer's hours: weekdays 09:00-12:00"})
		return ""
	}, links(want{event: timeline.MessageHeld, actor: "system", channel: "system", body: "waiting for the customer's hours: weekdays 09:00-12:00"}))
	step(t, w, "a retry is no event", crm.Outbox, msg, func() string {
		updated(t, w, crm.Outbox, msg, map[string]any{"attempts": 1})
		return ""
	})
	step(t, w, "sent: the customer sees it", crm.Outbox, msg, func() string {
		updated(t, w, crm.Outbox, msg, map[string]any{"state": crm.OutboxSent, "sent_at": "2026-11-23 12:00:01.000Z"})
		return ""
	}, links(want{event: timeline.MessageSent, actor: "system", channel: "email", public: true, subject: "Seu pedido"}))
	if e := entries(t, w, crm.Outbox, msg); e[len(e)-1].GetString("type") != "email" || e[len(e)-1].GetString("direction") != "outbound" {
		t.Errorf("sent entry: type %q direction %q", e[len(e)-1].GetString("type"), e[len(e)-1].GetString("direction"))
	}

	var refused string
	step(t, w, "refused at once", crm.Outbox, "", func() string {
		refused = w.Make(t, "", crm.Outbox, map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "subject": "Oferta",
			"state": crm.OutboxRefused, "reason": "no marketing consent for email"}).Id
		return refused
	}, links(want{event: timeline.MessageRefused, actor: "system", channel: "system", subject: "Oferta", body: "no marketing consent"}))

	var manual string
	step(t, w, "a manager marks a message sent by hand", crm.Outbox, "", func() string {
		manual = posted(t, w, "agent", crm.Outbox, map[string]any{"contact": w.ID("contact"), "purpose": "service", "subject": "Lembrete", "state": crm.OutboxQueued})
		patched(t, w, "manager", crm.Outbox, manual, map[string]any{"state": crm.OutboxSent})
		return manual
	}, links(want{event: timeline.MessageQueued, actor: "staff", staff: w.ID("agent"), channel: "api", subject: "Lembrete"}),
		links(want{event: timeline.MessageSent, actor: "staff", staff: manager, channel: "api", public: true, subject: "Lembrete"}))
}

// Go and JavaScript code mark the records they save on behalf of another
// system; a superuser is an integration too.
func TestIntegrationActors(t *testing.T) {
	w := newWorld(t)
	orders, _ := w.App.FindCollectionByNameOrId(crm.Orders)
	order := func(n string) *core.Record {
		r := core.NewRecord(orders)
		r.Load(map[string]any{"number": n, "contact": w.ID("contact"), "items": []map[string]any{{"name": "x"}}, "currency": "BRL",
			"status": "placed", "placed_at": "2026-11-20 10:00:00.000Z"})
		return r
	}
	integration := want{event: timeline.OrderPlaced, actor: "integration", channel: "api", public: true, contact: w.ID("contact"), company: w.ID("coA")}

	step(t, w, "marked in Go", crm.Orders, "", func() string {
		r := order("INT-1")
		timeline.SetActor(r, timeline.Integration)
		if err := w.App.Save(r); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}, integration)
	step(t, w, "marked as from JavaScript", crm.Orders, "", func() string {
		r := order("INT-2")
		r.Set(timeline.ActorKey, "integration") // record.set("@pbInternalVinculoActor", "integration")
		if err := w.App.Save(r); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}, integration)
	step(t, w, "a mark that names no known actor is the system", crm.Orders, "", func() string {
		r := order("INT-3")
		r.Set(timeline.ActorKey, map[string]any{"type": "boss", "staff": w.ID("manager")})
		if err := w.App.Save(r); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}, want{event: timeline.OrderPlaced, actor: "system", channel: "system", public: true, contact: w.ID("contact"), company: w.ID("coA")})

	supers, _ := w.App.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	su := core.NewRecord(supers)
	su.SetEmail("root@vinculo.test")
	su.SetPassword("a-long-test-password")
	if err := w.App.Save(su); err != nil {
		t.Fatal(err)
	}
	w.SetToken("super", testkit.Token(t, su))
	step(t, w, "a superuser through the API", crm.Orders, "", func() string {
		return posted(t, w, "super", crm.Orders, map[string]any{"number": "SU-1", "contact": w.ID("contact"), "items": []map[string]any{{"name": "x"}},
			"currency": "BRL", "status": "placed", "placed_at": "2026-11-20 10:00:00.000Z"})
	}, integration)
}

// The entry is written in the change's transaction: when it cannot be
// written, the change is not made either (nor the message it would queue).
func TestEntryAndChangeCommitTogether(t *testing.T) {
	w := newWorld(t)
	kase := w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Sem sinal"})
	w.App.OnRecordCreate(crm.Activities).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("event") == timeline.CaseStatusChanged {
			return errors.New("the timeline is unavailable")
		}
		return e.Next()
	})
	outboxBefore := w.Count(t, crm.Outbox, "[[case]] = {:c}", dbx.Params{"c": kase.Id})
	res := w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "triage"})
	if res.Status < 400 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, kase.Id).GetString("status"); got != "new" {
		t.Errorf("the status changed to %q without its entry", got)
	}
	if n := w.Count(t, crm.Outbox, "[[case]] = {:c}", dbx.Params{"c": kase.Id}); n != outboxBefore {
		t.Errorf("%d messages queued for a change that did not happen", n-outboxBefore)
	}
}
