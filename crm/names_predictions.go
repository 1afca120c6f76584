package crm

// The customer value model (plugins/predictions) and what reads it
// (plugins/segments, the 360 page, the portal's "why was I offered this").
const (
	// PredictionFits holds one row per fit of the model: when, on which
	// orders (calibration end, counts), the fitted parameters, the holdout
	// evaluation and why a part was refused. Managers read; the server writes.
	PredictionFits = "prediction_fits"
	// CustomerScores holds one row per contact the last fit scored (none for
	// a contact who objected to profiling or withdrew that consent). Staff
	// read; the server writes.
	CustomerScores = "customer_scores"
)

// Fields of customer_scores.
const (
	ScoreContact      = "contact" // relation contacts, unique
	ScoreFit          = "fit"     // relation prediction_fits
	ScoreRecency      = "recency" // R, F and M scores 1..5
	ScoreFrequency    = "frequency"
	ScoreMonetary     = "monetary"
	ScoreRFMClass     = "rfm_class"   // RFMClass*: a name the UI words
	ScorePActive      = "p_active"    // BG/NBD: probability still active, 0..1
	ScoreExpected30   = "expected_30" // expected purchases in the next 30, 90, 365 days
	ScoreExpected90   = "expected_90"
	ScoreExpected365  = "expected_365"
	ScoreNextPurchase = "next_purchase"  // expected date of the next purchase
	ScoreSpend        = "expected_spend" // Gamma-Gamma: expected spend per purchase (empty when refused)
	ScoreCLV          = "clv"            // over 12 months, discounted
	ScoreFittedAt     = "fitted_at"
)

// More fields of customer_scores.
const (
	ScorePurchases    = "purchases"     // purchase occasions (a day's orders are one)
	ScoreLastPurchase = "last_purchase" // the day of the last
	ScoreTotalSpent   = "total_spent"   // in the business's currency, every occasion
	ScoreCycles       = "cycles"        // JSON [{product, days, times, last, next}]: the customer's own rhythm per product
)

// RFM classes (customer_scores.rfm_class), best first; the UI words them.
const (
	RFMClassChampions   = "champions"
	RFMClassLoyal       = "loyal"
	RFMClassPotential   = "potential"
	RFMClassNew         = "new"
	RFMClassAtRisk      = "at_risk"
	RFMClassCannotLose  = "cannot_lose"
	RFMClassHibernating = "hibernating"
	RFMClassLost        = "lost"
)

// RFMClasses lists the RFM classes, best first.
var RFMClasses = []string{RFMClassChampions, RFMClassLoyal, RFMClassPotential, RFMClassNew,
	RFMClassAtRisk, RFMClassCannotLose, RFMClassHibernating, RFMClassLost}

// Fields of prediction_fits.
const (
	FitFittedAt       = "fitted_at"
	FitTrigger        = "trigger"      // FitNightly, FitOnDemand
	FitRequestedBy    = "requested_by" // relation staff: who asked (on demand)
	FitAsOf           = "as_of"        // the last day of the data the scores are as of
	FitCalibrationEnd = "calibration_end"
	FitData           = "data"       // JSON: customers, occasions, repeat buyers, first and last day, mean spend, the fit's own check
	FitBGNBD          = "bgnbd"      // JSON: {params {r, alpha, a, b}, fit {std_err, log_likelihood, ...}} or absent
	FitSpend          = "spend"      // JSON: Gamma-Gamma {params {p, q, gamma}, fit, correlation} or absent
	FitRefusal        = "refusal"    // JSON: why the spend model was refused {code, reason, value, limit}
	FitEvaluation     = "evaluation" // JSON: the calibration/holdout evaluation
	FitRules          = "rules"      // JSON: products bought together
	FitError          = "error"      // why the purchase model could not be fitted
	FitScored         = "scored"     // contacts scored
	FitExcluded       = "excluded"   // contacts left out for profiling consent
	FitSettings       = "settings"   // JSON: the discount rate and consent rule the fit ran with
	FitDurationMS     = "duration_ms"
)

// What started a fit (prediction_fits.trigger).
const (
	FitNightly  = "nightly"
	FitOnDemand = "on_demand"
)

// Fields of business_settings for the model.
const (
	BusinessProfilingNeedsConsent = "profiling_needs_consent" // only contacts with a granted profiling consent are scored
	BusinessDiscountRate          = "discount_rate"           // yearly, 0..1, for the CLV
)

// DefaultDiscountRate is the yearly discount rate of a business that set none.
const DefaultDiscountRate = 0.10

// The consent purpose automated profiling needs (consents.purpose).
const PurposeProfiling = "profiling"

func init() { AllCollections = append(AllCollections, PredictionFits, CustomerScores) }
