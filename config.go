package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"vinculo/crm"
)

// Configuration is read, lowest first, from: the defaults below < vinculo.yaml
// (the working dir, then the data dir, or the file named by --config) <
// VINCULO_* environment variables < command-line flags.

// setting describes one configuration key.
type setting struct {
	key    string // as written in vinculo.yaml ("hooks.pool_size")
	flag   string // its command-line flag
	def    any
	help   string
	secret bool
	isBool bool
}

// envName is the environment variable of a key: hooks.pool_size -> VINCULO_HOOKS_POOL_SIZE.
func (s setting) envName() string {
	return "VINCULO_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(s.key))
}

func defaultPoolSize() int { return max(8, 4*runtime.NumCPU()) }

var settings = []setting{
	{key: "http", flag: "http", def: "127.0.0.1:8090", help: "address the server listens on (only loopback unless you change it)"},
	{key: "data_dir", flag: "dir", def: "./vinculo_data", help: "data directory: database, uploaded files, backups, mail folder"},
	{key: "public_url", flag: "public-url", def: "", help: "how people reach this server, used in links sent by email (default: http://<http>)"},
	{key: "hooks.dir", flag: "hooks-dir", def: "./hooks", help: "JavaScript hooks directory (*.pb.js)"},
	{key: "hooks.watch", flag: "hooks-watch", def: false, isBool: true, help: "restart when a hook file changes (development only)"},
	{key: "hooks.pool_size", flag: "hooks-pool-size", def: defaultPoolSize(), help: "prewarmed JavaScript runtimes; size it to the peak of concurrent requests that run hooks"},
	{key: "migrations_dir", flag: "migrations-dir", def: "./pb_migrations", help: "JavaScript migrations for the business's own schema changes"},
	{key: "rate_limits", flag: "rate-limits", def: true, isBool: true, help: "PocketBase's rate limiter, with tighter limits on sign-in"},
	{key: "followups.enabled", flag: "followups", def: true, isBool: true, help: "logging a call, meeting or visit proposes a follow-up task"},
	{key: "followups.due_days", flag: "followups-due-days", def: 2, help: "business days until a proposed follow-up is due"},
	{key: "mail_dir", flag: "mail-dir", def: "", help: "where mail is written when no SMTP server is configured (default: <data_dir>/mail)"},
	{key: "business.name", flag: "business-name", def: "Vinculo", help: "the business's name, shown to customers"},
	{key: "business.country", flag: "business-country", def: "BR", help: "ISO country code, the default for phone numbers"},
	{key: "business.language", flag: "business-language", def: "pt-BR", help: "default language: en or pt-BR"},
	{key: "business.timezone", flag: "business-timezone", def: "America/Sao_Paulo", help: "default time zone (IANA name)"},
	{key: "business.hours", flag: "business-hours", def: "mon-fri 09:00-18:00", help: "opening hours, e.g. \"mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00\""},
	{key: "business.holidays", flag: "business-holidays", def: []string{}, help: "days the business is closed, YYYY-MM-DD, comma separated"},
	{key: "business.logo_url", flag: "business-logo-url", def: "", help: "the logo shown to customers: an https URL or a path on this server (empty: none)"},
	{key: "business.color", flag: "business-color", def: "#1f6feb", help: "the brand colour shown to customers, #rrggbb"},
	{key: "portal.subscription_actions", flag: "portal-subscription-actions", def: []string{"pause", "resume", "cancel"}, help: "what customers may do with a subscription in the portal (pause, resume, cancel, change_plan; none for nothing), where its product allows it"},
	{key: "smtp.host", flag: "smtp-host", def: "", help: "SMTP server; empty means mail goes to the log and the mail folder"},
	{key: "smtp.port", flag: "smtp-port", def: 587, help: "SMTP port"},
	{key: "smtp.username", flag: "smtp-username", def: "", help: "SMTP user name"},
	{key: "smtp.password", flag: "smtp-password", def: "", secret: true, help: "SMTP password"},
	{key: "smtp.tls", flag: "smtp-tls", def: false, isBool: true, help: "use implicit TLS (port 465); otherwise STARTTLS when offered"},
	{key: "smtp.sender", flag: "smtp-sender", def: "", help: "From address of outgoing mail"},
	{key: "smtp.sender_name", flag: "smtp-sender-name", def: "", help: "From name of outgoing mail (default: the business name)"},
	{key: "automations.notify_owner", flag: "automations-notify-owner", def: true, isBool: true, help: "hooks/: email a contact's owner when their customer opens a request"},
	{key: "automations.rating_request", flag: "automations-rating-request", def: true, isBool: true, help: "hooks/: ask the customer for a rating when their request closes"},
	{key: "automations.hold_marketing", flag: "automations-hold-marketing", def: true, isBool: true, help: "hooks/: marketing waits while the contact has an open request whose type holds marketing"},
	{key: "automations.rating_page", flag: "automations-rating-page", def: true, isBool: true, help: "hooks/: the rating page /rate/{case} linked from the rating request"},
	{key: "webhooks.url", flag: "webhooks-url", def: "", help: "hooks/: send signed webhooks of timeline events to this URL (empty: off)"},
	{key: "webhooks.secret", flag: "webhooks-secret", def: "", secret: true, help: "secret that signs outbound webhooks (16 characters or more; required with webhooks.url)"},
	{key: "webhooks.events", flag: "webhooks-events", def: defaultWebhookEvents, help: "timeline events sent as webhooks, comma separated, or * for all"},
	{key: "webhooks.inbound_secret", flag: "webhooks-inbound-secret", def: "", secret: true, help: "secret of signed inbound webhooks at POST /api/crm/inbound (empty: off)"},
}

// defaultWebhookEvents: the timeline events an integration usually follows.
var defaultWebhookEvents = []string{"case.opened", "case.status_changed", "case.closed", "case.rated", "deal.won", "deal.lost", "order.placed"}

var colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

var webhookEventPattern = regexp.MustCompile(`^(\*|[a-z_]+\.[a-z_]+)$`)

// configSource says where each effective value came from, for `vinculo config`.
type configReport struct {
	file    string // the vinculo.yaml in use, or ""
	values  map[string]any
	sources map[string]string
}

// configError stops the program with exit code 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func badConfig(format string, args ...any) error {
	return &configError{fmt.Sprintf(format, args...)}
}

// loadConfig reads the configuration from args (without the program name) and
// environ; it touches no global state, so tests can call it freely.
func loadConfig(args, environ []string) (*crm.Config, *configReport, error) {
	flags := pflag.NewFlagSet("vinculo", pflag.ContinueOnError)
	flags.ParseErrorsAllowlist.UnknownFlags = true
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	configFlag := flags.String("config", "", "")
	flags.BoolP("help", "h", false, "") // cobra answers --help; here it is only skipped
	for _, s := range settings {
		f := flags.VarPF(&rawValue{}, s.flag, "", "")
		if s.isBool {
			f.NoOptDefVal = "true"
		}
	}
	if err := flags.Parse(args); err != nil {
		return nil, nil, badConfig("command line: %v", err)
	}

	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "VINCULO_") {
			env[k] = v
		}
	}
	for k := range env {
		if k != "VINCULO_CONFIG" && !slices.ContainsFunc(settings, func(s setting) bool { return s.envName() == k }) {
			return nil, nil, badConfig("environment: unknown variable %s (see `vinculo config --help`)", k)
		}
	}

	v := viper.New()
	for _, s := range settings {
		v.SetDefault(s.key, s.def)
		if val, ok := env[s.envName()]; ok {
			v.Set(s.key, val) // env, overridden below by a flag
		}
	}
	dataDir := v.GetString("data_dir")
	if f := flags.Lookup("dir"); f.Changed {
		dataDir = f.Value.String()
	}

	// The config file: named explicitly, or found in the working dir, then the data dir.
	file, namedBy := *configFlag, " (named by --config)"
	if file == "" {
		file, namedBy = env["VINCULO_CONFIG"], " (named by VINCULO_CONFIG)"
	}
	explicit := file != ""
	if !explicit {
		namedBy = ""
		for _, candidate := range []string{"vinculo.yaml", filepath.Join(dataDir, "vinculo.yaml")} {
			if _, err := os.Stat(candidate); err == nil {
				file = candidate
				break
			}
		}
	}
	fileValues := viper.New()
	if file != "" {
		if _, err := os.Stat(file); err != nil && !explicit {
			file = ""
		}
	}
	if file != "" {
		fileValues.SetConfigFile(file)
		fileValues.SetConfigType("yaml")
		if err := fileValues.ReadInConfig(); err != nil {
			return nil, nil, badConfig("%s: cannot read the configuration file%s: %v", file, namedBy, unwrapAll(err))
		}
		for _, key := range fileValues.AllKeys() {
			isEmptySection := fileValues.Get(key) == nil && slices.ContainsFunc(settings, func(s setting) bool { return strings.HasPrefix(s.key, key+".") })
			if !isEmptySection && !slices.ContainsFunc(settings, func(s setting) bool { return s.key == key }) {
				return nil, nil, badConfig("%s: unknown key %q (run `vinculo config` to see every key)", file, key)
			}
		}
	}

	report := &configReport{file: file, values: map[string]any{}, sources: map[string]string{}}
	for _, s := range settings {
		raw, source := s.def, "default"
		if fileValues.IsSet(s.key) {
			raw, source = fileValues.Get(s.key), file
		}
		if val, ok := env[s.envName()]; ok {
			raw, source = val, "environment "+s.envName()
		}
		if f := flags.Lookup(s.flag); f.Changed {
			raw, source = f.Value.String(), "flag --"+s.flag
		}
		v.Set(s.key, raw)
		report.sources[s.key] = source
	}

	cfg, err := configFromValues(v, report)
	if err != nil {
		return nil, nil, err
	}
	return cfg, report, nil
}

// configFromValues converts and checks every value, naming the key and where
// a bad value came from.
func configFromValues(v *viper.Viper, report *configReport) (*crm.Config, error) {
	bad := func(key, why string) error {
		return badConfig("%s: bad value for %s: %s", report.sources[key], key, why)
	}
	str := func(key string) string { return strings.TrimSpace(cast.ToString(v.Get(key))) }
	integer := func(key string, min, maxVal int) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(cast.ToString(v.Get(key)))) // plain decimal: "010" is not 8
		if err != nil || n < min || n > maxVal {
			return 0, bad(key, fmt.Sprintf("%q is not a whole number from %d to %d", cast.ToString(v.Get(key)), min, maxVal))
		}
		return n, nil
	}
	boolean := func(key string) (bool, error) {
		b, err := cast.ToBoolE(v.Get(key))
		if err != nil {
			return false, bad(key, fmt.Sprintf("%q is not true or false", cast.ToString(v.Get(key))))
		}
		return b, nil
	}

	cfg := &crm.Config{
		HTTP:          str("http"),
		DataDir:       str("data_dir"),
		PublicURL:     strings.TrimRight(str("public_url"), "/"),
		HooksDir:      str("hooks.dir"),
		MigrationsDir: str("migrations_dir"),
		MailDir:       str("mail_dir"),
	}
	var err error
	if _, _, err := net.SplitHostPort(cfg.HTTP); err != nil {
		return nil, bad("http", fmt.Sprintf("%q is not host:port (example: 127.0.0.1:8090)", cfg.HTTP))
	}
	if cfg.DataDir == "" {
		return nil, bad("data_dir", "it must not be empty")
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.HTTP
	} else if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("public_url", fmt.Sprintf("%q is not an http(s) URL", cfg.PublicURL))
	}
	if cfg.MailDir == "" {
		cfg.MailDir = filepath.Join(cfg.DataDir, "mail")
	}
	if cfg.HooksWatch, err = boolean("hooks.watch"); err != nil {
		return nil, err
	}
	if cfg.HooksPoolSize, err = integer("hooks.pool_size", 0, 1000); err != nil {
		return nil, err
	}
	if cfg.RateLimits, err = boolean("rate_limits"); err != nil {
		return nil, err
	}
	if cfg.FollowUps, err = boolean("followups.enabled"); err != nil {
		return nil, err
	}
	if cfg.FollowUpDays, err = integer("followups.due_days", 0, 365); err != nil {
		return nil, err
	}

	b := &cfg.Business
	b.Name = str("business.name")
	if b.Name == "" {
		return nil, bad("business.name", "it must not be empty")
	}
	b.Country = strings.ToUpper(str("business.country"))
	if len(b.Country) != 2 || strings.Trim(b.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return nil, bad("business.country", fmt.Sprintf("%q is not a two-letter country code (example: BR)", b.Country))
	}
	b.Language = str("business.language")
	if !slices.Contains(crm.Languages, b.Language) {
		return nil, bad("business.language", fmt.Sprintf("%q is not one of %s", b.Language, strings.Join(crm.Languages, ", ")))
	}
	b.Timezone = str("business.timezone")
	if _, err := time.LoadLocation(b.Timezone); err != nil || b.Timezone == "" {
		return nil, bad("business.timezone", fmt.Sprintf("%q is not a time zone name (example: America/Sao_Paulo)", b.Timezone))
	}
	if b.Hours, err = crm.ParseWeekHours(str("business.hours")); err != nil {
		return nil, bad("business.hours", err.Error())
	}
	holidays := v.Get("business.holidays")
	switch h := holidays.(type) {
	case string:
		holidays = strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' })
	case time.Time: // YAML reads an unquoted 2026-12-25 as a time
		holidays = []string{h.Format("2006-01-02")}
	case []any:
		dates := make([]any, len(h))
		for i, item := range h {
			if t, ok := item.(time.Time); ok {
				item = t.Format("2006-01-02")
			}
			dates[i] = item
		}
		holidays = dates
	}
	list, err := cast.ToStringSliceE(holidays)
	if err != nil {
		return nil, bad("business.holidays", "expected a list of dates YYYY-MM-DD")
	}
	for _, d := range list {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return nil, bad("business.holidays", fmt.Sprintf("%q is not a date YYYY-MM-DD", d))
		}
	}
	b.Holidays = list

	b.LogoURL = str("business.logo_url")
	if b.LogoURL != "" && !strings.HasPrefix(b.LogoURL, "https://") && !strings.HasPrefix(b.LogoURL, "http://") && !strings.HasPrefix(b.LogoURL, "/") {
		return nil, bad("business.logo_url", fmt.Sprintf("%q is neither an http(s) URL nor a path starting with /", b.LogoURL))
	}
	b.Color = strings.ToLower(str("business.color"))
	if !colorPattern.MatchString(b.Color) {
		return nil, bad("business.color", fmt.Sprintf("%q is not a colour written #rrggbb (example: #1f6feb)", b.Color))
	}
	actions := v.Get("portal.subscription_actions")
	if a, ok := actions.(string); ok {
		actions = strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if cfg.Portal.SubscriptionActions, err = cast.ToStringSliceE(actions); err != nil {
		return nil, bad("portal.subscription_actions", "expected a list of pause, resume, cancel, change_plan")
	}
	cfg.Portal.SubscriptionActions = slices.DeleteFunc(cfg.Portal.SubscriptionActions, func(a string) bool { return a == "none" })
	for _, a := range cfg.Portal.SubscriptionActions {
		if !slices.Contains(crm.SubscriptionActions, a) {
			return nil, bad("portal.subscription_actions", fmt.Sprintf("%q is not one of %s, or none", a, strings.Join(crm.SubscriptionActions, ", ")))
		}
	}
	if cfg.Portal.SubscriptionActions == nil {
		cfg.Portal.SubscriptionActions = []string{} // "none": nothing, not the default
	}

	m := &cfg.SMTP
	m.Host = str("smtp.host")
	if m.Port, err = integer("smtp.port", 1, 65535); err != nil {
		return nil, err
	}
	m.Username = str("smtp.username")
	m.Password = cast.ToString(v.Get("smtp.password"))
	if m.TLS, err = boolean("smtp.tls"); err != nil {
		return nil, err
	}
	m.Sender = str("smtp.sender")
	m.SenderName = str("smtp.sender_name")
	if m.SenderName == "" {
		m.SenderName = b.Name
	}
	if m.Host != "" && !strings.Contains(m.Sender, "@") {
		return nil, bad("smtp.sender", fmt.Sprintf("%q is not an email address (it is needed because smtp.host is set by %s)", m.Sender, report.sources["smtp.host"]))
	}

	a := &cfg.Automations
	if a.NotifyOwner, err = boolean("automations.notify_owner"); err != nil {
		return nil, err
	}
	if a.RatingRequest, err = boolean("automations.rating_request"); err != nil {
		return nil, err
	}
	if a.RatingPage, err = boolean("automations.rating_page"); err != nil {
		return nil, err
	}
	if a.HoldMarketing, err = boolean("automations.hold_marketing"); err != nil {
		return nil, err
	}
	wh := &cfg.Webhooks
	wh.URL = str("webhooks.url")
	if wh.URL != "" {
		if u, err := url.Parse(wh.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, bad("webhooks.url", fmt.Sprintf("%q is not an http(s) URL", wh.URL))
		}
	}
	wh.Secret = cast.ToString(v.Get("webhooks.secret"))
	if wh.URL != "" && len(wh.Secret) < 16 {
		return nil, bad("webhooks.secret", fmt.Sprintf("a secret of 16 characters or more is needed because webhooks.url is set by %s", report.sources["webhooks.url"]))
	}
	events := v.Get("webhooks.events")
	if e, ok := events.(string); ok {
		events = strings.FieldsFunc(e, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if wh.Events, err = cast.ToStringSliceE(events); err != nil {
		return nil, bad("webhooks.events", "expected a list of timeline events like case.opened")
	}
	for _, e := range wh.Events {
		if !webhookEventPattern.MatchString(e) {
			return nil, bad("webhooks.events", fmt.Sprintf("%q is not a timeline event like case.opened, or *", e))
		}
	}
	wh.InboundSecret = cast.ToString(v.Get("webhooks.inbound_secret"))
	if wh.InboundSecret != "" && len(wh.InboundSecret) < 16 {
		return nil, bad("webhooks.inbound_secret", "use 16 characters or more")
	}

	for _, s := range settings {
		report.values[s.key] = v.Get(s.key)
	}
	report.values["webhooks.events"] = strings.Join(wh.Events, ",")
	report.values["hooks.pool_size"] = cfg.HooksPoolSize
	report.values["business.hours"] = b.Hours.String()
	report.values["business.holidays"] = strings.Join(b.Holidays, ",")
	report.values["portal.subscription_actions"] = strings.Join(cfg.Portal.SubscriptionActions, ",")
	report.values["public_url"] = cfg.PublicURL
	report.values["mail_dir"] = cfg.MailDir
	return cfg, nil
}

// rawValue keeps a flag's text as given; loadConfig converts and checks it.
type rawValue struct{ s string }

func (r *rawValue) String() string     { return r.s }
func (r *rawValue) Set(s string) error { r.s = s; return nil }
func (r *rawValue) Type() string       { return "string" }

func unwrapAll(err error) error {
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return err
}

// addConfigFlags declares the configuration flags on the root command, so that
// every command accepts them and --help lists them. Their values were already
// read by loadConfig.
func addConfigFlags(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.String("config", "", "configuration file (default: ./vinculo.yaml, then <data_dir>/vinculo.yaml)")
	for _, s := range settings {
		if pf.Lookup(s.flag) != nil || s.flag == "http" {
			continue // --dir belongs to PocketBase, --http to serve
		}
		f := pf.VarPF(&rawValue{}, s.flag, "", s.help+" ["+s.envName()+"]")
		if s.isBool {
			f.NoOptDefVal = "true"
		}
	}
}

// configCommand is `vinculo config`: the effective configuration and the
// source of every value, secrets masked.
func configCommand(report *configReport) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Prints the effective configuration and where each value came from",
		Long: "Prints the effective configuration and where each value came from.\n\n" +
			"Each key is set, lowest first, by its default, vinculo.yaml, a VINCULO_* environment\n" +
			"variable or a command-line flag:\n\n" + settingsTable(),
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			report.print(cmd.OutOrStdout())
		},
	}
}

func settingsTable() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "  %-20s --%-20s %-28s %s\n", s.key, s.flag, s.envName(), s.help)
	}
	return b.String()
}

func (r *configReport) print(w io.Writer) {
	if r.file != "" {
		fmt.Fprintf(w, "# configuration file: %s\n", r.file)
	} else {
		fmt.Fprintln(w, "# configuration file: none (looked for ./vinculo.yaml and <data_dir>/vinculo.yaml)")
	}
	keys := make([]string, 0, len(settings))
	for _, s := range settings {
		keys = append(keys, s.key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		val := cast.ToString(r.values[key])
		if list, ok := r.values[key].([]string); ok {
			val = strings.Join(list, ",")
		}
		for _, s := range settings {
			if s.key == key && s.secret && val != "" {
				val = "********"
			}
		}
		fmt.Fprintf(w, "%-20s = %-40q # %s\n", key, val, r.sources[key])
	}
}
