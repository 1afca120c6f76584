package insights

import (
	"fmt"
	"math"
	"reflect"
	"sort"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	sdb "vinculo/plugins/insights/summarydb"
)

// SetSummaryOff makes the figures read the records themselves, or the
// summaries again.
func SetSummaryOff(off bool) { summaryOff = off }

// ServiceReady brings the Service summary up to date as a board answer
// would, and says whether it may be read.
func ServiceReady(app core.App, b crm.Business) (bool, error) { return serviceReady(app, b) }

// ServiceDrift recounts the Service summary from the requests as they are
// and lists where the stored one differs.
func ServiceDrift(app core.App, b crm.Business) ([]string, error) {
	fresh, err := readFacts(app, b, "", nil)
	if err != nil {
		return nil, err
	}
	var stored []caseFact
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CaseFacts).All(&stored); err != nil {
		return nil, err
	}
	var out []string
	byID := map[string]caseFact{}
	for _, f := range stored {
		byID[f.ID] = f
	}
	want := map[monthKey]int64{}
	for _, f := range fresh {
		for _, k := range f.keys() {
			want[k]++
		}
		if s, ok := byID[f.ID]; !ok || !reflect.DeepEqual(s, f) {
			out = append(out, fmt.Sprintf("facts of %s: stored %+v, recounted %+v", f.ID, s, f))
		}
		delete(byID, f.ID)
	}
	for id := range byID {
		out = append(out, "facts of a request that is gone: "+id)
	}
	var rows []struct {
		Measure  string `db:"measure"`
		Month    string `db:"month"`
		Type     string `db:"type"`
		Channel  string `db:"channel"`
		Assignee string `db:"assignee"`
		Bucket   int64  `db:"bucket"`
		N        int64  `db:"n"`
	}
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CaseMonths).All(&rows); err != nil {
		return nil, err
	}
	got := map[monthKey]int64{}
	for _, r := range rows {
		got[monthKey{r.Measure, r.Month, r.Type, r.Channel, r.Assignee, r.Bucket}] = r.N
	}
	for k, n := range want {
		if got[k] != n {
			out = append(out, fmt.Sprintf("%+v: stored %d, recounted %d", k, got[k], n))
		}
		delete(got, k)
	}
	for k, n := range got {
		out = append(out, fmt.Sprintf("%+v: stored %d, recounted none", k, n))
	}
	sort.Strings(out)
	return out, nil
}

// CustomersReady is ServiceReady for the Customers summary.
func CustomersReady(app core.App, b crm.Business) (bool, error) { return customersReady(app, b) }

// CustomersDrift recounts the Customers summary from the orders and
// subscriptions as they are and lists where the stored one differs.
func CustomersDrift(app core.App, b crm.Business) ([]string, error) {
	loc := b.Location()
	spans, err := readSpans(app, b, "1=1", "1=1", nil)
	if err != nil {
		return nil, err
	}
	want := map[string]spanRow{}
	wantMonths := map[cmKey]int64{}
	for c, list := range spans {
		for _, r := range spanRows(c, list, loc) {
			want[r.Contact+" "+r.Start] = r
			for _, k := range r.keys(loc) {
				wantMonths[k]++
			}
		}
	}
	buys, err := readBuys(app, b, "1=1")
	if err != nil {
		return nil, err
	}
	rev := map[revKey]revSum{}
	var out []string
	storedBuys := map[[3]string]buyRow{}
	var bought []buyRow
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerBuys).All(&bought); err != nil {
		return nil, err
	}
	for _, r := range bought {
		storedBuys[[3]string{r.Contact, r.Month, r.Currency}] = r
	}
	for _, list := range buys {
		buyKeys(list, converts(b), 1, wantMonths, rev)
		for _, r := range list {
			k := [3]string{r.Contact, r.Month, r.Currency}
			if s := storedBuys[k]; s.N != r.N || math.Abs(s.Total-r.Total) > 1e-6 {
				out = append(out, fmt.Sprintf("buys %v: stored %+v, recounted %+v", k, s, r))
			}
			delete(storedBuys, k)
		}
	}
	for k := range storedBuys {
		out = append(out, fmt.Sprintf("buys %v stored, recounted none", k))
	}
	var revenue []struct {
		Month    string  `db:"month"`
		Currency string  `db:"currency"`
		Total    float64 `db:"total"`
		N        int64   `db:"n"`
	}
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerRevenue).All(&revenue); err != nil {
		return nil, err
	}
	for _, r := range revenue {
		k := revKey{r.Month, r.Currency}
		if w := rev[k]; w.n != r.N || math.Abs(w.total-r.Total) > 1e-6 {
			out = append(out, fmt.Sprintf("revenue %v: stored %v %d, recounted %v %d", k, r.Total, r.N, w.total, w.n))
		}
		delete(rev, k)
	}
	for k, w := range rev {
		out = append(out, fmt.Sprintf("revenue %v: stored none, recounted %v %d", k, w.total, w.n))
	}
	var stored []spanRow
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerSpans).All(&stored); err != nil {
		return nil, err
	}
	for _, r := range stored {
		key := r.Contact + " " + r.Start
		if want[key] != r {
			out = append(out, fmt.Sprintf("span %s: stored %+v, recounted %+v", key, r, want[key]))
		}
		delete(want, key)
	}
	for key, r := range want {
		out = append(out, fmt.Sprintf("span %s missing: %+v", key, r))
	}
	var rows []struct {
		Measure string `db:"measure"`
		Month   string `db:"month"`
		Month2  string `db:"month2"`
		N       int64  `db:"n"`
	}
	if err := app.DB().NewQuery("SELECT * FROM " + sdb.CustomerMonths).All(&rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		k := cmKey{r.Measure, r.Month, r.Month2}
		if wantMonths[k] != r.N {
			out = append(out, fmt.Sprintf("%+v: stored %d, recounted %d", k, r.N, wantMonths[k]))
		}
		delete(wantMonths, k)
	}
	for k, n := range wantMonths {
		out = append(out, fmt.Sprintf("%+v: stored none, recounted %d", k, n))
	}
	sort.Strings(out)
	return out, nil
}
