package hooksapi

import (
	"fmt"
	"strings"
)

// settings is what hooks may read of the configuration; secrets stay out.
func (en *engine) settings() map[string]any {
	b := en.cfg.BusinessNow()
	return map[string]any{
		"business": map[string]any{
			"name": b.Name, "country": b.Country, "language": b.Language, "timezone": b.Timezone,
			"hours": b.Hours.String(), "holidays": append([]string{}, b.Holidays...),
		},
		"publicUrl": en.cfg.PublicURL,
		"followups": map[string]any{"enabled": en.cfg.FollowUps, "dueDays": en.cfg.FollowUpDays},
		"automations": map[string]any{
			"notifyOwner": en.cfg.Automations.NotifyOwner, "ratingRequest": en.cfg.Automations.RatingRequest,
			"ratingPage": en.cfg.Automations.RatingPage, "holdMarketing": en.cfg.Automations.HoldMarketing,
		},
		"webhooks": map[string]any{
			"enabled": en.cfg.Webhooks.URL != "", "events": append([]string{}, en.cfg.Webhooks.Events...),
			"inbound": en.cfg.Webhooks.InboundSecret != "",
		},
		"hooks": map[string]any{"poolSize": en.cfg.HooksPoolSize},
	}
}

// Switches hooks test with $crm.enabled(name).
var switchNames = []string{"notify_owner", "rating_request", "rating_page", "hold_marketing", "webhooks", "inbound_webhooks", "followups"}

func (en *engine) enabled(name string) (bool, error) {
	switch name {
	case "notify_owner":
		return en.cfg.Automations.NotifyOwner, nil
	case "rating_request":
		return en.cfg.Automations.RatingRequest, nil
	case "rating_page":
		return en.cfg.Automations.RatingPage, nil
	case "hold_marketing":
		return en.cfg.Automations.HoldMarketing, nil
	case "webhooks":
		return en.cfg.Webhooks.URL != "", nil
	case "inbound_webhooks":
		return en.cfg.Webhooks.InboundSecret != "", nil
	case "followups":
		return en.cfg.FollowUps, nil
	}
	return false, fmt.Errorf("enabled: unknown switch %q (one of %s)", name, strings.Join(switchNames, ", "))
}
