package insights

import (
	"strings"
	"time"

	"vinculo/crm"
	"vinculo/plugins/insights/dealsum"
)

// The Team board's counts per person read the running sums of
// dealsum.TeamDays, by UTC day: requests closed and tasks done over the
// whole days of the period, requests open and tasks overdue at the end of
// the period as the sum of every month and day before it. The stretch of a
// day around the period's start and end (midnight in the business's zone)
// is read from the rows. Response times are medians, which no sum holds:
// they read the requests. The segment filter and a reader who sees only
// part of the records read the rows too (the sums cannot tell which
// contact's or whose team's a record is).

// teamSum is how a count of the Team board reads the sums: its kind (and
// the kind by month, for counts at a moment), and its rows in a stretch
// [a, b) of the period: parts of (value, table condition).
type teamSum struct {
	kind, months string
	collection   string
	edge         func(w *Where, a, b string) [][2]string
}

var teamSums = map[string]teamSum{
	dealsum.KindRequestsClosed: {kind: dealsum.KindRequestsClosed, collection: crm.Cases,
		edge: func(w *Where, a, b string) [][2]string {
			return [][2]string{{"1", "x.closed_at >= " + a + " AND x.closed_at < " + b}}
		}},
	dealsum.KindRequestsOpen: {kind: dealsum.KindRequestsOpen, months: dealsum.KindRequestsOpenMonths, collection: crm.Cases,
		edge: func(w *Where, a, b string) [][2]string {
			created := "x.created >= " + a + " AND x.created < " + b
			return [][2]string{
				{"1", "x.closed = FALSE AND " + created},
				{"1", "x.closed_at != '' AND " + created},
				{"-1", "x.closed_at >= " + a + " AND x.closed_at < " + b + " AND x.created <= x.closed_at"},
				{"-1", created + " AND x.closed_at != '' AND x.closed_at < x.created"},
			}
		}},
	dealsum.KindTasksDone: {kind: dealsum.KindTasksDone, collection: crm.Tasks,
		edge: func(w *Where, a, b string) [][2]string {
			return [][2]string{{"1", "x.status = 'done' AND x.done_at >= " + a + " AND x.done_at < " + b}}
		}},
	dealsum.KindTasksOverdue: {kind: dealsum.KindTasksOverdue, months: dealsum.KindTasksOverdueMonths, collection: crm.Tasks,
		edge: func(w *Where, a, b string) [][2]string {
			due := "x.due >= " + a + " AND x.due < " + b
			return [][2]string{
				{"1", "x.status = 'open' AND " + due},
				{"1", "x.status = 'done' AND " + due},
				{"-1", "x.status = 'done' AND x.done_at >= " + a + " AND x.done_at < " + b + " AND x.due != '' AND x.due <= x.done_at"},
				{"-1", "x.status = 'done' AND " + due + " AND x.done_at < x.due"},
			}
		}},
}

// filters are the query's filters on a sums side (alias t.person, or the
// rows' x.assignee).
func (s teamSum) filters(w *Where, q Query, person, prefix string) {
	w.Add(person+" != ''").Owner(person, q)
	if s.collection == crm.Cases {
		w.Type(prefix+"type", q).Channel(prefix+"channel", q)
	}
}

// sql is the count per person of q's period, from the sums and the rows.
func (s teamSum) sql(q Query) (*Where, string) {
	w := NewWhere()
	var union []string
	side := func() *Where {
		pw := NewWhere()
		pw.params = w.params
		return pw
	}
	sums := func(kind, days string) {
		pw := side()
		s.filters(pw, q, "t.person", "t.")
		pw.Add("t.kind = " + pw.Param(kind)).Add(days)
		union = append(union, "SELECT t.person AS person, t.n AS n FROM "+dealsum.TeamDays+" t WHERE "+pw.SQL())
	}
	rows := func(a, b time.Time) {
		if !a.Before(b) {
			return
		}
		for _, p := range s.edge(w, w.Param(DBTime(a)), w.Param(DBTime(b))) {
			pw := side()
			s.filters(pw, q, "x.assignee", "x.")
			pw.Add(p[1])
			union = append(union, "SELECT x.assignee AS person, "+p[0]+" AS n FROM "+s.collection+" x WHERE "+pw.SQL())
		}
	}
	if s.months == "" { // counted in the period
		cut := cutDays([]time.Time{q.From, q.To})
		pw := side()
		sums(s.kind, cut.days(pw, "t.day"))
		for _, e := range cut.edges {
			rows(e[0], e[1])
		}
	} else { // counted at the period's end: everything before it
		end := ParseDBTime(teamEnd(q))
		day := utcDay(end)
		month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		sums(s.months, "t.day < "+w.Param(DBTime(month)))
		sums(s.kind, "t.day >= "+w.Param(DBTime(month))+" AND t.day < "+w.Param(DBTime(day)))
		rows(day, end)
	}
	return w, "SELECT person, SUM(n) FROM (" + strings.Join(union, " UNION ALL ") + ") GROUP BY person HAVING SUM(n) != 0"
}

// teamSummed: the count may come from the sums.
func teamSummed(q Query, kind string) (teamSum, bool) {
	s, ok := teamSums[kind]
	return s, ok && summed(q)
}
