package webforms

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

// Double opt-in:
//   - a visitor who ticks the consent gets a mail with a link; the consent
//     is granted only when that link is opened and confirmed with its
//     button (a page that changes nothing on opening, so that a mail
//     scanner that follows links grants nothing in anyone's name);
//   - the link carries a random token (256 bits); only its SHA-256 is kept
//     (web_form_optins), so nobody who reads the database can open it;
//   - the proof is kept on the consent (consents.proof) and, when the
//     consent changes later, in its history: the exact words agreed to,
//     the purposes, the form, when and from where (IP address and user
//     agent) the form was sent and the link confirmed, by the server's
//     clock;
//   - a link confirmed again says so and changes nothing; an expired one
//     says it expired; one that was never sent says it is not valid;
//   - rows are deleted 30 days after their link expired (an hourly job):
//     the proof stays on the consent.

// ConfirmFor is how long a confirmation link works.
const ConfirmFor = 7 * 24 * time.Hour

// keepAfterExpiry is how long a row is kept after its link expired.
const keepAfterExpiry = 30 * 24 * time.Hour

// ConfirmPath is the page the confirmation link opens.
const ConfirmPath = "/forms/confirm"

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// askConfirmation keeps the consent asked and queues its confirmation mail
// (an urgent service message, in the visitor's language, to the address
// typed in the form).
func askConfirmation(tx core.App, cfg *crm.Config, f *Form, contact *core.Record, email string, s sender, now time.Time) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	coll, err := tx.FindCachedCollectionByNameOrId(crm.WebFormOptIns)
	if err != nil {
		return err
	}
	text := inLanguage(f.Consent, s.lang)
	o := core.NewRecord(coll)
	o.Load(map[string]any{
		crm.OptInForm: f.Record.Id, crm.OptInContact: contact.Id, crm.OptInEmail: email, crm.OptInLanguage: s.lang,
		crm.OptInPurposes: f.Purposes, crm.OptInText: text, crm.OptInSentIP: s.ip, crm.OptInSentAgent: s.agent,
		crm.OptInTokenHash: tokenHash(token), crm.OptInExpires: now.Add(ConfirmFor).UTC(),
	})
	if err := tx.Save(o); err != nil {
		return err
	}
	business := businessName(tx, cfg)
	link := cfg.PublicURL + ConfirmPath + "?token=" + url.QueryEscape(token)
	_, err = outbox.Queue(tx, outbox.Queued{
		Contact: contact.Id, Purpose: crm.PurposeService, Channel: "email", To: email, Urgent: true,
		Subject: fmt.Sprintf(word(s.lang, "mail.subject"), business),
		Body:    fmt.Sprintf(word(s.lang, "mail.body"), business, text, link, int(ConfirmFor/(24*time.Hour))),
	})
	return err
}

func businessName(app core.App, cfg *crm.Config) string {
	if n := cfg.BusinessNow().Name; n != "" {
		return n
	}
	return app.Settings().Meta.AppName
}

// Link states.
var (
	errInvalid = errors.New("the link is not valid")
	errExpired = errors.New("the link has expired")
)

// findOptIn is the row of token: errInvalid when none, errExpired when its
// link expired unconfirmed.
func findOptIn(app core.App, token string, now time.Time) (*core.Record, error) {
	if token == "" || len(token) > 200 {
		return nil, errInvalid
	}
	o, err := app.FindFirstRecordByData(crm.WebFormOptIns, crm.OptInTokenHash, tokenHash(token))
	if err != nil {
		return nil, errInvalid
	}
	if o.GetDateTime(crm.OptInConfirmedAt).IsZero() && !o.GetDateTime(crm.OptInExpires).Time().After(now) {
		return o, errExpired
	}
	return o, nil
}

// confirmData is what the confirmation page shows.
type confirmData struct {
	Lang, Nonce, Token, Business, Text, Purposes, Message, Note string
	Ask, Done                                                   bool
	W                                                           map[string]string
}

// confirmPage is GET /forms/confirm?token=: what the visitor agreed to and
// the button that confirms it; or that it is confirmed already, expired,
// or not a link Vinculo sent.
func confirmPage(e *core.RequestEvent, cfg *crm.Config) error {
	token := e.Request.URL.Query().Get("token")
	o, err := findOptIn(e.App, token, time.Now())
	d := pageFor(e, cfg, o)
	switch {
	case errors.Is(err, errInvalid):
		d.Message = word(d.Lang, "page.invalid")
		return confirmAnswer(e, http.StatusBadRequest, d)
	case errors.Is(err, errExpired):
		d.Message = word(d.Lang, "page.expired")
		return confirmAnswer(e, http.StatusGone, d)
	case !o.GetDateTime(crm.OptInConfirmedAt).IsZero():
		d.Message = fmt.Sprintf(word(d.Lang, "page.already"), o.GetDateTime(crm.OptInConfirmedAt).Time().UTC().Format("2006-01-02 15:04"))
		d.Done = true
		return confirmAnswer(e, http.StatusOK, d)
	}
	d.Ask, d.Token = true, token
	d.Message = fmt.Sprintf(word(d.Lang, "page.ask"), d.Business)
	return confirmAnswer(e, http.StatusOK, d)
}

// confirm is POST /forms/confirm (token): the visitor confirms; the
// consents are granted with their proof. Confirming again changes nothing.
func confirm(e *core.RequestEvent, cfg *crm.Config) error {
	token := e.Request.FormValue("token")
	now := time.Now()
	var o *core.Record
	already := false
	err := e.App.RunInTransaction(func(tx core.App) error {
		var err error
		if o, err = findOptIn(tx, token, now); err != nil {
			return err
		}
		if !o.GetDateTime(crm.OptInConfirmedAt).IsZero() {
			already = true
			return nil
		}
		return grant(tx, o, e.RealIP(), crm.Clip(e.Request.UserAgent(), 1000), now)
	})
	d := pageFor(e, cfg, o)
	switch {
	case errors.Is(err, errInvalid):
		d.Message = word(d.Lang, "page.invalid")
		return confirmAnswer(e, http.StatusBadRequest, d)
	case errors.Is(err, errExpired):
		d.Message = word(d.Lang, "page.expired")
		return confirmAnswer(e, http.StatusGone, d)
	case err != nil:
		e.App.Logger().Error("Failed to grant a web form's consent", "error", err)
		return e.InternalServerError(word(d.Lang, "err.failed"), nil)
	case already:
		d.Message = fmt.Sprintf(word(d.Lang, "page.already"), o.GetDateTime(crm.OptInConfirmedAt).Time().UTC().Format("2006-01-02 15:04"))
	default:
		d.Message = word(d.Lang, "page.done")
		d.Note = fmt.Sprintf(word(d.Lang, "page.sent_at"), now.UTC().Format("2006-01-02 15:04:05"))
	}
	d.Done = true
	return confirmAnswer(e, http.StatusOK, d)
}

// pageFor is the confirmation page's frame: in the language of the form
// that was sent (else the browser's), with what was agreed to.
func pageFor(e *core.RequestEvent, cfg *crm.Config, o *core.Record) confirmData {
	d := confirmData{Nonce: nonce(), Business: businessName(e.App, cfg)}
	asked := ""
	if o != nil {
		asked = o.GetString(crm.OptInLanguage)
		d.Text = o.GetString(crm.OptInText)
	}
	d.Lang = language(asked, e.Request, cfg)
	d.W = words[d.Lang]
	if o != nil {
		var purposes []string
		_ = o.UnmarshalJSONField(crm.OptInPurposes, &purposes)
		for i, p := range purposes {
			purposes[i] = word(d.Lang, "purpose."+p)
		}
		d.Purposes = fmt.Sprintf(word(d.Lang, "page.purposes"), joinWords(purposes))
	}
	return d
}

func joinWords(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// grant marks the row confirmed and grants each purpose's consent on email
// with its proof, as the visitor's act through the web.
func grant(tx core.App, o *core.Record, ip, agent string, now time.Time) error {
	at := types.NowDateTime()
	if t, err := types.ParseDateTime(now); err == nil {
		at = t
	}
	o.Set(crm.OptInConfirmedAt, at)
	o.Set(crm.OptInIP, ip)
	o.Set(crm.OptInAgent, agent)
	if err := tx.Save(o); err != nil {
		return err
	}
	formName := ""
	if f, err := tx.FindRecordById(crm.WebForms, o.GetString(crm.OptInForm)); err == nil {
		formName = f.GetString(crm.FormName)
	}
	var purposes []string
	_ = o.UnmarshalJSONField(crm.OptInPurposes, &purposes)
	proof := map[string]any{
		"form": o.GetString(crm.OptInForm), "form_name": formName, "text": o.GetString(crm.OptInText),
		"purposes": purposes, "email": o.GetString(crm.OptInEmail), "language": o.GetString(crm.OptInLanguage),
		"sent_at": o.GetDateTime("created").String(), "sent_ip": o.GetString(crm.OptInSentIP),
		"sent_user_agent": o.GetString(crm.OptInSentAgent),
		"confirmed_at":    at.String(), "ip": ip, "user_agent": agent,
	}
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Consents)
	if err != nil {
		return err
	}
	contact := o.GetString(crm.OptInContact)
	for _, purpose := range purposes {
		c, err := tx.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = {:p} && channel = 'email'",
			dbx.Params{"c": contact, "p": purpose})
		if err != nil {
			c = core.NewRecord(coll)
			c.Load(map[string]any{crm.FieldContact: contact, "purpose": purpose, "channel": "email"})
		}
		c.Load(map[string]any{"state": "granted", "text": o.GetString(crm.OptInText), "source": crm.ConsentSourceWebForm,
			"at": at, crm.ConsentProof: proof})
		timeline.SetActor(c, visitor)
		if err := tx.Save(c); err != nil {
			return err
		}
	}
	return nil
}

// DeleteOld deletes the rows whose link expired more than 30 days before
// now (the proof of a confirmed one stays on its consent); it answers how
// many went.
func DeleteOld(app core.App, now time.Time) (int, error) {
	var old []*core.Record
	err := app.RecordQuery(crm.WebFormOptIns).
		AndWhere(dbx.NewExp("expires < {:t}", dbx.Params{"t": now.Add(-keepAfterExpiry).UTC().Format(time.DateTime + ".000Z")})).
		Limit(1000).All(&old)
	if err != nil {
		return 0, err
	}
	for _, r := range old {
		if err := app.Delete(r); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

func confirmAnswer(e *core.RequestEvent, status int, d confirmData) error {
	h := e.Response.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+d.Nonce+"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	e.Response.WriteHeader(status)
	return confirmTemplate.Execute(e.Response, d)
}

var confirmTemplate = template.Must(template.New("c").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{index .W "page.title"}} · {{.Business}}</title>
<style nonce="{{.Nonce}}">
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f5f7fa}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgb(16 24 40 / 12%)}
@media (max-width:40rem){main{margin:0;border-radius:0;min-height:100vh}}
h1{font-size:1.3rem;margin:0 0 .25rem}.biz{color:#555e6e;margin:0 0 1rem}
blockquote{margin:1rem 0;padding:.75rem 1rem;background:#f5f7fa;border-left:4px solid #1f6feb;border-radius:4px;overflow-wrap:anywhere}
.muted{color:#555e6e;font-size:.9rem}
.ok{background:#e3f4e8;color:#1e5b32;padding:.6rem .75rem;border-radius:8px}
button{font:inherit;font-weight:600;padding:.65rem 1.4rem;border:0;border-radius:8px;background:#1f6feb;color:#fff;cursor:pointer}
</style></head>
<body><main>
<h1>{{index .W "page.title"}}</h1>
<p class="biz">{{.Business}}</p>
{{if .Done}}<p class="ok" role="status" id="message">{{.Message}}</p>{{else}}<p id="message">{{.Message}}</p>{{end}}
{{if .Text}}<blockquote id="agreed">{{.Text}}</blockquote>{{if .Purposes}}<p class="muted">{{.Purposes}}</p>{{end}}{{end}}
{{if .Ask}}<form method="post" action="/forms/confirm"><input type="hidden" name="token" value="{{.Token}}"><button type="submit" id="confirm">{{index .W "page.confirm"}}</button></form>
<p class="muted">{{index .W "page.proof_kept"}}</p>{{end}}
{{if .Note}}<p class="muted" id="note">{{.Note}}</p>{{end}}
{{if .Done}}<p class="muted">{{index .W "page.withdraw"}}</p>{{end}}
</main></body></html>`))
