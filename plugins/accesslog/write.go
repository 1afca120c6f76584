package accesslog

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/storage"
)

// auditColumns are the audit_log columns a look fills, in order.
var auditColumns = []string{"id", "actor_type", "staff", "customer", "action", "collection", "record", crm.FieldContact,
	"reason", "ip", "user_agent", "created", crm.AuditActorKind, crm.AuditActorName, crm.AuditActorRole,
	crm.AuditScreen, crm.AuditAt, crm.AuditCount}

// rowsPerInsert keeps a statement's parameters well under SQLite's limit.
const rowsPerInsert = 50

// dbTime is a time as PocketBase stores dates.
func dbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// write stores a batch in one transaction: the looks, then each export with
// its members. Rows are inserted by id and skipped when already there, so
// a batch replayed after a crash is not written twice. Full chunks share one
// prepared statement per transaction (SQL built once, parsed once).
func write(app core.App, batch []Entry) error {
	if len(batch) == 0 {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := resolveCases(tx, batch); err != nil {
			return err
		}
		ins := &inserts{tx: tx}
		defer ins.close()
		var looks []Entry
		for _, e := range batch {
			if e.Action == actionExport {
				if err := ins.export(e); err != nil {
					return err
				}
				continue
			}
			looks = append(looks, e)
		}
		for len(looks) > 0 {
			n := min(rowsPerInsert, len(looks))
			if err := ins.looks(looks[:n]); err != nil {
				return err
			}
			looks = looks[n:]
		}
		return nil
	})
}

// resolveCases finds the customer of the looks at a request's messages.
func resolveCases(tx core.App, batch []Entry) error {
	ids := map[string]bool{}
	for _, e := range batch {
		if e.Contact == "" && e.Case != "" {
			ids[e.Case] = true
		}
	}
	if len(ids) == 0 {
		return nil
	}
	list := make([]any, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var rows []struct {
		ID      string `db:"id"`
		Contact string `db:"contact"`
	}
	if err := tx.DB().Select("id", crm.FieldContact).From(crm.Cases).Where(dbx.In("id", list...)).All(&rows); err != nil {
		return err
	}
	contact := map[string]string{}
	for _, r := range rows {
		contact[r.ID] = r.Contact
	}
	for i := range batch {
		if batch[i].Contact == "" && batch[i].Case != "" {
			batch[i].Contact = contact[batch[i].Case]
		}
	}
	return nil
}

func values(e Entry, now string) []any {
	return []any{e.ID, e.ActorType, e.Staff, "", e.Action, e.Collection, e.Record, e.Contact,
		crm.Truncate(e.Reason, 500), crm.Truncate(e.IP, 64), crm.Truncate(e.UserAgent, 300), now,
		e.Kind, crm.Truncate(e.Name, 200), crm.Truncate(e.Role, 30), e.Screen, dbTime(e.At), e.Count}
}

// membersPerInsert: three parameters a row.
const membersPerInsert = 300

// multiRow is a multi-row INSERT of a fixed number of rows: its SQL and the
// name of each row's parameters, built once.
type multiRow struct {
	sql  string
	keys [][]string
}

func newMultiRow(head string, rows, cols int, shared map[int]string) multiRow {
	m := multiRow{keys: make([][]string, rows)}
	var sb strings.Builder
	sb.WriteString(head)
	for i := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		m.keys[i] = make([]string, cols)
		for j := range cols {
			if j > 0 {
				sb.WriteByte(',')
			}
			k, ok := shared[j]
			if !ok {
				k = "p" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
				m.keys[i][j] = k
			}
			sb.WriteString("{:" + k + "}")
		}
		sb.WriteByte(')')
	}
	m.sql = sb.String()
	return m
}

var (
	shapesOnce sync.Once
	looksFull  multiRow // rowsPerInsert looks
	membersAll multiRow // membersPerInsert members of one export ({:e})
)

func looksHead() string {
	return "INSERT OR IGNORE INTO `" + crm.AuditLog + "` (`" + strings.Join(auditColumns, "`,`") + "`) VALUES "
}

func membersHead() string {
	return "INSERT INTO `" + crm.ExportMembers + "` (`id`,`" + crm.AuditExport + "`,`" + crm.FieldContact + "`) VALUES "
}

func shapes() {
	shapesOnce.Do(func() {
		looksFull = newMultiRow(looksHead(), rowsPerInsert, len(auditColumns), nil)
		membersAll = newMultiRow(membersHead(), membersPerInsert, 3, map[int]string{1: "e"})
	})
}

// inserts writes one transaction's rows; the full chunks' statements are
// prepared on first use and closed with it.
type inserts struct {
	tx            core.App
	looksQ, membQ *dbx.Query
}

func (in *inserts) close() {
	for _, q := range []*dbx.Query{in.looksQ, in.membQ} {
		if q != nil {
			_ = q.Close()
		}
	}
}

// looks is one multi-row INSERT OR IGNORE of at most rowsPerInsert looks.
func (in *inserts) looks(looks []Entry) error {
	shapes()
	now := dbTime(time.Now())
	shape, q := looksFull, in.looksQ
	if len(looks) < rowsPerInsert {
		shape, q = newMultiRow(looksHead(), len(looks), len(auditColumns), nil), nil
	}
	params := make(dbx.Params, len(looks)*len(auditColumns))
	for i, e := range looks {
		for j, v := range values(e, now) {
			params[shape.keys[i][j]] = v
		}
	}
	if q == nil {
		q = in.tx.DB().NewQuery(shape.sql)
		if len(looks) == rowsPerInsert {
			q = q.Prepare()
			in.looksQ = q
		}
	}
	_, err := q.Bind(params).Execute()
	return err
}

// export writes the export's row and, when it is new, its members.
func (in *inserts) export(e Entry) error {
	if err := in.looks([]Entry{e}); err != nil {
		return err
	}
	var changed int
	if err := in.tx.DB().NewQuery("SELECT changes()").Row(&changed); err != nil {
		return err
	}
	if changed == 0 {
		return nil // written before a crash: its members with it
	}
	shapes()
	members := e.Members
	for len(members) > 0 {
		n := min(membersPerInsert, len(members))
		shape, q := membersAll, in.membQ
		if n < membersPerInsert {
			shape, q = newMultiRow(membersHead(), n, 3, map[int]string{1: "e"}), nil
		}
		params := make(dbx.Params, 2*n+1)
		params["e"] = e.ID
		for i, c := range members[:n] {
			params[shape.keys[i][0]] = core.GenerateDefaultRandomId()
			params[shape.keys[i][2]] = c
		}
		if q == nil {
			q = in.tx.DB().NewQuery(shape.sql)
			if n == membersPerInsert {
				q = q.Prepare()
				in.membQ = q
			}
		}
		if _, err := q.Bind(params).Execute(); err != nil {
			return err
		}
		members = members[n:]
	}
	return nil
}

// report logs a batch that could not be written; a full or failing disk is
// the storage plugin's to report, and the looks wait for the next turn.
func report(app core.App, err error) {
	if err = storage.Tolerate(app, "the audit entry of a read", err); err != nil {
		app.Logger().Error("access log: looks not written; they wait for the next turn", "error", err)
	}
}
