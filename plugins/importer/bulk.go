package importer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulk queues rows and writes them with multi-row INSERTs prepared once per
// connection taken by the import, inside whatever transaction is open: the
// same shape as the demo's bulk writer and the raw SQLite baseline of make
// bench.
type bulk struct {
	conn    *sql.Conn
	table   string
	verb    string
	columns []string
	perStmt int
	stmt    *sql.Stmt
	args    []any
	onFlush func()
}

func newBulk(conn *sql.Conn, table, verb string, columns ...string) *bulk {
	perStmt := max(1, 900/len(columns)) // far below SQLite's parameter limit
	return &bulk{conn: conn, table: table, verb: verb, columns: columns, perStmt: perStmt, args: make([]any, 0, perStmt*len(columns))}
}

func (b *bulk) insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(b.columns)), ",") + ")"
	table := "`" + b.table + "`"
	if strings.HasPrefix(b.table, "temp.") {
		table = b.table
	}
	return fmt.Sprintf("%s INTO %s (`%s`) VALUES %s", b.verb, table, strings.Join(b.columns, "`,`"),
		strings.TrimSuffix(strings.Repeat(one+",", rows), ","))
}

func (b *bulk) add(values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) >= b.perStmt*len(b.columns) {
		return b.flush()
	}
	return nil
}

func (b *bulk) flush() error {
	rows := len(b.args) / len(b.columns)
	if rows == 0 {
		return nil
	}
	ctx := context.Background()
	var err error
	if rows == b.perStmt {
		if b.stmt == nil {
			if b.stmt, err = b.conn.PrepareContext(ctx, b.insertSQL(rows)); err != nil {
				return err
			}
		}
		_, err = b.stmt.ExecContext(ctx, b.args...)
	} else {
		_, err = b.conn.ExecContext(ctx, b.insertSQL(rows), b.args...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	clear(b.args)
	b.args = b.args[:0]
	if b.onFlush != nil {
		b.onFlush()
	}
	return nil
}

func (b *bulk) reset() { clear(b.args); b.args = b.args[:0] }

// use moves b to another connection (a valid-only run takes the pool's
// connection again for each batch); its statement is prepared anew there.
func (b *bulk) use(conn *sql.Conn) {
	b.close()
	b.conn = conn
}

func (b *bulk) close() {
	if b.stmt != nil {
		b.stmt.Close()
		b.stmt = nil
	}
}
