package surveys

import (
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Routes of the survey page (no sign-in: the link's token is the key) and
// of the portal (the signed-in customer's own surveys).
const (
	publicRoute = "/api/crm/public/surveys/{token}"
	portalList  = "/api/crm/portal/surveys"
	portalOne   = "/api/crm/portal/surveys/{id}"
)

// RateLimitRules limit the public survey page per client IP.
func RateLimitRules() []core.RateLimitRule {
	return []core.RateLimitRule{{Label: "/api/crm/public/surveys/", MaxRequests: 30, Duration: 60}}
}

func bindRoutes(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := ensureRateLimits(se.App); err != nil {
			return err
		}
		se.Router.GET(publicRoute, func(e *core.RequestEvent) error { return publicSurvey(e, cfg) })
		se.Router.POST(publicRoute, func(e *core.RequestEvent) error { return publicAnswer(e, cfg) })
		se.Router.GET(portalList, func(e *core.RequestEvent) error { return portalSurveys(e, cfg) })
		se.Router.POST(portalOne, func(e *core.RequestEvent) error { return portalAnswer(e, cfg) })
		return se.Next()
	})
}

func ensureRateLimits(app core.App) error {
	return crm.EnsureRateLimits(app, RateLimitRules())
}

// surveyJSON is what the survey page shows: the question in the contact's
// language, the scale, the request it is about and any answer given.
func surveyJSON(app core.App, cfg *crm.Config, req *core.Record) (map[string]any, error) {
	kind := req.GetString(crm.SurveyRequestKind)
	s, err := Load(app, kind)
	if err != nil {
		return nil, err
	}
	contact, err := app.FindRecordById(crm.Contacts, req.GetString(crm.SurveyRequestContact))
	if err != nil {
		return nil, err
	}
	lang := languageOf(cfg, contact)
	lo, hi := Scale(kind)
	out := map[string]any{
		"id": req.Id, "kind": kind, "question": s.QuestionIn(lang), "language": lang, "min": lo, "max": hi,
		"business": cfg.BusinessNow().Name, "asked_at": req.GetDateTime(crm.SurveyRequestAskedAt),
		"expires_at": req.GetDateTime(crm.SurveyRequestExpiresAt), "expired": opts.Now().After(req.GetDateTime(crm.SurveyRequestExpiresAt).Time()),
		"answer": nil,
	}
	if id := req.GetString(crm.SurveyRequestCase); id != "" {
		if kase, err := app.FindRecordById(crm.Cases, id); err == nil {
			out["case"] = map[string]any{"reference": kase.GetString("reference"), "subject": kase.GetString("subject")}
		}
	}
	if row, err := app.FindFirstRecordByData(crm.SurveyAnswers, crm.AnswerRequest, req.Id); err == nil {
		out["answer"] = map[string]any{"score": row.GetInt(crm.AnswerScore), "comment": row.GetString(crm.AnswerComment), "answered_at": row.GetDateTime(crm.AnswerAt)}
	}
	return out, nil
}

// byToken finds the survey of a link; a wrong token is a 404 that says
// nothing more.
func byToken(e *core.RequestEvent) (*core.Record, error) {
	token := e.Request.PathValue("token")
	if len(token) < 20 || len(token) > 100 {
		return nil, e.NotFoundError("This survey link is not valid.", nil)
	}
	req, err := e.App.FindFirstRecordByData(crm.SurveyRequests, crm.SurveyRequestTokenHash, hashToken(token))
	if err != nil {
		return nil, e.NotFoundError("This survey link is not valid.", nil)
	}
	return req, nil
}

func publicSurvey(e *core.RequestEvent, cfg *crm.Config) error {
	req, err := byToken(e)
	if err != nil {
		return err
	}
	out, err := surveyJSON(e.App, cfg, req)
	if err != nil {
		return e.InternalServerError("Could not read the survey.", err)
	}
	return e.JSON(http.StatusOK, out)
}

type answerBody struct {
	Score   *int   `json:"score"`
	Comment string `json:"comment"`
}

// answer records the body's answer to req as actor and answers the survey.
func answer(e *core.RequestEvent, cfg *crm.Config, req *core.Record, actor timeline.Actor) error {
	var body answerBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The answer is not valid JSON.", err)
	}
	if body.Score == nil {
		lo, hi := Scale(req.GetString(crm.SurveyRequestKind))
		return e.BadRequestError("Choose a score.", validation.Errors{"score": validation.NewError("validation_required", scaleMessage(lo, hi))})
	}
	_, err := Answer(e.App, req, *body.Score, body.Comment, actor, opts.Now())
	var verrs validation.Errors
	switch {
	case errors.Is(err, ErrExpired):
		return e.Error(http.StatusGone, "This survey link has expired.", nil)
	case errors.As(err, &verrs):
		return e.BadRequestError("Please check your answer.", verrs)
	case err != nil:
		return e.InternalServerError("Could not save your answer.", err)
	}
	out, err := surveyJSON(e.App, cfg, req)
	if err != nil {
		return e.InternalServerError("Could not read the survey.", err)
	}
	return e.JSON(http.StatusOK, out)
}

func publicAnswer(e *core.RequestEvent, cfg *crm.Config) error {
	req, err := byToken(e)
	if err != nil {
		return err
	}
	// The customer, through the link they were sent.
	return answer(e, cfg, req, timeline.Actor{Type: timeline.ActorCustomer, Channel: timeline.ChannelWeb})
}

// portalCustomer is the signed-in customer's contact id.
func portalCustomer(e *core.RequestEvent) (string, error) {
	if e.Auth == nil {
		return "", e.UnauthorizedError("Sign in to the portal first.", nil)
	}
	if e.Auth.Collection().Name != crm.Customers || e.Auth.GetString(crm.FieldContact) == "" {
		return "", e.ForbiddenError("This is for customers signed in to the portal.", nil)
	}
	return e.Auth.GetString(crm.FieldContact), nil
}

// portalSurveys lists the customer's surveys still open (not expired), the
// newest first, with any answer given.
func portalSurveys(e *core.RequestEvent, cfg *crm.Config) error {
	contact, err := portalCustomer(e)
	if err != nil {
		return err
	}
	list, err := e.App.FindRecordsByFilter(crm.SurveyRequests,
		"contact = {:c} && expires_at > {:now}", "-asked_at", 20, 0,
		map[string]any{"c": contact, "now": stamp(opts.Now())})
	if err != nil {
		return e.InternalServerError("Could not list your surveys.", err)
	}
	items := make([]map[string]any, 0, len(list))
	for _, req := range list {
		out, err := surveyJSON(e.App, cfg, req)
		if err != nil {
			return e.InternalServerError("Could not list your surveys.", err)
		}
		items = append(items, out)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

func portalAnswer(e *core.RequestEvent, cfg *crm.Config) error {
	contact, err := portalCustomer(e)
	if err != nil {
		return err
	}
	req, err := e.App.FindRecordById(crm.SurveyRequests, e.Request.PathValue("id"))
	if err != nil || req.GetString(crm.SurveyRequestContact) != contact {
		return e.NotFoundError("No such survey.", nil)
	}
	return answer(e, cfg, req, timeline.FromRequest(e))
}
