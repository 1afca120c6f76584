// Package sqlitedb opens Vinculo's SQLite databases: PocketBase's own
// settings (WAL, synchronous=NORMAL, a 10 s busy timeout, foreign keys,
// temp store and cache in memory), with every transaction begun IMMEDIATE.
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
package sqlitedb

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	_ "modernc.org/sqlite" // the pure-Go driver PocketBase uses
)

// pragmas are PocketBase's (core.DefaultDBConnect, v0.40) plus _txlock, and
// secure_delete: SQLite zeroes what a change frees instead of leaving the
// old bytes in the file, so that an erased person's data (plugins/erasure)
// is gone from the file and not only from the tables.
// busy_timeout stays first: a new connection must wait on a busy file before
// it sets WAL mode.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)" +
	"&_pragma=secure_delete(ON)&_defensive=1&_txlock=immediate"

// Connect is the core.DBConnectFunc of every Vinculo app (the server, the
// commands and the tests).
func Connect(dbPath string) (*dbx.DB, error) {
	return dbx.Open("sqlite", dbPath+pragmas)
}

var _ core.DBConnectFunc = Connect
