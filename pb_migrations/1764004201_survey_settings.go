package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Surveys, continued: the settings of each survey (one row per kind,
// managers change them in Settings > Surveys) and one row per survey sent
// (survey_requests), which an answer names.
func init() {
	m.Register(surveySettingsUp, surveySettingsDown)
}

// The questions a business starts with.
const (
	npsQuestionEn  = "How likely are you to recommend us to a friend or colleague?"
	npsQuestionPt  = "Qual a probabilidade de você nos recomendar a um amigo ou colega?"
	csatQuestionEn = "How satisfied are you with how we handled your request?"
	csatQuestionPt = "Qual o seu grau de satisfação com o atendimento da sua solicitação?"
)

func surveySettingsUp(app core.App) error {
	s := core.NewBaseCollection(crm.SurveySettings)
	s.Fields.Add(
		choice(crm.SurveySettingKind, true, crm.SurveyNPS, crm.SurveyCSAT),
		boolean(crm.SurveySettingEnabled),
		number(crm.SurveySettingEveryDays, false, 0, 3650, true),
		text(crm.SurveySettingQuestionEn, false, 300),
		text(crm.SurveySettingQuestionPt, false, 300),
	)
	s.Fields.Add(timestamps()...)
	describeSurvey(s, "One row per survey (NPS, CSAT): on or off, how often a contact is asked NPS (days), the question in English and Portuguese. Managers change them.")
	setRules(s, rules{read: rule(isStaff), update: rule(isManager)})
	index(s, false, crm.SurveySettingKind)
	if err := app.Save(s); err != nil {
		return err
	}
	for _, row := range []map[string]any{
		{crm.SurveySettingKind: crm.SurveyNPS, crm.SurveySettingEnabled: false, crm.SurveySettingEveryDays: 90,
			crm.SurveySettingQuestionEn: npsQuestionEn, crm.SurveySettingQuestionPt: npsQuestionPt},
		{crm.SurveySettingKind: crm.SurveyCSAT, crm.SurveySettingEnabled: true,
			crm.SurveySettingQuestionEn: csatQuestionEn, crm.SurveySettingQuestionPt: csatQuestionPt},
	} {
		r := core.NewRecord(s)
		r.Load(row)
		if err := app.Save(r); err != nil {
			return err
		}
	}

	q := core.NewBaseCollection(crm.SurveyRequests)
	hash := text(crm.SurveyRequestTokenHash, true, 64)
	hash.Hidden = true
	q.Fields.Add(
		choice(crm.SurveyRequestKind, true, crm.SurveyNPS, crm.SurveyCSAT),
		relation(app, crm.SurveyRequestContact, crm.Contacts, true, true),
		relation(app, crm.SurveyRequestCase, crm.Cases, false, true),
		relation(app, crm.SurveyRequestOutbox, crm.Outbox, false, false),
		hash,
		date(crm.SurveyRequestAskedAt, true),
		date(crm.SurveyRequestExpiresAt, true),
		date(crm.SurveyRequestAnswered, false),
	)
	q.Fields.Add(timestamps()...)
	describeSurvey(q, "One row per survey sent: kind, contact, request (CSAT), the outbox message and the hash of the link's token. Written by the server; staff read.")
	setRules(q, rules{read: rule(isStaff)})
	index(q, true, crm.SurveyRequestTokenHash)
	index(q, false, crm.SurveyRequestContact, crm.SurveyRequestKind, crm.SurveyRequestAskedAt)
	index(q, false, crm.SurveyRequestCase)
	index(q, false, crm.SurveyRequestOutbox)
	if err := app.Save(q); err != nil {
		return err
	}

	answers, err := app.FindCollectionByNameOrId(crm.SurveyAnswers)
	if err != nil {
		return err
	}
	answers.Fields.Add(relation(app, crm.AnswerRequest, crm.SurveyRequests, false, false))
	answers.AddIndex("idx_"+crm.SurveyAnswers+"_"+crm.AnswerRequest, true, "`"+crm.AnswerRequest+"`", "`"+crm.AnswerRequest+"` != ''")
	return app.Save(answers)
}

// describe puts the collection's description on its id field.
func describeSurvey(c *core.Collection, help string) {
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = help
	}
}

func surveySettingsDown(app core.App) error {
	if answers, err := app.FindCollectionByNameOrId(crm.SurveyAnswers); err == nil {
		answers.RemoveIndex("idx_" + crm.SurveyAnswers + "_" + crm.AnswerRequest)
		answers.Fields.RemoveByName(crm.AnswerRequest)
		if err := app.Save(answers); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.SurveyRequests, crm.SurveySettings} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}
