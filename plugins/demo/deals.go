package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"vinculo/crm"
	"vinculo/plugins/deals"
)

// demoPipelines: the open stages of each pipeline and each stage's
// probability (the won stage follows the open ones, then the lost one).
var demoPipelines = []struct{ open, prob []int }{
	{open: []int{1, 2, 3}, prob: []int{10, 40, 70, 100, 0}},
	{open: []int{1, 2}, prob: []int{30, 60, 100, 0}},
}

// dealMove is a stage a deal entered, and when.
type dealMove struct {
	stage int
	at    time.Time
}

// dealPath is the stages deal d went through over the last year: open deals
// are recent and some went back a stage; won ones went through every open
// stage (a few skipped one); lost ones left at any open stage.
func (g *generator) dealPath(d, pipeline, final int) []dealMove {
	r := rand.New(rand.NewPCG(43, uint64(d)))
	open := demoPipelines[pipeline-1].open
	won, lost := len(open)+1, len(open)+2
	var stages []int
	var start time.Time
	switch final {
	case won, lost:
		start = g.atWork(g.daysAgo(20+r.IntN(340)), r)
		last := len(open)
		if final == lost {
			last = 1 + r.IntN(len(open))
		}
		for s := 1; s <= last; s++ {
			if final == won && s == 2 && last > 2 && r.IntN(4) == 0 {
				continue // went straight from qualification to negotiation
			}
			stages = append(stages, s)
		}
		stages = append(stages, final)
	default:
		start = g.atWork(g.daysAgo(2+r.IntN(150)), r)
		for s := 1; s <= final; s++ {
			stages = append(stages, s)
		}
		if final >= 2 && r.IntN(5) == 0 { // sent back a stage, then forward again
			stages = append(stages, final-1, final)
		}
	}
	moves := []dealMove{{stages[0], start}}
	at := start
	for _, s := range stages[1:] {
		at = g.atWork(time.Date(at.Year(), at.Month(), at.Day()+2+r.IntN(19), 0, 0, 0, 0, at.Location()), r)
		moves = append(moves, dealMove{s, at})
	}
	// Squeeze the path into the time between its start and a moment of the
	// last few days.
	end := g.opts.Now.Add(-time.Duration(1+r.IntN(96)) * time.Hour)
	if !start.Before(end) {
		start = end.Add(-time.Duration(2+r.IntN(48)) * time.Hour)
		moves[0].at = start
	}
	if at.After(end) {
		first := moves[0].at
		scale := float64(end.Sub(start)) / float64(at.Sub(first))
		for i := range moves {
			moves[i].at = start.Add(time.Duration(float64(moves[i].at.Sub(first)) * scale))
		}
	}
	return moves
}

// deals: 2 in 5 of the first contacts have a deal; each is created at its
// first stage and moved along its path through the deals plugin, with the
// plugin's clock set to each move's time, so that the stage history, the
// closing time and the lost reason are what the workspace would have
// written.
func (g *generator) deals(base int, reasons []string) error {
	defer deals.Configure(g.app, deals.Options{})
	for d := 1; d <= base*2/5; d++ {
		r := rand.New(rand.NewPCG(13, uint64(d)))
		contact := (d*7)%base + 1
		pipeline := 1 + d%2
		stages := len(demoPipelines[pipeline-1].prob)
		title := dealTitles[g.language(contact)][r.IntN(5)]
		final := 1 + r.IntN(stages)
		amount := float64(500+r.IntN(40)*250) + 0.9
		owner := staffIDs[r.IntN(2)]
		moves := g.dealPath(d, pipeline, final)
		closing := moves[len(moves)-1].at
		expected := closing
		if final <= stages-2 { // open: expected to close in the coming weeks
			expected = g.opts.Now.AddDate(0, 0, r.IntN(90)-10)
		}
		stage := func(s int) string { return id(fmt.Sprintf("ps%d", pipeline), s) }
		fields := map[string]any{
			"title": title, "contact": contactID(contact), "pipeline": id("pl", pipeline), "stage": stage(moves[0].stage),
			"amount": amount, "currency": "BRL", "expected_close": dt(expected), "owner": owner,
			"probability": demoPipelines[pipeline-1].prob[moves[0].stage-1], "stage_changed_at": dt(moves[0].at),
		}
		if c := companyOf(contact); c > 0 {
			fields["company"] = companyID(c)
		}
		rec, isNew, err := g.create(crm.Deals, id("dl", d), fields, moves[0].at)
		if err != nil {
			return err
		}
		if !isNew {
			continue
		}
		if err := g.backdate("deal", rec.Id, moves[0].at, nil); err != nil {
			return err
		}
		for _, m := range moves[1:] {
			at := m.at
			deals.Configure(g.app, deals.Options{Now: func() time.Time { return at }})
			rec.Set(crm.FieldStage, stage(m.stage))
			rec.Set("probability", demoPipelines[pipeline-1].prob[m.stage-1])
			if m.stage == stages {
				rec.Set(crm.FieldLostReason, reasons[d%len(reasons)])
			}
			if err := g.app.Save(rec); err != nil {
				return fmt.Errorf("demo deal %s: %w", rec.Id, err)
			}
			if err := g.backdate("deal", rec.Id, at, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
