package sqlitedb

import (
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// PageArenaDefault is the memory, in bytes, set aside once at the start for
// SQLite's cached pages (SQLITE_CONFIG_PAGECACHE): one buffer of slots of
// one page and its headers each, shared by every connection of the process.
//
// Why: without it every cached page is a separate allocation from modernc's
// C library, which rounds it up to a power of two (a 4 KB page and its
// headers take an 8 KB slot) and keeps a 64 KB block of slots mapped while
// any slot in it lives. Under a steady load over a growing file the pages
// come and go all over those blocks, and the process kept memory SQLite had
// already given back: in a 30-minute soak about 325 kB a minute, with
// SQLite's own count level. In the arena a page costs its size and its
// headers, freed slots are reused first, and the arena never grows: when it
// is nearly full SQLite reuses its least recently used page instead of
// asking for more memory. Only pages a transaction holds changed (or a
// statement is reading) past what the arena holds are allocated outside it
// (PageArenaUsed's overflow), and they go back when their connection
// closes.
//
// The cost: SQLite writes a link into every slot when it starts, so the
// whole arena is resident from the first connection on (16 MB of the idle
// server's memory); that is about 3,800 pages, shared by all connections.
// The operating system's file cache keeps the rest of the file, and a page
// not in the arena is read from it.
const PageArenaDefault = 16 << 20

// arenaPageSize is the page size the arena's slots fit: SQLite's default,
// which data.db and auxiliary.db use. A database of bigger pages would
// have its pages allocated outside the arena.
const arenaPageSize = 4096

var arenaSlots, arenaSlotSize atomic.Int64

// PageArena gives SQLite an arena of about bytes for its cached pages; it
// works only before the process opens its first connection (false after),
// and once. The package does it when it loads, with PageArenaDefault.
func PageArena(bytes int) bool {
	if bytes <= 0 || arenaSlots.Load() != 0 {
		return false
	}
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.Xmalloc(tls, 3*8)
	defer libc.Xfree(tls, va)
	hdr := libc.Xmalloc(tls, 8)
	defer libc.Xfree(tls, hdr)
	*cInt32(hdr) = 0
	if sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PCACHE_HDRSZ, libc.VaList(va, hdr)) != sqlite3.SQLITE_OK {
		return false
	}
	slot := (arenaPageSize + int(*cInt32(hdr)) + 7) &^ 7
	n := bytes / slot
	if n < 1 {
		return false
	}
	// Its own mapping (modernc's allocator maps big blocks one by one),
	// never freed: SQLite uses it for the life of the process.
	buf := libc.Xmalloc(tls, uint64(n*slot))
	if buf == 0 {
		return false
	}
	if sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PAGECACHE, libc.VaList(va, buf, int32(slot), int32(n))) != sqlite3.SQLITE_OK {
		libc.Xfree(tls, buf)
		return false
	}
	arenaSlots.Store(int64(n))
	arenaSlotSize.Store(int64(slot))
	return true
}

// ArenaStatus is the page arena's use for the whole process.
type ArenaStatus struct {
	Slots, SlotSize int64 // the arena: slots of SlotSize bytes (0: none)
	Used, UsedMost  int64 // slots holding a page, now and at most since the start
	// Overflow is the bytes of pages SQLite allocated outside the arena
	// (it was full, or their size did not fit a slot), now and at most.
	Overflow, OverflowMost int64
}

// PageArenaUsed says how the page arena is used (SQLite counts it while
// it counts its memory, see CountMemory).
func PageArenaUsed() ArenaStatus {
	st := ArenaStatus{Slots: arenaSlots.Load(), SlotSize: arenaSlotSize.Load()}
	tls := libc.NewTLS()
	defer tls.Close()
	p := libc.Xmalloc(tls, 16)
	defer libc.Xfree(tls, p)
	cur, most := cInt64(p), cInt64(p+8)
	if sqlite3.Xsqlite3_status64(tls, sqlite3.SQLITE_STATUS_PAGECACHE_USED, p, p+8, 0) == sqlite3.SQLITE_OK {
		st.Used, st.UsedMost = *cur, *most
	}
	if sqlite3.Xsqlite3_status64(tls, sqlite3.SQLITE_STATUS_PAGECACHE_OVERFLOW, p, p+8, 0) == sqlite3.SQLITE_OK {
		st.Overflow, st.OverflowMost = *cur, *most
	}
	return st
}

// cInt32 and cInt64 are the numbers SQLite reads or writes at p, memory of
// modernc's C library (outside Go's heap, where the garbage collector
// neither moves nor frees anything).
func cInt32(p uintptr) *int32 { return (*int32)(unsafe.Add(unsafe.Pointer(nil), p)) }
func cInt64(p uintptr) *int64 { return (*int64)(unsafe.Add(unsafe.Pointer(nil), p)) }
