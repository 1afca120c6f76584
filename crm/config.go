package crm

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config is Vinculo's effective configuration, read by the main package from
// defaults, vinculo.yaml, VINCULO_* variables and flags, and handed to every
// plugin's Register.
type Config struct {
	HTTP          string // address the server listens on
	DataDir       string // PocketBase data dir (database, files, backups, mail folder)
	PublicURL     string // how people reach this server (links in emails)
	HooksDir      string // JavaScript hooks (*.pb.js)
	HooksWatch    bool   // restart when a hook file changes (development only)
	HooksPoolSize int    // JavaScript runtimes the hooks' pool keeps (built as calls overlap)
	MigrationsDir string // JavaScript migrations written by the business
	RateLimits    bool   // PocketBase's rate limiter
	FollowUps     bool   // logging a call, meeting or visit proposes a follow-up task
	FollowUpDays  int    // in business days
	MailDir       string // where mail goes when no SMTP server is configured
	ErasureDays   int    // days the business has to answer an erasure request (plugins/erasure)

	Business    Business
	SMTP        SMTP
	Mail        Mail // inbound mailboxes (crm/names_mailboxes.go)
	Automations Automations
	Webhooks    Webhooks
	Portal      Portal
	Replication Replication
}

// Replication is the continuous copy of data.db and auxiliary.db to a replica
// (Litestream). An empty URL means none.
type Replication struct {
	URL             string // s3://bucket/path?endpoint=..., sftp://user@host:port/path or file:///path
	AccessKeyID     string // S3
	SecretAccessKey string // S3
	Password        string // SFTP password
	KeyPath         string // SFTP private key file
	HostKey         string // SFTP server's host key ("ssh-ed25519 AAAA..."); empty: not checked
	SyncSeconds     int    // how often changes are shipped
	RestoreIfEmpty  bool   // a server started on an empty data dir restores from the replica first
}

// SubscriptionActions are what a customer can do with a subscription in the portal.
var SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}

// Portal is the customer portal's configuration.
type Portal struct {
	// SubscriptionActions a customer may take on a subscription (pause,
	// resume, cancel, change_plan), where its product allows them too.
	// nil means the default: pause, resume, cancel.
	SubscriptionActions []string
}

// Automations switch the JavaScript automations shipped in hooks/ on or off.
type Automations struct {
	NotifyOwner   bool // email a contact's owner when their customer opens a request
	RatingRequest bool // ask the customer for a rating when their request closes
	RatingPage    bool // the rating page /rate/{case}, the worked example of a customer-facing page
	HoldMarketing bool // marketing waits while the contact has an open request whose type holds marketing
}

// Webhooks are the signed webhooks of hooks/: outbound to URL on Events
// (timeline events; none while URL is empty), and the inbound endpoint
// (off while InboundSecret is empty).
type Webhooks struct {
	URL           string
	Secret        string
	Events        []string
	InboundSecret string
}

// Business describes the business that runs this Vinculo.
type Business struct {
	Name     string
	Country  string // ISO 3166 alpha-2, the default for phone numbers
	Language string // "en" or "pt-BR"
	Timezone string // IANA name
	Hours    WeekHours
	Holidays []string // YYYY-MM-DD, days the business is closed
	LogoURL  string   // the logo customers see (an https URL or a path on this server)
	Color    string   // the brand colour, #rrggbb
	Currency string   // ISO 4217: the currency money figures are given in
	// Rates convert other currencies into Currency: Rates["USD"] = 5.2 means
	// one USD is worth 5.2 of it. A currency without a rate is shown apart.
	// Read it, never write it (BusinessNow's copies share it).
	Rates map[string]float64
	// ChurnDays: a customer with no active subscription who bought nothing
	// in this many days has churned (0 reads as DefaultChurnDays).
	ChurnDays int
	// The customer value model (plugins/predictions): only contacts with a
	// granted profiling consent are scored when ProfilingNeedsConsent; the
	// CLV is discounted at DiscountRate a year (0 reads as DefaultDiscountRate).
	ProfilingNeedsConsent bool
	DiscountRate          float64
}

// DefaultChurnDays is the churn window of a business that set none.
const DefaultChurnDays = 90

// ChurnWindow is the business's churn window in days.
func (b Business) ChurnWindow() int {
	if b.ChurnDays <= 0 {
		return DefaultChurnDays
	}
	return b.ChurnDays
}

// SMTP is the outgoing mail server. An empty Host means none is configured.
type SMTP struct {
	Host       string
	Port       int
	Username   string
	Password   string
	TLS        bool
	Sender     string // From address
	SenderName string
}

// Languages the UI and messages speak.
var Languages = []string{"en", "pt-BR"}

// Location returns the business's time zone.
func (b Business) Location() *time.Location {
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Span is an opening period within one day, in minutes after midnight.
type Span struct{ Start, End int }

// WeekHours holds the opening periods of each weekday (index: time.Weekday).
type WeekHours [7][]Span

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekHours reads opening hours written as day ranges and time ranges,
// separated by ";" — for example "mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00".
func ParseWeekHours(s string) (WeekHours, error) {
	var w WeekHours
	s = strings.TrimSpace(s)
	if s == "" {
		return w, fmt.Errorf("no opening hours given (example: \"mon-fri 09:00-18:00\")")
	}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, times, ok := strings.Cut(part, " ")
		if !ok {
			return w, fmt.Errorf("%q: expected days then hours, like \"mon-fri 09:00-18:00\"", part)
		}
		dayList, err := parseDays(days)
		if err != nil {
			return w, err
		}
		for _, t := range strings.Split(strings.TrimSpace(times), ",") {
			span, err := parseSpan(strings.TrimSpace(t))
			if err != nil {
				return w, err
			}
			for _, d := range dayList {
				for _, other := range w[d] {
					if span.Start < other.End && other.Start < span.End {
						return w, fmt.Errorf("%q overlaps other hours on %s", t, dayNames[d])
					}
				}
				w[d] = append(w[d], span)
			}
		}
	}
	for d := range w {
		slices.SortFunc(w[d], func(a, b Span) int { return a.Start - b.Start })
	}
	return w, nil
}

func parseDays(s string) ([]int, error) {
	var out []int
	for _, item := range strings.Split(strings.ToLower(s), ",") {
		from, to, isRange := strings.Cut(item, "-")
		a, b := dayIndex(from), dayIndex(to)
		if !isRange {
			b = a
		}
		if a < 0 || b < 0 {
			return nil, fmt.Errorf("%q: days are written sun, mon, tue, wed, thu, fri, sat", item)
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func dayIndex(s string) int {
	for i, n := range dayNames {
		if n == strings.TrimSpace(s) {
			return i
		}
	}
	return -1
}

func parseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("%q: hours are written like 09:00-18:00", s)
	}
	a, errA := parseClock(from)
	b, errB := parseClock(to)
	if errA != nil || errB != nil {
		return Span{}, fmt.Errorf("%q: hours are written like 09:00-18:00", s)
	}
	if b <= a {
		return Span{}, fmt.Errorf("%q: the end must come after the start", s)
	}
	return Span{a, b}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String writes the hours back in the form ParseWeekHours reads.
func (w WeekHours) String() string {
	var parts []string
	for d := 0; d < 7; d++ {
		if len(w[d]) == 0 {
			continue
		}
		var spans []string
		for _, s := range w[d] {
			spans = append(spans, fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60))
		}
		parts = append(parts, dayNames[d]+" "+strings.Join(spans, ","))
	}
	return strings.Join(parts, "; ")
}
