package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/plugins/timeline"
)

// casePlan is a request's life: opened, first answered, closed (once, or
// closed, reopened and closed again), rated.
type casePlan struct {
	status             requests.Status // where it is now
	opened, answered   time.Time
	closed             time.Time // the first close; zero while open
	reopened, reclosed time.Time // zero unless it was reopened
	rating             int
	ratedAt            time.Time
	comment            string
}

// planCase: most requests of the last year are closed, answered and solved
// in business hours within their type's targets, some late; the open ones
// are recent, a few left waiting for weeks. Some support requests were
// reopened. Six in ten closed requests were rated.
func (g *generator) planCase(k int, t caseType, drawn requests.Status, lang string) casePlan {
	r := rand.New(rand.NewPCG(47, uint64(k)))
	p := casePlan{status: drawn}
	if k > 4 { // the portal customers' first requests keep their place in the story
		var open, closed []requests.Status
		for _, s := range t.statuses {
			if s.Closed {
				closed = append(closed, s)
			} else {
				open = append(open, s)
			}
		}
		p.status = closed[0]
		if len(closed) > 1 && r.IntN(6) == 0 {
			p.status = closed[1] // cancelled, rejected
		}
		if r.IntN(5) == 0 {
			p.status = open[r.IntN(len(open))]
		}
	}
	var day time.Time
	switch {
	case !p.status.Closed && r.IntN(6) == 0:
		day = g.daysAgo(30 + r.IntN(30)) // forgotten in the backlog
	case !p.status.Closed:
		day = g.daysAgo(r.IntN(21))
	default:
		day = g.daysAgo(20 + r.IntN(345))
	}
	p.opened = g.atWork(day, r)
	if r.IntN(5) == 0 { // written in the evening or at the weekend, through the portal or by mail
		p.opened = day.Add(time.Duration(r.IntN(24*60)) * time.Minute)
	}
	p.opened = g.notAfter(p.opened, 2*time.Hour)
	share := 0.15 + 0.7*r.Float64()
	if r.IntN(7) == 0 {
		share = 1.1 + 1.5*r.Float64() // answered late
	}
	p.answered = g.workHours(p.opened, share*t.firstResponse)
	if limit := g.opts.Now.Add(-10 * time.Minute); p.answered.After(limit) {
		p.answered = p.opened.Add(limit.Sub(p.opened) / 2)
	}
	if !p.status.Closed {
		return p
	}
	share = 0.2 + 0.7*r.Float64()
	late := r.IntN(6) == 0
	if late {
		share = 1.1 + 1.5*r.Float64()
	}
	p.closed = g.workHours(p.opened, share*t.resolution)
	if t.reopen != "" && r.IntN(4) == 0 {
		p.closed = g.workHours(p.opened, (0.2+0.3*r.Float64())*t.resolution)
		p.reopened = p.closed.Add(time.Duration(20+r.IntN(60)) * time.Hour)
		p.reclosed = g.workHours(p.reopened, 2+10*r.Float64())
		if p.reclosed.After(g.opts.Now.Add(-time.Hour)) {
			p.reopened, p.reclosed = time.Time{}, time.Time{}
		}
	}
	p.closed = g.notAfter(p.closed, time.Hour)
	if !p.closed.After(p.answered) {
		p.closed = p.answered.Add(30 * time.Minute)
	}
	if r.IntN(5) < 3 || !p.reopened.IsZero() { // a reopened request is rated at its first close
		scores := []int{5, 5, 5, 5, 4, 4, 4, 3, 4, 2}
		if late || !p.reopened.IsZero() {
			scores = []int{2, 3, 3, 4, 1, 3, 4, 2}
		}
		p.rating = scores[r.IntN(len(scores))]
		p.ratedAt = g.notAfter(p.closed.Add(time.Duration(1+r.IntN(30))*time.Hour), 10*time.Minute)
		if r.IntN(2) == 0 {
			p.comment = ratingComments[lang][min(p.rating, 5)-1]
		}
	}
	return p
}

var ratingComments = map[string][]string{
	"pt-BR": {"Demorou demais e ninguém me avisou.", "Resolveram, mas precisei ligar duas vezes.", "Ok, resolvido.", "Bom atendimento, obrigado.", "Resolvido rápido, obrigado!"},
	"en":    {"It took far too long and nobody told me.", "Solved, but I had to call twice.", "Fine, it is solved.", "Good service, thank you.", "Solved quickly, thanks!"},
}

// requests: cases of every type over the last year, with their
// conversations; the portal customers have some of each kind, including a
// licence application.
func (g *generator) requests(base int) error {
	count := base * 3 / 5
	seq := map[string]int{}
	for k := 1; k <= count; k++ {
		r := rand.New(rand.NewPCG(29, uint64(k)))
		ti := r.IntN(len(caseTypeList))
		contact := (k*17)%base + 1
		shared := r.IntN(3) == 0
		switch k {
		case 1: // João: his licence application, in progress
			ti, contact, shared = 4, 1, false
		case 2: // João: a support request, shared with his company
			ti, contact, shared = 0, 1, true
		case 3: // Ana: a complaint of her own
			ti, contact, shared = 1, 2, false
		case 4: // Ana: a request shared with the company
			ti, contact, shared = 3, 2, true
		}
		t := caseTypeList[ti]
		seq[t.code]++
		st := t.statuses[r.IntN(len(t.statuses))]
		if k == 1 {
			st = t.statuses[2]
		}
		lang := g.language(contact)
		subjects := caseSubjects[lang][t.code]
		fields := map[string]any{
			"reference": fmt.Sprintf("%s-%04d", t.code, seq[t.code]), "type": id("tp", ti+1),
			"contact": contactID(contact), "subject": subjects[r.IntN(len(subjects))],
			"description": caseDescriptions[lang],
			"priority":    []string{"low", "normal", "normal", "high", "urgent"}[r.IntN(5)],
			"assignee":    staffIDs[r.IntN(2)], "channel": []string{"portal", "email", "phone", "whatsapp"}[r.IntN(4)],
			"shared": shared,
		}
		if c := companyOf(contact); c > 0 {
			fields["company"] = companyID(c)
		}
		if t.code == "LIC" {
			fields["data"] = map[string]any{"cnpj": "12.345.678/0001-90", "activity": "Comércio varejista", "address": "Rua das Flores, 120 — Centro"}
		}
		if t.code == "OS" { // the service order type requires the address
			fields["data"] = map[string]any{"address": "Rua das Flores, 120 — Centro"}
		}
		if err := g.request(k, t, contact, fields, g.planCase(k, t, st, lang)); err != nil {
			return err
		}
	}
	return nil
}

// request saves case k along its plan: opened (closed already when it was
// not rated), its conversation, then closed with its rating (reopened and
// closed again) through the requests plugin, its timeline at each step's time.
func (g *generator) request(k int, t caseType, contact int, fields map[string]any, p casePlan) error {
	caseID := id("cs", k)
	fields["status"] = p.status.Key
	fields["first_response_at"] = dt(p.answered)
	closeNow := p.status.Closed && p.rating == 0
	if closeNow {
		fields["closed_at"] = dt(p.closed)
	} else if p.status.Closed {
		fields["status"] = t.statuses[0].Key
	}
	rec, isNew, err := g.create(crm.Cases, caseID, fields, p.opened)
	if err != nil || !isNew {
		return err
	}
	if err := g.backdate("case", caseID, p.opened, nil); err != nil {
		return err
	}
	if err := g.conversation(k, contact, rec, p); err != nil {
		return err
	}
	if closeNow {
		return g.closedEntry(rec, p.closed)
	}
	if !p.status.Closed {
		return nil
	}
	rec.Set("status", p.status.Key)
	rec.Set("closed_at", dt(p.closed))
	rec.Set("rating", p.rating)
	rec.Set("rating_comment", p.comment)
	if err := g.step(rec, p.closed, map[string]time.Time{timeline.CaseRated: p.ratedAt}); err != nil {
		return err
	}
	if err := g.rated(caseID, p.ratedAt); err != nil || p.reopened.IsZero() || !g.reopens(rec, t) {
		return err
	}
	// Reopened: the resolution clock goes on with the business time it had
	// left (as the requests plugin counts it), then it closes again.
	due := rec.GetDateTime("resolution_due").Time()
	rec.Set("status", t.reopen)
	if left := g.cal.OpenBetween(p.closed, due); !due.IsZero() {
		rec.Set("resolution_due", dt(g.workHours(p.reopened, left.Hours())))
	}
	if err := g.step(rec, p.reopened, nil); err != nil {
		return err
	}
	rec.Set("status", p.status.Key)
	rec.Set("closed_at", dt(p.reclosed))
	return g.step(rec, p.reclosed, nil)
}

// step saves a change of case rec made at at.
func (g *generator) step(rec *core.Record, at time.Time, byEvent map[string]time.Time) error {
	if err := g.app.Save(rec); err != nil {
		return fmt.Errorf("demo case %s: %w", rec.Id, err)
	}
	return g.backdate("case", rec.Id, at, byEvent)
}

// rated: the customer rated the request at at (the plugins stamp the save's
// time): its rating time and its CSAT answer (plugins/surveys keeps one per
// rated request).
func (g *generator) rated(caseID string, at time.Time) error {
	if _, err := g.app.DB().Update(crm.Cases, dbx.Params{"rated_at": stamp(at)}, dbx.HashExp{"id": caseID}).Execute(); err != nil {
		return err
	}
	_, err := g.app.DB().Update(crm.SurveyAnswers, dbx.Params{crm.AnswerAt: stamp(at), "created": stamp(at), "updated": stamp(at)},
		dbx.HashExp{crm.AnswerCase: caseID, crm.AnswerKind: crm.SurveyCSAT}).Execute()
	return err
}

// closedEntry is the "closed" timeline entry of a request saved closed
// (the timeline writes one for a close, not for a request created closed).
func (g *generator) closedEntry(c *core.Record, at time.Time) error {
	ref, subject := c.GetString("reference"), c.GetString("subject")
	e, err := timeline.Write(g.app, timeline.Entry{
		Event: timeline.CaseClosed, Public: true, Subject: ref + " " + subject, Body: c.GetString("status_label"),
		Data:    map[string]any{"reference": ref, "subject": subject, "status": c.GetString("status_label")},
		Contact: c.GetString(crm.FieldContact), Case: c.Id, RefCollection: crm.Cases, RefID: c.Id, OccurredAt: at,
		Actor: timeline.System,
	})
	if err == nil {
		g.dated[e.Id] = true
	}
	return err
}

// conversation: the customer's message, the team's note and its answer.
func (g *generator) conversation(k, contact int, c *core.Record, p casePlan) error {
	messages := []map[string]any{
		{"body": "Olá! Abri este pedido pelo portal. Podem me ajudar?", "author_customer": ""},
		{"body": "Recebemos seu pedido e já estamos cuidando dele. Retornaremos em breve.", "author_staff": c.GetString("assignee")},
		{"body": "Verificar histórico de visitas antes de responder.", "author_staff": c.GetString("assignee"), "internal": true},
	}
	when := []time.Time{p.opened, p.answered, p.answered.Add(-10 * time.Minute)}
	for m, msg := range messages {
		msg["case"] = c.Id
		if contact <= 2 && m == 0 {
			msg["author_customer"] = id("cu", contact)
		}
		if _, _, err := g.create(crm.CaseMessages, id(fmt.Sprintf("cm%d", m), k), msg, when[m]); err != nil {
			return err
		}
		if err := g.backdate("case", c.Id, when[m], nil); err != nil {
			return err
		}
	}
	return nil
}

// reopens tells whether the request's type, as stored, lets a closed
// request go back (a data dir made by an older demo has types that do not).
func (g *generator) reopens(c *core.Record, t caseType) bool {
	ct, err := g.app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return false
	}
	moves, err := requests.Transitions(ct)
	return err == nil && slices.Contains(moves[c.GetString("status")], t.reopen)
}
