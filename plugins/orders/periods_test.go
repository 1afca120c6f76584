package orders_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/testkit"
)

// servicesWorld is ordersWorld with bank transfer on offer (Pix off), and Fibre 300 in the catalogue, billed
// monthly or yearly (1000 a year), with a "router" add-on (+20 a month).
func servicesWorld(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	w := ordersWorld(t, opts...)
	w.Make(t, "", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodBankTransfer, crm.PsActive: true,
		crm.PsDetails: "Banco 001, agência 1234, conta 56789-0"})
	w.Make(t, "", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodPix, crm.PsActive: false, crm.PsDetails: "pix@padaria.test"})
	fibre := w.R("prFibre")
	fibre.Set(crm.ProductInCatalogue, true)
	fibre.Set(crm.ProductIntervalPx, map[string]float64{"year": 1000})
	fibre.Set(crm.ProductOptions, []map[string]any{{"key": "router", "kind": "addon", "label": "Wi-Fi router", "price": 20}})
	if err := w.App.Save(fibre); err != nil {
		t.Fatal(err)
	}
	return w
}

// activeSub is Ana's subscription to plan at price, in its period from
// start to end, paid by bank transfer.
func activeSub(t *testing.T, w *testkit.World, plan string, price float64, start, end time.Time) *core.Record {
	t.Helper()
	return w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID(plan), "plan": w.R(plan).GetString("name"),
		"price": price, "currency": "BRL", "status": "active", "quantity": 1, "started_at": start, crm.SubPeriodStart: start,
		"renews_at": end, crm.SubMethod: crm.MethodBankTransfer})
}

func subPayments(t *testing.T, w *testkit.World, sub string) []*core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Payments, "subscription = {:s}", "created", 0, 0, dbx.Params{"s": sub})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func events(t *testing.T, w *testkit.World, ref string) []string {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Activities, "ref_id = {:r}", "created", 0, 0, dbx.Params{"r": ref})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.GetString("event"))
	}
	return out
}

// A customer starts a service from the catalogue: options, interval, start
// day and way of paying; the first period is a payment with the transfer's
// instructions; staff confirm the money and its invoice is issued; when the
// period ends the job bills the next one once. Anything the server works
// out, a method not on offer, a past day, an interval not offered, a price
// other than the server's: a 400 naming the field, and nothing started.
func TestStartServiceFromTheCatalogue(t *testing.T) {
	w := servicesWorld(t)
	start := func(body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/crm/portal/services", "cuA", body)
	}
	good := map[string]any{"product": w.ID("prFibre"), "choices": map[string]any{"router": true}, "method": crm.MethodBankTransfer, "total": 120}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{with("price", 1), `"price"`},
		{with("status", "active"), `"status"`},
		{with("method", crm.MethodPix), `"method"`}, // Pix is off
		{with("start", "2020-01-01"), `"start"`},
		{with("start", "15/01/2027"), `"start"`},
		{with("interval", "quarter"), `"interval"`},
		{with("total", 100), `"total"`},
		{with("choices", map[string]any{"speed": "9000"}), `"choices.speed"`},
		{with("product", w.ID("prLocked")), `"product"`}, // not in the catalogue
	} {
		res := start(c.body)
		if res.Status != http.StatusBadRequest || !contains(res.Body, c.field) {
			t.Errorf("%v: %d %s, want a 400 naming %s", c.body, res.Status, res.Body, c.field)
		}
	}
	if n, _ := w.App.CountRecords(crm.Subscriptions); n != 0 {
		t.Fatalf("%d subscriptions after refusals", n)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/services", "manager", good); res.Status != http.StatusForbidden {
		t.Errorf("staff start a customer's service through the portal: %d", res.Status)
	}

	res := start(good)
	testkit.Must(t, res, http.StatusOK, "start")
	answer := decode(t, res.Body)
	subID := answer["subscription"].(map[string]any)["id"].(string)
	sub := w.Find(t, crm.Subscriptions, subID)
	if sub.GetString("status") != "active" || sub.GetFloat("price") != 120 || sub.GetString(crm.SubInterval) != "month" ||
		sub.GetString(crm.SubMethod) != crm.MethodBankTransfer || !strings.Contains(sub.GetString(crm.SubChoices), "router") {
		t.Errorf("subscription: %s %v %s %s %s", sub.GetString("status"), sub.GetFloat("price"), sub.GetString(crm.SubInterval),
			sub.GetString(crm.SubMethod), sub.GetString(crm.SubChoices))
	}
	pay := answer["payment"].(map[string]any)
	if pay["state"] != crm.PaymentPending || pay["amount"] != 120.0 || pay["purpose"] != crm.PurposePeriod || !strings.Contains(fmt.Sprint(pay["instructions"]), "Banco 001") {
		t.Errorf("first payment: %v", pay)
	}
	if !slices.Contains(events(t, w, subID), orders.EventStarted) {
		t.Errorf("no started entry: %v", events(t, w, subID))
	}
	if _, err := orders.ConfirmReceived(w.App, w.Cfg, pay["id"].(string), w.ID("agent")); err != nil {
		t.Fatal(err)
	}
	inv, err := w.App.FindFirstRecordByData(crm.Invoices, crm.InvPayment, pay["id"])
	if err != nil || inv.GetString(crm.InvSubscription) != subID || inv.GetFloat(crm.InvTotal) != 120 || inv.GetString(crm.InvPeriod) == "" {
		t.Fatalf("first period's invoice: %v %v", inv, err)
	}

	// the period ends: the next is billed, once, with the same method
	end := w.Reload(t, sub).GetDateTime("renews_at").Time()
	for range 2 {
		if _, err := orders.RunPeriods(w.App, w.Cfg, end.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	pays := subPayments(t, w, subID)
	if len(pays) != 2 || pays[1].GetFloat(crm.PayAmount) != 120 || pays[1].GetString(crm.PayPeriod) != end.In(testkit.SaoPaulo()).Format(time.DateOnly) {
		t.Fatalf("after the period: %d payments", len(pays))
	}
	if got := w.Reload(t, sub).GetDateTime(crm.SubPeriodStart).Time(); !got.Equal(end) {
		t.Errorf("the new period starts %s, want %s", got, end)
	}
	// a later day is pending until it comes
	later := time.Now().In(testkit.SaoPaulo()).AddDate(0, 0, 10).Format(time.DateOnly)
	res = start(with("start", later))
	testkit.Must(t, res, http.StatusOK, "start later")
	if s := decode(t, res.Body)["subscription"].(map[string]any); s["status"] != "pending" {
		t.Errorf("a later start: %v", s["status"])
	}
}

// Cancelling at the end of the period keeps the service as it is until
// then, with the reason kept; the job then cancels it as the period ends
// (cancelled_at is the period's end, which the churn figures read) and
// bills nothing more. A reason is required, and words with "other".
func TestCancelAtTheEndOfThePeriod(t *testing.T) {
	w := servicesWorld(t)
	now := time.Now()
	sub := activeSub(t, w, "prFibre", 100, now.AddDate(0, 0, -10), now.AddDate(0, 0, 20))
	act := func(body map[string]any) testkit.Response {
		body["action"] = "cancel"
		return w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+sub.Id+"/action", "cuA", body)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"when": "period_end"}, `"reason"`},
		{map[string]any{"when": "period_end", "reason": "bored"}, `"reason"`},
		{map[string]any{"when": "period_end", "reason": "other"}, `"note"`},
		{map[string]any{"when": "tomorrow", "reason": "moving"}, `"when"`},
		{map[string]any{"when": "period_end", "reason": "other", "note": strings.Repeat("x", 1001)}, `"note"`},
	} {
		if res := act(c.body); res.Status != http.StatusBadRequest || !contains(res.Body, c.field) {
			t.Errorf("%v: %d %s, want a 400 naming %s", c.body, res.Status, res.Body, c.field)
		}
	}
	testkit.Must(t, act(map[string]any{"when": "period_end", "reason": "too_expensive", "note": "Found a cheaper one"}), http.StatusOK, "cancel at period end")
	r := w.Reload(t, sub)
	end := r.GetDateTime("renews_at").Time()
	if r.GetString("status") != "active" || !r.GetDateTime(crm.SubCancelAt).Time().Equal(end) || r.GetString(crm.SubCancelReason) != "too_expensive" ||
		r.GetString(crm.SubCancelNote) != "Found a cheaper one" {
		t.Errorf("after asking: %s cancel_at %s reason %s", r.GetString("status"), r.GetDateTime(crm.SubCancelAt), r.GetString(crm.SubCancelReason))
	}
	// nothing more is offered but what is left to do
	if res := act(map[string]any{"when": "period_end", "reason": "moving"}); res.Status != http.StatusBadRequest {
		t.Errorf("asked twice: %d", res.Status)
	}
	if _, err := orders.RunPeriods(w.App, w.Cfg, end.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s := w.Reload(t, sub).GetString("status"); s != "active" {
		t.Errorf("a minute before the end: %s", s)
	}
	if _, err := orders.RunPeriods(w.App, w.Cfg, end.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r = w.Reload(t, sub)
	if r.GetString("status") != "cancelled" || !r.GetDateTime("cancelled_at").Time().Equal(end) {
		t.Errorf("after the end: %s cancelled at %s, want %s", r.GetString("status"), r.GetDateTime("cancelled_at"), end)
	}
	if n := len(subPayments(t, w, sub.Id)); n != 0 {
		t.Errorf("%d payments billed for a cancelled period", n)
	}
	evs := events(t, w, sub.Id)
	if !slices.Contains(evs, orders.EventCancelScheduled) || !slices.Contains(evs, "subscription.cancelled") {
		t.Errorf("timeline: %v", evs)
	}
	cancelled, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:r} && event = 'subscription.cancelled'", dbx.Params{"r": sub.Id})
	if err != nil || !strings.Contains(cancelled.GetString("data"), "too_expensive") || cancelled.GetString("body") != "Found a cheaper one" {
		t.Errorf("the cancelled entry keeps the reason: %v %v", cancelled, err)
	}
}

// Another billing interval takes effect with the next period: the yearly
// price from then on, a period a year long, billed at it.
func TestIntervalChangeFromTheNextPeriod(t *testing.T) {
	w := servicesWorld(t)
	now := time.Now()
	began := now.AddDate(0, 0, -5)
	sub := activeSub(t, w, "prFibre", 100, began, began.AddDate(0, 1, 0))
	act := func(body map[string]any) testkit.Response {
		body["action"] = "change_interval"
		return w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+sub.Id+"/action", "cuA", body)
	}
	if res := act(map[string]any{"interval": "quarter"}); res.Status != http.StatusBadRequest || !contains(res.Body, `"interval"`) {
		t.Errorf("an interval not offered: %d %s", res.Status, res.Body)
	}
	if res := act(map[string]any{"interval": "weekly"}); res.Status != http.StatusBadRequest || !contains(res.Body, `"interval"`) {
		t.Errorf("no interval: %d %s", res.Status, res.Body)
	}
	testkit.Must(t, act(map[string]any{"interval": "year"}), http.StatusOK, "yearly")
	r := w.Reload(t, sub)
	if r.GetFloat("price") != 100 || r.GetString(crm.SubNextInterval) != "year" || r.GetFloat(crm.SubNextPrice) != 1000 {
		t.Errorf("before the period ends: %v %s %v", r.GetFloat("price"), r.GetString(crm.SubNextInterval), r.GetFloat(crm.SubNextPrice))
	}
	end := r.GetDateTime("renews_at").Time()
	if _, err := orders.RunPeriods(w.App, w.Cfg, end.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	r = w.Reload(t, sub)
	sp := testkit.SaoPaulo()
	if r.GetString(crm.SubInterval) != "year" || r.GetFloat("price") != 1000 || r.GetString(crm.SubNextInterval) != "" ||
		!r.GetDateTime("renews_at").Time().Equal(orders.AddInterval(end, "year", began.In(sp).Day(), sp)) {
		t.Errorf("after: %s %v renews %s", r.GetString(crm.SubInterval), r.GetFloat("price"), r.GetDateTime("renews_at"))
	}
	if pays := subPayments(t, w, sub.Id); len(pays) != 1 || pays[0].GetFloat(crm.PayAmount) != 1000 {
		t.Errorf("the yearly period's payment: %d", len(pays))
	}
	if !slices.Contains(events(t, w, sub.Id), orders.EventIntervalChanged) {
		t.Errorf("timeline: %v", events(t, w, sub.Id))
	}
}

// An upgrade: the server previews the difference for the days left; the
// confirmation runs the same function and refuses an amount that no
// longer matches (here the new plan's price changed in between), with
// nothing changed; confirmed, the plan changes and the difference is a
// payment now. A downgrade is a credit taken off the next period's
// invoice, which says so on a line of its own.
func TestUpgradeAndDowngradeProrated(t *testing.T) {
	w := servicesWorld(t, testkit.Configure(func(c *crm.Config) {
		c.Portal.SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}
	}))
	sp := testkit.SaoPaulo()
	today := time.Now().In(sp)
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, sp).AddDate(0, 0, -10)
	sub := activeSub(t, w, "prFibre", 100, start, start.AddDate(0, 0, 30))
	path := "/api/crm/portal/subscriptions/" + sub.Id
	preview := func(who string, product string) testkit.Response {
		return w.Do(t, http.MethodPost, path+"/preview", who, map[string]any{"product": product})
	}
	res := preview("cuA", w.ID("prFibre2"))
	testkit.Must(t, res, http.StatusOK, "preview")
	pv := decode(t, res.Body)["proration"].(map[string]any)
	if pv["days_in_period"] != 30.0 || pv["days_left"] != 20.0 || pv["amount"] != 33.33 {
		t.Fatalf("preview: %v", pv)
	}
	if res := preview("cuC", w.ID("prFibre2")); res.Status != http.StatusForbidden {
		t.Errorf("another customer's preview: %d", res.Status)
	}
	if res := preview("cuA", w.ID("prLocked")); res.Status != http.StatusForbidden {
		t.Errorf("preview of a plan that forbids it: %d", res.Status)
	}
	confirm := func(expect any) testkit.Response {
		return w.Do(t, http.MethodPost, path+"/action", "cuA", map[string]any{"action": "change_plan", "product": w.ID("prFibre2"), "expect": expect})
	}
	if res := confirm(nil); res.Status != http.StatusBadRequest || !contains(res.Body, `"expect"`) {
		t.Errorf("without the preview: %d %s", res.Status, res.Body)
	}
	// the price changes between the preview and the confirmation
	p2 := w.R("prFibre2")
	p2.Set("price", 180)
	if err := w.App.Save(p2); err != nil {
		t.Fatal(err)
	}
	if res := confirm(33.33); res.Status != http.StatusConflict || !contains(res.Body, `"expect"`) {
		t.Errorf("a stale preview: %d %s", res.Status, res.Body)
	}
	if r := w.Reload(t, sub); r.GetString("product") != w.ID("prFibre") || r.GetFloat("price") != 100 || len(subPayments(t, w, sub.Id)) != 0 {
		t.Fatalf("a stale preview changed the subscription")
	}
	res = confirm(53.33)
	testkit.Must(t, res, http.StatusOK, "upgrade")
	pay := decode(t, res.Body)["payment"].(map[string]any)
	if pay["amount"] != 53.33 || pay["purpose"] != crm.PurposeChange || pay["state"] != crm.PaymentPending {
		t.Errorf("the difference's payment: %v", pay)
	}
	if r := w.Reload(t, sub); r.GetString("product") != w.ID("prFibre2") || r.GetFloat("price") != 180 || r.GetString("plan") != "Fibre 600" {
		t.Errorf("after the upgrade: %s %v %s", r.GetString("product"), r.GetFloat("price"), r.GetString("plan"))
	}

	// back down: 80 owed for 20 of 30 days is 53.33, credited
	res = preview("cuA", w.ID("prFibre"))
	amount := decode(t, res.Body)["proration"].(map[string]any)["amount"]
	if amount != -53.33 {
		t.Fatalf("downgrade preview: %v", amount)
	}
	res = w.Do(t, http.MethodPost, path+"/action", "cuA", map[string]any{"action": "change_plan", "product": w.ID("prFibre"), "expect": amount})
	testkit.Must(t, res, http.StatusOK, "downgrade")
	if r := w.Reload(t, sub); r.GetFloat(crm.SubCredit) != 53.33 || r.GetFloat("price") != 100 {
		t.Errorf("after the downgrade: credit %v price %v", r.GetFloat(crm.SubCredit), r.GetFloat("price"))
	}
	if _, err := orders.RunPeriods(w.App, w.Cfg, start.AddDate(0, 0, 30).Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pays := subPayments(t, w, sub.Id)
	next := pays[len(pays)-1]
	if next.GetString(crm.PayPurpose) != crm.PurposePeriod || next.GetFloat(crm.PayAmount) != 46.67 {
		t.Fatalf("the next period: %s %v", next.GetString(crm.PayPurpose), next.GetFloat(crm.PayAmount))
	}
	if _, err := orders.ConfirmReceived(w.App, w.Cfg, next.Id, w.ID("agent")); err != nil {
		t.Fatal(err)
	}
	inv, err := w.App.FindFirstRecordByData(crm.Invoices, crm.InvPayment, next.Id)
	if err != nil || !strings.Contains(inv.GetString(crm.InvLines), "-53.33") || inv.GetFloat(crm.InvTotal) != 46.67 {
		t.Fatalf("the next invoice: %v %v", inv, err)
	}
	// the credit's line is worded in the reader's language
	if doc := orders.LoadInvoiceDoc(w.App, w.Cfg, inv, "pt-BR"); len(doc.Lines) != 2 || doc.Lines[1].Name != "Crédito" {
		t.Errorf("the invoice's lines in Portuguese: %+v", doc.Lines)
	}
	if w.Reload(t, sub).GetFloat(crm.SubCredit) != 0 {
		t.Errorf("the credit was not used up")
	}
}

// What the portal offers is what the business and the product allow, and
// nothing else: change_plan is not offered under the default settings
// (and refused if asked), nor cancel for a plan that forbids it; the list
// holds only the customer's own subscriptions (and their company's for its
// admin).
func TestServicesOfferOnlyWhatIsAllowed(t *testing.T) {
	w := servicesWorld(t)
	now := time.Now()
	own := activeSub(t, w, "prFibre", 100, now.AddDate(0, 0, -5), now.AddDate(0, 0, 25))
	locked := activeSub(t, w, "prLocked", 80, now.AddDate(0, 0, -5), now.AddDate(0, 0, 25))
	carla := w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctC"), "product": w.ID("prFibre"), "price": 100, "currency": "BRL", "status": "active"})
	res := w.Do(t, http.MethodGet, "/api/crm/portal/services", "cuA", nil)
	testkit.Must(t, res, http.StatusOK, "services")
	var answer struct {
		Services []struct {
			Subscription struct{ ID string } `json:"subscription"`
			Actions      []string            `json:"actions"`
			Intervals    []orders.IntervalPrice
		} `json:"services"`
		Methods []orders.Method `json:"methods"`
	}
	decodeInto(t, res.Body, &answer)
	got := map[string][]string{}
	for _, s := range answer.Services {
		got[s.Subscription.ID] = s.Actions
	}
	if len(got) != 2 || got[carla.Id] != nil {
		t.Fatalf("listed: %v", got)
	}
	if want := []string{"pause", "cancel", "change_interval"}; !slices.Equal(got[own.Id], want) {
		t.Errorf("Fibre 300 offers %v, want %v", got[own.Id], want)
	}
	if len(got[locked.Id]) != 0 {
		t.Errorf("a plan that allows nothing offers %v", got[locked.Id])
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+own.Id+"/action", "cuA",
		map[string]any{"action": "change_plan", "product": w.ID("prFibre2"), "expect": 0}); res.Status != http.StatusForbidden {
		t.Errorf("change_plan under the default settings: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+own.Id+"/preview", "cuA",
		map[string]any{"product": w.ID("prFibre2")}); res.Status != http.StatusForbidden {
		t.Errorf("preview under the default settings: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+locked.Id+"/action", "cuA",
		map[string]any{"action": "change_interval", "interval": "year"}); res.Status != http.StatusForbidden {
		t.Errorf("another interval of a plan billed one way: %d", res.Status)
	}
	for _, who := range []string{"cuB", "cuC"} {
		if res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+own.Id+"/action", who,
			map[string]any{"action": "cancel", "reason": "moving"}); res.Status != http.StatusForbidden {
			t.Errorf("%s cancels Ana's subscription: %d", who, res.Status)
		}
	}
	if s := w.Reload(t, own).GetString("status"); s != "active" {
		t.Errorf("Ana's subscription is %s", s)
	}
}

// Every paid subscription period and every paid order has an invoice, and
// their numbers run on together without a gap or a duplicate when the
// money of many arrives at once.
func TestPeriodInvoicesNumberedWithOrders(t *testing.T) {
	w := servicesWorld(t)
	now := time.Now()
	const n = 8
	var ids []string
	for i := range n {
		activeSub(t, w, "prFibre", float64(100+i), now.AddDate(0, -1, 0), now.Add(-time.Hour))
	}
	if run, err := orders.RunPeriods(w.App, w.Cfg, now); err != nil || run.Billed != n {
		t.Fatalf("billed %d periods (%v), want %d", run.Billed, err, n)
	}
	rows, err := w.App.FindRecordsByFilter(crm.Payments, "purpose = 'period'", "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rows {
		ids = append(ids, p.Id)
	}
	for i := range n {
		o := w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("ctA"), "currency": "BRL",
			"items": []map[string]any{{"name": fmt.Sprintf("Bolo %d", i), "quantity": 1, "unit_price": 10 + i}}})
		p, err := orders.StartPayment(w.App, w.Cfg, o, orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}, crm.MethodBankTransfer)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := orders.ConfirmReceived(w.App, w.Cfg, id, w.ID("agent"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	invs, err := w.App.FindRecordsByFilter(crm.Invoices, "", "seq", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	periods := 0
	for i, inv := range invs {
		if inv.GetInt(crm.InvSeq) != i+1 {
			t.Errorf("invoice %d has number %s", i+1, inv.GetString(crm.InvNumber))
		}
		if inv.GetString(crm.InvSubscription) != "" && inv.GetString(crm.InvPeriod) != "" {
			periods++
		}
	}
	if len(invs) != 2*n || periods != n {
		t.Errorf("%d invoices, %d of periods; want %d and %d", len(invs), periods, 2*n, n)
	}
}

func decodeInto(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}
