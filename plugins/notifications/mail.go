package notifications

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// sendLease: a mail being sent is not due again for this long, so that two
// runs never send it twice; a process that died while sending leaves it
// due again after the lease.
const sendLease = 10 * time.Minute

const batchSize = 100

// bindMail wakes the sender once a notification to be mailed at once has
// committed: never inside the transaction that wrote it.
func (p *plugin) bindMail(app core.App) {
	app.OnRecordAfterCreateSuccess(crm.Notifications).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(crm.NotifMail) == crm.NotifMailPending {
			p.kick()
		}
		return e.Next()
	})
}

// SendDue mails every notification due at now, outside any transaction:
// each is leased, sent, and its outcome recorded (sent, or retried after a
// backoff, or failed after the last attempt). The pending state lives in
// the database, so what a stopped server did not send goes after its
// restart. It returns how many went and how many failed this time.
func SendDue(app core.App, now time.Time) (sent, failed int, err error) {
	p, err := pluginOf(app)
	if err != nil {
		return 0, 0, err
	}
	if app.IsTransactional() {
		return 0, 0, errors.New("notifications: SendDue sends mail and must not run inside a transaction")
	}
	var ids []string
	err = app.DB().Select("id").From(crm.Notifications).
		Where(dbx.HashExp{crm.NotifMail: crm.NotifMailPending}).
		AndWhere(dbx.NewExp("[["+crm.NotifMailNext+"]] <= {:now}", dbx.Params{"now": stamp(now)})).
		OrderBy(crm.NotifMailNext).Limit(batchSize).Column(&ids)
	if err != nil {
		return 0, 0, err
	}
	var errs []error
	for _, id := range ids {
		ok, err := p.sendOne(app, id, now)
		if err != nil {
			failed++
			errs = append(errs, err)
		} else if ok {
			sent++
		}
	}
	return sent, failed, errors.Join(errs...)
}

// sendOne leases, sends and records one notification's mail; false when
// another run had it.
func (p *plugin) sendOne(app core.App, id string, now time.Time) (bool, error) {
	var n *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindRecordById(crm.Notifications, id)
		if err != nil {
			return err
		}
		if rec.GetString(crm.NotifMail) != crm.NotifMailPending || rec.GetDateTime(crm.NotifMailNext).Time().After(now) {
			return nil
		}
		rec.Set(crm.NotifMailNext, now.Add(sendLease))
		n = rec
		return tx.Save(rec)
	})
	if err != nil || n == nil {
		return false, err
	}
	to, err := app.FindRecordById(crm.Staff, n.GetString(crm.NotifTo))
	var sendErr error
	if err != nil {
		sendErr = err
	} else if !to.GetBool(crm.FieldDeactivated) {
		sendErr = p.mail(app, to, []*core.Record{n}, false)
	}
	if sendErr == nil {
		n.Set(crm.NotifMail, crm.NotifMailSent)
		n.Set(crm.NotifMailedAt, now)
		n.Set(crm.NotifMailError, "")
		return true, app.Save(n)
	}
	tries := n.GetInt(crm.NotifMailTries) + 1
	n.Set(crm.NotifMailTries, tries)
	n.Set(crm.NotifMailError, crm.Clip(sendErr.Error(), 500))
	opts := p.options()
	if tries >= opts.maxAttempts() {
		n.Set(crm.NotifMail, crm.NotifMailFailed)
	} else {
		n.Set(crm.NotifMailNext, now.Add(opts.backoff(tries)))
	}
	if err := app.Save(n); err != nil {
		return false, errors.Join(sendErr, err)
	}
	return false, fmt.Errorf("notification %s: %w", id, sendErr)
}

// mail sends one mail to a colleague: one notification, or their digest.
func (p *plugin) mail(app core.App, to *core.Record, items []*core.Record, digest bool) error {
	lang := to.GetString("language")
	if lang == "" {
		lang = p.cfg.BusinessNow().Language
	}
	loc := staffLocation(to, p.cfg)
	base := strings.TrimRight(p.cfg.PublicURL, "/")
	business := p.cfg.BusinessNow().Name
	var body strings.Builder
	var subject string
	if digest {
		subject = word(lang, "digest", business, len(items))
		body.WriteString(word(lang, "digestHi", to.GetString("name")) + "\n\n")
	}
	for _, n := range items {
		data := dataOf(n)
		l := line(lang, n.GetString(crm.NotifEvent), n.GetString(crm.NotifCollection), data, loc)
		if !digest {
			subject = l
		}
		link := base + linkPath(n.GetString(crm.NotifCollection), n.GetString(crm.NotifRecord), data)
		if digest {
			body.WriteString("• " + l + "\n  " + link + "\n\n")
		} else {
			body.WriteString(l + "\n\n" + word(lang, "open", link) + "\n\n")
		}
	}
	body.WriteString("--\n" + word(lang, "footer", business, base))
	settings := app.Settings()
	return app.NewMailClient().Send(&mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: to.GetString("name"), Address: to.Email()}},
		Subject: subject,
		Text:    body.String(),
	})
}

func dataOf(n *core.Record) map[string]any {
	data := map[string]any{}
	_ = n.UnmarshalJSONField(crm.NotifData, &data)
	return data
}

// staffLocation: the member's time zone, else the business's.
func staffLocation(staff *core.Record, cfg *crm.Config) *time.Location {
	if tz := staff.GetString("timezone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return cfg.BusinessNow().Location()
}

func stamp(t time.Time) string {
	d, _ := types.ParseDateTime(t)
	return d.String()
}
