package insights

import (
	"database/sql"
	"sort"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/insights/dealsum"
)

// The Team board: per person, the requests they hold and closed, how fast
// they answer, the deals they won and their tasks. A figure counts only
// what has a person (a request's assignee, a deal's owner, a task's
// assignee); its value is the sum (or, for response times, the median) over
// the people, each a point of its series named after them.

var requestFilters = []string{FilterOwner, FilterTeam, FilterSegment, FilterType, FilterChannel}

func init() {
	add := func(key, unit, better string, filters []string, compute func(core.App, Query) (Result, error), records func(core.App, Query, int) ([]Record, error)) {
		Add(Def{Board: BoardTeam, Key: key, Unit: unit, Better: better, Filters: filters, Compute: compute, Records: records})
	}
	add("requests_open", UnitCount, "down", requestFilters, countByPerson(openRequests, dealsum.KindRequestsOpen), listByPerson(openRequests))
	add("requests_closed", UnitCount, "up", requestFilters, countByPerson(closedRequests, dealsum.KindRequestsClosed), listByPerson(closedRequests))
	add("response_time", UnitHours, "down", requestFilters, responseTime, listByPerson(answeredRequests))
	add("deals_won", UnitMoney, "up", dealFilters, dealsWon, dealsWonRecords)
	add("tasks_done", UnitCount, "up", []string{FilterOwner, FilterSegment}, countByPerson(doneTasks, dealsum.KindTasksDone), listByPerson(doneTasks))
	add("tasks_overdue", UnitCount, "down", []string{FilterOwner, FilterSegment}, countByPerson(overdueTasks, dealsum.KindTasksOverdue), listByPerson(overdueTasks))
}

// A selection is the rows a team figure counts: each part (joined with
// UNION ALL, so that each uses its own index) selects, from its table, the
// id, the person, a title, the date that counted and a value; where its
// conditions.
type selection struct {
	collection string
	parts      []part
}

type part struct {
	from, person, title, when, value string
	where                            func(w *Where, q Query)
}

// sql writes the selection's UNION ALL with the query's filters.
func (s selection) sql(app core.App, q Query) (*Where, string, error) {
	w := NewWhere()
	var union []string
	for _, p := range s.parts {
		pw := NewWhere()
		pw.params = w.params // one set of parameters for the whole query
		pw.Add(p.person+" != ''").Owner(p.person, q)
		if s.collection == crm.Cases {
			pw.Type("x.type", q).Channel("x.channel", q)
		}
		if err := pw.Segment(app, "x.contact", q); err != nil {
			return nil, "", err
		}
		if err := pw.Visible(app, "x.id", s.collection, q); err != nil {
			return nil, "", err
		}
		p.where(pw, q)
		union = append(union, "SELECT x.id AS id, "+p.person+" AS person, "+p.title+" AS title, "+p.when+" AS at, "+
			p.value+" AS value FROM "+p.from+" WHERE "+pw.SQL())
	}
	sql := union[0]
	for _, u := range union[1:] {
		sql += " UNION ALL " + u
	}
	return w, sql, nil
}

// teamEnd is when "at the end of the period" is: its end, or now for the
// period under way.
func teamEnd(q Query) string {
	if !q.Now.IsZero() && q.Now.Before(q.To) {
		return DBTime(q.Now)
	}
	return DBTime(q.To)
}

// openRequests: the requests open at the end of the period (opened before
// it and not closed then). A request reopened later counts as it is now.
func openRequests(q Query) selection {
	e := func(w *Where, q Query) string { return w.Param(teamEnd(q)) }
	return selection{crm.Cases, []part{
		{from: "cases x", person: "x.assignee", title: "x.subject", when: "x.created", value: "1",
			where: func(w *Where, q Query) { w.Add("x.closed = FALSE AND x.created < " + e(w, q)) }},
		{from: "cases x", person: "x.assignee", title: "x.subject", when: "x.created", value: "1",
			where: func(w *Where, q Query) {
				w.Add("x.closed_at >= " + e(w, q) + " AND +x.created < " + e(w, q)) /* by the closed_at index */
			}},
	}}
}

// closedRequests: the requests closed in the period (a reopened one counts
// at its last close only).
func closedRequests(q Query) selection {
	return selection{crm.Cases, []part{{from: "cases x", person: "x.assignee", title: "x.subject", when: "x.closed_at", value: "1",
		where: func(w *Where, q Query) { w.In("x.closed_at", q) }}}}
}

// answeredRequests: the requests first answered in the period.
func answeredRequests(q Query) selection {
	return selection{crm.Cases, []part{{from: "cases x", person: "x.assignee", title: "x.subject", when: "x.first_response_at", value: "x.created",
		where: func(w *Where, q Query) { w.In("x.first_response_at", q) }}}}
}

// doneTasks: the tasks done in the period.
func doneTasks(q Query) selection {
	return selection{crm.Tasks, []part{{from: "tasks x", person: "x.assignee", title: "x.title", when: "x.done_at", value: "1",
		where: func(w *Where, q Query) { w.Add("x.status = "+w.Param(crm.TaskDone)).In("x.done_at", q) }}}}
}

// overdueTasks: the tasks overdue at the end of the period: due before it
// and still open then (open now, or done only after it). Cancelled tasks
// never count.
func overdueTasks(q Query) selection {
	return selection{crm.Tasks, []part{
		{from: "tasks x", person: "x.assignee", title: "x.title", when: "x.due", value: "1",
			where: func(w *Where, q Query) {
				w.Add("x.status = " + w.Param(crm.TaskOpen) + " AND x.due != '' AND x.due < " + w.Param(teamEnd(q)))
			}},
		{from: "tasks x", person: "x.assignee", title: "x.title", when: "x.due", value: "1",
			where: func(w *Where, q Query) {
				w.Add("x.status = " + w.Param(crm.TaskDone) + " AND x.done_at >= " + w.Param(teamEnd(q)) + " AND x.due != '' AND x.due < " + w.Param(teamEnd(q)))
			}},
	}}
}

// teamStaff are the staff's names by id.
func teamStaff(app core.App) (map[string]string, error) {
	var list []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	err := app.DB().NewQuery("SELECT id, name FROM staff").All(&list)
	out := make(map[string]string, len(list))
	for _, s := range list {
		out[s.ID] = s.Name
	}
	return out, err
}

// personSeries is one point per person, named, largest first.
func personSeries(names map[string]string, values map[string]float64) []Point {
	out := []Point{}
	for id, v := range values {
		name := names[id]
		if name == "" {
			name = id
		}
		out = append(out, Point{Label: name, Value: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// countByPerson counts a selection's rows per person (from the sums of
// kind when the query allows, team_sums.go).
func countByPerson(sel func(Query) selection, kind string) func(core.App, Query) (Result, error) {
	return func(app core.App, q Query) (Result, error) {
		var query *dbx.Query
		if s, ok := teamSummed(q, kind); ok {
			w, sql := s.sql(q)
			query = w.Query(app, sql)
		} else {
			w, union, err := sel(q).sql(app, q)
			if err != nil {
				return Result{}, err
			}
			query = w.Query(app, "SELECT person, COUNT(*) FROM ("+union+") GROUP BY person")
		}
		counts := map[string]float64{}
		total := 0
		err := eachRow(query, func(r *sql.Rows) error {
			var person string
			var n int
			if err := r.Scan(&person, &n); err != nil {
				return err
			}
			counts[person], total = float64(n), total+n
			return nil
		})
		if err != nil {
			return Result{}, err
		}
		names, err := teamStaff(app)
		return Result{Value: Float(float64(total)), Count: total, Series: personSeries(names, counts)}, err
	}
}

// listByPerson lists a selection's rows, each naming its person.
func listByPerson(sel func(Query) selection) func(core.App, Query, int) ([]Record, error) {
	return func(app core.App, q Query, limit int) ([]Record, error) {
		s := sel(q)
		w, union, err := s.sql(app, q)
		if err != nil {
			return nil, err
		}
		names, err := teamStaff(app)
		if err != nil {
			return nil, err
		}
		out := []Record{}
		err = eachRow(w.Query(app, "SELECT id, person, title, at FROM ("+union+") ORDER BY at DESC, id LIMIT "+w.Param(limit)),
			func(r *sql.Rows) error {
				var rec Record
				var person string
				if err := r.Scan(&rec.ID, &person, &rec.Title, &rec.When); err != nil {
					return err
				}
				rec.Collection, rec.Detail = s.collection, names[person]
				out = append(out, rec)
				return nil
			})
		return out, err
	}
}

// responseTime: business hours from a request's opening to its first
// answer, for the requests first answered in the period: the median per
// person, and over everyone (with the p90 beside it).
func responseTime(app core.App, q Query) (Result, error) {
	if ok, err := teamTimesFromSummary(app, q); err != nil || ok { // team_times.go
		if err != nil {
			return Result{}, err
		}
		return summaryResponseTime(app, q)
	}
	w, union, err := answeredRequests(q).sql(app, q)
	if err != nil {
		return Result{}, err
	}
	cal := q.Business.Calendar()
	var all []float64
	per := map[string][]float64{}
	err = eachRow(w.Query(app, "SELECT person, value, at FROM ("+union+")"), func(r *sql.Rows) error {
		var person, opened, answered string
		if err := r.Scan(&person, &opened, &answered); err != nil {
			return err
		}
		h := cal.OpenBetween(ParseDBTime(opened), ParseDBTime(answered)).Hours()
		all, per[person] = append(all, h), append(per[person], h)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	medians := map[string]float64{}
	for p, hs := range per {
		m, _ := Median(hs)
		medians[p] = Round1(m)
	}
	names, err := teamStaff(app)
	r := Result{Count: len(all), Series: personSeries(names, medians)}
	if m, ok := Median(all); ok {
		p90, _ := Percentile(all, 90)
		r.Value, r.Extra = Float(Round1(m)), map[string]float64{"p90": Round1(p90)}
	}
	return r, err
}

// dealsWon: the amount of the deals won in the period, per owner, in the
// business's currency; the count beside it.
func dealsWon(app core.App, q Query) (Result, error) {
	var query *dbx.Query
	if summed(q) { // sales_sums.go
		w, union := dealSums{kind: dealsum.KindWon, where: "{t}.owner != ''",
			sums: "x.owner AS owner, " + sumsCurrency + " AS cur, x.amount AS amount, x.n AS n",
			rows: "d.owner AS owner, " + dealCurrency + " AS cur, d.amount AS amount, 1 AS n"}.sql(q, []time.Time{q.From, q.To})
		query = w.Query(app, "SELECT owner, cur, COALESCE(SUM(amount), 0), SUM(n) FROM ("+union+") GROUP BY owner, cur")
	} else {
		w, err := dealWhere(app, q)
		if err != nil {
			return Result{}, err
		}
		w.In("d.closed_at", q).Add("d.status = " + w.Param(crm.DealWon)).Add("d.owner != ''")
		query = w.Query(app, "SELECT d.owner, "+dealCurrency+" AS cur, COALESCE(SUM(d.amount), 0), COUNT(*) "+dealFrom+
			" WHERE {where} GROUP BY d.owner, cur")
	}
	sum, per := q.NewSum(), map[string]*Sum{}
	err := eachRow(query, func(r *sql.Rows) error {
		var owner, cur string
		var v float64
		var n int
		if err := r.Scan(&owner, &cur, &v, &n); err != nil {
			return err
		}
		sum.Add(v, cur, n)
		if per[owner] == nil {
			per[owner] = q.NewSum()
		}
		per[owner].Add(v, cur, n)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	values := map[string]float64{}
	for o, s := range per {
		values[o] = Round2(s.Total)
	}
	names, err := teamStaff(app)
	n := sum.N + sum.Skipped
	return Result{Value: Float(Round2(sum.Total)), Count: n, Series: personSeries(names, values), Apart: sum.ApartRounded(),
		Extra: map[string]float64{"count": float64(n)}}, err
}

// dealsWonRecords lists the deals won in the period that have an owner,
// each naming its owner.
func dealsWonRecords(app core.App, q Query, limit int) ([]Record, error) {
	w, err := dealWhere(app, q)
	if err != nil {
		return nil, err
	}
	w.In("d.closed_at", q).Add("d.status = " + w.Param(crm.DealWon)).Add("d.owner != ''")
	names, err := teamStaff(app)
	if err != nil {
		return nil, err
	}
	return dealRecords(app, q, w, "d.closed_at", limit, func(_, _, owner string) string { return names[owner] })
}
