package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Retention (plugins/retention, issue 20):
//   - retention_rules: one rule per kind of record (leads, outbox content,
//     access log, notifications) with its months and its switch, seeded OFF
//     with the suggested months: removing data cannot be undone and the
//     right periods are the business's legal call, so nothing is removed
//     until a manager turns a rule on. Managers read and change months and
//     the switch; the server seeds the rows and sets each one's action;
//   - retention_runs: what each run did, per rule. Managers read; the
//     server writes;
//   - the outbox gains cleared_at (when a rule removed a message's content;
//     the server's alone) and an index for the rule's query; notifications
//     an index on their creation time.
func init() {
	m.Register(retentionUp, retentionDown)
}

const outboxClearedUntouched = "@request.body." + crm.OutboxClearedAt + ":isset = false"

func retentionUp(app core.App) error {
	rulesC := core.NewBaseCollection(crm.RetentionRules)
	rulesC.Fields.Add(
		choice(crm.RetentionKind, true, crm.RetentionKinds...),
		number(crm.RetentionMonths, true, 1, crm.RetentionMaxMonths, true),
		choice(crm.RetentionAction, true, crm.RetentionActions...),
		boolean(crm.RetentionEnabled),
	)
	rulesC.Fields.Add(timestamps()...)
	describe(rulesC, "How long each kind of record is kept: after how many months leads with no activity are anonymised, message contents cleared, access log entries and notifications deleted; run every night when on. Managers read and change them; the server seeds one per kind, off.")
	setRules(rulesC, rules{read: rule(isManager), update: rule(isManager)})
	index(rulesC, true, crm.RetentionKind)
	if err := app.Save(rulesC); err != nil {
		return err
	}
	for _, kind := range crm.RetentionKinds {
		r := core.NewRecord(rulesC)
		r.Set(crm.RetentionKind, kind)
		r.Set(crm.RetentionMonths, crm.RetentionDefaultMonths[kind])
		r.Set(crm.RetentionAction, crm.RetentionActionOf[kind])
		r.Set(crm.RetentionEnabled, false)
		if err := app.Save(r); err != nil {
			return err
		}
	}

	runs := core.NewBaseCollection(crm.RetentionRuns)
	runs.Fields.Add(
		choice(crm.RetentionRunTrigger, true, crm.RetentionNightly, crm.RetentionManual),
		relation(app, crm.RetentionRunBy, crm.Staff, false, false),
		date(crm.RetentionRunStarted, true),
		date(crm.RetentionRunFinished, false),
		number(crm.RetentionRunChanged, false, 0, 1e12, true),
		number(crm.RetentionRunErrors, false, 0, 1e12, true),
		jsonField(crm.RetentionRunResults, false, 256<<10),
	)
	runs.Fields.Add(timestamps()...)
	describe(runs, "One row per run of the retention rules, nightly or asked for by a manager: when it ran and, per rule, its months, cut-off, how many records it changed and what failed. Managers read; the server writes.")
	setRules(runs, rules{read: rule(isManager)})
	index(runs, false, crm.RetentionRunStarted)
	index(runs, false, crm.RetentionRunBy)
	if err := app.Save(runs); err != nil {
		return err
	}

	outbox, err := app.FindCollectionByNameOrId(crm.Outbox)
	if err != nil {
		return err
	}
	outbox.Fields.Add(date(crm.OutboxClearedAt, false))
	index(outbox, false, "state", "created")
	if outbox.UpdateRule != nil && !strings.Contains(*outbox.UpdateRule, outboxClearedUntouched) {
		outbox.UpdateRule = rule("(" + *outbox.UpdateRule + ") && " + outboxClearedUntouched)
	}
	if err := app.Save(outbox); err != nil {
		return err
	}

	notes, err := app.FindCollectionByNameOrId(crm.Notifications)
	if err != nil {
		return err
	}
	index(notes, false, "created")
	return app.Save(notes)
}

func retentionDown(app core.App) error {
	for _, name := range []string{crm.RetentionRuns, crm.RetentionRules} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	if outbox, err := app.FindCollectionByNameOrId(crm.Outbox); err == nil {
		outbox.Fields.RemoveByName(crm.OutboxClearedAt)
		outbox.RemoveIndex("idx_" + crm.Outbox + "_state_created")
		if outbox.UpdateRule != nil {
			r := strings.ReplaceAll(*outbox.UpdateRule, ") && "+outboxClearedUntouched, "")
			r = strings.TrimPrefix(r, "(")
			outbox.UpdateRule = &r
		}
		if err := app.Save(outbox); err != nil {
			return err
		}
	}
	if notes, err := app.FindCollectionByNameOrId(crm.Notifications); err == nil {
		notes.RemoveIndex("idx_" + crm.Notifications + "_created")
		return app.Save(notes)
	}
	return nil
}
