package insights

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// The Customers board: new, active and churned customers, the churn rate,
// retention by monthly cohort, MRR and its movements, revenue per customer
// and NPS. docs/insights.md defines each.
//
// A customer (a contact) is active while they hold a started, not cancelled
// subscription (paused counts: they still hold it), or within the business's
// churn window (business_settings.churn_days, 90 by default) after a counted
// order. They churn at the moment the last of these ends.

// Customers figure keys.
const (
	CustomersNew        = "new_customers"
	CustomersActive     = "active_customers"
	CustomersChurned    = "churned_customers"
	CustomersChurnRate  = "churn_rate"
	CustomersRetention  = "retention"
	CustomersMRR        = "mrr"
	CustomersRevenuePer = "revenue_per_customer"
	CustomersNPS        = "nps"
)

// Order statuses that count as a purchase (plugins/orders): paid, or on its
// way or handed over. Placed (unpaid) and cancelled orders do not count.
var countedOrders = []any{"paid", "shipped", "delivered"}

// Subscription statuses that hold a subscription from started_at on.
var heldSubscriptions = []any{"active", "paused", "pending"}

const subCancelled = "cancelled"

// retentionMonths is how many monthly cohorts, and months after, the
// retention table shows.
const retentionMonths = 12

var customerFilters = []string{FilterOwner, FilterTeam, FilterSegment}

func init() {
	add := func(key, unit, better string, compute func(core.App, Query) (Result, error), list func(core.App, Query, int) ([]Record, error)) {
		Add(Def{Board: BoardCustomers, Key: key, Unit: unit, Better: better, Filters: customerFilters, Compute: compute, Records: list})
	}
	add(CustomersNew, UnitCount, "up", customerCount(newIn, summaryNew), customerList(newIn))
	add(CustomersActive, UnitCount, "up", customerCount(activeAtEnd, summaryActive), customerList(activeAtEnd))
	add(CustomersChurned, UnitCount, "down", customerCount(churnedIn, summaryChurned), customerList(churnedIn))
	add(CustomersChurnRate, UnitPercent, "down", churnRate, customerList(churnedIn))
	add(CustomersRetention, UnitPercent, "up", retention, retentionList)
	add(CustomersMRR, UnitMoney, "up", mrr, mrrList)
	add(CustomersRevenuePer, UnitMoney, "up", revenuePerCustomer, revenueList)
	add(CustomersNPS, UnitScore, "up", nps, npsList)
}

// span is a time a customer is active: [from, to), to zero while it lasts.
type span struct{ from, to time.Time }

func (s span) holds(t time.Time) bool {
	return !t.Before(s.from) && (s.to.IsZero() || t.Before(s.to))
}

// activity is each customer's spans of activity, merged, in order.
type activity map[string][]span

// contactFilter adds q's owner and segment filters on a contact column.
func contactFilter(app core.App, q Query, w *Where, column string) error {
	if q.Filters.Owner != "" {
		w.Add(column + " IN (SELECT id FROM " + crm.Contacts + " WHERE owner = " + w.Param(q.Filters.Owner) + ")")
	}
	if err := w.Visible(app, column, crm.Contacts, q); err != nil {
		return err
	}
	return w.Segment(app, column, q)
}

// shared keeps, for the figures of one board answer, the activity and the
// first purchases they read for the same range: new, churned, the churn
// rate and the cohorts of one period read the same rows once. It lives as
// long as the one request that made it (ParseQuery), so it never serves a
// number older than the answer.
type shared struct {
	mu     sync.Mutex
	acts   map[[2]int64]activity
	firsts map[[4]int64]map[string]time.Time
	deals  map[string]dealMoney // sumDeals by its kind (sales.go)
}

// loadActivity reads every span of activity that overlaps [from, to),
// once per board answer (shared).
func loadActivity(app core.App, q Query, from, to time.Time) (activity, error) {
	if q.shared == nil {
		return readActivity(app, q, from, to)
	}
	key := [2]int64{from.UnixNano(), to.UnixNano()}
	q.shared.mu.Lock()
	act, ok := q.shared.acts[key]
	q.shared.mu.Unlock()
	if ok {
		return act, nil
	}
	act, err := readActivity(app, q, from, to)
	if err == nil {
		q.shared.mu.Lock()
		if q.shared.acts == nil {
			q.shared.acts = map[[2]int64]activity{}
		}
		q.shared.acts[key] = act
		q.shared.mu.Unlock()
	}
	return act, err
}

// readActivity reads every span of activity that overlaps [from, to):
// counted orders placed in [from − churn window, to), and subscriptions
// started before to and not cancelled before from.
func readActivity(app core.App, q Query, from, to time.Time) (activity, error) {
	window := time.Duration(q.Business.ChurnWindow()) * 24 * time.Hour
	raw := map[string][]span{}
	var orders []struct {
		Contact string `db:"contact"`
		Placed  string `db:"placed_at"`
	}
	w := NewWhere().Between("placed_at", from.Add(-window), to)
	w.Add("status IN (" + w.Param(countedOrders[0]) + "," + w.Param(countedOrders[1]) + "," + w.Param(countedOrders[2]) + ")")
	if err := contactFilter(app, q, w, "contact"); err != nil {
		return nil, err
	}
	if err := w.Query(app, "SELECT contact, placed_at FROM "+crm.Orders+" WHERE {where}").All(&orders); err != nil {
		return nil, err
	}
	for _, o := range orders {
		ns, ok := stampNanos(o.Placed)
		at := time.Time{}
		if ok {
			at = time.Unix(0, ns).UTC()
		}
		raw[o.Contact] = append(raw[o.Contact], span{at, at.Add(window)})
	}
	subs, err := loadSubscriptions(app, q, from, to)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if sp, ok := s.span(); ok {
			raw[s.Contact] = append(raw[s.Contact], sp)
		}
	}
	out := activity{}
	for c, list := range raw {
		out[c] = merge(list)
	}
	return out, nil
}

// merge sorts spans and joins those that touch or overlap.
func merge(list []span) []span {
	sort.Slice(list, func(i, j int) bool { return list[i].from.Before(list[j].from) })
	var out []span
	for _, s := range list {
		if n := len(out); n > 0 && (out[n-1].to.IsZero() || !s.from.After(out[n-1].to)) {
			if !out[n-1].to.IsZero() && (s.to.IsZero() || s.to.After(out[n-1].to)) {
				out[n-1].to = s.to
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// subRow is what the board reads of a subscription.
type subRow struct {
	ID        string  `db:"id"`
	Contact   string  `db:"contact"`
	Product   string  `db:"product"`
	Plan      string  `db:"plan"`
	Quantity  float64 `db:"quantity"`
	Price     float64 `db:"price"`
	Currency  string  `db:"currency"`
	Status    string  `db:"status"`
	Started   string  `db:"started_at"`
	Cancelled string  `db:"cancelled_at"`
	Interval  string  `db:"interval"` // its own billing interval ("": the product's)
}

func (s subRow) span() (span, bool) {
	from, to := ParseDBTime(s.Started), ParseDBTime(s.Cancelled)
	if from.IsZero() || s.Status == subCancelled && !to.After(from) {
		return span{}, false // never started
	}
	if s.Status != subCancelled {
		to = time.Time{}
	}
	return span{from, to}, true
}

// loadSubscriptions reads the subscriptions held at some moment of
// [from, to): held now and started before to (status, started_at), or
// cancelled at or after from (status, cancelled_at).
func loadSubscriptions(app core.App, q Query, from, to time.Time) ([]subRow, error) {
	var out []subRow
	for _, held := range []bool{true, false} {
		w := NewWhere()
		if held {
			w.Add("status IN (" + w.Param(heldSubscriptions[0]) + "," + w.Param(heldSubscriptions[1]) + "," + w.Param(heldSubscriptions[2]) + ")")
			w.Add("started_at != '' AND started_at < " + w.Param(DBTime(to)))
		} else {
			w.Add("status = " + w.Param(subCancelled) + " AND cancelled_at >= " + w.Param(DBTime(from)))
			w.Add("started_at != '' AND started_at < " + w.Param(DBTime(to)))
		}
		if err := contactFilter(app, q, w, "contact"); err != nil {
			return nil, err
		}
		var rows []subRow
		if err := w.Query(app, "SELECT id, contact, product, plan, quantity, price, currency, status, started_at, cancelled_at, `interval` FROM "+
			crm.Subscriptions+" WHERE {where}").All(&rows); err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// activeAt tells whether the customer's spans hold t.
func activeAt(spans []span, t time.Time) bool {
	for _, s := range spans {
		if s.holds(t) {
			return true
		}
	}
	return false
}

// firstStarts are, among contacts, those whose first purchase ever falls in
// [from, to): their first span starts there and nothing counted came before
// (orders (contact, placed_at), subscriptions (contact, started_at)).
func firstStarts(app core.App, q Query, act activity, loaded [2]time.Time, from, to time.Time) (map[string]time.Time, error) {
	if q.shared == nil {
		return readFirstStarts(app, act, from, to)
	}
	if to.After(loaded[1]) { // nothing loaded starts after the range read
		to = loaded[1]
	}
	key := [4]int64{loaded[0].UnixNano(), loaded[1].UnixNano(), from.UnixNano(), to.UnixNano()}
	q.shared.mu.Lock()
	first, ok := q.shared.firsts[key]
	q.shared.mu.Unlock()
	if ok {
		return first, nil
	}
	first, err := readFirstStarts(app, act, from, to)
	if err == nil {
		q.shared.mu.Lock()
		if q.shared.firsts == nil {
			q.shared.firsts = map[[4]int64]map[string]time.Time{}
		}
		q.shared.firsts[key] = first
		q.shared.mu.Unlock()
	}
	return first, err
}

func readFirstStarts(app core.App, act activity, from, to time.Time) (map[string]time.Time, error) {
	cand := map[string]time.Time{}
	for c, spans := range act {
		if len(spans) > 0 && !spans[0].from.Before(from) && spans[0].from.Before(to) {
			cand[c] = spans[0].from
		}
	}
	ids := make([]any, 0, len(cand))
	for c := range cand {
		ids = append(ids, c)
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 2000)]
		ids = ids[len(batch):]
		params := dbx.Params{"from": DBTime(from)}
		var holders strings.Builder
		for i, id := range batch {
			name := "c" + strconv.Itoa(i)
			params[name] = id
			if i > 0 {
				holders.WriteByte(',')
			}
			holders.WriteString("{:" + name + "}")
		}
		for _, sql := range []string{
			"SELECT DISTINCT contact FROM " + crm.Orders + " WHERE contact IN ({ids}) AND placed_at < {:from} AND +status IN ('paid','shipped','delivered')",
			"SELECT DISTINCT contact FROM " + crm.Subscriptions + " WHERE contact IN ({ids}) AND started_at != '' AND started_at < {:from} AND (+status != 'cancelled' OR cancelled_at > started_at)",
		} {
			var earlier []struct {
				Contact string `db:"contact"`
			}
			if err := app.DB().NewQuery(strings.ReplaceAll(sql, "{ids}", holders.String())).Bind(params).All(&earlier); err != nil {
				return nil, err
			}
			for _, e := range earlier {
				delete(cand, e.Contact)
			}
		}
	}
	return cand, nil
}

// people is a figure's customers with the moment that put them there.
type people map[string]time.Time

// newIn: customers whose first purchase ever is in the period.
func newIn(app core.App, q Query) (people, error) {
	act, err := loadActivity(app, q, q.From, end(q))
	if err != nil {
		return nil, err
	}
	first, err := firstStarts(app, q, act, [2]time.Time{q.From, end(q)}, q.From, q.To)
	return people(first), err
}

// activeAtEnd: customers active at the period's end (now, for the period
// that runs).
func activeAtEnd(app core.App, q Query) (people, error) {
	at := end(q)
	act, err := loadActivity(app, q, at, at.Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	out := people{}
	for c, spans := range act {
		if activeAt(spans, at) {
			out[c] = at
		}
	}
	return out, nil
}

// churnedIn: customers whose activity ended within the period (up to now):
// the end of one of their spans falls in it.
func churnedIn(app core.App, q Query) (people, error) {
	act, err := loadActivity(app, q, q.From, end(q))
	if err != nil {
		return nil, err
	}
	return churned(act, q.From, end(q)), nil
}

func churned(act activity, from, to time.Time) people {
	out := people{}
	for c, spans := range act {
		for _, s := range spans {
			if !s.to.IsZero() && !s.to.Before(from) && !s.to.After(to) {
				out[c] = s.to
			}
		}
	}
	return out
}

// customerCount counts who: from the summary (summed) when it may.
func customerCount(who func(core.App, Query) (people, error), summed func(core.App, Query) (int, error)) func(core.App, Query) (Result, error) {
	return func(app core.App, q Query) (Result, error) {
		if ok, err := customersFromSummary(app, q); err != nil {
			return Result{}, err
		} else if ok {
			n, err := summed(app, q)
			return Result{Value: Float(float64(n)), Count: n}, err
		}
		p, err := who(app, q)
		if err != nil {
			return Result{}, err
		}
		return Result{Value: Float(float64(len(p))), Count: len(p)}, nil
	}
}

// churnRate: customers who churned in the period ÷ customers active at any
// moment of it.
func churnRate(app core.App, q Query) (Result, error) {
	if ok, err := customersFromSummary(app, q); err != nil {
		return Result{}, err
	} else if ok {
		gone, err := summaryChurned(app, q)
		if err != nil {
			return Result{}, err
		}
		base, err := summaryBase(app, q)
		if err != nil {
			return Result{}, err
		}
		res := Result{Count: gone, Extra: map[string]float64{"base": float64(base)}}
		if base > 0 {
			res.Value = Float(percent(gone, base))
		}
		return res, nil
	}
	to := end(q)
	act, err := loadActivity(app, q, q.From, to)
	if err != nil {
		return Result{}, err
	}
	base := 0
	for _, spans := range act {
		for _, s := range spans {
			if s.from.Before(to) && (s.to.IsZero() || !s.to.Before(q.From)) {
				base++
				break
			}
		}
	}
	gone := churned(act, q.From, to)
	res := Result{Count: len(gone), Extra: map[string]float64{"base": float64(base)}}
	if base > 0 {
		res.Value = Float(percent(len(gone), base))
	}
	return res, nil
}

func customerList(who func(core.App, Query) (people, error)) func(core.App, Query, int) ([]Record, error) {
	return func(app core.App, q Query, limit int) ([]Record, error) {
		p, err := who(app, q)
		if err != nil {
			return nil, err
		}
		detail := map[string]string{}
		for c, at := range p {
			detail[c] = at.In(q.Business.Location()).Format(time.DateTime)
		}
		return contactRecords(app, detail, nil, limit)
	}
}

// contactRecords lists contacts by name, with a detail each.
func contactRecords(app core.App, when, detail map[string]string, limit int) ([]Record, error) {
	ids := make([]any, 0, len(when))
	for c := range when {
		ids = append(ids, c)
	}
	out := []Record{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := app.DB().Select("id", "name").From(crm.Contacts).Where(dbx.In("id", ids...)).All(&rows); err != nil {
		return nil, err
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	for _, r := range rows {
		out = append(out, Record{Collection: crm.Contacts, ID: r.ID, Title: r.Name, When: when[r.ID], Detail: detail[r.ID]})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// monthStart is the first moment of t's month in the business's time zone.
func monthStart(q Query, t time.Time) time.Time {
	l := t.In(q.Loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, q.Loc)
}

// cohorts are the retention table's customers: those whose first purchase
// ever falls in one of the twelve months ending with the period's last
// month, with their activity up to the period's end.
func cohorts(app core.App, q Query) (start time.Time, first map[string]time.Time, act activity, err error) {
	at := end(q)
	last := monthStart(q, at.Add(-time.Millisecond))
	start = last.AddDate(0, 1-retentionMonths, 0)
	if monthStart(q, q.From).Before(start) { // a longer period: all its months
		start = monthStart(q, q.From)
	}
	if act, err = loadActivity(app, q, start, at); err != nil {
		return
	}
	first, err = firstStarts(app, q, act, [2]time.Time{start, at}, start, at)
	return
}

// retention: the cohort table (one row per month of first purchase: its
// customers, then the share still active at the end of each month after,
// up to now). Its value is the share of the customers of every cohort with
// a month after that were still active at the end of their first month after.
func retention(app core.App, q Query) (Result, error) {
	if ok, err := customersFromSummary(app, q); err != nil || ok {
		if err != nil {
			return Result{}, err
		}
		return summaryRetention(app, q)
	}
	start, first, act, err := cohorts(app, q)
	if err != nil {
		return Result{}, err
	}
	at := end(q)
	months := 0
	for m := start; m.Before(at); m = m.AddDate(0, 1, 0) {
		months++
	}
	members := make([][]string, months)
	for c, t := range first {
		i := 0
		for m := start.AddDate(0, 1, 0); !m.After(t); m = m.AddDate(0, 1, 0) {
			i++
		}
		members[i] = append(members[i], c)
	}
	cols := []string{"cohort", "customers"}
	for n := 0; n < min(months, retentionMonths); n++ {
		cols = append(cols, strconv.Itoa(n))
	}
	table := &Table{Columns: cols, Rows: [][]any{}}
	kept, base := 0, 0
	for i := 0; i < months; i++ {
		cohort := start.AddDate(0, i, 0)
		row := []any{cohort.Format("2006-01"), len(members[i])}
		for n := 0; n < len(cols)-2; n++ {
			monthEnd := cohort.AddDate(0, n+1, 0)
			if cohort.AddDate(0, n, 0).After(at) || i+n >= months || len(members[i]) == 0 {
				row = append(row, nil)
				continue
			}
			check := monthEnd.Add(-time.Millisecond)
			if at.Before(monthEnd) {
				check = at
			}
			still := 0
			for _, c := range members[i] {
				if activeAt(act[c], check) {
					still++
				}
			}
			row = append(row, percent(still, len(members[i])))
			if n == 1 {
				kept, base = kept+still, base+len(members[i])
			}
		}
		table.Rows = append(table.Rows, row)
	}
	res := Result{Count: len(first), Table: table}
	if base > 0 {
		res.Value = Float(percent(kept, base))
	}
	return res, nil
}

func retentionList(app core.App, q Query, limit int) ([]Record, error) {
	_, first, _, err := cohorts(app, q)
	if err != nil {
		return nil, err
	}
	when, detail := map[string]string{}, map[string]string{}
	for c, t := range first {
		when[c] = t.In(q.Loc).Format(time.DateTime)
		detail[c] = t.In(q.Loc).Format("2006-01")
	}
	return contactRecords(app, when, detail, limit)
}

// Timeline events of a subscription that change what it brings in
// (plugins/timeline).
const (
	eventPaused    = "subscription.paused"
	eventResumed   = "subscription.resumed"
	eventChanged   = "subscription.changed"
	eventCancelled = "subscription.cancelled"
)

// subHistory is a subscription with what its timeline says: when it was
// paused and resumed, and its price and quantity before each change.
type subHistory struct {
	subRow
	months        float64 // billing interval in months (its own, else its product's)
	productMonths float64 // its product's billing interval in months
	events        []subEvent
}

type subEvent struct {
	at      time.Time
	event   string
	changes []struct{ Field, From, To string }
}

// mrrAt is what the subscription brings in a month at t, in its currency:
// price × quantity ÷ months of its interval, while started, not cancelled
// and not paused; price and quantity as they were at t.
func (s subHistory) mrrAt(t time.Time) float64 {
	if sp, ok := s.span(); !ok || !sp.holds(t) {
		return 0
	}
	paused, price, qty, months := false, s.Price, s.Quantity, s.months
	for _, e := range s.events {
		if !e.at.After(t) {
			switch e.event {
			case eventPaused:
				paused = true
			case eventResumed:
				paused = false
			}
		}
	}
	for i := len(s.events) - 1; i >= 0; i-- { // undo the changes made after t, latest first
		e := s.events[i]
		if !e.at.After(t) || e.event != eventChanged {
			continue
		}
		for _, c := range e.changes {
			v, err := strconv.ParseFloat(c.From, 64)
			switch {
			case err != nil:
			case c.Field == "price":
				price = v
			case c.Field == "quantity":
				qty = v
			}
			if c.Field == crm.SubInterval { // "" before: billed as its product
				months = intervalMonths[c.From]
				if months == 0 {
					months = s.productMonths
				}
			}
		}
	}
	if paused {
		return 0
	}
	if qty <= 0 {
		qty = 1
	}
	return price * qty / months
}

// intervalMonths: a product's billing interval in months.
var intervalMonths = map[string]float64{"month": 1, "quarter": 3, "year": 12}

// loadHistory reads the subscriptions held at some moment of [from, to)
// with their products' intervals and their timeline (activities
// (ref_collection, ref_id)).
func loadHistory(app core.App, q Query, from, to time.Time) ([]subHistory, error) {
	subs, err := loadSubscriptions(app, q, from, to)
	if err != nil || len(subs) == 0 {
		return nil, err
	}
	ids, products := make([]any, len(subs)), map[string]bool{}
	for i, s := range subs {
		ids[i] = s.ID
		products[s.Product] = true
	}
	var prods []struct {
		ID       string `db:"id"`
		Interval string `db:"interval"`
	}
	if err := app.DB().Select("id", "interval").From(crm.Products).Where(dbx.In("id", keysOf(products)...)).All(&prods); err != nil {
		return nil, err
	}
	interval := map[string]float64{}
	for _, p := range prods {
		interval[p.ID] = intervalMonths[p.Interval]
	}
	var acts []struct {
		Ref   string `db:"ref_id"`
		Event string `db:"event"`
		At    string `db:"occurred_at"`
		Made  string `db:"created"`
		Data  string `db:"data"`
	}
	events := map[string][]subEvent{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		if err := app.DB().Select("ref_id", "event", "occurred_at", "created", "data").From(crm.Activities).
			Where(dbx.And(dbx.HashExp{"ref_collection": crm.Subscriptions}, dbx.In("ref_id", batch...),
				dbx.In("event", eventPaused, eventResumed, eventChanged, eventCancelled))).All(&acts); err != nil {
			return nil, err
		}
		for _, a := range acts {
			at := ParseDBTime(a.At)
			if at.IsZero() {
				at = ParseDBTime(a.Made)
			}
			e := subEvent{at: at, event: a.Event}
			var data struct {
				Changes []struct{ Field, From, To string } `json:"changes"`
			}
			if json.Unmarshal([]byte(a.Data), &data) == nil {
				e.changes = data.Changes
			}
			events[a.Ref] = append(events[a.Ref], e)
		}
	}
	out := make([]subHistory, len(subs))
	for i, s := range subs {
		ev := events[s.ID]
		sort.SliceStable(ev, func(a, b int) bool { return ev[a].at.Before(ev[b].at) })
		pm := interval[s.Product]
		if pm == 0 {
			pm = 1
		}
		m := intervalMonths[s.Interval]
		if m == 0 {
			m = pm
		}
		out[i] = subHistory{subRow: s, months: m, productMonths: pm, events: ev}
	}
	return out, nil
}

// mrr: monthly recurring revenue at the period's end, and per month of the
// period its value at the month's end with its movements against the month
// before: new (subscriptions started), expansion (more, or resumed),
// contraction (less, or paused; negative) and churn (cancelled; negative).
func mrr(app core.App, q Query) (Result, error) {
	at := end(q)
	months := Months(q)
	first := monthStart(q, q.From)
	subs, err := loadHistory(app, q, first.AddDate(0, -1, 0), at)
	if err != nil {
		return Result{}, err
	}
	res := Result{}
	total := q.NewSum()
	for _, s := range subs {
		if v := s.mrrAt(at); v > 0 {
			total.Add(v, s.Currency, 1)
		}
	}
	res.Count = total.N + total.Skipped
	res.Value, res.Apart = Float(Round2(total.Total)), total.ApartRounded()
	for i, label := range months {
		t0 := first.AddDate(0, i, 0).Add(-time.Millisecond)
		t1 := first.AddDate(0, i+1, 0).Add(-time.Millisecond)
		if t1.After(at) {
			t1 = at
		}
		if t0.After(t1) {
			break
		}
		p := Point{Label: label, Parts: map[string]float64{"new": 0, "expansion": 0, "contraction": 0, "churn": 0}}
		for _, s := range subs {
			before, after := s.mrrAt(t0), s.mrrAt(t1)
			b, ok := q.Convert(before, s.Currency)
			if !ok {
				continue // shown apart, never summed
			}
			a, _ := q.Convert(after, s.Currency)
			p.Value += a
			started := ParseDBTime(s.Started)
			switch {
			case b == 0 && a > 0 && started.After(t0):
				p.Parts["new"] += a
			case a > b:
				p.Parts["expansion"] += a - b
			case a < b && a == 0 && s.Status == subCancelled && !ParseDBTime(s.Cancelled).After(t1):
				p.Parts["churn"] -= b
			case a < b:
				p.Parts["contraction"] -= b - a
			}
		}
		p.Value = Round2(p.Value)
		for k, v := range p.Parts {
			p.Parts[k] = Round2(v)
		}
		res.Series = append(res.Series, p)
	}
	return res, nil
}

func mrrList(app core.App, q Query, limit int) ([]Record, error) {
	at := end(q)
	subs, err := loadHistory(app, q, at, at.Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for _, s := range subs {
		if v := s.mrrAt(at); v > 0 {
			out = append(out, Record{Collection: crm.Subscriptions, ID: s.ID, Title: s.Plan, Value: Float(Round2(v)),
				Currency: s.Currency, When: ParseDBTime(s.Started).In(q.Loc).Format(time.DateTime), Detail: s.Contact})
		}
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Value > *out[j].Value })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// orderRow is a counted order of the period.
type orderRow struct {
	ID       string  `db:"id"`
	Number   string  `db:"number"`
	Contact  string  `db:"contact"`
	Total    float64 `db:"total"`
	Currency string  `db:"currency"`
	Placed   string  `db:"placed_at"`
}

// periodOrders are the counted orders placed in the period (status,
// placed_at).
func periodOrders(app core.App, q Query) ([]orderRow, error) {
	w := NewWhere().In("placed_at", q)
	w.Add("status IN (" + w.Param(countedOrders[0]) + "," + w.Param(countedOrders[1]) + "," + w.Param(countedOrders[2]) + ")")
	if err := contactFilter(app, q, w, "contact"); err != nil {
		return nil, err
	}
	var out []orderRow
	err := w.Query(app, "SELECT id, number, contact, total, currency, placed_at FROM "+crm.Orders+" WHERE {where}").All(&out)
	return out, err
}

// revenuePerCustomer: the counted orders' totals in the business's
// currency ÷ the customers who placed them; amounts in a currency without a
// rate are apart, each ÷ the customers who bought in it.
func revenuePerCustomer(app core.App, q Query) (Result, error) {
	if ok, err := customersFromSummary(app, q); err != nil {
		return Result{}, err
	} else if ok {
		if res, whole, err := summaryRevenue(app, q); err != nil || whole {
			return res, err
		}
	}
	orders, err := periodOrders(app, q)
	if err != nil {
		return Result{}, err
	}
	type tally struct {
		sum    *Sum
		buyers map[string]bool
		apart  map[string]map[string]bool
	}
	newTally := func() *tally { return &tally{q.NewSum(), map[string]bool{}, map[string]map[string]bool{}} }
	all, byMonth := newTally(), map[string]*tally{}
	count := func(t *tally, o orderRow) {
		if t.sum.Add(o.Total, o.Currency, 1) {
			t.buyers[o.Contact] = true
		} else {
			c := strings.ToUpper(o.Currency)
			if t.apart[c] == nil {
				t.apart[c] = map[string]bool{}
			}
			t.apart[c][o.Contact] = true
		}
	}
	for _, o := range orders {
		count(all, o)
		m := MonthOf(q, o.Placed)
		if byMonth[m] == nil {
			byMonth[m] = newTally()
		}
		count(byMonth[m], o)
	}
	res := Result{Count: len(all.buyers)}
	if len(all.buyers) > 0 {
		res.Value = Float(Round2(all.sum.Total / float64(len(all.buyers))))
	}
	if len(all.sum.Apart) > 0 {
		res.Apart = map[string]float64{}
		for c, v := range all.sum.Apart {
			res.Apart[c] = Round2(v / float64(len(all.apart[c])))
		}
	}
	for _, m := range Months(q) {
		p := Point{Label: m}
		if t := byMonth[m]; t != nil && len(t.buyers) > 0 {
			p.Value = Round2(t.sum.Total / float64(len(t.buyers)))
		}
		res.Series = append(res.Series, p)
	}
	return res, nil
}

func revenueList(app core.App, q Query, limit int) ([]Record, error) {
	orders, err := periodOrders(app, q)
	if err != nil {
		return nil, err
	}
	sort.Slice(orders, func(i, j int) bool { return orders[i].Placed > orders[j].Placed })
	out := []Record{}
	for _, o := range orders {
		out = append(out, Record{Collection: crm.Orders, ID: o.ID, Title: o.Number, Value: Float(o.Total), Currency: o.Currency,
			When: ParseDBTime(o.Placed).In(q.Loc).Format(time.DateTime), Detail: o.Contact})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// npsAnswer is one NPS answer of the period.
type npsAnswer struct {
	ID      string  `db:"id"`
	Score   float64 `db:"score"`
	Contact string  `db:"contact"`
	At      string  `db:"answered_at"`
}

// npsAnswers are the NPS answers given in the period (kind, answered_at).
func npsAnswers(app core.App, q Query) ([]npsAnswer, error) {
	w := NewWhere().In(crm.AnswerAt, q)
	w.Add(crm.AnswerKind + " = " + w.Param(crm.SurveyNPS))
	if err := contactFilter(app, q, w, crm.AnswerContact); err != nil {
		return nil, err
	}
	var out []npsAnswer
	err := w.Query(app, "SELECT id, score, contact, answered_at FROM "+crm.SurveyAnswers+" WHERE {where}").All(&out)
	return out, err
}

// npsOf: % promoters (9–10) − % detractors (0–6), and the three counts.
func npsOf(list []npsAnswer) (score float64, promoters, passives, detractors int) {
	for _, a := range list {
		switch {
		case a.Score >= 9:
			promoters++
		case a.Score >= 7:
			passives++
		default:
			detractors++
		}
	}
	if len(list) > 0 {
		score = Round2(100 * float64(promoters-detractors) / float64(len(list)))
	}
	return
}

func nps(app core.App, q Query) (Result, error) {
	list, err := npsAnswers(app, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{Count: len(list)}
	score, pro, pas, det := npsOf(list)
	if len(list) > 0 {
		res.Value = Float(score)
		res.Extra = map[string]float64{"promoters": float64(pro), "passives": float64(pas), "detractors": float64(det)}
	}
	byMonth := map[string][]npsAnswer{}
	for _, a := range list {
		byMonth[MonthOf(q, a.At)] = append(byMonth[MonthOf(q, a.At)], a)
	}
	for _, m := range Months(q) {
		s, pro, pas, det := npsOf(byMonth[m])
		res.Series = append(res.Series, Point{Label: m, Value: s,
			Parts: map[string]float64{"promoters": float64(pro), "passives": float64(pas), "detractors": float64(det)}})
	}
	return res, nil
}

func npsList(app core.App, q Query, limit int) ([]Record, error) {
	list, err := npsAnswers(app, q)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].At > list[j].At })
	out := []Record{}
	for _, a := range list {
		out = append(out, Record{Collection: crm.SurveyAnswers, ID: a.ID, Title: a.Contact, Value: Float(a.Score),
			When: ParseDBTime(a.At).In(q.Loc).Format(time.DateTime), Detail: crm.SurveyNPS})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}
