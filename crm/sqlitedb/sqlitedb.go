// Package sqlitedb opens Vinculo's SQLite databases: PocketBase's own
// settings (WAL, synchronous=NORMAL, a 10 s busy timeout, foreign keys,
// temp store and cache in memory), with every transaction begun IMMEDIATE,
// and a page cache sized by what the connection is for.
//
// Why IMMEDIATE: PocketBase writes through one connection, but other writers
// share the file — Litestream (plugins/replication) writes its own
// bookkeeping rows and takes the write lock at every checkpoint, and a
// `vinculo import` run from the command line writes beside a running server.
// A transaction begun DEFERRED reads first (a save checks unique fields,
// rules and relations) and asks for the write lock only at its first write;
// if another connection committed in between, SQLite refuses it with
// SQLITE_BUSY_SNAPSHOT ("database is locked (517)"), which no busy timeout
// can wait out, and the request fails. Begun IMMEDIATE, the transaction
// waits for the lock first (within the busy timeout) and then reads the
// newest data, so it cannot fail that way. PocketBase runs transactions only
// on its one-connection writer pools (RunInTransaction), so the read pools
// are not serialised by this.
//
// Why these cache sizes: every SQLite connection keeps its own page cache,
// filled as it reads and kept while it stays open. PocketBase keeps up to 15
// idle readers of data.db and 3 of auxiliary.db open (more under load), and
// its settings let each cache grow to 32 MB: on a data file of a million
// contacts, far bigger than that, every busy reader ends up holding its 32 MB
// of copies of pages the operating system already caches once for all of
// them. Readers get 8 MB each. The writers (PocketBase's one-connection
// pools, which run every transaction: imports, the demo's fill, reindexing,
// and the request log into auxiliary.db) keep 8 MB of pages too, but may
// hold up to 32 MB of pages a transaction changed before they spill any to
// the WAL (PRAGMA cache_spill): a big write transaction still commits in one
// go, and once it has, the pages over 8 MB are the first SQLite reuses or
// gives back. A writer used to keep 32 MB: every write touches the newest
// pages of the file (new rows, the request log's), so under a steady load
// its cache filled with pages nobody read again (in a soak the request
// log's writer grew fastest of all connections, 1.6 MB a minute).
//
// What SQLite's memory is made of, in a long-running server: the pages
// cached (all connections' caches draw on one shared pool whose size is the
// sum of their cache_size, kept in the page arena set aside at the start,
// see arena.go), each connection's copy of the schema (about 1.4 MB for
// data.db), the statements a writer keeps prepared (stmtcache.go) and what
// its statements use while they run. What is not in the
// arena SQLite asks for from modernc's C library, which rounds each request
// up to a power of two.
package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"modernc.org/sqlite" // the pure-Go driver PocketBase uses
)

// pragmas are PocketBase's (core.DefaultDBConnect, v0.40) plus _txlock, and
// secure_delete: SQLite zeroes what a change frees instead of leaving the
// old bytes in the file, so that an erased person's data (plugins/erasure)
// is gone from the file and not only from the tables.
// busy_timeout stays first: a new connection must wait on a busy file before
// it sets WAL mode.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(" + WriterCacheKB + ")" +
	"&_pragma=secure_delete(ON)&_defensive=1&_txlock=immediate"

// Page cache sizes, in PRAGMA cache_size's terms (negative: KiB).
const (
	WriterCacheKB = "-8000"
	ReaderCacheKB = "-8000"
	// WriterSpillKB is how much a writer's transaction may change before
	// its pages spill to the WAL ahead of the commit (PocketBase's cache
	// size, 32 MB, which it gave the writer for this).
	WriterSpillKB = "-32000"
)

// ConnLifetime is how long a writer's connection lives before the pool
// closes it (once it is idle) and opens a fresh one when next needed: the
// pages a big transaction changed past what the page arena holds were
// allocated outside it (arena.go), and they go back when the connection
// closes. Opening one costs its schema's parsing (a few to tens of
// milliseconds on a busy two-core machine), two connections every two
// minutes.
const ConnLifetime = 2 * time.Minute

// ReaderConns bounds a pool of readers: at most this many connections, all
// of them kept open while they are in use at least every ReaderIdleTime.
// PocketBase's own settings allow 120 readers of data.db and keep 15 idle,
// closing the rest as soon as they are done: a burst of requests opened
// connections that were closed a moment later. Each connection holds its
// own copy of the schema, about 1.4 MB of SQLite's memory made of many
// small allocations, and modernc's C library, once it has mapped memory for
// them, keeps most of it after they are freed: in a soak, every burst that
// opened four more readers grew the process by 15 MB for good, and readers
// closed every two minutes (the old lifetime) did the same. Held open,
// readers parse their schema once. On two cores twelve queries running at
// once already share the processor; more would only wait on it.
const ReaderConns = 12

// ReaderIdleTime is how long a reader may go unused before the pool closes
// it: under a steady load none does, and a server that goes quiet gives
// the readers' memory back.
const ReaderIdleTime = 5 * time.Minute

// Connect is the core.DBConnectFunc of every Vinculo app (the server, the
// commands and the tests).
func Connect(dbPath string) (*dbx.DB, error) {
	base, err := sqlite.NewConnector(dbPath + pragmas)
	if err != nil {
		return nil, err
	}
	c := &connector{Connector: base}
	db := sql.OpenDB(c)
	c.pool.Store(db)
	return dbx.NewFromDB(db, "sqlite"), nil
}

// connector opens the connections of one pool. PocketBase sizes its pools
// right after Connect and before it asks for a connection, so when one is
// opened the pool says what it is for: a pool of at most one connection is
// a writer, any other a pool of readers.
type connector struct {
	driver.Connector
	pool  atomic.Pointer[sql.DB]
	sized sync.Once
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	db := c.pool.Load()
	writer := db != nil && db.Stats().MaxOpenConnections == 1
	if db != nil {
		// Set here, not in Connect: PocketBase sets its own pool limits
		// after Connect returns.
		c.sized.Do(func() { sizePool(db, writer) })
	}
	pragma := "PRAGMA cache_size = " + ReaderCacheKB
	if writer {
		pragma = "PRAGMA cache_spill = " + WriterSpillKB
	}
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, pragma, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlitedb: %s: %w", pragma, err)
	}
	if writer {
		return newCachingConn(conn), nil
	}
	return conn, nil
}

// sizePool sets a pool's limits when its first connection opens.
func sizePool(db *sql.DB, writer bool) {
	if writer {
		db.SetConnMaxLifetime(ConnLifetime)
		return
	}
	n := ReaderConns
	if max := db.Stats().MaxOpenConnections; max > 0 && max < n {
		n = max
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(ReaderIdleTime)
}

var _ core.DBConnectFunc = Connect
