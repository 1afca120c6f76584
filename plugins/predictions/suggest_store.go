package predictions

import (
	"encoding/json"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/predictions/model"
)

// Storing the suggestions: after each fit for everyone (in the fit's
// transaction), and for one contact when a request of theirs opens or
// closes or they buy. The open suggestions are replaced; the decided ones
// (accepted, dismissed) stay, and a computed suggestion with the key of a
// decided one of the same contact is not offered again: a dismissed
// suggestion comes back only when its reason changes.

// clocks holds, per app, the clock the refresh of one contact reads (tests set it).
var clocks sync.Map // core.App -> func() time.Time

// SetClock sets the clock the suggestions' refresh reads for app.
func SetClock(app core.App, now func() time.Time) { clocks.Store(app, now) }

func nowOf(app core.App) time.Time {
	if f, ok := clocks.Load(app); ok {
		return f.(func() time.Time)()
	}
	return time.Now()
}

// suggestContext is what every contact's suggestions share.
type suggestContext struct {
	today     time.Time
	names     map[string]string
	rules     []model.Rule
	valueLine float64
	currency  string
	open      map[string][]OpenRequest
	owners    map[string]string
}

func (c suggestContext) inputs(contact string, s ScoreView) Inputs {
	return Inputs{Today: c.today, Score: s, Open: c.open[contact], Rules: c.rules, Names: c.names,
		ValueLine: c.valueLine, Currency: c.currency}
}

// readContext reads the product names, and the open requests and owners of
// contact (every contact when empty).
func readContext(app core.App, b crm.Business, today time.Time, contact string) (suggestContext, error) {
	c := suggestContext{today: today, currency: b.Currency, names: map[string]string{},
		open: map[string][]OpenRequest{}, owners: map[string]string{}}
	var products []struct {
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := app.DB().Select("code", "name").From(crm.Products).Where(dbx.NewExp("code != ''")).All(&products); err != nil {
		return c, err
	}
	for _, p := range products {
		c.names[p.Code] = p.Name
	}
	var cases []struct {
		ID        string `db:"id"`
		Contact   string `db:"contact"`
		Reference string `db:"reference"`
		Subject   string `db:"subject"`
		Created   string `db:"created"`
	}
	q := app.DB().Select("id", "contact", "reference", "subject", "created").From(crm.Cases).Where(dbx.NewExp("IFNULL(closed, 0) = 0"))
	owners := app.DB().Select("id", crm.FieldOwner).From(crm.Contacts)
	if contact != "" {
		q.AndWhere(dbx.HashExp{crm.FieldContact: contact})
		owners.Where(dbx.HashExp{"id": contact})
	}
	if err := q.All(&cases); err != nil {
		return c, err
	}
	for _, r := range cases {
		opened, _ := types.ParseDateTime(r.Created)
		c.open[r.Contact] = append(c.open[r.Contact], OpenRequest{ID: r.ID, Reference: r.Reference, Subject: r.Subject, Opened: opened.Time()})
	}
	var rows []struct {
		ID    string `db:"id"`
		Owner string `db:"owner"`
	}
	if err := owners.All(&rows); err != nil {
		return c, err
	}
	for _, r := range rows {
		c.owners[r.ID] = r.Owner
	}
	return c, nil
}

// viewOf is a fitted score as the suggestions read it.
func viewOf(s model.Score) ScoreView {
	return ScoreView{Purchases: s.Purchases, Last: s.Last, Total: s.Total, PActive: s.PAlive, CLV: s.CLV, Class: s.Class, Cycles: s.Cycles}
}

// boughtOf is each product's last day and the last purchase's day.
func boughtOf(h model.History) (map[string]time.Time, time.Time) {
	out := map[string]time.Time{}
	var last time.Time
	for _, o := range h.Occasions {
		for _, p := range o.Products {
			out[p] = o.Day
		}
		last = o.Day
	}
	return out, last
}

// The fit computes every scored contact's suggestions in its transaction,
// as each contact's history comes by (fitWriter in fit.go), and then
// forgets those of contacts who may not be profiled.

// storeSuggestions replaces the open suggestions of contact (every
// contact's when empty) with the computed ones not already decided.
func storeSuggestions(tx core.App, computed map[string][]Suggestion, contact string, owners map[string]string, fit string) error {
	done, err := clearOpenSuggestions(tx, contact)
	if err != nil {
		return err
	}
	w := newSuggestionWriter(tx, done, owners, fit)
	defer w.close()
	for c, list := range computed {
		if err := w.write(c, list); err != nil {
			return err
		}
	}
	return nil
}

// clearOpenSuggestions deletes the open suggestions of contact (every
// contact's when empty) and says which keys they decided already.
func clearOpenSuggestions(tx core.App, contact string) (map[[2]string]bool, error) {
	scope := dbx.HashExp{crm.SuggestState: crm.SuggestionOpen}
	decided := tx.DB().Select(crm.SuggestContact, crm.SuggestKey).From(crm.Suggestions).
		Where(dbx.NewExp(crm.SuggestState+" != {:open}", dbx.Params{"open": crm.SuggestionOpen}))
	if contact != "" {
		scope[crm.SuggestContact] = contact
		decided.AndWhere(dbx.HashExp{crm.SuggestContact: contact})
	}
	if _, err := tx.DB().Delete(crm.Suggestions, scope).Execute(); err != nil {
		return nil, err
	}
	var rows []struct {
		Contact string `db:"contact"`
		Key     string `db:"key"`
	}
	if err := decided.All(&rows); err != nil {
		return nil, err
	}
	done := make(map[[2]string]bool, len(rows))
	for _, r := range rows {
		done[[2]string{r.Contact, r.Key}] = true
	}
	return done, nil
}

// suggestionWriter inserts computed suggestions not already decided (done).
type suggestionWriter struct {
	q      *dbx.Query
	done   map[[2]string]bool
	owners map[string]string
	fit    string
	now    string
}

func newSuggestionWriter(tx core.App, done map[[2]string]bool, owners map[string]string, fit string) *suggestionWriter {
	cols := []string{"id", crm.SuggestContact, crm.SuggestOwner, crm.SuggestKind, crm.SuggestSubject, crm.SuggestKey,
		crm.SuggestReasons, crm.SuggestRank, crm.SuggestDue, crm.SuggestState, crm.SuggestFit, crm.SuggestComputedAt, "created", "updated"}
	return &suggestionWriter{q: tx.DB().NewQuery(insertSQL(crm.Suggestions, cols)).Prepare(), done: done, owners: owners,
		fit: fit, now: types.NowDateTime().String()}
}

func (w *suggestionWriter) close() { _ = w.q.Close() }

// write inserts contact c's suggestions.
func (w *suggestionWriter) write(c string, list []Suggestion) error {
	for _, s := range list {
		if w.done[[2]string{c, s.Key}] {
			continue
		}
		reasons, _ := json.Marshal(s.Reasons)
		due := ""
		if !s.Due.IsZero() {
			due = dateOf(s.Due)
		}
		p := dbx.Params{"id": security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet),
			crm.SuggestContact: c, crm.SuggestOwner: w.owners[c], crm.SuggestKind: s.Kind, crm.SuggestSubject: s.Subject,
			crm.SuggestKey: s.Key, crm.SuggestReasons: string(reasons), crm.SuggestRank: math.Round(s.Rank*100) / 100,
			crm.SuggestDue: due, crm.SuggestState: crm.SuggestionOpen, crm.SuggestFit: w.fit, crm.SuggestComputedAt: w.now,
			"created": w.now, "updated": w.now}
		if _, err := w.q.Bind(p).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// insertSQL is a prepared INSERT of cols into table.
func insertSQL(table string, cols []string) string {
	sql, vals := "INSERT INTO "+table+" (", ""
	for i, c := range cols {
		if i > 0 {
			sql += ", "
			vals += ", "
		}
		sql += "[[" + c + "]]"
		vals += "{:" + c + "}"
	}
	return sql + ") VALUES (" + vals + ")"
}

// forgetSuggestions deletes every suggestion (open or decided) of the
// contacts who may not be profiled: contact's, or everyone's when empty.
func forgetSuggestions(app core.App, prof Profiling, contact string) error {
	q := app.DB().Select(crm.SuggestContact).Distinct(true).From(crm.Suggestions)
	if contact != "" {
		q.Where(dbx.HashExp{crm.SuggestContact: contact})
	}
	var with []string
	if err := q.Column(&with); err != nil {
		return err
	}
	var gone []any
	for c := range prof.Withheld(with) {
		gone = append(gone, c)
	}
	if len(gone) == 0 {
		return nil
	}
	_, err := app.DB().Delete(crm.Suggestions, dbx.In(crm.SuggestContact, gone...)).Execute()
	return err
}

// RefreshSuggestions recomputes one contact's suggestions from their stored
// score, what they bought since and their open requests: when a request
// opens or closes, or they buy.
func RefreshSuggestions(app core.App, cfg *crm.Config, contact string) error {
	b := cfg.BusinessNow()
	return app.RunInTransaction(func(tx core.App) error {
		prof, err := readProfilingOf(tx, b.ProfilingNeedsConsent, contact)
		if err != nil {
			return err
		}
		if !prof.Allowed(contact) {
			return forgetSuggestions(tx, prof, contact)
		}
		score, err := tx.FindFirstRecordByData(crm.CustomerScores, crm.ScoreContact, contact)
		if err != nil {
			return storeSuggestions(tx, nil, contact, nil, "") // no score: nothing to suggest
		}
		ctx, err := readContext(tx, b, model.Day(nowOf(app), b.Location()), contact)
		if err != nil {
			return err
		}
		fit, _ := tx.FindRecordById(crm.PredictionFits, score.GetString(crm.ScoreFit))
		if fit != nil {
			_ = fit.UnmarshalJSONField(crm.FitRules, &ctx.rules)
		}
		if ctx.valueLine, err = storedValueLine(tx); err != nil {
			return err
		}
		in := ctx.inputs(contact, storedView(score, b.Location()))
		if in.Bought, in.LastDay, err = contactBought(tx, b, contact); err != nil {
			return err
		}
		return storeSuggestions(tx, map[string][]Suggestion{contact: Suggest(in)}, contact, ctx.owners, score.GetString(crm.ScoreFit))
	})
}

// readProfilingOf reads one contact's latest profiling consent.
func readProfilingOf(app core.App, needsConsent bool, contact string) (Profiling, error) {
	p := Profiling{NeedsConsent: needsConsent, latest: map[string]string{}}
	var states []string
	err := app.DB().Select("state").From(crm.Consents).
		Where(dbx.HashExp{"purpose": crm.PurposeProfiling, crm.FieldContact: contact}).
		OrderBy("at DESC", "updated DESC").Limit(1).Column(&states)
	if len(states) > 0 {
		p.latest[contact] = states[0]
	}
	if err == nil {
		p.restricted, err = restrictedContacts(app, contact)
	}
	return p, err
}

// storedView reads a stored score as the suggestions read it.
func storedView(r *core.Record, loc *time.Location) ScoreView {
	v := ScoreView{Purchases: r.GetInt(crm.ScorePurchases), Total: r.GetFloat(crm.ScoreTotalSpent),
		PActive: r.GetFloat(crm.ScorePActive), CLV: r.GetFloat(crm.ScoreCLV), Class: r.GetString(crm.ScoreRFMClass)}
	if last := r.GetDateTime(crm.ScoreLastPurchase); !last.IsZero() {
		y, m, d := last.Time().UTC().Date() // stored as the day at midnight UTC
		v.Last = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	_ = r.UnmarshalJSONField(crm.ScoreCycles, &v.Cycles)
	if v.PActive == 0 && r.GetFloat(crm.ScoreExpected365) == 0 {
		v.PActive = math.NaN() // the purchase model was not fitted (stored as 0)
	}
	return v
}

// storedValueLine is ValueLine over the stored scores.
func storedValueLine(app core.App) (float64, error) {
	var values []float64
	err := app.DB().NewQuery("SELECT CASE WHEN [[" + crm.ScoreCLV + "]] > 0 THEN [[" + crm.ScoreCLV + "]] ELSE [[" +
		crm.ScoreTotalSpent + "]] END FROM {{" + crm.CustomerScores + "}}").Column(&values)
	return ValueLine(values), err
}

// contactBought reads what one contact bought (paid orders and subscription
// payments, as the fit reads them): each product's last day and the last
// purchase's day.
func contactBought(app core.App, b crm.Business, contact string) (map[string]time.Time, time.Time, error) {
	out := map[string]time.Time{}
	var last time.Time
	loc := b.Location()
	note := func(at string, products []string) {
		t, err := types.ParseDateTime(at)
		if err != nil || t.IsZero() {
			return
		}
		day := model.Day(t.Time(), loc)
		for _, p := range products {
			if day.After(out[p]) {
				out[p] = day
			}
		}
		if day.After(last) {
			last = day
		}
	}
	var orders []struct {
		At    string `db:"placed_at"`
		Items string `db:"items"`
	}
	statuses := make([]any, len(Bought))
	for i, s := range Bought {
		statuses[i] = s
	}
	if err := app.DB().Select("placed_at", "items").From(crm.Orders).
		Where(dbx.HashExp{crm.FieldContact: contact}).AndWhere(dbx.In("status", statuses...)).All(&orders); err != nil {
		return nil, last, err
	}
	for _, o := range orders {
		note(o.At, lineProducts(o.Items))
	}
	var pays []struct {
		At   string `db:"paid_at"`
		Code string `db:"code"`
	}
	if err := app.DB().Select("p.paid_at", "COALESCE(pr.code, '') AS code").From(crm.Payments+" p").
		LeftJoin(crm.Subscriptions+" s", dbx.NewExp("s.id = p."+crm.PaySubscription)).
		LeftJoin(crm.Products+" pr", dbx.NewExp("pr.id = s.product")).
		Where(dbx.HashExp{"p." + crm.PayState: crm.PaymentPaid, "p.contact": contact}).
		AndWhere(dbx.NewExp("p." + crm.PaySubscription + " != ''")).All(&pays); err != nil {
		return nil, last, err
	}
	for _, p := range pays {
		note(p.At, slices.DeleteFunc([]string{p.Code}, func(s string) bool { return s == "" }))
	}
	return out, last, nil
}
