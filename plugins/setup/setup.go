// Package setup applies Vinculo's configuration to PocketBase's settings at
// start (name, URL, sender, SMTP, rate limits) and greets whoever starts the
// server with the addresses to open and what to do first.
package setup

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the settings seeding and the start-up message.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		// serve has run the migrations by now, so the settings table exists
		if err := Apply(e.App, cfg); err != nil {
			return err
		}
		e.InstallerFunc = nil // the message below explains how to create the first superuser
		if err := e.Next(); err != nil {
			return err
		}
		if e.Server != nil { // a real server, not a test router
			fmt.Print(StartMessage(e.App, cfg))
		}
		return nil
	})
	return nil
}

// Apply writes the configuration into PocketBase's settings.
func Apply(app core.App, cfg *crm.Config) error {
	s := app.Settings()
	s.Meta.AppName = cfg.Business.Name
	s.Meta.AppURL = cfg.PublicURL
	s.Meta.SenderName = cfg.SMTP.SenderName
	if s.Meta.SenderName == "" {
		s.Meta.SenderName = cfg.Business.Name // PocketBase refuses settings without a sender name
	}
	if cfg.SMTP.Sender != "" {
		s.Meta.SenderAddress = cfg.SMTP.Sender
	} else if s.Meta.SenderAddress == "" || s.Meta.SenderAddress == "support@example.com" {
		s.Meta.SenderAddress = "no-reply@vinculo.localhost"
	}
	if cfg.SMTP.Host != "" {
		s.SMTP.Enabled = true
		s.SMTP.Host = cfg.SMTP.Host
		s.SMTP.Port = cfg.SMTP.Port
		s.SMTP.Username = cfg.SMTP.Username
		s.SMTP.Password = cfg.SMTP.Password
		s.SMTP.TLS = cfg.SMTP.TLS
	}
	s.RateLimits.Enabled = cfg.RateLimits
	s.RateLimits.Rules = RateLimitRules()
	return app.Save(s)
}

// RateLimitRules are PocketBase's defaults plus tighter limits on signing in
// to either auth collection (counted per client IP). The sign-in rules count
// every request, successes too: a flood guard loose enough for an office
// behind one address; failed sign-ins are limited per address and per
// account by plugins/signin.
func RateLimitRules() []core.RateLimitRule {
	return []core.RateLimitRule{
		{Label: crm.Customers + ":requestOTP", MaxRequests: 5, Duration: 60},
		{Label: crm.Customers + ":auth", MaxRequests: 30, Duration: 60},
		{Label: crm.Staff + ":requestOTP", MaxRequests: 5, Duration: 60},
		{Label: crm.Staff + ":auth", MaxRequests: 30, Duration: 60},
		{Label: "*:requestPasswordReset", MaxRequests: 3, Duration: 60},
		{Label: "*:requestEmailChange", MaxRequests: 3, Duration: 60},
		{Label: "*:auth", MaxRequests: 2, Duration: 3},
		{Label: "*:create", MaxRequests: 20, Duration: 5},
		{Label: "/api/batch", MaxRequests: 3, Duration: 1},
		{Label: "/api/", MaxRequests: 300, Duration: 10},
	}
}

// StartMessage is what the server prints once it listens.
func StartMessage(app core.App, cfg *crm.Config) string {
	var b strings.Builder
	base := cfg.PublicURL
	fmt.Fprintf(&b, "\nVinculo is running for %s.\n", cfg.BusinessNow().Name)
	fmt.Fprintf(&b, "  Staff workspace: %s/\n", base)
	fmt.Fprintf(&b, "  Customer portal: %s/portal/\n", base)
	fmt.Fprintf(&b, "  Dashboard:       %s/_/\n", base)
	fmt.Fprintf(&b, "  REST API:        %s/api/\n", base)
	if !hasManager(app) {
		fmt.Fprintf(&b, "\nNo manager yet. Create the first one, who signs in to the workspace and sets up the rest there:\n  vinculo staff create you@example.com 'a-long-password' --name 'Your Name' --dir %s\n", cfg.DataDir)
	}
	if n, err := app.CountRecords(core.CollectionNameSuperusers); err == nil && n == 0 {
		fmt.Fprintf(&b, "\nNo superuser yet (only needed for PocketBase's dashboard). Create one with:\n  vinculo superuser create you@example.com 'a-long-password' --dir %s\n", cfg.DataDir)
	}
	if !app.Settings().SMTP.Enabled {
		fmt.Fprintf(&b, "\nNo SMTP server is configured: outgoing mail (sign-in codes too) goes to the\nserver log and to %s\n", cfg.MailDir)
	}
	if !strings.HasPrefix(cfg.HTTP, "127.") && !strings.HasPrefix(cfg.HTTP, "localhost:") && !strings.HasPrefix(cfg.HTTP, "[::1]") {
		fmt.Fprintf(&b, "\nListening on %s: reachable beyond this machine.\n", cfg.HTTP)
	}
	b.WriteString("\n")
	return b.String()
}
