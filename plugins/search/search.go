// Package search is the CRM's full-text search: GET /api/crm/search?q= over
// contacts, companies, deals, cases and activities, with accents and case
// folded, prefix matching, phone numbers in any usual spelling and emails by
// address, local part or domain.
//
// The index is an SQLite FTS5 table kept by SQLite triggers (see index.go),
// so it follows every write, whatever the door, inside the write's own
// transaction. The search migration creates it and fills it; this package
// keeps the triggers in step when a collection's fields change.
package search

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	pbsearch "github.com/pocketbase/pocketbase/tools/search"
	"golang.org/x/sync/semaphore"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Register adds the route and the hooks that keep the index's triggers in
// step with the collections.
func Register(app core.App, cfg *crm.Config) error {
	BindSchemaHooks(app)
	// Heals triggers changed behind PocketBase's back (the sqlite3 shell, a
	// migration run without this plugin). Before the first migration the
	// index does not exist yet and Sync does nothing.
	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return Sync(e.App)
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/search", handle).Bind(guard.Staff())
		return se.Next()
	})
	return nil
}

// BindSchemaHooks binds the hooks that keep the index's triggers in step
// with collection changes. The search migration binds them too, so that the
// migrations after it (which tests run before any plugin registers) can
// remove indexed fields; fixed ids make the second binding replace the first.
func BindSchemaHooks(app core.App) {
	// Before PocketBase's own handler (priority 99), which changes the table.
	app.OnCollectionCreateExecute().Bind(&hook.Handler[*core.CollectionEvent]{Id: "vinculoSearchCreate", Func: keepTriggers, Priority: 90})
	app.OnCollectionUpdateExecute().Bind(&hook.Handler[*core.CollectionEvent]{Id: "vinculoSearchUpdate", Func: keepTriggers, Priority: 90})
	// After it, inside its transaction.
	app.OnCollectionDeleteExecute().Bind(&hook.Handler[*core.CollectionEvent]{Id: "vinculoSearchDelete", Func: forgetCollection, Priority: 100})
}

// Params are a search's parameters.
type Params struct {
	Q           string
	Limit       int
	Collections []string // empty: all the indexed collections
}

// Hit is one found record.
type Hit struct {
	Collection string  `json:"collection"`
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Subtitle   string  `json:"subtitle"`
	Snippet    string  `json:"snippet,omitempty"` // HTML-escaped text of the body, with <mark> around what matched
	Score      float64 `json:"score"`             // higher first; see Search
}

// ParseParams reads q, limit and collection (one name, a comma-separated
// list, or the parameter repeated) from a query string.
func ParseParams(v url.Values) (Params, validation.Errors) {
	errs := validation.Errors{}
	p := Params{Q: strings.TrimSpace(v.Get("q")), Limit: DefaultLimit}
	if p.Q == "" {
		errs["q"] = validation.NewError("validation_required", "Type what to search for.")
	} else if _, problem := parseQuery(p.Q); problem != "" {
		errs["q"] = validation.NewError("validation_invalid_q", problem)
	}
	if s, ok := v["limit"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(strings.Join(s, ",")))
		if err != nil || n < 1 || n > MaxLimit {
			errs["limit"] = validation.NewError("validation_invalid_limit", fmt.Sprintf("Use a whole number from 1 to %d.", MaxLimit))
		} else {
			p.Limit = n
		}
	}
	if values, ok := v["collection"]; ok {
		for _, value := range values {
			for _, name := range strings.Split(value, ",") {
				name = strings.TrimSpace(name)
				if _, indexed := sourceFor(name); !indexed {
					errs["collection"] = validation.NewError("validation_invalid_collection",
						"Choose among "+strings.Join(Collections(), ", ")+".")
					break
				}
				if !slices.Contains(p.Collections, name) {
					p.Collections = append(p.Collections, name)
				}
			}
		}
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

func handle(e *core.RequestEvent) error {
	p, errs := ParseParams(e.Request.URL.Query())
	if errs != nil {
		return e.BadRequestError("Invalid search.", errs)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	if err := searching.Acquire(e.Request.Context(), 1); err != nil {
		return err // the caller went away while it waited
	}
	hits, err := Search(e.App, info, p)
	searching.Release(1)
	if err != nil {
		return e.InternalServerError("The search failed.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": hits})
}

// searching admits as many searches at once as the process may run
// goroutines in parallel (its cores); the others wait their turn, first
// come first served. A search is all CPU (SQLite reading pages the system
// has cached): ten at once on two cores finish no sooner in all, each
// takes five times as long, and the readers' connections push each other's
// pages out of SQLite's shared cache. At a million contacts, ten clients
// searching a full name without a pause (bench part 3b) waited 351 ms at
// the 99th percentile without this, 93 ms with it.
var searching = semaphore.NewWeighted(searchSlots)

// searchSlots is how many searches run at once.
var searchSlots = int64(runtime.GOMAXPROCS(0))

type candidate struct {
	Doc        int64   `db:"doc"`
	Collection string  `db:"collection"`
	Record     string  `db:"record"`
	Rank       float64 `db:"relevance"`
	Name       string  `db:"name"` // the index's name column: the record's name, title or subject
	record     *core.Record
	group      int    // groupRanked, groupNewest or groupText (see candidates)
	form       string // the FTS5 expression that found it
	merges     bool   // form has prefixes longer than the prefix indexes (see longestIndexedPrefix)
	tier       int
	title      string
	subtitle   string
}

// Search finds the records that match p.Q and that info's caller may list,
// best first: records whose name is the query, then whose name starts with
// it, then whose name holds every word of it, then the rest; in each tier
// what matched in names, titles, subjects, details, phones and tags comes
// first, in bm25 order (newest first when there are too many to rank),
// then what matched only in long text, newest first (see candidates). Score
// is the tier's bonus (1000 per tier above the last) plus the bm25 relevance
// (0 for long-text matches). The tiers come from the index's own name
// column, so the candidates are ordered before any record is read; the
// list rules are then checked on the best of them (allowedOnly) and only
// the page's records are loaded.
func Search(app core.App, info *core.RequestInfo, p Params) ([]Hit, error) {
	q, problem := parseQuery(p.Q)
	if problem != "" {
		return nil, fmt.Errorf("q: %s", problem)
	}
	limit := min(max(p.Limit, 1), MaxLimit)
	if info == nil {
		info = &core.RequestInfo{} // anonymous: only what public rules let anyone list
	}
	if !Installed(app) {
		return nil, fmt.Errorf("search: the index is missing; run the migrations")
	}

	filter, params := "", dbx.Params{"match": q.match, "n": min(limit*4, 400)}
	if len(p.Collections) > 0 {
		names := make([]string, len(p.Collections))
		for i, c := range p.Collections {
			key := fmt.Sprintf("c%d", i)
			names[i] = "{:" + key + "}"
			params[key] = c
		}
		filter = " AND m.collection IN (" + strings.Join(names, ", ") + ")"
	}
	found, err := candidates(app, q, filter, params)
	if err != nil {
		return nil, err
	}

	for _, c := range found {
		c.tier = nameTier(c.Name, q.words)
	}
	slices.SortStableFunc(found, func(a, b *candidate) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		if a.group != b.group {
			return a.group - b.group
		}
		if a.group != groupRanked {
			return int(b.Doc - a.Doc) // newest first
		}
		switch {
		case a.Rank < b.Rank:
			return -1
		case a.Rank > b.Rank:
			return 1
		}
		return strings.Compare(a.Record, b.Record)
	})
	allowed, err := allowedOnly(app, info, found, limit)
	if err != nil {
		return nil, err
	}
	if allowed, err = withRecords(app, allowed); err != nil {
		return nil, err
	}

	snippets, err := bodySnippets(app, allowed)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(allowed))
	for i, c := range allowed {
		relevance := math.Min(math.Max(-c.Rank, 0), 999.999)
		hits[i] = Hit{
			Collection: c.Collection,
			ID:         c.Record,
			Title:      c.title,
			Subtitle:   c.subtitle,
			Snippet:    snippets[c.Doc],
			Score:      math.Round((float64(tierOther-c.tier)*1000+relevance)*1000) / 1000,
		}
	}
	return hits, nil
}

// Groups of candidates, in the order they rank within a tier.
const (
	groupRanked = iota // matched in the short columns, ranked by bm25
	groupNewest        // matched in the short columns, too many to rank: newest first
	groupText          // matched only in long text: newest first
)

// rankAtMost: above this many matches in the short columns, bm25 is not
// worth its cost (it reads every match) and the newest are taken instead.
// A variable for the tests.
var rankAtMost = 2000

// candidates finds what matches, in two bounded steps of at most n (params
// "n") documents each, so that a common word costs about what a rare one
// does. First the matches in the short columns (names, titles, subjects,
// details, phones, tags): ranked by bm25 when there are at most rankAtMost
// of them, else the newest. Then, when those leave room, the newest
// matches anywhere, long text included, unranked. Ranking every match of a
// common word (a word in a million timeline entries) takes seconds, and
// among thousands of matches the recent ones are what a person looks for;
// the name tiers of Search still put the records named like the query
// first. Both steps take more than a page, so that records the caller may
// not list do not leave the page short.
//
// Each step looks for the words typed whole first (q.whole), and for them
// as prefixes (q.match, which finds the whole words too) only when the
// whole words leave room: a word written out is best matched by itself,
// and its prefix form is what costs (see longestIndexedPrefix).
func candidates(app core.App, q query, filter string, params dbx.Params) ([]*candidate, error) {
	n, _ := params["n"].(int)
	forms := []string{q.match}
	if q.whole != "" {
		forms = []string{q.whole, q.match}
	}
	var found []*candidate
	for i, form := range forms {
		matches, err := countShort(app, form)
		if err != nil {
			return nil, err
		}
		if matches < n && i < len(forms)-1 {
			continue // few whole words: the prefixes, which hold them, decide
		}
		if found, err = shortMatches(app, form, filter, params, matches > rankAtMost); err != nil {
			return nil, err
		}
		for _, c := range found {
			c.form, c.merges = form, form == q.match && q.whole != ""
		}
		break
	}
	seen := make(map[int64]bool, len(found))
	for _, c := range found {
		seen[c.Doc] = true
	}
	// Long-text matches rank after these, newest first, while there is room.
	for i, form := range forms {
		if len(found) >= n {
			break
		}
		var newest []*candidate
		err := app.DB().NewQuery(fmt.Sprintf(
			"SELECT `%[1]s`.rowid AS doc, m.collection AS collection, m.record AS record, 0 AS relevance, `%[1]s`.name AS name"+
				" FROM `%[1]s` JOIN `%[2]s` m ON m.id = `%[1]s`.rowid"+
				" WHERE `%[1]s` MATCH {:match}%[3]s ORDER BY `%[1]s`.rowid DESC LIMIT {:n}",
			Table, MapTable, filter)).Bind(withParam(params, "match", form)).All(&newest)
		if err != nil {
			return nil, err
		}
		for _, c := range newest {
			if !seen[c.Doc] {
				c.group, c.form, c.merges = groupText, form, i == 1
				seen[c.Doc] = true
				found = append(found, c)
			}
		}
	}
	return found, nil
}

func withParam(params dbx.Params, key string, value any) dbx.Params {
	out := dbx.Params{key: value}
	for k, v := range params {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// countShort counts the documents whose short columns match form (in
// ShortTable), up to rankAtMost+1: enough to tell whether bm25 may rank
// them.
func countShort(app core.App, form string) (int, error) {
	var matches int
	err := app.DB().NewQuery(fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM `%[1]s` WHERE `%[1]s` MATCH {:short} LIMIT {:most})", ShortTable)).
		Bind(dbx.Params{"short": form, "most": rankAtMost + 1}).Row(&matches)
	return matches, err
}

// shortMatches takes the n best matches of form in the short columns by
// bm25, or the newest n when there are too many to rank.
func shortMatches(app core.App, form, filter string, params dbx.Params, tooMany bool) ([]*candidate, error) {
	relevance, order, group := bm25, "relevance", groupRanked
	if tooMany {
		relevance, order, group = "0", "`"+ShortTable+"`.rowid DESC", groupNewest
	}
	// The matches come from ShortTable, which holds no text: the name is
	// read from Table after the LIMIT, for the n rows kept only (read
	// beside the rank, SQLite would load every match's stored row into
	// its sorter), and so is the map's row, unless a collection filter
	// needs it before.
	ranked := "SELECT `%[2]s`.rowid AS doc, %[3]s AS relevance FROM `%[2]s` WHERE `%[2]s` MATCH {:short} ORDER BY %[5]s LIMIT {:n}"
	if filter != "" {
		ranked = "SELECT `%[2]s`.rowid AS doc, %[3]s AS relevance FROM `%[2]s` JOIN `%[6]s` m ON m.id = `%[2]s`.rowid" +
			" WHERE `%[2]s` MATCH {:short}%[4]s ORDER BY %[5]s LIMIT {:n}"
	}
	var found []*candidate
	err := app.DB().NewQuery(fmt.Sprintf(
		"SELECT ranked.doc AS doc, m.collection AS collection, m.record AS record, ranked.relevance AS relevance,"+
			" (SELECT named.name FROM `%[1]s` named WHERE named.rowid = ranked.doc) AS name"+
			" FROM ("+ranked+") ranked JOIN `%[6]s` m ON m.id = ranked.doc",
		Table, ShortTable, relevance, filter, order, MapTable)).Bind(withParam(params, "short", form)).All(&found)
	for _, c := range found {
		c.group = group
	}
	return found, err
}

// allowedOnly returns the first limit candidates, in their order, that the
// caller could list through the record API: each collection's list rule is
// applied exactly as PocketBase's list endpoint applies it (reading the ids
// only), so a rule that narrows what staff see (say, the records of their
// teams) narrows the search too. The rules are checked on the best
// candidates first, as many as the page still needs, then on more when some
// were refused, so that a page costs about its own size in rule checks.
func allowedOnly(app core.App, info *core.RequestInfo, found []*candidate, limit int) ([]*candidate, error) {
	var out []*candidate
	for next := 0; next < len(found) && len(out) < limit; {
		need := limit - len(out)
		if next > 0 {
			need *= 2 // some were refused: expect more to be
		}
		chunk := found[next:min(next+need, len(found))]
		next += len(chunk)
		byCollection := map[string][]any{}
		for _, c := range chunk {
			byCollection[c.Collection] = append(byCollection[c.Collection], c.Record)
		}
		ok := map[string]map[string]bool{}
		for name, ids := range byCollection {
			listable, err := listableIDs(app, info, name, ids)
			if err != nil {
				return nil, err
			}
			ok[name] = listable
		}
		for _, c := range chunk {
			if ok[c.Collection][c.Record] && len(out) < limit {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func listableIDs(app core.App, info *core.RequestInfo, name string, ids []any) (map[string]bool, error) {
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, nil // deleted since it was indexed
	}
	query := app.RecordQuery(collection).Select(collection.Name + ".id").Distinct(true).AndWhere(dbx.In(collection.Name+".id", ids...))
	if !info.HasSuperuserAuth() {
		if collection.ListRule == nil {
			return nil, nil // superusers only
		}
		if *collection.ListRule != "" {
			resolver := core.NewRecordFieldResolver(app, collection, info, true)
			expr, err := pbsearch.FilterData(*collection.ListRule).BuildExpr(resolver)
			if err != nil {
				return nil, err
			}
			query.AndWhere(expr)
			if err := resolver.UpdateQuery(query); err != nil {
				return nil, err
			}
		}
	}
	var listable []string
	if err := query.Column(&listable); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(listable))
	for _, id := range listable {
		out[id] = true
	}
	return out, nil
}

// withRecords loads the records of the page's hits (the rules were checked
// by allowedOnly) and fills their titles; a record deleted meanwhile drops
// out.
func withRecords(app core.App, hits []*candidate) ([]*candidate, error) {
	byCollection := map[string][]string{}
	for _, c := range hits {
		byCollection[c.Collection] = append(byCollection[c.Collection], c.Record)
	}
	records := map[string]*core.Record{}
	for name, ids := range byCollection {
		list, err := app.FindRecordsByIds(name, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			records[name+"/"+r.Id] = r
		}
	}
	out := hits[:0]
	for _, c := range hits {
		if r := records[c.Collection+"/"+c.Record]; r != nil {
			c.record = r
			_, c.title, c.subtitle = display(r)
			out = append(out, c)
		}
	}
	return out, nil
}

// display is what a hit shows: its name (for ranking), title and subtitle.
func display(r *core.Record) (name, title, subtitle string) {
	join := func(parts ...string) string {
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				kept = append(kept, p)
			}
		}
		return strings.Join(kept, " · ")
	}
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	switch r.Collection().Name {
	case crm.Contacts:
		name = r.GetString("name")
		return name, name, join(r.GetString("job_title"), r.GetString(crm.FieldEmail), or(r.GetString("mobile"), r.GetString("phone")))
	case crm.Companies:
		name = r.GetString("name")
		return name, name, join(r.GetString("domain"), r.GetString("city"), r.GetString("phone"))
	case crm.Deals:
		name = r.GetString("title")
		amount := ""
		if v := r.GetFloat("amount"); v > 0 {
			amount = strings.TrimSpace(strconv.FormatFloat(v, 'f', -1, 64) + " " + r.GetString("currency"))
		}
		return name, name, join(r.GetString("status"), amount)
	case crm.Cases:
		name = r.GetString("subject")
		return name, name, join(r.GetString("reference"), r.GetString("status_label"))
	case crm.Activities:
		name = r.GetString("subject")
		day := ""
		if t := r.GetDateTime("occurred_at"); !t.IsZero() {
			day = t.Time().Format("2006-01-02")
		}
		return name, or(name, r.GetString("type")), join(r.GetString("type"), day)
	}
	return "", r.Id, ""
}

// bodySnippets returns, for the hits whose body matched, a short excerpt of
// it around the match; FTS5 marks the match with control characters, which
// become <mark> once the text is HTML-escaped, so a body cannot inject markup.
// Only hits with some long text are read, each with the expression that
// found it. FTS5 looks a listed rowid up from scratch (about a millisecond
// each on a large index), so the newest hits of a form, which are the top
// of its matches, are read in one pass over their rowids' range; ranked
// hits, which may lie anywhere, are looked up.
func bodySnippets(app core.App, hits []*candidate) (map[int64]string, error) {
	out := map[int64]string{}
	type batch struct {
		form   string
		ranged bool
		docs   []any
		lo, hi int64
	}
	var batches []*batch
	byKey := map[string]*batch{}
	for _, h := range hits {
		if !hasBody(h.record) {
			continue
		}
		ranged := h.merges || h.group != groupRanked
		key := fmt.Sprint(ranged, h.form)
		b := byKey[key]
		if b == nil {
			b = &batch{form: h.form, ranged: ranged, lo: h.Doc, hi: h.Doc}
			byKey[key] = b
			batches = append(batches, b)
		}
		b.docs, b.lo, b.hi = append(b.docs, h.Doc), min(b.lo, h.Doc), max(b.hi, h.Doc)
	}
	for _, b := range batches {
		var rows []struct {
			Doc     int64  `db:"doc"`
			Snippet string `db:"snippet"`
		}
		q := app.DB().Select("rowid AS doc", fmt.Sprintf("snippet(`%s`, %d, char(2), char(3), '…', 16) AS snippet", Table, colBody)).
			From(Table).
			Where(dbx.NewExp("`"+Table+"` MATCH {:match}", dbx.Params{"match": b.form}))
		if b.ranged {
			// The unary + keeps the list a filter of the range's rows.
			in, params := make([]string, len(b.docs)), dbx.Params{"lo": b.lo, "hi": b.hi}
			for i, d := range b.docs {
				in[i] = fmt.Sprintf("{:d%d}", i)
				params[fmt.Sprintf("d%d", i)] = d
			}
			q.AndWhere(dbx.NewExp("rowid BETWEEN {:lo} AND {:hi} AND +rowid IN ("+strings.Join(in, ", ")+")", params))
		} else {
			q.AndWhere(dbx.In("rowid", b.docs...))
		}
		if err := q.All(&rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if strings.ContainsRune(r.Snippet, '\x02') {
				out[r.Doc] = strings.NewReplacer("\x02", "<mark>", "\x03", "</mark>").Replace(htmlEscape(r.Snippet))
			}
		}
	}
	return out, nil
}

// hasBody tells whether r has any of the long text its index entry's body
// column holds (its long fields and text custom fields).
func hasBody(r *core.Record) bool {
	if r == nil {
		return false
	}
	s, ok := sourceFor(r.Collection().Name)
	if !ok {
		return false
	}
	for _, f := range append(s.columns(r.Collection(), s.body), s.customFields(r.Collection())...) {
		if strings.TrimSpace(r.GetString(f)) != "" {
			return true
		}
	}
	return false
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
