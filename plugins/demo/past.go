package demo

import (
	"math/rand/v2"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// The demo business has a past: a year of deals moving through the
// pipeline, requests answered and closed in business hours, subscriptions
// started, paused, changed and cancelled, surveys answered. Records are
// saved through the plugins (their hooks keep everything consistent) with
// the times they happened; the timeline entries the hooks write "now" are
// then moved to those times.

// dt is t as PocketBase stores it.
func dt(t time.Time) types.DateTime {
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

// stamp is t as PocketBase writes it in SQL.
func stamp(t time.Time) string { return t.UTC().Format(demoTimeStamp) }

// daysAgo is the business's midnight days before now.
func (g *generator) daysAgo(days int) time.Time {
	loc := g.cal.Location
	if loc == nil {
		loc = time.UTC
	}
	n := g.opts.Now.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day()-days, 0, 0, 0, 0, loc)
}

// atWork is a moment in the business's opening hours on day or the next
// day it opens, r choosing the minute.
func (g *generator) atWork(day time.Time, r *rand.Rand) time.Time {
	t, ok := g.cal.Add(day, time.Duration(r.IntN(8*60))*time.Minute)
	if !ok {
		return day.Add(time.Duration(9*60+r.IntN(8*60)) * time.Minute)
	}
	return t
}

// workHours is h business hours after t.
func (g *generator) workHours(t time.Time, h float64) time.Time {
	at, ok := g.cal.Add(t, time.Duration(h*float64(time.Hour)))
	if !ok {
		return t.Add(time.Duration(h * float64(time.Hour)))
	}
	return at
}

// notAfter keeps t before now: what happened cannot be later than today.
func (g *generator) notAfter(t time.Time, margin time.Duration) time.Time {
	if limit := g.opts.Now.Add(-margin); t.After(limit) {
		return limit
	}
	return t
}

// backdate moves the timeline entries about the record (column = its id)
// that the last save wrote to when that save happened: at, or for an
// event named in byEvent, its own time.
func (g *generator) backdate(column, recordID string, at time.Time, byEvent map[string]time.Time) error {
	var rows []struct {
		ID    string `db:"id"`
		Event string `db:"event"`
	}
	if err := g.app.DB().Select("id", "event").From(crm.Activities).
		Where(dbx.HashExp{column: recordID}).All(&rows); err != nil {
		return err
	}
	for _, r := range rows {
		if g.dated[r.ID] {
			continue
		}
		g.dated[r.ID] = true
		when := at
		if t, ok := byEvent[r.Event]; ok {
			when = t
		}
		if _, err := g.app.DB().Update(crm.Activities,
			dbx.Params{"occurred_at": stamp(when), "created": stamp(when), "updated": stamp(when)},
			dbx.HashExp{"id": r.ID}).Execute(); err != nil {
			return err
		}
	}
	return nil
}
