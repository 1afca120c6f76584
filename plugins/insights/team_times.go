package insights

import (
	"database/sql"
	"math"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/core"

	sdb "vinculo/plugins/insights/summarydb"
)

// The Team board's response times from the Service summary
// (service_summary.go): each request's first-response time in business
// hours is worked out once, when it is written, and counted per month of
// the answer, assignee and quarter hour. A person's median (and everyone's
// median and p90) finds its quarter hour from the counts and reads only the
// requests of that quarter hour, the rank-th of them by SQLite's own
// ordering of the person's index. The answer is the one the requests give
// (responseTime, team.go), to the nanosecond.

// teamTimesFromSummary: the response times may come from the summary —
// not with a segment, a reader's visibility, a type or a channel (the
// counts per person hold neither), and only when the Service summary is
// made for q's business and up to date.
func teamTimesFromSummary(app core.App, q Query) (bool, error) {
	f := q.Filters
	if summaryOff || f.Segment != "" || f.Reader != nil || f.Type != "" || f.Channel != "" ||
		q.Loc == nil || q.Loc.String() != q.Business.Location().String() {
		return false, nil
	}
	return serviceReady(app, q.Business)
}

// personTimes are the first-response times of q's period by rank: the
// counts per person and quarter hour, and the values read for a rank.
type personTimes struct {
	app  core.App
	q    Query
	hist map[string]map[int64]int // person -> bucket -> count
	seen map[[3]any]int64         // (person, bucket, offset) -> ns
}

func loadPersonTimes(app core.App, q Query) (*personTimes, error) {
	pt := &personTimes{app: app, q: q, hist: map[string]map[int64]int{}, seen: map[[3]any]int64{}}
	labels, edges := monthSplit(q.From, q.To, q.Loc)
	scan := func(r *sql.Rows) error {
		var person string
		var b int64
		var n int
		if err := r.Scan(&person, &b, &n); err != nil {
			return err
		}
		if pt.hist[person] == nil {
			pt.hist[person] = map[int64]int{}
		}
		pt.hist[person][b] += n
		return nil
	}
	if len(labels) > 0 {
		w := NewWhere().Owner("assignee", q)
		w.Add("measure = " + w.Param(mFirstPerson) + " AND month >= " + w.Param(labels[0]) + " AND month <= " + w.Param(labels[len(labels)-1]))
		if err := eachRow(w.Query(app, "SELECT assignee, bucket, SUM(n) FROM "+sdb.CaseMonths+" WHERE {where} GROUP BY 1, 2"), scan); err != nil {
			return nil, err
		}
	}
	for _, e := range edges {
		w := NewWhere().Owner("assignee", q).Between("first_at", e[0], e[1]).Add("assignee != '' AND frt_b IS NOT NULL")
		if err := eachRow(w.Query(app, "SELECT assignee, frt_b, COUNT(*) FROM "+sdb.CaseFacts+" WHERE {where} GROUP BY 1, 2"), scan); err != nil {
			return nil, err
		}
	}
	return pt, nil
}

// counts are the buckets' counts of one person ("" everyone).
func (pt *personTimes) counts(person string) map[int64]int {
	if person != "" {
		return pt.hist[person]
	}
	all := map[int64]int{}
	for _, h := range pt.hist {
		for b, n := range h {
			all[b] += n
		}
	}
	return all
}

// at is the rank-th smallest time (from 0) of person ("" everyone), in
// hours.
func (pt *personTimes) at(person string, counts map[int64]int, rank int) (float64, error) {
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
		key := [3]any{person, b, rank}
		if ns, ok := pt.seen[key]; ok {
			return time.Duration(ns).Hours(), nil
		}
		w := NewWhere()
		if person != "" {
			w.Add("assignee = " + w.Param(person))
		} else {
			w.Owner("assignee", pt.q).Add("assignee != ''")
		}
		// the bucket in order of time (the period's dates checked on the
		// index's entries: +first_at keeps SQLite from reading the bucket
		// by date and sorting it)
		w.Add("frt_b = "+w.Param(b)).Between("+first_at", pt.q.From, pt.q.To)
		var ns []int64
		err := w.Query(pt.app, "SELECT frt_ns FROM "+sdb.CaseFacts+" WHERE {where} ORDER BY frt_ns LIMIT 1 OFFSET "+w.Param(rank)).Column(&ns)
		if err != nil {
			return 0, err
		}
		if len(ns) == 0 {
			return 0, errSummaryDrift
		}
		pt.seen[key] = ns[0]
		return time.Duration(ns[0]).Hours(), nil
	}
	return 0, errSummaryDrift
}

// medianP90 are Median and Percentile(90) (figures.go) of person's times,
// and how many there are.
func (pt *personTimes) medianP90(person string) (med, p90 float64, n int, err error) {
	counts := pt.counts(person)
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return 0, 0, 0, nil
	}
	if n%2 == 1 {
		med, err = pt.at(person, counts, n/2)
	} else {
		var a, b float64
		if a, err = pt.at(person, counts, n/2-1); err == nil {
			b, err = pt.at(person, counts, n/2)
		}
		med = (a + b) / 2
	}
	if err != nil || person != "" {
		return med, 0, n, err
	}
	rank := int(math.Ceil(90.0 / 100 * float64(n)))
	p90, err = pt.at(person, counts, min(max(rank, 1), n)-1)
	return med, p90, n, err
}

// summaryResponseTime is responseTime from the summary.
func summaryResponseTime(app core.App, q Query) (Result, error) {
	pt, err := loadPersonTimes(app, q)
	if err != nil {
		return Result{}, err
	}
	medians := map[string]float64{}
	for person := range pt.hist {
		m, _, n, err := pt.medianP90(person)
		if err != nil {
			return Result{}, err
		}
		if n > 0 {
			medians[person] = Round1(m)
		}
	}
	names, err := teamStaff(app)
	if err != nil {
		return Result{}, err
	}
	m, p90, n, err := pt.medianP90("")
	r := Result{Count: n, Series: personSeries(names, medians)}
	if n > 0 {
		r.Value, r.Extra = Float(Round1(m)), map[string]float64{"p90": Round1(p90)}
	}
	return r, err
}
