package surveys

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// bindCSAT keeps each request's CSAT answer in step with its rating: the
// rating is set on the signed page /rate/{case}, on the request's page in
// the portal, or by staff; whichever way, the one CSAT answer of the request
// is written, changed or removed in the same transaction.
func bindCSAT(app core.App) {
	sync := func(e *core.RecordEvent) error {
		var before *core.Record
		if !e.Record.IsNew() {
			if stored, err := e.App.FindRecordById(crm.Cases, e.Record.Id); err == nil {
				before = stored
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		return syncCSAT(e.App, before, e.Record)
	}
	app.OnRecordCreate(crm.Cases).BindFunc(sync)
	app.OnRecordUpdate(crm.Cases).BindFunc(sync)
}

// syncCSAT writes kase's CSAT answer from its rating, when the rating or
// its comment changed.
func syncCSAT(tx core.App, before, kase *core.Record) error {
	rating, comment := kase.GetInt("rating"), kase.GetString("rating_comment")
	if before != nil && before.GetInt("rating") == rating && before.GetString("rating_comment") == comment {
		return nil
	}
	if before == nil && rating == 0 {
		return nil
	}
	rows, err := tx.FindAllRecords(crm.SurveyAnswers, dbx.HashExp{crm.AnswerCase: kase.Id, crm.AnswerKind: crm.SurveyCSAT})
	if err != nil {
		return err
	}
	if rating == 0 {
		for _, r := range rows {
			if err := tx.Delete(r); err != nil {
				return err
			}
		}
		return nil
	}
	var row *core.Record
	if len(rows) > 0 {
		row = rows[0]
	} else {
		c, err := tx.FindCachedCollectionByNameOrId(crm.SurveyAnswers)
		if err != nil {
			return err
		}
		row = core.NewRecord(c)
	}
	at := kase.GetDateTime("rated_at").Time()
	if at.IsZero() {
		at = time.Now()
	}
	row.Load(map[string]any{
		crm.AnswerKind: crm.SurveyCSAT, crm.AnswerScore: rating, crm.AnswerComment: comment,
		crm.AnswerContact: kase.GetString(crm.FieldContact), crm.AnswerCase: kase.Id, crm.AnswerAt: at,
	})
	return tx.Save(row)
}
