package timeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Interactions that call for a follow-up when logged.
var followUpTypes = []string{"call", "meeting", "visit"}

// followUpKey carries a follow-up request from the request hook (which reads
// the body) to the model hook (which saves the task in the activity's
// transaction). Like ActorKey, never exported by PocketBase.
const followUpKey = "@pbInternalVinculoFollowUp"

type followUpRequest struct {
	Propose bool
	Due     time.Time // zero: FollowUpDays business days after the interaction
}

// ProposeFollowUp asks for a follow-up task when the activity record, a call,
// a meeting or a visit by a staff member, is created by Go code: the record
// API asks for one by itself unless the body says `followup: false`. A zero
// due means the configured business days later.
func ProposeFollowUp(record *core.Record, due time.Time) {
	record.SetRaw(followUpKey, followUpRequest{Propose: true, Due: due})
}

// Edit is one change of a note, kept in its `edits`: the subject and body it
// replaced, when and by whom (empty when not a staff member) it was changed.
// The first version is the note's author's at its creation; version k+1 is
// by edits[k].Staff at edits[k].EditedAt.
type Edit struct {
	Body     string `json:"body"`
	Subject  string `json:"subject"`
	EditedAt string `json:"edited_at"`
	Staff    string `json:"staff"`
}

func bindActivities(app core.App, cfg *crm.Config) {
	// The body's follow-up options: `followup: false` opts out,
	// `followup_due` sets the due time. PocketBase ignores body keys that are
	// not fields, so they are read here, where the request is known.
	app.OnRecordCreateRequest(crm.Activities).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.timeline.followup.request", Func: func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		req := followUpRequest{Propose: true}
		errs := validation.Errors{}
		if v, ok := info.Body["followup"]; ok && v != nil {
			switch x := v.(type) {
			case bool:
				req.Propose = x
			case string:
				if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
					req.Propose = b
				} else {
					errs["followup"] = validation.NewError("validation_followup", "followup is true or false.")
				}
			default:
				errs["followup"] = validation.NewError("validation_followup", "followup is true or false.")
			}
		}
		if v, ok := info.Body["followup_due"]; ok && v != nil && v != "" {
			s, isText := v.(string)
			due, err := types.ParseDateTime(s)
			if !isText || err != nil || due.IsZero() {
				errs["followup_due"] = validation.NewError("validation_followup_due", "followup_due is a date and time, like 2026-12-01 15:00:00.000Z.")
			} else {
				req.Due = due.Time()
			}
		}
		if len(errs) > 0 {
			return e.BadRequestError("Invalid follow-up.", errs)
		}
		e.Record.SetRaw(followUpKey, req)
		return e.Next()
	}})

	app.OnRecordCreate(crm.Activities).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "vinculo.timeline.create.activities", Priority: -100,
		Func: func(e *core.RecordEvent) error {
			if e.Record.GetDateTime("occurred_at").IsZero() {
				e.Record.Set("occurred_at", types.NowDateTime())
			}
			original := e.App
			defer func() { e.App = original }()
			// The activity and its follow-up commit together.
			return e.App.RunInTransaction(func(tx core.App) error {
				e.App = tx
				if err := e.Next(); err != nil {
					return err
				}
				return proposeFollowUp(tx, cfg, e.Record)
			})
		},
	})

	// Notes keep the history of their edits, whoever edits them.
	app.OnRecordUpdate(crm.Activities).Bind(&hook.Handler[*core.RecordEvent]{Id: "vinculo.timeline.note_edits", Func: noteEdits})
}

// noteEdits keeps the history of a note's edits, whoever edits it: the
// timeline is immutable (by rule) except notes, and a note's earlier words
// stay readable.
func noteEdits(e *core.RecordEvent) error {
	if e.Record.GetString("type") != "note" {
		return e.Next()
	}
	prev, err := e.App.FindRecordById(crm.Activities, e.Record.Id)
	if err != nil {
		return err
	}
	if prev.GetString("body") == e.Record.GetString("body") && prev.GetString("subject") == e.Record.GetString("subject") {
		return e.Next()
	}
	var edits []Edit
	if err := prev.UnmarshalJSONField("edits", &edits); err != nil {
		edits = nil // unreadable history is restarted, not a reason to refuse the edit
	}
	edits = append(edits, Edit{
		Body: prev.GetString("body"), Subject: prev.GetString("subject"),
		EditedAt: types.NowDateTime().String(), Staff: ActorOf(e.Record).Staff,
	})
	e.Record.Set("edits", edits)
	return e.Next()
}

// proposeFollowUp creates the follow-up task of a logged call, meeting or
// visit: open, for the staff member who logged it, due FollowUpDays business
// days after the interaction at the same local time (or when the caller said).
func proposeFollowUp(tx core.App, cfg *crm.Config, a *core.Record) error {
	req, _ := a.GetRaw(followUpKey).(followUpRequest)
	staff := a.GetString("staff")
	if !cfg.FollowUps || !req.Propose || staff == "" || !isFollowUpType(a.GetString("type")) {
		return nil
	}
	due := req.Due
	if due.IsZero() {
		due = AddBusinessDays(cfg.Business.Calendar(), a.GetDateTime("occurred_at").Time(), cfg.FollowUpDays)
	}
	tasks, err := tx.FindCachedCollectionByNameOrId(crm.Tasks)
	if err != nil {
		return err
	}
	t := core.NewRecord(tasks)
	t.Load(map[string]any{
		"title": clip("Follow up: "+followUpTopic(tx, a), 300), "status": "open",
		"due": due, "assignee": staff, "created_by": staff,
		"contact": a.GetString("contact"), "company": a.GetString("company"),
		"deal": a.GetString("deal"), "case": a.GetString("case"), "activity": a.Id,
	})
	SetActor(t, ActorOf(a))
	if err := tx.Save(t); err != nil {
		return fmt.Errorf("follow-up task: %w", err)
	}
	return nil
}

func isFollowUpType(t string) bool {
	for _, f := range followUpTypes {
		if t == f {
			return true
		}
	}
	return false
}

// followUpTopic: the subject, else "call with <contact>".
func followUpTopic(app core.App, a *core.Record) string {
	if s := strings.TrimSpace(a.GetString("subject")); s != "" {
		return s
	}
	topic := a.GetString("type")
	if c, err := app.FindRecordById(crm.Contacts, a.GetString("contact")); err == nil {
		topic += " with " + c.GetString("name")
	}
	return topic
}

// AddBusinessDays is days business days after t, at the same local time in
// the calendar's zone: a call on Friday at 15:00 plus 2 is Tuesday at 15:00.
// A business day is a day with opening hours that is not closed. A calendar
// with no business day at all counts calendar days.
func AddBusinessDays(cal crm.Calendar, t time.Time, days int) time.Time {
	loc := cal.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	y, m, d := local.Date()
	h, min, s := local.Clock()
	at := func(offset int) time.Time { return time.Date(y, m, d+offset, h, min, s, local.Nanosecond(), loc) }
	if days <= 0 {
		return t
	}
	count := 0
	for offset := 1; offset <= 3660; offset++ {
		day := at(offset)
		if len(cal.Hours[day.Weekday()]) > 0 && !cal.Closed[day.Format("2006-01-02")] {
			count++
			if count == days {
				return day
			}
		}
	}
	return at(days)
}
