package retention

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/erasure"
)

// kind is what a rule of one kind of record does: which rows are due (a
// WHERE over the table aliased t, given the cut-off), how a due row is
// shown in the preview, and what the run does to a batch of them. The
// preview and the run read the same WHERE, so the preview counts exactly
// what the next run changes; a row the run changed no longer matches, so
// running again changes nothing.
type kind struct {
	table string
	where func(cut string) (string, dbx.Params)
	label string // SQL: a few words naming a due row to a manager
	at    string // SQL: the row's date the cut-off is compared with
	batch int    // rows per transaction
	apply func(tx core.App, cfg *crm.Config, ids []string, now time.Time) (changed int, failures []failure, err error)
}

// failure is one row a run could not change, and why (a code the screens
// word, and the error's own words).
type failure struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// Failure codes.
const (
	failAnonymise = "anonymise_failed"
	failClear     = "clear_failed"
	failBatch     = "batch_failed"
)

var kinds = map[string]kind{
	crm.RetentionLeads:         leads,
	crm.RetentionOutbox:        outboxContent,
	crm.RetentionAccessLog:     accessLog,
	crm.RetentionNotifications: notifications,
}

// Leads: contacts at the lead or prospect stage who never bought (no order,
// no subscription, no invoice), with no request still open nor deal still
// open however old (someone is on it), and of whom nothing happened since
// the cut-off — not created or changed, no timeline entry, no request or
// deal touched.
var leads = kind{
	table: crm.Contacts,
	where: func(cut string) (string, dbx.Params) {
		return "t.stage IN ({:lead}, {:prospect}) AND t.created < {:cut} AND t.updated < {:cut}" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Orders + "` o WHERE o.contact = t.id)" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Subscriptions + "` s WHERE s.contact = t.id)" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Invoices + "` i WHERE i.contact = t.id)" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Cases + "` oc WHERE oc.contact = t.id AND oc.closed = FALSE)" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Deals + "` od WHERE od.contact = t.id AND od.status = {:dealOpen})" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Activities + "` a WHERE a.contact = t.id AND (a.occurred_at >= {:cut} OR a.created >= {:cut}))" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Cases + "` c WHERE c.contact = t.id AND c.updated >= {:cut})" +
				" AND NOT EXISTS (SELECT 1 FROM `" + crm.Deals + "` d WHERE d.contact = t.id AND d.updated >= {:cut})" +
				notAnonymised,
			dbx.Params{"cut": cut, "lead": crm.LifecycleStages[0], "prospect": crm.LifecycleStages[1], "dealOpen": crm.DealOpen}
	},
	label: "t.name",
	at:    "t.updated",
	batch: 1, // one person per transaction: an anonymisation touches many tables
	apply: anonymise,
}

// notAnonymised leaves out contacts an erasure already anonymised: they are
// named by its pseudonymous reference alone (ER- and eight letters and
// digits, crm.ErasureRef), which is no one's name.
const notAnonymised = " AND t.name NOT GLOB 'ER-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]'"

func anonymise(tx core.App, cfg *crm.Config, ids []string, _ time.Time) (int, []failure, error) {
	changed := 0
	for _, id := range ids {
		if _, err := erasure.Anonymise(tx, cfg, id); err != nil {
			return changed, []failure{{ID: id, Code: failAnonymise, Detail: err.Error()}}, err
		}
		changed++
	}
	return changed, nil, nil
}

// Outbox content: messages sent, refused or failed — final states — lose
// their subject, body, template data, copies and files; the row keeps its
// state, reason and dates. Queued and waiting messages are never touched.
var outboxContent = kind{
	table: crm.Outbox,
	where: func(cut string) (string, dbx.Params) {
		return "t.state IN ({:sent}, {:refused}, {:failed}) AND t.created < {:cut}" +
				" AND (t." + crm.OutboxClearedAt + " IS NULL OR t." + crm.OutboxClearedAt + " = '')",
			dbx.Params{"cut": cut, "sent": crm.OutboxSent, "refused": crm.OutboxRefused, "failed": crm.OutboxFailed}
	},
	label: "COALESCE(NULLIF(t.subject, ''), t.template, '')",
	at:    "t.created",
	batch: 200,
	apply: clearOutbox,
}

// outboxContentFields are the fields of a message that carry what it said.
var outboxContentFields = []string{"subject", "body", crm.OutboxData, crm.OutboxCc, crm.OutboxTo, crm.OutboxFiles}

func clearOutbox(tx core.App, _ *crm.Config, ids []string, now time.Time) (int, []failure, error) {
	records, err := tx.FindRecordsByIds(crm.Outbox, ids)
	if err != nil {
		return 0, nil, err
	}
	changed := 0
	var failures []failure
	for _, r := range records {
		for _, f := range outboxContentFields {
			r.Set(f, nil)
		}
		r.Set(crm.OutboxClearedAt, now.UTC())
		crm.Quietly(r)
		// Saved as a record, so that its files are removed once the batch commits.
		if err := tx.SaveNoValidate(r); err != nil {
			failures = append(failures, failure{ID: r.Id, Code: failClear, Detail: err.Error()})
			continue
		}
		changed++
	}
	// The timeline's entries about these messages named their subject: they
	// keep the template's name only (the search index follows by trigger).
	forget := "UPDATE `" + crm.Activities + "` SET subject = COALESCE(json_extract(data, '$.template'), ''), " +
		"data = json_set(data, '$.subject', '') WHERE ref_collection = {:outbox} AND ref_id IN (" + placeholders(len(ids)) + ") AND json_valid(data)"
	params := dbx.Params{"outbox": crm.Outbox}
	for i, id := range ids {
		params[fmt.Sprintf("id%d", i)] = id
	}
	if _, err := tx.DB().NewQuery(forget).Bind(params).Execute(); err != nil {
		return 0, nil, err
	}
	return changed, failures, nil
}

// placeholders are {:id0}, {:id1}... for n bound ids.
func placeholders(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("{:id%d}", i)
	}
	return strings.Join(out, ", ")
}

// Access log: the reads and exports of customers' data (who looked); an
// export's list of the customers it held goes with it. The audit of
// changes (creates, updates, merges, sign-ins) is not this rule's.
var accessLog = kind{
	table: crm.AuditLog,
	where: func(cut string) (string, dbx.Params) {
		return "t.action IN ({:read}, {:export}) AND t.created < {:cut}", dbx.Params{"cut": cut, "read": auditRead, "export": auditExport}
	},
	label: "COALESCE(NULLIF(t." + crm.AuditActorName + ", ''), t.actor_type) || ' · ' || t.action || ' · ' || COALESCE(NULLIF(t.`" + crm.AuditScreen + "`, ''), t.collection)",
	at:    "t.created",
	batch: 500,
	apply: func(tx core.App, _ *crm.Config, ids []string, _ time.Time) (int, []failure, error) {
		if _, err := tx.DB().Delete(crm.ExportMembers, dbx.In(crm.AuditExport, anys(ids)...)).Execute(); err != nil {
			return 0, nil, err
		}
		return deleteRows(tx, crm.AuditLog, ids)
	},
}

// The audit_log actions of the access log.
const (
	auditRead   = "read"
	auditExport = "export"
)

// Notifications: what colleagues were told, read or not.
var notifications = kind{
	table: crm.Notifications,
	where: func(cut string) (string, dbx.Params) {
		return "t.created < {:cut}", dbx.Params{"cut": cut}
	},
	label: "t.`" + crm.NotifEvent + "`",
	at:    "t.created",
	batch: 500,
	apply: func(tx core.App, _ *crm.Config, ids []string, _ time.Time) (int, []failure, error) {
		return deleteRows(tx, crm.Notifications, ids)
	},
}

func deleteRows(tx core.App, table string, ids []string) (int, []failure, error) {
	res, err := tx.DB().Delete(table, dbx.In("id", anys(ids)...)).Execute()
	if err != nil {
		return 0, nil, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil, nil
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
