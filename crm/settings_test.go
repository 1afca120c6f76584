package crm

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestSettingsTable(t *testing.T) {
	keys, flags := map[string]bool{}, map[string]bool{}
	for _, s := range Settings {
		if s.Key == "" || s.Flag == "" || s.Help == "" || s.read == nil {
			t.Errorf("%q: a row needs a key, a flag, help and a reader", s.Key)
		}
		if keys[s.Key] || flags[s.Flag] {
			t.Errorf("%q / --%s: named twice", s.Key, s.Flag)
		}
		keys[s.Key], flags[s.Flag] = true, true
	}
}

// The defaults are read through the same rows as any other value, values
// that follow others included.
func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.HTTP != "127.0.0.1:8090" || c.PublicURL != "http://127.0.0.1:8090" ||
		c.DataDir != "./vinculo_data" || c.MailDir != filepath.Join("vinculo_data", "mail") {
		t.Errorf("addresses and folders: %q %q %q %q", c.HTTP, c.PublicURL, c.DataDir, c.MailDir)
	}
	if c.HooksPoolSize != DefaultPoolSize() || !c.RateLimits || !c.FollowUps || c.FollowUpDays != 2 {
		t.Errorf("pool %d, rate limits %v, follow-ups %v %d", c.HooksPoolSize, c.RateLimits, c.FollowUps, c.FollowUpDays)
	}
	b := c.Business
	if b.Name != "Vinculo" || b.Country != "BR" || b.Language != "pt-BR" || b.Timezone != "America/Sao_Paulo" ||
		b.Hours.String() != "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00" ||
		b.Holidays == nil || len(b.Holidays) != 0 || b.Color != "#1f6feb" {
		t.Errorf("business: %+v", b)
	}
	if c.SMTP != (SMTP{Port: 587, SenderName: "Vinculo"}) {
		t.Errorf("smtp: %+v", c.SMTP)
	}
	if c.Automations != (Automations{NotifyOwner: true, RatingRequest: true, RatingPage: true, HoldMarketing: true}) {
		t.Errorf("automations: %+v", c.Automations)
	}
	if !slices.Equal(c.Webhooks.Events, DefaultWebhookEvents) || !slices.Equal(c.Portal.SubscriptionActions, []string{"pause", "resume", "cancel"}) {
		t.Errorf("events %v, subscription actions %v", c.Webhooks.Events, c.Portal.SubscriptionActions)
	}

	// Each call is a fresh Config: changing one changes neither the table nor the next.
	c.Webhooks.Events[0] = "changed"
	c.Portal.SubscriptionActions[0] = "changed"
	again := DefaultConfig()
	if again.Webhooks.Events[0] != "case.opened" || DefaultWebhookEvents[0] != "case.opened" || again.Portal.SubscriptionActions[0] != "pause" {
		t.Errorf("a Config shares its lists with the defaults")
	}
}

func TestReadConfigNamesKeyAndSource(t *testing.T) {
	tests := []struct {
		values map[string]Value
		want   string
	}{
		{map[string]Value{"smtp.port": {Raw: "0", Source: "flag --smtp-port"}},
			`flag --smtp-port: bad value for smtp.port: "0" is not a whole number from 1 to 65535`},
		{map[string]Value{"business.color": {Raw: "Blue", Source: "vinculo.yaml"}},
			`vinculo.yaml: bad value for business.color: "blue" is not a colour written #rrggbb (example: #1f6feb)`},
		{map[string]Value{"smtp.host": {Raw: "smtp.example", Source: "environment VINCULO_SMTP_HOST"}},
			`default: bad value for smtp.sender: "" is not an email address (it is needed because smtp.host is set by environment VINCULO_SMTP_HOST)`},
		{map[string]Value{"webhooks.url": {Raw: "https://x.example", Source: "vinculo.yaml"}, "webhooks.secret": {Raw: "short", Source: "flag --webhooks-secret"}},
			`flag --webhooks-secret: bad value for webhooks.secret: a secret of 16 characters or more is needed because webhooks.url is set by vinculo.yaml`},
	}
	for _, tt := range tests {
		_, err := ReadConfig(tt.values)
		var se *SettingError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("error %v, want %s", err, tt.want)
		}
	}
}
