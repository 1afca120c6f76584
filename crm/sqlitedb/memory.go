package sqlitedb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// HeapLimitDefault bounds the memory SQLite keeps for all the process's
// connections together, in bytes (sqlite3_soft_heap_limit64). In this
// build every connection's page cache draws on one shared pool of pages
// (SQLite's memory management is compiled in), whose size is the sum of
// every open connection's cache_size: the more connections PocketBase's
// pools keep open, the more pages SQLite may keep, and under a steady load
// over a growing file it keeps every page it has read, up to that sum
// (15 readers of 8 MB and the writers: over 150 MB, about twice that in the
// process's memory). Past this limit SQLite reuses the least recently used
// pages instead of asking for more memory, and gives some back. A
// transaction's changed pages are never given up for it (they spill to
// the WAL only past WriterSpillKB). Since the page arena (arena.go) holds
// the pages of data.db and auxiliary.db and bounds them itself, this limit
// binds only pages that do not fit its slots (a database of bigger pages);
// SQLite's other memory (schemas, statements) it cannot give back.
const HeapLimitDefault = 64 << 20

// memStatus says whether SQLite counts its memory: the driver is built with
// the count off, and SQLite honours a heap limit only while it counts.
var memStatus atomic.Bool

func init() {
	PageArena(PageArenaDefault)
	if CountMemory() {
		HeapLimit(HeapLimitDefault)
	}
}

// CountMemory turns SQLite's count of its memory on; it works only before
// the process opens its first connection (false after). The package does
// it when it loads.
func CountMemory() bool {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.Xmalloc(tls, 8)
	defer libc.Xfree(tls, va)
	if sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MEMSTATUS, libc.VaList(va, int32(1))) != sqlite3.SQLITE_OK {
		return false
	}
	memStatus.Store(true)
	return true
}

// HeapLimit sets SQLite's soft heap limit for the process (0: none) and
// says the one it replaced.
func HeapLimit(n int64) int64 {
	tls := libc.NewTLS()
	defer tls.Close()
	return sqlite3.Xsqlite3_soft_heap_limit64(tls, n)
}

// HeapUsed is SQLite's memory in use for the whole process and its highest
// since the start, in bytes (0, 0 when SQLite does not count it).
func HeapUsed() (used, highest int64) {
	if !memStatus.Load() {
		return 0, 0
	}
	tls := libc.NewTLS()
	defer tls.Close()
	return sqlite3.Xsqlite3_memory_used(tls), sqlite3.Xsqlite3_memory_highwater(tls, 0)
}

// PoolMemory is what the idle connections of one pool hold, in bytes, as
// each connection counts it (sqlite3_db_status): its page cache, its
// schema and its prepared statements. For diagnostics: it borrows the
// pool's idle connections for a moment.
type PoolMemory struct {
	Conns                int
	Cache, Schema, Stmts int64
}

// MeasurePool sums what the idle connections of db hold.
func MeasurePool(db *sql.DB) PoolMemory {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var out PoolMemory
	var held []*sql.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for db.Stats().Idle > 0 {
		c, err := db.Conn(ctx)
		if err != nil {
			break
		}
		held = append(held, c)
		_ = c.Raw(func(dc any) error {
			st, ok := dc.(sqlite.DBStatus)
			if !ok {
				return nil
			}
			out.Conns++
			for op, dst := range map[sqlite.DBStatusOp]*int64{sqlite.DBStatusCacheUsed: &out.Cache, sqlite.DBStatusSchemaUsed: &out.Schema, sqlite.DBStatusStmtUsed: &out.Stmts} {
				if cur, _, err := st.Status(op, false); err == nil {
					*dst += int64(cur)
				}
			}
			return nil
		})
	}
	return out
}

// Allocator is what modernc's C library, which SQLite's memory comes from,
// has mapped from the system: bytes, mappings and live allocations. It
// keeps a 64 KB page of small allocations mapped while any of them lives,
// so it can hold far more than SQLite uses. Counted only in a binary built
// with -tags memory.counters (zeros otherwise): for diagnostics.
func Allocator() (bytes, mmaps, allocs int) {
	s := libc.MemStat()
	return s.Bytes, s.Mmaps, s.Allocs
}
