package signin

import (
	"fmt"
	"html"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// The sign-in code mail, in the language of whoever asked for it: the staff
// member's or the customer's own `language`, else their contact's, else the
// business's. PocketBase writes the mail from the collection's template,
// which holds one language; Vinculo rewords it as it goes out, unless a
// superuser wrote a template of their own in the dashboard (theirs is sent
// as written).

// pocketBaseCodeSubject is the subject of PocketBase's own template.
const pocketBaseCodeSubject = "OTP for " + core.EmailPlaceholderAppName

type codeWords struct {
	subject, hello, code, ignore, thanks string
}

var codeMail = map[string]codeWords{
	"en": {
		subject: "Your sign-in code for %s",
		hello:   "Hello,",
		code:    "Your sign-in code is:",
		ignore:  "If you did not ask to sign in, you can ignore this email.",
		thanks:  "Thanks,",
	},
	"pt-BR": {
		subject: "Seu código de acesso a %s",
		hello:   "Olá,",
		code:    "Seu código de acesso é:",
		ignore:  "Se você não pediu para entrar, pode ignorar este e-mail.",
		thanks:  "Obrigado,",
	},
}

func bindCodeMail(app core.App, cfg *crm.Config) {
	app.OnMailerRecordOTPSend(crm.Staff, crm.Customers).BindFunc(func(e *core.MailerRecordEvent) error {
		if e.Record == nil || e.Message == nil || e.Record.Collection().OTP.EmailTemplate.Subject != pocketBaseCodeSubject {
			return e.Next()
		}
		code := cast.ToString(e.Meta["password"])
		w := codeMail[readerLanguage(e.App, e.Record, cfg)]
		business := cfg.BusinessNow().Name
		e.Message.Subject = fmt.Sprintf(w.subject, business)
		e.Message.Text = fmt.Sprintf("%s\n\n%s %s\n\n%s\n\n%s\n%s\n", w.hello, w.code, code, w.ignore, w.thanks, business)
		e.Message.HTML = fmt.Sprintf("<p>%s</p>\n<p>%s <strong>%s</strong></p>\n<p><i>%s</i></p>\n<p>%s<br/>%s</p>\n",
			html.EscapeString(w.hello), html.EscapeString(w.code), html.EscapeString(code), html.EscapeString(w.ignore),
			html.EscapeString(w.thanks), html.EscapeString(business))
		return e.Next()
	})
}

// readerLanguage is the language an account reads: its own, else its
// contact's (a customer), else the business's.
func readerLanguage(app core.App, account *core.Record, cfg *crm.Config) string {
	lang := account.GetString("language")
	if lang == "" && account.Collection().Name == crm.Customers {
		if c, err := app.FindRecordById(crm.Contacts, account.GetString(crm.FieldContact)); err == nil {
			lang = c.GetString("language")
		}
	}
	if lang == "" {
		lang = cfg.BusinessNow().Language
	}
	if _, ok := codeMail[lang]; !ok {
		return "pt-BR"
	}
	return lang
}
