package timeline

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

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

func bindActivities(app core.App) {
	app.OnRecordCreate(crm.Activities).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "vinculo.timeline.create.activities", Priority: -100,
		Func: func(e *core.RecordEvent) error {
			if e.Record.GetDateTime("occurred_at").IsZero() {
				e.Record.Set("occurred_at", types.NowDateTime())
			}
			original := e.App
			defer func() { e.App = original }()
			// The activity and what later hooks write with it (the
			// follow-up task of hooks/05_followup_task.pb.js) commit together.
			return e.App.RunInTransaction(func(tx core.App) error {
				e.App = tx
				return e.Next()
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
