package insights

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	sdb "vinculo/plugins/insights/summarydb"
)

// The Service board's summary. Each request has a row of facts
// (summarydb.CaseFacts): its type, channel and assignee, its dates, the
// months of its opening, first answer and close in the business's time
// zone, its first-response and resolution times in business hours (to the
// nanosecond) and whether it kept its SLA. The monthly counts
// (summarydb.CaseMonths) are made from the facts: per measure, month, type,
// channel and assignee — and per quarter hour of the time, for the time
// measures (type only). A board reads a year as a few thousand of these
// rows; only the days of a period outside whole months, and the requests
// around a median, are read from the facts.
//
// Both are kept in the transaction of the request's save (hooks below).
// Writes behind the app's back (bulk SQL, imports) are noted by triggers
// (summarydb.CaseDirty) and brought up to date before the next board
// answer. The summary is made for one business calendar and time zone (the
// stamp in summarydb.Meta): when they change it is made again, at the next
// start or, for a small business, at the next board answer; until then the
// boards read the requests themselves.

// Measures of CaseMonths.
const (
	mOpened = "opened" // by the month of created
	mClosed = "closed" // closed_at set, by its month
	mShut   = "shut"   // closed and not open since shut_at (its close, or its opening when closed without a date)
	mSLA    = "sla"    // with a due time, by the month of closed_at; bucket 1 kept, 0 missed
	mFirst  = "frt"    // first answered, by its month; bucket: quarter hours of business time
	mResol  = "res"    // closed, by its month; bucket: quarter hours of business time
	// first answered with an assignee, by its month and assignee (no type
	// or channel); bucket: quarter hours of business time
	mFirstPerson = sdb.MeasureFirstByPerson
)

// timeBucket is the width of a time measure's bucket.
const timeBucket = int64(15 * time.Minute)

// settleMax is how many requests written behind the app's back a board
// answer brings up to date itself; more make the summary wait for the next
// start (rebuildMax: or be made again at once when the business is small).
const (
	settleMax  = 5000
	rebuildMax = 20000
)

const metaService = "service"

// summaryStamp is what the summary was made for: the business's time zone
// (months) and calendar (business hours).
func summaryStamp(b crm.Business) string {
	days := slices.Clone(b.Holidays)
	slices.Sort(days)
	s, _ := json.Marshal(struct {
		V        int
		TZ       string
		Hours    crm.WeekHours
		Holidays []string
	}{1, b.Location().String(), b.Hours, days})
	return string(s)
}

// caseFact is a request's row of facts.
type caseFact struct {
	ID       string        `db:"id"`
	Type     string        `db:"type"`
	Channel  string        `db:"channel"`
	Assignee string        `db:"assignee"`
	Created  string        `db:"created"`
	ClosedAt string        `db:"closed_at"`
	FirstAt  string        `db:"first_at"`
	ShutAt   string        `db:"shut_at"`
	Closed   int           `db:"closed"`
	OpenedM  string        `db:"opened_m"`
	ClosedM  string        `db:"closed_m"`
	FirstM   string        `db:"first_m"`
	ShutM    string        `db:"shut_m"`
	Frt      sql.NullInt64 `db:"frt_ns"`
	Res      sql.NullInt64 `db:"res_ns"`
	SLA      sql.NullInt64 `db:"sla"`
}

// monthKey is one row of CaseMonths.
type monthKey struct {
	measure, month, tp, channel, assignee string
	bucket                                int64
}

// keys are the CaseMonths rows a request counts in.
func (f caseFact) keys() []monthKey {
	var out []monthKey
	full := func(m, month string, bucket int64) {
		if month != "" {
			out = append(out, monthKey{m, month, f.Type, f.Channel, f.Assignee, bucket})
		}
	}
	full(mOpened, f.OpenedM, 0)
	full(mClosed, f.ClosedM, 0)
	full(mShut, f.ShutM, 0)
	if f.SLA.Valid {
		full(mSLA, f.ClosedM, f.SLA.Int64)
	}
	if f.Frt.Valid && f.FirstM != "" {
		out = append(out, monthKey{mFirst, f.FirstM, f.Type, "", "", f.Frt.Int64 / timeBucket})
	}
	if f.Res.Valid && f.ClosedM != "" {
		out = append(out, monthKey{mResol, f.ClosedM, f.Type, "", "", f.Res.Int64 / timeBucket})
	}
	if f.Frt.Valid && f.FirstM != "" && f.Assignee != "" { // the Team board's, per person
		out = append(out, monthKey{mFirstPerson, f.FirstM, "", "", f.Assignee, f.Frt.Int64 / timeBucket})
	}
	return out
}

// caseSourceSQL reads what the facts are made of; sla as withinSLA counts it.
const caseSourceSQL = "SELECT id, type, channel, assignee, created, closed, closed_at, first_response_at, " +
	"CASE WHEN first_response_due != '' OR resolution_due != '' THEN (" + slaKeptSQL + ") END FROM " + crm.Cases

// readFacts makes the facts of the requests the query selects.
func readFacts(app core.App, b crm.Business, where string, params dbx.Params) ([]caseFact, error) {
	var out []caseFact
	err := eachRow(app.DB().NewQuery(caseSourceSQL+" "+where).Bind(params), func(r *sql.Rows) error {
		var f caseFact
		var closed any
		if err := r.Scan(&f.ID, &f.Type, &f.Channel, &f.Assignee, &f.Created, &closed, &f.ClosedAt, &f.FirstAt, &f.SLA); err != nil {
			return err
		}
		if v, ok := closed.(int64); ok && v != 0 || closed == true {
			f.Closed = 1
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	completeFacts(b, out)
	return out, nil
}

// completeFacts sets each fact's months and business-hours times.
func completeFacts(b crm.Business, facts []caseFact) {
	loc := b.Location()
	month := func(s string) string {
		ns, ok := stampNanos(s)
		if !ok {
			return ""
		}
		return time.Unix(0, ns).In(loc).Format("2006-01")
	}
	var pairs [][2]int64
	var which []*sql.NullInt64
	for i := range facts {
		f := &facts[i]
		f.OpenedM, f.ClosedM, f.FirstM = month(f.Created), "", ""
		if f.ClosedAt != "" {
			f.ClosedM = month(f.ClosedAt)
		}
		if f.FirstAt != "" {
			f.FirstM = month(f.FirstAt)
		}
		f.ShutAt = ""
		if f.Closed != 0 {
			f.ShutAt = max(f.Created, f.ClosedAt)
		}
		f.ShutM = month(f.ShutAt)
		if !f.SLA.Valid || f.ClosedM == "" {
			f.SLA = sql.NullInt64{}
		}
		a, okA := stampNanos(f.Created)
		if !okA {
			a = time.Time{}.UnixNano()
		}
		f.Frt, f.Res = sql.NullInt64{}, sql.NullInt64{}
		for _, t := range []struct {
			at  string
			out *sql.NullInt64
		}{{f.FirstAt, &f.Frt}, {f.ClosedAt, &f.Res}} {
			if bn, ok := stampNanos(t.at); ok { // as times() measures them
				pairs, which = append(pairs, [2]int64{a, bn}), append(which, t.out)
			}
		}
	}
	for i, d := range openDurations(b.Calendar(), pairs) {
		*which[i] = sql.NullInt64{Int64: int64(d), Valid: true}
	}
}

// openDurations is openPairs (hours.go) as durations.
func openDurations(cal crm.Calendar, pairs [][2]int64) []time.Duration {
	out := make([]time.Duration, len(pairs))
	if len(pairs) == 0 {
		return out
	}
	lo, hi := pairs[0][0], pairs[0][1]
	for _, p := range pairs {
		lo, hi = min(lo, p[0], p[1]), max(hi, p[0], p[1])
	}
	clock := newOpenClock(cal, lo, hi)
	for i, p := range pairs {
		if clock == nil {
			out[i] = cal.OpenBetween(time.Unix(0, p[0]), time.Unix(0, p[1]))
		} else {
			out[i] = clock.between(p[0], p[1])
		}
	}
	return out
}

// sqlText is s as an SQL string literal.
func sqlText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlInt(v sql.NullInt64) string {
	if !v.Valid {
		return "NULL"
	}
	return strconv.FormatInt(v.Int64, 10)
}

// insertFacts writes facts, many rows a statement (values written as
// literals: ids, dates and numbers, escaped).
func insertFacts(app core.App, facts []caseFact) error {
	const per = 200
	for len(facts) > 0 {
		batch := facts[:min(len(facts), per)]
		facts = facts[len(batch):]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + sdb.CaseFacts + " (id, type, channel, assignee, created, closed, closed_at, first_at, shut_at, " +
			"opened_m, closed_m, first_m, shut_m, frt_ns, res_ns, frt_b, res_b, sla) VALUES ")
		for i, f := range batch {
			if i > 0 {
				sb.WriteByte(',')
			}
			bucket := func(v sql.NullInt64) sql.NullInt64 {
				if v.Valid {
					v.Int64 /= timeBucket
				}
				return v
			}
			fmt.Fprintf(&sb, "(%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
				sqlText(f.ID), sqlText(f.Type), sqlText(f.Channel), sqlText(f.Assignee), sqlText(f.Created), f.Closed,
				sqlText(f.ClosedAt), sqlText(f.FirstAt), sqlText(f.ShutAt), sqlText(f.OpenedM), sqlText(f.ClosedM),
				sqlText(f.FirstM), sqlText(f.ShutM), sqlInt(f.Frt), sqlInt(f.Res), sqlInt(bucket(f.Frt)), sqlInt(bucket(f.Res)), sqlInt(f.SLA))
		}
		if _, err := app.DB().NewQuery(sb.String()).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// addMonths adds each key's count to CaseMonths, dropping rows that reach 0.
func addMonths(app core.App, delta map[monthKey]int64) error {
	var rows []string
	var gone []monthKey
	for k, n := range delta {
		if n == 0 {
			continue
		}
		rows = append(rows, fmt.Sprintf("(%s,%s,%s,%s,%s,%d,%d)", sqlText(k.measure), sqlText(k.month), sqlText(k.tp),
			sqlText(k.channel), sqlText(k.assignee), k.bucket, n))
		if n < 0 {
			gone = append(gone, k)
		}
	}
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 300)]
		rows = rows[len(batch):]
		if _, err := app.DB().NewQuery("INSERT INTO " + sdb.CaseMonths + " (measure, month, type, channel, assignee, bucket, n) VALUES " +
			strings.Join(batch, ",") + " ON CONFLICT (measure, month, type, channel, assignee, bucket) DO UPDATE SET n = n + excluded.n").Execute(); err != nil {
			return err
		}
	}
	for _, k := range gone {
		if _, err := app.DB().NewQuery("DELETE FROM " + sdb.CaseMonths + " WHERE n = 0 AND measure = {:m} AND month = {:mo} AND type = {:t} AND channel = {:c} AND assignee = {:a} AND bucket = {:b}").
			Bind(dbx.Params{"m": k.measure, "mo": k.month, "t": k.tp, "c": k.channel, "a": k.assignee, "b": k.bucket}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// inIDs is "IN (...)" of ids as literals.
func inIDs(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = sqlText(id)
	}
	return "(" + strings.Join(quoted, ",") + ")"
}

// settleCases makes the facts of ids again from the requests as they are
// now and moves the monthly counts by the difference. app is a transaction.
func settleCases(app core.App, b crm.Business, ids []string) error {
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		in := inIDs(batch)
		var old []caseFact
		err := app.DB().NewQuery("SELECT id, type, channel, assignee, opened_m, closed_m, first_m, shut_m, frt_ns, res_ns, sla FROM " +
			sdb.CaseFacts + " WHERE id IN " + in).All(&old)
		if err != nil {
			return err
		}
		fresh, err := readFacts(app, b, "WHERE id IN "+in, nil)
		if err != nil {
			return err
		}
		delta := map[monthKey]int64{}
		for _, f := range old {
			for _, k := range f.keys() {
				delta[k]--
			}
		}
		for _, f := range fresh {
			for _, k := range f.keys() {
				delta[k]++
			}
		}
		for _, s := range []string{"DELETE FROM " + sdb.CaseFacts + " WHERE id IN " + in, "DELETE FROM " + sdb.CaseDirty + " WHERE id IN " + in} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		if err := insertFacts(app, fresh); err != nil {
			return err
		}
		if err := addMonths(app, delta); err != nil {
			return err
		}
	}
	return nil
}

// RebuildServiceSummary makes the Service summary again from every request,
// for the business b, in one transaction.
func RebuildServiceSummary(app core.App, b crm.Business) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := sdb.CreateService(tx.DB()); err != nil {
			return err
		}
		for _, t := range []string{sdb.CaseFacts, sdb.CaseMonths, sdb.CaseDirty} {
			if _, err := tx.DB().NewQuery("DELETE FROM " + t).Execute(); err != nil {
				return err
			}
		}
		months := map[monthKey]int64{}
		err := rowidPages(tx.DB(), crm.Cases, 5000, func(lo, hi int64) error {
			facts, err := readFacts(tx, b, "WHERE rowid > {:r} AND rowid <= {:t}", dbx.Params{"r": lo, "t": hi})
			if err != nil {
				return err
			}
			for _, f := range facts {
				for _, k := range f.keys() {
					months[k]++
				}
			}
			return insertFacts(tx, facts)
		})
		if err != nil {
			return err
		}
		if err := addMonths(tx, months); err != nil {
			return err
		}
		_, err = tx.DB().NewQuery("INSERT OR REPLACE INTO " + sdb.Meta + " (key, value) VALUES ({:k}, {:v})").
			Bind(dbx.Params{"k": metaService, "v": summaryStamp(b)}).Execute()
		return err
	})
}

// rowidPages hands page each stretch (lo, hi] of table's rowids that holds
// up to size rows, in order: a summary made again reads the table in its
// own order a page at a time (sequential reads, not one lookup per row).
func rowidPages(db dbx.Builder, table string, size int, page func(lo, hi int64) error) error {
	for last := int64(0); ; {
		var top sql.NullInt64
		if err := db.NewQuery("SELECT MAX(rowid) FROM (SELECT rowid FROM " + table + " WHERE rowid > {:r} ORDER BY rowid LIMIT {:n})").
			Bind(dbx.Params{"r": last, "n": size}).Row(&top); err != nil {
			return err
		}
		if !top.Valid {
			return nil
		}
		if err := page(last, top.Int64); err != nil {
			return err
		}
		last = top.Int64
	}
}

// summaryKind is what tells the Service and Customers summaries apart for
// the steps they share: its stamp in the meta table, the table noting rows
// written behind the app's back (and its key column), the rows ever written
// (read off the rowids, without counting them), how it settles noted rows
// and how it is made again.
type summaryKind struct {
	name, meta         string
	stamp              func(crm.Business) string
	dirty, dirtyColumn string
	everWritten        string
	settle             func(core.App, crm.Business, []string) error
	rebuild            func(core.App, crm.Business) error
}

var serviceSummary = summaryKind{
	name: "service", meta: metaService, stamp: summaryStamp,
	dirty: sdb.CaseDirty, dirtyColumn: "id",
	everWritten: "SELECT IFNULL(MAX(rowid), 0) FROM " + crm.Cases,
	settle:      settleCases, rebuild: RebuildServiceSummary,
}

// state says whether the summary is made for b and which rows wait to be
// brought up to date (up to settleMax+1); ok is false when its tables do
// not exist (before the migration).
func (k summaryKind) state(app core.App, b crm.Business) (current bool, dirty []string, ok bool, err error) {
	var stamp []string
	if err := app.DB().NewQuery("SELECT value FROM " + sdb.Meta + " WHERE key = {:k}").Bind(dbx.Params{"k": k.meta}).Column(&stamp); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return false, nil, false, nil
		}
		return false, nil, false, err
	}
	if len(stamp) == 0 || stamp[0] != k.stamp(b) {
		_, err := app.DB().NewQuery("SELECT 1 FROM " + k.dirty + " LIMIT 1").Execute()
		if err != nil && strings.Contains(err.Error(), "no such table") {
			return false, nil, false, nil
		}
		return false, nil, true, err
	}
	err = app.DB().NewQuery(k.pending()).Column(&dirty)
	return true, dirty, true, err
}

func (k summaryKind) pending() string {
	return fmt.Sprintf("SELECT %s FROM %s LIMIT %d", k.dirtyColumn, k.dirty, settleMax+1)
}

// ready brings the summary up to date for b when that is quick, and says
// whether the board may read it: made for b, and at most settleMax rows
// noted since (settled first, in one transaction); a small business's made
// again at once; else not until the next start.
func (k summaryKind) ready(app core.App, b crm.Business) (bool, error) {
	current, dirty, ok, err := k.state(app, b)
	if err != nil || !ok {
		return false, err
	}
	if current && len(dirty) == 0 {
		return true, nil
	}
	if current && len(dirty) <= settleMax {
		err := app.RunInTransaction(func(tx core.App) error {
			var again []string // what is still to do once the write lock is ours
			if err := tx.DB().NewQuery(k.pending()).Column(&again); err != nil {
				return err
			}
			if len(again) > settleMax {
				return errSettleTooMany
			}
			return k.settle(tx, b, again)
		})
		return settledOrRaw(app, k.name, err)
	}
	var n sql.NullInt64
	if err := app.DB().NewQuery(k.everWritten).Row(&n); err != nil {
		return false, err
	}
	if n.Int64 > rebuildMax {
		return false, nil // made again at the next start
	}
	return settledOrRaw(app, k.name, k.rebuild(app, b))
}

// ensure makes the summary (and its tables, when the migration has not run
// yet) again unless it is made for b and nearly up to date.
func (k summaryKind) ensure(app core.App, b crm.Business) error {
	current, dirty, ok, err := k.state(app, b)
	if err != nil || ok && current && len(dirty) <= settleMax {
		return err
	}
	return k.rebuild(app, b)
}

// serviceReady brings the Service summary up to date for b when that is
// quick, and says whether the board may read it.
func serviceReady(app core.App, b crm.Business) (bool, error) { return serviceSummary.ready(app, b) }

// errSettleTooMany: more rows were written behind the app's back since the
// summary was read than one answer brings up to date.
var errSettleTooMany = errors.New("insights: too many rows to bring up to date in one answer")

// settledOrRaw says whether a board may read a summary it just brought up
// to date: when that failed (a full disk, a read-only database, more rows
// than one answer settles), the figures read the records themselves, as
// they did before the summaries, and the failure is logged.
func settledOrRaw(app core.App, summary string, err error) (bool, error) {
	if err != nil {
		app.Logger().Warn("insights: the "+summary+" summary was not brought up to date; the board reads the records", "error", err.Error())
		return false, nil
	}
	return true, nil
}

// EnsureServiceSummary makes the summary (and its tables, when the
// migration has not run yet) again unless it is made for b and nearly up to
// date: the server calls it when it starts, the bench after its bulk fill.
func EnsureServiceSummary(app core.App, b crm.Business) error { return serviceSummary.ensure(app, b) }

// bindServiceSummary keeps the facts of each request saved or deleted
// through the app in the same transaction as the write.
func bindServiceSummary(app core.App, cfg *crm.Config) {
	keep := func(e *core.RecordEvent) error {
		id := e.Record.Id
		return e.App.RunInTransaction(func(tx core.App) error {
			orig := e.App
			e.App = tx
			defer func() { e.App = orig }()
			if err := e.Next(); err != nil {
				return err
			}
			b := cfg.BusinessNow()
			if current, err := stamped(tx, metaService, summaryStamp(b)); err != nil || !current {
				return err // a summary made for another calendar waits to be made again
			}
			return settleCases(tx, b, []string{id})
		})
	}
	bindCustomerSummary(app, cfg) // customers_summary.go
	app.OnRecordCreateExecute(crm.Cases).BindFunc(keep)
	app.OnRecordUpdateExecute(crm.Cases).BindFunc(keep)
	app.OnRecordDeleteExecute(crm.Cases).BindFunc(keep)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := EnsureServiceSummary(se.App, cfg.BusinessNow()); err != nil {
			se.App.Logger().Error("insights: the Service summary could not be made", "error", err)
		}
		return se.Next()
	})
	// Rows written behind the app's back (an import) are brought up to date
	// every minute too, a page per transaction, so that a board never waits
	// for more than a page of them.
	app.Cron().MustAdd("insights_summaries", "* * * * *", func() {
		b := cfg.BusinessNow()
		for _, drain := range []func() (bool, error){
			func() (bool, error) {
				return drainDirty(app, b, metaService, summaryStamp(b), sdb.CaseDirty, "id", settleCases)
			},
			func() (bool, error) {
				return drainDirty(app, b, metaCustomers, customerStamp(b), sdb.CustomerDirty, "contact", settleCustomers)
			},
		} {
			for i := 0; i < 200; i++ {
				more, err := drain()
				if err != nil {
					app.Logger().Error("insights: bringing the summaries up to date", "error", err)
				}
				if err != nil || !more {
					break
				}
			}
		}
	})
}

// stamped says whether the summary key is made for stamp (false too before
// its tables exist).
func stamped(app core.App, key, stamp string) (bool, error) {
	var got []string
	err := app.DB().NewQuery("SELECT value FROM " + sdb.Meta + " WHERE key = {:k}").Bind(dbx.Params{"k": key}).Column(&got)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return false, nil
	}
	return err == nil && len(got) == 1 && got[0] == stamp, err
}

// drainDirty brings a page of the rows noted in dirty up to date, in one
// transaction, when the summary is made for stamp; more says whether rows
// are left.
func drainDirty(app core.App, b crm.Business, key, stamp, dirty, column string, settle func(core.App, crm.Business, []string) error) (more bool, err error) {
	err = app.RunInTransaction(func(tx core.App) error {
		if current, err := stamped(tx, key, stamp); err != nil || !current {
			return err
		}
		var ids []string
		if err := tx.DB().NewQuery("SELECT " + column + " FROM " + dirty + " LIMIT " + strconv.Itoa(settleMax)).Column(&ids); err != nil {
			return err
		}
		more = len(ids) == settleMax
		return settle(tx, b, ids)
	})
	return more, err
}
