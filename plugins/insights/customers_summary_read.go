package insights

import (
	"database/sql"
	"time"

	"github.com/pocketbase/pocketbase/core"

	sdb "vinculo/plugins/insights/summarydb"
)

// How the Customers figures read their summary (customers_summary.go); each
// answers what its reading of the orders and subscriptions answers
// (customers.go).

// customersFromSummary says whether a Customers figure may read the
// summary under q: not with an owner, team, segment or a reader's
// visibility (they select customers one by one), and only when it is made
// for q's business and up to date.
func customersFromSummary(app core.App, q Query) (bool, error) {
	f := q.Filters
	if summaryOff || f.Owner != "" || f.People != nil || f.Segment != "" || f.Reader != nil ||
		q.Loc == nil || q.Loc.String() != q.Business.Location().String() {
		return false, nil
	}
	return customersReady(app, q.Business)
}

// spansIn counts measure's spans whose date col falls in [from, to): the
// monthly counts for the whole months, the spans for the rest (extra: a
// condition on the spans that the measure implies).
func spansIn(app core.App, q Query, measure, col, extra string, from, to time.Time) (int, error) {
	labels, edges := monthSplit(from, to, q.Loc)
	total := 0
	scan := func(r *sql.Rows) error {
		var n sql.NullInt64
		if err := r.Scan(&n); err != nil {
			return err
		}
		total += int(n.Int64)
		return nil
	}
	if len(labels) > 0 {
		w := NewWhere()
		w.Add("measure = " + w.Param(measure) + " AND month >= " + w.Param(labels[0]) + " AND month <= " + w.Param(labels[len(labels)-1]))
		if err := eachRow(w.Query(app, "SELECT SUM(n) FROM "+sdb.CustomerMonths+" WHERE {where}"), scan); err != nil {
			return 0, err
		}
	}
	for _, e := range edges {
		w := NewWhere().Between(col, e[0], e[1])
		if extra != "" {
			w.Add(extra)
		}
		if err := eachRow(w.Query(app, "SELECT COUNT(*) FROM "+sdb.CustomerSpans+" WHERE {where}"), scan); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// spansBefore counts measure's spans whose date col is before at.
func spansBefore(app core.App, q Query, measure, col string, at time.Time) (int, error) {
	m := monthStart(q, at)
	total := 0
	var n sql.NullInt64
	if err := app.DB().NewQuery("SELECT SUM(n) FROM " + sdb.CustomerMonths + " WHERE measure = {:m} AND month < {:l}").
		Bind(map[string]any{"m": measure, "l": m.Format("2006-01")}).Row(&n); err != nil {
		return 0, err
	}
	total += int(n.Int64)
	if m.Before(at) {
		more, err := spansIn(app, q, measure, col, "", m, at)
		if err != nil {
			return 0, err
		}
		total += more
	}
	return total, nil
}

// comebacks counts the spans after a span that ended at or after from
// (prev_end) whose col is before to: a customer counted twice unless taken
// off. With from the start of a month, the monthly counts of measure
// (cComeback by start, cAgain by end) hold the whole months before to's.
func comebacks(app core.App, q Query, measure, col string, from, to time.Time) (int, error) {
	var n int
	if !monthStart(q, from).Equal(from) {
		err := app.DB().NewQuery("SELECT COUNT(*) FROM " + sdb.CustomerSpans + " WHERE prev_end >= {:f} AND " + col + " != '' AND " + col + " < {:t}").
			Bind(map[string]any{"f": DBTime(from), "t": DBTime(to)}).Row(&n)
		return n, err
	}
	m := monthStart(q, to)
	var whole sql.NullInt64
	if err := app.DB().NewQuery("SELECT SUM(n) FROM " + sdb.CustomerMonths + " WHERE measure = {:m} AND month < {:to} AND month2 >= {:from}").
		Bind(map[string]any{"m": measure, "to": m.Format("2006-01"), "from": from.In(q.Loc).Format("2006-01")}).Row(&whole); err != nil {
		return 0, err
	}
	if m.Before(to) {
		if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + sdb.CustomerSpans + " WHERE " + col + " >= {:m} AND " + col + " < {:t} AND +prev_end >= {:f}").
			Bind(map[string]any{"m": DBTime(m), "f": DBTime(from), "t": DBTime(to)}).Row(&n); err != nil {
			return 0, err
		}
	}
	return n + int(whole.Int64), nil
}

// summaryCustomers answers new, active and churned customers, and the churn
// rate's base, from the summary.
func summaryNew(app core.App, q Query) (int, error) {
	to := q.To
	if e := end(q); e.Before(to) {
		to = e
	}
	return spansIn(app, q, cFirst, "start", "+prev_end = ''", q.From, to)
}

// summaryActive: spans started by the end less those ended by it.
func summaryActive(app core.App, q Query) (int, error) {
	at := end(q).Add(time.Millisecond) // "by": at or before
	started, err := spansBefore(app, q, cStart, "start", at)
	if err != nil {
		return 0, err
	}
	ended, err := spansBefore(app, q, cEnd, "end", at)
	return started - ended, err
}

// summaryChurned: spans ended in [from, end], each customer once (less the
// spans whose customer had ended one in the period before).
func summaryChurned(app core.App, q Query) (int, error) {
	to := end(q).Add(time.Millisecond)
	ended, err := spansIn(app, q, cEnd, "end", "", q.From, to)
	if err != nil {
		return 0, err
	}
	twice, err := comebacks(app, q, cAgain, "end", q.From, to)
	return ended - twice, err
}

// summaryBase: the customers active at some moment of the period — spans
// started before its end less those ended before its start, each customer
// once.
func summaryBase(app core.App, q Query) (int, error) {
	to := end(q)
	started, err := spansBefore(app, q, cStart, "start", to)
	if err != nil {
		return 0, err
	}
	ended, err := spansBefore(app, q, cEnd, "end", q.From)
	if err != nil {
		return 0, err
	}
	twice, err := comebacks(app, q, cComeback, "start", q.From, to)
	return started - ended - twice, err
}

// cohortCounts are, per cohort (month of first purchase) from start on, the
// spans started and ended by month, and those of the days after the last
// whole month up to at.
type cohortCounts struct {
	started, ended map[string]map[string]int // cohort -> month -> spans
	lateStart      map[string]int            // cohort -> spans started in [month of at, at]
	lateEnd        map[string]int
	first          map[string]int // cohort -> its customers (first spans started in its month)
	firstLate      map[string]int // cohort -> first spans started in [month of at, at)
	atMonth        string
}

func loadCohorts(app core.App, q Query, start, at time.Time) (*cohortCounts, error) {
	c := &cohortCounts{started: map[string]map[string]int{}, ended: map[string]map[string]int{},
		lateStart: map[string]int{}, lateEnd: map[string]int{}, first: map[string]int{}, firstLate: map[string]int{}}
	ms := monthStart(q, at)
	c.atMonth = ms.Format("2006-01")
	err := eachRow(app.DB().NewQuery("SELECT measure, month, month2, n FROM "+sdb.CustomerMonths+
		" WHERE measure IN ('cstart', 'cend', 'first') AND month >= {:s} AND month < {:m}").
		Bind(map[string]any{"s": start.Format("2006-01"), "m": c.atMonth}), func(r *sql.Rows) error {
		var measure, month, cohort string
		var n int
		if err := r.Scan(&measure, &month, &cohort, &n); err != nil {
			return err
		}
		if measure == cFirst {
			c.first[month] += n
			return nil
		}
		if cohort < start.Format("2006-01") {
			return nil
		}
		to := c.started
		if measure == cCEnd {
			to = c.ended
		}
		if to[cohort] == nil {
			to[cohort] = map[string]int{}
		}
		to[cohort][month] += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, part := range []struct {
		sql string
		to  map[string]int
	}{
		{"SELECT cohort, COUNT(*) FROM " + sdb.CustomerSpans + " WHERE start >= {:f} AND start <= {:t} AND +cohort >= {:s} GROUP BY cohort", c.lateStart},
		{"SELECT cohort, COUNT(*) FROM " + sdb.CustomerSpans + " WHERE end >= {:f} AND end <= {:t} AND +cohort >= {:s} GROUP BY cohort", c.lateEnd},
		{"SELECT cohort, COUNT(*) FROM " + sdb.CustomerSpans + " WHERE start >= {:f} AND start < {:t} AND +prev_end = '' AND +cohort >= {:s} GROUP BY cohort", c.firstLate},
	} {
		err := eachRow(app.DB().NewQuery(part.sql).Bind(map[string]any{"f": DBTime(ms), "t": DBTime(at), "s": start.Format("2006-01")}), func(r *sql.Rows) error {
			var cohort string
			var n int
			if err := r.Scan(&cohort, &n); err != nil {
				return err
			}
			part.to[cohort] += n
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// activeAt is how many of cohort's customers are active at t: at the end
// of month (t the last moment of a whole month) or at at.
func (c *cohortCounts) activeAt(cohort, month string, atNow bool) int {
	n := 0
	for m, k := range c.started[cohort] {
		if m <= month {
			n += k
		}
	}
	for m, k := range c.ended[cohort] {
		if m <= month {
			n -= k
		}
	}
	if atNow {
		n += c.lateStart[cohort] - c.lateEnd[cohort]
	}
	return n
}

// members is how many customers the cohort has (first purchase before at).
func (c *cohortCounts) members(cohort string) int {
	if cohort == c.atMonth {
		return c.firstLate[cohort]
	}
	return c.first[cohort]
}

// summaryRetention is retention from the summary: the same cohort table.
func summaryRetention(app core.App, q Query) (Result, error) {
	at := end(q)
	last := monthStart(q, at.Add(-time.Millisecond))
	start := last.AddDate(0, 1-retentionMonths, 0)
	if monthStart(q, q.From).Before(start) {
		start = monthStart(q, q.From)
	}
	c, err := loadCohorts(app, q, start, at)
	if err != nil {
		return Result{}, err
	}
	months := 0
	for m := start; m.Before(at); m = m.AddDate(0, 1, 0) {
		months++
	}
	cols := []string{"cohort", "customers"}
	for n := 0; n < min(months, retentionMonths); n++ {
		cols = append(cols, itoa(n))
	}
	table := &Table{Columns: cols, Rows: [][]any{}}
	kept, base, count := 0, 0, 0
	for i := 0; i < months; i++ {
		cohort := start.AddDate(0, i, 0)
		label := cohort.Format("2006-01")
		members := c.members(label)
		count += members
		row := []any{label, members}
		for n := 0; n < len(cols)-2; n++ {
			monthEnd := cohort.AddDate(0, n+1, 0)
			if cohort.AddDate(0, n, 0).After(at) || i+n >= months || members == 0 {
				row = append(row, nil)
				continue
			}
			var still int
			if at.Before(monthEnd) {
				still = c.activeAt(label, c.atMonth, true)
			} else {
				still = c.activeAt(label, monthEnd.AddDate(0, -1, 0).Format("2006-01"), false)
			}
			row = append(row, percent(still, members))
			if n == 1 {
				kept, base = kept+still, base+members
			}
		}
		table.Rows = append(table.Rows, row)
	}
	res := Result{Count: count, Table: table}
	if base > 0 {
		res.Value = Float(percent(kept, base))
	}
	return res, nil
}
