package portalauth

import (
	"fmt"
	"html"
	"net/mail"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
)

// invitationWords are the portal invitation's words in one language: the
// business's name (%[1]s), the customer's (%[2]s) and the portal's address
// (%[3]s).
type invitationWords struct{ subject, body string }

var invitationMail = map[string]invitationWords{
	"en": {
		subject: "%[1]s: your customer portal",
		body: "Hello %[2]s,\n\n" +
			"%[1]s invites you to its customer portal, where you can follow your requests, " +
			"keep your details current and choose how we contact you.\n\n" +
			"Sign in with this email address at %[3]s and we will send you a one-time code.\n\n%[1]s\n",
	},
	"pt-BR": {
		subject: "%[1]s: seu portal do cliente",
		body: "Olá, %[2]s.\n\n" +
			"%[1]s convida você para o portal do cliente, onde você acompanha suas solicitações, " +
			"mantém seus dados em dia e escolhe como prefere ser contatado.\n\n" +
			"Entre com este endereço de e-mail em %[3]s e enviaremos um código de uso único.\n\n%[1]s\n",
	},
}

// invitation is the portal invitation to the customer's address, in the
// customer's language: the account's, else the contact's, else the
// business's (English when none of them is one Vinculo speaks).
func invitation(app core.App, cfg *crm.Config, customer, contact *core.Record, email string) *mailer.Message {
	business := cfg.BusinessNow()
	name := business.Name
	if name == "" {
		name = app.Settings().Meta.AppName
	}
	w, ok := invitationMail[customer.GetString("language")]
	if !ok {
		if w, ok = invitationMail[contact.GetString("language")]; !ok {
			if w, ok = invitationMail[business.Language]; !ok {
				w = invitationMail["en"]
			}
		}
	}
	portal := strings.TrimRight(cfg.PublicURL, "/") + "/portal/"
	text := fmt.Sprintf(w.body, name, contact.GetString("name"), portal)
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		p = strings.ReplaceAll(html.EscapeString(p), html.EscapeString(portal), `<a href="`+html.EscapeString(portal)+`">`+html.EscapeString(portal)+`</a>`)
		b.WriteString("<p>" + p + "</p>\n")
	}
	settings := app.Settings()
	return &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: contact.GetString("name"), Address: email}},
		Subject: fmt.Sprintf(w.subject, name),
		Text:    text,
		HTML:    b.String(),
	}
}
