// Package replication keeps a continuous copy of the database on another
// machine and brings it back: Litestream, embedded as a library, ships every
// change of data.db and auxiliary.db (in the data dir) to a replica, and
// restores them to their latest state or to a point in time.
//
// The replica is replication.url in vinculo.yaml: s3://bucket/path (with
// ?endpoint=https://host for S3-compatible storage other than AWS),
// sftp://user@host:port/path or file:///path. Each database is kept under
// its own name below that path (…/path/data.db, …/path/auxiliary.db).
//
//   - While the server runs (serve), changes are shipped every
//     replication.sync_seconds. A command other than serve (import, superuser)
//     writes as before; its changes are shipped when the server next starts.
//   - `vinculo restore [--timestamp T]` restores both databases into the data
//     dir (or the one --dir names), which must not hold a data.db: a restore
//     never overwrites a database.
//   - With replication.restore_if_empty (flag --restore-if-empty), a server
//     started on a data dir without data.db restores from the replica first;
//     with an empty replica it starts fresh.
//   - GET /api/crm/replication shows managers the replica, the last sync and
//     the replication lag of each database.
//   - PocketBase's scheduled backups are on by default: daily at 03:00, the
//     last 7 kept. They are set once; a superuser's later change (off
//     included) stays.
//
// Litestream owns the WAL's checkpoints: it keeps a read transaction open on
// each database so that nothing resets the WAL before it has copied it, and
// it checkpoints after every sync. PocketBase's own connections keep SQLite's
// automatic checkpoint only as a backstop (at 10000 pages instead of 1000),
// and PocketBase's nightly TRUNCATE checkpoint (which would block writers
// behind Litestream's read transaction) runs as PRAGMA optimize alone.
package replication
