package search

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// The index lives in SQLite itself and SQLite triggers keep it: every door
// that writes a row (record API, app.Save, a raw bulk INSERT of the demo or an
// import, the sqlite3 shell) updates it in the same statement, so it commits
// and rolls back with the write. Go code only keeps the triggers in step with
// the collections' fields.
const (
	// Table is the FTS5 index: one row per indexed record.
	Table = "_crm_search"
	// MapTable ties an index row (its rowid) to a record: the records' own
	// rowids are not stable (VACUUM may renumber them) and their ids are text.
	MapTable = "_crm_search_map"
	// ShortTable indexes the short columns of Table's rows again (name,
	// detail, keys; no body), under the same rowids, without a copy of their
	// text (contentless: the text is Table's). The search ranks the matches
	// in the short columns here: in Table, a column filter makes FTS5 read
	// every match's position list to pick out the columns, and bm25's weight
	// of each word walks the word's whole list the same way, which for a
	// full name of common words at a million records cost about a third of
	// the search (bench part 3b). See pb_migrations/1764007000.
	ShortTable = "_crm_search_short"
)

// CreateTablesSQL creates the index tables. The tokenizer folds case and
// accents (João = joao); the prefix indexes keep 2- and 3-letter prefix
// queries cheap.
var CreateTablesSQL = []string{
	"CREATE TABLE `" + MapTable + "` (id INTEGER PRIMARY KEY, collection TEXT NOT NULL, record TEXT NOT NULL, UNIQUE (collection, record))",
	"CREATE VIRTUAL TABLE `" + Table + "` USING fts5(name, detail, body, keys, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
}

// CreateShortTableSQL creates ShortTable (see there), with Table's tokenizer
// and prefix indexes. A row of it is deleted with FTS5's 'delete' command
// and the words it was given, read from Table's row before that row goes
// (shortDeleteSQL): knowing them, FTS5's secure-delete takes them out of
// the index's pages, as in Table (erasure).
const CreateShortTableSQL = "CREATE VIRTUAL TABLE `" + ShortTable + "` USING fts5(name, detail, keys, content = '', " +
	"tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"

// shortDeleteSQL deletes ShortTable's rows of the Table rows that meet
// where; it must run before they leave Table.
func shortDeleteSQL(where string) string {
	return fmt.Sprintf("INSERT INTO `%[1]s` (`%[1]s`, rowid, name, detail, keys) SELECT 'delete', rowid, name, detail, keys FROM `%[2]s` WHERE %[3]s",
		ShortTable, Table, where)
}

// Table's columns, in table order: names, titles and subjects, the short
// details (email, job title, reference), long text, phones and tags.
// ShortTable has the same without the body.
const (
	colName   = 0
	colDetail = 1
	colBody   = 2
	colKeys   = 3
	// bm25 ranks the matches in ShortTable, with its columns' weights: names
	// first, then phones and tags, then the details. (Long text, in Table
	// only, is never ranked: see candidates.)
	bm25 = "bm25(`" + ShortTable + "`, 10.0, 4.0, 5.0)"
)

// source says which fields of a collection feed which index column.
type source struct {
	collection string
	name       []string // the record's name, title or subject
	detail     []string // short text: job title, email, domain, reference
	body       []string // long text
	phones     []string // also indexed as digit strings, see phoneKeys
	tags       []string // JSON arrays of words
	// skipUnless names a field that must be empty for a row to be indexed:
	// the timeline entries the system writes (event set) repeat what the
	// records they follow already say, and would bury what people wrote.
	skipUnless string
	// custom: the collection's custom fields of text kinds (text, long
	// text, phone, email, URL) are indexed too, after the body (customText).
	custom bool
}

var sources = []source{
	{collection: crm.Contacts, name: []string{"name"}, detail: []string{"job_title", crm.FieldEmail}, phones: []string{"phone", "mobile"}, tags: []string{"tags"}, custom: true},
	{collection: crm.Companies, name: []string{"name"}, detail: []string{"domain", "city"}, phones: []string{"phone"}, custom: true},
	{collection: crm.Deals, name: []string{"title"}, custom: true},
	{collection: crm.Cases, name: []string{"subject"}, detail: []string{"reference"}, body: []string{"description"}, custom: true},
	{collection: crm.Activities, name: []string{"subject"}, body: []string{"body"}, skipUnless: "event"},
}

// Collections are the collections the index covers.
func Collections() []string {
	out := make([]string, len(sources))
	for i, s := range sources {
		out[i] = s.collection
	}
	return out
}

func sourceFor(name string) (source, bool) {
	for _, s := range sources {
		if s.collection == name {
			return s, true
		}
	}
	return source{}, false
}

// columns keeps the fields the collection really has (a business may remove
// one) and that are not hidden (the index must not reveal what the API hides).
func (s source) columns(c *core.Collection, names []string) []string {
	var out []string
	for _, n := range names {
		if f := c.Fields.GetByName(n); f != nil && !f.GetHidden() {
			out = append(out, n)
		}
	}
	return out
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func textOf(row string, cols []string) string {
	if len(cols) == 0 {
		return "''"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = row + "." + quoteIdent(c)
	}
	return "concat_ws(' ', " + strings.Join(parts, ", ") + ")"
}

// Phone numbers are stored in E.164 (+5511987654321) but typed in any local
// spelling: (11) 98765-4321, 11987654321, 98765-4321. Each spelling's digits
// are a suffix of the stored digits, so the index holds every suffix of 7 to
// 15 digits as a token and the query side joins a typed number's digits into
// one token (see parseQuery).
const minPhoneDigits, maxPhoneDigits = 7, 15

func phoneKeys(row, col string) string {
	digits := "coalesce(" + row + "." + quoteIdent(col) + ", '')"
	for _, sep := range []string{"+", " ", "-", "(", ")", ".", "/"} {
		digits = "replace(" + digits + ", '" + sep + "', '')"
	}
	var suffixes []string
	for k := minPhoneDigits; k <= maxPhoneDigits; k++ {
		suffixes = append(suffixes, fmt.Sprintf("CASE WHEN length(d) >= %d THEN substr(d, -%d) END", k, k))
	}
	// json_each hands d over as a column, computed once; a plain subquery
	// would be flattened and the replace chain run once per suffix.
	return fmt.Sprintf("(SELECT concat_ws(' ', %s) FROM (SELECT value AS d FROM json_each(json_array(%s))) WHERE length(d) BETWEEN %d AND %d AND d NOT GLOB '*[^0-9]*')",
		strings.Join(suffixes, ", "), digits, minPhoneDigits, maxPhoneDigits)
}

func tagWords(row, col string) string {
	v := row + "." + quoteIdent(col)
	return fmt.Sprintf("(SELECT group_concat(value, ' ') FROM json_each(CASE WHEN json_valid(%s) THEN %s ELSE '[]' END))", v, v)
}

// values are the SQL expressions of the four index columns for a row alias.
func (s source) values(c *core.Collection, row string) []string {
	var keys []string
	for _, p := range s.columns(c, s.phones) {
		keys = append(keys, row+"."+quoteIdent(p), phoneKeys(row, p))
	}
	for _, t := range s.columns(c, s.tags) {
		keys = append(keys, tagWords(row, t))
	}
	keysSQL := "''"
	if len(keys) > 0 {
		keysSQL = "concat_ws(' ', " + strings.Join(keys, ", ") + ")"
	}
	return []string{
		textOf(row, s.columns(c, s.name)),
		textOf(row, s.columns(c, s.detail)),
		textOf(row, s.columns(c, s.body)) + s.customText(c, row),
		keysSQL,
	}
}

// Custom fields of text kinds go into the body column, each as a piece of
// its own (customPiece) appended to the body's expression. A field just
// added is empty on every row, so adding it changes no row's entry, and a
// renamed one keeps its words: ensure compares the triggers without these
// pieces and rebuilds the entries only when something else changed. Before
// a field is deleted, plugins/customfields empties it on the rows that
// held a value, so that only those entries are rewritten by the triggers.
func (s source) customFields(c *core.Collection) []string {
	if !s.custom {
		return nil
	}
	var out []string
	for _, f := range c.Fields {
		if !crm.IsCustomField(f.GetName()) || f.GetHidden() {
			continue
		}
		switch f.(type) {
		case *core.TextField, *core.EmailField, *core.URLField:
			out = append(out, f.GetName())
		}
	}
	return out
}

func (s source) customText(c *core.Collection, row string) string {
	var b strings.Builder
	for _, name := range s.customFields(c) {
		fmt.Fprintf(&b, customPiece, row+"."+quoteIdent(name))
	}
	return b.String()
}

const customPiece = " || coalesce(' ' || %s, '')"

var (
	customPieceSQL   = regexp.MustCompile(` \|\| coalesce\(' ' \|\| (?:new|old|t)\.` + "`" + crm.CustomFieldPrefix + "[^`]*`" + `, ''\)`)
	customWatchedSQL = regexp.MustCompile(", `" + crm.CustomFieldPrefix + "[^`]*`")
)

// withoutCustom is a collection's triggers without their custom fields.
func withoutCustom(triggers map[string]string) map[string]string {
	out := make(map[string]string, len(triggers))
	for name, sql := range triggers {
		out[name] = customWatchedSQL.ReplaceAllString(customPieceSQL.ReplaceAllString(sql, ""), "")
	}
	return out
}

// kept is the SQL condition a row must meet to be indexed ("1" for all rows).
func (s source) kept(c *core.Collection, row string) string {
	if s.skipUnless == "" || c.Fields.GetByName(s.skipUnless) == nil {
		return "1"
	}
	return row + "." + quoteIdent(s.skipUnless) + " = ''"
}

func (s source) watched(c *core.Collection) []string {
	cols := []string{"id"}
	if s.kept(c, "new") != "1" {
		cols = append(cols, s.skipUnless)
	}
	for _, group := range [][]string{s.name, s.detail, s.body, s.phones, s.tags} {
		cols = append(cols, s.columns(c, group)...)
	}
	return append(cols, s.customFields(c)...)
}

func triggerName(collection, suffix string) string {
	return Table + "_" + collection + "_" + suffix
}

func triggerNames(collection string) []string {
	return []string{triggerName(collection, "ai"), triggerName(collection, "au"), triggerName(collection, "ad")}
}

// triggers returns the CREATE TRIGGER statements for c, keyed by name. An
// insert first removes any entry of the same id, so INSERT OR REPLACE (which
// fires no delete trigger) cannot leave a stale row or break the map's key.
func (s source) triggers(c *core.Collection) map[string]string {
	coll := quoteText(c.Name)
	table := quoteIdent(c.Name)
	forget := func(row string) string {
		entry := fmt.Sprintf("rowid = (SELECT id FROM `%s` WHERE collection = %s AND record = %s.id)", MapTable, coll, row)
		return shortDeleteSQL(entry) + ";\n" +
			fmt.Sprintf("DELETE FROM `%s` WHERE %s;\n", Table, entry) +
			fmt.Sprintf("DELETE FROM `%s` WHERE collection = %s AND record = %s.id;\n", MapTable, coll, row)
	}
	// The short columns are copied from the row just written (its stored
	// text) rather than worked out again from the record's fields.
	add := fmt.Sprintf("INSERT INTO `%[1]s` (collection, record) SELECT %[2]s, new.id WHERE %[3]s;\n"+
		"INSERT INTO `%[4]s` (rowid, name, detail, body, keys) SELECT last_insert_rowid(), %[5]s WHERE %[3]s;\n"+
		"INSERT INTO `%[6]s` (rowid, name, detail, keys) SELECT rowid, name, detail, keys FROM `%[4]s` WHERE %[3]s AND rowid = last_insert_rowid();\n",
		MapTable, coll, s.kept(c, "new"), Table, strings.Join(s.values(c, "new"), ", "), ShortTable)
	watched := make([]string, 0)
	for _, w := range s.watched(c) {
		watched = append(watched, quoteIdent(w))
	}
	return map[string]string{
		triggerName(c.Name, "ai"): fmt.Sprintf("CREATE TRIGGER `%s` AFTER INSERT ON %s BEGIN\n%s%sEND",
			triggerName(c.Name, "ai"), table, forget("new"), add),
		triggerName(c.Name, "au"): fmt.Sprintf("CREATE TRIGGER `%s` AFTER UPDATE OF %s ON %s BEGIN\n%s%sEND",
			triggerName(c.Name, "au"), strings.Join(watched, ", "), table, forget("old"), add),
		triggerName(c.Name, "ad"): fmt.Sprintf("CREATE TRIGGER `%s` AFTER DELETE ON %s BEGIN\n%sEND",
			triggerName(c.Name, "ad"), table, forget("old")),
	}
}

// Installed tells whether the index tables exist (the search migrations
// ran: ShortTable came after the others).
func Installed(app core.App) bool {
	return app.HasTable(Table) && app.HasTable(MapTable) && app.HasTable(ShortTable)
}

func currentTriggers(app core.App, collection string) (map[string]string, error) {
	var rows []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	names := triggerNames(collection)
	err := app.DB().Select("name", "sql").From("sqlite_master").
		Where(dbx.HashExp{"type": "trigger", "name": []any{names[0], names[1], names[2]}}).All(&rows)
	out := map[string]string{}
	for _, r := range rows {
		out[r.Name] = r.SQL
	}
	return out, err
}

func exec(app core.App, query string) error {
	_, err := app.DB().NewQuery(query).Execute()
	return err
}

func dropTriggers(app core.App, collection string) error {
	for _, name := range triggerNames(collection) {
		if err := exec(app, "DROP TRIGGER IF EXISTS "+quoteIdent(name)); err != nil {
			return err
		}
	}
	return nil
}

// forget removes a collection's entries from the index.
func forget(app core.App, collection string) error {
	entries := fmt.Sprintf("rowid IN (SELECT id FROM `%s` WHERE collection = %s)", MapTable, quoteText(collection))
	if err := exec(app, shortDeleteSQL(entries)); err != nil {
		return err
	}
	if err := exec(app, "DELETE FROM `"+Table+"` WHERE "+entries); err != nil {
		return err
	}
	return exec(app, fmt.Sprintf("DELETE FROM `%s` WHERE collection = %s", MapTable, quoteText(collection)))
}

// Reindex rebuilds a collection's entries from its table.
func Reindex(app core.App, collection string) error {
	s, ok := sourceFor(collection)
	if !ok {
		return fmt.Errorf("search: %s is not indexed", collection)
	}
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	return reindex(app, s, c)
}

func reindex(app core.App, s source, c *core.Collection) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := forget(tx, c.Name); err != nil {
			return err
		}
		coll, table := quoteText(c.Name), quoteIdent(c.Name)
		if err := exec(tx, fmt.Sprintf("INSERT INTO `%s` (collection, record) SELECT %s, id FROM %s t WHERE %s", MapTable, coll, table, s.kept(c, "t"))); err != nil {
			return err
		}
		if err := exec(tx, fmt.Sprintf("INSERT INTO `%s` (rowid, name, detail, body, keys) SELECT m.id, %s FROM %s t JOIN `%s` m ON m.collection = %s AND m.record = t.id",
			Table, strings.Join(s.values(c, "t"), ", "), table, MapTable, coll)); err != nil {
			return err
		}
		return exec(tx, copyShortSQL("rowid IN (SELECT id FROM `"+MapTable+"` WHERE collection = "+coll+")"))
	})
}

// ensure makes c's triggers what its fields call for (creating them when
// missing), and rebuilds c's entries when they differ from before, the
// triggers as they were when c's table last changed.
func ensure(app core.App, c *core.Collection, before map[string]string) error {
	s, ok := sourceFor(c.Name)
	if !ok || c.IsView() {
		return nil
	}
	want := s.triggers(c)
	now, err := currentTriggers(app, c.Name)
	if err != nil {
		return err
	}
	changed := !sameTriggers(withoutShort(withoutCustom(before)), withoutShort(withoutCustom(want)))
	if !changed && sameTriggers(now, want) {
		return nil
	}
	if err := dropTriggers(app, c.Name); err != nil {
		return err
	}
	for _, name := range triggerNames(c.Name) {
		if err := exec(app, want[name]); err != nil {
			return fmt.Errorf("search: trigger %s: %w", name, err)
		}
	}
	if changed {
		return reindex(app, s, c)
	}
	return nil
}

// copyShortSQL copies the short columns of Table's rows that meet where
// into ShortTable.
func copyShortSQL(where string) string {
	return fmt.Sprintf("INSERT INTO `%s` (rowid, name, detail, keys) SELECT rowid, name, detail, keys FROM `%s` WHERE %s ORDER BY rowid",
		ShortTable, Table, where)
}

// withoutShort is a collection's triggers without their statements on
// ShortTable: triggers made before it existed index the same text, so
// their Table statements alone say whether the entries must be rebuilt.
func withoutShort(triggers map[string]string) map[string]string {
	out := make(map[string]string, len(triggers))
	for name, sql := range triggers {
		lines := strings.SplitAfter(sql, "\n")
		kept := lines[:0]
		for _, l := range lines {
			if !strings.Contains(l, "`"+ShortTable+"`") {
				kept = append(kept, l)
			}
		}
		out[name] = strings.Join(kept, "")
	}
	return out
}

// AddShortTable creates ShortTable in an index made before it, fills it
// from Table's rows and makes the triggers keep it: the migration that
// brought it in. Nothing is indexed again; on a database without the index
// yet (a new one), Sync then makes the triggers and indexes every record.
func AddShortTable(app core.App) error {
	if !app.HasTable(Table) || !app.HasTable(MapTable) {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		if !tx.HasTable(ShortTable) {
			if err := exec(tx, CreateShortTableSQL); err != nil {
				return err
			}
			// As Table since pb_migrations/1764006101: a deleted row's
			// words leave the index's pages at once (erasure).
			if err := exec(tx, SecureDeleteSQL(ShortTable, true)); err != nil {
				return err
			}
			if err := exec(tx, copyShortSQL("1")); err != nil {
				return err
			}
			// One segment instead of the many the copy flushed: merging
			// them bit by bit would fall on the next writes (a contact
			// create at a million cost about 30% more for a while).
			if err := exec(tx, "INSERT INTO `"+ShortTable+"`(`"+ShortTable+"`) VALUES('optimize')"); err != nil {
				return err
			}
		}
		return Sync(tx)
	})
}

// SecureDeleteSQL turns FTS5's secure-delete on or off for one of the
// index's tables.
func SecureDeleteSQL(table string, on bool) string {
	v := "0"
	if on {
		v = "1"
	}
	return "INSERT INTO `" + table + "`(`" + table + "`, rank) VALUES('secure-delete', " + v + ")"
}

func sameTriggers(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for name, sql := range a {
		if b[name] != sql {
			return false
		}
	}
	return true
}

// Sync brings every indexed collection's triggers and entries up to date. It
// writes nothing when they already are, so it is cheap to run at every start.
func Sync(app core.App) error {
	if !Installed(app) {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		for _, s := range sources {
			before, err := currentTriggers(tx, s.collection)
			if err != nil {
				return err
			}
			c, err := tx.FindCollectionByNameOrId(s.collection)
			if errors.Is(err, sql.ErrNoRows) {
				if err := dropTriggers(tx, s.collection); err != nil {
					return err
				}
				if err := forget(tx, s.collection); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if err := ensure(tx, c, before); err != nil {
				return err
			}
		}
		return nil
	})
}

// Uninstall drops every trigger of the index (the tables are the migration's).
func Uninstall(app core.App) error {
	for _, s := range sources {
		if err := dropTriggers(app, s.collection); err != nil {
			return err
		}
	}
	return nil
}

// keepTriggers wraps a collection's create or update. SQLite refuses to drop
// a column a trigger names (PocketBase drops and renames columns when fields
// are removed or change between single and multiple), and a new collection
// has no triggers yet; so the triggers are dropped before PocketBase changes
// the table and made again from the new fields after, in one transaction.
// ADD COLUMN alone would keep them, but their column list must follow anyway.
func keepTriggers(e *core.CollectionEvent) error {
	if e.Collection.IsView() {
		return e.Next()
	}
	oldName := ""
	if !e.Collection.IsNew() {
		if old, err := e.App.FindCachedCollectionByNameOrId(e.Collection.Id); err == nil {
			oldName = old.Name
		}
	}
	_, wasIndexed := sourceFor(oldName)
	_, isIndexed := sourceFor(e.Collection.Name)
	if !wasIndexed && !isIndexed {
		return e.Next()
	}
	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if !Installed(tx) {
			return e.Next()
		}
		var before map[string]string
		if wasIndexed {
			var err error
			if before, err = currentTriggers(tx, oldName); err != nil {
				return err
			}
			if err := dropTriggers(tx, oldName); err != nil {
				return err
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		if wasIndexed && oldName != e.Collection.Name {
			if err := forget(tx, oldName); err != nil {
				return err
			}
			before = nil
		}
		return ensure(tx, e.Collection, before)
	})
}

// forgetCollection drops a deleted collection's entries (its triggers went
// with its table).
func forgetCollection(e *core.CollectionEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	if _, ok := sourceFor(e.Collection.Name); ok && Installed(e.App) {
		return forget(e.App, e.Collection.Name)
	}
	return nil
}
