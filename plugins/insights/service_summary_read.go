package insights

import (
	"database/sql"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	sdb "vinculo/plugins/insights/summarydb"
)

// How the Service figures read the summary (service_summary.go). Each
// answers exactly what its query over the requests answers (service.go).

// fromSummary says whether a Service figure may read the summary under q:
// not with a segment or a reader's visibility (they select requests one by
// one), nor, for the times, with a channel or person filter (the time
// buckets are kept per type only); and only when the summary is made for
// q's business and up to date.
func fromSummary(app core.App, q Query, times bool) (bool, error) {
	f := q.Filters
	if summaryOff || f.Segment != "" || f.Reader != nil || q.Loc == nil || q.Loc.String() != q.Business.Location().String() {
		return false, nil
	}
	if times && (f.Channel != "" || f.Owner != "" || f.People != nil) {
		return false, nil
	}
	return serviceReady(app, q.Business)
}

// summaryOff makes every figure read the records themselves (tests compare
// both ways).
var summaryOff bool

// monthSplit splits [from, to) into the whole months of loc it holds
// (labels YYYY-MM, in order) and the stretches outside them.
func monthSplit(from, to time.Time, loc *time.Location) (labels []string, edges [][2]time.Time) {
	if !from.Before(to) {
		return nil, nil
	}
	f := from.In(loc)
	m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc)
	if m.Before(from) {
		m = m.AddDate(0, 1, 0)
	}
	first := m
	for ; !m.AddDate(0, 1, 0).After(to); m = m.AddDate(0, 1, 0) {
		labels = append(labels, m.Format("2006-01"))
	}
	if len(labels) == 0 {
		return nil, [][2]time.Time{{from, to}}
	}
	if from.Before(first) {
		edges = append(edges, [2]time.Time{from, first})
	}
	if m.Before(to) {
		edges = append(edges, [2]time.Time{m, to})
	}
	return labels, edges
}

// caseFilters adds q's request filters on the columns type, channel and
// assignee (of the facts or of the monthly counts).
func caseFilters(q Query, w *Where, people bool) *Where {
	w.Type("type", q).Channel("channel", q)
	if people {
		w.Owner("assignee", q)
	}
	return w
}

// sumMonths runs sel over the monthly counts of measure in the months
// labels, and over the facts for each edge (date column col in it): scan
// reads the rows of both.
func sumMonths(app core.App, q Query, measure string, labels []string, monthSel, factSel, col string, edges [][2]time.Time, full bool, scan func(*sql.Rows) error) error {
	if len(labels) > 0 {
		w := caseFilters(q, NewWhere(), full)
		w.Add("measure = " + w.Param(measure) + " AND month >= " + w.Param(labels[0]) + " AND month <= " + w.Param(labels[len(labels)-1]))
		if err := eachRow(w.Query(app, monthSel), scan); err != nil {
			return err
		}
	}
	for _, e := range edges {
		w := caseFilters(q, NewWhere(), full).Between(col, e[0], e[1])
		if err := eachRow(w.Query(app, factSel), scan); err != nil {
			return err
		}
	}
	return nil
}

// countByType counts measure in [from, to) by type (col: its date).
func countByType(app core.App, q Query, measure, col string, from, to time.Time) (map[string]float64, int, error) {
	labels, edges := monthSplit(from, to, q.Loc)
	by, total := map[string]float64{}, 0
	err := sumMonths(app, q, measure, labels,
		"SELECT type, SUM(n) FROM "+sdb.CaseMonths+" WHERE {where} GROUP BY type",
		"SELECT type, COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where} GROUP BY type", col, edges, true,
		func(r *sql.Rows) error {
			var tp string
			var n int
			if err := r.Scan(&tp, &n); err != nil {
				return err
			}
			by[tp] += float64(n)
			total += n
			return nil
		})
	return by, total, err
}

// countBefore counts measure before at (col: its date).
func countBefore(app core.App, q Query, measure, col string, at time.Time) (int, error) {
	l := at.In(q.Loc)
	m := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, q.Loc)
	total := 0
	scan := func(r *sql.Rows) error {
		var n sql.NullInt64
		if err := r.Scan(&n); err != nil {
			return err
		}
		total += int(n.Int64)
		return nil
	}
	w := caseFilters(q, NewWhere(), true)
	w.Add("measure = " + w.Param(measure) + " AND month < " + w.Param(m.Format("2006-01")))
	if err := eachRow(w.Query(app, "SELECT SUM(n) FROM "+sdb.CaseMonths+" WHERE {where}"), scan); err != nil {
		return 0, err
	}
	if m.Before(at) {
		w := caseFilters(q, NewWhere(), true).Between(col, m, at)
		if err := eachRow(w.Query(app, "SELECT COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where}"), scan); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// summaryBacklog is backlog (service.go) from the summary: the requests
// open at the end are those opened before it less those shut before it;
// the ones opened in the last 30 days are sorted by age from the facts,
// the rest are the oldest bucket.
func summaryBacklog(app core.App, q Query) (Result, error) {
	at := end(q)
	opened, err := countBefore(app, q, mOpened, "created", at)
	if err != nil {
		return Result{}, err
	}
	shut, err := countBefore(app, q, mShut, "shut_at", at)
	if err != nil {
		return Result{}, err
	}
	total := opened - shut
	counts := make([]float64, len(backlogBuckets))
	last := len(backlogBuckets) - 1
	w := caseFilters(q, NewWhere(), true)
	bucket := "(CASE"
	for i, b := range backlogBuckets[:last] {
		bucket += " WHEN created > " + w.Param(DBTime(at.Add(-time.Duration(b.Days*24*float64(time.Hour))))) + " THEN " + itoa(i)
	}
	bucket += " ELSE " + itoa(last) + " END)"
	oldest := DBTime(at.Add(-time.Duration(backlogBuckets[last-1].Days * 24 * float64(time.Hour))))
	w.Add("created > " + w.Param(oldest) + " AND created < " + w.Param(DBTime(at)))
	// Open at the end: still open, or closed after it. For the period under
	// way (the end is now) that is the open ones (a partial index) and those
	// closed from now on (none, by the close dates' index); for a past end,
	// the requests of the 30 days before it, read by their opening (the
	// unary + keeps SQLite from reading the OR by two indexes instead: with
	// its statistics it did, and read every request closed since that end
	// row by row, 0.3 s at a million).
	conds := []string{"(+closed = 0 OR +closed_at >= " + w.Param(DBTime(at)) + ")"}
	if !q.Now.IsZero() && !at.Before(q.Now) {
		conds = []string{"closed = 0", "closed != 0 AND closed_at >= " + w.Param(DBTime(at))}
	}
	young := 0
	for _, c := range conds {
		err = eachRow(w.Query(app, "SELECT "+bucket+" AS bucket, COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where} AND "+c+" GROUP BY bucket"), func(r *sql.Rows) error {
			var i, n int
			if err := r.Scan(&i, &n); err != nil {
				return err
			}
			counts[i] += float64(n)
			young += n
			return nil
		})
		if err != nil {
			return Result{}, err
		}
	}
	counts[last] = float64(total - young)
	series := make([]Point, len(backlogBuckets))
	for i, b := range backlogBuckets {
		series[i] = Point{Label: b.Label, Value: counts[i]}
	}
	return Result{Value: Float(float64(total)), Count: total, Series: series}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// summarySLA are withinSLA's groups from the summary.
func summarySLA(app core.App, q Query) ([]slaGroup, error) {
	labels, edges := monthSplit(q.From, q.To, q.Loc)
	var list []slaGroup
	err := sumMonths(app, q, mSLA, labels,
		"SELECT type, channel, assignee, SUM(CASE WHEN bucket = 1 THEN n ELSE 0 END), SUM(n) FROM "+sdb.CaseMonths+" WHERE {where} GROUP BY 1, 2, 3",
		"SELECT type, channel, assignee, SUM(sla), COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where} AND sla IS NOT NULL GROUP BY 1, 2, 3",
		"closed_at", edges, true, func(r *sql.Rows) error {
			var g slaGroup
			if err := r.Scan(&g.tp, &g.channel, &g.assignee, &g.met, &g.total); err != nil {
				return err
			}
			list = append(list, g)
			return nil
		})
	return list, err
}

// timeMeasure is where a time figure's facts are.
type timeMeasure struct{ measure, date, ns, bucket string }

var (
	firstTimes = timeMeasure{mFirst, "first_at", "frt_ns", "frt_b"}
	resolTimes = timeMeasure{mResol, "closed_at", "res_ns", "res_b"}
)

// timeValues reads the business times of q's period by rank, from the
// quarter-hour counts and, for the ranks asked, the requests of one bucket.
type timeValues struct {
	app     core.App
	q       Query
	m       timeMeasure
	hist    map[string]map[int64]int // type -> bucket -> count
	fetched map[int64][]typedTime    // bucket -> its requests' times, in order
}

type typedTime struct {
	tp string
	ns int64
}

func loadTimeValues(app core.App, q Query, m timeMeasure) (*timeValues, error) {
	tv := &timeValues{app: app, q: q, m: m, hist: map[string]map[int64]int{}, fetched: map[int64][]typedTime{}}
	labels, edges := monthSplit(q.From, q.To, q.Loc)
	err := sumMonths(app, q, m.measure, labels,
		"SELECT type, bucket, SUM(n) FROM "+sdb.CaseMonths+" WHERE {where} GROUP BY 1, 2",
		"SELECT type, "+m.bucket+", COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where} AND "+m.bucket+" IS NOT NULL GROUP BY 1, 2",
		m.date, edges, false, func(r *sql.Rows) error {
			var tp string
			var b int64
			var n int
			if err := r.Scan(&tp, &b, &n); err != nil {
				return err
			}
			if tv.hist[tp] == nil {
				tv.hist[tp] = map[int64]int{}
			}
			tv.hist[tp][b] += n
			return nil
		})
	return tv, err
}

// count is how many times there are of type tp ("" every type).
func (tv *timeValues) count(tp string) int {
	n := 0
	for t, h := range tv.hist {
		if tp == "" || t == tp {
			for _, c := range h {
				n += c
			}
		}
	}
	return n
}

// at is the rank-th smallest time of type tp ("" every type), in hours.
func (tv *timeValues) at(tp string, rank int) (float64, error) {
	counts := map[int64]int{}
	for t, h := range tv.hist {
		if tp == "" || t == tp {
			for b, c := range h {
				counts[b] += c
			}
		}
	}
	buckets := make([]int64, 0, len(counts))
	for b := range counts {
		buckets = append(buckets, b)
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i] < buckets[j] })
	for _, b := range buckets {
		if rank >= counts[b] {
			rank -= counts[b]
			continue
		}
		list, err := tv.bucket(b)
		if err != nil {
			return 0, err
		}
		for _, v := range list {
			if tp == "" || v.tp == tp {
				if rank == 0 {
					return time.Duration(v.ns).Hours(), nil
				}
				rank--
			}
		}
		break
	}
	return 0, errSummaryDrift
}

var errSummaryDrift = &summaryError{"the Service summary disagrees with its facts"}

type summaryError struct{ s string }

func (e *summaryError) Error() string { return e.s }

// bucket reads the times of one bucket in the period, in order.
func (tv *timeValues) bucket(b int64) ([]typedTime, error) {
	if list, ok := tv.fetched[b]; ok {
		return list, nil
	}
	w := caseFilters(tv.q, NewWhere(), false)
	w.Add(tv.m.bucket+" = "+w.Param(b)).Between(tv.m.date, tv.q.From, tv.q.To)
	var list []typedTime
	err := eachRow(w.Query(tv.app, "SELECT type, "+tv.m.ns+" FROM "+sdb.CaseFacts+" WHERE {where}"), func(r *sql.Rows) error {
		var t typedTime
		if err := r.Scan(&t.tp, &t.ns); err != nil {
			return err
		}
		list = append(list, t)
		return nil
	})
	sort.Slice(list, func(i, j int) bool { return list[i].ns < list[j].ns })
	tv.fetched[b] = list
	return list, err
}

// medianP90 are Median and Percentile(90) of the times of tp.
func (tv *timeValues) medianP90(tp string) (med, p float64, err error) {
	n := tv.count(tp)
	if n%2 == 1 {
		med, err = tv.at(tp, n/2)
	} else {
		var a, b float64
		if a, err = tv.at(tp, n/2-1); err == nil {
			b, err = tv.at(tp, n/2)
		}
		med = (a + b) / 2
	}
	if err != nil {
		return 0, 0, err
	}
	rank := int(math.Ceil(90.0 / 100 * float64(n)))
	p, err = tv.at(tp, min(max(rank, 1), n)-1)
	return med, p, err
}
