package portal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
	"vinculo/plugins/portalauth"
	"vinculo/plugins/timeline"
)

// A request from the public form waits for its email's owner:
//   - it is kept in pending_requests, on nobody's account, with no SLA and
//     in nobody's queue, until the link mailed to its address is opened;
//   - the link carries a random token (256 bits); only its SHA-256 is kept,
//     so the link works once, for PendingFor, and nobody who reads the
//     database can open it;
//   - the mail says only fixed words in the address's language, the
//     business's name and the link: nothing the sender typed (no name,
//     subject or description), so the form cannot make the business mail
//     anyone words of a stranger's choosing;
//   - the form answers the same whether the address is a customer's, a
//     contact's or nobody's; a confirmed request goes to the oldest contact
//     with that email, or to a new lead, and then runs as any new request
//     (its clock starts, the "we received your request" mail goes out);
//   - requests nobody confirmed are deleted once their link has expired
//     (an hourly job).

// PendingFor is how long a confirmation link works.
const PendingFor = 7 * 24 * time.Hour

// ConfirmPath is the portal page the confirmation link opens.
const ConfirmPath = "/portal/confirm-request"

// bindPublicRequests adds the confirmation route and the job that deletes
// requests nobody confirmed.
func bindPublicRequests(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/public/requests/confirm", func(e *core.RequestEvent) error { return confirmPublicRequest(e, cfg) })
		return se.Next()
	})
	app.Cron().MustAdd("portal_pending_requests", "17 * * * *", func() {
		if n, err := DeleteExpiredRequests(app, time.Now()); err != nil {
			app.Logger().Error("Failed to delete unconfirmed public requests", "error", err)
		} else if n > 0 {
			app.Logger().Info("Deleted unconfirmed public requests", "count", n)
		}
	})
}

// DeleteExpiredRequests deletes the public requests whose link expired
// before now, unconfirmed; it answers how many went.
func DeleteExpiredRequests(app core.App, now time.Time) (int, error) {
	var expired []*core.Record
	err := app.RecordQuery(crm.PendingRequests).
		AndWhere(dbx.NewExp("expires < {:now}", dbx.Params{"now": now.UTC().Format(time.DateTime + ".000Z")})).
		Limit(1000).All(&expired)
	if err != nil {
		return 0, err
	}
	for _, r := range expired {
		if err := app.Delete(r); err != nil {
			return 0, err
		}
	}
	return len(expired), nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// holdRequest keeps what the form sent until its email confirms it, and
// answers the token of the link that does.
func holdRequest(app core.App, body *publicRequestBody, caseType *core.Record, now time.Time) (*core.Record, string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	coll, err := app.FindCachedCollectionByNameOrId(crm.PendingRequests)
	if err != nil {
		return nil, "", err
	}
	held := core.NewRecord(coll)
	held.Load(map[string]any{
		"email": body.Email, "name": body.Name, "type": caseType.Id, "subject": body.Subject,
		"description": body.Description, "data": body.Fields, "token_hash": tokenHash(token),
		"expires": now.Add(PendingFor).UTC(),
	})
	if err := app.Save(held); err != nil {
		return nil, "", err
	}
	return held, token, nil
}

// errLinkRefused: the token is unknown, used or expired (one answer for all).
var errLinkRefused = errors.New("the link is unknown, used or expired")

// confirmPublicRequest is POST /api/crm/public/requests/confirm {token}:
// the owner of the email opened the link, so the request is filed as if
// it had just been sent, and the link is spent. The answer is the
// request's reference and where to follow it.
func confirmPublicRequest(e *core.RequestEvent, cfg *crm.Config) error {
	refused := badField(e, "token", "validation_invalid_token",
		"This link has expired or was already used. If you still need us, send your request again.")
	var body struct {
		Token string `json:"token"`
	}
	if err := e.BindBody(&body); err != nil || body.Token == "" || len(body.Token) > 200 {
		return refused
	}
	var kase *core.Record
	var email string
	err := e.App.RunInTransaction(func(tx core.App) error {
		held, err := tx.FindFirstRecordByData(crm.PendingRequests, "token_hash", tokenHash(body.Token))
		if err != nil || !held.GetDateTime("expires").Time().After(time.Now()) {
			return errLinkRefused
		}
		email = held.GetString("email")
		if err := tx.Delete(held); err != nil {
			return err
		}
		kase, err = fileRequest(tx, held)
		return err
	})
	if errors.Is(err, errLinkRefused) {
		return refused
	}
	if err != nil {
		var verrs validation.Errors
		if errors.As(err, &verrs) {
			return e.BadRequestError("We could not file this request as it was sent: please send it again.", verrs)
		}
		return e.InternalServerError("Could not save your request.", err)
	}
	ref := kase.GetString("reference")
	return e.JSON(http.StatusOK, map[string]any{"reference": ref, "track_url": TrackURL(cfg, ref), "email": email})
}

// fileRequest makes the held request a request of the email's oldest
// contact (or of a new lead), from now on.
func fileRequest(tx core.App, held *core.Record) (*core.Record, error) {
	contact, err := contactForEmail(tx, held.GetString("name"), held.GetString("email"))
	if err != nil {
		return nil, err
	}
	cases, err := tx.FindCachedCollectionByNameOrId(crm.Cases)
	if err != nil {
		return nil, err
	}
	var data any
	if raw := strings.TrimSpace(held.GetString("data")); raw != "" && raw != "null" {
		data = held.Get("data")
	}
	kase := core.NewRecord(cases)
	kase.Load(map[string]any{
		"type": held.GetString("type"), "contact": contact.Id, "subject": held.GetString("subject"),
		"description": held.GetString("description"), "data": data, "channel": "web",
	})
	timeline.SetActor(kase, webVisitor)
	if err := tx.Save(kase); err != nil {
		return nil, err
	}
	return kase, nil
}

// confirmationWording is the confirmation mail, in each language: fixed
// words, the business's name (%[1]s), the link (%[2]s) and how many days
// it works (%[3]d).
var confirmationWording = map[string]struct{ subject, body string }{
	"en": {
		subject: "Confirm your request to %[1]s",
		body: "Hello,\n\n" +
			"Someone asked to send a request to %[1]s with this email address. " +
			"Before we file it, please confirm that it was you:\n\n" +
			"%[2]s\n\n" +
			"The link works once, for %[3]d days. If it was not you, ignore this email: " +
			"nothing will be filed and we will not write to you about it again.\n\n" +
			"%[1]s\n",
	},
	"pt-BR": {
		subject: "Confirme sua solicitação para %[1]s",
		body: "Olá,\n\n" +
			"Alguém pediu para enviar uma solicitação para %[1]s com este endereço de e-mail. " +
			"Antes de registrá-la, confirme que foi você:\n\n" +
			"%[2]s\n\n" +
			"O link funciona uma vez, por %[3]d dias. Se não foi você, ignore este e-mail: " +
			"nada será registrado e não voltaremos a escrever sobre isso.\n\n" +
			"%[1]s\n",
	},
}

// mailConfirmation sends the link that confirms a public request to its
// address. The same lookups run whoever owns the address.
func mailConfirmation(app core.App, cfg *crm.Config, to, token string) error {
	settings := app.Settings()
	business := cfg.BusinessNow().Name
	if business == "" {
		business = settings.Meta.AppName
	}
	link := cfg.PublicURL + ConfirmPath + "?token=" + url.QueryEscape(token)
	w := confirmationWording[languageOf(app, cfg, to)]
	days := int(PendingFor / (24 * time.Hour))
	text := fmt.Sprintf(w.body, business, link, days)
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		p = html.EscapeString(p)
		if strings.TrimSpace(p) == html.EscapeString(link) {
			p = `<a href="` + p + `">` + p + `</a>`
		}
		b.WriteString("<p>" + p + "</p>\n")
	}
	return app.NewMailClient().Send(&mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Address: to}},
		Subject: fmt.Sprintf(w.subject, business),
		Text:    text,
		HTML:    b.String(),
	})
}

// languageOf is the language of the address's oldest contact, else of its
// portal account, else the business's, else English.
func languageOf(app core.App, cfg *crm.Config, email string) string {
	var lang string
	if contact, _ := portalauth.OldestContactWithEmail(app, email); contact != nil {
		lang = contact.GetString("language")
	}
	account, _ := app.FindFirstRecordByData(crm.Customers, crm.FieldEmail, email)
	if lang == "" && account != nil {
		lang = account.GetString("language")
	}
	if lang == "" {
		lang = cfg.BusinessNow().Language
	}
	if _, ok := confirmationWording[lang]; !ok || !slices.Contains(crm.Languages, lang) {
		lang = "en"
	}
	return lang
}
