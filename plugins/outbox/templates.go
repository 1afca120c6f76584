package outbox

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"vinculo/crm"
)

// Templates of the messages Vinculo writes itself: the names crm gives
// them. "generic" (or no template) sends the record's own subject and body
// as they are.
const (
	TemplateCaseOpened = crm.TemplateCaseOpened // data: reference, subject, type
	TemplateCaseStatus = crm.TemplateCaseStatus // data: reference, subject, status, status_label, type
	TemplateGeneric    = crm.TemplateGeneric
	TemplateCaseReply  = crm.TemplateCaseReply // data: reference, subject, message (the staff's answer)
)

type wording struct{ subject, body string }

// Every mail about a request names it as [REF] in its subject: a customer
// who answers from a mail program without the thread headers still lands
// on the request (plugins/channels/email reads the reference back).
var templates = map[string]map[string]wording{
	TemplateCaseOpened: {
		"en": {
			subject: "We received your request [{{.reference}}]",
			body: "Hello {{.name}},\n\n" +
				"We received your request “{{.subject}}”{{with .type}} ({{.}}){{end}}. Its reference is {{.reference}}.\n" +
				"{{with .portal_url}}You can follow it at {{.}}\n{{end}}" +
				"\n{{.business}}",
		},
		"pt-BR": {
			subject: "Recebemos sua solicitação [{{.reference}}]",
			body: "Olá, {{.name}}.\n\n" +
				"Recebemos sua solicitação “{{.subject}}”{{with .type}} ({{.}}){{end}}. O número de referência é {{.reference}}.\n" +
				"{{with .portal_url}}Acompanhe em {{.}}\n{{end}}" +
				"\n{{.business}}",
		},
	},
	TemplateCaseStatus: {
		"en": {
			subject: "Your request [{{.reference}}]: {{.status_label}}",
			body: "Hello {{.name}},\n\n" +
				"Your request “{{.subject}}” ({{.reference}}) is now: {{.status_label}}.\n" +
				"{{with .portal_url}}You can follow it at {{.}}\n{{end}}" +
				"\n{{.business}}",
		},
		"pt-BR": {
			subject: "Sua solicitação [{{.reference}}]: {{.status_label}}",
			body: "Olá, {{.name}}.\n\n" +
				"Sua solicitação “{{.subject}}” ({{.reference}}) agora está: {{.status_label}}.\n" +
				"{{with .portal_url}}Acompanhe em {{.}}\n{{end}}" +
				"\n{{.business}}",
		},
	},
	// A staff member's answer on a request: the thread's subject, the answer
	// as written, and where to read and answer it in the portal.
	TemplateCaseReply: {
		"en": {
			subject: "Re: {{.subject}} [{{.reference}}]",
			body: "{{.message}}\n\n--\n" +
				"{{with .portal_url}}Read and answer this request in your portal: {{.}}\n{{end}}" +
				"{{.business}} · {{.reference}}",
		},
		"pt-BR": {
			subject: "Re: {{.subject}} [{{.reference}}]",
			body: "{{.message}}\n\n--\n" +
				"{{with .portal_url}}Leia e responda esta solicitação no seu portal: {{.}}\n{{end}}" +
				"{{.business}} · {{.reference}}",
		},
	},
	// Orders, payments and invoices (plugins/portal/personal_messages.go):
	// the customer chooses whether and where they hear of them.
	crm.TemplateOrderStatus: {
		"en": {
			subject: "Your order {{.number}}: {{.status_label}}",
			body: "Hello {{.name}},\n\nYour order {{.number}} is now: {{.status_label}}.\n" +
				"{{with .portal_url}}You can follow it at {{.}}\n{{end}}\n{{.business}}",
		},
		"pt-BR": {
			subject: "Seu pedido {{.number}}: {{.status_label_pt}}",
			body: "Olá, {{.name}}.\n\nSeu pedido {{.number}} agora está: {{.status_label_pt}}.\n" +
				"{{with .portal_url}}Acompanhe em {{.}}\n{{end}}\n{{.business}}",
		},
	},
	crm.TemplatePaymentFailed: {
		"en": {
			subject: "Your payment for order {{.number}} did not go through",
			body: "Hello {{.name}},\n\nYour payment for order {{.number}} did not go through{{with .reason}} ({{.}}){{end}}. The order stays unpaid: you can pay it again.\n" +
				"{{with .portal_url}}{{.}}\n{{end}}\n{{.business}}",
		},
		"pt-BR": {
			subject: "Seu pagamento do pedido {{.number}} não foi aprovado",
			body: "Olá, {{.name}}.\n\nSeu pagamento do pedido {{.number}} não foi aprovado{{with .reason}} ({{.}}){{end}}. O pedido continua em aberto: você pode pagá-lo de novo.\n" +
				"{{with .portal_url}}{{.}}\n{{end}}\n{{.business}}",
		},
	},
	crm.TemplateInvoiceIssued: {
		"en": {
			subject: "Your invoice {{.number}}",
			body: "Hello {{.name}},\n\nYour invoice {{.number}} ({{.total}} {{.currency}}) is ready.\n" +
				"{{with .portal_url}}You can view and download it at {{.}}\n{{end}}\n{{.business}}",
		},
		"pt-BR": {
			subject: "Sua fatura {{.number}}",
			body: "Olá, {{.name}}.\n\nSua fatura {{.number}} ({{.total}} {{.currency}}) está pronta.\n" +
				"{{with .portal_url}}Veja e baixe em {{.}}\n{{end}}\n{{.business}}",
		},
	},
}

// genericSubject is the subject of a generic message that has none.
var genericSubject = map[string]string{"en": "A message from {{.business}}", "pt-BR": "Uma mensagem de {{.business}}"}

// Templates lists the template names a message may name.
func Templates() []string {
	names := []string{TemplateGeneric}
	for name := range templates {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func knownTemplate(name string) bool {
	_, ok := templates[name]
	return ok || name == "" || name == TemplateGeneric
}

// render fills the message's subject, body and HTML in its language, from
// its data and the common values (business, portal_url), data first.
func render(m *Message, rawSubject, rawBody string, common map[string]any) error {
	vars := map[string]any{}
	for k, v := range common {
		vars[k] = v
	}
	for k, v := range m.Data {
		vars[k] = v
	}
	if _, ok := vars["status_label"]; !ok || fmt.Sprint(vars["status_label"]) == "" {
		vars["status_label"] = vars["status"]
	}
	vars["name"] = m.Name
	if t, ok := templates[m.Template]; ok {
		tx, ok := t[m.Language]
		if !ok {
			tx = t["en"]
		}
		var err error
		if m.Subject, err = fill(tx.subject, vars); err != nil {
			return err
		}
		if m.Body, err = fill(tx.body, vars); err != nil {
			return err
		}
	} else {
		// Staff's own words are never read as a template.
		m.Subject, m.Body = rawSubject, rawBody
		if strings.TrimSpace(m.Subject) == "" {
			s, err := fill(genericSubject[m.Language], vars)
			if err != nil {
				return err
			}
			m.Subject = s
		}
	}
	m.HTML = toHTML(m.Body)
	return nil
}

func fill(src string, vars map[string]any) (string, error) {
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, vars); err != nil {
		return "", err
	}
	return strings.ReplaceAll(b.String(), "<no value>", ""), nil
}

// link finds the web addresses of a text, to make them links in HTML.
var link = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]`)

// toHTML: paragraphs at blank lines, line breaks kept, everything escaped,
// web addresses made links.
func toHTML(body string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		for i := range lines {
			lines[i] = linkify(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>\n")
	}
	return b.String()
}

// linkify escapes a line and makes its web addresses links.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, loc := range link.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:loc[0]]))
		u := html.EscapeString(line[loc[0]:loc[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = loc[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
