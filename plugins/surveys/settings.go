package surveys

import (
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Setting is one survey's settings.
type Setting struct {
	Kind      string
	Enabled   bool
	EveryDays int               // NPS: a contact is asked at most once in this many days
	Question  map[string]string // by language: "en", "pt-BR"
}

// Load reads the settings of a survey kind.
func Load(app core.App, kind string) (Setting, error) {
	r, err := app.FindFirstRecordByData(crm.SurveySettings, crm.SurveySettingKind, kind)
	if err != nil {
		return Setting{}, err
	}
	return Setting{
		Kind: kind, Enabled: r.GetBool(crm.SurveySettingEnabled), EveryDays: r.GetInt(crm.SurveySettingEveryDays),
		Question: map[string]string{
			"en":    r.GetString(crm.SurveySettingQuestionEn),
			"pt-BR": r.GetString(crm.SurveySettingQuestionPt),
		},
	}, nil
}

// QuestionIn is the question in lang, else in the other language.
func (s Setting) QuestionIn(lang string) string {
	if q := s.Question[lang]; q != "" {
		return q
	}
	for _, q := range s.Question {
		if q != "" {
			return q
		}
	}
	return ""
}

// bindSettings checks what a manager saves in Settings > Surveys: a survey
// keeps its kind, NPS needs a rhythm of 1 to 3650 days, and a survey that
// is on needs its question in both languages.
func bindSettings(app core.App, cfg *crm.Config) {
	// Switching NPS on asks at once those due, rather than at the next hour.
	app.OnRecordAfterUpdateSuccess(crm.SurveySettings).BindFunc(func(e *core.RecordEvent) error {
		r := e.Record
		if r.GetString(crm.SurveySettingKind) == crm.SurveyNPS && r.GetBool(crm.SurveySettingEnabled) && !r.Original().GetBool(crm.SurveySettingEnabled) {
			if _, err := AskNPS(e.App, cfg, opts.Now()); err != nil {
				e.App.Logger().Error("Failed to send NPS surveys", "error", err)
			}
		}
		return e.Next()
	})
	app.OnRecordValidate(crm.SurveySettings).BindFunc(func(e *core.RecordEvent) error {
		r := e.Record
		errs := validation.Errors{}
		if !r.IsNew() && r.Original().GetString(crm.SurveySettingKind) != r.GetString(crm.SurveySettingKind) {
			errs[crm.SurveySettingKind] = validation.NewError("validation_kind_fixed", "A survey keeps its kind.")
		}
		for _, f := range []string{crm.SurveySettingQuestionEn, crm.SurveySettingQuestionPt} {
			r.Set(f, strings.TrimSpace(r.GetString(f)))
			if r.GetBool(crm.SurveySettingEnabled) && r.GetString(f) == "" {
				errs[f] = validation.NewError("validation_required", "Write the question in both languages.")
			}
		}
		if r.GetString(crm.SurveySettingKind) == crm.SurveyNPS {
			if d := r.GetInt(crm.SurveySettingEveryDays); d < 1 || d > 3650 {
				errs[crm.SurveySettingEveryDays] = validation.NewError("validation_every_days", "Ask every 1 to 3650 days.")
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return e.Next()
	})
}
