package team

import (
	"bytes"
	"text/template"
)

// invitationData fills the invitation mail.
type invitationData struct {
	Name, Business, Inviter, Role, Link, Email string
	Days                                       int
}

// The invitation, in each language the team speaks.
var invitationTemplates = map[string]struct{ subject, body string }{
	"en": {
		subject: "{{.Business}}: you are invited to the team's workspace",
		body: `Hello {{.Name}},

{{if .Inviter}}{{.Inviter}}{{else}}The team{{end}} invites you to {{.Business}}'s workspace in Vinculo, as {{role "en" .Role}}.

Choose your password here (the link works for {{.Days}} days):
{{.Link}}

Then sign in with this email address, {{.Email}}, and that password.

If you did not expect this invitation, you can ignore this mail.
`,
	},
	"pt-BR": {
		subject: "{{.Business}}: você foi convidado para o espaço de trabalho da equipe",
		body: `Olá, {{.Name}},

{{if .Inviter}}{{.Inviter}}{{else}}A equipe{{end}} convida você para o espaço de trabalho de {{.Business}} no Vinculo, como {{role "pt-BR" .Role}}.

Escolha sua senha aqui (o link vale por {{.Days}} dias):
{{.Link}}

Depois entre com este endereço de e-mail, {{.Email}}, e essa senha.

Se você não esperava este convite, pode ignorar este e-mail.
`,
	},
}

var roleNames = map[string]map[string]string{
	"en":    {"manager": "a manager", "agent": "an agent", "readonly": "a read-only member"},
	"pt-BR": {"manager": "gerente", "agent": "agente", "readonly": "membro somente leitura"},
}

var mailFuncs = template.FuncMap{"role": func(lang, role string) string { return roleNames[lang][role] }}

// invitationMail renders the invitation's subject and text in lang
// (English for any language without its own).
func invitationMail(lang string, d invitationData) (subject, text string) {
	t, ok := invitationTemplates[lang]
	if !ok {
		t = invitationTemplates["en"]
	}
	return render(t.subject, d), render(t.body, d)
}

func render(src string, d invitationData) string {
	var b bytes.Buffer
	template.Must(template.New("").Funcs(mailFuncs).Parse(src)).Execute(&b, d)
	return b.String()
}
