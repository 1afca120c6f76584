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
// Why two cache sizes: every SQLite connection keeps its own page cache,
// filled as it reads and kept while it stays open. PocketBase keeps up to 15
// idle readers of data.db and 3 of auxiliary.db open (more under load), and
// its settings let each cache grow to 32 MB: on a data file of a million
// contacts, far bigger than that, every busy reader ends up holding its 32 MB
// of copies of pages the operating system already caches once for all of
// them. Readers get 8 MB each. The writer (PocketBase's one-connection pool,
// which runs every transaction: imports, the demo's fill, reindexing) keeps
// the 32 MB: a big write transaction changes more pages than a small cache
// holds and would spill them to the WAL before its commit.
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
	WriterCacheKB = "-32000" // PocketBase's own setting
	ReaderCacheKB = "-8000"
)

// ConnLifetime is how long a connection lives before the pool closes it
// (once it is idle) and opens a fresh one when next needed. SQLite's
// memory for a connection (its schema, its cache, what its queries left
// behind) grows with use and goes back to the system only when the
// connection closes; under a steady load PocketBase's pools never let one
// idle long enough to close it, and the server's memory kept climbing.
// Opening one costs its schema's parsing: a few to tens of milliseconds
// on a busy two-core machine, once per connection every five minutes.
const ConnLifetime = 5 * time.Minute

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
	pool     atomic.Pointer[sql.DB]
	lifetime sync.Once
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	db := c.pool.Load()
	if db != nil {
		// Set here, not in Connect: PocketBase sets its own pool limits
		// after Connect returns (none on a connection's lifetime).
		c.lifetime.Do(func() { db.SetConnMaxLifetime(ConnLifetime) })
	}
	if db != nil && db.Stats().MaxOpenConnections == 1 {
		return conn, nil
	}
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, "PRAGMA cache_size = "+ReaderCacheKB, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlitedb: reader cache: %w", err)
	}
	return conn, nil
}

var _ core.DBConnectFunc = Connect
