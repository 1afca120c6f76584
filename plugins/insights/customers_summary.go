package insights

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	sdb "vinculo/plugins/insights/summarydb"
)

// The Customers board's summary. Each customer's activity — their counted
// orders, each active for the churn window, and their subscriptions from
// start to cancellation, merged (customers.go) — is kept as rows of spans
// (summarydb.CustomerSpans: start, end or '' while it lasts, the end of
// the span before it, and the month of their first purchase, their cohort),
// and the monthly counts made from them (summarydb.CustomerMonths): spans
// started, ended, first spans, and per cohort spans started and ended. New,
// active and churned customers, the churn rate and the cohort table are sums
// of a few hundred of those rows, and of the spans of the days outside whole
// months.
//
// A customer's spans are made again from their orders and subscriptions in
// the transaction of every save of one through the app; triggers note the
// customers written behind the app's back (summarydb.CustomerDirty). The
// spans depend on the churn window and the months on the time zone: the
// stamp in summarydb.Meta; another one makes them again (service_summary.go
// says when).

const metaCustomers = "customers"

// Measures of CustomerMonths (month2 is the cohort for cstart and cend).
const (
	cStart = "start"
	cEnd   = "end"
	cFirst = "first"
	// A span after another, by the month of its start (cComeback) and of
	// its end (cAgain), with the month the one before ended (month2): the
	// customers counted twice in a run of months, taken off once.
	cComeback = "comeback"
	cAgain    = "again"
	cCStart   = "cstart"
	cCEnd     = "cend"
)

func customerStamp(b crm.Business) string {
	s, _ := json.Marshal(struct {
		V          int
		TZ         string
		Churn      int
		Converting []string
	}{2, b.Location().String(), b.ChurnWindow(), convertingSet(b)})
	return string(s)
}

// spanRow is one row of CustomerSpans.
type spanRow struct {
	Contact string `db:"contact"`
	Start   string `db:"start"`
	End     string `db:"end"`
	PrevEnd string `db:"prev_end"`
	Cohort  string `db:"cohort"`
}

type cmKey struct{ measure, month, month2 string }

func (r spanRow) keys(loc *time.Location) []cmKey {
	month := func(s string) string { return ParseDBTime(s).In(loc).Format("2006-01") }
	out := []cmKey{{cStart, month(r.Start), ""}, {cCStart, month(r.Start), r.Cohort}}
	if r.PrevEnd == "" {
		out = append(out, cmKey{cFirst, month(r.Start), ""})
	} else {
		out = append(out, cmKey{cComeback, month(r.Start), month(r.PrevEnd)})
		if r.End != "" {
			out = append(out, cmKey{cAgain, month(r.End), month(r.PrevEnd)})
		}
	}
	if r.End != "" {
		out = append(out, cmKey{cEnd, month(r.End), ""}, cmKey{cCEnd, month(r.End), r.Cohort})
	}
	return out
}

// spanRows are a customer's merged spans as rows.
func spanRows(contact string, spans []span, loc *time.Location) []spanRow {
	out := make([]spanRow, 0, len(spans))
	if len(spans) == 0 {
		return out
	}
	cohort := spans[0].from.In(loc).Format("2006-01")
	prev := ""
	for _, s := range spans {
		r := spanRow{Contact: contact, Start: DBTime(s.from), PrevEnd: prev, Cohort: cohort}
		if !s.to.IsZero() {
			r.End = DBTime(s.to)
		}
		out, prev = append(out, r), r.End
	}
	return out
}

// purchases are what a customer's summary is made of: their counted
// orders and their held or cancelled subscriptions.
type purchases struct {
	orders []orderPoint
	subs   []subRow
}

type orderPoint struct {
	placed, currency string
	total            float64
}

// loadPurchases reads the purchases of the orders and subscriptions the two
// conditions select ("": none; status is written +status so that a
// condition on contact or rowid leads).
func loadPurchases(app core.App, orderWhere, subWhere string, params dbx.Params) (map[string]*purchases, error) {
	out := map[string]*purchases{}
	of := func(c string) *purchases {
		if out[c] == nil {
			out[c] = &purchases{}
		}
		return out[c]
	}
	if orderWhere != "" {
		err := eachRow(app.DB().NewQuery("SELECT contact, placed_at, currency, total FROM "+crm.Orders+
			" WHERE +status IN ('paid','shipped','delivered') AND "+orderWhere).Bind(params), func(r *sql.Rows) error {
			var c string
			var o orderPoint
			if err := r.Scan(&c, &o.placed, &o.currency, &o.total); err != nil {
				return err
			}
			p := of(c)
			p.orders = append(p.orders, o)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var subs []subRow
	if subWhere != "" {
		if err := app.DB().NewQuery("SELECT id, contact, status, started_at, cancelled_at FROM " + crm.Subscriptions +
			" WHERE +status IN ('active','paused','pending','cancelled') AND " + subWhere).Bind(params).All(&subs); err != nil {
			return nil, err
		}
	}
	for _, sub := range subs {
		p := of(sub.Contact)
		p.subs = append(p.subs, sub)
	}
	return out, nil
}

// spans are the customer's merged spans of activity, as readActivity makes
// them for a period.
func (p *purchases) spans(b crm.Business) []span {
	window := time.Duration(b.ChurnWindow()) * 24 * time.Hour
	var raw []span
	for _, o := range p.orders {
		if ns, ok := stampNanos(o.placed); ok {
			at := time.Unix(0, ns).UTC()
			raw = append(raw, span{at, at.Add(window)})
		}
	}
	for _, s := range p.subs {
		if s.Status != subCancelled && s.Started == "" {
			continue // held subscriptions count from a start (loadSubscriptions)
		}
		if sp, ok := s.span(); ok {
			raw = append(raw, sp)
		}
	}
	if len(raw) == 0 {
		return nil
	}
	return merge(raw)
}

// readSpans makes the spans of the customers the two conditions select.
func readSpans(app core.App, b crm.Business, orderWhere, subWhere string, params dbx.Params) (map[string][]span, error) {
	all, err := loadPurchases(app, orderWhere, subWhere, params)
	if err != nil {
		return nil, err
	}
	out := map[string][]span{}
	for c, p := range all {
		if sp := p.spans(b); len(sp) > 0 {
			out[c] = sp
		}
	}
	return out, nil
}

// insertSpans writes rows, many a statement.
func insertSpans(app core.App, rows []spanRow) error {
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 300)]
		rows = rows[len(batch):]
		vals := make([]string, len(batch))
		for i, r := range batch {
			vals[i] = fmt.Sprintf("(%s,%s,%s,%s,%s)", sqlText(r.Contact), sqlText(r.Start), sqlText(r.End), sqlText(r.PrevEnd), sqlText(r.Cohort))
		}
		if _, err := app.DB().NewQuery("INSERT INTO " + sdb.CustomerSpans + " (contact, start, end, prev_end, cohort) VALUES " + strings.Join(vals, ",")).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// addCustomerMonths adds each key's count, dropping rows that reach 0.
func addCustomerMonths(app core.App, delta map[cmKey]int64) error {
	var rows []string
	var gone []cmKey
	for k, n := range delta {
		if n == 0 {
			continue
		}
		rows = append(rows, fmt.Sprintf("(%s,%s,%s,%d)", sqlText(k.measure), sqlText(k.month), sqlText(k.month2), n))
		if n < 0 {
			gone = append(gone, k)
		}
	}
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 300)]
		rows = rows[len(batch):]
		if _, err := app.DB().NewQuery("INSERT INTO " + sdb.CustomerMonths + " (measure, month, month2, n) VALUES " + strings.Join(batch, ",") +
			" ON CONFLICT (measure, month, month2) DO UPDATE SET n = n + excluded.n").Execute(); err != nil {
			return err
		}
	}
	for _, k := range gone {
		if _, err := app.DB().NewQuery("DELETE FROM " + sdb.CustomerMonths + " WHERE n = 0 AND measure = {:m} AND month = {:mo} AND month2 = {:m2}").
			Bind(dbx.Params{"m": k.measure, "mo": k.month, "m2": k.month2}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// settleCustomers makes the spans of contacts again. app is a transaction.
func settleCustomers(app core.App, b crm.Business, contacts []string) error {
	loc := b.Location()
	for len(contacts) > 0 {
		batch := contacts[:min(len(contacts), 500)]
		contacts = contacts[len(batch):]
		in := inIDs(batch)
		var old []spanRow
		if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerSpans + " WHERE contact IN " + in).All(&old); err != nil {
			return err
		}
		spans, err := readSpans(app, b, "contact IN "+in, "contact IN "+in, nil)
		if err != nil {
			return err
		}
		delta := map[cmKey]int64{}
		for _, r := range old {
			for _, k := range r.keys(loc) {
				delta[k]--
			}
		}
		var fresh []spanRow
		for c, list := range spans {
			for _, r := range spanRows(c, list, loc) {
				fresh = append(fresh, r)
				for _, k := range r.keys(loc) {
					delta[k]++
				}
			}
		}
		for _, s := range []string{"DELETE FROM " + sdb.CustomerSpans + " WHERE contact IN " + in, "DELETE FROM " + sdb.CustomerDirty + " WHERE contact IN " + in} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		if err := settleBuys(app, b, in, delta); err != nil { // customers_revenue_summary.go
			return err
		}
		if err := insertSpans(app, fresh); err != nil {
			return err
		}
		if err := addCustomerMonths(app, delta); err != nil {
			return err
		}
	}
	return nil
}

// RebuildCustomerSummary makes the Customers summary again from every
// order and subscription, for the business b, in one transaction.
func RebuildCustomerSummary(app core.App, b crm.Business) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := sdb.CreateCustomers(tx.DB()); err != nil {
			return err
		}
		for _, t := range []string{sdb.CustomerSpans, sdb.CustomerMonths, sdb.CustomerDirty, sdb.CustomerBuys, sdb.CustomerRevenue} {
			if _, err := tx.DB().NewQuery("DELETE FROM " + t).Execute(); err != nil {
				return err
			}
		}
		loc := b.Location()
		months, rev, conv := map[cmKey]int64{}, map[revKey]revSum{}, converts(b)
		// Every purchase, read in the tables' own order a page at a time
		// (sequential reads, not one lookup per customer).
		all := map[string]*purchases{}
		for _, t := range []struct{ table, orderWhere, subWhere string }{
			{crm.Orders, "rowid > {:r} AND rowid <= {:t}", ""},
			{crm.Subscriptions, "", "rowid > {:r} AND rowid <= {:t}"},
		} {
			err := rowidPages(tx.DB(), t.table, 20000, func(lo, hi int64) error { // service_summary.go
				page, err := loadPurchases(tx, t.orderWhere, t.subWhere, dbx.Params{"r": lo, "t": hi})
				if err != nil {
					return err
				}
				for c, p := range page {
					if all[c] == nil {
						all[c] = &purchases{}
					}
					all[c].orders = append(all[c].orders, p.orders...)
					all[c].subs = append(all[c].subs, p.subs...)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		contacts := make([]string, 0, len(all))
		for c := range all {
			contacts = append(contacts, c)
		}
		sort.Strings(contacts)
		var rows []spanRow
		var bought []buyRow
		for i, c := range contacts {
			p := all[c]
			for _, r := range spanRows(c, p.spans(b), loc) {
				rows = append(rows, r)
				for _, k := range r.keys(loc) {
					months[k]++
				}
			}
			buys := p.buys(c, loc)
			buyKeys(buys, conv, 1, months, rev)
			bought = append(bought, buys...)
			if len(rows) >= 5000 || len(bought) >= 5000 || i == len(contacts)-1 {
				if err := insertSpans(tx, rows); err != nil {
					return err
				}
				if err := insertBuys(tx, bought); err != nil {
					return err
				}
				rows, bought = rows[:0], bought[:0]
			}
		}
		if err := addCustomerMonths(tx, months); err != nil {
			return err
		}
		if err := addRevenue(tx, rev); err != nil {
			return err
		}
		_, err := tx.DB().NewQuery("INSERT OR REPLACE INTO " + sdb.Meta + " (key, value) VALUES ({:k}, {:v})").
			Bind(dbx.Params{"k": metaCustomers, "v": customerStamp(b)}).Execute()
		return err
	})
}

var customersSummary = summaryKind{
	name: "customers", meta: metaCustomers, stamp: customerStamp,
	dirty: sdb.CustomerDirty, dirtyColumn: "contact",
	everWritten: "SELECT (SELECT IFNULL(MAX(rowid), 0) FROM " + crm.Orders + ") + (SELECT IFNULL(MAX(rowid), 0) FROM " + crm.Subscriptions + ")",
	settle:      settleCustomers, rebuild: RebuildCustomerSummary,
}

// customersReady is serviceReady for the Customers summary.
func customersReady(app core.App, b crm.Business) (bool, error) {
	return customersSummary.ready(app, b)
}

// EnsureCustomerSummary is EnsureServiceSummary for the Customers summary.
func EnsureCustomerSummary(app core.App, b crm.Business) error {
	return customersSummary.ensure(app, b)
}

// bindCustomerSummary keeps the spans of the customer of each order and
// subscription saved or deleted through the app in the same transaction.
func bindCustomerSummary(app core.App, cfg *crm.Config) {
	keep := func(e *core.RecordEvent) error {
		contacts := []string{e.Record.GetString(crm.FieldContact)}
		if o := e.Record.Original(); o != nil && o.GetString(crm.FieldContact) != contacts[0] && o.GetString(crm.FieldContact) != "" {
			contacts = append(contacts, o.GetString(crm.FieldContact))
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			orig := e.App
			e.App = tx
			defer func() { e.App = orig }()
			if err := e.Next(); err != nil {
				return err
			}
			b := cfg.BusinessNow()
			if current, err := stamped(tx, metaCustomers, customerStamp(b)); err != nil || !current {
				return err
			}
			return settleCustomers(tx, b, contacts)
		})
	}
	for _, c := range []string{crm.Orders, crm.Subscriptions} {
		app.OnRecordCreateExecute(c).BindFunc(keep)
		app.OnRecordUpdateExecute(c).BindFunc(keep)
		app.OnRecordDeleteExecute(c).BindFunc(keep)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := EnsureCustomerSummary(se.App, cfg.BusinessNow()); err != nil {
			se.App.Logger().Error("insights: the Customers summary could not be made", "error", err)
		}
		return se.Next()
	})
}
