package sqlitedb

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"hash/maphash"
	"sync/atomic"

	"modernc.org/sqlite"
)

// The writer keeps the statements it runs again and again prepared.
//
// database/sql hands SQLite every statement as text: the driver prepares
// it (parses the SQL and compiles it into SQLite's program), runs it once
// and throws the program away. For a write on a table with triggers that
// is much of the work: the contact insert's program includes the search
// triggers', which SQLite compiles with the statement, about 0.3 ms of a
// create's 3.7 ms of the server's time at a million contacts. Every
// transaction runs on the writer (PocketBase's one-connection pool), so a
// cache there serves every create, update and delete.
//
// The statement is kept prepared on the connection that ran it, reset after
// each use (modernc's driver resets and clears the bindings of a statement
// it keeps), and given back when the connection closes (a writer lives
// ConnLifetime). A statement is kept the second time its text is seen, so
// that statements run once (migrations, a schema change, an import's
// one-off queries) do not fill the cache; at most StmtCacheSize are kept,
// the least recently used given back first. A statement the connection is
// still reading rows from is not lent out again: a second use of the same
// text while its rows are open (a nested query in a transaction) runs the
// ordinary way.
//
// A schema change does not make a kept statement wrong: SQLite prepares it
// again by itself the next time it runs (sqlite3_prepare_v2), with the
// triggers and columns the schema has then.
//
// Readers do not keep statements: tried with 32 on each of the 12 readers,
// neither the lists (part 1 of the bench) nor search (part 3b) answered
// measurably faster at a million contacts, and every kept statement holds
// its program outside the page arena, on readers that live for as long as
// requests come.

// StmtCacheSize bounds the statements one writer connection keeps prepared.
// A create of a contact runs about a dozen distinct statements; the request
// log's writer a few.
const StmtCacheSize = 96

// seenLimit bounds the texts a connection remembers having seen once.
const seenLimit = 1024

var seenSeed = maphash.MakeSeed()

// StmtCacheStats counts what the writers' caches did since the process
// started: statements run from the cache, statements prepared into it and
// statements given back to keep it within StmtCacheSize.
type StmtCacheStats struct {
	Hits, Prepared, Evicted int64
}

var stmtStats struct {
	hits, prepared, evicted atomic.Int64
}

// StmtCache says what the writers' statement caches did.
func StmtCache() StmtCacheStats {
	return StmtCacheStats{stmtStats.hits.Load(), stmtStats.prepared.Load(), stmtStats.evicted.Load()}
}

// cachingConn is a driver connection that keeps its statements prepared.
// database/sql uses a connection from one goroutine at a time, so it needs
// no lock.
type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*list.Element // of *keptStmt, most recently used first
	order *list.List
	seen  map[uint64]struct{}
}

type keptStmt struct {
	text string
	stmt driver.Stmt
	busy bool // its rows are being read
}

func newCachingConn(c driver.Conn) *cachingConn {
	return &cachingConn{conn: c, stmts: map[string]*list.Element{}, order: list.New(), seen: map[uint64]struct{}{}}
}

// kept returns the prepared statement for text, preparing it if this is
// the second time the connection sees it, or nil: run it the ordinary way.
func (c *cachingConn) kept(ctx context.Context, text string) *keptStmt {
	if e, ok := c.stmts[text]; ok {
		k := e.Value.(*keptStmt)
		if k.busy {
			return nil
		}
		c.order.MoveToFront(e)
		stmtStats.hits.Add(1)
		return k
	}
	h := maphash.String(seenSeed, text)
	if _, ok := c.seen[h]; !ok {
		if len(c.seen) >= seenLimit {
			clear(c.seen)
		}
		c.seen[h] = struct{}{}
		return nil
	}
	st, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, text)
	if err != nil {
		return nil // the ordinary way returns the error
	}
	delete(c.seen, h)
	k := &keptStmt{text: text, stmt: st}
	c.stmts[text] = c.order.PushFront(k)
	stmtStats.prepared.Add(1)
	for e := c.order.Back(); c.order.Len() > StmtCacheSize && e != nil; {
		prev := e.Prev()
		if old := e.Value.(*keptStmt); !old.busy && old != k {
			c.order.Remove(e)
			delete(c.stmts, old.text)
			old.stmt.Close()
			stmtStats.evicted.Add(1)
		}
		e = prev
	}
	return k
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if k := c.kept(ctx, query); k != nil {
		k.busy = true
		defer func() { k.busy = false }()
		return k.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if k := c.kept(ctx, query); k != nil {
		k.busy = true
		r, err := k.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
		if err != nil {
			k.busy = false
			return nil, err
		}
		if kr, ok := r.(keptRowsDriver); ok {
			return &keptRows{kr, k}, nil
		}
		return r, nil // not reached with modernc's rows; k stays out of use
	}
	return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

// Close gives the kept statements back, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.order.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*keptStmt).stmt.Close())
	}
	c.order.Init()
	clear(c.stmts)
	return errors.Join(append(errs, c.conn.Close())...)
}

// The rest is the driver's own.

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *cachingConn) Begin() (driver.Tx, error)                 { return c.conn.Begin() } //nolint:staticcheck // database/sql requires it
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}
func (c *cachingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }

// Status is SQLite's count of what the connection holds (MeasurePool).
func (c *cachingConn) Status(op sqlite.DBStatusOp, reset bool) (int, int, error) {
	return c.conn.(sqlite.DBStatus).Status(op, reset)
}

// keptRowsDriver is what modernc's rows give database/sql.
type keptRowsDriver interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// keptRows are the rows of a kept statement: closing them (which resets
// the statement) lends the statement out again.
type keptRows struct {
	keptRowsDriver
	k *keptStmt
}

func (r *keptRows) Close() error {
	err := r.keptRowsDriver.Close()
	r.k.busy = false
	return err
}

var (
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
	_ sqlite.DBStatus           = (*cachingConn)(nil)
	_ keptRowsDriver            = (*keptRows)(nil)
)
