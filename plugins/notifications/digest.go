package notifications

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// SendDigests mails each colleague whose digest hour has come (in their
// time zone) the unread notifications waiting for their digest: one mail
// per person per day at most, as the day is claimed before the mail goes.
// A failed digest is tried again after a backoff, the same day.
func SendDigests(app core.App, now time.Time) (sent int, err error) {
	p, err := pluginOf(app)
	if err != nil {
		return 0, err
	}
	var tos []string
	err = app.DB().Select("DISTINCT [[" + crm.NotifTo + "]]").From(crm.Notifications).
		Where(dbx.HashExp{crm.NotifMail: crm.NotifMailDigest}).Column(&tos)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, to := range tos {
		ok, err := p.digestOne(app, to, now)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// digestOne claims today's digest of one colleague, sends it and records
// the outcome.
func (p *plugin) digestOne(app core.App, staffID string, now time.Time) (bool, error) {
	var staff *core.Record
	var items []*core.Record
	var before prefs
	err := app.RunInTransaction(func(tx core.App) error {
		s, err := tx.FindRecordById(crm.Staff, staffID)
		if err != nil {
			return err
		}
		pr := prefsOf(s)
		local := now.In(staffLocation(s, p.cfg))
		day := local.Format(time.DateOnly)
		if s.GetBool(crm.FieldDeactivated) || local.Hour() < pr.digestHour() || pr.DigestSent == day {
			return nil
		}
		if next, err := time.Parse(time.RFC3339, pr.DigestNext); err == nil && next.After(now) {
			return nil
		}
		var waiting []*core.Record
		if err := tx.RecordQuery(crm.Notifications).
			Where(dbx.HashExp{crm.NotifTo: staffID, crm.NotifMail: crm.NotifMailDigest}).
			OrderBy("created").All(&waiting); err != nil {
			return err
		}
		for _, n := range waiting {
			if n.GetDateTime(crm.NotifReadAt).IsZero() {
				items = append(items, n)
				continue
			}
			n.Set(crm.NotifMail, "") // read in the bell before the digest: nothing to mail
			if err := tx.Save(n); err != nil {
				return err
			}
		}
		if len(items) == 0 {
			return nil
		}
		before = pr
		pr.DigestSent = day
		s.Set(crm.FieldNotifyPrefs, pr)
		staff = s
		return tx.Save(s)
	})
	if err != nil || staff == nil {
		return false, err
	}
	sendErr := p.mail(app, staff, items, true)
	return sendErr == nil, p.recordDigest(app, staffID, items, before, sendErr, now)
}

// recordDigest marks the digest's notifications sent, or gives the day
// back and waits a backoff before the next try.
func (p *plugin) recordDigest(app core.App, staffID string, items []*core.Record, before prefs, sendErr error, now time.Time) error {
	err := app.RunInTransaction(func(tx core.App) error {
		s, err := tx.FindRecordById(crm.Staff, staffID)
		if err != nil {
			return err
		}
		pr := prefsOf(s)
		if sendErr != nil {
			pr.DigestSent = before.DigestSent
			pr.DigestTries++
			pr.DigestNext = now.Add(p.options().backoff(pr.DigestTries)).Format(time.RFC3339)
			s.Set(crm.FieldNotifyPrefs, pr)
			return tx.Save(s)
		}
		pr.DigestTries, pr.DigestNext = 0, ""
		s.Set(crm.FieldNotifyPrefs, pr)
		if err := tx.Save(s); err != nil {
			return err
		}
		for _, n := range items {
			n.Set(crm.NotifMail, crm.NotifMailSent)
			n.Set(crm.NotifMailedAt, now)
			if err := tx.Save(n); err != nil {
				return err
			}
		}
		return nil
	})
	if sendErr != nil {
		sendErr = fmt.Errorf("digest of %s: %w", staffID, sendErr)
	}
	return errors.Join(sendErr, err)
}
