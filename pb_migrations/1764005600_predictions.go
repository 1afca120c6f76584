package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The customer value model (plugins/predictions): each fit with what it was
// made on, its parameters, quality and evaluation (managers read), and each
// contact's scores from the latest fit (staff read). Only the server writes
// either. The business's settings gain the model's two: the yearly
// discount rate of the CLV and whether profiling needs a granted consent.
func init() {
	m.Register(predictionsUp, predictionsDown)
}

func predictionsUp(app core.App) error {
	fits := core.NewBaseCollection(crm.PredictionFits)
	fits.Fields.Add(
		date(crm.FitFittedAt, true),
		choice(crm.FitTrigger, true, crm.FitNightly, crm.FitOnDemand),
		relation(app, crm.FitRequestedBy, crm.Staff, false, false),
		date(crm.FitAsOf, false),
		date(crm.FitCalibrationEnd, false),
		jsonField(crm.FitData, false, 64<<10),
		jsonField(crm.FitBGNBD, false, 64<<10),
		jsonField(crm.FitSpend, false, 64<<10),
		jsonField(crm.FitRefusal, false, 16<<10),
		jsonField(crm.FitEvaluation, false, 64<<10),
		jsonField(crm.FitRules, false, 256<<10),
		text(crm.FitError, false, 2000),
		number(crm.FitScored, false, 0, 1e9, true),
		number(crm.FitExcluded, false, 0, 1e9, true),
		jsonField(crm.FitSettings, false, 16<<10),
		number(crm.FitDurationMS, false, 0, 1e12, true),
	)
	fits.Fields.Add(timestamps()...)
	describe(fits, "One fit of the customer value model: when it ran, the orders it used, the BG/NBD and Gamma-Gamma parameters with standard errors (or why refused), products bought together, the holdout evaluation. Managers read; only the server writes.")
	fits.ListRule, fits.ViewRule = rule(isManager), rule(isManager)
	index(fits, false, crm.FitFittedAt)
	index(fits, false, crm.FitRequestedBy)
	if err := app.Save(fits); err != nil {
		return err
	}

	scores := core.NewBaseCollection(crm.CustomerScores)
	scores.Fields.Add(
		relation(app, crm.ScoreContact, crm.Contacts, true, true),
		relation(app, crm.ScoreFit, crm.PredictionFits, true, true),
		number(crm.ScoreRecency, false, 0, 5, true),
		number(crm.ScoreFrequency, false, 0, 5, true),
		number(crm.ScoreMonetary, false, 0, 5, true),
		choice(crm.ScoreRFMClass, false, crm.RFMClasses...),
		number(crm.ScorePActive, false, 0, 1, false),
		number(crm.ScoreExpected30, false, 0, 1e6, false),
		number(crm.ScoreExpected90, false, 0, 1e6, false),
		number(crm.ScoreExpected365, false, 0, 1e6, false),
		date(crm.ScoreNextPurchase, false),
		number(crm.ScoreSpend, false, 0, 1e12, false),
		number(crm.ScoreCLV, false, 0, 1e15, false),
		date(crm.ScoreFittedAt, false),
		number(crm.ScorePurchases, false, 0, 1e9, true),
		date(crm.ScoreLastPurchase, false),
		number(crm.ScoreTotalSpent, false, 0, 1e15, false),
		jsonField(crm.ScoreCycles, false, 64<<10),
	)
	scores.Fields.Add(timestamps()...)
	describe(scores, "A contact's scores from the latest model fit: RFM and class, P(active), expected purchases and the next one's date, expected spend, CLV, own cycles. None for a contact who withdrew the profiling consent. Staff read; only the server writes.")
	scores.ListRule, scores.ViewRule = rule(isStaff), rule(isStaff)
	index(scores, true, crm.ScoreContact)
	index(scores, false, crm.ScoreFit)
	index(scores, false, crm.ScoreRFMClass)
	index(scores, false, crm.ScorePActive)
	index(scores, false, crm.ScoreCLV)
	if err := app.Save(scores); err != nil {
		return err
	}

	biz, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	biz.Fields.Add(boolean(crm.BusinessProfilingNeedsConsent), number(crm.BusinessDiscountRate, false, 0, 1, false))
	if err := app.Save(biz); err != nil {
		return err
	}
	_, err = app.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessDiscountRate: crm.DefaultDiscountRate},
		dbx.NewExp(crm.BusinessDiscountRate+" = 0 OR "+crm.BusinessDiscountRate+" IS NULL")).Execute()
	return err
}

func predictionsDown(app core.App) error {
	if biz, err := app.FindCollectionByNameOrId(crm.BusinessSettings); err == nil {
		biz.Fields.RemoveByName(crm.BusinessProfilingNeedsConsent)
		biz.Fields.RemoveByName(crm.BusinessDiscountRate)
		if err := app.Save(biz); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.CustomerScores, crm.PredictionFits} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}
