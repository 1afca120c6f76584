package webforms

import (
	"net/http"
	"strings"

	"vinculo/crm"
)

// words are what a visitor reads: the form's built-in labels, the errors,
// the confirmation mail and the confirmation pages, in each language.
var words = map[string]map[string]string{
	"en": {
		"label.name": "Name", "label.email": "Email", "label.phone": "Phone", "label.company": "Company",
		"label.message": "Message", "required": "required", "send": "Send", "sending": "Sending…",
		"check_form":        "Please check the fields marked below.",
		"err.required":      "Please fill this in.",
		"err.email":         "Give an email address where we can reach you.",
		"err.phone":         "Give a phone number (digits, spaces, + ( ) . -).",
		"err.too_long":      "This is too long (at most %d characters).",
		"err.value":         "Check this value.",
		"err.origin":        "This form may not be sent from this site.",
		"err.closed":        "This form is closed.",
		"err.failed":        "We could not send the form just now. Please try again in a few minutes.",
		"err.body":          "The form could not be read.",
		"thanks":            "Thank you! We received your message.",
		"check_mail":        "We sent you an email: open its link to confirm your consent.",
		"preview":           "Preview — visitors cannot send this form while it is not active.",
		"mail.subject":      "Please confirm: %[1]s",
		"mail.body":         "Hello,\n\nYou sent a form on the site of %[1]s and agreed to this:\n\n“%[2]s”\n\nTo confirm it, open this link:\n\n%[3]s\n\nThe link works for %[4]d days. If it was not you, ignore this email: nothing will be given in your name.\n\n%[1]s",
		"page.title":        "Confirm your consent",
		"page.ask":          "You agreed to the text below on a form of %s. Confirm it with the button.",
		"page.confirm":      "Confirm",
		"page.done":         "Thank you: your consent is confirmed.",
		"page.already":      "This consent was already confirmed on %s. Nothing more to do.",
		"page.expired":      "This link has expired. Send the form again to get a new one.",
		"page.invalid":      "This link is not valid. Check that you opened it exactly as it came in the email.",
		"page.withdraw":     "You can withdraw it at any time in the customer portal or by answering our messages.",
		"page.proof_kept":   "We keep, as proof, the text above, the time and the address it was confirmed from.",
		"page.sent_at":      "Confirmed on %s (server time, UTC).",
		"page.purposes":     "For: %s",
		"purpose.marketing": "marketing", "purpose.profiling": "profiling", "purpose.research": "research",
		"consent.default_label": "I agree",
	},
	"pt-BR": {
		"label.name": "Nome", "label.email": "E-mail", "label.phone": "Telefone", "label.company": "Empresa",
		"label.message": "Mensagem", "required": "obrigatório", "send": "Enviar", "sending": "Enviando…",
		"check_form":        "Confira os campos marcados abaixo.",
		"err.required":      "Preencha este campo.",
		"err.email":         "Informe um e-mail em que possamos falar com você.",
		"err.phone":         "Informe um telefone (dígitos, espaços, + ( ) . -).",
		"err.too_long":      "Texto longo demais (no máximo %d caracteres).",
		"err.value":         "Confira este valor.",
		"err.origin":        "Este formulário não pode ser enviado deste site.",
		"err.closed":        "Este formulário está fechado.",
		"err.failed":        "Não foi possível enviar o formulário agora. Tente de novo em alguns minutos.",
		"err.body":          "Não foi possível ler o formulário.",
		"thanks":            "Obrigado! Recebemos sua mensagem.",
		"check_mail":        "Enviamos um e-mail para você: abra o link dele para confirmar seu consentimento.",
		"preview":           "Prévia — visitantes não podem enviar este formulário enquanto ele não estiver ativo.",
		"mail.subject":      "Confirme, por favor: %[1]s",
		"mail.body":         "Olá,\n\nVocê enviou um formulário no site de %[1]s e concordou com isto:\n\n“%[2]s”\n\nPara confirmar, abra este link:\n\n%[3]s\n\nO link funciona por %[4]d dias. Se não foi você, ignore este e-mail: nada será concedido em seu nome.\n\n%[1]s",
		"page.title":        "Confirme seu consentimento",
		"page.ask":          "Você concordou com o texto abaixo em um formulário de %s. Confirme com o botão.",
		"page.confirm":      "Confirmar",
		"page.done":         "Obrigado: seu consentimento está confirmado.",
		"page.already":      "Este consentimento já foi confirmado em %s. Não é preciso fazer mais nada.",
		"page.expired":      "Este link expirou. Envie o formulário de novo para receber outro.",
		"page.invalid":      "Este link não é válido. Confira se você o abriu exatamente como veio no e-mail.",
		"page.withdraw":     "Você pode retirá-lo quando quiser no portal do cliente ou respondendo às nossas mensagens.",
		"page.proof_kept":   "Guardamos, como prova, o texto acima, o horário e o endereço de onde foi confirmado.",
		"page.sent_at":      "Confirmado em %s (horário do servidor, UTC).",
		"page.purposes":     "Para: %s",
		"purpose.marketing": "marketing", "purpose.profiling": "definição de perfil", "purpose.research": "pesquisas",
		"consent.default_label": "Concordo",
	},
}

// word is a visitor's word in lang (English when lang has none).
func word(lang, key string) string {
	if w, ok := words[lang][key]; ok {
		return w
	}
	return words["en"][key]
}

// language is the visitor's language: the one asked (?lang= or the body),
// else the browser's first that Vinculo speaks, else the business's.
func language(asked string, r *http.Request, cfg *crm.Config) string {
	if l := match(asked); l != "" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l := match(tag); l != "" {
			return l
		}
	}
	if l := match(cfg.BusinessNow().Language); l != "" {
		return l
	}
	return "en"
}

// match is the language of Vinculo's that tag asks for, or "".
func match(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "":
		return ""
	case strings.HasPrefix(tag, "pt"):
		return "pt-BR"
	case strings.HasPrefix(tag, "en"):
		return "en"
	}
	return ""
}

// inLanguage is the text of a {"en": ..., "pt-BR": ...} map in lang, else
// in the other language, else "".
func inLanguage(m map[string]string, lang string) string {
	if s := strings.TrimSpace(m[lang]); s != "" {
		return s
	}
	for _, l := range crm.Languages {
		if s := strings.TrimSpace(m[l]); s != "" {
			return s
		}
	}
	return ""
}
