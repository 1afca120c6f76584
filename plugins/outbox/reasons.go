package outbox

import "time"

// Why a message is where it is, for people: the outbox stores a code
// (reason_code) and what its wording needs (reason_data) beside its English
// `reason`, which stays for logs and integrators; each reader's screen says
// it in the reader's language (the timeline's "message held / refused /
// failed" entries; ui/src/lib/messages/timeline.*.js, keys tl.reason.*).
// The data each code carries is named beside it.
const (
	ReasonContactGone      = "contact_gone"
	ReasonUnknownTemplate  = "unknown_template"  // template
	ReasonNothingToSend    = "nothing_to_send"   //
	ReasonServiceChannel   = "service_channel"   // channel: neither the preferred one nor email
	ReasonConsentWithdrawn = "consent_withdrawn" // purpose, channel
	ReasonNoConsent        = "no_consent"        // purpose, channel
	ReasonServiceWithdrawn = "service_withdrawn" // on every channel
	ReasonDoNotContact     = "do_not_contact"    // preferred channel "none"
	ReasonCannotCarry      = "cannot_carry"      // channel (in person, web)
	ReasonNoContactPoint   = "no_contact_point"  // channel, missing: email, mobile, phone, address, social, portal
	ReasonNoSender         = "no_sender"         // channel
	ReasonAddressBounces   = "address_bounces"   // channel, to, since: mail to it came back undelivered
	ReasonHeld             = "held"              // hold (its name), text (the hold's own words), until
	ReasonWaiting          = "waiting"           // until, for: the waits, each {code: pause|weekly_limit|hours, ...}
	ReasonDue              = "due"               // channel
	ReasonNotWritten       = "not_written"       // error
	ReasonSent             = "sent"              // channel, to
	ReasonSendFailed       = "send_failed"       // attempts, error
	ReasonRetrying         = "retrying"          // attempt, max, next, error
	ReasonOptedOut         = "opted_out"         // kind: the customer chose not to be told of this kind (crm.MessageKinds)
	ReasonOptedOutTopic    = "opted_out_topic"   // kind, topic, topic_name: nor of news on this topic
)

// ReasonRestricted: the customer restricted the processing of their data
// (plugins/restriction); only service messages go. Data: since.
const ReasonRestricted = "processing_restricted"

// Waits: what a waiting message waits for (reason_data.for).
const (
	WaitPause       = "pause"        // until
	WaitWeeklyLimit = "weekly_limit" // count, limit
	WaitHours       = "hours"        // preferred_days, preferred_hours_start, preferred_hours_end, timezone
)

// because names why d is what it is.
func (d decision) because(code string, data map[string]any) decision {
	d.code, d.data = code, data
	return d
}

// when writes a time in the reason's data: UTC, as PocketBase stores it;
// screens show it in the reader's zone.
func when(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// setReason writes the reason for people on a message; no code clears it.
func setReason(rec interface{ Set(string, any) }, code string, data map[string]any) {
	rec.Set("reason_code", code)
	if code == "" || data == nil {
		rec.Set("reason_data", nil)
		return
	}
	rec.Set("reason_data", data)
}
