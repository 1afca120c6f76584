package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/plugins/surveys"
	"vinculo/plugins/timeline"
)

// orders: a year of orders, mostly in the business's currency, a few in
// US dollars (a customer abroad), each on the timeline when it was placed.
func (g *generator) orders(base int) error {
	for o := 1; o <= base/2; o++ {
		r := rand.New(rand.NewPCG(17, uint64(o)))
		contact := (o*3)%base + 1
		p := productList[r.IntN(len(productList))]
		qty := 1 + r.IntN(3)
		price := p["price"].(float64)
		status := []string{"placed", "paid", "shipped", "delivered", "delivered", "cancelled"}[r.IntN(6)]
		if o <= 4 {
			contact = 1 + o%2 // the portal customers have orders too
		}
		r2 := rand.New(rand.NewPCG(53, uint64(o)))
		placed := g.notAfter(g.atWork(g.daysAgo(1+r2.IntN(364)), r2), time.Hour)
		currency := "BRL"
		if o%19 == 0 {
			currency, price = "USD", math.Round(price/5.4*100)/100
		}
		fields := map[string]any{
			"number": fmt.Sprintf("PED-%05d", o), "contact": contactID(contact),
			"items": []map[string]any{{"product": p["code"], "name": p["name"], "quantity": qty, "unit_price": price}},
			"total": price * float64(qty), "currency": currency, "status": status, "placed_at": dt(placed),
		}
		if c := companyOf(contact); c > 0 && r.IntN(2) == 0 {
			fields["company"] = companyID(c)
		}
		if status == "cancelled" {
			fields["cancelled_at"] = dt(g.notAfter(placed.Add(time.Duration(2+r2.IntN(96))*time.Hour), time.Minute))
		}
		if _, isNew, err := g.create(crm.Orders, id("or", o), fields, placed); err != nil {
			return err
		} else if isNew {
			if err := g.backdate(crm.FieldContact, contactID(contact), placed, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// subEntry is a past change of a subscription, as the timeline wrote it.
type subEntry struct {
	event   string
	at      time.Time
	changes []timeline.Change
	until   time.Time
}

// subscriptions: started over the last year and a half; most are active
// (some moved to the faster or the slower fibre plan), some paused now or
// paused for a while and resumed, some cancelled (a few after a pause).
// The portal customers' first ones are simply active.
func (g *generator) subscriptions(base int) error {
	subscriptionProducts := []int{1, 2, 5}
	for s := 1; s <= base*2/5; s++ {
		r := rand.New(rand.NewPCG(19, uint64(s)))
		contact := (s*11)%base + 1
		if s <= 3 {
			contact = 1 + s%2
		}
		pi := subscriptionProducts[r.IntN(len(subscriptionProducts))]
		r2 := rand.New(rand.NewPCG(59, uint64(s)))
		started := g.atWork(g.daysAgo(30+r2.IntN(520)), r2)
		story := r2.IntN(10)
		if s <= 3 {
			story = 0
		}
		fields := map[string]any{"status": "active"}
		var entries []subEntry
		// A fibre plan changed: to the faster one (most) or back to the slower.
		if story <= 5 && pi != 2 && s > 3 && r2.IntN(3) == 0 {
			from, to := 1, 5
			if r2.IntN(3) == 0 {
				from, to = 5, 1
			}
			pi = to
			old, now := productList[from-1], productList[to-1]
			entries = append(entries, subEntry{event: timeline.SubscriptionChanged, at: g.between(started, r2), changes: []timeline.Change{
				{Field: "plan", From: old["name"].(string), To: now["name"].(string)},
				{Field: "product", From: old["name"].(string), To: now["name"].(string)},
				{Field: "price", From: fmt.Sprint(old["price"]), To: fmt.Sprint(now["price"])},
			}})
		}
		switch story {
		case 6: // paused now, until next month
			until := g.opts.Now.AddDate(0, 1, 0)
			fields["status"], fields["paused_until"] = "paused", dt(until)
			entries = append(entries, subEntry{event: timeline.SubscriptionPaused, at: g.notAfter(g.atWork(g.daysAgo(3+r2.IntN(40)), r2), time.Hour), until: until})
		case 7: // paused for a month or two, then resumed
			at := g.between(started, r2)
			back := g.notAfter(at.AddDate(0, 0, 20+r2.IntN(40)), time.Hour)
			entries = append(entries, subEntry{event: timeline.SubscriptionPaused, at: at, until: back},
				subEntry{event: timeline.SubscriptionResumed, at: back})
		case 8, 9: // cancelled, a few after a pause
			end := g.between(started.AddDate(0, 0, 20), r2)
			fields["status"], fields["cancelled_at"] = "cancelled", dt(end)
			if r2.IntN(3) == 0 {
				entries = append(entries, subEntry{event: timeline.SubscriptionPaused, at: started.Add(end.Sub(started) * 2 / 3)})
			}
			entries = append(entries, subEntry{event: timeline.SubscriptionCancelled, at: end})
		}
		p := productList[pi-1]
		fields["contact"], fields["product"], fields["plan"], fields["quantity"] = contactID(contact), id("pr", pi), p["name"], 1
		fields["price"], fields["currency"], fields["started_at"] = p["price"], "BRL", dt(started)
		fields["renews_at"] = g.opts.Now.AddDate(0, 1+r.IntN(11), 0).Format(demoTimeStamp)
		if c := companyOf(contact); c > 0 && s%3 == 0 {
			fields["company"] = companyID(c)
		}
		rec, isNew, err := g.create(crm.Subscriptions, id("sb", s), fields, started)
		if err != nil {
			return err
		}
		if !isNew {
			continue
		}
		for _, e := range entries {
			data := map[string]any{"name": p["name"]}
			if len(e.changes) > 0 {
				data["changes"] = e.changes
			}
			if !e.until.IsZero() {
				data["until"] = e.until.Format(time.DateOnly)
			}
			w, err := timeline.Write(g.app, timeline.Entry{Event: e.event, Public: true, Subject: p["name"].(string), Data: data,
				Contact: rec.GetString(crm.FieldContact), RefCollection: crm.Subscriptions, RefID: rec.Id, OccurredAt: e.at, Actor: timeline.System})
			if err != nil {
				return err
			}
			g.dated[w.Id] = true
		}
	}
	return nil
}

// between is a working moment after from and before today.
func (g *generator) between(from time.Time, r *rand.Rand) time.Time {
	days := int(g.opts.Now.Sub(from).Hours()/24) - 2
	if days < 1 {
		return g.notAfter(from.Add(time.Hour), time.Minute)
	}
	return g.notAfter(g.atWork(from.AddDate(0, 0, 1+r.IntN(days)), r), time.Hour)
}

// npsContact is the contact of the demo's n-th NPS answer: one of the first
// contacts, never the portal customers (whose open surveys the portal lists).
func npsContact(n, base int) int { return 3 + (n*7)%(base-2) }

var npsComments = map[string][]string{
	"pt-BR": {"A internet cai toda semana.", "Bom, mas o suporte demora.", "Atendimento excelente, recomendo!", "Preço justo e técnicos educados."},
	"en":    {"The connection drops every week.", "Good, but support is slow.", "Excellent service, I recommend you!", "Fair price and polite technicians."},
}

// npsAnswers: a year of answers to "how likely are you to recommend us?",
// each to a survey sent by email, recorded by plugins/surveys as the
// customer gave it (with its timeline entry).
func (g *generator) npsAnswers(base int) error {
	if base < 3 {
		return nil
	}
	for n := 1; n <= base/2; n++ {
		r := rand.New(rand.NewPCG(61, uint64(n)))
		contact := npsContact(n, base)
		answered := g.notAfter(g.daysAgo(1+r.IntN(360)).Add(time.Duration(8*60+r.IntN(14*60))*time.Minute), time.Hour)
		asked := answered.Add(-time.Duration(1+r.IntN(72)) * time.Hour)
		sum := sha256.Sum256([]byte(fmt.Sprintf("vinculo-demo-survey-%d", n))) // a link nobody holds
		req, isNew, err := g.create(crm.SurveyRequests, id("sq", n), map[string]any{
			crm.SurveyRequestKind: crm.SurveyNPS, crm.SurveyRequestContact: contactID(contact),
			crm.SurveyRequestTokenHash: hex.EncodeToString(sum[:]), crm.SurveyRequestAskedAt: dt(asked),
			crm.SurveyRequestExpiresAt: dt(asked.Add(surveys.LinkValid)),
		}, asked)
		if err != nil {
			return err
		}
		if !isNew {
			continue
		}
		score := []int{10, 10, 9, 9, 10, 9, 8, 8, 7, 7, 6, 5, 3, 9, 10, 8, 4, 9, 10, 7}[r.IntN(20)]
		comment := ""
		if r.IntN(3) == 0 {
			words := npsComments[g.language(contact)]
			comment = words[min(score/3, len(words)-1)]
		}
		if _, err := surveys.Answer(g.app, req, score, comment, timeline.Actor{Type: timeline.ActorCustomer, Channel: timeline.ChannelWeb}, answered); err != nil {
			return fmt.Errorf("demo NPS answer %d: %w", n, err)
		}
	}
	return nil
}

// objectives: what the manager steers by, measured every day of the last
// month (insights.Snapshot, as the server does each night), so that Home
// shows each against its target with its trend.
func (g *generator) objectives() error {
	words := func(pt, en string) string {
		if g.opts.Language == "pt-BR" {
			return pt
		}
		return en
	}
	list := []map[string]any{
		{crm.ObjectiveName: words("CSAT de pelo menos 4,3", "CSAT at least 4.3"), crm.ObjectiveFigure: insights.BoardService + "/" + insights.ServiceCSAT,
			crm.ObjectiveTarget: 4.3, crm.ObjectiveDirection: crm.ObjectiveAtLeast, crm.ObjectivePeriod: crm.MeasureRolling30,
			crm.ObjectiveStart: dt(g.daysAgo(60)), crm.ObjectiveDue: dt(g.daysAgo(-120)), crm.ObjectiveOwner: staffIDs[0]},
		{crm.ObjectiveName: words("Taxa de ganho de 35% no trimestre", "Win rate 35% this quarter"), crm.ObjectiveFigure: insights.BoardSales + "/win_rate",
			crm.ObjectiveTarget: 35, crm.ObjectiveDirection: crm.ObjectiveAtLeast, crm.ObjectivePeriod: crm.MeasureRolling30,
			crm.ObjectiveStart: dt(g.daysAgo(45)), crm.ObjectiveDue: dt(g.daysAgo(-90)), crm.ObjectiveOwner: staffIDs[1], crm.ObjectiveCost: 2500},
		{crm.ObjectiveName: words("Churn de no máximo 2% ao mês", "Churn at most 2% a month"), crm.ObjectiveFigure: insights.BoardCustomers + "/" + insights.CustomersChurnRate,
			crm.ObjectiveTarget: 2, crm.ObjectiveDirection: crm.ObjectiveAtMost, crm.ObjectivePeriod: crm.MeasureMonthToDate,
			crm.ObjectiveStart: dt(g.daysAgo(40)), crm.ObjectiveDue: dt(g.daysAgo(-200)), crm.ObjectiveOwner: staffIDs[0]},
	}
	made := false
	for i, fields := range list {
		_, isNew, err := g.create(crm.Objectives, id("ob", i+1), fields, g.daysAgo(60))
		if err != nil {
			return err
		}
		made = made || isNew
	}
	if !made {
		return nil
	}
	_, err := insights.Snapshot(g.app, g.opts.Config, g.opts.Now)
	return err
}
