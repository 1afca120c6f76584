package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Surveys: one row per answer a customer gave (NPS or CSAT). The server
// writes them from the signed page or the portal; staff read them.
func init() {
	m.Register(surveyAnswersUp, surveyAnswersDown)
}

func surveyAnswersUp(app core.App) error {
	c := core.NewBaseCollection(crm.SurveyAnswers)
	c.Fields.Add(
		choice(crm.AnswerKind, true, crm.SurveyNPS, crm.SurveyCSAT),
		number(crm.AnswerScore, false, 0, 10, true),
		text(crm.AnswerComment, false, 4000),
		relation(app, crm.AnswerContact, crm.Contacts, true, true),
		relation(app, crm.AnswerCase, crm.Cases, false, false),
		choice(crm.AnswerChannel, false, crm.Channels...),
		date(crm.AnswerAt, true),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One row per survey answer (NPS 0-10 or CSAT 1-5) with its comment, contact and request. Written by the server; staff read."
	}
	setRules(c, rules{read: rule(isStaff)})
	index(c, false, crm.AnswerKind, crm.AnswerAt)
	index(c, false, crm.AnswerContact, crm.AnswerAt)
	index(c, false, crm.AnswerCase)
	return app.Save(c)
}

func surveyAnswersDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.SurveyAnswers)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
