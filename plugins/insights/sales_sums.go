package insights

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/insights/dealsum"
)

// The Sales board (and the Team board's deals won) read the running sums of
// dealsum: a year is a few hundred days of small rows instead of every deal.
// The sums are by UTC day; a period starts at midnight in the business's
// time zone, so the days that straddle the period's start, end or a month's
// start (at most one at each) are read from the deals themselves. A reader
// who sees only part of the deals (the teams mode) and the segment filter
// read the deals only: the sums cannot tell whose or which contact's a
// deal is.

// bindSalesSums checks the sums' triggers when the server starts and after
// the collections they follow change, and fills the sums again when a
// trigger is missing or from another version.
func bindSalesSums(app core.App) {
	ensure := func(a core.App) error {
		return a.RunInTransaction(func(tx core.App) error {
			if err := dealsum.Create(tx.DB()); err != nil {
				return err
			}
			return dealsum.CreateCycles(tx.DB()) // sales_cycle.go
		})
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := ensure(se.App); err != nil {
			return err
		}
		return se.Next()
	})
	app.OnCollectionAfterUpdateSuccess(crm.Deals, crm.DealStageHistory, crm.PipelineStages).BindFunc(func(e *core.CollectionEvent) error {
		if err := ensure(e.App); err != nil {
			return err
		}
		return e.Next()
	})
}

// summed: the query's figures may come from the sums.
func summed(q Query) bool { return q.Filters.Segment == "" && q.Filters.Reader == nil }

// dayCut splits a period for sums by UTC day: the whole days [from, to)
// but skip come from the sums; edges (the stretches around a start not at
// UTC midnight) from the rows.
type dayCut struct {
	from, to time.Time
	skip     []time.Time
	edges    [][2]time.Time
}

func utcDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// cutDays cuts [bounds[0], bounds[last]) so that no day of the sums
// straddles one of bounds (the period's months' starts, for a series by
// month).
func cutDays(bounds []time.Time) dayCut {
	from, to := bounds[0], bounds[len(bounds)-1]
	c := dayCut{from: utcDay(from), to: utcDay(to)}
	if !c.from.Equal(from) {
		c.from = c.from.Add(24 * time.Hour)
	}
	if !c.from.Before(c.to) {
		return dayCut{from: c.from, to: c.from, edges: [][2]time.Time{{from, to}}}
	}
	edges := [][2]time.Time{{from, c.from}, {c.to, to}}
	for _, b := range bounds[1 : len(bounds)-1] {
		if d := utcDay(b); !d.Equal(b) {
			c.skip = append(c.skip, d)
			edges = append(edges, [2]time.Time{d, d.Add(24 * time.Hour)})
		}
	}
	// clipped to the period, in order, overlaps merged
	sort.Slice(edges, func(i, j int) bool { return edges[i][0].Before(edges[j][0]) })
	for _, e := range edges {
		if e[0].Before(from) {
			e[0] = from
		}
		if e[1].After(to) {
			e[1] = to
		}
		if !e[0].Before(e[1]) {
			continue
		}
		if n := len(c.edges); n > 0 && !e[0].After(c.edges[n-1][1]) {
			if e[1].After(c.edges[n-1][1]) {
				c.edges[n-1][1] = e[1]
			}
			continue
		}
		c.edges = append(c.edges, e)
	}
	return c
}

// monthBounds are q's period's start, its months' starts inside it, and its end.
func monthBounds(q Query) []time.Time {
	out := []time.Time{q.From}
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	f := q.From.In(loc)
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, 1, 0); m.Before(q.To); m = m.AddDate(0, 1, 0) {
		if m.After(q.From) {
			out = append(out, m)
		}
	}
	return append(out, q.To)
}

// days is the condition on a sums' day column: the whole days.
func (c dayCut) days(w *Where, col string) string {
	if !c.from.Before(c.to) {
		return "0"
	}
	s := col + " >= " + w.Param(DBTime(c.from)) + " AND " + col + " < " + w.Param(DBTime(c.to))
	if len(c.skip) > 0 {
		var in []string
		for _, d := range c.skip {
			in = append(in, w.Param(DBTime(d)))
		}
		s += " AND " + col + " NOT IN (" + strings.Join(in, ", ") + ")"
	}
	return s
}

// rest is the condition on a row's date column: the edges.
func (c dayCut) rest(w *Where, col string) string {
	if len(c.edges) == 0 {
		return "0"
	}
	var or []string
	for _, e := range c.edges {
		or = append(or, "("+col+" >= "+w.Param(DBTime(e[0]))+" AND "+col+" < "+w.Param(DBTime(e[1]))+")")
	}
	return strings.Join(or, " OR ")
}

// dealSums selects the same columns from the sums (alias x, its pipeline p,
// its stage s) over the whole days and from the deals (d, p, s) over the
// rest of q's period; kind says which sums, and which deals: their status
// and date column.
type dealSums struct {
	kind       string
	sums, rows string // the selected columns of each side
	where      string // more conditions on both sides, with {t} for the table's alias
}

var kindDeals = map[string]struct{ date, status string }{
	dealsum.KindCreated: {"created", ""},
	dealsum.KindWon:     {crm.FieldClosedAt, crm.DealWon},
	dealsum.KindLost:    {crm.FieldClosedAt, crm.DealLost},
	dealsum.KindOpen:    {"expected_close", crm.DealOpen},
}

// sql is the UNION ALL of both sides for q, and its parameters.
func (s dealSums) sql(q Query, bounds []time.Time) (*Where, string) {
	w := NewWhere()
	k := kindDeals[s.kind]
	cut := cutDays(bounds)
	side := func(alias, date string) *Where {
		pw := NewWhere()
		pw.params = w.params
		pw.Pipeline(alias+".pipeline", q).Owner(alias+".owner", q)
		if s.where != "" {
			pw.Add(strings.ReplaceAll(s.where, "{t}", alias))
		}
		if alias == "x" {
			pw.Add("x.kind = " + pw.Param(s.kind)).Add(cut.days(pw, "x.day"))
		} else {
			if k.status != "" {
				pw.Add("d.status = " + pw.Param(k.status))
			}
			pw.Add(cut.rest(pw, "d."+date))
		}
		return pw
	}
	sums := side("x", "day")
	rows := side("d", k.date)
	stages := ""
	if s.kind == dealsum.KindOpen {
		stages = " LEFT JOIN pipeline_stages s ON s.id = x.stage"
	}
	sql := "SELECT " + strings.ReplaceAll(s.sums, "{month}", MonthCase("x.day", q)) + " FROM " + dealsum.DealDays +
		" x LEFT JOIN pipelines p ON p.id = x.pipeline" + stages + " WHERE " + sums.SQL() +
		" UNION ALL SELECT " + strings.ReplaceAll(s.rows, "{month}", MonthCase("d."+k.date, q)) + " " + dealFrom +
		strings.ReplaceAll(stages, "x.stage", "d.stage") + " WHERE " + rows.SQL()
	return w, sql
}

// sumsCurrency is a sums row's currency as dealCurrency reads a deal's.
const sumsCurrency = "COALESCE(NULLIF(x.currency, ''), NULLIF(p.currency, ''), '')"

// sumKind is the sums that answer sumDeals(dateCol, statuses), if any.
func sumKind(dateCol string, statuses []string) string {
	switch {
	case dateCol == "created" && len(statuses) == 0:
		return dealsum.KindCreated
	case dateCol == crm.FieldClosedAt && len(statuses) == 1 && statuses[0] == crm.DealWon:
		return dealsum.KindWon
	case dateCol == crm.FieldClosedAt && len(statuses) == 1 && statuses[0] == crm.DealLost:
		return dealsum.KindLost
	}
	return ""
}

// summedDeals is sumDeals read from the sums: amount and count by month and
// currency.
func summedDeals(app core.App, q Query, kind string) (*Where, string) {
	w, union := dealSums{kind: kind,
		sums: "{month} AS m, " + sumsCurrency + " AS cur, x.amount AS amount, x.n AS n",
		rows: "{month} AS m, " + dealCurrency + " AS cur, d.amount AS amount, 1 AS n"}.sql(q, monthBounds(q))
	return w, "SELECT m, cur, COALESCE(SUM(amount), 0), SUM(n) FROM (" + union + ") GROUP BY m, cur"
}

// conversionSummed: the conversion's query can come from the stage sums
// (no filter on the deals' owner or contact).
func conversionSummed(q Query) bool {
	return summed(q) && q.Filters.Owner == "" && q.Filters.People == nil
}

// summedConversion counts, per stage, the deals that entered it in the
// period and how many of them moved forward since, from the stage sums:
// every entry of the period, less each entry whose previous entry into
// the same stage (by the same deal) is in the period too, so that a deal
// counts once per stage, with its first entry of the period deciding
// whether it moved forward.
func summedConversion(app core.App, q Query) (*Where, string) {
	w := NewWhere()
	cut := cutDays([]time.Time{q.From, q.To})
	pipe := func(alias string) string {
		if q.Filters.Pipeline == "" {
			return ""
		}
		return " AND " + alias + ".pipeline = " + w.Param(q.Filters.Pipeline)
	}
	sql := "SELECT stage, SUM(n), SUM(adv) FROM (" +
		"SELECT x.stage AS stage, x.n AS n, x.adv AS adv FROM " + dealsum.StageDays + " x WHERE " + cut.days(w, "x.day") + pipe("x") +
		" UNION ALL SELECT se.stage, 1, se.adv FROM " + dealsum.StageEntry + " se WHERE (" + cut.rest(w, "se.at") + ")" + pipe("se") +
		" UNION ALL SELECT se.stage, -1, -se.adv FROM " + dealsum.StageEntry + " se WHERE se.prev_at != '' AND se.prev_at >= " + w.Param(DBTime(q.From)) +
		" AND se.at < " + w.Param(DBTime(q.To)) + pipe("se") +
		") GROUP BY stage"
	return w, sql
}

// monthIndex is MonthCase as the month's index in Months(q) (0 for the
// first): an integer per row instead of a label.
func monthIndex(column string, q Query) string {
	bounds := monthBounds(q)
	if len(bounds) <= 2 {
		return "0"
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i, m := range bounds[1 : len(bounds)-1] {
		b.WriteString(" WHEN " + column + " < '" + DBTime(m) + "' THEN " + strconv.Itoa(i))
	}
	b.WriteString(" ELSE " + strconv.Itoa(len(bounds)-2) + " END")
	return b.String()
}
