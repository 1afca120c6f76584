package retention

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// RulePreview is what the next run would do with one rule: how many records
// are due today and the oldest few. A rule that is off is previewed too, so
// a manager sees what turning it on would change; the run leaves it alone.
type RulePreview struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Action   string    `json:"action"`
	Months   int       `json:"months"`
	Enabled  bool      `json:"enabled"`
	Cutoff   time.Time `json:"cutoff"`
	Count    int       `json:"count"`
	Examples []Example `json:"examples"`
}

// Example is one due record as a manager reads it.
type Example struct {
	ID    string `json:"id" db:"id"`
	Label string `json:"label" db:"label"`
	At    string `json:"at" db:"at"`
}

// examples is how many due records the preview names per rule.
const examples = 5

// Preview tells, per rule, what a run at now would change.
func Preview(app core.App, cfg *crm.Config, now time.Time) ([]RulePreview, error) {
	rules, err := Rules(app)
	if err != nil {
		return nil, err
	}
	loc := cfg.BusinessNow().Location()
	out := make([]RulePreview, 0, len(rules))
	for _, r := range rules {
		name := r.GetString(crm.RetentionKind)
		k := kinds[name]
		months := r.GetInt(crm.RetentionMonths)
		cut := dueCutoff(now, loc, months)
		p := RulePreview{ID: r.Id, Kind: name, Action: crm.RetentionActionOf[name], Months: months,
			Enabled: r.GetBool(crm.RetentionEnabled), Cutoff: cut.UTC(), Examples: []Example{}}
		where, params := k.where(dbTime(cut))
		count := fmt.Sprintf("SELECT COUNT(*) FROM `%s` t WHERE %s", k.table, where)
		if err := app.DB().NewQuery(count).Bind(params).Row(&p.Count); err != nil {
			return nil, fmt.Errorf("retention: preview of %s: %w", name, err)
		}
		if p.Count > 0 {
			oldest := fmt.Sprintf("SELECT t.id AS id, COALESCE(%s, '') AS label, COALESCE(%s, '') AS at FROM `%s` t WHERE %s ORDER BY %s, t.id LIMIT %d",
				k.label, k.at, k.table, where, k.at, examples)
			if err := app.DB().NewQuery(oldest).Bind(params).All(&p.Examples); err != nil {
				return nil, fmt.Errorf("retention: examples of %s: %w", name, err)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
