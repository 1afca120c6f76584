package notifications

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// prefs are one member's choices (staff.notify_prefs): per event, email at
// once, in the daily digest or not at all (the bell always shows it); the
// hour of the digest in their time zone; and the day of the last digest
// (written by the digest, never by the member).
type prefs struct {
	Events      map[string]string `json:"events"`
	DigestHour  *int              `json:"digest_hour,omitempty"`
	DigestSent  string            `json:"digest_sent,omitempty"` // YYYY-MM-DD in the member's time zone
	DigestNext  string            `json:"digest_next,omitempty"` // after a failed digest: not before then (RFC 3339)
	DigestTries int               `json:"digest_tries,omitempty"`
}

// defaultMail is how an event goes by email until the member chooses: what
// needs them now at once, the rest in the digest.
var defaultMail = map[string]string{
	crm.NotifyAssigned:         crm.NotifyByMailDigest,
	crm.NotifyCustomerAnswered: crm.NotifyByMailDigest,
	crm.NotifyCustomerOpened:   crm.NotifyByMailNow, // as the owner's mail went before it was a notification
	crm.NotifyMentioned:        crm.NotifyByMailNow,
	crm.NotifyHandedOver:       crm.NotifyByMailNow,
	crm.NotifyDeadlineNear:     crm.NotifyByMailDigest,
	crm.NotifyOverdue:          crm.NotifyByMailNow,
	crm.NotifyEscalated:        crm.NotifyByMailNow,
	crm.NotifyDealStale:        crm.NotifyByMailDigest,
	crm.NotifyTaskDue:          crm.NotifyByMailDigest,
	crm.NotifyErasureAsked:     crm.NotifyByMailNow,
}

// defaultDigestHour: the digest arrives at 8 in the morning.
const defaultDigestHour = 8

var mailChoices = []string{crm.NotifyByMailNow, crm.NotifyByMailDigest, crm.NotifyByMailOff}

func prefsOf(staff *core.Record) prefs {
	var p prefs
	if raw := staff.GetString(crm.FieldNotifyPrefs); raw != "" && raw != "null" {
		_ = json.Unmarshal([]byte(raw), &p) // a broken value is the defaults
	}
	return p
}

// mailFor: how event goes by email for this member.
func (p prefs) mailFor(event string) string {
	if m, ok := p.Events[event]; ok && slices.Contains(mailChoices, m) {
		return m
	}
	if m, ok := defaultMail[event]; ok {
		return m
	}
	return crm.NotifyByMailOff
}

func (p prefs) digestHour() int {
	if p.DigestHour != nil && *p.DigestHour >= 0 && *p.DigestHour <= 23 {
		return *p.DigestHour
	}
	return defaultDigestHour
}

// settingsView is what the Profile page shows and sends back.
type settingsView struct {
	Events     map[string]string `json:"events"`
	DigestHour int               `json:"digest_hour"`
}

func (p prefs) view() settingsView {
	v := settingsView{Events: map[string]string{}, DigestHour: p.digestHour()}
	for _, ev := range crm.NotifyEvents {
		v.Events[ev] = p.mailFor(ev)
	}
	return v
}

// settingsInput is the body of PUT /api/crm/notifications/settings.
type settingsInput struct {
	Events     map[string]string `json:"events"`
	DigestHour *int              `json:"digest_hour"`
}

func (in settingsInput) validate() error {
	errs := validation.Errors{}
	for ev, m := range in.Events {
		if !slices.Contains(crm.NotifyEvents, ev) {
			errs["events."+ev] = validation.NewError("validation_unknown_event",
				fmt.Sprintf("Unknown event %q: use one of %s.", ev, strings.Join(crm.NotifyEvents, ", ")))
		} else if !slices.Contains(mailChoices, m) {
			errs["events."+ev] = validation.NewError("validation_unknown_mail_choice",
				fmt.Sprintf("Email for %s must be one of %s.", ev, strings.Join(mailChoices, ", ")))
		}
	}
	if in.DigestHour != nil && (*in.DigestHour < 0 || *in.DigestHour > 23) {
		errs["digest_hour"] = validation.NewError("validation_digest_hour", "The digest hour must be between 0 and 23.")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func getSettings(e *core.RequestEvent) error {
	if e.Auth.Collection().Name != crm.Staff {
		return e.ForbiddenError("Only staff have notification settings.", nil)
	}
	return e.JSON(200, prefsOf(e.Auth).view())
}

func putSettings(e *core.RequestEvent) error {
	if e.Auth.Collection().Name != crm.Staff {
		return e.ForbiddenError("Only staff have notification settings.", nil)
	}
	var in settingsInput
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	if err := in.validate(); err != nil {
		return e.BadRequestError("The notification settings were not saved.", err)
	}
	var saved prefs
	err := e.App.RunInTransaction(func(tx core.App) error {
		me, err := tx.FindRecordById(crm.Staff, e.Auth.Id)
		if err != nil {
			return err
		}
		p := prefsOf(me)
		if p.Events == nil {
			p.Events = map[string]string{}
		}
		for ev, m := range in.Events {
			p.Events[ev] = m
		}
		if in.DigestHour != nil {
			h := *in.DigestHour
			p.DigestHour = &h
		}
		me.Set(crm.FieldNotifyPrefs, p)
		saved = p
		return tx.Save(me)
	})
	if err != nil {
		return e.BadRequestError("The notification settings were not saved.", err)
	}
	return e.JSON(200, saved.view())
}
