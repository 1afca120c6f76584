// Package surveys asks customers how it went: NPS ("how likely are you to
// recommend…", 0–10 with a comment) and CSAT after a request closes, sent
// through the outbox under the research purpose (never to a customer without
// that consent or who objected), answered on a signed page or in the portal,
// written on the timeline and counted by the insights boards.
package surveys

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
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
	return nil
}
