package crm

import (
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
)

// The contracts between plugins: values that one plugin writes and another
// reads. Each is named once here; no package spells them as literals.

// States of an outbox message (field `state` of the outbox collection).
const (
	OutboxQueued  = "queued"  // due: the sender sends it (or retries it at not_before)
	OutboxWaiting = "waiting" // the customer's rules hold it until not_before
	OutboxSent    = "sent"
	OutboxRefused = "refused" // the customer's rules forbid it; final
	OutboxFailed  = "failed"  // it could not be sent; final
)

// Templates of the messages Vinculo writes itself (field `template` of the
// outbox collection). "generic" (or no template) sends the message's own
// subject and body as they are.
const (
	TemplateCaseOpened = "case_opened" // data: reference, subject, type
	TemplateCaseStatus = "case_status" // data: reference, subject, status, status_label, type
	TemplateGeneric    = "generic"
)

// PendingRequests is the collection of requests sent through the public
// form that wait for a confirmation from their email address before they
// become requests (plugins/portal). Superusers only.
const PendingRequests = "pending_requests"

// Purposes of a message or a consent.
const (
	PurposeService   = "service"
	PurposeMarketing = "marketing"
)

// Statuses of a deal (field `status` of deals).
const (
	DealOpen = "open"
	DealWon  = "won"
	DealLost = "lost"
)

// Statuses of a task (field `status` of tasks).
const (
	TaskOpen = "open"
	TaskDone = "done"
)

// IsStaffAnswer tells whether a request message is an answer the customer
// sees: public and written by staff.
func IsStaffAnswer(m *core.Record) bool {
	return !m.GetBool("internal") && m.GetString("author_staff") != "" && m.GetString("author_customer") == ""
}

// Clip shortens s to at most max characters (runes), ending with "…" when it
// was cut.
func Clip(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
