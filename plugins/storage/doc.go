// Package storage owns what the server does when its disk fails it: a full
// disk (SQLite's "database or disk is full", a file upload's "no space left
// on device", a disk quota) or an I/O error.
//
//   - A request whose write failed for lack of storage answers 507
//     Insufficient Storage with a message that says so ("The server's storage
//     is full: nothing was saved. Try again later."), never a 400 that blames
//     the client. SQLite rolled the write back: nothing of it was kept.
//   - Every such failure is logged to the process's standard error, not only
//     to the request log, which lives on the same disk.
//   - GET /api/health answers as before, and for a superuser its data carries
//     storage: {ok, error, since, last}. While storage is failing, a
//     superuser's health check also tries a small write in the data dir, so
//     that the answer turns green again once space was freed; any record
//     written successfully does the same.
//   - Reads keep working: a write a read makes on the side (the audit entry of
//     the 360 page) goes through Tolerate, which logs a storage failure and
//     lets the read answer.
//
// It also keeps the query planner's statistics true to the data
// (statistics.go): refreshed, bounded, when `serve` starts and after an
// import wrote rows, with every empty table noted as empty.
package storage
