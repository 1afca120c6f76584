package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Conn is what a bulk load writes through: the connection holding its
// transaction (*sql.Conn, *sql.Tx).
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Bulk indexes the rows a bulk load inserts into a collection all at once,
// instead of one by one through the insert trigger: Pause, in the load's
// transaction, sets the insert trigger aside; Resume, in the same
// transaction before it commits, indexes every row inserted since with
// three INSERT ... SELECTs (the map, Table, ShortTable) and puts the trigger
// back. The trigger's removal is part of the transaction: a load that
// rolls back or dies before it commits leaves the trigger (and the index)
// as they were, and no other connection ever writes without it (the load
// holds SQLite's only writer). Updates and deletes still go through their
// triggers; an update of a row inserted since Pause indexes it at once,
// and Resume leaves it alone.
type Bulk struct {
	collection string
	trigger    string // the insert trigger's SQL, as stored; "" when not paused
	after      int64  // the table's largest rowid when paused
	hashSize   int64  // FTS5's hashsize when paused, put back by Resume
	mapSQL     string
	ftsSQL     string
	shortSQL   string
	ok         bool // the collection is indexed and its trigger is the one expected
}

// NewBulk prepares the bulk indexing of collection's rows, or a Bulk that
// does nothing when the collection is not indexed, the index is not
// installed, or its insert trigger is not the one this code would make
// (then the trigger indexes every row, as always).
func NewBulk(app core.App, collection string) (*Bulk, error) {
	b := &Bulk{collection: collection}
	s, indexed := sourceFor(collection)
	if !indexed || !Installed(app) {
		return b, nil
	}
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	now, err := currentTriggers(app, collection)
	if err != nil {
		return nil, err
	}
	name := triggerName(collection, "ai")
	if now[name] == "" || now[name] != s.triggers(c)[name] {
		return b, nil
	}
	coll, table := quoteText(c.Name), quoteIdent(c.Name)
	b.ok = true
	b.mapSQL = fmt.Sprintf("INSERT OR IGNORE INTO `%s` (collection, record) SELECT %s, t.id FROM %s t WHERE t.rowid > ? AND t.rowid <= ? AND %s ORDER BY t.rowid",
		MapTable, coll, table, s.kept(c, "t"))
	b.ftsSQL = fmt.Sprintf("INSERT INTO `%s` (rowid, name, detail, body, keys) SELECT m.id, %s FROM `%s` m JOIN %s t ON t.id = m.record "+
		"WHERE m.collection = %s AND m.id > ? ORDER BY m.id", Table, strings.Join(s.values(c, "t"), ", "), MapTable, table, coll)
	b.shortSQL = copyShortSQL("rowid > ?")
	return b, nil
}

// Pause sets the insert trigger aside for the rest of conn's transaction.
func (b *Bulk) Pause(ctx context.Context, conn Conn) error {
	if !b.ok || b.trigger != "" {
		return nil
	}
	name := triggerName(b.collection, "ai")
	var stored string
	err := conn.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", name).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("search: the trigger %s is gone", name)
	}
	if err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, "SELECT IFNULL(MAX(rowid), 0) FROM "+quoteIdent(b.collection)).Scan(&b.after); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "DROP TRIGGER "+quoteIdent(name)); err != nil {
		return err
	}
	// A larger buffer of pending terms while the load lasts: fewer, larger
	// segments to write and merge (FTS5 keeps at most this much in memory).
	if err := conn.QueryRowContext(ctx, "SELECT IFNULL((SELECT v FROM `"+Table+"_config` WHERE k = 'hashsize'), ?)", defaultHashSize).Scan(&b.hashSize); err != nil {
		return err
	}
	if err := setHashSize(ctx, conn, bulkHashSize); err != nil {
		return err
	}
	b.trigger = stored
	return nil
}

// FTS5's buffer of pending terms, in bytes: its default, and during a bulk
// load.
const defaultHashSize, bulkHashSize = 1 << 20, 8 << 20

func setHashSize(ctx context.Context, conn Conn, n int64) error {
	for _, table := range []string{Table, ShortTable} {
		if _, err := conn.ExecContext(ctx, "INSERT INTO `"+table+"` (`"+table+"`, rank) VALUES ('hashsize', ?)", n); err != nil {
			return err
		}
	}
	return nil
}

// CatchUp indexes the rows inserted since Pause (or the last CatchUp), in
// conn's transaction: a long load calls it every so many rows, so that
// each of its statements stays small (SQLite keeps what one statement
// changes until it ends) and Resume has only the last rows left to do.
func (b *Bulk) CatchUp(ctx context.Context, conn Conn) error {
	if b.trigger == "" {
		return nil
	}
	var mapAfter, last int64
	if err := conn.QueryRowContext(ctx, "SELECT IFNULL(MAX(id), 0) FROM `"+MapTable+"`").Scan(&mapAfter); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, "SELECT IFNULL(MAX(rowid), 0) FROM "+quoteIdent(b.collection)).Scan(&last); err != nil {
		return err
	}
	if last <= b.after {
		return nil
	}
	if _, err := conn.ExecContext(ctx, b.mapSQL, b.after, last); err != nil {
		return fmt.Errorf("search: index the new %s: %w", b.collection, err)
	}
	if _, err := conn.ExecContext(ctx, b.ftsSQL, mapAfter); err != nil {
		return fmt.Errorf("search: index the new %s: %w", b.collection, err)
	}
	if _, err := conn.ExecContext(ctx, b.shortSQL, mapAfter); err != nil {
		return fmt.Errorf("search: index the new %s: %w", b.collection, err)
	}
	b.after = last
	return nil
}

// Resume indexes the rows inserted since Pause (or the last CatchUp) and
// puts the trigger back, in conn's transaction (before it commits).
func (b *Bulk) Resume(ctx context.Context, conn Conn) error {
	if b.trigger == "" {
		return nil
	}
	if err := b.CatchUp(ctx, conn); err != nil {
		return err
	}
	if err := setHashSize(ctx, conn, b.hashSize); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, b.trigger); err != nil {
		return err
	}
	b.trigger = ""
	return nil
}

// Forget is for a transaction that rolled back: the trigger is back by
// itself.
func (b *Bulk) Forget() { b.trigger = "" }
