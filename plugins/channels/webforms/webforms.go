package webforms

import (
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register serves the forms and their confirmations.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordValidate(crm.WebForms).BindFunc(func(e *core.RecordEvent) error {
		if err := checkForm(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := ensureRateLimits(se.App); err != nil {
			return err
		}
		se.Router.GET(ConfirmPath, func(e *core.RequestEvent) error { return confirmPage(e, cfg) })
		se.Router.POST(ConfirmPath, func(e *core.RequestEvent) error { return confirm(e, cfg) }).Bind(apis.BodyLimit(8 << 10))
		se.Router.GET("/forms/{file}", func(e *core.RequestEvent) error {
			file := e.Request.PathValue("file")
			if id, ok := strings.CutSuffix(file, ".js"); ok {
				return serveScript(e, id)
			}
			return servePage(e, cfg, file)
		})
		se.Router.POST("/api/crm/public/forms/{id}", func(e *core.RequestEvent) error { return submit(e, cfg) }).
			Bind(apis.BodyLimit(256 << 10))
		return se.Next()
	})
	app.Cron().MustAdd("webforms_optins", "23 * * * *", func() {
		if n, err := DeleteOld(app, time.Now()); err != nil {
			app.Logger().Error("Failed to delete old web form confirmations", "error", err)
		} else if n > 0 {
			app.Logger().Info("Deleted old web form confirmations", "count", n)
		}
	})
	return nil
}

// RateLimitRules are the limits of the forms' doors, per client IP. They go
// before PocketBase's prefix rules, which match in order.
func RateLimitRules() []core.RateLimitRule {
	return []core.RateLimitRule{
		{Label: "POST /api/crm/public/forms/", MaxRequests: 5, Duration: 60},
		{Label: "POST " + ConfirmPath, MaxRequests: 10, Duration: 60},
		{Label: "GET /forms/", MaxRequests: 120, Duration: 60},
	}
}

// ensureRateLimits adds the forms' rules to PocketBase's limiter settings.
func ensureRateLimits(app core.App) error {
	return crm.EnsureRateLimits(app, RateLimitRules())
}
