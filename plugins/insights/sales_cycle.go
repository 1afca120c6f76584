package insights

import (
	"database/sql"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/insights/dealsum"
)

// The sales cycle (a median, which no running sum holds) from the copy of
// the won deals' dates that triggers keep (dealsum.WonCycles): per month of
// the period, the won deals are counted per whole day of their cycle by an
// index, without the table; each median (per month, and the period's with
// its p90) finds its day from the counts and reads the rank-th deal of that
// day only, in the order of an index. The answer is salesCycle's from the
// deals (sales.go), to the millisecond.

// cycleCounts are one stretch's won deals per day of cycle.
type cycleCounts map[int64]int

// summedCycle answers salesCycle from WonCycles; ok is false when it
// cannot (the table not made yet, or a deal whose dates do not read as
// dates in the period: the deals are read then).
func summedCycle(app core.App, q Query) (Result, bool, error) {
	bounds := monthBounds(q)
	labels := Months(q)
	if len(labels) != len(bounds)-1 {
		return Result{}, false, nil
	}
	all := cycleCounts{}
	months := make([]cycleCounts, len(labels))
	for i := range labels {
		months[i] = cycleCounts{}
		w := cycleWhere(q).Between("closed_at", bounds[i], bounds[i+1])
		unread := false
		err := eachRow(w.Query(app, "SELECT bucket, COUNT(*) FROM "+dealsum.WonCycles+" WHERE {where} GROUP BY bucket"), func(r *sql.Rows) error {
			var b sql.NullInt64
			var n int
			if err := r.Scan(&b, &n); err != nil {
				return err
			}
			if !b.Valid {
				unread = true
			}
			months[i][b.Int64] += n
			all[b.Int64] += n
			return nil
		})
		if err != nil && strings.Contains(err.Error(), "no such table") {
			return Result{}, false, nil
		}
		if err != nil || unread {
			return Result{}, false, err
		}
	}
	r := Result{Count: cycleTotal(all)}
	for i, m := range labels {
		med, _, err := cycleStats(app, q, months[i], bounds[i], bounds[i+1], false)
		if err != nil {
			return Result{}, false, err
		}
		r.Series = append(r.Series, Point{Label: m, Value: Round1(med)})
	}
	if r.Count > 0 {
		med, p90, err := cycleStats(app, q, all, q.From, q.To, true)
		if err != nil {
			return Result{}, false, err
		}
		r.Value, r.Extra = Float(Round1(med)), map[string]float64{"p90": Round1(p90)}
	}
	return r, true, nil
}

func cycleTotal(c cycleCounts) int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// cycleWhere is q's filters on WonCycles.
func cycleWhere(q Query) *Where {
	return NewWhere().Pipeline("pipeline", q).Owner("owner", q)
}

// cycleStats are Median (and, with p, Percentile 90) of the cycles in days
// of the won deals closed in [from, to), counted in c.
func cycleStats(app core.App, q Query, c cycleCounts, from, to time.Time, p bool) (med, p90 float64, err error) {
	n := cycleTotal(c)
	if n == 0 {
		return 0, 0, nil
	}
	at := func(rank int) (float64, error) { return cycleAt(app, q, c, from, to, rank) }
	if n%2 == 1 {
		med, err = at(n / 2)
	} else {
		var a, b float64
		if a, err = at(n/2 - 1); err == nil {
			b, err = at(n / 2)
		}
		med = (a + b) / 2
	}
	if err != nil || !p {
		return med, 0, err
	}
	rank := int(math.Ceil(90.0 / 100 * float64(n)))
	p90, err = at(min(max(rank, 1), n) - 1)
	return med, p90, err
}

// cycleAt is the rank-th shortest cycle (from 0), in days, of the won deals
// closed in [from, to): its day from the counts, then the deal by offset in
// that day's order.
func cycleAt(app core.App, q Query, c cycleCounts, from, to time.Time, rank int) (float64, error) {
	buckets := make([]int64, 0, len(c))
	for b := range c {
		buckets = append(buckets, b)
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i] < buckets[j] })
	for _, b := range buckets {
		if rank >= c[b] {
			rank -= c[b]
			continue
		}
		w := cycleWhere(q)
		w.Add("bucket = "+w.Param(b)).Between("+closed_at", from, to) // in the day's order, not by date
		var ms []int64
		if err := w.Query(app, "SELECT ms FROM "+dealsum.WonCycles+" WHERE {where} ORDER BY ms LIMIT 1 OFFSET "+w.Param(rank)).Column(&ms); err != nil {
			return 0, err
		}
		if len(ms) == 0 {
			break
		}
		return max(0, (time.Duration(ms[0])*time.Millisecond).Hours()/24), nil
	}
	return 0, &summaryError{"the won deals' cycles disagree with their counts"}
}
