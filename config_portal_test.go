package main

import (
	"slices"
	"strings"
	"testing"
)

// The portal's keys: brand colour and logo, and the subscription actions.
func TestLoadConfigPortalKeys(t *testing.T) {
	inTempDir(t, nil)
	cfg, _ := mustLoad(t, nil, nil)
	if cfg.Business.Color != "#1f6feb" || cfg.Business.LogoURL != "" ||
		!slices.Equal(cfg.Portal.SubscriptionActions, []string{"pause", "resume", "cancel"}) {
		t.Errorf("defaults: colour %q logo %q actions %v", cfg.Business.Color, cfg.Business.LogoURL, cfg.Portal.SubscriptionActions)
	}
	cfg, _ = mustLoad(t, []string{"--business-color", "#AA3300", "--business-logo-url", "/logo.svg"},
		[]string{"VINCULO_PORTAL_SUBSCRIPTION_ACTIONS=cancel,change_plan"})
	if cfg.Business.Color != "#aa3300" || cfg.Business.LogoURL != "/logo.svg" ||
		!slices.Equal(cfg.Portal.SubscriptionActions, []string{"cancel", "change_plan"}) {
		t.Errorf("set: colour %q logo %q actions %v", cfg.Business.Color, cfg.Business.LogoURL, cfg.Portal.SubscriptionActions)
	}
	cfg, _ = mustLoad(t, []string{"--portal-subscription-actions", "none"}, nil)
	if cfg.Portal.SubscriptionActions == nil || len(cfg.Portal.SubscriptionActions) != 0 {
		t.Errorf("none: %#v", cfg.Portal.SubscriptionActions)
	}
	for key, args := range map[string][]string{
		"business.color":              {"--business-color", "blue"},
		"business.logo_url":           {"--business-logo-url", "ftp://x/logo.png"},
		"portal.subscription_actions": {"--portal-subscription-actions", "pause,refund"},
	} {
		if _, _, err := loadConfig(args, nil); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%v: error %v, want one naming %s", args, err, key)
		}
	}
}
