package crm

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// EnsureRateLimits adds to PocketBase's limiter settings those of rules it
// does not hold yet (by label), in front of the others: PocketBase matches
// its rules in order, and a plugin's exact routes must come before the
// broad prefixes. A rule a superuser changed keeps the superuser's numbers.
func EnsureRateLimits(app core.App, rules []core.RateLimitRule) error {
	s := app.Settings()
	var missing []core.RateLimitRule
	for _, r := range rules {
		if !slices.ContainsFunc(s.RateLimits.Rules, func(x core.RateLimitRule) bool { return x.Label == r.Label }) {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	s.RateLimits.Rules = append(missing, s.RateLimits.Rules...)
	return app.Save(s)
}
