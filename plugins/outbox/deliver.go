package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
)

const (
	// sendTimeout bounds a registered sender (and half the claim's time,
	// Options.ClaimTTL, bounds it too): a claim outlives its send.
	sendTimeout = 2 * time.Minute
	batchSize   = 100
)

// Result counts what one Deliver run did with the messages that were due.
type Result struct {
	Sent     int // handed to the channel
	Retrying int // failed, to be tried again at not_before
	Failed   int // failed for good
	Refused  int // the customer's rules forbid them now
	Waiting  int // due, but the customer's rules hold them until later
}

func (r *Result) count(outcome string) {
	switch outcome {
	case StateSent:
		r.Sent++
	case "retrying":
		r.Retrying++
	case StateFailed:
		r.Failed++
	case StateRefused:
		r.Refused++
	case StateWaiting:
		r.Waiting++
	}
}

// Deliver sends every message due at now: queued or waiting with
// not_before at or before now, and not claimed by another worker. Each one
// is decided again, claimed and marked in one transaction, sent outside any
// transaction, and its outcome recorded in another. Runs may overlap (two
// processes, a cron tick and a queue): a claimed message is never sent by
// two of them. The cron job, every queue and the start of the server call
// it; tests call it with the time they want.
func Deliver(app core.App, now time.Time) (Result, error) {
	p, err := pluginOf(app)
	if err != nil {
		return Result{}, err
	}
	if app.IsTransactional() {
		return Result{}, errors.New("outbox: Deliver sends messages and must not run inside a transaction")
	}
	p.enter()
	defer p.leave()
	ttl := p.options().claimTTL()
	var res Result
	var errs []error
	// A handled message leaves the due set; one that comes back (an error
	// left it due) is skipped for the rest of the run.
	seen := map[string]bool{}
	var skip []any
	for p.ctx.Err() == nil {
		ids, err := dueIDs(app, now, ttl, skip)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if p.ctx.Err() != nil {
				break
			}
			if seen[id] {
				skip = append(skip, id)
				continue
			}
			seen[id] = true
			outcome, err := p.deliverOne(app, id, now)
			if err != nil {
				app.Logger().Error("Outbox: a message could not be delivered", "id", id, "error", err)
				errs = append(errs, fmt.Errorf("message %s: %w", id, err))
			}
			res.count(outcome)
		}
	}
	return res, errors.Join(errs...)
}

// dueIDs lists due messages, oldest first, but those in skip: a claim
// older than ttl no longer holds its message.
func dueIDs(app core.App, now time.Time, ttl time.Duration, skip []any) ([]string, error) {
	q := app.DB().Select("id").From(crm.Outbox).
		Where(dbx.In("state", StateQueued, StateWaiting)).
		AndWhere(dbx.NewExp("([[not_before]] = '' OR [[not_before]] <= {:now})", dbx.Params{"now": stamp(now)})).
		AndWhere(dbx.NewExp("([[claim]] = '' OR [[claimed_at]] < {:stale})", dbx.Params{"stale": stamp(now.Add(-ttl))})).
		OrderBy("not_before", "created").
		Limit(batchSize)
	if len(skip) > 0 {
		q.AndWhere(dbx.NotIn("id", skip...))
	}
	var ids []string
	err := q.Column(&ids)
	return ids, err
}

func isDue(rec *core.Record, now time.Time, ttl time.Duration) bool {
	state := rec.GetString("state")
	if state != StateQueued && state != StateWaiting {
		return false
	}
	if nb := rec.GetDateTime("not_before"); !nb.IsZero() && nb.Time().After(now) {
		return false
	}
	if rec.GetString("claim") != "" && rec.GetDateTime("claimed_at").Time().After(now.Add(-ttl)) {
		return false
	}
	return true
}

// job is a claimed message on its way.
type job struct {
	Message
	loc *time.Location
}

// deliverOne decides, claims, sends and records one message. The outcome
// is a state, "retrying", or "" when someone else had it.
func (p *plugin) deliverOne(app core.App, id string, now time.Time) (string, error) {
	token := p.newClaim()
	var j *job
	var outcome string
	err := app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindRecordById(crm.Outbox, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if !isDue(rec, now, p.options().claimTTL()) {
			return nil // another worker got there first
		}
		d, contact, err := p.decide(tx, rec, now)
		if err != nil {
			return err
		}
		if d.state == StateQueued {
			m, err := p.message(tx, rec, contact, d)
			if err != nil {
				d = fail("the message could not be written: %v", err).because(ReasonNotWritten, map[string]any{"error": err.Error()})
			} else {
				j = &job{Message: m, loc: d.loc}
				rec.Set("claim", token)
				rec.Set("claimed_at", now)
			}
		}
		apply(rec, d, now)
		outcome = d.state
		return tx.Save(rec)
	})
	if err != nil || j == nil {
		return outcome, err
	}
	// Outside any transaction: a slow channel holds no lock.
	sendErr := p.send(app, j.Message)
	return p.record(app, j, token, sendErr, now)
}

// apply writes a decision on the message.
func apply(rec *core.Record, d decision, now time.Time) {
	rec.Set("state", d.state)
	rec.Set("reason", clip(d.reason))
	setReason(rec, d.code, d.data)
	rec.Set("decided_at", now)
	if d.state == StateWaiting {
		rec.Set("not_before", d.notBefore)
	}
}

// message builds what the sender gets: the data, filled from the request
// when the template needs it, rendered in the contact's language.
func (p *plugin) message(tx core.App, rec, contact *core.Record, d decision) (Message, error) {
	data := map[string]any{}
	if raw := rec.GetString("data"); raw != "" && raw != "null" {
		if err := rec.UnmarshalJSONField("data", &data); err != nil {
			return Message{}, fmt.Errorf("data is not an object: %w", err)
		}
	}
	if caseID := rec.GetString("case"); caseID != "" {
		if c, err := tx.FindRecordById(crm.Cases, caseID); err == nil {
			fromCase := map[string]string{"reference": c.GetString("reference"), "subject": c.GetString("subject"),
				"status": c.GetString("status"), "status_label": c.GetString("status_label")}
			if t, err := tx.FindRecordById(crm.CaseTypes, c.GetString("type")); err == nil {
				fromCase["type"] = t.GetString("name")
			}
			for k, v := range fromCase {
				if cur, ok := data[k]; !ok || cur == nil || cur == "" {
					data[k] = v
				}
			}
		}
	}
	m := Message{
		ID: rec.Id, Contact: contact.Id, Name: contact.GetString("name"),
		Channel: d.channel, To: d.to, Purpose: rec.GetString("purpose"),
		Template: rec.GetString("template"), Data: data, Language: p.language(contact),
		Urgent: rec.GetBool("urgent"), Case: rec.GetString("case"), Attempt: rec.GetInt("attempts") + 1,
		Cc: splitAddresses(rec.GetString(crm.OutboxCc)), Attachments: rec.GetStringSlice(crm.OutboxFiles),
		Personal: rec.GetString("created_by") != "", Readdressed: rec.GetString(crm.OutboxTo) != "" && d.channel == "email",
	}
	if m.Channel != "email" {
		m.Cc, m.Attachments = nil, nil
	}
	common := map[string]any{"business": p.cfg.BusinessNow().Name, "portal_url": ""}
	if u := strings.TrimRight(p.cfg.PublicURL, "/"); u != "" {
		common["portal_url"] = u + "/portal/"
		if m.Case != "" {
			// The request's own page in the portal.
			common["portal_url"] = u + "/portal/requests/" + m.Case
		}
	}
	return m, render(&m, rec.GetString("subject"), rec.GetString("body"), common)
}

// splitAddresses reads a comma-separated list of addresses.
func splitAddresses(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// send hands the message to its channel: a registered sender, else for
// email PocketBase's mailer (the mail folder when no SMTP is configured).
func (p *plugin) send(app core.App, m Message) error {
	ctx, cancel := context.WithTimeout(p.ctx, min(sendTimeout, p.options().claimTTL()/2))
	defer cancel()
	if fn, ok := senderFor(app, m.Channel); ok {
		return callSender(ctx, fn, m)
	}
	if m.Channel != "email" {
		return fmt.Errorf("%w: no sender is registered for the %s channel", ErrPermanent, m.Channel)
	}
	mail, done, err := Mail(app, m)
	if err != nil {
		return err
	}
	defer done()
	return app.NewMailClient().Send(mail)
}

// Mail is the email of message m as PocketBase's mailer takes it: from the
// settings' sender to m.To (and m.Cc), in its words, with its attachments
// read from the outbox record's files, the X-Vinculo-Message header naming
// that record and, for a message no person wrote, Auto-Submitted (RFC 3834)
// so that autoresponders do not answer it. done closes the attachments.
func Mail(app core.App, m Message) (msg *mailer.Message, done func(), err error) {
	s := app.Settings()
	msg = &mailer.Message{
		From:    mail.Address{Name: s.Meta.SenderName, Address: s.Meta.SenderAddress},
		To:      []mail.Address{{Name: m.Name, Address: m.To}},
		Subject: m.Subject,
		HTML:    m.HTML,
		Text:    m.Body,
		Headers: map[string]string{"X-Vinculo-Message": m.ID},
	}
	if m.Readdressed {
		msg.To[0].Name = ""
	}
	for _, a := range m.Cc {
		if addr, err := mail.ParseAddress(a); err == nil && !strings.EqualFold(addr.Address, m.To) {
			msg.Cc = append(msg.Cc, *addr)
		}
	}
	if !m.Personal {
		msg.Headers["Auto-Submitted"] = "auto-generated"
	}
	done = func() {}
	if len(m.Attachments) == 0 {
		return msg, done, nil
	}
	rec, err := app.FindRecordById(crm.Outbox, m.ID)
	if err != nil {
		return nil, nil, err
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return nil, nil, err
	}
	var open []io.Closer
	done = func() {
		for _, c := range open {
			c.Close()
		}
		fsys.Close()
	}
	msg.Attachments = map[string]io.Reader{}
	for _, name := range m.Attachments {
		r, err := fsys.GetReader(rec.BaseFilesPath() + "/" + name)
		if err != nil {
			done()
			return nil, nil, fmt.Errorf("attachment %s: %w", name, err)
		}
		open = append(open, r)
		msg.Attachments[OriginalName(name)] = r
	}
	return msg, done, nil
}

// storedSuffix is what PocketBase adds to an uploaded file's name.
var storedSuffix = regexp.MustCompile(`_[a-z0-9]{10}(\.[^.]*)?$`)

// OriginalName is the name a file had when it was uploaded (PocketBase
// stores it with a random suffix): the name the customer sees.
func OriginalName(stored string) string {
	if loc := storedSuffix.FindStringSubmatchIndex(stored); loc != nil {
		ext := ""
		if loc[2] >= 0 {
			ext = stored[loc[2]:loc[3]]
		}
		return stored[:loc[0]] + ext
	}
	return stored
}

// record writes the outcome of a send on the message, if it is still ours.
func (p *plugin) record(app core.App, j *job, token string, sendErr error, now time.Time) (string, error) {
	var outcome string
	err := app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindRecordById(crm.Outbox, j.ID)
		if err != nil {
			return err
		}
		if rec.GetString("claim") != token {
			return fmt.Errorf("the claim was taken over while sending (the send outlasted %s); outcome: %v",
				p.options().claimTTL(), sendErr)
		}
		rec.Set("claim", "")
		rec.Set("claimed_at", "")
		if p.interrupted(sendErr) {
			// The stop cut the send short: not an attempt. The message stays
			// due, for the next run of this or another process.
			app.Logger().Info("Outbox: a send was interrupted by the stop; the message goes again at the next run",
				"id", j.ID, "error", sendErr)
			return tx.Save(rec)
		}
		attempts := rec.GetInt("attempts") + 1
		rec.Set("attempts", attempts)
		maxAttempts := p.options().maxAttempts()
		switch {
		case sendErr == nil:
			outcome = StateSent
			rec.Set("state", StateSent)
			rec.Set("sent_at", now)
			rec.Set("sent_channel", j.Channel)
			rec.Set("last_error", "")
			rec.Set("reason", clip(fmt.Sprintf("sent by %s to %s", j.Channel, j.To)))
			setReason(rec, ReasonSent, map[string]any{"channel": j.Channel, "to": j.To})
		case errors.Is(sendErr, ErrPermanent) || attempts >= maxAttempts:
			outcome = StateFailed
			rec.Set("state", StateFailed)
			rec.Set("last_error", clip(sendErr.Error()))
			rec.Set("reason", clip(fmt.Sprintf("failed after %d attempt(s): %v", attempts, sendErr)))
			setReason(rec, ReasonSendFailed, map[string]any{"attempts": attempts, "error": clip(sendErr.Error())})
		default:
			outcome = "retrying"
			next := now.Add(p.options().backoff(attempts))
			rec.Set("state", StateQueued)
			rec.Set("not_before", next)
			rec.Set("last_error", clip(sendErr.Error()))
			rec.Set("reason", clip(fmt.Sprintf("attempt %d of %d failed, next at %s: %v", attempts, maxAttempts, clock(next, j.loc), sendErr)))
			setReason(rec, ReasonRetrying, map[string]any{"attempt": attempts, "max": maxAttempts, "next": when(next), "error": clip(sendErr.Error())})
		}
		return tx.Save(rec)
	})
	return outcome, err
}

// reasonMax is the size, in characters, of the reason and last_error fields.
const reasonMax = 1000

// clip keeps a text within reasonMax characters, ending with "…" when it
// was cut. Unlike crm.Clip it keeps the text as it was up to the cut
// (spaces included): a provider's error is recorded as it came.
func clip(s string) string {
	if r := []rune(s); len(r) > reasonMax {
		return string(r[:reasonMax-1]) + "…"
	}
	return s
}
