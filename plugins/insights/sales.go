package insights

import (
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/insights/dealsum"
)

// The Sales board: what was won, what entered the pipeline, how often and
// how fast deals are won, where they stop, why they are lost, and what the
// open deals promise. Every figure reads deals (and deal_stage_history for
// the conversion) through indexes on the period's date column; the exact
// definitions are in docs/insights.md.

var dealFilters = []string{FilterPipeline, FilterOwner, FilterTeam, FilterSegment}

func init() {
	add := func(key, unit, better string, compute func(core.App, Query) (Result, error), records func(core.App, Query, int) ([]Record, error)) {
		Add(Def{Board: BoardSales, Key: key, Unit: unit, Better: better, Filters: dealFilters, Compute: compute, Records: records})
	}
	add("won_revenue", UnitMoney, "up", wonRevenue, closedDeals(crm.DealWon))
	add("new_pipeline", UnitMoney, "up", newPipeline, newDeals)
	add("win_rate", UnitPercent, "up", winRate, closedDeals(crm.DealWon, crm.DealLost))
	add("average_deal_size", UnitMoney, "up", averageDealSize, closedDeals(crm.DealWon))
	add("sales_cycle", UnitDays, "down", salesCycle, closedDeals(crm.DealWon))
	add("stage_conversion", UnitPercent, "up", stageConversion, stageConversionRecords)
	add("lost_reasons", UnitCount, "down", lostReasons, closedDeals(crm.DealLost))
	add("forecast", UnitMoney, "up", forecast, forecastRecords)
}

// A deal's currency: its own, else its pipeline's, else the business's ("").
const (
	dealFrom     = "FROM deals d LEFT JOIN pipelines p ON p.id = d.pipeline"
	dealCurrency = "COALESCE(NULLIF(d.currency, ''), NULLIF(p.currency, ''), '')"
)

// dealWhere is the query's filters on deals d.
func dealWhere(app core.App, q Query) (*Where, error) {
	w := NewWhere().Pipeline("d.pipeline", q).Owner("d.owner", q)
	if err := w.Visible(app, "d.id", crm.Deals, q); err != nil {
		return nil, err
	}
	return w, w.Segment(app, "d.contact", q)
}

// eachRow runs query and hands each row to scan.
func eachRow(query *dbx.Query, scan func(*sql.Rows) error) error {
	rows, err := query.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dealMoney sums the amounts of the deals of status with dateCol in q's
// period, by month, in the business's currency.
type dealMoney struct {
	sum     *Sum
	months  map[string]*Sum
	count   int
	byMonth map[string]int
}

func sumDeals(app core.App, q Query, dateCol string, statuses ...string) (dealMoney, error) {
	if q.shared == nil {
		return readDeals(app, q, dateCol, statuses...)
	}
	// once per board answer: won revenue, deal size, win rate and the
	// forecast read the same won deals
	key := dateCol + "|" + strings.Join(statuses, ",")
	q.shared.mu.Lock()
	d, ok := q.shared.deals[key]
	q.shared.mu.Unlock()
	if ok {
		return d, nil
	}
	d, err := readDeals(app, q, dateCol, statuses...)
	if err == nil {
		q.shared.mu.Lock()
		if q.shared.deals == nil {
			q.shared.deals = map[string]dealMoney{}
		}
		q.shared.deals[key] = d
		q.shared.mu.Unlock()
	}
	return d, err
}

func readDeals(app core.App, q Query, dateCol string, statuses ...string) (dealMoney, error) {
	out := dealMoney{sum: q.NewSum(), months: map[string]*Sum{}, byMonth: map[string]int{}}
	var query *dbx.Query
	if kind := sumKind(dateCol, statuses); kind != "" && summed(q) { // sales_sums.go
		w, s := summedDeals(app, q, kind)
		query = w.Query(app, s)
	} else {
		w, err := dealWhere(app, q)
		if err != nil {
			return out, err
		}
		w.In("d."+dateCol, q)
		if len(statuses) > 0 {
			ph := make([]string, len(statuses))
			for i, s := range statuses {
				ph[i] = w.Param(s)
			}
			w.Add("d.status IN (" + strings.Join(ph, ", ") + ")")
		}
		query = w.Query(app, "SELECT "+MonthCase("d."+dateCol, q)+" AS m, "+dealCurrency+" AS cur, "+
			"COALESCE(SUM(d.amount), 0), COUNT(*) "+dealFrom+" WHERE {where} GROUP BY m, cur")
	}
	err := eachRow(query, func(r *sql.Rows) error {
		var m, cur string
		var total float64
		var n int
		if err := r.Scan(&m, &cur, &total, &n); err != nil {
			return err
		}
		out.sum.Add(total, cur, n)
		if out.months[m] == nil {
			out.months[m] = q.NewSum()
		}
		out.months[m].Add(total, cur, n)
		out.count += n
		out.byMonth[m] += n
		return nil
	})
	return out, err
}

// series is one point per month of q's period, zero where nothing counts.
func (d dealMoney) series(q Query, value func(*Sum) float64) []Point {
	var out []Point
	for _, m := range Months(q) {
		v := 0.0
		if s := d.months[m]; s != nil {
			v = value(s)
		}
		out = append(out, Point{Label: m, Value: v})
	}
	return out
}

func total(s *Sum) float64 { return Round2(s.Total) }

func wonRevenue(app core.App, q Query) (Result, error) {
	d, err := sumDeals(app, q, crm.FieldClosedAt, crm.DealWon)
	if err != nil {
		return Result{}, err
	}
	return Result{Value: Float(Round2(d.sum.Total)), Count: d.count, Series: d.series(q, total), Apart: d.sum.ApartRounded()}, nil
}

func newPipeline(app core.App, q Query) (Result, error) {
	d, err := sumDeals(app, q, "created")
	if err != nil {
		return Result{}, err
	}
	return Result{Value: Float(Round2(d.sum.Total)), Count: d.count, Series: d.series(q, total), Apart: d.sum.ApartRounded()}, nil
}

func averageDealSize(app core.App, q Query) (Result, error) {
	d, err := sumDeals(app, q, crm.FieldClosedAt, crm.DealWon)
	if err != nil {
		return Result{}, err
	}
	avg := func(s *Sum) float64 {
		if s.N == 0 {
			return 0
		}
		return Round2(s.Total / float64(s.N))
	}
	r := Result{Count: d.count, Series: d.series(q, avg), Apart: d.sum.ApartRounded()}
	if d.sum.N > 0 {
		r.Value = Float(avg(d.sum))
	}
	return r, nil
}

// winRate: won ÷ (won + lost) of the deals closed in the period.
func winRate(app core.App, q Query) (Result, error) {
	won, err := sumDeals(app, q, crm.FieldClosedAt, crm.DealWon)
	if err != nil {
		return Result{}, err
	}
	lost, err := sumDeals(app, q, crm.FieldClosedAt, crm.DealLost)
	if err != nil {
		return Result{}, err
	}
	rate := func(w, l int) float64 { return Round1(100 * float64(w) / float64(w+l)) }
	r := Result{Count: won.count + lost.count, Extra: map[string]float64{"won": float64(won.count), "lost": float64(lost.count)}}
	for _, m := range Months(q) {
		p := Point{Label: m}
		if n := won.byMonth[m] + lost.byMonth[m]; n > 0 {
			p.Value = rate(won.byMonth[m], lost.byMonth[m])
		}
		r.Series = append(r.Series, p)
	}
	if r.Count > 0 {
		r.Value = Float(rate(won.count, lost.count))
	}
	return r, nil
}

// salesCycle: days from a deal's creation to its win, median and p90 of the
// deals won in the period.
func salesCycle(app core.App, q Query) (Result, error) {
	if summed(q) {
		if r, ok, err := summedCycle(app, q); err != nil || ok { // sales_cycle.go
			return r, err
		}
	}
	w, err := dealWhere(app, q)
	if err != nil {
		return Result{}, err
	}
	w.In("d.closed_at", q).Add("d.status = " + w.Param(crm.DealWon))
	var days []float64
	months := map[string][]float64{}
	// The time from creation to the win in whole milliseconds (dates are
	// stored to the millisecond; julianday keeps them exact to well under
	// one), worked out by SQLite, with the month as its index in the
	// period: the dates are read as text only when one does not read as a
	// date. Each row is two integers, so a year of wins reads fast.
	ms := "CAST(ROUND((julianday(d.closed_at) - julianday(d.created)) * 86400000) AS INTEGER)"
	labels := Months(q)
	err = eachRow(w.Query(app, "SELECT "+monthIndex("d.closed_at", q)+", "+ms+", "+
		"CASE WHEN "+ms+" IS NULL THEN d.created || '|' || d.closed_at END "+dealFrom+" WHERE {where}"),
		func(r *sql.Rows) error {
			var i int
			var took sql.NullInt64
			var raw sql.NullString
			if err := r.Scan(&i, &took, &raw); err != nil {
				return err
			}
			span := time.Duration(took.Int64) * time.Millisecond
			if !took.Valid {
				created, closed, _ := strings.Cut(raw.String, "|")
				span = ParseDBTime(closed).Sub(ParseDBTime(created))
			}
			m := ""
			if i >= 0 && i < len(labels) {
				m = labels[i]
			}
			d := max(0, span.Hours()/24)
			days = append(days, d)
			months[m] = append(months[m], d)
			return nil
		})
	if err != nil {
		return Result{}, err
	}
	r := Result{Count: len(days)}
	for _, m := range Months(q) {
		v, _ := Median(months[m])
		r.Series = append(r.Series, Point{Label: m, Value: Round1(v)})
	}
	if med, ok := Median(days); ok {
		p90, _ := Percentile(days, 90)
		r.Value, r.Extra = Float(Round1(med)), map[string]float64{"p90": Round1(p90)}
	}
	return r, nil
}

// lostReasons: the deals lost in the period, by the reason given.
func lostReasons(app core.App, q Query) (Result, error) {
	var query *dbx.Query
	if summed(q) { // sales_sums.go
		w, union := dealSums{kind: dealsum.KindLost, sums: "x.reason AS reason, x.n AS n", rows: "d.lost_reason AS reason, 1 AS n"}.
			sql(q, []time.Time{q.From, q.To})
		query = w.Query(app, "SELECT reason, SUM(n) FROM ("+union+") GROUP BY reason")
	} else {
		w, err := dealWhere(app, q)
		if err != nil {
			return Result{}, err
		}
		w.In("d.closed_at", q).Add("d.status = " + w.Param(crm.DealLost))
		query = w.Query(app, "SELECT d.lost_reason, COUNT(*) "+dealFrom+" WHERE {where} GROUP BY d.lost_reason")
	}
	r := Result{}
	err := eachRow(query,
		func(rows *sql.Rows) error {
			var reason string
			var n int
			if err := rows.Scan(&reason, &n); err != nil {
				return err
			}
			r.Series = append(r.Series, Point{Label: reason, Value: float64(n)})
			r.Count += n
			return nil
		})
	sort.SliceStable(r.Series, func(i, j int) bool {
		if r.Series[i].Value != r.Series[j].Value {
			return r.Series[i].Value > r.Series[j].Value
		}
		return r.Series[i].Label < r.Series[j].Label
	})
	r.Value = Float(float64(r.Count))
	return r, err
}

// closedDeals lists the deals of these statuses closed in the period.
func closedDeals(statuses ...string) func(core.App, Query, int) ([]Record, error) {
	return func(app core.App, q Query, limit int) ([]Record, error) {
		w, err := dealWhere(app, q)
		if err != nil {
			return nil, err
		}
		ph := make([]string, len(statuses))
		for i, s := range statuses {
			ph[i] = w.Param(s)
		}
		w.In("d.closed_at", q).Add("d.status IN (" + strings.Join(ph, ", ") + ")")
		return dealRecords(app, q, w, "d.closed_at", limit, statusDetail)
	}
}

func newDeals(app core.App, q Query, limit int) ([]Record, error) {
	w, err := dealWhere(app, q)
	if err != nil {
		return nil, err
	}
	return dealRecords(app, q, w.In("d.created", q), "d.created", limit, statusDetail)
}

// statusDetail is a deal's status, with the reason of a loss.
func statusDetail(status, reason, _ string) string {
	if reason != "" {
		return status + ": " + reason
	}
	return status
}

// dealRecords lists deals: title, amount in their own currency, the date
// that counted, and the status (with the reason of a loss).
func dealRecords(app core.App, q Query, w *Where, when string, limit int, detail func(status, reason, owner string) string) ([]Record, error) {
	out := []Record{}
	query := w.Query(app, "SELECT d.id, d.title, d.amount, "+dealCurrency+", "+when+", d.status, d.lost_reason, d.owner "+
		dealFrom+" WHERE {where} ORDER BY "+when+" DESC, d.id LIMIT "+w.Param(limit))
	err := eachRow(query, func(r *sql.Rows) error {
		var rec Record
		var amount float64
		var status, reason, owner string
		if err := r.Scan(&rec.ID, &rec.Title, &amount, &rec.Currency, &rec.When, &status, &reason, &owner); err != nil {
			return err
		}
		rec.Collection, rec.Value, rec.Detail = crm.Deals, Float(amount), status
		if rec.Currency == "" {
			rec.Currency = q.Currency
		}
		if reason != "" {
			rec.Detail += ": " + reason
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// stage is a pipeline's stage, for the conversion between stages.
type stage struct {
	ID           string `db:"id"`
	Pipeline     string `db:"pipeline"`
	PipelineName string `db:"pipeline_name"`
	Name         string `db:"name"`
	Kind         string `db:"kind"`
	Position     int    `db:"position"`
}

// step is "A → B": an open stage and the next one a deal moves forward to.
type step struct{ from, to stage }

// steps lists, for the pipelines in scope, each open stage with the next
// stage by position that is not a lost one.
func steps(app core.App, q Query) ([]step, error) {
	var list []stage
	w := NewWhere().Pipeline("s.pipeline", q)
	err := w.Query(app, "SELECT s.id, s.pipeline, p.name AS pipeline_name, s.name, s.kind, s.position "+
		"FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline WHERE {where} "+
		"ORDER BY p.position, p.name, s.pipeline, s.position, s.id").All(&list)
	if err != nil {
		return nil, err
	}
	var out []step
	for i, a := range list {
		if a.Kind != crm.StageOpen {
			continue
		}
		for _, b := range list[i+1:] {
			if b.Pipeline != a.Pipeline {
				break
			}
			if b.Kind != crm.StageLost && b.Position > a.Position {
				out = append(out, step{a, b})
				break
			}
		}
	}
	return out, nil
}

// conversionCTE is the SQL of two tables: e, the deals that entered each
// stage in the period (deal, stage, their first entry), read through the
// history's index on at (the deals themselves only when a filter asks about
// them), and the SQL that tells whether it moved forward since (forwardSQL).
func conversionCTE(app core.App, q Query) (*Where, string, string, error) {
	w := NewWhere()
	from := "deal_stage_history h"
	if q.Filters.Owner != "" || q.Filters.Segment != "" {
		from += " JOIN deals d ON d.id = h.deal"
		w.Owner("d.owner", q)
		if err := w.Segment(app, "d.contact", q); err != nil {
			return nil, "", "", err
		}
	}
	w.In("h.at", q).Pipeline("h.pipeline", q)
	if err := w.Visible(app, "h.deal", crm.Deals, q); err != nil {
		return nil, "", "", err
	}
	lost := w.Param(crm.StageLost)
	return w, `WITH e AS (
		SELECT h.deal, h.to_stage AS stage, MIN(h.at) AS at FROM ` + from + ` WHERE {where} GROUP BY h.deal, h.to_stage)`, forwardSQL(lost), nil
}

// forwardSQL tells whether the deal of e moved forward out of e's stage
// at or after it entered it (to a later stage that is not a lost one): one
// probe of the history's (deal, at) index per deal and stage.
func forwardSQL(lost string) string {
	return `EXISTS (SELECT 1 FROM deal_stage_history f
		JOIN pipeline_stages a ON a.id = f.from_stage JOIN pipeline_stages b ON b.id = f.to_stage
		WHERE f.deal = e.deal AND f.at >= e.at AND f.from_stage = e.stage AND b.kind != ` + lost + ` AND b.position > a.position)`
}

// conversion counts, per open stage, the deals that entered it in the
// period and, of those, the ones that moved forward out of it afterwards
// (to a later stage that is not a lost one), at any time until now. A deal
// is counted once per stage however often it went back and forth.
func conversion(app core.App, q Query) (entered, advanced map[string]int, err error) {
	var query *dbx.Query
	if conversionSummed(q) { // sales_sums.go
		w, s := summedConversion(app, q)
		query = w.Query(app, s)
	} else {
		w, cte, forward, err := conversionCTE(app, q)
		if err != nil {
			return nil, nil, err
		}
		query = w.Query(app, cte+` SELECT e.stage, COUNT(*), SUM(`+forward+`) FROM e GROUP BY e.stage`)
	}
	entered, advanced = map[string]int{}, map[string]int{}
	err = eachRow(query, func(r *sql.Rows) error {
		var id string
		var n, a int
		if err := r.Scan(&id, &n, &a); err != nil {
			return err
		}
		entered[id], advanced[id] = n, a
		return nil
	})
	return entered, advanced, err
}

// stageLabel is "A → B", with the pipeline's name when several are shown.
func stageLabel(s step, many bool) string {
	label := s.from.Name + " → " + s.to.Name
	if many {
		label = s.from.PipelineName + ": " + label
	}
	return label
}

func stageConversion(app core.App, q Query) (Result, error) {
	list, err := steps(app, q)
	if err != nil {
		return Result{}, err
	}
	entered, advanced, err := conversion(app, q)
	if err != nil {
		return Result{}, err
	}
	pipelines := map[string]bool{}
	for _, s := range list {
		pipelines[s.from.Pipeline] = true
	}
	r := Result{}
	in, out := 0, 0
	for _, s := range list {
		p := Point{Label: stageLabel(s, len(pipelines) > 1),
			Parts: map[string]float64{"entered": float64(entered[s.from.ID]), "advanced": float64(advanced[s.from.ID])}}
		if n := entered[s.from.ID]; n > 0 {
			p.Value = Round1(100 * float64(advanced[s.from.ID]) / float64(n))
		}
		in, out = in+entered[s.from.ID], out+advanced[s.from.ID]
		r.Series = append(r.Series, p)
	}
	r.Count = in
	if in > 0 {
		r.Value = Float(Round1(100 * float64(out) / float64(in)))
	}
	return r, nil
}

// stageConversionRecords lists the deals that entered an open stage in the
// period, each with the stage and whether it moved forward.
func stageConversionRecords(app core.App, q Query, limit int) ([]Record, error) {
	w, cte, forward, err := conversionCTE(app, q)
	if err != nil {
		return nil, err
	}
	open := w.Param(crm.StageOpen)
	out := []Record{}
	query := w.Query(app, cte+` SELECT d.id, d.title, s.name, e.at, `+forward+` FROM e
		JOIN deals d ON d.id = e.deal JOIN pipeline_stages s ON s.id = e.stage
		WHERE s.kind = `+open+` ORDER BY e.at DESC, d.id LIMIT `+w.Param(limit))
	err = eachRow(query, func(r *sql.Rows) error {
		var rec Record
		var stageName string
		var moved bool
		if err := r.Scan(&rec.ID, &rec.Title, &stageName, &rec.When, &moved); err != nil {
			return err
		}
		rec.Collection, rec.Detail = crm.Deals, stageName+": stayed"
		if moved {
			rec.Detail = stageName + ": moved forward"
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// weighted is a deal's amount times its probability: the deal's own when
// set, else its stage's.
const weighted = "d.amount * COALESCE(NULLIF(d.probability, 0), s.probability, 0) / 100.0"

// forecast: the open deals expected to close in the period, each weighted by
// its probability, by expected close month, beside what was won each month.
func forecast(app core.App, q Query) (Result, error) {
	var query *dbx.Query
	if summed(q) { // sales_sums.go
		w, union := dealSums{kind: dealsum.KindOpen,
			sums: "{month} AS m, " + sumsCurrency + " AS cur, x.own + x.staged * COALESCE(s.probability, 0) / 100.0 AS v, x.n AS n",
			rows: "{month} AS m, " + dealCurrency + " AS cur, " + weighted + " AS v, 1 AS n"}.sql(q, monthBounds(q))
		query = w.Query(app, "SELECT m, cur, COALESCE(SUM(v), 0), SUM(n) FROM ("+union+") GROUP BY m, cur")
	} else {
		w, err := dealWhere(app, q)
		if err != nil {
			return Result{}, err
		}
		w.In("d.expected_close", q).Add("d.status = " + w.Param(crm.DealOpen))
		query = w.Query(app, "SELECT "+MonthCase("d.expected_close", q)+" AS m, "+dealCurrency+" AS cur, "+
			"COALESCE(SUM("+weighted+"), 0), COUNT(*) "+dealFrom+" LEFT JOIN pipeline_stages s ON s.id = d.stage "+
			"WHERE {where} GROUP BY m, cur")
	}
	sum, months, count := q.NewSum(), map[string]*Sum{}, 0
	err := eachRow(query, func(r *sql.Rows) error {
		var m, cur string
		var v float64
		var n int
		if err := r.Scan(&m, &cur, &v, &n); err != nil {
			return err
		}
		sum.Add(v, cur, n)
		if months[m] == nil {
			months[m] = q.NewSum()
		}
		months[m].Add(v, cur, n)
		count += n
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	won, err := sumDeals(app, q, crm.FieldClosedAt, crm.DealWon)
	if err != nil {
		return Result{}, err
	}
	r := Result{Value: Float(Round2(sum.Total)), Count: count, Apart: sum.ApartRounded(),
		Extra: map[string]float64{"won": Round2(won.sum.Total)}}
	for _, m := range Months(q) {
		p := Point{Label: m, Parts: map[string]float64{"weighted": 0, "won": 0}}
		if s := months[m]; s != nil {
			p.Value, p.Parts["weighted"] = Round2(s.Total), Round2(s.Total)
		}
		if s := won.months[m]; s != nil {
			p.Parts["won"] = Round2(s.Total)
		}
		r.Series = append(r.Series, p)
	}
	return r, nil
}

// forecastRecords lists the open deals expected to close in the period,
// each with its weighted amount.
func forecastRecords(app core.App, q Query, limit int) ([]Record, error) {
	w, err := dealWhere(app, q)
	if err != nil {
		return nil, err
	}
	w.In("d.expected_close", q).Add("d.status = " + w.Param(crm.DealOpen))
	out := []Record{}
	query := w.Query(app, "SELECT d.id, d.title, "+weighted+", "+dealCurrency+", d.expected_close, s.name "+dealFrom+
		" LEFT JOIN pipeline_stages s ON s.id = d.stage WHERE {where} ORDER BY d.expected_close, d.id LIMIT "+w.Param(limit))
	err = eachRow(query, func(r *sql.Rows) error {
		var rec Record
		var v float64
		var stageName sql.NullString
		if err := r.Scan(&rec.ID, &rec.Title, &v, &rec.Currency, &rec.When, &stageName); err != nil {
			return err
		}
		rec.Collection, rec.Value, rec.Detail = crm.Deals, Float(Round2(v)), stageName.String
		if rec.Currency == "" {
			rec.Currency = q.Currency
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}
