package importer

import (
	"context"
	"database/sql"
	"hash/fnv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/search"
)

// BatchRows is how many rows a valid-only run writes per transaction.
var BatchRows = 20000

// hit is a key found: the record it belongs to, and the file line that
// made it (0: the record was in the database before).
type hit struct {
	id   string
	line int
	key  string
}

// run is one import's state: the table of duplicate keys, made and filled
// from the database when the run starts and from the file as it goes, and
// the transaction the rows are written in (one for the whole file, or one
// per batch of BatchRows rows in a valid-only run).
type run struct {
	ctx     context.Context
	db      *sql.DB   // PocketBase's nonconcurrent pool: one connection
	conn    *sql.Conn // taken from db while a transaction is open
	opts    Options
	res     *Result
	inTx    int
	caught  int // inTx when the search index last caught up (catchUp)
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
	// indexes build the search index of the rows inserted (records', and
	// the companies a contact import makes along) in bulk before each
	// commit, instead of the insert triggers row by row.
	indexes []*search.Bulk
	// newCompany inserts a company a contact names that is not stored yet.
	newCompany *sql.Stmt
	companies  map[string]string // company key -> id, the last ones met (cacheCompany)
	custom     []customColumn    // the custom fields the mapping fills (custom.go)
	keyRows    *bulk
	lookup     *sql.Stmt
	staff      map[string]string  // email and folded name -> staff id
	products   map[string]product // orders: the catalogue by code and folded name (orders.go)
	now        string
}

// keysTablePrefix names the runs' key tables; those a stopped server left
// are dropped when it starts again (dropLeftKeyTables).
const keysTablePrefix = "_vinculo_import_keys_"

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
	if w.newCompany != nil {
		w.newCompany.Close()
		w.newCompany = nil
	}
	if w.records != nil {
		w.records.close()
		w.keyRows.close()
	}
	w.conn.Close()
	w.conn = nil
}

// lookupKeys is how many keys one lookup statement takes; a row with more
// (Google's several emails and phones) is looked up in more statements.
const lookupKeys = 8

func (w *run) prepareLookup() (err error) {
	w.lookup, err = w.conn.PrepareContext(w.ctx, "SELECT k, id, line FROM `"+w.keysTable+"` WHERE k IN (?"+strings.Repeat(", ?", lookupKeys-1)+")")
	if err != nil {
		return err
	}
	w.newCompany, err = w.conn.PrepareContext(w.ctx, "INSERT INTO `"+crm.Companies+"` (id, name, created, updated) VALUES (?, ?, ?, ?)")
	return err
}

func (w *run) begin() error {
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	w.open, w.inTx, w.caught = true, 0, 0
	w.now = time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	for _, index := range w.indexes {
		if err := index.Pause(w.ctx, w.conn); err != nil {
			return err
		}
	}
	return nil
}

// commit writes what is queued and commits it, with the job's counts (see
// recordCommitted): the job record and the rows it counts commit together.
func (w *run) commit() error {
	if err := w.flush(); err != nil {
		w.rollback()
		return err
	}
	for _, index := range w.indexes {
		if err := index.Resume(w.ctx, w.conn); err != nil {
			w.rollback()
			return err
		}
	}
	done := w.res.Counts
	if err := w.recordCommitted(done); err != nil {
		w.rollback()
		return err
	}
	if err := w.exec("COMMIT"); err != nil {
		w.rollback()
		return err
	}
	w.open = false
	w.res.Committed, w.res.Written = done, true
	w.release()
	return nil
}

// recordCommitted writes the counts of everything committed so far, this
// transaction included, on the job (Options.Job), in the transaction: after
// a crash the job says what stayed.
func (w *run) recordCommitted(c Counts) error {
	if w.opts.Job == "" {
		return nil
	}
	return w.exec("UPDATE `"+crm.ImportJobs+"` SET processed_rows = ?, rows_created = ?, rows_updated = ?, rows_skipped = ?, "+
		"rows_duplicate = ?, rows_error = ?, total_rows = max(IFNULL(total_rows, 0), ?), updated = ? WHERE id = ?",
		c.Processed, c.Created, c.Updated, c.Skipped, c.Duplicate, c.Errors, c.Processed,
		time.Now().UTC().Format("2006-01-02 15:04:05.000Z"), w.opts.Job)
}

// catchUp writes what is queued and indexes it for search (see
// search.Bulk.CatchUp), in the open transaction.
func (w *run) catchUp() error {
	w.caught = w.inTx
	if err := w.flush(); err != nil {
		return err
	}
	for _, index := range w.indexes {
		if err := index.CatchUp(w.ctx, w.conn); err != nil {
			return err
		}
	}
	return nil
}

// nextBatch commits the batch written so far and opens the next one.
// Between batches the pool's one connection is free for the app's other
// writes. The key table is a table of the main database, so it does not
// depend on getting the same physical connection back.
func (w *run) nextBatch() error {
	if err := w.commit(); err != nil {
		return err
	}
	if err := w.acquire(); err != nil {
		return err
	}
	return w.begin()
}

func (w *run) rollback() error {
	if !w.open {
		return nil
	}
	w.open = false
	w.pending = map[string]hit{}
	w.companies = nil
	for _, index := range w.indexes {
		index.Forget() // the trigger is back with the rollback
	}
	if w.records != nil {
		w.records.reset()
		w.keyRows.reset()
	}
	// Not the run's context: a stopped run must still end its transaction,
	// or the pool's one connection would go back with it open and the next
	// writes (the job's own outcome) would never commit.
	_, err := w.conn.ExecContext(context.Background(), "ROLLBACK")
	return err
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
	if w.opts.Kind == KindOrders {
		return w.prepareOrders(app)
	}
	table, columns := crm.Contacts, contactColumns
	if w.opts.Kind == KindCompanies {
		table, columns = crm.Companies, companyColumns
	}
	columns, err := w.withCustom(app, table, columns)
	if err != nil {
		return err
	}
	// OR FAIL: a row the database refuses stops the import as with a plain
	// INSERT (and its transaction is rolled back), but SQLite need not keep
	// a statement journal to undo the statement's earlier rows, which in a
	// long transaction copies a page for every page already written.
	w.records = newBulk(w.conn, table, "INSERT OR FAIL", columns...)
	indexed := []string{table}
	if table == crm.Contacts {
		indexed = append(indexed, crm.Companies)
	}
	for _, t := range indexed {
		index, err := search.NewBulk(app, t)
		if err != nil {
			return err
		}
		if err := index.Pause(w.ctx, w.conn); err != nil {
			return err
		}
		w.indexes = append(w.indexes, index)
	}
	// The keys of what is stored already.
	type scan struct {
		query string
		key   func(a, b, c string) string
	}
	scans := []scan{
		{"SELECT rowid, id, name, '', '' FROM companies WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(name, _, _ string) string { return prefixed("c:", CompanyKey(name)) }},
		{"SELECT rowid, id, domain, '', '' FROM companies WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(d, _, _ string) string { return prefixed("d:", strings.ToLower(d)) }},
	}
	if w.opts.Kind == KindContacts {
		phoneKey := func(p, _, _ string) string { return prefixed("p:", w.storedPhone(p)) }
		scans = append(scans,
			scan{"SELECT rowid, id, email, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(e, _, _ string) string { return prefixed("e:", strings.ToLower(e)) }},
			scan{"SELECT rowid, id, phone, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", phoneKey},
			scan{"SELECT rowid, id, mobile, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", phoneKey},
			// A contact with an email or a phone leaves a hint (n:), one
			// with neither an identity (b:): see nameKeys.
			scan{"SELECT c.rowid, c.id, c.name, IFNULL(co.name, ''), IIF(IFNULL(c.email, '') = '' AND IFNULL(c.phone, '') = '' AND IFNULL(c.mobile, '') = '', '', 'y') " +
				"FROM contacts c LEFT JOIN companies co ON co.id = c.company WHERE c.rowid > ? ORDER BY c.rowid LIMIT 5000",
				func(name, company, reach string) string { return nameKeys(NameKey(name, company), reach != "") }},
		)
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

// storedPhone is a stored phone as the file's are keyed: in E.164, read in
// the business's country when it was saved in another spelling (through
// the API, say); as it is when it is not a phone number at all.
func (w *run) storedPhone(p string) string {
	if p == "" || isE164(p) {
		return p
	}
	if e, err := NormalizePhone(p, w.opts.Country); err == nil {
		return e
	}
	return p
}

func isE164(p string) bool {
	if len(p) < 3 || p[0] != '+' {
		return false
	}
	for _, r := range p[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// scanKeys adds a key per stored row, a page at a time (keyset on rowid).
func (w *run) scanKeys(query string, key func(a, b, c string) string) error {
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
			var id, a, b, c string
			if err := rows.Scan(&rowid, &id, &a, &b, &c); err != nil {
				rows.Close()
				return err
			}
			n++
			after = rowid
			if k := key(a, b, c); k != "" {
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

// find looks keys up, in the order given (the first found wins, whether
// it is in the table already or still queued).
func (w *run) find(keys ...string) (hit, bool, error) {
	found := map[int64]hit{}
	var args [lookupKeys]any
	n := 0
	query := func() error {
		for i := n; i < lookupKeys; i++ {
			args[i] = args[0]
		}
		n = 0
		rows, err := w.lookup.QueryContext(w.ctx, args[:]...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h hit
			var k int64
			if err := rows.Scan(&k, &h.id, &h.line); err != nil {
				return err
			}
			found[k] = h
		}
		return rows.Err()
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		args[n] = keyHash(k)
		if n++; n == lookupKeys {
			if err := query(); err != nil {
				return hit{}, false, err
			}
		}
	}
	if n > 0 {
		if err := query(); err != nil {
			return hit{}, false, err
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		// The table's first: a key queued again stays the table's (INSERT
		// OR IGNORE), whenever the queue is written.
		if h, ok := found[keyHash(k)]; ok {
			h.key = k
			return h, true, nil
		}
		if h, ok := w.pending[k]; ok {
			return h, true, nil
		}
	}
	return hit{}, false, nil
}

// forget removes key from the table when it points at id (a record that
// had neither email nor phone, and now has one: see nameKeys).
func (w *run) forget(key, id string) error {
	if h, ok := w.pending[key]; ok && h.id == id {
		delete(w.pending, key)
	}
	if err := w.keyRows.flush(); err != nil {
		return err
	}
	return w.exec("DELETE FROM `"+w.keysTable+"` WHERE k = ? AND id = ?", keyHash(key), id)
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

// keyHash is a duplicate key as stored: 64 bits of FNV-1a (the odds that
// two of the 3 million keys of a million rows collide: about 1 in 4 million).
func keyHash(k string) int64 {
	h := fnv.New64a()
	h.Write([]byte(k))
	return int64(h.Sum64())
}
