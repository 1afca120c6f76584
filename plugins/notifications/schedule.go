package notifications

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// lookBack: a deadline passed, a deal gone stale or a task fallen due
// longer ago than this is not news (it was before the notifications began,
// or the server was down for long); the schedules tell only of the recent.
const lookBack = 7 * 24 * time.Hour

// taskLookBack: a task is news on the day it falls due; older ones are on
// the member's task list already.
const taskLookBack = 24 * time.Hour

// defaultStaleDays is how long an open deal may stay in a stage without a
// stale_after_days of its own, as the deals board counts it
// (ui/src/lib/deals.svelte.js: DEFAULT_STALE_DAYS).
const defaultStaleDays = 14

// Check runs the schedules at now: deadlines near and passed (with their
// escalation), stale deals, tasks due. Each fires once per colleague, and
// in one transaction per schedule.
func Check(app core.App, now time.Time) error {
	p, err := pluginOf(app)
	if err != nil {
		return err
	}
	return errors.Join(
		app.RunInTransaction(func(tx core.App) error { return p.checkDeadlines(tx, now) }),
		app.RunInTransaction(func(tx core.App) error { return checkStaleDeals(tx, now) }),
		app.RunInTransaction(func(tx core.App) error { return checkTasksDue(tx, now) }),
	)
}

// slaShare is the share of a service target at which its assignee is
// warned (business_settings.sla_warn_percent), from 0.01 to 0.99.
func slaShare(app core.App) float64 {
	var row struct{ P float64 }
	err := app.DB().Select("[[" + crm.BusinessSLAWarnPercent + "]] AS p").From(crm.BusinessSettings).Limit(1).One(&row)
	if err != nil || row.P < 1 || row.P > 99 {
		return crm.DefaultSLAWarnPercent / 100.0
	}
	return row.P / 100
}

// deadline is one service target of a request still running.
type deadline struct {
	which      string    // deadlineFirst or deadlineResolution
	start, due time.Time // counted in the business's open hours
}

func deadlinesOf(c *core.Record) []deadline {
	start := c.GetDateTime("created").Time()
	var out []deadline
	if due := c.GetDateTime("first_response_due").Time(); !due.IsZero() && c.GetDateTime("first_response_at").IsZero() {
		out = append(out, deadline{deadlineFirst, start, due})
	}
	if due := c.GetDateTime("resolution_due").Time(); !due.IsZero() {
		out = append(out, deadline{deadlineResolution, start, due})
	}
	return out
}

// checkDeadlines warns the assignee of each open request once its time
// used, in business hours, reaches the share of its target; once it is
// overdue, tells the assignee and escalates to the managers of the
// assignee's teams and of the request's team.
func (p *plugin) checkDeadlines(tx core.App, now time.Time) error {
	cal := p.cfg.BusinessNow().Calendar()
	share := slaShare(tx)
	since := stamp(now.Add(-lookBack))
	var open []*core.Record
	err := tx.RecordQuery(crm.Cases).
		Where(dbx.NewExp("closed = FALSE")).
		AndWhere(dbx.NewExp("((first_response_at = '' AND first_response_due >= {:since}) OR resolution_due >= {:since})",
			dbx.Params{"since": since})).All(&open)
	if err != nil {
		return err
	}
	for _, c := range open {
		for _, d := range deadlinesOf(c) {
			if err := p.checkDeadline(tx, cal, share, c, d, now); err != nil {
				return fmt.Errorf("request %s: %w", c.Id, err)
			}
		}
	}
	return nil
}

func (p *plugin) checkDeadline(tx core.App, cal crm.Calendar, share float64, c *core.Record, d deadline, now time.Time) error {
	assignee := c.GetString("assignee")
	data := map[string]any{
		"title":     crm.Clip(c.GetString("subject"), 200),
		"reference": c.GetString("reference"),
		"which":     d.which,
		"due":       d.due.UTC().Format(time.RFC3339),
	}
	key := fmt.Sprintf("%s:%s:%s", d.which, c.Id, d.due.UTC().Format(time.RFC3339))
	if now.After(d.due) {
		if now.Sub(d.due) > lookBack {
			return nil
		}
		if err := Notify(tx, Notice{To: assignee, Event: crm.NotifyOverdue, Collection: crm.Cases,
			Record: c.Id, Data: data, Once: crm.NotifyOverdue + ":" + key}); err != nil {
			return err
		}
		managers, err := escalationManagers(tx, c)
		if err != nil {
			return err
		}
		if assignee != "" {
			if a, err := tx.FindRecordById(crm.Staff, assignee); err == nil {
				data["assignee_name"] = a.GetString("name")
			}
		}
		for _, m := range managers {
			if m == assignee {
				continue // told already, as the assignee
			}
			if err := Notify(tx, Notice{To: m, Event: crm.NotifyEscalated, Collection: crm.Cases,
				Record: c.Id, Data: data, Once: crm.NotifyEscalated + ":" + key}); err != nil {
				return err
			}
		}
		return nil
	}
	if assignee == "" {
		return nil
	}
	warnAt, ok := cal.Add(d.start, time.Duration(share*float64(cal.OpenBetween(d.start, d.due))))
	if !ok || warnAt.After(now) {
		return nil
	}
	data["percent"] = int(share*100 + 0.5)
	return Notify(tx, Notice{To: assignee, Event: crm.NotifyDeadlineNear, Collection: crm.Cases,
		Record: c.Id, Data: data, Once: crm.NotifyDeadlineNear + ":" + key})
}

// escalationManagers: the manager of each team the request's assignee
// belongs to, and of the request's own team when it has one.
func escalationManagers(app core.App, c *core.Record) ([]string, error) {
	var teamIDs []string
	if c.Collection().Fields.GetByName(crm.CaseTeam) != nil {
		if t := c.GetString(crm.CaseTeam); t != "" {
			teamIDs = append(teamIDs, t)
		}
	}
	q := app.DB().Select("DISTINCT [[" + crm.TeamManager + "]]").From(crm.Teams).
		Where(dbx.NewExp("[[" + crm.TeamManager + "]] != ''"))
	if a := c.GetString("assignee"); a != "" {
		q.AndWhere(dbx.Or(
			dbx.NewExp("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid([["+crm.TeamMembers+"]]) THEN [["+crm.TeamMembers+"]] ELSE '[]' END) WHERE value = {:a})", dbx.Params{"a": a}),
			dbx.In("id", anySlice(teamIDs)...),
		))
	} else if len(teamIDs) > 0 {
		q.AndWhere(dbx.In("id", anySlice(teamIDs)...))
	} else {
		return nil, nil
	}
	var managers []string
	err := q.Column(&managers)
	return managers, err
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// checkStaleDeals tells each open deal's owner once when it has stayed in
// its open stage longer than the stage's stale_after_days (or the board's
// default): the same rule as the deals board's "stale" mark.
func checkStaleDeals(tx core.App, now time.Time) error {
	var stages []struct {
		ID   string `db:"id"`
		Days int    `db:"stale_after_days"`
	}
	if err := tx.DB().Select("id", "stale_after_days").From(crm.PipelineStages).
		Where(dbx.HashExp{"kind": "open"}).All(&stages); err != nil {
		return err
	}
	for _, s := range stages {
		days := s.Days
		if days <= 0 {
			days = defaultStaleDays
		}
		limit := now.Add(-time.Duration(days) * 24 * time.Hour)
		var deals []*core.Record
		err := tx.RecordQuery(crm.Deals).
			Where(dbx.HashExp{"stage": s.ID, "status": "open"}).
			AndWhere(dbx.NewExp("[[" + crm.FieldOwner + "]] != ''")).
			AndWhere(dbx.NewExp("(CASE WHEN stage_changed_at != '' THEN stage_changed_at ELSE created END) BETWEEN {:from} AND {:to}",
				dbx.Params{"from": stamp(limit.Add(-lookBack)), "to": stamp(limit)})).All(&deals)
		if err != nil {
			return err
		}
		for _, d := range deals {
			since := d.GetDateTime("stage_changed_at")
			if since.IsZero() {
				since = d.GetDateTime("created")
			}
			err := Notify(tx, Notice{To: d.GetString(crm.FieldOwner), Event: crm.NotifyDealStale,
				Collection: crm.Deals, Record: d.Id,
				Data: map[string]any{"title": crm.Clip(d.GetString("title"), 200), "days": days},
				Once: crm.NotifyDealStale + ":" + d.Id + ":" + since.String()})
			if err != nil {
				return fmt.Errorf("deal %s: %w", d.Id, err)
			}
		}
	}
	return nil
}

// checkTasksDue tells each open task's assignee once when it falls due.
func checkTasksDue(tx core.App, now time.Time) error {
	var tasks []*core.Record
	err := tx.RecordQuery(crm.Tasks).
		Where(dbx.HashExp{"status": "open"}).
		AndWhere(dbx.NewExp("assignee != '' AND due != '' AND due BETWEEN {:from} AND {:to}",
			dbx.Params{"from": stamp(now.Add(-taskLookBack)), "to": stamp(now)})).All(&tasks)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		due := t.GetDateTime("due")
		err := Notify(tx, Notice{To: t.GetString("assignee"), Event: crm.NotifyTaskDue,
			Collection: crm.Tasks, Record: t.Id,
			Data: map[string]any{"title": crm.Clip(t.GetString("title"), 200), "due": due.Time().UTC().Format(time.RFC3339)},
			Once: crm.NotifyTaskDue + ":" + t.Id + ":" + due.String()})
		if err != nil {
			return fmt.Errorf("task %s: %w", t.Id, err)
		}
	}
	return nil
}
