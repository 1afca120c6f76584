package surveys

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Options are what tests change.
type Options struct {
	Now func() time.Time
}

var opts = Options{Now: time.Now}

// Configure replaces the clock (tests).
func Configure(o Options) {
	if o.Now == nil {
		o.Now = time.Now
	}
	opts = o
}

// LinkValid is how long a survey link works.
const LinkValid = 30 * 24 * time.Hour

// Timeline events of an answer.
const (
	EventAnswered = "survey.answered" // data: kind, score, scale
	EventChanged  = "survey.changed"  // data: kind, score, scale, previous
)

// Register binds the surveys.
func Register(app core.App, cfg *crm.Config) error {
	// An answer is what the customer said: the server records it from the
	// signed page or the portal, and no API call adds, changes or removes one.
	serverOnly := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Survey answers are recorded as customers give them.", nil)
	}
	app.OnRecordCreateRequest(crm.SurveyAnswers).BindFunc(serverOnly)
	app.OnRecordUpdateRequest(crm.SurveyAnswers).BindFunc(serverOnly)
	app.OnRecordDeleteRequest(crm.SurveyAnswers).BindFunc(serverOnly)
	// The surveys sent are the server's record of what it asked.
	sent := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Surveys are sent by Vinculo; the record of them is kept by the server.", nil)
	}
	app.OnRecordCreateRequest(crm.SurveyRequests).BindFunc(sent)
	app.OnRecordUpdateRequest(crm.SurveyRequests).BindFunc(sent)
	app.OnRecordDeleteRequest(crm.SurveyRequests).BindFunc(sent)
	// There is one settings row per survey: managers change it, nobody adds or removes one.
	fixedRows := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Each survey has its one settings row: change it, do not add or remove one.", nil)
	}
	app.OnRecordCreateRequest(crm.SurveySettings).BindFunc(fixedRows)
	app.OnRecordDeleteRequest(crm.SurveySettings).BindFunc(fixedRows)
	bindSettings(app, cfg)
	bindCSAT(app)
	bindRoutes(app, cfg)
	app.Cron().MustAdd("surveys_nps", "23 * * * *", func() {
		if n, err := AskNPS(app, cfg, opts.Now()); err != nil {
			app.Logger().Error("Failed to send NPS surveys", "error", err)
		} else if n > 0 {
			app.Logger().Info("Sent NPS surveys", "count", n)
		}
	})
	return nil
}
