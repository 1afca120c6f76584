package crm

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cast"
)

// A Setting is one configuration key: its names, its default, its help, and
// how its value is read into a Config (parsed, checked, put in its place).
// The main package finds each key's value in vinculo.yaml, VINCULO_* variables
// and flags; ReadConfig turns the values into a Config, row by row.
type Setting struct {
	Key     string // as written in vinculo.yaml ("hooks.pool_size")
	Flag    string // its command-line flag
	Default any
	Help    string
	Secret  bool // masked by `vinculo config`

	read reader
	show func(c *Config) any // what `vinculo config` prints; nil: the value as given
}

// IsBool says whether the key is a switch, so that a bare --flag means true.
func (s Setting) IsBool() bool {
	_, ok := s.Default.(bool)
	return ok
}

// Shown is what `vinculo config` prints for the key: the effective value
// where it is derived or normalised, else raw, the value as given.
func (s Setting) Shown(c *Config, raw any) any {
	if s.show != nil {
		return s.show(c)
	}
	return raw
}

// A Value is one key's value as read (a YAML value, the text of a variable or
// a flag, or the default) and where it came from ("default", a file's name,
// "environment VINCULO_X", "flag --x").
type Value struct {
	Raw    any
	Source string
}

// A SettingError names the key whose value is bad and where it came from.
type SettingError struct{ Key, Source, Why string }

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: bad value for %s: %s", e.Source, e.Key, e.Why)
}

// DefaultPoolSize is the default number of JavaScript runtimes the hooks' pool keeps.
func DefaultPoolSize() int { return max(8, 4*runtime.NumCPU()) }

// DefaultWebhookEvents: the timeline events an integration usually follows.
var DefaultWebhookEvents = []string{"case.opened", "case.status_changed", "case.closed", "case.rated", "deal.won", "deal.lost", "order.placed"}

// Settings are every configuration key, in the order they are read: a key
// that depends on another (public_url on http, mail_dir on data_dir,
// smtp.sender on smtp.host...) comes after it.
var Settings = []Setting{
	{Key: "http", Flag: "http", Default: "127.0.0.1:8090", Help: "address the server listens on (only loopback unless you change it)",
		read: asText(func(c *Config) *string { return &c.HTTP }, hostPort)},
	{Key: "data_dir", Flag: "dir", Default: "./vinculo_data", Help: "data directory: database, uploaded files, backups, mail folder",
		read: asText(func(c *Config) *string { return &c.DataDir }, notEmpty)},
	{Key: "public_url", Flag: "public-url", Default: "", Help: "how people reach this server, used in links sent by email (default: http://<http>)",
		read: asText(func(c *Config) *string { return &c.PublicURL }, trimSlash, httpURL, orElse(func(c *Config) string { return "http://" + c.HTTP })),
		show: func(c *Config) any { return c.PublicURL }},
	{Key: "hooks.dir", Flag: "hooks-dir", Default: "./hooks", Help: "JavaScript hooks directory (*.pb.js)",
		read: asText(func(c *Config) *string { return &c.HooksDir })},
	{Key: "hooks.watch", Flag: "hooks-watch", Default: false, Help: "restart when a hook file changes (development only)",
		read: asBool(func(c *Config) *bool { return &c.HooksWatch })},
	{Key: "hooks.pool_size", Flag: "hooks-pool-size", Default: DefaultPoolSize(), Help: "JavaScript runtimes kept for hooks (built as calls overlap); size it to the peak of concurrent requests that run hooks",
		read: asInt(0, 1000, func(c *Config) *int { return &c.HooksPoolSize }),
		show: func(c *Config) any { return c.HooksPoolSize }},
	{Key: "migrations_dir", Flag: "migrations-dir", Default: "./pb_migrations", Help: "JavaScript migrations for the business's own schema changes",
		read: asText(func(c *Config) *string { return &c.MigrationsDir })},
	{Key: "rate_limits", Flag: "rate-limits", Default: true, Help: "PocketBase's rate limiter, with tighter limits on sign-in",
		read: asBool(func(c *Config) *bool { return &c.RateLimits })},
	{Key: "followups.enabled", Flag: "followups", Default: true, Help: "logging a call, meeting or visit proposes a follow-up task",
		read: asBool(func(c *Config) *bool { return &c.FollowUps })},
	{Key: "followups.due_days", Flag: "followups-due-days", Default: 2, Help: "business days until a proposed follow-up is due",
		read: asInt(0, 365, func(c *Config) *int { return &c.FollowUpDays })},
	{Key: "mail_dir", Flag: "mail-dir", Default: "", Help: "where mail is written when no SMTP server is configured (default: <data_dir>/mail)",
		read: asText(func(c *Config) *string { return &c.MailDir }, orElse(func(c *Config) string { return filepath.Join(c.DataDir, "mail") })),
		show: func(c *Config) any { return c.MailDir }},
	{Key: "privacy.erasure_days", Flag: "privacy-erasure-days", Default: 15, Help: "days the business has to answer a request to erase a person's data (the legal deadline: 15 under the LGPD, a month under the GDPR)",
		read: asInt(1, 90, func(c *Config) *int { return &c.ErasureDays })},
	{Key: "business.name", Flag: "business-name", Default: "Vinculo", Help: "the business's name, shown to customers",
		read: asText(func(c *Config) *string { return &c.Business.Name }, notEmpty)},
	{Key: "business.country", Flag: "business-country", Default: "BR", Help: "ISO country code, the default for phone numbers",
		read: asText(func(c *Config) *string { return &c.Business.Country }, upper, countryCode)},
	{Key: "business.language", Flag: "business-language", Default: "pt-BR", Help: "default language: en or pt-BR",
		read: asText(func(c *Config) *string { return &c.Business.Language }, oneOf(Languages))},
	{Key: "business.timezone", Flag: "business-timezone", Default: "America/Sao_Paulo", Help: "default time zone (IANA name)",
		read: asText(func(c *Config) *string { return &c.Business.Timezone }, timeZone)},
	{Key: "business.hours", Flag: "business-hours", Default: "mon-fri 09:00-18:00", Help: "opening hours, e.g. \"mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00\"",
		read: asHours(func(c *Config) *WeekHours { return &c.Business.Hours }),
		show: func(c *Config) any { return c.Business.Hours.String() }},
	{Key: "business.holidays", Flag: "business-holidays", Default: []string{}, Help: "days the business is closed, YYYY-MM-DD, comma separated",
		read: asDates(func(c *Config) *[]string { return &c.Business.Holidays }),
		show: func(c *Config) any { return strings.Join(c.Business.Holidays, ",") }},
	{Key: "business.logo_url", Flag: "business-logo-url", Default: "", Help: "the logo shown to customers: an https URL or a path on this server (empty: none)",
		read: asText(func(c *Config) *string { return &c.Business.LogoURL }, urlOrPath)},
	{Key: "business.color", Flag: "business-color", Default: "#1f6feb", Help: "the brand colour shown to customers, #rrggbb",
		read: asText(func(c *Config) *string { return &c.Business.Color }, lower, colour)},
	{Key: "business.currency", Flag: "business-currency", Default: "BRL", Help: "the business's currency (ISO 4217, like BRL): money figures are given in it",
		read: asText(func(c *Config) *string { return &c.Business.Currency }, upper, currencyCode)},
	{Key: "portal.subscription_actions", Flag: "portal-subscription-actions", Default: []string{"pause", "resume", "cancel"}, Help: "what customers may do with a subscription in the portal (pause, resume, cancel, change_plan; none for nothing), where its product allows it",
		read: asActions(func(c *Config) *[]string { return &c.Portal.SubscriptionActions }),
		show: func(c *Config) any { return strings.Join(c.Portal.SubscriptionActions, ",") }},
	{Key: "smtp.host", Flag: "smtp-host", Default: "", Help: "SMTP server; empty means mail goes to the log and the mail folder",
		read: asText(func(c *Config) *string { return &c.SMTP.Host })},
	{Key: "smtp.port", Flag: "smtp-port", Default: 587, Help: "SMTP port",
		read: asInt(1, 65535, func(c *Config) *int { return &c.SMTP.Port })},
	{Key: "smtp.username", Flag: "smtp-username", Default: "", Help: "SMTP user name",
		read: asText(func(c *Config) *string { return &c.SMTP.Username })},
	{Key: "smtp.password", Flag: "smtp-password", Default: "", Secret: true, Help: "SMTP password",
		read: asSecret(func(c *Config) *string { return &c.SMTP.Password })},
	{Key: "smtp.tls", Flag: "smtp-tls", Default: false, Help: "use implicit TLS (port 465); otherwise STARTTLS when offered",
		read: asBool(func(c *Config) *bool { return &c.SMTP.TLS })},
	{Key: "smtp.sender", Flag: "smtp-sender", Default: "", Help: "From address of outgoing mail",
		read: asText(func(c *Config) *string { return &c.SMTP.Sender }, senderWithHost)},
	{Key: "smtp.sender_name", Flag: "smtp-sender-name", Default: "", Help: "From name of outgoing mail (default: the business name)",
		read: asText(func(c *Config) *string { return &c.SMTP.SenderName }, orElse(func(c *Config) string { return c.Business.Name }))},
	{Key: "mail.inbound", Flag: "mail-inbound", Default: "", Help: "mailboxes read over IMAP: a list of {name, host, port, tls (tls, starttls, none), username, password, folder, new_thread (request, timeline), request_type, active}, JSON in the variable or flag; kept in Settings > Mailboxes, changed only here",
		read: asInboundMailboxes(func(c *Config) *[]InboundMailbox { return &c.Mail.Inbound }), show: showInbound},
	{Key: "mail.poll_seconds", Flag: "mail-poll-seconds", Default: 60, Help: "seconds between two looks at a mailbox whose server does not offer IDLE",
		read: asInt(5, 86400, func(c *Config) *int { return &c.Mail.PollSeconds })},
	{Key: "automations.notify_owner", Flag: "automations-notify-owner", Default: true, Help: "hooks/: email a contact's owner when their customer opens a request",
		read: asBool(func(c *Config) *bool { return &c.Automations.NotifyOwner })},
	{Key: "automations.rating_request", Flag: "automations-rating-request", Default: true, Help: "hooks/: ask the customer for a rating when their request closes",
		read: asBool(func(c *Config) *bool { return &c.Automations.RatingRequest })},
	{Key: "automations.hold_marketing", Flag: "automations-hold-marketing", Default: true, Help: "hooks/: marketing waits while the contact has an open request whose type holds marketing",
		read: asBool(func(c *Config) *bool { return &c.Automations.HoldMarketing })},
	{Key: "automations.rating_page", Flag: "automations-rating-page", Default: true, Help: "hooks/: the rating page /rate/{case} linked from the rating request",
		read: asBool(func(c *Config) *bool { return &c.Automations.RatingPage })},
	{Key: "webhooks.url", Flag: "webhooks-url", Default: "", Help: "hooks/: send signed webhooks of timeline events to this URL (empty: off)",
		read: asText(func(c *Config) *string { return &c.Webhooks.URL }, httpURL)},
	{Key: "webhooks.secret", Flag: "webhooks-secret", Default: "", Secret: true, Help: "secret that signs outbound webhooks (16 characters or more; required with webhooks.url)",
		read: asSecret(func(c *Config) *string { return &c.Webhooks.Secret }, secretWithURL)},
	{Key: "webhooks.events", Flag: "webhooks-events", Default: DefaultWebhookEvents, Help: "timeline events sent as webhooks, comma separated, or * for all",
		read: asEvents(func(c *Config) *[]string { return &c.Webhooks.Events }),
		show: func(c *Config) any { return strings.Join(c.Webhooks.Events, ",") }},
	{Key: "webhooks.inbound_secret", Flag: "webhooks-inbound-secret", Default: "", Secret: true, Help: "secret of signed inbound webhooks at POST /api/crm/inbound (empty: off)",
		read: asSecret(func(c *Config) *string { return &c.Webhooks.InboundSecret }, longSecret)},
	{Key: "replication.url", Flag: "replication-url", Default: "", Help: "continuous replica of data.db and auxiliary.db: s3://bucket/path (?endpoint=https://host for other S3-compatible storage), sftp://user@host:port/path or file:///path (empty: none)",
		read: asText(func(c *Config) *string { return &c.Replication.URL }, replicaURL)},
	{Key: "replication.access_key_id", Flag: "replication-access-key-id", Default: "", Help: "S3 access key ID (empty: AWS_ACCESS_KEY_ID and the AWS SDK's usual sources)",
		read: asText(func(c *Config) *string { return &c.Replication.AccessKeyID })},
	{Key: "replication.secret_access_key", Flag: "replication-secret-access-key", Default: "", Secret: true, Help: "S3 secret access key",
		read: asSecret(func(c *Config) *string { return &c.Replication.SecretAccessKey })},
	{Key: "replication.password", Flag: "replication-password", Default: "", Secret: true, Help: "SFTP password (or replication.key_path)",
		read: asSecret(func(c *Config) *string { return &c.Replication.Password })},
	{Key: "replication.key_path", Flag: "replication-key-path", Default: "", Help: "SFTP private key file",
		read: asText(func(c *Config) *string { return &c.Replication.KeyPath })},
	{Key: "replication.host_key", Flag: "replication-host-key", Default: "", Help: "the SFTP server's public host key, e.g. \"ssh-ed25519 AAAA...\" (empty: not checked)",
		read: asText(func(c *Config) *string { return &c.Replication.HostKey })},
	{Key: "replication.sync_seconds", Flag: "replication-sync-seconds", Default: 1, Help: "seconds between two shipments of changes to the replica",
		read: asInt(1, 3600, func(c *Config) *int { return &c.Replication.SyncSeconds })},
	{Key: "replication.restore_if_empty", Flag: "restore-if-empty", Default: false, Help: "a server started on a data dir without data.db restores it from the replica first",
		read: asBool(func(c *Config) *bool { return &c.Replication.RestoreIfEmpty })},
}

// ReadConfig parses and checks every key's value into a Config, in the order
// of Settings, and stops at the first bad one with a *SettingError. A key
// missing from values takes its default.
func ReadConfig(values map[string]Value) (*Config, error) {
	r := &reading{cfg: &Config{}, values: values}
	for _, s := range Settings {
		v := r.value(s)
		if why := s.read(v, r); why != "" {
			return nil, &SettingError{Key: s.Key, Source: v.Source, Why: why}
		}
	}
	return r.cfg, nil
}

// DefaultConfig is the configuration when nothing is set: every default, read
// through its Setting as any other value would be.
func DefaultConfig() *Config {
	cfg, err := ReadConfig(nil)
	if err != nil {
		panic("crm: a default configuration value is bad: " + err.Error())
	}
	return cfg
}

// reading is a Config being read: what is read so far, and the values.
type reading struct {
	cfg    *Config
	values map[string]Value
}

func (r *reading) value(s Setting) Value {
	if v, ok := r.values[s.Key]; ok {
		return v
	}
	return Value{Raw: s.Default, Source: "default"}
}

// source says where a key's value came from, for messages about another key.
func (r *reading) source(key string) string {
	if v, ok := r.values[key]; ok {
		return v.Source
	}
	return "default"
}

// A reader parses and checks a value and puts it in the Config; it returns
// why the value is bad, or "".
type reader func(v Value, r *reading) (why string)

// A textRule normalises a text value in place or says why it is bad.
type textRule func(s *string, r *reading) (why string)

// asText reads text, trimmed, through rules in order.
func asText(field func(*Config) *string, rules ...textRule) reader {
	return textReader(true, field, rules)
}

// asSecret reads text as given: spaces may belong to a secret.
func asSecret(field func(*Config) *string, rules ...textRule) reader {
	return textReader(false, field, rules)
}

func textReader(trim bool, field func(*Config) *string, rules []textRule) reader {
	return func(v Value, r *reading) string {
		s := cast.ToString(v.Raw)
		if trim {
			s = strings.TrimSpace(s)
		}
		for _, rule := range rules {
			if why := rule(&s, r); why != "" {
				return why
			}
		}
		*field(r.cfg) = s
		return ""
	}
}

func asBool(field func(*Config) *bool) reader {
	return func(v Value, r *reading) string {
		b, err := cast.ToBoolE(v.Raw)
		if err != nil {
			return fmt.Sprintf("%q is not true or false", cast.ToString(v.Raw))
		}
		*field(r.cfg) = b
		return ""
	}
}

func asInt(least, most int, field func(*Config) *int) reader {
	return func(v Value, r *reading) string {
		n, err := strconv.Atoi(strings.TrimSpace(cast.ToString(v.Raw))) // plain decimal: "010" is not 8
		if err != nil || n < least || n > most {
			return fmt.Sprintf("%q is not a whole number from %d to %d", cast.ToString(v.Raw), least, most)
		}
		*field(r.cfg) = n
		return ""
	}
}

func asHours(field func(*Config) *WeekHours) reader {
	return func(v Value, r *reading) string {
		h, err := ParseWeekHours(strings.TrimSpace(cast.ToString(v.Raw)))
		if err != nil {
			return err.Error()
		}
		*field(r.cfg) = h
		return ""
	}
}

// asDates reads days YYYY-MM-DD: a list, or one text of them comma separated.
func asDates(field func(*Config) *[]string) reader {
	return func(v Value, r *reading) string {
		list, err := cast.ToStringSliceE(datesAsText(v.Raw))
		if err != nil {
			return "expected a list of dates YYYY-MM-DD"
		}
		for _, d := range list {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return fmt.Sprintf("%q is not a date YYYY-MM-DD", d)
			}
		}
		*field(r.cfg) = slices.Clone(list)
		return ""
	}
}

// datesAsText writes back as text the dates YAML reads as times (an unquoted
// 2026-12-25), and splits a text of dates.
func datesAsText(raw any) any {
	switch h := raw.(type) {
	case string:
		return splitList(h)
	case time.Time:
		return []string{h.Format("2006-01-02")}
	case []any:
		dates := make([]any, len(h))
		for i, item := range h {
			if t, ok := item.(time.Time); ok {
				item = t.Format("2006-01-02")
			}
			dates[i] = item
		}
		return dates
	}
	return raw
}

// asActions reads subscription actions; "none" stands for no action at all.
func asActions(field func(*Config) *[]string) reader {
	return func(v Value, r *reading) string {
		list, err := cast.ToStringSliceE(splitText(v.Raw))
		if err != nil {
			return "expected a list of pause, resume, cancel, change_plan"
		}
		list = slices.DeleteFunc(slices.Clone(list), func(a string) bool { return a == "none" })
		for _, a := range list {
			if !slices.Contains(SubscriptionActions, a) {
				return fmt.Sprintf("%q is not one of %s, or none", a, strings.Join(SubscriptionActions, ", "))
			}
		}
		if list == nil {
			list = []string{} // "none": nothing, not the default
		}
		*field(r.cfg) = list
		return ""
	}
}

var webhookEventPattern = regexp.MustCompile(`^(\*|[a-z_]+\.[a-z_]+)$`)

func asEvents(field func(*Config) *[]string) reader {
	return func(v Value, r *reading) string {
		list, err := cast.ToStringSliceE(splitText(v.Raw))
		if err != nil {
			return "expected a list of timeline events like case.opened"
		}
		for _, e := range list {
			if !webhookEventPattern.MatchString(e) {
				return fmt.Sprintf("%q is not a timeline event like case.opened, or *", e)
			}
		}
		*field(r.cfg) = slices.Clone(list)
		return ""
	}
}

// splitText splits a list written as one text; other values stay as they are.
func splitText(raw any) any {
	if s, ok := raw.(string); ok {
		return splitList(s)
	}
	return raw
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func hostPort(s *string, _ *reading) string {
	if _, _, err := net.SplitHostPort(*s); err != nil {
		return fmt.Sprintf("%q is not host:port (example: 127.0.0.1:8090)", *s)
	}
	return ""
}

func notEmpty(s *string, _ *reading) string {
	if *s == "" {
		return "it must not be empty"
	}
	return ""
}

func trimSlash(s *string, _ *reading) string { *s = strings.TrimRight(*s, "/"); return "" }
func upper(s *string, _ *reading) string     { *s = strings.ToUpper(*s); return "" }
func lower(s *string, _ *reading) string     { *s = strings.ToLower(*s); return "" }

// orElse derives an empty value from the ones read before it.
func orElse(derive func(c *Config) string) textRule {
	return func(s *string, r *reading) string {
		if *s == "" {
			*s = derive(r.cfg)
		}
		return ""
	}
}

// httpURL: empty, or an http(s) URL.
func httpURL(s *string, _ *reading) string {
	if *s == "" {
		return ""
	}
	if u, err := url.Parse(*s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL", *s)
	}
	return ""
}

func countryCode(s *string, _ *reading) string {
	if len(*s) != 2 || strings.Trim(*s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return fmt.Sprintf("%q is not a two-letter country code (example: BR)", *s)
	}
	return ""
}

func currencyCode(s *string, _ *reading) string {
	if len(*s) != 3 || strings.Trim(*s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return fmt.Sprintf("%q is not a three-letter currency code (example: BRL)", *s)
	}
	return ""
}

func oneOf(allowed []string) textRule {
	return func(s *string, _ *reading) string {
		if !slices.Contains(allowed, *s) {
			return fmt.Sprintf("%q is not one of %s", *s, strings.Join(allowed, ", "))
		}
		return ""
	}
}

func timeZone(s *string, _ *reading) string {
	if _, err := time.LoadLocation(*s); err != nil || *s == "" {
		return fmt.Sprintf("%q is not a time zone name (example: America/Sao_Paulo)", *s)
	}
	return ""
}

func urlOrPath(s *string, _ *reading) string {
	if *s != "" && !strings.HasPrefix(*s, "https://") && !strings.HasPrefix(*s, "http://") && !strings.HasPrefix(*s, "/") {
		return fmt.Sprintf("%q is neither an http(s) URL nor a path starting with /", *s)
	}
	return ""
}

var colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

func colour(s *string, _ *reading) string {
	if !colorPattern.MatchString(*s) {
		return fmt.Sprintf("%q is not a colour written #rrggbb (example: #1f6feb)", *s)
	}
	return ""
}

// senderWithHost: with an SMTP server, mail needs a From address.
func senderWithHost(s *string, r *reading) string {
	if r.cfg.SMTP.Host != "" && !strings.Contains(*s, "@") {
		return fmt.Sprintf("%q is not an email address (it is needed because smtp.host is set by %s)", *s, r.source("smtp.host"))
	}
	return ""
}

// secretWithURL: outbound webhooks are signed with a long enough secret.
func secretWithURL(s *string, r *reading) string {
	if r.cfg.Webhooks.URL != "" && len(*s) < 16 {
		return fmt.Sprintf("a secret of 16 characters or more is needed because webhooks.url is set by %s", r.source("webhooks.url"))
	}
	return ""
}

// longSecret: empty (off), or 16 characters or more.
func longSecret(s *string, _ *reading) string {
	if *s != "" && len(*s) < 16 {
		return "use 16 characters or more"
	}
	return ""
}

// replicaURL: empty, or a replica of a kind Litestream reaches here.
func replicaURL(s *string, _ *reading) string {
	u, err := url.Parse(*s)
	if *s != "" && (err != nil || !slices.Contains([]string{"s3", "sftp", "file"}, u.Scheme)) {
		return fmt.Sprintf("%q is not a replica: use s3://bucket/path, sftp://user@host:port/path or file:///path", *s)
	}
	return ""
}
