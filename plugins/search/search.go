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
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	pbsearch "github.com/pocketbase/pocketbase/tools/search"

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
	hits, err := Search(e.App, info, p)
	if err != nil {
		return e.InternalServerError("The search failed.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": hits})
}

type candidate struct {
	Doc        int64   `db:"doc"`
	Collection string  `db:"collection"`
	Record     string  `db:"record"`
	Rank       float64 `db:"relevance"`
	group      int     // groupRanked, groupNewest or groupText (see candidates)
	tier       int
	title      string
	subtitle   string
}

// Search finds the records that match p.Q and that info's caller may list,
// best first: records whose name is the query, then whose name starts with
// it, then whose name holds every word of it, then the rest; in each tier
// what matched in names, titles, subjects, details, phones and tags comes
// first, in bm25 order (newest first when there are too many to rank),
// then what matched only in long text, newest first (see candidates). Score is the tier's bonus (1000 per tier above the last)
// plus the bm25 relevance (0 for long-text matches).
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
	found, err := candidates(app, q.match, filter, params)
	if err != nil {
		return nil, err
	}

	byCollection := map[string][]*candidate{}
	for _, c := range found {
		byCollection[c.Collection] = append(byCollection[c.Collection], c)
	}
	var allowed []*candidate
	for name, list := range byCollection {
		records, err := listable(app, info, name, list)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if r := records[c.Record]; r != nil {
				var recordName string
				recordName, c.title, c.subtitle = display(r)
				c.tier = nameTier(recordName, q.words)
				allowed = append(allowed, c)
			}
		}
	}
	slices.SortStableFunc(allowed, func(a, b *candidate) int {
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
	if len(allowed) > limit {
		allowed = allowed[:limit]
	}

	snippets, err := bodySnippets(app, q.match, allowed)
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
// of them, else the newest. Then the newest matches anywhere, long text
// included, unranked. Ranking every match of a common word (a word in a
// million timeline entries) takes seconds, and among thousands of matches
// the recent ones are what a person looks for; the name tiers of Search
// still put the records named like the query first. Both steps take more
// than a page, so that records the caller may not list do not leave the
// page short.
func candidates(app core.App, match, filter string, params dbx.Params) ([]*candidate, error) {
	short := dbx.Params{"short": "{name detail keys} : (" + match + ")", "most": rankAtMost + 1}
	for k, v := range params {
		short[k] = v
	}
	var matches int
	err := app.DB().NewQuery(fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM `%[1]s` WHERE `%[1]s` MATCH {:short} LIMIT {:most})", Table)).
		Bind(short).Row(&matches)
	if err != nil {
		return nil, err
	}
	relevance, order, group := bm25, "relevance", groupRanked
	if matches > rankAtMost {
		relevance, order, group = "0", "`"+Table+"`.rowid DESC", groupNewest
	}
	var found []*candidate
	err = app.DB().NewQuery(fmt.Sprintf(
		"SELECT `%[1]s`.rowid AS doc, m.collection AS collection, m.record AS record, %[3]s AS relevance"+
			" FROM `%[1]s` JOIN `%[2]s` m ON m.id = `%[1]s`.rowid"+
			" WHERE `%[1]s` MATCH {:short}%[4]s ORDER BY %[5]s LIMIT {:n}",
		Table, MapTable, relevance, filter, order)).Bind(short).All(&found)
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(found))
	for _, c := range found {
		c.group = group
		seen[c.Doc] = true
	}
	// Long-text matches rank after these: with n of them there is no room.
	if n, _ := params["n"].(int); len(found) >= n {
		return found, nil
	}
	var newest []*candidate
	err = app.DB().NewQuery(fmt.Sprintf(
		"SELECT `%[1]s`.rowid AS doc, m.collection AS collection, m.record AS record, 0 AS relevance"+
			" FROM `%[1]s` JOIN `%[2]s` m ON m.id = `%[1]s`.rowid"+
			" WHERE `%[1]s` MATCH {:match}%[3]s ORDER BY `%[1]s`.rowid DESC LIMIT {:n}",
		Table, MapTable, filter)).Bind(params).All(&newest)
	if err != nil {
		return nil, err
	}
	for _, c := range newest {
		if !seen[c.Doc] {
			c.group = groupText
			found = append(found, c)
		}
	}
	return found, nil
}

// listable loads the candidates of one collection that the caller could
// list through the record API: the collection's list rule is applied exactly
// as PocketBase's list endpoint applies it, so a rule that narrows what staff
// see (say, cases of their own team) narrows the search too. Today all five
// collections list everything to staff, so nothing is dropped for them.
func listable(app core.App, info *core.RequestInfo, name string, list []*candidate) (map[string]*core.Record, error) {
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, nil // deleted since it was indexed
	}
	ids := make([]any, len(list))
	for i, c := range list {
		ids[i] = c.Record
	}
	query := app.RecordQuery(collection).AndWhere(dbx.In(collection.Name+".id", ids...))
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
	var records []*core.Record
	if err := query.All(&records); err != nil {
		return nil, err
	}
	out := make(map[string]*core.Record, len(records))
	for _, r := range records {
		out[r.Id] = r
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
func bodySnippets(app core.App, match string, hits []*candidate) (map[int64]string, error) {
	out := map[int64]string{}
	var docs []any
	for _, h := range hits {
		if s, _ := sourceFor(h.Collection); len(s.body) > 0 {
			docs = append(docs, h.Doc)
		}
	}
	if len(docs) == 0 {
		return out, nil
	}
	var rows []struct {
		Doc     int64  `db:"doc"`
		Snippet string `db:"snippet"`
	}
	err := app.DB().Select("rowid AS doc", fmt.Sprintf("snippet(`%s`, %d, char(2), char(3), '…', 16) AS snippet", Table, colBody)).
		From(Table).
		Where(dbx.NewExp("`"+Table+"` MATCH {:match}", dbx.Params{"match": match})).
		AndWhere(dbx.In("rowid", docs...)).
		All(&rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if strings.ContainsRune(r.Snippet, '\x02') {
			out[r.Doc] = strings.NewReplacer("\x02", "<mark>", "\x03", "</mark>").Replace(htmlEscape(r.Snippet))
		}
	}
	return out, nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
