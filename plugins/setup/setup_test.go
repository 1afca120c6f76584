package setup_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/setup"
	"vinculo/testkit"
)

// perSecond is how many requests a rule lets through per second.
func perSecond(r core.RateLimitRule) float64 { return float64(r.MaxRequests) / float64(r.Duration) }

func findRule(t *testing.T, rules []core.RateLimitRule, label string) core.RateLimitRule {
	t.Helper()
	for _, r := range rules {
		if r.Label == label {
			return r
		}
	}
	t.Fatalf("no rate limit rule %q in %v", label, rules)
	return core.RateLimitRule{}
}

func TestApplyWithoutSMTP(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	cfg.RateLimits = true
	cfg.PublicURL = "https://crm.padaria.example"
	cfg.Business.Name = "Padaria Pão Dourado"
	smtpBefore := app.Settings().SMTP

	if err := setup.Apply(app, cfg); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	// Read back what was stored, not what is in memory.
	if err := app.ReloadSettings(); err != nil {
		t.Fatal(err)
	}
	s := app.Settings()
	if s.Meta.AppName != "Padaria Pão Dourado" || s.Meta.AppURL != "https://crm.padaria.example" {
		t.Fatalf("meta: name %q url %q", s.Meta.AppName, s.Meta.AppURL)
	}
	if s.Meta.SenderAddress != "no-reply@vinculo.localhost" || s.Meta.SenderName != "Padaria Pão Dourado" {
		t.Fatalf("sender: %q <%s>", s.Meta.SenderName, s.Meta.SenderAddress)
	}
	if s.SMTP.Enabled || s.SMTP.Host != smtpBefore.Host || s.SMTP.Port != smtpBefore.Port {
		t.Fatalf("SMTP seeded although no host is configured: %+v", s.SMTP)
	}

	if !s.RateLimits.Enabled {
		t.Fatal("rate limits are off")
	}
	def := findRule(t, s.RateLimits.Rules, "*:auth")
	for _, label := range []string{"customers:requestOTP", "customers:auth", "staff:auth"} {
		r := findRule(t, s.RateLimits.Rules, label)
		if perSecond(r) >= perSecond(def) {
			t.Errorf("%s allows %d per %ds, not tighter than *:auth (%d per %ds)", label, r.MaxRequests, r.Duration, def.MaxRequests, def.Duration)
		}
	}

	// Applying again (every start does) changes nothing and still saves.
	if err := setup.Apply(app, cfg); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if err := app.ReloadSettings(); err != nil {
		t.Fatal(err)
	}
	if n := len(app.Settings().RateLimits.Rules); n != len(setup.RateLimitRules()) {
		t.Fatalf("second Apply left %d rules, want %d", n, len(setup.RateLimitRules()))
	}

	msg := setup.StartMessage(app, cfg)
	for _, want := range []string{
		"https://crm.padaria.example/\n", "https://crm.padaria.example/portal/", "https://crm.padaria.example/_/",
		cfg.MailDir,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("start message lacks %q:\n%s", want, msg)
		}
	}
	// The test app comes with superusers: no hint to create one.
	if strings.Contains(msg, "superuser create") {
		t.Errorf("start message asks for a superuser although there are some:\n%s", msg)
	}

	// Without superusers, the message says how to create the first one.
	// (PocketBase refuses to delete the last one through the record API, so
	// the table is emptied directly, as on a fresh data dir.)
	if _, err := app.DB().NewQuery("DELETE FROM {{" + core.CollectionNameSuperusers + "}}").Execute(); err != nil {
		t.Fatal(err)
	}
	msg = setup.StartMessage(app, cfg)
	if !strings.Contains(msg, "superuser create") || !strings.Contains(msg, cfg.DataDir) {
		t.Errorf("start message lacks the first-superuser hint:\n%s", msg)
	}
}

func TestApplyWithSMTP(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	cfg.SMTP = crm.SMTP{
		Host: "smtp.mailhost.example", Port: 2525, Username: "crm", Password: "s3cret",
		TLS: true, Sender: "atendimento@padaria.example", SenderName: "Atendimento Padaria",
	}
	if err := setup.Apply(app, cfg); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := app.ReloadSettings(); err != nil {
		t.Fatal(err)
	}
	s := app.Settings()
	if !s.SMTP.Enabled || s.SMTP.Host != "smtp.mailhost.example" || s.SMTP.Port != 2525 ||
		s.SMTP.Username != "crm" || s.SMTP.Password != "s3cret" || !s.SMTP.TLS {
		t.Fatalf("SMTP: %+v", s.SMTP)
	}
	if s.Meta.SenderAddress != "atendimento@padaria.example" || s.Meta.SenderName != "Atendimento Padaria" {
		t.Fatalf("sender: %q <%s>", s.Meta.SenderName, s.Meta.SenderAddress)
	}
	if s.RateLimits.Enabled {
		t.Fatal("rate limits on although the configuration turns them off")
	}
	msg := setup.StartMessage(app, cfg)
	if strings.Contains(msg, cfg.MailDir) || strings.Contains(msg, "No SMTP") {
		t.Errorf("start message talks of the mail folder although SMTP is configured:\n%s", msg)
	}
}

// The tighter rule is the one PocketBase applies to asking for sign-in codes.
func TestRequestOTPRateLimitIsApplied(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	cfg.RateLimits = true
	if err := setup.Apply(app, cfg); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Serve(t, app)
	rule := findRule(t, app.Settings().RateLimits.Rules, "customers:requestOTP")

	// The window opens at the first request and lasts rule.Duration seconds;
	// these requests are a handful of loopback calls, well within it.
	for i := 1; i <= rule.MaxRequests; i++ {
		res := srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "nobody@example.com"})
		if res.Status != http.StatusOK {
			t.Fatalf("request %d of %d: %d %s", i, rule.MaxRequests, res.Status, res.Body)
		}
	}
	res := srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "nobody@example.com"})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("request %d: %d, want 429: %s", rule.MaxRequests+1, res.Status, res.Body)
	}
}
