package importer

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Kinds, modes, duplicate policies, formats, layouts and job statuses: the
// values of the import_jobs fields.
const (
	KindContacts  = "contacts"
	KindCompanies = "companies"

	ModeDryRun       = "dry_run"        // report what would happen, write nothing
	ModeAllOrNothing = "all_or_nothing" // one transaction: any bad row, nothing written
	ModeValidOnly    = "valid_only"     // write the good rows, report the others

	DupSkip      = "skip"      // keep the existing record as it is
	DupFill      = "fill"      // fill the existing record's empty fields
	DupOverwrite = "overwrite" // replace the existing record's fields with the file's non-empty ones
	DupCreate    = "create"    // create a new record anyway

	FormatCSV   = "csv"
	FormatVCard = "vcard"

	LayoutGoogle  = "google"
	LayoutOutlook = "outlook"
	LayoutHubSpot = "hubspot"
	LayoutGeneric = "generic"
	LayoutVCard   = "vcard"
	LayoutMapped  = "mapped"

	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

var (
	Kinds        = []string{KindContacts, KindCompanies}
	Modes        = []string{ModeDryRun, ModeAllOrNothing, ModeValidOnly}
	OnDuplicates = []string{DupSkip, DupFill, DupOverwrite, DupCreate}
	Formats      = []string{FormatCSV, FormatVCard}
	Layouts      = []string{LayoutGoogle, LayoutOutlook, LayoutHubSpot, LayoutGeneric, LayoutVCard, LayoutMapped}
	Statuses     = []string{StatusQueued, StatusRunning, StatusDone, StatusFailed}
)

// MaxReportedProblems is how many errors (and duplicates) a report keeps;
// the full error list goes to Options.OnProblem (the job's errors.csv).
const MaxReportedProblems = 200

// Options of one import.
type Options struct {
	Kind        string
	Mode        string
	OnDuplicate string
	Mapping     map[string]string // file column -> field; nil: recognise the layout
	Country     string            // ISO 3166 alpha-2 for phone numbers without a country code
	// OnStart is called once the file's format and layout are known.
	OnStart func(*Result)
	// OnProgress is called at most every ProgressEvery while rows are read.
	OnProgress func(*Result)
	// OnProblem receives every error with the value at fault.
	OnProblem func(Problem)
}

// ProgressEvery is the least time between two progress calls.
var ProgressEvery = 250 * time.Millisecond

// Counts of what an import did (or, in a dry run or a rolled back run,
// would have done).
type Counts struct {
	Processed        int64 `json:"processed"`
	Created          int64 `json:"created"`
	Updated          int64 `json:"updated"`
	Skipped          int64 `json:"skipped"`
	Duplicate        int64 `json:"duplicate"`
	Errors           int64 `json:"errors"`
	CompaniesCreated int64 `json:"companies_created"`
}

// Result is an import's report.
type Result struct {
	Format     string            `json:"format"`
	Layout     string            `json:"layout"`
	Dialect    *Dialect          `json:"-"`
	Mapping    map[string]string `json:"mapping"`
	Counts                       // as computed, whether or not written
	Errors     []Problem         `json:"errors"`     // the first MaxReportedProblems
	Duplicates []Problem         `json:"duplicates"` // the first MaxReportedProblems
	Written    bool              `json:"written"`    // committed (in valid_only, at least the last batch)
}

// Report is the result as the job's report field holds it.
func (r *Result) Report(mode string) map[string]any {
	out := map[string]any{
		"summary": r.Counts, "format": r.Format, "layout": r.Layout, "mapping": r.Mapping,
		"errors": nonNil(r.Errors), "duplicates": nonNil(r.Duplicates), "written": r.Written, "mode": mode,
	}
	if r.Dialect != nil {
		out["dialect"] = r.Dialect.describe()
	}
	return out
}

func nonNil(p []Problem) []Problem {
	if p == nil {
		return []Problem{}
	}
	return p
}

// ErrFile wraps what makes a whole file unreadable (as opposed to errors of
// single rows, which are counted and reported).
type ErrFile struct{ Err error }

func (e *ErrFile) Error() string { return e.Err.Error() }
func (e *ErrFile) Unwrap() error { return e.Err }

// Open reads a file's first bytes and returns the source of its rows.
func open(r io.Reader, opts Options, res *Result) (source, error) {
	br := bufio.NewReaderSize(r, SniffSize)
	head, _ := br.Peek(SniffSize)
	d, err := DetectDialect(head)
	if err != nil {
		return nil, &ErrFile{err}
	}
	res.Dialect = &d
	if IsVCard(head) {
		if opts.Kind != KindContacts {
			return nil, &ErrFile{errors.New("a vCard file holds contacts: import it as contacts")}
		}
		res.Format, res.Layout = FormatVCard, LayoutVCard
		res.Mapping = map[string]string{"FN/N": "name", "EMAIL": "email", "TEL": "phone/mobile", "ORG": "company", "TITLE": "job_title", "ADR": "address", "CATEGORIES": "tags"}
		return newVCardSource(br, d), nil
	}
	s, err := newCSVSource(br, d, opts.Kind, opts.Mapping)
	if err != nil {
		return nil, &ErrFile{err}
	}
	res.Format, res.Layout, res.Mapping = FormatCSV, s.layout.name, s.layout.mapping
	return s, nil
}

// Validate checks opts' values.
func (o Options) Validate() error {
	switch {
	case !slices.Contains(Kinds, o.Kind):
		return fmt.Errorf("kind must be one of %s, not %q", strings.Join(Kinds, ", "), o.Kind)
	case !slices.Contains(Modes, o.Mode):
		return fmt.Errorf("mode must be one of %s, not %q", strings.Join(Modes, ", "), o.Mode)
	case !slices.Contains(OnDuplicates, o.OnDuplicate):
		return fmt.Errorf("on_duplicate must be one of %s, not %q", strings.Join(OnDuplicates, ", "), o.OnDuplicate)
	}
	return CheckMapping(o.Kind, o.Mapping)
}

// Run imports the rows of r into app, streaming: memory does not grow with
// the file. Rows are written with multi-row INSERTs (the search index's
// triggers fire as for any write); duplicates are found through a table of
// keys (email, E.164 phone, name + company; see NameKey) filled from the
// database first and from the file as it goes, so duplicates within the file
// are found as well as those already stored.
//
// A dry run and an all-or-nothing run are one transaction, so they hold the
// database's single writer connection for their whole run (other writes
// wait): rolled back at the end of a dry run, and of an all-or-nothing run
// that met a bad row. A valid-only run commits every BatchRows rows and
// gives the connection back between batches, so other writes run between.
// The error return is for what stops the import as a whole (a file that is
// not a table, a database failure, ctx done); bad rows are in the Result.
func Run(ctx context.Context, app core.App, r io.Reader, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	res := &Result{}
	src, err := open(r, opts, res)
	if err != nil {
		return res, err
	}
	if opts.OnStart != nil {
		opts.OnStart(res)
	}
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return res, fmt.Errorf("import needs the app's own database, not a transaction")
	}
	w := &run{ctx: ctx, db: db.DB(), opts: opts, res: res, pending: map[string]hit{},
		keysTable: keysTablePrefix + core.GenerateDefaultRandomId()}
	defer w.close()
	if err := w.acquire(); err != nil {
		return res, err
	}
	if err := w.begin(); err != nil {
		return res, err
	}
	if err := w.prepare(app); err != nil {
		w.rollback()
		return res, err
	}
	last := time.Now()
	for n := 0; ; n++ {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.rollback()
			return res, &ErrFile{err}
		}
		res.Processed++
		if err := w.row(row); err != nil {
			w.rollback()
			return res, err
		}
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				w.rollback()
				return res, err
			}
			if opts.OnProgress != nil && time.Since(last) >= ProgressEvery {
				last = time.Now()
				opts.OnProgress(res)
			}
		}
		if opts.Mode == ModeValidOnly && w.inTx >= BatchRows {
			if err := w.commit(); err != nil {
				return res, err
			}
			// Between batches the pool's one connection is free for the
			// app's other writes. The key table is a table of the main
			// database, so it does not depend on getting the same
			// physical connection back.
			if err := w.acquire(); err != nil {
				return res, err
			}
			if err := w.begin(); err != nil {
				return res, err
			}
		}
	}
	if err := w.flush(); err != nil {
		w.rollback()
		return res, err
	}
	if opts.Mode == ModeDryRun || (opts.Mode == ModeAllOrNothing && res.Counts.Errors > 0) {
		return res, w.rollback()
	}
	if err := w.commit(); err != nil {
		return res, err
	}
	res.Written = true
	return res, nil
}

// BatchRows is how many rows a valid-only run writes per transaction.
var BatchRows = 20000

// hit is a key found: the record it belongs to, and the file line that
// made it (0: the record was in the database before).
type hit struct {
	id   string
	line int
	key  string
}

type run struct {
	ctx     context.Context
	db      *sql.DB   // PocketBase's nonconcurrent pool: one connection
	conn    *sql.Conn // taken from db while a transaction is open
	opts    Options
	res     *Result
	inTx    int
	open    bool
	pending map[string]hit // keys queued in keyRows, not yet in the table

	// keysTable is a regular table of the main database, made and dropped
	// by the run (a name of its own: valid-only runs may overlap between
	// batches). A TEMP table grew the process's memory with the file (about
	// 0.2 KB a row, in SQLite's allocations, though temp_store was FILE);
	// in the main database its pages go through the main page cache,
	// which is bounded, and memory stays flat.
	keysTable string
	records   *bulk // contacts or companies
	keyRows   *bulk
	lookup    *sql.Stmt
	staff     map[string]string // email and folded name -> staff id
	now       string
}

// keysTablePrefix names the runs' key tables; those a stopped server left
// are dropped when it starts again (dropLeftKeyTables).
const keysTablePrefix = "_vinculo_import_keys_"

var contactColumns = []string{"id", "name", "email", "phone", "mobile", "job_title", "address", "company", "owner", "stage", "tags", "source", "created", "updated"}
var companyColumns = []string{"id", "name", "domain", "phone", "address", "city", "country", "industry", "created", "updated"}

func (w *run) exec(q string, args ...any) error {
	_, err := w.conn.ExecContext(w.ctx, q, args...)
	return err
}

// acquire takes the pool's connection (again) and prepares the statements
// on it; a valid-only run gives it back after each commit (release).
func (w *run) acquire() error {
	w.release()
	conn, err := w.db.Conn(w.ctx)
	if err != nil {
		return err
	}
	w.conn = conn
	if w.records == nil { // prepare has not run yet
		return nil
	}
	w.records.use(conn)
	w.keyRows.use(conn)
	return w.prepareLookup()
}

// release gives the connection back to the pool (outside a transaction).
func (w *run) release() {
	if w.conn == nil {
		return
	}
	if w.lookup != nil {
		w.lookup.Close()
		w.lookup = nil
	}
	if w.records != nil {
		w.records.close()
		w.keyRows.close()
	}
	w.conn.Close()
	w.conn = nil
}

func (w *run) prepareLookup() (err error) {
	w.lookup, err = w.conn.PrepareContext(w.ctx, "SELECT k, id, line FROM `"+w.keysTable+"` WHERE k IN (?, ?, ?, ?)")
	return err
}

func (w *run) begin() error {
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	w.open, w.inTx = true, 0
	w.now = time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	return nil
}

func (w *run) commit() error {
	if err := w.flush(); err != nil {
		w.rollback()
		return err
	}
	if err := w.exec("COMMIT"); err != nil {
		w.rollback()
		return err
	}
	w.open = false
	w.release()
	return nil
}

func (w *run) rollback() error {
	if !w.open {
		return nil
	}
	w.open = false
	w.pending = map[string]hit{}
	if w.records != nil {
		w.records.reset()
		w.keyRows.reset()
	}
	return w.exec("ROLLBACK")
}

func (w *run) close() {
	if w.conn != nil {
		w.rollback()
	}
	w.release()
	// A fresh context: the job's may be done, and the table must go. (In
	// a one-transaction run that was rolled back, it is gone already.)
	w.db.ExecContext(context.Background(), "DROP TABLE IF EXISTS `"+w.keysTable+"`")
}

// dropLeftKeyTables drops the key tables of runs a stopped server left.
func dropLeftKeyTables(app core.App) error {
	var names []string
	err := app.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE {:p}").
		Bind(dbx.Params{"p": keysTablePrefix + "%"}).Column(&names)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := app.NonconcurrentDB().NewQuery("DROP TABLE IF EXISTS `" + n + "`").Execute(); err != nil {
			return err
		}
	}
	return nil
}

// prepare makes the key table and fills it from the database.
func (w *run) prepare(app core.App) error {
	// Keys are stored as 64-bit hashes (keyHash): half the size of the
	// text.
	if err := w.exec("CREATE TABLE `" + w.keysTable + "` (k INTEGER PRIMARY KEY, id TEXT NOT NULL, line INTEGER NOT NULL)"); err != nil {
		return err
	}
	if err := w.prepareLookup(); err != nil {
		return err
	}
	w.keyRows = newBulk(w.conn, w.keysTable, "INSERT OR IGNORE", "k", "id", "line")
	w.keyRows.onFlush = func() { clear(w.pending) }
	if w.opts.Kind == KindCompanies {
		w.records = newBulk(w.conn, crm.Companies, "INSERT", companyColumns...)
	} else {
		w.records = newBulk(w.conn, crm.Contacts, "INSERT", contactColumns...)
	}
	// The keys of what is stored already.
	scans := []struct {
		query string
		key   func(a, b string) string
	}{
		{"SELECT rowid, id, name, '' FROM companies WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(name, _ string) string { return prefixed("c:", CompanyKey(name)) }},
		{"SELECT rowid, id, domain, '' FROM companies WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(d, _ string) string { return prefixed("d:", strings.ToLower(d)) }},
	}
	if w.opts.Kind == KindContacts {
		scans = append(scans, []struct {
			query string
			key   func(a, b string) string
		}{
			{"SELECT rowid, id, email, '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(e, _ string) string { return prefixed("e:", strings.ToLower(e)) }},
			{"SELECT rowid, id, phone, '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(p, _ string) string { return prefixed("p:", p) }},
			{"SELECT rowid, id, mobile, '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(p, _ string) string { return prefixed("p:", p) }},
			{"SELECT c.rowid, c.id, c.name, IFNULL(co.name, '') FROM contacts c LEFT JOIN companies co ON co.id = c.company WHERE c.rowid > ? ORDER BY c.rowid LIMIT 5000",
				func(name, company string) string { return prefixed("n:", NameKey(name, company)) }},
		}...)
	}
	for _, scan := range scans {
		if err := w.scanKeys(scan.query, scan.key); err != nil {
			return err
		}
	}
	w.staff = map[string]string{}
	rows, err := w.conn.QueryContext(w.ctx, "SELECT id, email, name FROM staff")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, email, name string
		if err := rows.Scan(&id, &email, &name); err != nil {
			return err
		}
		w.staff[strings.ToLower(email)] = id
		w.staff[fold(name)] = id
	}
	return rows.Err()
}

// scanKeys adds a key per stored row, a page at a time (keyset on rowid).
func (w *run) scanKeys(query string, key func(name, company string) string) error {
	var after int64
	for {
		rows, err := w.conn.QueryContext(w.ctx, query, after)
		if err != nil {
			return err
		}
		type kv struct{ k, id string }
		var page []kv
		n := 0
		for rows.Next() {
			var rowid int64
			var id, name, company string
			if err := rows.Scan(&rowid, &id, &name, &company); err != nil {
				rows.Close()
				return err
			}
			n++
			after = rowid
			if k := key(name, company); k != "" {
				page = append(page, kv{k, id})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		for _, p := range page {
			if err := w.keyRows.add(keyHash(p.k), p.id, 0); err != nil {
				return err
			}
		}
		if err := w.keyRows.flush(); err != nil {
			return err
		}
	}
}

// find looks keys up, in the order given (the first found wins).
func (w *run) find(keys ...string) (hit, bool, error) {
	var args [4]any
	n := 0
	for _, k := range keys {
		if k == "" {
			continue
		}
		if h, ok := w.pending[k]; ok {
			return h, true, nil
		}
		if n < 4 {
			args[n] = keyHash(k)
			n++
		}
	}
	if n == 0 {
		return hit{}, false, nil
	}
	for i := n; i < 4; i++ {
		args[i] = args[0]
	}
	rows, err := w.lookup.QueryContext(w.ctx, args[:]...)
	if err != nil {
		return hit{}, false, err
	}
	defer rows.Close()
	found := map[int64]hit{}
	for rows.Next() {
		var h hit
		var k int64
		if err := rows.Scan(&k, &h.id, &h.line); err != nil {
			return hit{}, false, err
		}
		found[k] = h
	}
	if err := rows.Err(); err != nil {
		return hit{}, false, err
	}
	for _, k := range keys {
		if h, ok := found[keyHash(k)]; ok && k != "" {
			h.key = k
			return h, true, nil
		}
	}
	return hit{}, false, nil
}

func (w *run) remember(id string, line int, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, ok := w.pending[k]; ok {
			continue
		}
		w.pending[k] = hit{id: id, line: line, key: k}
		if err := w.keyRows.add(keyHash(k), id, line); err != nil {
			return err
		}
	}
	return nil
}

func (w *run) flush() error {
	if w.records == nil {
		return nil
	}
	if err := w.records.flush(); err != nil {
		return err
	}
	if err := w.keyRows.flush(); err != nil {
		return err
	}
	clear(w.pending)
	return nil
}

// problem records a bad row.
func (w *run) problem(ps []Problem) {
	w.res.Counts.Errors++
	for _, p := range ps {
		if len(w.res.Errors) < MaxReportedProblems {
			w.res.Errors = append(w.res.Errors, p)
		}
		if w.opts.OnProblem != nil {
			w.opts.OnProblem(p)
		}
	}
}

func (w *run) duplicate(line int, h hit) {
	w.res.Duplicate++
	if len(w.res.Duplicates) >= MaxReportedProblems {
		return
	}
	what := map[byte]string{'e': "email", 'p': "phone", 'n': "name and company", 'c': "name", 'd': "domain"}[h.key[0]]
	of := "an existing record (" + h.id + ")"
	if h.line > 0 {
		of = fmt.Sprintf("line %d", h.line)
	}
	w.res.Duplicates = append(w.res.Duplicates, Problem{Line: line, Field: what, Reason: "same " + what + " as " + of})
}

func (w *run) row(row Row) error {
	if len(row.Problems) > 0 {
		w.problem(row.Problems)
		return nil
	}
	if row.Values == nil {
		w.res.Skipped++ // an empty row
		return nil
	}
	w.inTx++
	if w.opts.Kind == KindCompanies {
		return w.company(row)
	}
	return w.contact(row)
}

// checker collects a row's problems.
type checker struct {
	line     int
	problems []Problem
}

func (c *checker) fail(field, value, reason string) {
	if utf8.RuneCountInString(value) > 80 {
		value = string([]rune(value)[:80]) + "…"
	}
	c.problems = append(c.problems, Problem{Line: c.line, Field: field, Value: value, Reason: reason})
}

func (c *checker) text(field, value string, max int) string {
	value = strings.TrimSpace(value)
	if n := utf8.RuneCountInString(value); n > max {
		c.fail(field, value, fmt.Sprintf("longer than %d characters (%d)", max, n))
	}
	return value
}

func (c *checker) email(v string) string {
	e, err := NormalizeEmail(v)
	if err != nil {
		c.fail("email", v, err.Error())
	}
	return e
}

func (c *checker) phone(field, v, country string) string {
	p, err := NormalizePhone(v, country)
	if err != nil {
		c.fail(field, v, err.Error())
	}
	return p
}

// stageSynonyms: HubSpot's lifecycle stages and Portuguese names.
var stageSynonyms = map[string]string{
	"subscriber": "lead", "lead": "lead", "marketingqualifiedlead": "lead", "salesqualifiedlead": "lead", "mql": "lead", "sql": "lead",
	"opportunity": "prospect", "prospect": "prospect", "oportunidade": "prospect", "prospecto": "prospect",
	"customer": "customer", "evangelist": "customer", "cliente": "customer",
	"former": "former", "excliente": "former", "former customer": "former", "other": "",
}

func (c *checker) stage(v string) string {
	if v == "" {
		return ""
	}
	k := strings.ReplaceAll(fold(v), " ", "")
	if s, ok := stageSynonyms[k]; ok {
		return s
	}
	c.fail("stage", v, "not a lifecycle stage (one of: "+strings.Join(crm.LifecycleStages, ", ")+")")
	return ""
}

func (w *run) owner(c *checker, v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return ""
	}
	if id, ok := w.staff[strings.ToLower(v)]; ok {
		return id
	}
	if id, ok := w.staff[fold(v)]; ok {
		return id
	}
	c.fail("owner", v, "no staff member has this email or name")
	return ""
}

func (w *run) contact(row Row) error {
	v := row.Values
	c := &checker{line: row.Line}
	name := CleanName(v["name"])
	if name == "" {
		name = CleanName(v["first_name"] + " " + v["last_name"])
	}
	email := c.email(v["email"])
	if name == "" {
		name = email // a contact known only by their address
	}
	if name == "" {
		c.fail("name", "", "a contact needs a name or an email")
	}
	name = c.text("name", name, 200)
	phone := c.phone("phone", v["phone"], w.opts.Country)
	mobile := c.phone("mobile", v["mobile"], w.opts.Country)
	jobTitle := c.text("job_title", CleanName(v["job_title"]), 120)
	address := c.text("address", v["address"], 500)
	company := c.text("company", CleanName(v["company"]), 200)
	source := c.text("source", v["source"], 100)
	stage := c.stage(v["stage"])
	owner := w.owner(c, v["owner"])
	tags := "[]"
	if t := splitTags(v["tags"]); len(t) > 0 {
		raw, _ := json.Marshal(t)
		if len(raw) > 4<<10 {
			c.fail("tags", v["tags"], "more than 4 KB of tags")
		}
		tags = string(raw)
	}
	if len(c.problems) > 0 {
		w.problem(c.problems)
		return nil
	}
	keys := []string{prefixed("e:", email), prefixed("p:", phone), prefixed("p:", mobile), prefixed("n:", NameKey(name, company))}
	h, found, err := w.find(keys...)
	if err != nil {
		return err
	}
	fields := map[string]string{"name": name, "email": email, "phone": phone, "mobile": mobile, "job_title": jobTitle,
		"address": address, "stage": stage, "owner": owner, "source": source}
	if tags != "[]" {
		fields["tags"] = tags
	}
	if found {
		w.duplicate(row.Line, h)
		switch w.opts.OnDuplicate {
		case DupSkip:
			w.res.Skipped++
			return nil
		case DupFill, DupOverwrite:
			return w.update(crm.Contacts, h.id, row.Line, fields, company, keys)
		}
	}
	companyID, err := w.companyID(company)
	if err != nil {
		return err
	}
	id := core.GenerateDefaultRandomId()
	if err := w.records.add(id, name, email, phone, mobile, jobTitle, address, companyID, owner, stage, tags, source, w.now, w.now); err != nil {
		return err
	}
	w.res.Created++
	return w.remember(id, row.Line, keys...)
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// companyID finds the company by name (CompanyKey) or creates it.
func (w *run) companyID(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	key := "c:" + CompanyKey(name)
	if key == "c:" {
		return "", nil
	}
	h, found, err := w.find(key)
	if err != nil || found {
		return h.id, err
	}
	id := core.GenerateDefaultRandomId()
	if err := w.exec("INSERT INTO companies (id, name, created, updated) VALUES (?, ?, ?, ?)", id, name, w.now, w.now); err != nil {
		return "", fmt.Errorf("company %q: %w", name, err)
	}
	w.res.CompaniesCreated++
	return id, w.exec("INSERT OR IGNORE INTO `"+w.keysTable+"` (k, id, line) VALUES (?, ?, 0)", keyHash(key), id)
}

var domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// countryCodes: country names people write instead of ISO codes.
var countryCodes = map[string]string{
	"brasil": "BR", "brazil": "BR", "portugal": "PT", "united states": "US", "estados unidos": "US", "usa": "US",
	"united kingdom": "GB", "reino unido": "GB", "uk": "GB", "argentina": "AR", "chile": "CL", "mexico": "MX",
	"espanha": "ES", "spain": "ES", "franca": "FR", "france": "FR", "alemanha": "DE", "germany": "DE",
	"angola": "AO", "mocambique": "MZ", "mozambique": "MZ", "uruguai": "UY", "uruguay": "UY", "paraguai": "PY",
}

func (w *run) company(row Row) error {
	v := row.Values
	c := &checker{line: row.Line}
	name := c.text("name", CleanName(v["name"]), 200)
	if name == "" {
		c.fail("name", "", "a company needs a name")
	}
	domain := normalizeDomain(v["domain"])
	if domain != "" && (len(domain) > 253 || !domainPattern.MatchString(domain)) {
		c.fail("domain", v["domain"], "not a domain name (like example.com)")
	}
	phone := c.phone("phone", v["phone"], w.opts.Country)
	address := c.text("address", v["address"], 500)
	city := c.text("city", CleanName(v["city"]), 100)
	country := strings.TrimSpace(v["country"])
	if country != "" {
		if code, ok := countryCodes[fold(country)]; ok {
			country = code
		} else if len(country) == 2 && strings.ToUpper(country) == strings.ToUpper(fold(country)) {
			country = strings.ToUpper(country)
		} else {
			c.fail("country", country, "not a two-letter country code (like BR)")
		}
	}
	industry := c.text("industry", CleanName(v["industry"]), 100)
	if len(c.problems) > 0 {
		w.problem(c.problems)
		return nil
	}
	keys := []string{prefixed("d:", domain), "c:" + CompanyKey(name)}
	h, found, err := w.find(keys...)
	if err != nil {
		return err
	}
	if found {
		w.duplicate(row.Line, h)
		switch w.opts.OnDuplicate {
		case DupSkip:
			w.res.Skipped++
			return nil
		case DupFill, DupOverwrite:
			return w.update(crm.Companies, h.id, row.Line, map[string]string{"name": name, "domain": domain, "phone": phone,
				"address": address, "city": city, "country": country, "industry": industry}, "", keys)
		}
	}
	id := core.GenerateDefaultRandomId()
	if err := w.records.add(id, name, domain, phone, address, city, country, industry, w.now, w.now); err != nil {
		return err
	}
	w.res.Created++
	return w.remember(id, row.Line, keys...)
}

// update applies a duplicate row to the record it matched: fill its empty
// fields, or overwrite those the row has.
func (w *run) update(table, id string, line int, fields map[string]string, company string, keys []string) error {
	if err := w.flush(); err != nil { // the record may be a row of this file still queued
		return err
	}
	names := make([]string, 0, len(fields)+1)
	for f := range fields {
		names = append(names, f)
	}
	if table == crm.Contacts {
		names = append(names, crm.FieldCompany)
	}
	slices.Sort(names)
	cols := make([]string, len(names))
	ptrs := make([]any, len(names))
	current := make([]sql.NullString, len(names))
	for i, n := range names {
		cols[i] = "`" + n + "`"
		ptrs[i] = &current[i]
	}
	err := w.conn.QueryRowContext(w.ctx, "SELECT "+strings.Join(cols, ", ")+" FROM `"+table+"` WHERE id = ?", id).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("line %d: the record it duplicates (%s) is gone", line, id)
	}
	if err != nil {
		return err
	}
	var set []string
	var args []any
	for i, n := range names {
		value := fields[n]
		if n == crm.FieldCompany && table == crm.Contacts {
			if company == "" || (w.opts.OnDuplicate == DupFill && current[i].String != "") {
				continue
			}
			if value, err = w.companyID(company); err != nil {
				return err
			}
		}
		old := current[i].String
		empty := old == "" || old == "[]" || old == "null"
		if value == "" || value == old || (w.opts.OnDuplicate == DupFill && !empty) {
			continue
		}
		set = append(set, "`"+n+"` = ?")
		args = append(args, value)
	}
	if len(set) == 0 {
		w.res.Skipped++
		return nil
	}
	args = append(args, w.now, id)
	if err := w.exec("UPDATE `"+table+"` SET "+strings.Join(set, ", ")+", updated = ? WHERE id = ?", args...); err != nil {
		return fmt.Errorf("line %d: %w", line, err)
	}
	w.res.Updated++
	return w.remember(id, line, keys...)
}

// Read parses a file without touching any database: each row, as the import
// would see it, before checks. For tests, fuzzing and previews.
func Read(r io.Reader, kind string, mapping map[string]string, each func(Row) error) (*Result, error) {
	res := &Result{}
	src, err := open(r, Options{Kind: kind, Mapping: mapping}, res)
	if err != nil {
		return res, err
	}
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, &ErrFile{err}
		}
		res.Processed++
		if err := each(row); err != nil {
			return res, err
		}
	}
}

// keyHash is a duplicate key as stored: 64 bits of FNV-1a (the odds that
// two of the 3 million keys of a million rows collide: about 1 in 4 million).
func keyHash(k string) int64 {
	h := fnv.New64a()
	h.Write([]byte(k))
	return int64(h.Sum64())
}
