package surveys

import (
	"errors"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Scale is the lowest and highest score of a survey kind.
func Scale(kind string) (lo, hi int) {
	if kind == crm.SurveyCSAT {
		return 1, 5
	}
	return 0, 10
}

// maxComment is the longest comment kept.
const maxComment = 2000

// ErrExpired: the link is older than LinkValid.
var ErrExpired = errors.New("this survey link has expired")

// Answer records what the customer answered to the survey req, in one
// transaction: the survey_answers row (a second answer to the same link
// replaces the first), the request's answered_at, and a timeline entry
// (survey.answered, or survey.changed with the previous score). A score off
// the scale is a validation error naming "score"; nothing is written then.
func Answer(app core.App, req *core.Record, score int, comment string, actor timeline.Actor, now time.Time) (*core.Record, error) {
	kind := req.GetString(crm.SurveyRequestKind)
	lo, hi := Scale(kind)
	comment = strings.TrimSpace(comment)
	switch {
	case score < lo || score > hi:
		return nil, validation.Errors{"score": validation.NewError("validation_score", scaleMessage(lo, hi))}
	case len([]rune(comment)) > maxComment:
		return nil, validation.Errors{"comment": validation.NewError("validation_comment_long", "Write at most 2000 characters.")}
	case now.After(req.GetDateTime(crm.SurveyRequestExpiresAt).Time()):
		return nil, ErrExpired
	}
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		row, prev, err := answerRow(tx, req)
		if err != nil {
			return err
		}
		row.Load(map[string]any{
			crm.AnswerKind: kind, crm.AnswerScore: score, crm.AnswerComment: comment,
			crm.AnswerContact: req.GetString(crm.SurveyRequestContact), crm.AnswerCase: req.GetString(crm.SurveyRequestCase),
			crm.AnswerRequest: req.Id, crm.AnswerAt: now, crm.AnswerChannel: askedOn(tx, req),
		})
		if err := tx.Save(row); err != nil {
			return err
		}
		req.Set(crm.SurveyRequestAnswered, now)
		if err := tx.Save(req); err != nil {
			return err
		}
		entry := timeline.Entry{
			Event: EventAnswered, Data: map[string]any{"kind": kind, "score": score, "scale": hi},
			Body: comment, Public: true, Actor: actor, Contact: row.GetString(crm.AnswerContact),
			Case: row.GetString(crm.AnswerCase), RefCollection: crm.SurveyAnswers, RefID: row.Id, OccurredAt: now,
		}
		if prev != nil {
			entry.Event = EventChanged
			entry.Data["previous"] = *prev
		}
		if _, err := timeline.Write(tx, entry); err != nil {
			return err
		}
		saved = row
		return nil
	})
	return saved, err
}

// answerRow is the answer already given to req (and its score), or a new row.
func answerRow(tx core.App, req *core.Record) (*core.Record, *int, error) {
	if row, err := tx.FindFirstRecordByData(crm.SurveyAnswers, crm.AnswerRequest, req.Id); err == nil {
		prev := row.GetInt(crm.AnswerScore)
		return row, &prev, nil
	}
	c, err := tx.FindCachedCollectionByNameOrId(crm.SurveyAnswers)
	if err != nil {
		return nil, nil, err
	}
	return core.NewRecord(c), nil, nil
}

// askedOn is the channel the survey's message went on ("" before it went).
func askedOn(tx core.App, req *core.Record) string {
	id := req.GetString(crm.SurveyRequestOutbox)
	if id == "" {
		return ""
	}
	msg, err := tx.FindRecordById(crm.Outbox, id)
	if err != nil {
		return ""
	}
	return msg.GetString("sent_channel")
}

func scaleMessage(lo, hi int) string {
	if lo == 1 {
		return "Choose a score from 1 to 5."
	}
	return "Choose a score from 0 to 10."
}
