// Package predictions fits the customer value model (RFM, BG/NBD,
// Gamma-Gamma, products bought together, each customer's own cycle) from
// orders and subscription payments, nightly and when a manager asks, and
// keeps each fit (prediction_fits: managers read) and every contact's
// scores from the latest (customer_scores: staff read). The statistics are
// in the model package; this one reads the database and stores what the
// model says.
//
// Profiling is lawful and transparent (GDPR art. 21, 22): a contact whose
// latest profiling consent is withdrawn — an objection in the portal is one
// — is left out of every fit and has no stored score, from the moment the
// consent changes; when the business's setting profiling_needs_consent is
// on, only contacts with a granted profiling consent are scored.
package predictions

import (
	"errors"
	"net/http"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Register wires the nightly fit, the model's routes and the forgetting of
// scores when profiling is no longer allowed.
func Register(app core.App, cfg *crm.Config) error {
	// 03:30 UTC: after midnight in the Americas, before the working day in Europe.
	app.Cron().MustAdd("predictions_nightly", "30 3 * * *", func() {
		if _, err := Fit(app, cfg, Request{Trigger: crm.FitNightly}); err != nil {
			app.Logger().Error("predictions: the nightly fit failed", "error", err)
		}
	})
	for _, on := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordCreate, app.OnRecordUpdate} {
		on(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			if e.Record.GetString("purpose") != crm.PurposeProfiling {
				return nil
			}
			return forget(e.App, cfg, e.Record.GetString(crm.FieldContact))
		})
	}
	app.OnRecordAfterUpdateSuccess(crm.BusinessSettings).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetBool(crm.BusinessProfilingNeedsConsent) && !e.Record.Original().GetBool(crm.BusinessProfilingNeedsConsent) {
			if err := forget(e.App, cfg, ""); err != nil {
				e.App.Logger().Error("predictions: scores without a granted profiling consent were not removed", "error", err)
			}
		}
		return e.Next()
	})
	// The model's rows come from the fit alone: through the record API
	// nobody writes them, the dashboard's superusers included.
	serverWritten := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("The model's fits and scores are written by Vinculo when it fits, not through the API.", nil)
	}
	for _, c := range []string{crm.PredictionFits, crm.CustomerScores} {
		app.OnRecordCreateRequest(c).BindFunc(serverWritten)
		app.OnRecordUpdateRequest(c).BindFunc(serverWritten)
		app.OnRecordDeleteRequest(c).BindFunc(serverWritten)
	}
	registerSuggestions(app, cfg) // next best action and the portal's objection: suggest_routes.go
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/insights/model", func(e *core.RequestEvent) error { return latest(e) }).Bind(guard.Manager())
		se.Router.POST("/api/crm/insights/model/fit", func(e *core.RequestEvent) error { return fitNow(e, cfg) }).Bind(guard.Manager())
		return se.Next()
	})
	return nil
}

// latest answers the latest fit, with the names of the products its rules
// name, and whether a fit is running.
func latest(e *core.RequestEvent) error {
	rows, err := e.App.FindRecordsByFilter(crm.PredictionFits, "", "-"+crm.FitFittedAt, 1, 0)
	if err != nil {
		return err
	}
	out := map[string]any{"fit": nil, "running": Running()}
	if len(rows) > 0 {
		out["fit"] = rows[0]
		out["products"] = productNames(e.App, rows[0])
	}
	return e.JSON(http.StatusOK, out)
}

// fitNow fits at once, evaluating at the day the manager chose
// (calibration_end, YYYY-MM-DD, before yesterday) or the default split.
func fitNow(e *core.RequestEvent, cfg *crm.Config) error {
	var body struct {
		CalibrationEnd string `json:"calibration_end"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request's body is not JSON.", nil)
	}
	req := Request{Trigger: crm.FitOnDemand}
	if e.Auth.Collection().Name == crm.Staff {
		req.By = e.Auth.Id // a superuser is no one on the team
	}
	if body.CalibrationEnd != "" {
		loc := cfg.BusinessNow().Location()
		day, err := time.ParseInLocation(time.DateOnly, body.CalibrationEnd, loc)
		yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
		if err != nil || body.CalibrationEnd >= yesterday {
			return e.BadRequestError("The calibration's end is a day before yesterday (YYYY-MM-DD).", validation.Errors{
				"calibration_end": validation.NewError("validation_calibration_end",
					"A day before yesterday, written YYYY-MM-DD: the days after it are held out to check the model."),
			})
		}
		req.CalibrationEnd = day
	}
	fit, err := Fit(e.App, cfg, req)
	if errors.Is(err, ErrRunning) {
		return e.Error(http.StatusConflict, "A fit is running already: its result will be here in a moment.", nil)
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"fit": fit, "running": false, "products": productNames(e.App, fit)})
}

// productNames maps the product codes a fit's rules name to the products' names.
func productNames(app core.App, fit *core.Record) map[string]string {
	var rules []struct {
		If   string `json:"if"`
		Then string `json:"then"`
	}
	_ = fit.UnmarshalJSONField(crm.FitRules, &rules)
	out := map[string]string{}
	for _, r := range rules {
		for _, code := range []string{r.If, r.Then} {
			if _, ok := out[code]; ok {
				continue
			}
			out[code] = code
			if p, err := app.FindFirstRecordByData(crm.Products, "code", code); err == nil && p.GetString("name") != "" {
				out[code] = p.GetString("name")
			}
		}
	}
	return out
}
