package requests

import (
	"context"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// hoursOf turns a type's SLA hours (fractions allowed) into a duration.
func hoursOf(caseType *core.Record, field string) time.Duration {
	return time.Duration(caseType.GetFloat(field) * float64(time.Hour))
}

// setDueTimes counts the type's SLAs in business hours from created,
// unless the due times were given.
func setDueTimes(cal crm.Calendar, caseType *core.Record, c *core.Record) {
	created := c.GetDateTime("created").Time()
	for field, sla := range map[string]string{
		"first_response_due": "sla_first_response_hours",
		"resolution_due":     "sla_resolution_hours",
	} {
		d := hoursOf(caseType, sla)
		if d <= 0 || !c.GetDateTime(field).IsZero() {
			continue
		}
		if due, ok := cal.Add(created, d); ok {
			c.Set(field, dateTime(due))
		}
	}
}

// continueResolution restarts the resolution clock of a reopened case with
// the business time that was left when it closed.
func continueResolution(cal crm.Calendar, prev, c *core.Record, at time.Time) {
	due := prev.GetDateTime("resolution_due").Time()
	if due.IsZero() || !c.GetDateTime("resolution_due").Time().Equal(due) {
		return // no SLA, or staff set a new due time in the same change
	}
	var left time.Duration
	if closedAt := prev.GetDateTime("closed_at").Time(); !closedAt.IsZero() && due.After(closedAt) {
		left = cal.OpenBetween(closedAt, due)
	}
	if next, ok := cal.Add(at, left); ok {
		c.Set("resolution_due", dateTime(next))
	}
}

// IsOverdue tells whether an open case is past its first-response time
// without a first response, or past its resolution time, at t.
func IsOverdue(c *core.Record, t time.Time) bool {
	if c.GetBool("closed") {
		return false
	}
	if due := c.GetDateTime("first_response_due"); !due.IsZero() && c.GetDateTime("first_response_at").IsZero() && t.After(due.Time()) {
		return true
	}
	due := c.GetDateTime("resolution_due")
	return !due.IsZero() && t.After(due.Time())
}

// RefreshOverdue sets the overdue flag of every case whose flag is wrong at
// t, in both directions, and returns how many changed. The cron job calls it
// every minute; each query is served by an index of the cases collection.
func RefreshOverdue(app core.App, t time.Time) (changed int, err error) {
	stamp := dateTime(t).String()
	err = app.RunInTransaction(func(tx core.App) error {
		seen := map[string]bool{}
		ctx := withClock(context.Background(), t)
		for _, where := range overdueWhere {
			var found []*core.Record
			if err := tx.RecordQuery(crm.Cases).AndWhere(dbx.NewExp(where, dbx.Params{"t": stamp})).All(&found); err != nil {
				return err
			}
			for _, c := range found {
				if seen[c.Id] || c.GetBool("overdue") == IsOverdue(c, t) {
					continue
				}
				seen[c.Id] = true
				// The update hook sets the flag, computed at t. One case that
				// no longer saves (its type was edited) must not stop the rest.
				if err := tx.SaveWithContext(ctx, c); err != nil {
					tx.Logger().Warn("requests: cannot refresh the overdue flag", "case", c.Id, "error", err)
					continue
				}
				changed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}

// overdueWhere finds the cases whose flag may be wrong at {:t}, each
// condition led by an index of the cases collection.
var overdueWhere = []string{
	// open, unanswered, past the first-response time: (closed, first_response_at, first_response_due)
	"closed = FALSE AND first_response_at = '' AND first_response_due > '' AND first_response_due < {:t} AND overdue = FALSE",
	// open, past the resolution time: (closed, resolution_due)
	"closed = FALSE AND resolution_due > '' AND resolution_due < {:t} AND overdue = FALSE",
	// flagged: the few whose flag may have to go: (overdue)
	"overdue = TRUE",
}

// markFirstResponse records the first public answer on a case.
func markFirstResponse(tx core.App, ctx context.Context, caseID string) error {
	c, err := tx.FindRecordById(crm.Cases, caseID)
	if err != nil || !c.GetDateTime("first_response_at").IsZero() {
		return err
	}
	at := clockFrom(ctx)
	c.Set("first_response_at", dateTime(at))
	return tx.SaveWithContext(withClock(ctx, at), c)
}
