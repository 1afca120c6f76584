package predictions

import (
	"math"
	"slices"
	"sort"
	"time"

	"vinculo/crm"
	"vinculo/plugins/predictions/model"
)

// Next best action: what the value model suggests doing with one contact,
// each suggestion with its reasons (an event and the numbers behind it,
// worded by the UI for the team and, in other words, for the customer).
// Suggest is a pure function of what the contact bought, their scores, the
// products bought together and their open requests, so the nightly fit and
// the refresh of one contact (a request opened or closed, a purchase)
// agree.

// Thresholds of the suggestions.
const (
	// ReorderAhead: a product is suggested again from this many days before
	// the customer's own cycle says it is due...
	ReorderAhead = 7
	// ...until it is overdue by half a cycle (then it is a lapse, not a reorder).
	ReorderLateShare = 0.5
	// LapseBelow: a repeat customer this unlikely to still be buying...
	LapseBelow = 0.5
	// ...who has not bought for this many days is likely to lapse.
	LapseAfterDays = 30
	// TopValueShare: the most valuable share of the scored customers (by
	// CLV, or spend when the spend model was refused).
	TopValueShare = 0.2
	// MinRuleCount: a rule bought together on fewer occasions is chance.
	MinRuleCount = 3
	// MaxReorders: at most this many reorder suggestions per contact.
	MaxReorders = 2
)

// Reason is one reason of a suggestion: an event the UI words with its data.
type Reason struct {
	Event string         `json:"event"`
	Data  map[string]any `json:"data"`
}

// Suggestion is one computed suggestion for a contact.
type Suggestion struct {
	Kind    string
	Subject string // a product code, a request's id, or empty
	Key     string // the reason's fingerprint: the same key is not offered again once decided
	Reasons []Reason
	Rank    float64
	Due     time.Time // zero: none
}

// ScoreView is what a contact's stored score says, for suggesting.
type ScoreView struct {
	Purchases int
	Last      time.Time // the last purchase's day
	Total     float64
	PActive   float64 // NaN: the purchase model was not fitted
	CLV       float64 // NaN or 0: the spend model was refused
	Class     string
	Cycles    []model.Cycle
}

// OpenRequest is one of the contact's open requests.
type OpenRequest struct {
	ID, Reference, Subject string
	Opened                 time.Time
}

// Inputs is everything one contact's suggestions are made from.
type Inputs struct {
	Today     time.Time            // the business's day, at midnight in its zone
	Score     ScoreView            // from the latest fit
	Bought    map[string]time.Time // product -> the last day they bought it (up to now, after the fit too)
	LastDay   time.Time            // their last purchase's day, up to now
	Open      []OpenRequest
	Rules     []model.Rule // products bought together, best first
	Names     map[string]string
	ValueLine float64 // the value from which a customer is among the TopValueShare most valuable; 0: none
	Currency  string
}

// Suggest lists one contact's suggestions, best first. An open request
// holds every offer back: then the only suggestion is to offer nothing,
// naming how many were held.
func Suggest(in Inputs) []Suggestion {
	var out []Suggestion
	out = append(out, reorders(in)...)
	// A customer whose own rhythm says they are due is not slipping away.
	if len(out) == 0 {
		if s, ok := valueAtRisk(in); ok {
			out = append(out, s)
		} else if s, ok := lapse(in); ok {
			out = append(out, s)
		}
	}
	if s, ok := crossSell(in); ok {
		out = append(out, s)
	}
	if len(in.Open) > 0 && len(out) > 0 {
		return []Suggestion{openRequest(in, len(out))}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rank > out[j].Rank })
	return out
}

func (in Inputs) name(code string) string {
	if n := in.Names[code]; n != "" {
		return n
	}
	return code
}

func dayCount(from, to time.Time) int { return int(math.Round(to.Sub(from).Hours() / 24)) }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// reorders: products whose own cycle says they are due within ReorderAhead
// days, or overdue by less than half a cycle, and not bought since.
func reorders(in Inputs) []Suggestion {
	var out []Suggestion
	for _, c := range in.Score.Cycles {
		last, err1 := time.ParseInLocation(time.DateOnly, c.Last, in.Today.Location())
		next, err2 := time.ParseInLocation(time.DateOnly, c.Next, in.Today.Location())
		if err1 != nil || err2 != nil || c.Days <= 0 {
			continue
		}
		if b, ok := in.Bought[c.Product]; ok && b.After(last) {
			continue // bought again since the fit
		}
		due := dayCount(in.Today, next)
		if due > ReorderAhead || float64(-due) > ReorderLateShare*float64(c.Days) {
			continue
		}
		when := next
		if due < 0 {
			when = in.Today
		}
		out = append(out, Suggestion{Kind: crm.SuggestReorder, Subject: c.Product, Key: "reorder|" + c.Product + "|" + c.Last,
			Rank: 80 - math.Abs(float64(due)), Due: when,
			Reasons: []Reason{
				{crm.ReasonCycle, map[string]any{"product": c.Product, "name": in.name(c.Product), "days": c.Days, "times": c.Times,
					"last": c.Last, "since": dayCount(last, in.Today)}},
				{crm.ReasonDue, map[string]any{"product": c.Product, "name": in.name(c.Product), "in_days": due, "next": c.Next}},
			}})
		if len(out) == MaxReorders {
			break
		}
	}
	return out
}

// boughtSince tells whether the contact bought after the fit's last purchase.
func (in Inputs) boughtSince() bool { return in.LastDay.After(in.Score.Last) }

func (in Inputs) lastReason() Reason {
	return Reason{crm.ReasonLastBought, map[string]any{"days": dayCount(in.Score.Last, in.Today),
		"last": in.Score.Last.Format(time.DateOnly), "purchases": in.Score.Purchases}}
}

// lapse: a repeat customer the purchase model thinks unlikely to still be
// buying, who has not bought for a while.
func lapse(in Inputs) (Suggestion, bool) {
	s := in.Score
	p := s.PActive
	if s.Purchases < 2 || math.IsNaN(p) || p >= LapseBelow || in.boughtSince() || dayCount(s.Last, in.Today) < LapseAfterDays {
		return Suggestion{}, false
	}
	return Suggestion{Kind: crm.SuggestLapse, Key: "lapse|" + s.Last.Format(time.DateOnly), Rank: 60 + 20*(1-p),
		Reasons: []Reason{{crm.ReasonPActive, map[string]any{"p": round(p, 2)}}, in.lastReason()}}, true
}

// value is what makes a customer valuable: their CLV, or what they spent
// when the spend model was refused.
func (s ScoreView) value() float64 {
	if !math.IsNaN(s.CLV) && s.CLV > 0 {
		return s.CLV
	}
	return s.Total
}

// valueAtRisk: one of the most valuable customers whose RFM class says they
// stopped coming (at risk, cannot lose).
func valueAtRisk(in Inputs) (Suggestion, bool) {
	s := in.Score
	if in.ValueLine <= 0 || s.value() < in.ValueLine || in.boughtSince() ||
		(s.Class != crm.RFMClassAtRisk && s.Class != crm.RFMClassCannotLose) {
		return Suggestion{}, false
	}
	value := map[string]any{"total": round(s.Total, 2), "currency": in.Currency, "top_pct": int(TopValueShare * 100)}
	if !math.IsNaN(s.CLV) && s.CLV > 0 {
		value["clv"] = round(s.CLV, 2)
	}
	reasons := []Reason{{crm.ReasonValue, value}, {crm.ReasonRFMClass, map[string]any{"class": s.Class}}, in.lastReason()}
	if !math.IsNaN(s.PActive) {
		reasons = append(reasons, Reason{crm.ReasonPActive, map[string]any{"p": round(s.PActive, 2)}})
	}
	return Suggestion{Kind: crm.SuggestValueAtRisk, Key: "value_at_risk|" + s.Last.Format(time.DateOnly), Rank: 90, Reasons: reasons}, true
}

// crossSell: the best rule (highest lift) from a product they bought to
// one they never did, bought together more than by chance.
func crossSell(in Inputs) (Suggestion, bool) {
	for _, r := range in.Rules { // best first
		if _, has := in.Bought[r.If]; !has || r.Lift <= 1 || r.Count < MinRuleCount {
			continue
		}
		if _, has := in.Bought[r.Then]; has {
			continue
		}
		return Suggestion{Kind: crm.SuggestCrossSell, Subject: r.Then, Key: "cross_sell|" + r.If + "|" + r.Then,
			Rank: 40 + 2*math.Min(r.Lift, 10),
			Reasons: []Reason{{crm.ReasonBoughtWith, map[string]any{"if": r.If, "if_name": in.name(r.If), "then": r.Then,
				"then_name": in.name(r.Then), "confidence": round(r.Confidence, 2), "lift": round(r.Lift, 1), "count": r.Count}}}}, true
	}
	return Suggestion{}, false
}

// openRequest: the oldest open request holds back the held offers. It
// ranks below the offers of other contacts: it says what not to do.
func openRequest(in Inputs, held int) Suggestion {
	open := slices.Clone(in.Open)
	sort.Slice(open, func(i, j int) bool { return open[i].Opened.Before(open[j].Opened) })
	o := open[0]
	return Suggestion{Kind: crm.SuggestOpenRequest, Subject: o.ID, Key: "open_request|" + o.ID, Rank: 30,
		Reasons: []Reason{{crm.ReasonOpenRequest, map[string]any{"case": o.ID, "reference": o.Reference, "subject": o.Subject,
			"since": max(0, dayCount(model.Day(o.Opened, in.Today.Location()), in.Today)), "open": len(open), "held": held}}}}
}

// ValueLine is the value from which a customer is among the TopValueShare
// most valuable of values (0 with fewer than 5 customers: no line).
func ValueLine(values []float64) float64 {
	if len(values) < 5 {
		return 0
	}
	s := slices.Clone(values)
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	return s[int(float64(len(s))*TopValueShare)]
}
