package insights

import (
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	sdb "vinculo/plugins/insights/summarydb"
)

// Revenue per customer from the summary: each customer's counted orders are
// kept per month and currency (summarydb.CustomerBuys, with the totals per
// month and currency in summarydb.CustomerRevenue), and counted in
// CustomerMonths once per month they bought — in a currency that converts
// ("bc") or, per currency without a rate, apart ("ba:" + currency) — with
// the month they last bought before (month2). The customers of a run of
// whole months are then those whose month before falls outside it: a few
// hundred rows for a year.

const (
	cBuyConv  = "bc"
	cBuyApart = "ba:"
)

// buyRow is a customer's counted orders of one month in one currency.
type buyRow struct {
	Contact  string  `db:"contact"`
	Month    string  `db:"month"`
	Currency string  `db:"currency"`
	Total    float64 `db:"total"`
	N        int64   `db:"n"`
}

type revKey struct{ month, currency string }

type revSum struct {
	total float64
	n     int64
}

// converts says which currencies convert into the business's (Query.Convert).
func converts(b crm.Business) func(string) bool {
	q := Query{Currency: b.Currency, Business: b}
	if q.Currency == "" {
		q.Currency = DefaultCurrency
	}
	return func(c string) bool { _, ok := q.Convert(1, c); return ok }
}

// convertingSet is the currencies with a rate, and the business's own (the
// summary's stamp: buyers are counted per set).
func convertingSet(b crm.Business) []string {
	out := []string{b.Currency}
	for c, r := range b.Rates {
		if r > 0 {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// buyKeys adds the monthly counts of one customer's buys (sorted by month)
// to delta, times sign, and their totals to rev.
func buyKeys(rows []buyRow, conv func(string) bool, sign int64, delta map[cmKey]int64, rev map[revKey]revSum) {
	last := map[string]string{} // measure -> the month it last counted
	for _, r := range rows {
		k := revKey{r.Month, r.Currency}
		s := rev[k]
		rev[k] = revSum{s.total + float64(sign)*r.Total, s.n + sign*r.N}
		measure := cBuyApart + r.Currency
		if conv(r.Currency) {
			measure = cBuyConv
		}
		if last[measure] == r.Month {
			continue // converting currencies of one month count once
		}
		delta[cmKey{measure, r.Month, last[measure]}] += sign
		last[measure] = r.Month
	}
}

// buys are the customer's counted orders per month and currency, sorted.
func (p *purchases) buys(contact string, loc *time.Location) []buyRow {
	sums := map[[2]string]*buyRow{}
	for _, o := range p.orders {
		ns, ok := stampNanos(o.placed)
		if !ok {
			continue
		}
		k := [2]string{time.Unix(0, ns).In(loc).Format("2006-01"), strings.ToUpper(strings.TrimSpace(o.currency))}
		if sums[k] == nil {
			sums[k] = &buyRow{Contact: contact, Month: k[0], Currency: k[1]}
		}
		sums[k].Total += o.total
		sums[k].N++
	}
	out := make([]buyRow, 0, len(sums))
	for _, r := range sums {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Month < out[j].Month || out[i].Month == out[j].Month && out[i].Currency < out[j].Currency
	})
	return out
}

// readBuys makes the buys of the customers the orders' condition selects.
func readBuys(app core.App, b crm.Business, where string) (map[string][]buyRow, error) {
	all, err := loadPurchases(app, where, "", nil)
	if err != nil {
		return nil, err
	}
	out := map[string][]buyRow{}
	for c, p := range all {
		if list := p.buys(c, b.Location()); len(list) > 0 {
			out[c] = list
		}
	}
	return out, nil
}

// settleBuys makes the buys of the contacts of in again; old are their
// stored ones.
func settleBuys(app core.App, b crm.Business, in string, delta map[cmKey]int64) error {
	var old []buyRow
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerBuys + " WHERE contact IN " + in + " ORDER BY contact, month, currency").All(&old); err != nil {
		return err
	}
	conv := converts(b)
	rev := map[revKey]revSum{}
	byContact := map[string][]buyRow{}
	for _, r := range old {
		byContact[r.Contact] = append(byContact[r.Contact], r)
	}
	for _, rows := range byContact {
		buyKeys(rows, conv, -1, delta, rev)
	}
	fresh, err := readBuys(app, b, "contact IN "+in)
	if err != nil {
		return err
	}
	var all []buyRow
	for _, rows := range fresh {
		buyKeys(rows, conv, 1, delta, rev)
		all = append(all, rows...)
	}
	if _, err := app.DB().NewQuery("DELETE FROM " + sdb.CustomerBuys + " WHERE contact IN " + in).Execute(); err != nil {
		return err
	}
	if err := insertBuys(app, all); err != nil {
		return err
	}
	return addRevenue(app, rev)
}

func insertBuys(app core.App, rows []buyRow) error {
	for len(rows) > 0 {
		batch := rows[:min(len(rows), 300)]
		rows = rows[len(batch):]
		vals := make([]string, len(batch))
		for i, r := range batch {
			vals[i] = fmt.Sprintf("(%s,%s,%s,%s,%d)", sqlText(r.Contact), sqlText(r.Month), sqlText(r.Currency), strconv.FormatFloat(r.Total, 'g', -1, 64), r.N)
		}
		if _, err := app.DB().NewQuery("INSERT INTO " + sdb.CustomerBuys + " (contact, month, currency, total, n) VALUES " + strings.Join(vals, ",")).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// addRevenue adds the totals, dropping rows left without orders.
func addRevenue(app core.App, rev map[revKey]revSum) error {
	var vals []string
	for k, s := range rev {
		if s.n != 0 || s.total != 0 {
			vals = append(vals, fmt.Sprintf("(%s,%s,%s,%d)", sqlText(k.month), sqlText(k.currency), strconv.FormatFloat(s.total, 'g', -1, 64), s.n))
		}
	}
	for len(vals) > 0 {
		batch := vals[:min(len(vals), 300)]
		vals = vals[len(batch):]
		if _, err := app.DB().NewQuery("INSERT INTO " + sdb.CustomerRevenue + " (month, currency, total, n) VALUES " + strings.Join(batch, ",") +
			" ON CONFLICT (month, currency) DO UPDATE SET total = total + excluded.total, n = n + excluded.n").Execute(); err != nil {
			return err
		}
	}
	_, err := app.DB().NewQuery("DELETE FROM " + sdb.CustomerRevenue + " WHERE n = 0").Execute()
	return err
}

// summaryRevenue is revenuePerCustomer from the summary, for a period of
// whole months (ok is false for another: the orders are read then).
func summaryRevenue(app core.App, q Query) (res Result, ok bool, err error) {
	labels, edges := monthSplit(q.From, q.To, q.Loc)
	if len(edges) > 0 || len(labels) == 0 {
		return res, false, nil
	}
	first, lastM := labels[0], labels[len(labels)-1]
	all, byMonth := q.NewSum(), map[string]*Sum{}
	err = eachRow(app.DB().NewQuery("SELECT month, currency, total, n FROM "+sdb.CustomerRevenue+" WHERE month >= {:f} AND month <= {:l}").
		Bind(map[string]any{"f": first, "l": lastM}), func(r *sql.Rows) error {
		var month, currency string
		var total float64
		var n int
		if err := r.Scan(&month, &currency, &total, &n); err != nil {
			return err
		}
		all.Add(total, currency, n)
		if byMonth[month] == nil {
			byMonth[month] = q.NewSum()
		}
		byMonth[month].Add(total, currency, n)
		return nil
	})
	if err != nil {
		return res, false, err
	}
	buyers, monthBuyers, apartBuyers := 0, map[string]int{}, map[string]int{}
	for _, sel := range []string{"measure = 'bc'", "measure > 'ba:' AND measure < 'ba;'"} {
		err = eachRow(app.DB().NewQuery("SELECT measure, month, month2, n FROM "+sdb.CustomerMonths+" WHERE "+sel+" AND month >= {:f} AND month <= {:l}").
			Bind(map[string]any{"f": first, "l": lastM}), func(r *sql.Rows) error {
			var measure, month, prev string
			var n int
			if err := r.Scan(&measure, &month, &prev, &n); err != nil {
				return err
			}
			switch {
			case measure == cBuyConv && prev < first:
				buyers += n
				monthBuyers[month] += n
			case measure == cBuyConv:
				monthBuyers[month] += n
			case prev < first:
				apartBuyers[strings.TrimPrefix(measure, cBuyApart)] += n
			}
			return nil
		})
		if err != nil {
			return res, false, err
		}
	}
	res = Result{Count: buyers}
	if buyers > 0 {
		res.Value = Float(Round2(all.Total / float64(buyers)))
	}
	if len(all.Apart) > 0 {
		res.Apart = map[string]float64{}
		for c, v := range all.Apart {
			res.Apart[c] = Round2(v / float64(apartBuyers[c]))
		}
	}
	for _, m := range Months(q) {
		p := Point{Label: m}
		if s := byMonth[m]; s != nil && monthBuyers[m] > 0 {
			p.Value = Round2(s.Total / float64(monthBuyers[m]))
		}
		res.Series = append(res.Series, p)
	}
	return res, true, nil
}
