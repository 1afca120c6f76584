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
