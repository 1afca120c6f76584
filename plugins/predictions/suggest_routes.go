package predictions

import (
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/timeline"
)

// registerSuggestions wires the suggestions: their refresh when a request
// opens or closes, a purchase is made or the contact changes owner; their
// forgetting with the scores when profiling is no longer allowed; the
// accept and dismiss routes; and the portal's profiling page (objection.go).
func registerSuggestions(app core.App, cfg *crm.Config) {
	refresh := func(e *core.RecordEvent, contact string) {
		if contact == "" {
			return
		}
		if err := RefreshSuggestions(e.App, cfg, contact); err != nil {
			e.App.Logger().Warn("predictions: a contact's suggestions were not refreshed", "contact", contact, "error", err)
		}
	}
	changed := func(e *core.RecordEvent, field string) bool {
		o := e.Record.Original()
		return o == nil || o.IsNew() || o.GetString(field) != e.Record.GetString(field)
	}
	for _, on := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordAfterCreateSuccess, app.OnRecordAfterUpdateSuccess} {
		on(crm.Cases).BindFunc(func(e *core.RecordEvent) error {
			if changed(e, "closed") {
				refresh(e, e.Record.GetString(crm.FieldContact))
			}
			return e.Next()
		})
		on(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
			if changed(e, "status") && isBought(e.Record.GetString("status")) {
				refresh(e, e.Record.GetString(crm.FieldContact))
			}
			return e.Next()
		})
	}
	app.OnRecordAfterUpdateSuccess(crm.Contacts).BindFunc(func(e *core.RecordEvent) error {
		if changed(e, crm.FieldOwner) {
			if _, err := e.App.DB().Update(crm.Suggestions, map[string]any{crm.SuggestOwner: e.Record.GetString(crm.FieldOwner)},
				dbx.HashExp{crm.SuggestContact: e.Record.Id}).Execute(); err != nil {
				e.App.Logger().Warn("predictions: suggestions kept their former owner", "contact", e.Record.Id, "error", err)
			}
		}
		return e.Next()
	})
	for _, on := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordCreate, app.OnRecordUpdate} {
		on(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			if e.Record.GetString("purpose") != crm.PurposeProfiling {
				return nil
			}
			contact := e.Record.GetString(crm.FieldContact)
			prof, err := readProfilingOf(e.App, cfg.BusinessNow().ProfilingNeedsConsent, contact)
			if err != nil {
				return err
			}
			return forgetSuggestions(e.App, prof, contact)
		})
	}
	app.OnRecordAfterUpdateSuccess(crm.BusinessSettings).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetBool(crm.BusinessProfilingNeedsConsent) && !e.Record.Original().GetBool(crm.BusinessProfilingNeedsConsent) {
			prof, err := ReadProfiling(e.App, true)
			if err == nil {
				err = forgetSuggestions(e.App, prof, "")
			}
			if err != nil {
				e.App.Logger().Error("predictions: suggestions without a granted profiling consent were not removed", "error", err)
			}
		}
		return e.Next()
	})
	serverWritten := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Suggestions are written by Vinculo; accept or dismiss one through /api/crm/suggestions/{id}/accept or /dismiss.", nil)
	}
	app.OnRecordCreateRequest(crm.Suggestions).BindFunc(serverWritten)
	app.OnRecordUpdateRequest(crm.Suggestions).BindFunc(serverWritten)
	app.OnRecordDeleteRequest(crm.Suggestions).BindFunc(serverWritten)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/suggestions/{id}/accept", func(e *core.RequestEvent) error { return decide(e, cfg, true) }).Bind(guard.Writer())
		se.Router.POST("/api/crm/suggestions/{id}/dismiss", func(e *core.RequestEvent) error { return decide(e, cfg, false) }).Bind(guard.Writer())
		se.Router.GET("/api/crm/portal/profiling", func(e *core.RequestEvent) error {
			return withCustomer(e, func(e *core.RequestEvent, c *core.Record) error { return profilingPage(e, cfg, c) })
		})
		se.Router.POST("/api/crm/portal/profiling/objection", func(e *core.RequestEvent) error {
			return withCustomer(e, func(e *core.RequestEvent, c *core.Record) error { return object(e, cfg, c) })
		})
		se.Router.DELETE("/api/crm/portal/profiling/objection", func(e *core.RequestEvent) error {
			return withCustomer(e, func(e *core.RequestEvent, c *core.Record) error { return resume(e, cfg, c) })
		})
		return se.Next()
	})
}

func isBought(status string) bool {
	for _, s := range Bought {
		if s == status {
			return true
		}
	}
	return false
}

// decideBody is what a writer sends to accept or dismiss a suggestion.
type decideBody struct {
	Note      string `json:"note"`
	TaskTitle string `json:"task_title"` // accept: the task to create, in the writer's words
	Due       string `json:"due"`        // accept: the task's day, YYYY-MM-DD (empty: the suggestion's, or today)
}

// decide accepts (creating a task for the writer) or dismisses an open
// suggestion of a contact the writer sees, and writes it on the timeline.
func decide(e *core.RequestEvent, cfg *crm.Config, accept bool) error {
	var body decideBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request's body is not JSON.", nil)
	}
	body.Note, body.TaskTitle = strings.TrimSpace(body.Note), strings.TrimSpace(body.TaskTitle)
	fields := validation.Errors{}
	if len([]rune(body.Note)) > 2000 {
		fields["note"] = validation.NewError("validation_length_too_long", "The note has at most 2000 characters.")
	}
	loc := cfg.BusinessNow().Location()
	var due time.Time
	if accept {
		if body.TaskTitle == "" || len([]rune(body.TaskTitle)) > 300 {
			fields["task_title"] = validation.NewError("validation_task_title", "Accepting makes a task: give it a title (at most 300 characters).")
		}
		if body.Due != "" {
			d, err := time.ParseInLocation(time.DateOnly, body.Due, loc)
			if err != nil {
				fields["due"] = validation.NewError("validation_due", "The task's day is written YYYY-MM-DD.")
			}
			due = d
		}
	}
	if len(fields) > 0 {
		return e.BadRequestError("Check the fields named.", fields)
	}
	s, err := e.App.FindRecordById(crm.Suggestions, e.Request.PathValue("id"))
	if err != nil || !canSee(e, s) {
		return e.NotFoundError("No such suggestion.", nil)
	}
	if s.GetString(crm.SuggestState) != crm.SuggestionOpen {
		return e.Error(http.StatusConflict, "This suggestion was already "+s.GetString(crm.SuggestState)+".", nil)
	}
	var by string
	if e.Auth.Collection().Name == crm.Staff {
		by = e.Auth.Id
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		data := map[string]any{"kind": s.GetString(crm.SuggestKind), "subject": s.GetString(crm.SuggestSubject), "note": body.Note}
		event := crm.EventSuggestionDismissed
		s.Set(crm.SuggestState, crm.SuggestionDismissed)
		if accept {
			event = crm.EventSuggestionAccepted
			s.Set(crm.SuggestState, crm.SuggestionAccepted)
			task, err := acceptTask(tx, s, by, body.TaskTitle, due, loc)
			if err != nil {
				return err
			}
			s.Set(crm.SuggestTask, task.Id)
			data["task"], data["title"] = task.Id, body.TaskTitle
		}
		s.Set(crm.SuggestDecidedBy, by)
		s.Set(crm.SuggestDecidedAt, types.NowDateTime())
		s.Set(crm.SuggestNote, body.Note)
		if err := tx.Save(s); err != nil {
			return err
		}
		_, err := timeline.Write(tx, timeline.Entry{Event: event, Data: data, Contact: s.GetString(crm.SuggestContact),
			Actor:         timeline.Actor{Type: timeline.ActorStaff, Staff: by, Channel: timeline.ChannelWeb},
			RefCollection: crm.Suggestions, RefID: s.Id})
		return err
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, s)
}

// canSee: the writer sees the suggestion under the collection's view rule
// (the business's team visibility).
func canSee(e *core.RequestEvent, s *core.Record) bool {
	if e.HasSuperuserAuth() {
		return true
	}
	info, err := e.RequestInfo()
	if err != nil {
		return false
	}
	ok, _ := e.App.CanAccessRecord(s, info, s.Collection().ViewRule)
	return ok
}

// acceptTask is the task an accepted suggestion makes, for the writer, on
// the day given, else the suggestion's own (a reorder's due day), else today.
func acceptTask(tx core.App, s *core.Record, by, title string, due time.Time, loc *time.Location) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId(crm.Tasks)
	if err != nil {
		return nil, err
	}
	if due.IsZero() {
		due = time.Now().In(loc)
		if sd := s.GetDateTime(crm.SuggestDue); !sd.IsZero() {
			y, m, d := sd.Time().UTC().Date() // stored as the day at midnight UTC
			if day := time.Date(y, m, d, 12, 0, 0, 0, loc); day.After(due) {
				due = day
			}
		}
	}
	y, m, d := due.In(loc).Date()
	task := core.NewRecord(c)
	task.Load(map[string]any{"title": title, "status": "open", crm.FieldContact: s.GetString(crm.SuggestContact),
		"assignee": by, "created_by": by, "due": time.Date(y, m, d, 12, 0, 0, 0, loc).UTC()})
	return task, tx.Save(task)
}
