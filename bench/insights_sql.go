package main

// The SQL side of part 12: for each figure, the plain SQL aggregate a person
// would write for it straight on SQLite, without Go. Where SQL has no
// calendar the times are wall-clock hours (the board's are business hours),
// and MRR is today's sum of active subscriptions without the timeline's
// pauses and price changes; every other figure is the same count, sum or
// share. Each runs for the period and the previous one, as the board does.

import (
	"fmt"
	"strings"
	"time"

	"vinculo/plugins/insights"
)

const counted = "('paid','shipped','delivered')"

// sqlFigures are the aggregates of board's figures for q, with its values
// written in.
func sqlFigures(board string, q insights.Query, churnDays int) []string {
	at := q.To
	if !q.Now.IsZero() && q.Now.Before(at) {
		at = q.Now
	}
	window := time.Duration(churnDays) * 24 * time.Hour
	v := map[string]string{
		":from": lit(q.From), ":to": lit(q.To), ":at": lit(at),
		":fromw": lit(q.From.Add(-window)), ":atw": lit(at.Add(-window)), ":w": fmt.Sprint(churnDays),
	}
	in := func(col string) string { return col + " >= :from AND " + col + " < :to" }
	median := func(part, hours, where string) string {
		return "SELECT " + part + ", h FROM (SELECT " + part + ", h, ROW_NUMBER() OVER (PARTITION BY " + part + " ORDER BY h) AS rn, COUNT(*) OVER (PARTITION BY " + part + ") AS n FROM (SELECT " + part + ", " + hours + " AS h FROM " + where + ")) WHERE rn = (n + 1) / 2"
	}
	open := "((closed = FALSE AND created < :at) OR (closed_at >= :at AND +created < :at))"
	var list []string
	switch board {
	case insights.BoardSales:
		list = []string{
			"SELECT substr(closed_at, 1, 7), currency, SUM(amount) FROM deals WHERE status = 'won' AND " + in("closed_at") + " GROUP BY 1, 2",
			"SELECT currency, SUM(amount), COUNT(*) FROM deals WHERE " + in("created") + " GROUP BY currency",
			"SELECT status, COUNT(*) FROM deals WHERE status IN ('won', 'lost') AND " + in("closed_at") + " GROUP BY status",
			"SELECT currency, AVG(amount) FROM deals WHERE status = 'won' AND " + in("closed_at") + " GROUP BY currency",
			median("status", "julianday(closed_at) - julianday(created)", "deals WHERE status = 'won' AND "+in("closed_at")),
			"SELECT to_stage, COUNT(DISTINCT deal) FROM deal_stage_history WHERE " + in("at") + " GROUP BY to_stage",
			"SELECT lost_reason, COUNT(*) FROM deals WHERE status = 'lost' AND " + in("closed_at") + " GROUP BY lost_reason",
			"SELECT substr(d.expected_close, 1, 7), d.currency, SUM(d.amount * s.probability / 100.0) FROM deals d JOIN pipeline_stages s ON s.id = d.stage WHERE d.status = 'open' AND " + in("d.expected_close") + " GROUP BY 1, 2",
		}
	case insights.BoardService:
		list = []string{
			"SELECT type, COUNT(*) FROM cases WHERE " + in("created") + " GROUP BY type",
			"SELECT type, COUNT(*) FROM cases WHERE " + in("closed_at") + " GROUP BY type",
			"SELECT (julianday(:at) - julianday(created)) > 30, COUNT(*) FROM cases WHERE " + open + " GROUP BY 1",
			median("type", "(julianday(first_response_at) - julianday(created)) * 24", "cases WHERE "+in("first_response_at")),
			median("type", "(julianday(closed_at) - julianday(created)) * 24", "cases WHERE "+in("closed_at")),
			"SELECT type, channel, assignee, SUM((first_response_due = '' OR COALESCE(NULLIF(first_response_at, ''), closed_at) <= first_response_due) AND (resolution_due = '' OR closed_at <= resolution_due)), COUNT(*) FROM cases WHERE " + in("closed_at") + " AND (first_response_due != '' OR resolution_due != '') GROUP BY 1, 2, 3",
			"SELECT AVG(score), COUNT(*) FROM survey_answers WHERE kind = 'csat' AND " + in("answered_at"),
		}
	case insights.BoardCustomers:
		earlier := "NOT EXISTS (SELECT 1 FROM orders p WHERE p.contact = c.contact AND p.placed_at < :from AND +p.status IN " + counted + ") AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.contact = c.contact AND s.started_at != '' AND s.started_at < :from)"
		ends := "SELECT contact FROM orders o WHERE placed_at >= :fromw AND placed_at <= :atw AND +status IN " + counted +
			" AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.contact = o.contact AND p.placed_at > o.placed_at AND p.placed_at <= strftime('%Y-%m-%d %H:%M:%fZ', o.placed_at, '+:w days') AND +p.status IN " + counted + ")" +
			" UNION SELECT contact FROM subscriptions WHERE status = 'cancelled' AND cancelled_at >= :from AND cancelled_at <= :at"
		list = []string{
			"SELECT COUNT(*) FROM (SELECT contact FROM orders WHERE " + in("placed_at") + " AND +status IN " + counted + " UNION SELECT contact FROM subscriptions WHERE started_at >= :from AND started_at < :to) c WHERE " + earlier,
			"SELECT COUNT(*) FROM (SELECT contact FROM orders WHERE placed_at > :atw AND placed_at <= :at AND +status IN " + counted + " UNION SELECT contact FROM subscriptions WHERE status IN ('active', 'paused', 'pending') AND started_at != '' AND started_at <= :at)",
			"SELECT COUNT(*) FROM (" + ends + ")",
			"SELECT (SELECT COUNT(*) FROM (" + ends + ")), (SELECT COUNT(*) FROM (SELECT contact FROM orders WHERE placed_at >= :fromw AND placed_at < :at AND +status IN " + counted + " UNION SELECT contact FROM subscriptions WHERE started_at != '' AND started_at < :at AND (status != 'cancelled' OR cancelled_at >= :from)))",
			retentionSQL(q, at, window),
			"SELECT s.currency, SUM(s.price * MAX(s.quantity, 1) / CASE p.interval WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 ELSE 1 END) FROM subscriptions s JOIN products p ON p.id = s.product WHERE s.status = 'active' AND s.started_at != '' AND s.started_at <= :at GROUP BY 1",
			"SELECT substr(placed_at, 1, 7), SUM(total) / COUNT(DISTINCT contact) FROM orders WHERE " + in("placed_at") + " AND +status IN " + counted + " GROUP BY 1",
			"SELECT substr(answered_at, 1, 7), SUM(score >= 9), SUM(score <= 6), COUNT(*) FROM survey_answers WHERE kind = 'nps' AND " + in("answered_at") + " GROUP BY 1",
		}
	case insights.BoardTeam:
		list = []string{
			"SELECT assignee, COUNT(*) FROM cases WHERE " + open + " AND assignee != '' GROUP BY assignee",
			"SELECT assignee, COUNT(*) FROM cases WHERE " + in("closed_at") + " AND assignee != '' GROUP BY assignee",
			median("assignee", "(julianday(first_response_at) - julianday(created)) * 24", "cases WHERE "+in("first_response_at")+" AND assignee != ''"),
			"SELECT owner, currency, SUM(amount), COUNT(*) FROM deals WHERE status = 'won' AND " + in("closed_at") + " GROUP BY 1, 2",
			"SELECT assignee, COUNT(*) FROM tasks WHERE status = 'done' AND " + in("done_at") + " GROUP BY assignee",
			"SELECT assignee, COUNT(*) FROM tasks WHERE ((status = 'open' AND due != '' AND due < :at) OR (status = 'done' AND done_at >= :at AND due != '' AND due < :at)) GROUP BY assignee",
		}
	}
	for i, s := range list {
		for _, k := range []string{":fromw", ":atw", ":from", ":to", ":at", ":w"} { // longer names first
			s = strings.ReplaceAll(s, k, v[k])
		}
		list[i] = s
	}
	return list
}

func lit(t time.Time) string { return "'" + insights.DBTime(t) + "'" }

// retentionSQL: the customers whose first purchase falls in each of the 12
// months up to the period's end, and per month after how many bought within
// the churn window before its end.
func retentionSQL(q insights.Query, at time.Time, window time.Duration) string {
	loc := q.Loc
	l := at.Add(-time.Millisecond).In(loc)
	start := time.Date(l.Year(), l.Month()-11, 1, 0, 0, 0, 0, loc)
	var months []string
	for i := 1; i <= 12; i++ {
		e := start.AddDate(0, i, 0)
		if e.After(at) {
			e = at
		}
		months = append(months, fmt.Sprintf("(%d, %s, %s)", i, lit(e), lit(e.Add(-window))))
	}
	return "WITH m(i, e, ew) AS (VALUES " + strings.Join(months, ", ") + "), " +
		"firsts AS (SELECT c.contact, MIN(c.placed_at) AS f FROM orders c WHERE c.placed_at >= " + lit(start) + " AND c.placed_at < " + lit(at) + " AND +c.status IN " + counted +
		" AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.contact = c.contact AND p.placed_at < " + lit(start) + " AND +p.status IN " + counted + ") GROUP BY c.contact) " +
		"SELECT substr(f, 1, 7), m.i, COUNT(*) FROM firsts JOIN m ON m.e > f WHERE EXISTS (SELECT 1 FROM orders p WHERE p.contact = firsts.contact AND p.placed_at > m.ew AND p.placed_at <= m.e AND +p.status IN " + counted + ") GROUP BY 1, 2"
}
