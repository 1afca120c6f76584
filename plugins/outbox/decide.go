package outbox

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// States of a message: the names crm gives them, for code that already
// speaks of the outbox.
const (
	StateQueued  = crm.OutboxQueued
	StateWaiting = crm.OutboxWaiting
	StateSent    = crm.OutboxSent
	StateRefused = crm.OutboxRefused
	StateFailed  = crm.OutboxFailed
)

const week = 7 * 24 * time.Hour

// decision is what the customer's rules say of a message now.
type decision struct {
	state     string
	reason    string
	code      string         // the reason for people (reasons.go)
	data      map[string]any // and what its wording needs
	notBefore time.Time      // when waiting
	channel   string         // when it may go: the channel it goes on
	to        string         // and the contact point there
	loc       *time.Location
}

func refuse(format string, args ...any) decision {
	return decision{state: StateRefused, reason: "refused: " + fmt.Sprintf(format, args...)}
}

func fail(format string, args ...any) decision {
	return decision{state: StateFailed, reason: "failed: " + fmt.Sprintf(format, args...)}
}

// decide applies every rule to rec at now, reading in tx. It returns the
// contact it read, nil when it is gone.
func (p *plugin) decide(tx core.App, rec *core.Record, now time.Time) (decision, *core.Record, error) {
	contact, err := tx.FindRecordById(crm.Contacts, rec.GetString(crm.FieldContact))
	if errors.Is(err, sql.ErrNoRows) {
		return refuse("the contact no longer exists").because(ReasonContactGone, nil), nil, nil
	}
	if err != nil {
		return decision{}, nil, err
	}
	tmpl := rec.GetString("template")
	if !knownTemplate(tmpl) {
		return fail("unknown template %q", tmpl).because(ReasonUnknownTemplate, map[string]any{"template": tmpl}), contact, nil
	}
	if _, isTemplate := templates[tmpl]; !isTemplate && strings.TrimSpace(rec.GetString("subject")) == "" && strings.TrimSpace(rec.GetString("body")) == "" {
		return refuse("nothing to send (no template, subject or body)").because(ReasonNothingToSend, nil), contact, nil
	}
	loc := p.location(contact)
	purpose := rec.GetString("purpose")
	if since := contact.GetDateTime(crm.ContactRestrictedAt); !since.IsZero() && purpose != crm.PurposeService {
		return refuse("the customer restricted the processing of their data; only service messages go").
			because(ReasonRestricted, map[string]any{"since": when(since.Time())}), contact, nil
	}
	choice, off, err := p.choiceFor(tx, rec, contact)
	if err != nil || off.state != "" {
		return off, contact, err
	}
	channel := func(ch string, chosen bool) (decision, error) {
		if purpose == crm.PurposeService {
			return p.serviceChannel(tx, rec, contact, ch, chosen)
		}
		return p.consentedChannel(tx, rec, contact, purpose, ch)
	}
	var d decision
	if ch := rec.GetString("channel"); ch != "" || choice.Channel == "" {
		d, err = channel(ch, false)
	} else if d, err = channel(choice.Channel, true); err == nil && d.state != "" {
		// The channel the customer chose for this kind cannot carry it now
		// (no number, no sender, a consent since withdrawn): they still
		// want to be told, so it goes as any message of theirs would.
		d, err = channel("", false)
	}
	if err != nil || d.state != "" {
		return d, contact, err
	}
	d, err = p.timing(tx, rec, contact, purpose, d, loc, now)
	d.loc = loc
	return d, contact, err
}

// serviceChannel: a service message goes on any channel the customer has
// for service — a granted service consent there or, when the contact has no
// service consent at all, their preferred channel and email. With no
// channel it goes on the first of preferred, email, then the other
// consented channels that can carry it. A channel the customer chose for
// the message's kind (chosen) goes too when they gave no service consents.
func (p *plugin) serviceChannel(tx core.App, rec, contact *core.Record, want string, chosen bool) (decision, error) {
	consents, err := consentStates(tx, contact.Id, crm.PurposeService)
	if err != nil {
		return decision{}, err
	}
	preferred := contact.GetString("preferred_channel")
	var allowed []string
	add := func(ch string) {
		if slices.Contains(crm.Channels, ch) && !slices.Contains(allowed, ch) {
			allowed = append(allowed, ch)
		}
	}
	if len(consents) == 0 {
		add(preferred)
		add("email")
		if chosen {
			add(want)
		}
		if ch := want; ch != "" && rec.GetString("case") != "" {
			// an answer about a request goes where the customer wrote about it
			var wrote int
			if err := tx.DB().NewQuery("SELECT COUNT(*) FROM activities WHERE [[case]] = {:c} AND event = {:e} AND channel = {:ch}").
				Bind(dbx.Params{"c": rec.GetString("case"), "e": crm.EventMessageReceived, "ch": ch}).Row(&wrote); err != nil {
				return decision{}, err
			}
			if wrote > 0 {
				add(ch)
			}
		}
	} else {
		for _, ch := range append([]string{preferred, "email"}, crm.Channels...) {
			if consents[ch] == "granted" {
				add(ch)
			}
		}
	}
	if ch := want; ch != "" {
		if !slices.Contains(allowed, ch) {
			on := map[string]any{"purpose": crm.PurposeService, "channel": ch}
			switch {
			case len(consents) == 0:
				return refuse("%s is neither the customer's preferred channel nor email (service messages go there unless the customer gives service consents)", ch).because(ReasonServiceChannel, on), nil
			case consents[ch] == "withdrawn":
				return refuse("service consent for %s was withdrawn", ch).because(ReasonConsentWithdrawn, on), nil
			default:
				return refuse("no service consent for %s", ch).because(ReasonNoConsent, on), nil
			}
		}
		return p.reach(tx, rec, contact, ch)
	}
	var first decision
	for _, ch := range allowed {
		d, err := p.reach(tx, rec, contact, ch)
		if err != nil {
			return d, err
		}
		if d.state == "" {
			return d, nil
		}
		if first.state == "" {
			first = d
		}
	}
	if first.state == "" {
		return refuse("the customer has withdrawn service messages on every channel").because(ReasonServiceWithdrawn, nil), nil
	}
	return first, nil
}

// consentedChannel: marketing, profiling and research need a granted
// consent for that purpose on the exact channel. No channel means the
// preferred one (email when the customer has no preference), with no
// fallback: a message on another channel must name it and have its consent.
// A preferred channel of "none" refuses them all.
func (p *plugin) consentedChannel(tx core.App, rec, contact *core.Record, purpose, ch string) (decision, error) {
	preferred := contact.GetString("preferred_channel")
	if preferred == "none" {
		return refuse("the customer asked not to be contacted (preferred channel: none); only service messages go").because(ReasonDoNotContact, nil), nil
	}
	if ch == "" {
		ch = preferred
	}
	if ch == "" {
		ch = "email"
	}
	consents, err := consentStates(tx, contact.Id, purpose)
	if err != nil {
		return decision{}, err
	}
	switch consents[ch] {
	case "granted":
		return p.reach(tx, rec, contact, ch)
	case "withdrawn":
		return refuse("%s consent for %s was withdrawn", purpose, ch).because(ReasonConsentWithdrawn, map[string]any{"purpose": purpose, "channel": ch}), nil
	default:
		return refuse("no %s consent for %s", purpose, ch).because(ReasonNoConsent, map[string]any{"purpose": purpose, "channel": ch}), nil
	}
}

// consentStates maps channel -> state of the contact's consents for purpose.
func consentStates(tx core.App, contact, purpose string) (map[string]string, error) {
	list, err := tx.FindAllRecords(crm.Consents, dbx.HashExp{crm.FieldContact: contact, "purpose": purpose})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, c := range list {
		out[c.GetString("channel")] = c.GetString("state")
	}
	return out, nil
}

// reach checks that ch can carry a message to contact: a contact point
// there and a sender for it. An empty state means it can. A notice that
// names its own address (to_address: the old address of an email change)
// goes there by email.
func (p *plugin) reach(tx core.App, rec, contact *core.Record, ch string) (decision, error) {
	var to, missing, lacks string
	first := func(fields ...string) string {
		for _, f := range fields {
			if v := strings.TrimSpace(contact.GetString(f)); v != "" {
				return v
			}
		}
		return ""
	}
	switch ch {
	case "in_person", "web":
		return refuse("%s can't carry a message", ch).because(ReasonCannotCarry, map[string]any{"channel": ch}), nil
	case "email":
		to, missing, lacks = strings.TrimSpace(rec.GetString(crm.OutboxTo)), "no email address", "email"
		if to == "" {
			to = first(crm.FieldEmail)
		}
	case "sms", "whatsapp":
		to, missing, lacks = first("mobile", "phone"), "no mobile or phone number", "mobile"
	case "phone":
		to, missing, lacks = first("phone", "mobile"), "no phone number", "phone"
	case "letter":
		to, missing, lacks = first("address"), "no postal address", "address"
	case "social":
		if raw := strings.TrimSpace(contact.GetString("socials")); raw != "" && raw != "null" && raw != "{}" && raw != "[]" {
			to = raw
		}
		missing, lacks = "no social profile", "social"
	case "portal":
		c, err := tx.FindFirstRecordByFilter(crm.Customers, "contact = {:c}", dbx.Params{"c": contact.Id})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return decision{}, err
		}
		if c != nil {
			to = c.Id
		}
		missing, lacks = "no portal account", "portal"
	default: // chat: the sender knows where the conversation is
		to = contact.Id
	}
	if to == "" {
		return refuse("%s for the %s channel", missing, ch).because(ReasonNoContactPoint, map[string]any{"channel": ch, "missing": lacks}), nil
	}
	// An address whose mail comes back (a bounce read by the email channel)
	// is not written to again until someone changes it; the message goes on
	// another channel the customer accepts, or is refused with the reason.
	if ch == "email" && strings.EqualFold(to, strings.TrimSpace(contact.GetString(crm.FieldEmail))) {
		if since := contact.GetDateTime(crm.ContactEmailFailingAt); !since.IsZero() {
			return refuse("mail to %s comes back undelivered", to).because(ReasonAddressBounces,
				map[string]any{"channel": ch, "to": to, "since": when(since.Time())}), nil
		}
	}
	if !canSend(tx, ch) {
		return fail("no sender is registered for the %s channel", ch).because(ReasonNoSender, map[string]any{"channel": ch}), nil
	}
	return decision{channel: ch, to: to}, nil
}

// timing: when the message may go. Each rule may push the time later and
// a later time may fall foul of another rule, so they are applied until
// none moves it: the result is the first allowed minute.
func (p *plugin) timing(tx core.App, rec, contact *core.Record, purpose string, d decision, loc *time.Location, now time.Time) (decision, error) {
	service := purpose == crm.PurposeService
	if !service {
		until, hold, reason, err := held(tx, rec, contact, now)
		if err != nil {
			return d, err
		}
		if !until.IsZero() {
			d.state, d.notBefore, d.reason = StateWaiting, until, "waiting "+reason
			return d.because(ReasonHeld, map[string]any{"hold": hold, "text": reason, "until": when(until)}), nil
		}
	}
	var sent []time.Time
	limit := contact.GetInt("max_contacts_per_week")
	if !service && limit > 0 {
		var err error
		if sent, err = recentSends(tx, contact.Id, rec.Id, now, p.options().claimTTL()); err != nil {
			return d, err
		}
	}
	paused := contact.GetDateTime("paused_until").Time()
	cal, hours, restricted := p.calendar(contact, loc)
	quiet := restricted && !(service && rec.GetBool("urgent"))

	t := now
	var why []string
	var waits []map[string]any // the same, for people (reasons.go)
	because := func(s string, wait map[string]any) {
		if !slices.Contains(why, s) {
			why = append(why, s)
			waits = append(waits, wait)
		}
	}
	for range 50 {
		before := t
		if !service && paused.After(t) {
			t = paused
			because("the end of the customer's pause on "+clock(paused, loc), map[string]any{"code": WaitPause, "until": when(paused)})
		}
		if !service && limit > 0 {
			if until, n := capWait(sent, t, limit); until.After(t) {
				t = until
				because(fmt.Sprintf("the weekly limit: %d messages in the last 7 days, %d allowed", n, limit),
					map[string]any{"code": WaitWeeklyLimit, "count": n, "limit": limit})
			}
		}
		if quiet && !cal.IsOpen(t) {
			if next, ok := cal.NextOpen(t); ok {
				t = next
				because("the customer's hours: "+hours, map[string]any{"code": WaitHours,
					"preferred_days": contact.GetStringSlice("preferred_days"), "timezone": loc.String(),
					"preferred_hours_start": contact.GetString("preferred_hours_start"), "preferred_hours_end": contact.GetString("preferred_hours_end")})
			}
		}
		if t.Equal(before) {
			break
		}
	}
	if !t.After(now) {
		d.state, d.reason = StateQueued, "due: goes by "+d.channel
		return d.because(ReasonDue, map[string]any{"channel": d.channel}), nil
	}
	d.state, d.notBefore = StateWaiting, t
	d.reason = "waiting for " + strings.Join(why, ", then ")
	return d.because(ReasonWaiting, map[string]any{"until": when(t), "for": waits}), nil
}

// recentSends: when the contact's non-service messages went in the last
// week, counting those another worker is sending right now (a claim
// younger than ttl).
func recentSends(tx core.App, contact, self string, now time.Time, ttl time.Duration) ([]time.Time, error) {
	list, err := tx.FindRecordsByFilter(crm.Outbox,
		"contact = {:c} && purpose != {:service} && id != {:self} && ((state = {:sent} && sent_at > {:since}) || (claim != '' && claimed_at > {:stale}))",
		"", 0, 0, dbx.Params{"c": contact, "service": crm.PurposeService, "sent": StateSent, "self": self,
			"since": stamp(now.Add(-week)), "stale": stamp(now.Add(-ttl))})
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, r := range list {
		if at := r.GetDateTime("sent_at"); r.GetString("state") == StateSent && !at.IsZero() {
			out = append(out, at.Time())
		} else {
			out = append(out, r.GetDateTime("claimed_at").Time())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// capWait: with sent in order, when a message may go at t under a limit
// per 7 days — when enough of the last ones have left the window — and how
// many are in the window at t.
func capWait(sent []time.Time, t time.Time, limit int) (time.Time, int) {
	var in []time.Time
	for _, s := range sent {
		if s.After(t.Add(-week)) {
			in = append(in, s)
		}
	}
	if len(in) < limit {
		return t, len(in)
	}
	return in[len(in)-limit].Add(week), len(in)
}

// calendar is the customer's contact hours: preferred days (none: every
// day) and hours (none: all day; an end before the start spans midnight),
// in their time zone. restricted is false when they set neither.
func (p *plugin) calendar(contact *core.Record, loc *time.Location) (cal crm.Calendar, desc string, restricted bool) {
	days := contact.GetStringSlice("preferred_days")
	start, okStart := minutes(contact.GetString("preferred_hours_start"))
	end, okEnd := minutes(contact.GetString("preferred_hours_end"))
	if len(days) == 0 && !okStart && !okEnd {
		return crm.Calendar{Location: loc}, "", false
	}
	if !okStart {
		start = 0
	}
	if !okEnd {
		end = 24 * 60
	}
	var spans []crm.Span
	switch {
	case end > start:
		spans = []crm.Span{{Start: start, End: end}}
	case end < start:
		spans = []crm.Span{{Start: 0, End: end}, {Start: start, End: 24 * 60}}
		if end == 0 {
			spans = spans[1:]
		}
	default:
		spans = []crm.Span{{Start: 0, End: 24 * 60}}
	}
	var w crm.WeekHours
	for _, day := range weekdays(days) {
		w[day] = spans
	}
	hours := "all day"
	if !(len(spans) == 1 && spans[0].Start == 0 && spans[0].End == 24*60) {
		hours = hhmm(start) + "–" + hhmm(end)
	}
	return crm.Calendar{Hours: w, Location: loc}, describeDays(days) + " " + hours + " " + loc.String(), true
}

var dayOrder = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func weekdays(days []string) []time.Weekday {
	if len(days) == 0 {
		days = dayOrder
	}
	var out []time.Weekday
	for _, d := range days {
		if i := slices.Index(dayOrder, d); i >= 0 {
			out = append(out, time.Weekday((i+1)%7))
		}
	}
	return out
}

func describeDays(days []string) string {
	var set []string
	for _, d := range dayOrder {
		if slices.Contains(days, d) {
			set = append(set, d)
		}
	}
	switch strings.Join(set, ",") {
	case "", "mon,tue,wed,thu,fri,sat,sun":
		return "every day"
	case "mon,tue,wed,thu,fri":
		return "weekdays"
	case "sat,sun":
		return "weekends"
	}
	return strings.Join(set, ", ")
}

func minutes(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// location is the contact's time zone, else the business's.
func (p *plugin) location(contact *core.Record) *time.Location {
	if tz := contact.GetString("timezone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return p.cfg.BusinessNow().Location()
}

// language is the contact's, else the business's, else English.
func (p *plugin) language(contact *core.Record) string {
	for _, l := range []string{contact.GetString("language"), p.cfg.BusinessNow().Language} {
		if slices.Contains(crm.Languages, l) {
			return l
		}
	}
	return "en"
}

// clock writes a time for people, in loc.
func clock(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04") + " " + loc.String()
}

// stamp is how PocketBase stores a time, for comparisons in filters.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// KindOf is the kind of message rec is, for the customer's choices: its
// own, else its template's; "" for a message of no kind (staff's own words,
// which the customer's choices of kinds do not hold back).
func KindOf(rec *core.Record) string {
	if k := rec.GetString(crm.OutboxKind); k != "" {
		return k
	}
	return crm.TemplateKinds[rec.GetString("template")]
}

// choiceFor is the customer's choice for rec's kind (and news topic): the
// channel they chose for it, or a refusal when they chose not to be told.
// No row, no kind or no choice for the kind: told, on the usual channel.
func (p *plugin) choiceFor(tx core.App, rec, contact *core.Record) (crm.MessageChoice, decision, error) {
	told := crm.MessageChoice{On: true}
	kind := KindOf(rec)
	if kind == "" {
		return told, decision{}, nil
	}
	row, err := tx.FindFirstRecordByFilter(crm.PersonalChoices, crm.PcContact+" = {:c}", dbx.Params{"c": contact.Id})
	if errors.Is(err, sql.ErrNoRows) {
		return told, decision{}, nil
	}
	if err != nil {
		return told, decision{}, err
	}
	// The kind first: news turned off is off whatever the topic.
	var kinds map[string]crm.MessageChoice
	_ = row.UnmarshalJSONField(crm.PcMessages, &kinds) // unreadable: as by default
	c, chosen := kinds[kind]
	if chosen && !c.On {
		return c, refuse("the customer chose not to be told of %s", kind).because(ReasonOptedOut, map[string]any{"kind": kind}), nil
	}
	if topic := rec.GetString(crm.OutboxTopic); kind == crm.KindNews && topic != "" {
		var topics map[string]crm.MessageChoice
		_ = row.UnmarshalJSONField(crm.PcNews, &topics)
		tc, ok := topics[topic]
		if ok && !tc.On {
			name := topic
			if t, err := tx.FindRecordById(crm.NewsTopics, topic); err == nil {
				name = t.GetString(crm.TopicName)
			}
			return tc, refuse("the customer chose not to hear news on %q", name).
				because(ReasonOptedOutTopic, map[string]any{"kind": kind, "topic": topic, "topic_name": name}), nil
		}
		if ok && (tc.Channel != "" || !chosen) { // the topic's own channel before the kind's
			c, chosen = tc, true
		}
	}
	if !chosen {
		return told, decision{}, nil
	}
	return c, decision{}, nil
}
