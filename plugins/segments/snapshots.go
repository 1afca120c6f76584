package segments

import (
	"context"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
)

// SnapshotAll writes every segment's snapshot of today (in the business's
// time zone) and completes yesterday's revenue. A segment whose definition
// no longer compiles (a product removed) is skipped and logged.
func SnapshotAll(app core.App, cfg *crm.Config, now time.Time) error {
	segs, err := app.FindAllRecords(crm.Segments)
	if err != nil {
		return err
	}
	for _, seg := range segs {
		if err := snapshotSegment(app, cfg, seg, now); err != nil {
			app.Logger().Warn("segments: snapshot", "segment", seg.Id, "error", err)
		}
	}
	return nil
}

// snapshotSegment writes seg's members and revenue of now's day, and the
// revenue of the day before when a snapshot of it exists.
func snapshotSegment(app core.App, cfg *crm.Config, seg *core.Record, now time.Time) error {
	loc := cfg.BusinessNow().Location()
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	c, err := segdef.Of(app, seg, now, "sg")
	if err != nil {
		return err
	}
	members, err := segdef.Count(context.Background(), app, c)
	if err != nil {
		return err
	}
	revenue, err := dayRevenue(app, c, today, today.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	if err := saveSnapshot(app, seg.Id, today.Format(time.DateOnly), &members, revenue); err != nil {
		return err
	}
	yesterday := today.AddDate(0, 0, -1)
	revenue, err = dayRevenue(app, c, yesterday, today)
	if err != nil {
		return err
	}
	return saveSnapshot(app, seg.Id, yesterday.Format(time.DateOnly), nil, revenue)
}

// saveSnapshot writes the day's row of a segment; without members it only
// updates the revenue of a row that exists.
func saveSnapshot(app core.App, segment, day string, members *int, revenue float64) error {
	r, err := app.FindFirstRecordByFilter(crm.SegmentSnapshots, crm.SnapSegment+" = {:s} && "+crm.SnapDay+" = {:d}",
		dbx.Params{"s": segment, "d": day})
	if err != nil {
		if members == nil {
			return nil
		}
		c, err := app.FindCachedCollectionByNameOrId(crm.SegmentSnapshots)
		if err != nil {
			return err
		}
		r = core.NewRecord(c)
		r.Set(crm.SnapSegment, segment)
		r.Set(crm.SnapDay, day)
	}
	if members != nil {
		r.Set(crm.SnapMembers, *members)
	}
	r.Set(crm.SnapRevenue, revenue)
	return app.Save(r)
}

// dayRevenue is what the members of c spent in orders placed in [from, to).
func dayRevenue(app core.App, c *segdef.Compiled, from, to time.Time) (float64, error) {
	params := dbx.Params{"snapFrom": from.UTC().Format(types.DefaultDateLayout), "snapTo": to.UTC().Format(types.DefaultDateLayout)}
	for k, v := range c.Params {
		params[k] = v
	}
	var sum float64
	err := app.DB().NewQuery("SELECT IFNULL(SUM(o.total), 0) FROM " + crm.Orders + " o WHERE o.placed_at >= {:snapFrom} AND o.placed_at < {:snapTo}" +
		" AND o.status != 'cancelled' AND o.`" + crm.FieldContact + "` IN (" + c.IDs() + ")").Bind(params).Row(&sum)
	return sum, err
}
