package accesslog

import (
	"strconv"
	"strings"
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
// a batch replayed after a crash is not written twice.
func write(app core.App, batch []Entry) error {
	if len(batch) == 0 {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := resolveCases(tx, batch); err != nil {
			return err
		}
		var looks []Entry
		for _, e := range batch {
			if e.Action == actionExport {
				if err := writeExport(tx, e); err != nil {
					return err
				}
				continue
			}
			looks = append(looks, e)
		}
		for len(looks) > 0 {
			n := min(rowsPerInsert, len(looks))
			if err := insertLooks(tx, looks[:n]); err != nil {
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

// insertLooks is one multi-row INSERT OR IGNORE of looks.
func insertLooks(tx core.App, looks []Entry) error {
	now := dbTime(time.Now())
	params := dbx.Params{}
	rows := make([]string, len(looks))
	for i, e := range looks {
		holders := make([]string, len(auditColumns))
		for j, v := range values(e, now) {
			k := "p" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
			params[k] = v
			holders[j] = "{:" + k + "}"
		}
		rows[i] = "(" + strings.Join(holders, ",") + ")"
	}
	sql := "INSERT OR IGNORE INTO `" + crm.AuditLog + "` (`" + strings.Join(auditColumns, "`,`") + "`) VALUES " + strings.Join(rows, ",")
	_, err := tx.DB().NewQuery(sql).Bind(params).Execute()
	return err
}

// membersPerInsert: three parameters a row.
const membersPerInsert = 300

// writeExport writes the export's row and, when it is new, its members.
func writeExport(tx core.App, e Entry) error {
	if err := insertLooks(tx, []Entry{e}); err != nil {
		return err
	}
	var changed int
	if err := tx.DB().NewQuery("SELECT changes()").Row(&changed); err != nil {
		return err
	}
	if changed == 0 {
		return nil // written before a crash: its members with it
	}
	members := e.Members
	for len(members) > 0 {
		n := min(membersPerInsert, len(members))
		var sb strings.Builder
		sb.WriteString("INSERT INTO `" + crm.ExportMembers + "` (`id`,`" + crm.AuditExport + "`,`" + crm.FieldContact + "`) VALUES ")
		params := dbx.Params{"e": e.ID}
		for i, c := range members[:n] {
			if i > 0 {
				sb.WriteByte(',')
			}
			k := strconv.Itoa(i)
			sb.WriteString("({:i" + k + "},{:e},{:c" + k + "})")
			params["i"+k] = core.GenerateDefaultRandomId()
			params["c"+k] = c
		}
		if _, err := tx.DB().NewQuery(sb.String()).Bind(params).Execute(); err != nil {
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
